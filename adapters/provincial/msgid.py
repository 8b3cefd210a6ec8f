"""Message ids (发送方报文ID) that never repeat: ``fixmedins_code(12) + yyyyMMddHHmmss + seq(4)``.

The msgid is the key of a reversal (2601 ``omsgid``) and is echoed back as a settlement's
``medins_setl_id``, so a repeated one is a real fault (reference §5: Guangzhou sends no
sequence and collides within a second; Jiangxi keeps an in-memory counter that restarts at 0).

:class:`MsgidSource` keeps the last ``(second, sequence)`` per institution in SQLite (WAL) and
advances it inside one ``BEGIN IMMEDIATE`` transaction, so threads, several sources on the
same file and several processes share one sequence.

The sequence **resets every second**: the first id of a new second is ``…0001``. Within one
second 9,999 ids are available; the 10,000th call **waits for the next second** rather than
repeat or overflow. If the wall clock steps *back* (NTP correction), the stored second is kept
and its sequence continues; should that second run out while the clock is still behind, the
stored second is advanced by one, so ids stay unique and increasing while the time part runs
ahead of the clock by at most the step.

Durability: ``synchronous=NORMAL``. A committed id survives a process crash; an operating-system
crash may lose the last commits, but after a reboot the clock has moved past their second, so
the lost sequence numbers can no longer be reissued.
"""

from __future__ import annotations

import re
import sqlite3
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from types import TracebackType

from yibao_sdk.models.base import CHINA, to_local

from .errors import MsgidError

__all__ = ["MAX_SEQUENCE", "MSGID_LENGTH", "MsgidSource", "parse_msgid"]

MAX_SEQUENCE = 9999
"""Ids per institution per second."""
MSGID_LENGTH = 30
"""12 (institution) + 14 (time) + 4 (sequence)."""
_STAMP = "%Y%m%d%H%M%S"
_CODE = re.compile(r"[0-9A-Za-z]{12}")
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS msgid_sequence (fixmedins_code TEXT PRIMARY KEY, "
    "stamp TEXT NOT NULL, seq INTEGER NOT NULL)"
)
_SELECT = "SELECT stamp, seq FROM msgid_sequence WHERE fixmedins_code = ?"
_UPSERT = (
    "INSERT INTO msgid_sequence (fixmedins_code, stamp, seq) VALUES (?, ?, ?) "
    "ON CONFLICT (fixmedins_code) DO UPDATE SET stamp = excluded.stamp, seq = excluded.seq"
)


def _china_now() -> datetime:
    return datetime.now(CHINA).replace(tzinfo=None)


def parse_msgid(msgid: str) -> tuple[str, datetime, int]:
    """Split a msgid into ``(fixmedins_code, time, sequence)``.

    :raises ValueError: not 30 characters of code + ``yyyyMMddHHmmss`` + 4 digits.
    """
    match = re.fullmatch(r"([0-9A-Za-z]{12})(\d{14})(\d{4})", msgid)
    if match is None:
        raise ValueError(f"{msgid!r} is not a 30-character msgid")
    return match[1], datetime.strptime(match[2], _STAMP), int(match[3])


class MsgidSource:
    """Hands out msgids for one institution, persisted in a SQLite file.

    :param path: database file (created if missing); share it between processes.
    :param fixmedins_code: the 12-character national institution code (定点医药机构编号).
    :param clock: China-local time now (naive); injectable for tests.
    :param sleep: how to wait for the next second; injectable for tests.
    :param timeout: seconds to wait for another writer's lock.
    :raises MsgidError: a bad institution code, or the database cannot be opened.
    """

    def __init__(
        self,
        path: Path | str,
        fixmedins_code: str,
        *,
        clock: Callable[[], datetime] = _china_now,
        sleep: Callable[[float], None] = time.sleep,
        timeout: float = 10.0,
    ) -> None:
        if not _CODE.fullmatch(fixmedins_code):
            raise MsgidError(f"fixmedins_code {fixmedins_code!r} is not 12 letters or digits")
        self.path = Path(path)
        self.fixmedins_code = fixmedins_code
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._db = self._open(timeout)

    def _open(self, timeout: float) -> sqlite3.Connection:
        try:
            db = sqlite3.connect(
                self.path, timeout=timeout, isolation_level=None, check_same_thread=False
            )
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute(_SCHEMA)
        except sqlite3.Error as exc:
            raise MsgidError(f"cannot open the msgid store {self.path}: {exc}") from exc
        return db

    def next(self) -> str:
        """The next msgid (30 characters); waits for the next second if this one is used up.

        :raises MsgidError: the store cannot be written.
        """
        while True:
            now = to_local(self._clock())
            msgid = self._advance(now.strftime(_STAMP))
            if msgid is not None:
                return msgid
            self._sleep(max(0.001, 1.0 - self._clock().microsecond / 1_000_000))

    __call__ = next

    def _advance(self, now: str) -> str | None:
        """Take the next ``(stamp, seq)`` in one write transaction; ``None``: wait a second."""
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    row = self._db.execute(_SELECT, (self.fixmedins_code,)).fetchone()
                    step = _step(row, now)
                    if step is not None:
                        self._db.execute(_UPSERT, (self.fixmedins_code, *step))
                finally:
                    self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                raise MsgidError(f"cannot advance the msgid sequence in {self.path}: {exc}") \
                    from exc
        return None if step is None else f"{self.fixmedins_code}{step[0]}{step[1]:04d}"

    def close(self) -> None:
        """Close the database connection."""
        self._db.close()

    def __enter__(self) -> MsgidSource:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _step(row: tuple[str, int] | None, now: str) -> tuple[str, int] | None:
    """The next ``(stamp, seq)`` after the stored ``row`` at wall-clock second ``now``."""
    if row is None or now > row[0]:
        return now, 1
    stamp, seq = row
    if seq < MAX_SEQUENCE:
        return stamp, seq + 1
    if now == stamp:
        return None
    ahead = datetime.strptime(stamp, _STAMP) + timedelta(seconds=1)
    return ahead.strftime(_STAMP), 1
