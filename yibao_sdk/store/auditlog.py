"""A hash-chained, append-only audit log of verdicts and overrides in SQLite.

Each entry stores ``hash = H(prev_hash | seq | kind | recorded_at | payload)``, where ``H`` is

* ``hmac-sha256`` — HMAC-SHA256 under a secret key — when the log is opened with ``key``;
* ``sha256`` — a plain SHA-256 — otherwise.

The scheme is recorded in the ``audit_meta`` table when the log is created, and a log is only
appended to or verified with its own scheme: a keyed log opened without its key, or an unkeyed
log opened with a key, is an :class:`~yibao_sdk.errors.AuditLogError`.

What :meth:`AuditLog.verify` detects:

* altering, deleting, inserting or reordering entries in the middle: always;
* rewriting the whole log with freshly computed hashes: **only with a key**. An unkeyed chain
  detects edits, but anybody with write access to the file can recompute every ``sha256``;
* removing entries from the end (or the whole log): **only against an anchored head**. Record
  :meth:`AuditLog.head` somewhere the writer of the log cannot change (a ticket, another system)
  and pass it as ``verify(expect_head=...)``.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import astuple, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from yibao_sdk.errors import AuditChainError, AuditLogError, InputError

__all__ = ["GENESIS", "HMAC_SHA256", "SHA256", "AuditEntry", "AuditLog"]

GENESIS = "0" * 64
"""``prev_hash`` of the first entry, and the hash of the head of an empty log."""
SHA256 = "sha256"
"""Scheme of an unkeyed log: detects edits, not a full rewrite."""
HMAC_SHA256 = "hmac-sha256"
"""Scheme of a keyed log: nobody without the key can produce a chain that verifies."""

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS audit_log (seq INTEGER PRIMARY KEY, kind TEXT NOT NULL, "
    "recorded_at TEXT NOT NULL, payload TEXT NOT NULL, prev_hash TEXT NOT NULL, "
    "hash TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS audit_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
)
_T = TypeVar("_T")
_HASH = re.compile("[0-9a-f]{64}")
_COLUMNS = "seq, kind, recorded_at, payload, prev_hash, hash"
_LAST = "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1"
_MISMATCH = {
    HMAC_SHA256: f"is a keyed audit log ({HMAC_SHA256}): open it with its key "
    "(YIBAO_AUDIT_KEY or YIBAO_AUDIT_KEY_FILE)",
    SHA256: f"is an unkeyed audit log ({SHA256}) but a key was given: it was written without "
    "the key, or rewritten",
}


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


def _digest(key: bytes | None, *fields: object) -> str:
    """``sha256`` or, with a key, ``hmac-sha256`` of ``prev | seq | kind | recorded_at |
    payload``."""
    text = "\x1f".join(str(field) for field in fields).encode("utf-8")
    if key is None:
        return hashlib.sha256(text).hexdigest()
    return hmac.new(key, text, hashlib.sha256).hexdigest()


class AuditLog:
    """Append-only audit log in a SQLite file (WAL). Safe to share between threads.

    :param path: database file; created with its tables if missing (unless ``read_only``).
    :param key: secret key of a keyed (``hmac-sha256``) log; ``None`` for ``sha256``. Never
        commit it: the CLI reads it from ``YIBAO_AUDIT_KEY`` or ``YIBAO_AUDIT_KEY_FILE``.
    :param clock: returns the time stamped on entries (UTC by default).
    :param read_only: open an existing log read-only, to verify it: nothing is created or
        written, and a missing file or one without an ``audit_log`` table is an error.
    :param timeout: seconds to wait for another writer's lock before giving up.
    :raises AuditLogError: the file cannot be opened, is not an audit log, or uses the other
        scheme (keyed vs unkeyed).
    """

    def __init__(self, path: Path | str, key: bytes | None = None, *,
                 clock: Callable[[], datetime] | None = None, read_only: bool = False,
                 timeout: float = 5.0) -> None:
        if key is not None and not key:
            raise AuditLogError("the audit-log key is empty")
        self.path = Path(path)
        self.read_only = read_only
        self.scheme = SHA256 if key is None else HMAC_SHA256
        self._key = key
        self._clock = clock or (lambda: datetime.now(UTC))
        self._lock = threading.Lock()
        self._db = self._connect(timeout)
        try:
            self._prepare()
        except BaseException:
            self._db.close()
            raise

    def _connect(self, timeout: float) -> sqlite3.Connection:
        if self.read_only and not self.path.is_file():
            raise AuditLogError(f"{self.path} is not an audit log: no such file")
        # mode=ro: verifying never creates the file, a table, or anything else in it
        target = f"{self.path.absolute().as_uri()}?mode=ro" if self.read_only else str(self.path)
        try:
            return sqlite3.connect(target, uri=self.read_only, timeout=timeout,
                                   check_same_thread=False, isolation_level=None)
        except sqlite3.Error as exc:
            raise AuditLogError(f"cannot open audit log {self.path}: {exc}") from exc

    def _prepare(self) -> None:
        """Check an existing log (read-only), or create the tables and claim the scheme."""
        try:
            if not self.read_only:
                self._db.execute("PRAGMA journal_mode=WAL")
                self._write(self._create)
                return
            if not self._has_table("audit_log"):
                raise AuditLogError(f"{self.path} is not an audit log: no audit_log table")
            self._require_scheme()
        except sqlite3.Error as exc:
            if getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_NOTADB:
                raise AuditLogError(f"{self.path} is not an audit log: {exc}") from exc
            raise AuditLogError(f"cannot open audit log {self.path}: {exc}") from exc

    def _create(self) -> None:
        for statement in _SCHEMA:
            self._db.execute(statement)
        self._claim_scheme()

    def _has_table(self, name: str) -> bool:
        query = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
        return self._db.execute(query, (name,)).fetchone() is not None

    def _stored_scheme(self) -> str | None:
        """The log's scheme: from ``audit_meta``; ``sha256`` for a log written before
        ``audit_meta`` existed; ``None`` for a new, empty log."""
        if self._has_table("audit_meta"):
            row = self._db.execute("SELECT value FROM audit_meta WHERE name = 'scheme'").fetchone()
            if row is not None:
                return str(row[0])
        empty = self._db.execute("SELECT 1 FROM audit_log LIMIT 1").fetchone() is None
        return None if empty else SHA256

    def _require_scheme(self) -> str | None:
        """The stored scheme, if any; :class:`AuditLogError` when it is not this log's."""
        stored = self._stored_scheme()
        if stored not in (None, self.scheme):
            why = _MISMATCH.get(str(stored), f"uses an unknown scheme {stored!r}")
            raise AuditLogError(f"{self.path} {why}")
        return stored

    def _claim_scheme(self) -> None:
        """Record this log's scheme if none is recorded yet (inside a write transaction)."""
        if self._require_scheme() is None:
            self._db.execute("INSERT INTO audit_meta VALUES ('scheme', ?)", (self.scheme,))

    def _write(self, action: Callable[[], _T]) -> _T:
        """Run ``action`` in a ``BEGIN IMMEDIATE`` transaction, rolled back if it fails."""
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                result = action()
                self._db.execute("COMMIT")
            except BaseException:
                # BEGIN itself may have failed (busy): then there is nothing to roll back, and
                # a failing ROLLBACK must not hide the error that brought us here.
                if self._db.in_transaction:
                    with contextlib.suppress(sqlite3.Error):
                        self._db.execute("ROLLBACK")
                raise
        return result

    def append(self, kind: str, payload: Mapping[str, Any]) -> AuditEntry:
        """Append an entry chained to the previous one and return it.

        :raises AuditLogError: the log is read-only, locked by another writer for longer than
            ``timeout``, uses the other scheme, or cannot be written.
        """
        if self.read_only:
            raise AuditLogError(f"cannot append to {self.path}: opened read-only")
        text = json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str)
        recorded_at = self._clock().isoformat()
        try:
            return self._write(lambda: self._insert(kind, recorded_at, text))
        except sqlite3.Error as exc:
            raise AuditLogError(f"cannot append to {self.path}: {exc}") from exc

    def _insert(self, kind: str, recorded_at: str, payload: str) -> AuditEntry:
        # checked again inside the transaction: another process may have created the log
        self._claim_scheme()
        row = self._db.execute(_LAST).fetchone()
        seq, prev = (row[0] + 1, row[1]) if row else (1, GENESIS)
        digest = _digest(self._key, prev, seq, kind, recorded_at, payload)
        entry = AuditEntry(seq, kind, recorded_at, payload, prev, digest)
        self._db.execute("INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?)", astuple(entry))
        return entry

    def entries(self) -> Iterator[AuditEntry]:
        """Every entry, oldest first."""
        query = f"SELECT {_COLUMNS} FROM audit_log ORDER BY seq"
        try:
            # a cursor of its own, streamed: the log may be far larger than memory
            for row in self._db.cursor().execute(query):
                yield AuditEntry(*row)
        except sqlite3.Error as exc:
            raise AuditLogError(f"cannot read audit log {self.path}: {exc}") from exc

    def head(self) -> tuple[int, str]:
        """``(seq, hash)`` of the last entry, ``(0, GENESIS)`` when the log is empty.

        Record it outside the log (where its writer cannot change it) and pass it to
        :meth:`verify` later: that is what detects entries removed from the end.
        """
        try:
            row = self._db.execute(_LAST).fetchone()
        except sqlite3.Error as exc:
            raise AuditLogError(f"cannot read audit log {self.path}: {exc}") from exc
        return (int(row[0]), str(row[1])) if row else (0, GENESIS)

    def verify(self, expect_head: tuple[int, str] | None = None) -> int:
        """Check the whole chain; return the number of entries.

        :param expect_head: a head recorded earlier by :meth:`head`; the log must still
            contain that entry, unchanged (it may have grown since).
        :raises AuditChainError: the chain is broken, or does not reach ``expect_head``.
        :raises AuditLogError: the log cannot be read or uses the other scheme.
        """
        return self.verify_head(expect_head)[0]

    def verify_head(self, expect_head: tuple[int, str] | None = None) -> tuple[int, str]:
        """Like :meth:`verify`, but return the verified head ``(seq, hash)``, read in the same
        pass as the chain (a concurrent append cannot slip in between)."""
        anchor = None if expect_head is None else _anchor(expect_head)
        try:
            self._require_scheme()
        except sqlite3.Error as exc:
            raise AuditLogError(f"cannot read audit log {self.path}: {exc}") from exc
        seq, last = 0, GENESIS
        at_anchor = GENESIS if anchor is not None and anchor[0] == 0 else None
        for entry in self.entries():
            self._check_link(entry, seq + 1, last)
            seq, last = entry.seq, entry.hash
            if anchor is not None and seq == anchor[0]:
                at_anchor = last
        if anchor is not None:
            _check_anchor(anchor, seq, at_anchor)
        return seq, last

    def _check_link(self, entry: AuditEntry, expected_seq: int, prev: str) -> None:
        if entry.seq != expected_seq:
            raise AuditChainError(f"entry {expected_seq} is missing (next is {entry.seq})")
        if not _same(entry.prev_hash, prev):
            raise AuditChainError(f"entry {entry.seq}: prev_hash does not match entry before")
        digest = _digest(self._key, prev, entry.seq, entry.kind, entry.recorded_at, entry.payload)
        if not _same(entry.hash, digest):
            hint = " (wrong key?)" if self._key is not None and entry.seq == 1 else ""
            raise AuditChainError(f"entry {entry.seq}: content does not match its hash{hint}")

    def close(self) -> None:
        """Close the database."""
        self._db.close()


def _same(stored: object, expected: str) -> bool:
    """Compare in constant time; a tampered row may hold anything, not only ASCII text."""
    return hmac.compare_digest(str(stored).encode("utf-8"), expected.encode("utf-8"))


def _anchor(expect_head: tuple[int, str]) -> tuple[int, str]:
    seq, digest = expect_head
    if not isinstance(seq, int) or seq < 0 or not _HASH.fullmatch(str(digest).lower()):
        raise InputError(f"expected head {expect_head!r}: not (seq >= 0, 64 hex digits)")
    return seq, str(digest).lower()


def _check_anchor(anchor: tuple[int, str], last_seq: int, at_anchor: str | None) -> None:
    """Compare the anchored head with what the chain holds at the anchor's ``seq``."""
    seq, expected = anchor
    if seq > last_seq:
        raise AuditChainError(f"entries after {last_seq} are missing (the anchored head is {seq})")
    if at_anchor is None or not _same(at_anchor, expected):
        raise AuditChainError(f"head does not match: entry {seq} is not the anchored {expected}")
