"""The mock platform's state: one SQLite database, in memory by default or in a file (WAL).

Tables: ``persons`` (with account balances), ``year_to_date`` (起付线/统筹 paid per person,
year and insutype), ``sign_ins``, ``visits``, ``fee_lines``, ``settlements`` (settlements and
their cancellation rows), ``messages`` (every state-changing msgid with its reply, for
idempotency and 2601), ``setl_lists`` (4101A) and ``files`` (9101 uploads, 3202 results).
Money is stored as decimal text and read back as :class:`~decimal.Decimal`.

Thread safety: one connection behind one lock; :meth:`State.tx` holds the lock for a whole
transaction (``BEGIN IMMEDIATE`` … ``COMMIT``, or ``ROLLBACK`` when the block raises), so a
request's checks and writes are atomic with respect to every other request.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from .. import jsonwire
from .seed import Person

__all__ = ["Row", "State", "Tx", "money"]

Row = dict[str, Any]
_NAME = re.compile(r"[a-z_][a-z0-9_]*")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS persons (
    psn_no TEXT PRIMARY KEY, certno TEXT NOT NULL, psn_name TEXT NOT NULL,
    psn_cert_type TEXT, naty TEXT, insutype TEXT NOT NULL, psn_type TEXT,
    insuplc_admdvs TEXT NOT NULL, emp_name TEXT, psn_insu_date TEXT, balc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS persons_certno ON persons (certno);
CREATE TABLE IF NOT EXISTS year_to_date (
    psn_no TEXT, year INTEGER, insutype TEXT, deductible_paid TEXT NOT NULL,
    pooled_paid TEXT NOT NULL, PRIMARY KEY (psn_no, year, insutype));
CREATE TABLE IF NOT EXISTS sign_ins (
    sign_no TEXT PRIMARY KEY, fixmedins_code TEXT, opter TEXT, signed_at TEXT,
    signed_out INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS messages (
    msgid TEXT PRIMARY KEY, infno TEXT, fixmedins_code TEXT, psn_no TEXT, status TEXT,
    output TEXT, effect TEXT, at TEXT, reversed_by TEXT);
CREATE TABLE IF NOT EXISTS visits (
    mdtrt_id TEXT PRIMARY KEY, psn_no TEXT, fixmedins_code TEXT, kind TEXT, insutype TEXT,
    med_type TEXT, ipt_otp_no TEXT, begntime TEXT, endtime TEXT, status TEXT,
    insuplc_admdvs TEXT, msgid TEXT, info TEXT);
CREATE TABLE IF NOT EXISTS fee_lines (
    mdtrt_id TEXT, feedetl_sn TEXT, chrg_bchno TEXT, psn_no TEXT, med_list_codg TEXT,
    med_chrgitm_type TEXT, fee_ocur_time TEXT, pric TEXT, cnt TEXT, amount TEXT,
    fulamt_ownpay_amt TEXT, overlmt_amt TEXT, preselfpay_amt TEXT, inscp_scp_amt TEXT,
    chrgitm_lv TEXT, setl_id TEXT, msgid TEXT, PRIMARY KEY (mdtrt_id, feedetl_sn));
CREATE TABLE IF NOT EXISTS settlements (
    setl_id TEXT PRIMARY KEY, kind TEXT, init_setl_id TEXT, mdtrt_id TEXT, psn_no TEXT,
    fixmedins_code TEXT, infno TEXT, msgid TEXT, insutype TEXT, clr_type TEXT,
    setl_optins TEXT, setl_time TEXT, year INTEGER, status TEXT, medfee_sumamt TEXT,
    fund_pay_sumamt TEXT, acct_pay TEXT, psn_cash_pay TEXT, act_pay_dedc TEXT,
    hifp_pay TEXT, output TEXT);
CREATE INDEX IF NOT EXISTS settlements_msgid ON settlements (msgid);
CREATE TABLE IF NOT EXISTS setl_lists (
    setl_id TEXT PRIMARY KEY, setl_list_id TEXT, msgid TEXT, at TEXT);
CREATE TABLE IF NOT EXISTS files (
    file_qury_no TEXT PRIMARY KEY, filename TEXT, fixmedins_code TEXT, content BLOB,
    dld_endtime TEXT, at TEXT);
"""


def money(row: Mapping[str, Any], name: str) -> Decimal:
    """Member ``name`` of a row as a Decimal (0 when NULL)."""
    value = row.get(name)
    return Decimal(0) if value is None else Decimal(str(value))


