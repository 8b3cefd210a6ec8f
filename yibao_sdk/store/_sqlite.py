"""Serialised SQLite write transactions with a durability choice per commit."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Callable
from typing import TypeVar

__all__ = ["SqliteWriter"]

_T = TypeVar("_T")


class SqliteWriter:
    """Mix-in for a store holding one connection (``_db``, autocommit) shared by threads.

    Each write runs in its own ``BEGIN IMMEDIATE`` transaction under ``_lock``; ``durable``
    picks ``synchronous=FULL`` (the commit survives a power cut) or ``NORMAL`` (it survives a
    process crash) for that commit. A failed write rolls back only a transaction that is open,
    so a failing ROLLBACK never hides the real error.
    """

    _db: sqlite3.Connection
    _lock: threading.Lock
    _sync: str

    def _write(self, action: Callable[[], _T], *, durable: bool) -> _T:
        """Run ``action`` in one ``BEGIN IMMEDIATE`` transaction."""
        with self._lock:
            wanted = "FULL" if durable else "NORMAL"
            if self._sync != wanted:  # set between transactions; it applies to the commit
                self._db.execute(f"PRAGMA synchronous={wanted}")
                self._sync = wanted
            self._db.execute("BEGIN IMMEDIATE")
            try:
                result = action()
                self._db.execute("COMMIT")
            except BaseException:
                if self._db.in_transaction:
                    with contextlib.suppress(sqlite3.Error):
                        self._db.execute("ROLLBACK")
                raise
        return result
