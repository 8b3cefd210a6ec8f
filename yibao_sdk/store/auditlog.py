"""A hash-chained, append-only audit log of verdicts and overrides in SQLite.

Each entry stores ``hash = sha256(prev_hash + seq + kind + recorded_at + payload)``; altering,
deleting or inserting a row breaks the chain from that row on, which :meth:`AuditLog.verify`
detects.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from yibao_sdk.errors import AuditChainError, AuditLogError

__all__ = ["GENESIS", "AuditEntry", "AuditLog"]

GENESIS = "0" * 64
"""``prev_hash`` of the first entry."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS audit_log (
    seq INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    payload TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
)
"""


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One row of the audit log."""

    seq: int
    kind: str
    recorded_at: str
    payload: str
    prev_hash: str
    hash: str

    def data(self) -> Any:
        """The payload decoded from JSON."""
        return json.loads(self.payload)


def _digest(prev: str, seq: int, kind: str, recorded_at: str, payload: str) -> str:
    text = "\x1f".join((prev, str(seq), kind, recorded_at, payload))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class AuditLog:
    """Append-only audit log in a SQLite file (WAL). Safe to share between threads.

    :param path: database file; created with its table if missing.
    :param clock: returns the time stamped on entries (UTC by default).
    """

    def __init__(self, path: Path | str, *, clock: Callable[[], datetime] | None = None) -> None:
        self.path = Path(path)
        self._clock = clock or (lambda: datetime.now(UTC))
        self._lock = threading.Lock()
        try:
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(_SCHEMA)
        except sqlite3.Error as exc:
            raise AuditLogError(f"cannot open audit log {self.path}: {exc}") from exc

    def append(self, kind: str, payload: Mapping[str, Any]) -> AuditEntry:
        """Append an entry chained to the previous one and return it."""
        text = json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str)
        recorded_at = self._clock().isoformat()
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                row = self._db.execute(
                    "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1"
                ).fetchone()
                seq, prev = (row[0] + 1, row[1]) if row else (1, GENESIS)
                digest = _digest(prev, seq, kind, recorded_at, text)
                self._db.execute(
                    "INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?)",
                    (seq, kind, recorded_at, text, prev, digest),
                )
                self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                self._db.execute("ROLLBACK")
                raise AuditLogError(f"cannot append to {self.path}: {exc}") from exc
        return AuditEntry(seq, kind, recorded_at, text, prev, digest)

    def entries(self) -> Iterator[AuditEntry]:
        """Every entry, oldest first."""
        query = (
            "SELECT seq, kind, recorded_at, payload, prev_hash, hash FROM audit_log ORDER BY seq"
        )
        try:
            # a cursor of its own, streamed: the log may be far larger than memory
            for row in self._db.cursor().execute(query):
                yield AuditEntry(*row)
        except sqlite3.Error as exc:
            raise AuditLogError(f"cannot read audit log {self.path}: {exc}") from exc

    def verify(self) -> int:
        """Check the whole chain; return the number of entries or raise AuditChainError."""
        prev, expected_seq = GENESIS, 1
        for entry in self.entries():
            if entry.seq != expected_seq:
                raise AuditChainError(f"entry {expected_seq} is missing (next is {entry.seq})")
            if not hmac.compare_digest(entry.prev_hash, prev):
                raise AuditChainError(f"entry {entry.seq}: prev_hash does not match entry before")
            digest = _digest(prev, entry.seq, entry.kind, entry.recorded_at, entry.payload)
            if not hmac.compare_digest(entry.hash, digest):
                raise AuditChainError(f"entry {entry.seq}: content does not match its hash")
            prev, expected_seq = entry.hash, expected_seq + 1
        return expected_seq - 1

    def close(self) -> None:
        """Close the database."""
        self._db.close()
