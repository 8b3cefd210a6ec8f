"""The inbound message store (消息库): every HL7/FHIR message, committed before it is answered.

::

    received ──► processed      routed, merged and checked (ack_code and verdict summary kept)
        └──────► failed         malformed, unmappable, unknown visit, or the rules failed

A row is written as ``received`` and **committed before the ACK leaves**, so a message that was
acknowledged is always on disk; whatever a crash leaves ``received`` is found by
:meth:`MessageStore.pending` and processed again on start-up. A frame that never ended is never
stored and never acknowledged.

**Durability.** SQLite in WAL mode. With ``durable=True`` (the default) the insert a reply
depends on commits with ``synchronous=FULL`` (the WAL is fsynced: an acknowledged message
survives a power cut); state updates commit with ``NORMAL`` (a power cut may undo the last
ones, which leaves those rows ``received``: they are processed again, and merging is
idempotent because items replace items of the same id). ``durable=False`` uses ``NORMAL``
throughout: an acknowledged message then survives a crash of the process but not of the
machine. Measured on the development VM: an fsynced commit 170–700 µs (its shared disk
varies), a NORMAL one about 20 µs; see ``bench/bench_mllp.py`` for what that means end to end.
The bytes are kept in their own table, so recording the outcome does not rewrite them.

**Retention.** :meth:`MessageStore.purge` deletes ``processed`` rows older than N days;
``failed`` and ``received`` rows are kept until someone resolves them.

**The store holds personal data.** ``raw`` is the message as sent (names, ID-card and insurance
numbers, diagnoses). Protect the file like the HIS database: it is created ``0600``; keep it off
shared drives and out of backups that leave the hospital. Never log ``raw`` (the ``repr`` of a
:class:`StoredMessage` hides it), and let the retention job run.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar, cast

from yibao_sdk.errors import YibaoError
from yibao_sdk.models.base import CHINA
from yibao_sdk.store._sqlite import SqliteWriter

__all__ = ["MessageState", "MessageStore", "MessageStoreError", "StoredMessage"]

_T = TypeVar("_T")


class MessageStoreError(YibaoError):
    """The message store cannot be opened, read or written."""


class MessageState(StrEnum):
    """Where a stored message stands."""

    RECEIVED = "received"
    """Stored (and possibly acknowledged); not processed yet."""
    PROCESSED = "processed"
    """Routed, merged into its visit and checked."""
    FAILED = "failed"
    """Could not be processed; kept by retention until resolved."""


@dataclass(frozen=True, slots=True)
class StoredMessage:
    """One row of the store."""

    id: int
    received_at: datetime
    peer: str
    route: str
    control_id: str
    message_type: str
    size: int
    raw: bytes = field(repr=False)
    """The bytes as received (personal data: never log them)."""
    state: MessageState
    ack_code: str | None = None
    """The answer sent: AA/AE/AR for HL7 (AA on an ``after_store`` route even when the
    rules later refused), the HTTP status for a FHIR Bundle; ``None`` while received."""
    summary: Mapping[str, Any] | None = field(default=None, repr=False)
    """Verdict summary or error (JSON); see :mod:`yibao_sdk.gateway.summary`."""
    processed_at: datetime | None = None
    truncated: bool = False
    """Only the head of an oversize message was kept."""


_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS messages (id INTEGER PRIMARY KEY AUTOINCREMENT, "
    "received_at TEXT NOT NULL, peer TEXT NOT NULL, route TEXT NOT NULL, "
    "control_id TEXT NOT NULL, message_type TEXT NOT NULL, size INTEGER NOT NULL, "
    "state TEXT NOT NULL CHECK (state IN ('received', 'processed', 'failed')), "
    "ack_code TEXT, summary TEXT, processed_at TEXT, truncated INTEGER NOT NULL DEFAULT 0)",
    # the bytes live apart, so that recording the outcome does not rewrite them
    "CREATE TABLE IF NOT EXISTS message_bodies (id INTEGER PRIMARY KEY "
    "REFERENCES messages (id) ON DELETE CASCADE, raw BLOB NOT NULL)",
    "CREATE INDEX IF NOT EXISTS messages_state ON messages (state)",
    "CREATE INDEX IF NOT EXISTS messages_received ON messages (received_at)",
)
_COLUMNS = ("m.id, received_at, peer, route, control_id, message_type, size, b.raw, state, "
            "ack_code, summary, processed_at, truncated")
_FROM = "messages m JOIN message_bodies b ON b.id = m.id"
_INSERT = ("INSERT INTO messages (received_at, peer, route, control_id, message_type, size, "
           "state, truncated) VALUES (?, ?, ?, ?, ?, ?, 'received', ?)")
_INSERT_BODY = "INSERT INTO message_bodies (id, raw) VALUES (?, ?)"
_FINISH = ("UPDATE messages SET state = ?, ack_code = ?, summary = ?, processed_at = ? "
           "WHERE id = ?")


def _china_now() -> datetime:
    return datetime.now(CHINA)


def _stamp(moment: datetime) -> str:
    local = moment.astimezone(CHINA) if moment.tzinfo else moment.replace(tzinfo=CHINA)
    return local.isoformat(timespec="microseconds")


def _since(when: date | datetime) -> str:
    return _stamp(when if isinstance(when, datetime) else datetime.combine(when, time()))


def _row(row: tuple[Any, ...]) -> StoredMessage:
    (ident, received, peer, route, control, mtype, size, raw, state, ack, summary, done,
     truncated) = row
    return StoredMessage(ident, datetime.fromisoformat(received), peer, route, control, mtype,
                         size, bytes(raw), MessageState(state), ack,
                         json.loads(summary) if summary else None,
                         datetime.fromisoformat(done) if done else None, bool(truncated))


class MessageStore(SqliteWriter):
    """Inbound messages in a SQLite file (WAL). Safe to share between threads.

    :param path: database file (created ``0600``); ``":memory:"`` for tests.
    :param durable: ``synchronous=FULL`` for the insert an ACK waits on (see the module notes).
    :param clock: time stamped on rows (China time by default).
    :param on_commit: called with the row id right after each insert is committed (tests use
        it to check that a message is stored before it is answered).
    :raises MessageStoreError: when the file cannot be opened.
    """

    def __init__(self, path: Path | str, *, durable: bool = True,
                 clock: Callable[[], datetime] = _china_now,
                 on_commit: Callable[[int], None] | None = None, timeout: float = 10.0) -> None:
        self.path = Path(path)
        self.durable = durable
        self._clock = clock
        self._on_commit = on_commit
        self._lock = threading.Lock()
        self._sync = ""
        try:
            if str(path) != ":memory:":
                _create_private(self.path)
            self._db = sqlite3.connect(str(path), timeout=timeout, isolation_level=None,
                                       check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._write(lambda: [self._db.execute(sql) for sql in _SCHEMA], durable=True)
        except (OSError, sqlite3.Error) as exc:
            raise MessageStoreError(f"cannot open the message store {self.path}: {exc}") from exc


    def receive(self, raw: bytes, *, peer: str, route: str, control_id: str = "",
                message_type: str = "", size: int | None = None,
                truncated: bool = False) -> int:
        """Store a message as ``received`` and commit it; return its id.

        :param size: the size as sent, when ``raw`` is only its head (oversize).
        :raises MessageStoreError: when it cannot be written (then it must not be answered).
        """
        values = (_stamp(self._clock()), peer, route, control_id, message_type,
                  len(raw) if size is None else size, int(truncated))

        def insert() -> int | None:
            ident = self._db.execute(_INSERT, values).lastrowid
            self._db.execute(_INSERT_BODY, (ident, raw))
            return ident

        try:
            ident = self._write(insert, durable=self.durable)
        except sqlite3.Error as exc:
            raise MessageStoreError(f"cannot store a message from {peer}: {exc}") from exc
        assert ident is not None
        if self._on_commit is not None:
            self._on_commit(ident)
        return ident

    def finish(self, ident: int, state: MessageState, *, ack_code: str | None = None,
               summary: Mapping[str, Any] | None = None) -> None:
        """Record the outcome of message ``ident``."""
        text = json.dumps(summary, ensure_ascii=False, default=str) if summary else None
        args = (state.value, ack_code, text, _stamp(self._clock()), ident)
        try:
            self._write(lambda: self._db.execute(_FINISH, args), durable=False)
        except sqlite3.Error as exc:
            raise MessageStoreError(f"cannot record the outcome of message {ident}: {exc}") from exc

    def _select(self, where: str = "1", args: tuple[Any, ...] = (), *,
                limit: int | None = None) -> tuple[StoredMessage, ...]:
        sql = f"SELECT {_COLUMNS} FROM {_FROM} WHERE {where} ORDER BY m.id"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        try:
            with self._lock:
                rows = self._db.execute(sql, args).fetchall()
        except sqlite3.Error as exc:
            raise MessageStoreError(f"cannot read the message store {self.path}: {exc}") from exc
        return tuple(_row(r) for r in rows)

    def get(self, ident: int) -> StoredMessage | None:
        """The message ``ident``, if stored."""
        found = self._select("m.id = ?", (ident,))
        return found[0] if found else None

    def list(self, *, state: MessageState | None = None, route: str | None = None,
             since: date | datetime | None = None, until: date | datetime | None = None,
             after: int | None = None, limit: int | None = None) -> tuple[StoredMessage, ...]:
        """Messages in arrival order, filtered by state, route and received time
        (``since`` inclusive, ``until`` exclusive; a date means its midnight, China time).

        :param after: only ids above this one; with ``limit``, pages through a large store.
        """
        where: list[str] = ["1"]
        args: list[Any] = []
        for sql, value in (("state = ?", state), ("route = ?", route), ("m.id > ?", after),
                           ("received_at >= ?", since), ("received_at < ?", until)):
            if value is not None:
                where.append(sql)
                args.append(_since(value) if isinstance(value, date) else value)
        return self._select(" AND ".join(where), tuple(args), limit=limit)

    def pending(self) -> tuple[StoredMessage, ...]:
        """Messages stored but not processed (a crash came between), oldest first."""
        return self.list(state=MessageState.RECEIVED)

    def routes(self) -> tuple[str, ...]:
        """Every route a stored message came in on, sorted."""
        with self._lock:
            rows = self._db.execute("SELECT DISTINCT route FROM messages ORDER BY route")
            return tuple(r[0] for r in rows.fetchall())

    def count(self, state: MessageState | None = None) -> int:
        """How many messages are stored (in ``state``)."""
        sql, args = "SELECT count(*) FROM messages", cast(tuple[str, ...], ())
        if state is not None:
            sql, args = sql + " WHERE state = ?", (state.value,)
        with self._lock:
            return int(self._db.execute(sql, args).fetchone()[0])

    def purge(self, days: int, *, now: datetime | None = None, vacuum: bool = False) -> int:
        """Delete ``processed`` messages received more than ``days`` days ago; return how many.

        ``failed`` and ``received`` messages are kept. ``vacuum`` gives the space back to the
        file system (it rewrites the file: run it off-peak).
        """
        if days < 0:
            raise ValueError("days must be 0 or more")
        cutoff = _stamp((now or self._clock()) - timedelta(days=days))
        old = "SELECT id FROM messages WHERE state = 'processed' AND received_at < ?"

        def delete() -> int:
            self._db.execute(f"DELETE FROM message_bodies WHERE id IN ({old})", (cutoff,))
            return int(self._db.execute(f"DELETE FROM messages WHERE id IN ({old})",
                                        (cutoff,)).rowcount)

        deleted = self._write(delete, durable=False)
        with self._lock:
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            if vacuum:
                self._db.execute("VACUUM")
        return deleted

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._db.close()

    def __repr__(self) -> str:
        return f"MessageStore({str(self.path)!r})"


def _create_private(path: Path) -> None:
    """Create ``path`` readable by its owner only (it holds personal data)."""
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
