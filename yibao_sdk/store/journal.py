"""The write-ahead journal of state-changing provincial calls: a :class:`Journal` protocol and
:class:`SqliteJournal`, its embedded default (a PostgreSQL journal can follow the protocol).

Every ``check`` and ``reverse`` call is written **before** it is sent and advanced as its answer
arrives; whatever a crash leaves ``pending``, ``sent`` or ``unknown`` is resolved on start-up::

    pending ──► sent ──► confirmed ─────────────────────────────┐
      │           ├────► failed                                 ├──► reversed
      │           └────► unknown ──► confirmed_by_query ────────┘
      │                     ├──────► failed                          (2601 冲正 took effect)
      │                     └──────► reversed
      ├──► failed    the request never left (connection refused before sending)
      └──► unknown   crash recovery: it may or may not have left

``failed`` and ``reversed`` mean "did not take effect": the caller may settle again.
At most one ``reverse``-class call (a settlement) is open (pending/sent/unknown) per visit: a
partial unique index enforces it, and :meth:`Journal.begin` raises
:class:`SettlementInFlightError` for a second one.

**The journal holds personal data.** Each row keeps the request body as sent (names, ID and
card numbers), because resolving an unknown outcome needs it. Protect the file like the HIS
database (it is created ``0600``; keep it off shared drives and out of backups that leave the
hospital), and never log a row's :attr:`JournalEntry.body` (its ``repr`` hides it).
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol, TypeVar, runtime_checkable

from yibao_sdk.errors import YibaoError
from yibao_sdk.models.base import CHINA
from yibao_sdk.store._sqlite import SqliteWriter

__all__ = [
    "OPEN_STATES",
    "TRANSITIONS",
    "Journal",
    "JournalEntry",
    "JournalError",
    "JournalState",
    "JournalTransitionError",
    "NewCall",
    "SettlementInFlightError",
    "SqliteJournal",
]

_T = TypeVar("_T")


class JournalState(StrEnum):
    """Where a journalled call stands."""

    PENDING = "pending"
    """Written, not yet handed to the transport."""
    SENT = "sent"
    """Handed to the transport; no answer yet."""
    CONFIRMED = "confirmed"
    """The platform answered ``infcode`` 0: it took effect."""
    FAILED = "failed"
    """It did not take effect (refused, never sent, or a query showed nothing happened)."""
    UNKNOWN = "unknown"
    """Nobody knows whether it took effect: to be resolved (query or 2601 reversal)."""
    REVERSED = "reversed"
    """Undone by a 2601 reversal (冲正)."""
    CONFIRMED_BY_QUERY = "confirmed_by_query"
    """An unknown outcome that a query (e.g. 5203) showed did take effect."""


_S = JournalState
OPEN_STATES = frozenset({_S.PENDING, _S.SENT, _S.UNKNOWN})
"""States of a call whose outcome is not settled yet."""
TRANSITIONS: Mapping[JournalState, frozenset[JournalState]] = {
    _S.PENDING: frozenset({_S.SENT, _S.FAILED, _S.UNKNOWN}),
    _S.SENT: frozenset({_S.CONFIRMED, _S.FAILED, _S.UNKNOWN}),
    _S.UNKNOWN: frozenset({_S.CONFIRMED_BY_QUERY, _S.FAILED, _S.REVERSED}),
    _S.CONFIRMED: frozenset({_S.REVERSED}),
    _S.CONFIRMED_BY_QUERY: frozenset({_S.REVERSED}),
    _S.FAILED: frozenset(),
    _S.REVERSED: frozenset(),
}
"""Allowed state changes (the diagram above)."""


class JournalError(YibaoError):
    """The journal cannot be opened, read or written."""


class JournalTransitionError(JournalError):
    """A state change the state machine does not allow (or a row that does not exist)."""


class SettlementInFlightError(JournalError):
    """A settlement (``reverse``-class call) is already open for this visit.

    :param visit_id: the visit (就诊ID).
    :param msgid: the open call's msgid.
    :param state: the open call's state (pending, sent or unknown).
    """

    def __init__(self, visit_id: str, msgid: str, state: str) -> None:
        self.visit_id = visit_id
        self.msgid = msgid
        self.state = state
        super().__init__(
            f"{msgid}: a settlement for visit {visit_id} is still {state}; it must be resolved "
            "(5203 query or 2601 reversal, see recover()) before another one is sent"
        )


@dataclass(frozen=True, slots=True)
class NewCall:
    """What is written before a call is sent."""

    msgid: str
    """发送方报文ID (the key of a 2601 reversal)."""
    infno: str
    """交易编号."""
    retry_class: str
    """``check`` or ``reverse`` (``safe`` calls are not journalled)."""
    operator: str
    """经办人 id (opter)."""
    visit_id: str | None
    """就诊ID the call concerns, if any (one open settlement per visit)."""
    input_digest: str
    """SHA-256 of ``input`` in canonical form."""
    body: str = field(repr=False)
    """The request body as sent (JSON): personal data, never logged."""
    meta: Mapping[str, str] = field(default_factory=dict, repr=False)
    """What resolving the call needs (psn_no, insuplc_admdvs, operator name …)."""
    omsgid: str | None = None
    """For a 2601 reversal: the msgid it reverses."""

    @property
    def money_moving(self) -> bool:
        """Settlements and reversals are written with ``synchronous=FULL``."""
        return self.retry_class == "reverse" or self.omsgid is not None


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """One journal row."""

    msgid: str
    infno: str
    retry_class: str
    operator: str
    visit_id: str | None
    input_digest: str
    body: str = field(repr=False)
    meta: Mapping[str, str] = field(repr=False)
    omsgid: str | None
    state: JournalState
    created_at: str
    updated_at: str
    reply_digest: str | None = None
    setl_id: str | None = None
    inf_refmsgid: str | None = None
    detail: str | None = None

    @property
    def open(self) -> bool:
        """True while the outcome is not settled (pending, sent or unknown)."""
        return self.state in OPEN_STATES


@runtime_checkable
class Journal(Protocol):
    """Storage of journalled calls (SQLite here; PostgreSQL can implement the same). Every
    query returns rows oldest first."""

    def begin(self, call: NewCall) -> JournalEntry:
        """Write ``call`` as ``pending``, durably, before it is sent.

        :raises SettlementInFlightError: a ``reverse`` call is already open for the visit.
        :raises JournalError: the msgid is already journalled, or the store fails.
        """
        ...

    def advance(self, msgid: str, state: JournalState, *, reply_digest: str | None = None,
                setl_id: str | None = None, inf_refmsgid: str | None = None,
                detail: str | None = None) -> JournalEntry:
        """Move row ``msgid`` to ``state`` along :data:`TRANSITIONS` (given values replace
        stored ones). :raises JournalTransitionError: no such row, or not allowed."""
        ...

    def by_msgid(self, msgid: str) -> JournalEntry | None:
        """The row of ``msgid``, if any."""
        ...

    def in_flight(self, visit_id: str) -> JournalEntry | None:
        """The open settlement of ``visit_id``, if any."""
        ...

    def unknown(self) -> tuple[JournalEntry, ...]:
        """Rows ``unknown``."""
        ...

    def unresolved(self) -> tuple[JournalEntry, ...]:
        """Rows ``pending``, ``sent`` or ``unknown`` (what recovery works on)."""
        ...

    def reversals_of(self, omsgid: str) -> tuple[JournalEntry, ...]:
        """2601 rows reversing ``omsgid``."""
        ...

    def for_visit(self, visit_id: str) -> tuple[JournalEntry, ...]:
        """Rows of ``visit_id``."""
        ...

    def list(self, day: date) -> tuple[JournalEntry, ...]:
        """Rows created on ``day`` (China time)."""
        ...

    def close(self) -> None:
        """Release the store."""
        ...


_STATES = ", ".join(f"'{state}'" for state in JournalState)
_OPEN = ", ".join(f"'{state}'" for state in sorted(OPEN_STATES))
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS provincial_journal (msgid TEXT PRIMARY KEY, "
    "infno TEXT NOT NULL, retry_class TEXT NOT NULL CHECK (retry_class IN ('check', "
    "'reverse', 'safe')), operator TEXT NOT NULL, visit_id TEXT, input_digest TEXT NOT NULL, "
    "body TEXT NOT NULL, meta TEXT NOT NULL, omsgid TEXT, "
    f"state TEXT NOT NULL CHECK (state IN ({_STATES})), created_at TEXT NOT NULL, "
    "updated_at TEXT NOT NULL, reply_digest TEXT, setl_id TEXT, inf_refmsgid TEXT, detail TEXT)",
    "CREATE UNIQUE INDEX IF NOT EXISTS journal_one_settlement_in_flight ON provincial_journal "
    f"(visit_id) WHERE retry_class = 'reverse' AND visit_id IS NOT NULL AND state IN ({_OPEN})",
    "CREATE INDEX IF NOT EXISTS journal_state ON provincial_journal (state)",
    "CREATE INDEX IF NOT EXISTS journal_omsgid ON provincial_journal (omsgid)",
    "CREATE INDEX IF NOT EXISTS journal_visit ON provincial_journal (visit_id)",
    "CREATE INDEX IF NOT EXISTS journal_created ON provincial_journal (created_at)",
)
_NEW_COLUMNS = ("msgid, infno, retry_class, operator, visit_id, input_digest, body, meta, "
                "omsgid, state, created_at, updated_at")
_COLUMNS = f"{_NEW_COLUMNS}, reply_digest, setl_id, inf_refmsgid, detail"
_INSERT = f"INSERT INTO provincial_journal ({_NEW_COLUMNS}) VALUES ({', '.join('?' * 12)})"
_SELECT = f"SELECT {_COLUMNS} FROM provincial_journal"
_ORDER = " ORDER BY created_at, rowid"


def _china_now() -> datetime:
    return datetime.now(CHINA)


def _stamp(moment: datetime) -> str:
    local = moment.astimezone(CHINA) if moment.tzinfo else moment.replace(tzinfo=CHINA)
    return local.isoformat(timespec="milliseconds")


def _entry(row: tuple[Any, ...]) -> JournalEntry:
    values = list(row)
    values[7] = json.loads(values[7])
    values[9] = JournalState(values[9])
    return JournalEntry(*values)


def _create_private(path: Path) -> None:
    """Create ``path`` readable by its owner only (it holds personal data)."""
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))


class SqliteJournal(SqliteWriter):
    """:class:`Journal` in a SQLite file (WAL; ``synchronous=FULL`` for settlements and
    reversals, ``NORMAL`` otherwise). Safe to share between threads.

    :param path: database file (created ``0600`` if missing); ``":memory:"`` for tests.
    :param clock: time stamped on rows (China time by default).
    :param timeout: seconds to wait for another writer's lock (SQLite busy timeout).
    :raises JournalError: the file cannot be opened or is not a journal.
    """

    def __init__(self, path: Path | str, *, clock: Callable[[], datetime] = _china_now,
                 timeout: float = 10.0) -> None:
        self.path = Path(path)
        self._clock = clock
        self._lock = threading.Lock()
        self._sync = ""
        try:
            if str(path) != ":memory:":
                _create_private(self.path)
            self._db = sqlite3.connect(str(path), timeout=timeout, isolation_level=None,
                                       check_same_thread=False)
            self._db.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
            self._db.execute("PRAGMA journal_mode=WAL")
            self._write(lambda: [self._db.execute(sql) for sql in _SCHEMA], durable=True)
        except (OSError, sqlite3.Error) as exc:
            raise JournalError(f"cannot open the journal {self.path}: {exc}") from exc


    def _read(self, where: str, args: tuple[Any, ...] = ()) -> tuple[JournalEntry, ...]:
        try:
            with self._lock:
                rows = self._db.execute(f"{_SELECT} WHERE {where}{_ORDER}", args).fetchall()
        except sqlite3.Error as exc:
            raise JournalError(f"cannot read the journal {self.path}: {exc}") from exc
        return tuple(_entry(row) for row in rows)

    def begin(self, call: NewCall) -> JournalEntry:
        """See :meth:`Journal.begin`."""
        now = _stamp(self._clock())
        values = (call.msgid, call.infno, call.retry_class, call.operator, call.visit_id,
                  call.input_digest, call.body, json.dumps(dict(call.meta), ensure_ascii=False),
                  call.omsgid, JournalState.PENDING.value, now, now)
        try:
            self._write(lambda: self._db.execute(_INSERT, values), durable=call.money_moving)
        except sqlite3.IntegrityError as exc:
            raise self._conflict(call) from exc
        except sqlite3.Error as exc:
            raise JournalError(f"{call.msgid}: cannot journal {call.infno}: {exc}") from exc
        return JournalEntry(call.msgid, call.infno, call.retry_class, call.operator,
                            call.visit_id, call.input_digest, call.body, dict(call.meta),
                            call.omsgid, JournalState.PENDING, now, now)

    def _conflict(self, call: NewCall) -> JournalError:
        if self.by_msgid(call.msgid) is not None:
            return JournalError(f"{call.msgid}: this msgid is already journalled")
        open_row = self.in_flight(call.visit_id) if call.visit_id else None
        if open_row is None:
            return JournalError(f"{call.msgid}: the journal refused {call.infno}")
        return SettlementInFlightError(call.visit_id or "", open_row.msgid, open_row.state)

    def advance(self, msgid: str, state: JournalState, *, reply_digest: str | None = None,
                setl_id: str | None = None, inf_refmsgid: str | None = None,
                detail: str | None = None) -> JournalEntry:
        """See :meth:`Journal.advance`."""
        current = self.by_msgid(msgid)
        if current is None:
            raise JournalTransitionError(f"{msgid}: not in the journal")
        if state not in TRANSITIONS[current.state]:
            raise JournalTransitionError(f"{msgid}: cannot go from {current.state} to {state}")
        update = ("UPDATE provincial_journal SET state = ?, updated_at = ?, "
                  "reply_digest = COALESCE(?, reply_digest), setl_id = COALESCE(?, setl_id), "
                  "inf_refmsgid = COALESCE(?, inf_refmsgid), detail = COALESCE(?, detail) "
                  "WHERE msgid = ? AND state = ?")
        args = (state.value, _stamp(self._clock()), reply_digest, setl_id, inf_refmsgid, detail,
                msgid, current.state.value)
        durable = current.retry_class == "reverse" or current.omsgid is not None
        try:
            changed = self._write(lambda: self._db.execute(update, args).rowcount,
                                  durable=durable)
        except sqlite3.Error as exc:
            raise JournalError(f"{msgid}: cannot record {state}: {exc}") from exc
        if changed != 1:  # another writer moved it first
            raise JournalTransitionError(f"{msgid}: changed concurrently, now not {current.state}")
        found = self.by_msgid(msgid)
        assert found is not None
        return found

    def by_msgid(self, msgid: str) -> JournalEntry | None:
        """See :meth:`Journal.by_msgid`."""
        rows = self._read("msgid = ?", (msgid,))
        return rows[0] if rows else None

    def in_flight(self, visit_id: str) -> JournalEntry | None:
        """See :meth:`Journal.in_flight`."""
        rows = self._read(f"visit_id = ? AND retry_class = 'reverse' AND state IN ({_OPEN})",
                          (visit_id,))
        return rows[0] if rows else None

    def unknown(self) -> tuple[JournalEntry, ...]:
        """See :meth:`Journal.unknown`."""
        return self._read("state = 'unknown'")

    def unresolved(self) -> tuple[JournalEntry, ...]:
        """See :meth:`Journal.unresolved`."""
        return self._read(f"state IN ({_OPEN})")

    def reversals_of(self, omsgid: str) -> tuple[JournalEntry, ...]:
        """See :meth:`Journal.reversals_of`."""
        return self._read("omsgid = ?", (omsgid,))

    def for_visit(self, visit_id: str) -> tuple[JournalEntry, ...]:
        """See :meth:`Journal.for_visit`."""
        return self._read("visit_id = ?", (visit_id,))

    def list(self, day: date) -> tuple[JournalEntry, ...]:
        """See :meth:`Journal.list`."""
        return self._read("substr(created_at, 1, 10) = ?", (day.isoformat(),))

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._db.close()

    def __repr__(self) -> str:
        return f"SqliteJournal({str(self.path)!r})"