def _db(value: Any) -> Any:
    """A Python value as SQLite stores it here."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return jsonwire.dumps(value).decode("utf-8")
    return value


def _names(names: Iterable[str]) -> list[str]:
    out = list(names)
    for name in out:
        if not _NAME.fullmatch(name):
            raise ValueError(f"not a column name: {name!r}")
    return out


class Tx:
    """One transaction's view of the database (valid inside :meth:`State.tx` only)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def one(self, sql: str, *params: Any) -> Row | None:
        """The first row of a query, as a dict, or ``None``."""
        cur = self._conn.execute(sql, [_db(p) for p in params])
        row = cur.fetchone()
        return dict(row) if row is not None else None

    def all(self, sql: str, *params: Any) -> list[Row]:
        """Every row of a query, as dicts."""
        return [dict(r) for r in self._conn.execute(sql, [_db(p) for p in params]).fetchall()]

    def run(self, sql: str, *params: Any) -> int:
        """Execute a statement; the number of rows it changed."""
        return self._conn.execute(sql, [_db(p) for p in params]).rowcount

    def insert(self, table: str, row: Mapping[str, Any]) -> None:
        """Insert ``row`` (column → value) into ``table``."""
        cols = _names([table, *row])[1:]
        sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
        self._conn.execute(sql, [_db(row[c]) for c in cols])

    def update(self, table: str, where: Mapping[str, Any], changes: Mapping[str, Any]) -> int:
        """``UPDATE table SET changes WHERE where``; the number of rows changed."""
        sets, keys = _names(changes), _names([table, *where])[1:]
        sql = (f"UPDATE {table} SET {', '.join(f'{c} = ?' for c in sets)} "
               f"WHERE {' AND '.join(f'{k} = ?' for k in keys)}")
        params = [_db(changes[c]) for c in sets] + [_db(where[k]) for k in keys]
        return self._conn.execute(sql, params).rowcount

    def next_serial(self, name: str) -> int:
        """The next number of counter ``name`` (1, 2, …; persisted with the state)."""
        self._conn.execute("INSERT INTO counters (name, value) VALUES (?, 1) ON CONFLICT (name) "
                           "DO UPDATE SET value = value + 1", (name,))
        row = self._conn.execute("SELECT value FROM counters WHERE name = ?", (name,)).fetchone()
        return int(row[0])

    def person(self, psn_no: str) -> Row | None:
        """The person ``psn_no``."""
        return self.one("SELECT * FROM persons WHERE psn_no = ?", psn_no)


class State:
    """The platform's database.

    :param db: a file path (SQLite, WAL; survives restarts) or ``None`` for memory.
    """

    def __init__(self, db: Path | str | None = None) -> None:
        self.path = None if db is None else Path(db)
        target = ":memory:" if self.path is None else str(self.path)
        self._conn = sqlite3.connect(target, isolation_level=None, check_same_thread=False,
                                     timeout=30.0)
        self._conn.row_factory = sqlite3.Row
        if self.path is not None:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.executescript(_SCHEMA)
        self._lock = threading.RLock()

    def __repr__(self) -> str:
        return f"State({str(self.path) if self.path else ':memory:'})"

    @contextmanager
    def tx(self) -> Iterator[Tx]:
        """A transaction: committed when the block ends, rolled back when it raises."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield Tx(self._conn)
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def seed(self, persons: Iterable[Person]) -> int:
        """Add ``persons`` not yet known (a file database keeps its balances); how many."""
        added = 0
        with self.tx() as tx:
            for p in persons:
                if tx.person(p.psn_no) is None:
                    tx.insert("persons", {
                        "psn_no": p.psn_no, "certno": p.certno, "psn_name": p.psn_name,
                        "psn_cert_type": p.psn_cert_type, "naty": p.naty, "insutype": p.insutype,
                        "psn_type": p.psn_type, "insuplc_admdvs": p.insuplc_admdvs,
                        "emp_name": p.emp_name, "psn_insu_date": p.psn_insu_date, "balc": p.balc,
                    })
                    added += 1
        return added

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._conn.close()

    # Read helpers for tests and tools.

    def query(self, sql: str, *params: Any) -> list[Row]:
        """Rows of a read-only query."""
        with self.tx() as tx:
            return tx.all(sql, *params)

    def balance(self, psn_no: str) -> Decimal:
        """The personal-account balance of ``psn_no``.

        :raises KeyError: unknown person.
        """
        with self.tx() as tx:
            row = tx.person(psn_no)
        if row is None:
            raise KeyError(psn_no)
        return money(row, "balc")

    def settlements(self, *, mdtrt_id: str | None = None, kind: str = "settle") -> list[Row]:
        """Settlement rows (``kind`` ``settle`` or ``cancel``), oldest first."""
        sql = "SELECT * FROM settlements WHERE kind = ?"
        if mdtrt_id is None:
            return self.query(sql + " ORDER BY rowid", kind)
        return self.query(sql + " AND mdtrt_id = ? ORDER BY rowid", kind, mdtrt_id)

    def message(self, msgid: str) -> Row | None:
        """What the platform recorded for ``msgid`` (status ``committed``, ``reversed`` or
        ``reversed_unseen``), or ``None`` if it never committed anything under it."""
        rows = self.query("SELECT * FROM messages WHERE msgid = ?", msgid)
        return rows[0] if rows else None

    def year_to_date(self, psn_no: str, year: int, insutype: str) -> tuple[Decimal, Decimal]:
        """(起付线 paid, 统筹 paid) of a person in ``year``."""
        rows = self.query("SELECT * FROM year_to_date WHERE psn_no = ? AND year = ? AND "
                          "insutype = ?", psn_no, year, insutype)
        if not rows:
            return Decimal(0), Decimal(0)
        return money(rows[0], "deductible_paid"), money(rows[0], "pooled_paid")
