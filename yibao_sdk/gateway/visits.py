"""The visits the gateway keeps (就诊库), and how a message's content is merged into one.

Merging a :class:`~yibao_sdk.hl7v2.Mapped`:

* ADT content (``visit``) creates the visit or updates its header (type, times, department,
  diagnoses), keeping the orders, charges and records already merged; ``patient`` replaces the
  visit's patient;
* orders, charges and records are appended; one whose id is already in the visit replaces it
  in place (a resend or an update is idempotent);
* items for a visit that was never registered are refused (:func:`unknown_visit`).

The visit store is derived data: the message store is the record, and
:func:`yibao_sdk.gateway.replay` rebuilds visits from it. Writes therefore commit with
``synchronous=NORMAL``. It holds personal data (the patient of each visit): protect the file
like the HIS database (created ``0600``).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections import OrderedDict
from datetime import datetime
from pathlib import Path

from pydantic import ValidationError

from yibao_sdk.errors import YibaoError
from yibao_sdk.hl7v2 import Hl7Error, Mapped
from yibao_sdk.models.charge import Charge
from yibao_sdk.models.order import Order
from yibao_sdk.models.record import Record
from yibao_sdk.models.visit import Visit
from yibao_sdk.rules.engine import Engine
from yibao_sdk.rules.findings import Verdict

__all__ = ["Item", "VisitStore", "VisitStoreError", "admit", "check_item", "items_of",
           "unknown_visit", "with_item"]

Item = Order | Charge | Record
"""Anything a message adds to a visit."""
_RECORD_KINDS = frozenset({"surgery", "form", "lab_report", "imaging_report"})
_SCHEMA = ("CREATE TABLE IF NOT EXISTS visits (visit_id TEXT PRIMARY KEY, body TEXT NOT NULL, "
           "updated_at TEXT NOT NULL)")


class VisitStoreError(YibaoError):
    """The visit store cannot be opened, read or written."""


def unknown_visit(visit_id: str) -> Hl7Error:
    """The error for content about a visit no ADT registered (AE naming PV1-19)."""
    return Hl7Error(f"unknown visit {visit_id!r}: no ADT registered it (就诊不存在)",
                    segment="PV1", field=19, code=204)


def admit(current: Visit | None, mapped: Mapped) -> Visit | None:
    """The visit after the ADT part of ``mapped`` (``None``: still unknown)."""
    visit = current
    if mapped.visit is not None:
        visit = mapped.visit
        if current is not None:
            visit = visit.model_copy(update={"orders": current.orders,
                                             "charges": current.charges,
                                             "records": current.records})
    if visit is not None and mapped.patient is not None:
        visit = visit.model_copy(update={"patient": mapped.patient})
    return visit


def items_of(mapped: Mapped) -> tuple[Item, ...]:
    """The message's items in checking order: orders, then records, then charges."""
    return (*mapped.orders, *mapped.records, *mapped.charges)


def _replace(existing: tuple[Item, ...], item: Item, key: str) -> tuple[Item, ...]:
    ident = getattr(item, key)
    for index, old in enumerate(existing):
        if getattr(old, key) == ident:
            return (*existing[:index], item, *existing[index + 1:])
    return (*existing, item)


def with_item(visit: Visit, item: Item) -> Visit:
    """``visit`` with ``item`` appended, or replacing the item of the same id."""
    if isinstance(item, Charge):
        return visit.model_copy(update={"charges": _replace(visit.charges, item, "charge_id")})
    if item.kind in _RECORD_KINDS:
        return visit.model_copy(update={"records": _replace(visit.records, item, "record_id")})
    return visit.model_copy(update={"orders": _replace(visit.orders, item, "order_id")})


def check_item(engine: Engine, item: Item, visit: Visit) -> Verdict:
    """Run the check hook for ``item``'s kind against ``visit`` (which holds it)."""
    if isinstance(item, Charge):
        return engine.check_charge(item, visit)
    if item.kind in _RECORD_KINDS:
        return engine.check_record(item, visit)  # type: ignore[arg-type]
    return engine.check_order(item, visit)  # type: ignore[arg-type]


class VisitStore:
    """Visits as JSON of the core :class:`~yibao_sdk.models.Visit`, in SQLite (WAL).

    :param path: database file (created ``0600``); ``":memory:"`` (the default) for tests
        and replays.
    :param cache: visits kept parsed in memory (the most recently used); the gateway is the
        store's only writer, so the cache never goes stale.
    :raises VisitStoreError: when the file cannot be opened.
    """

    def __init__(self, path: Path | str = ":memory:", *, timeout: float = 10.0,
                 cache: int = 4096) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, Visit] = OrderedDict()
        self._cache_size = cache
        try:
            if str(path) != ":memory:" and not self.path.exists():
                os.close(os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600))
            self._db = sqlite3.connect(str(path), timeout=timeout, isolation_level=None,
                                       check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise VisitStoreError(f"cannot open the visit store {self.path}: {exc}") from exc

    def get(self, visit_id: str) -> Visit | None:
        """The visit ``visit_id``, if kept."""
        cached = self._cache.get(visit_id)
        if cached is not None:
            self._cache.move_to_end(visit_id)
            return cached
        with self._lock:
            row = self._db.execute("SELECT body FROM visits WHERE visit_id = ?",
                                   (visit_id,)).fetchone()
        if row is None:
            return None
        try:
            visit = Visit.model_validate_json(row[0])
        except ValidationError as exc:
            raise VisitStoreError(f"visit {visit_id!r} in {self.path} does not validate") from exc
        self._remember(visit)
        return visit

    def _remember(self, visit: Visit) -> None:
        self._cache[visit.visit_id] = visit
        self._cache.move_to_end(visit.visit_id)
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)

    def put(self, visit: Visit) -> None:
        """Keep ``visit`` (replacing the one of the same id)."""
        sql = ("INSERT INTO visits (visit_id, body, updated_at) VALUES (?, ?, ?) "
               "ON CONFLICT (visit_id) DO UPDATE SET body = excluded.body, "
               "updated_at = excluded.updated_at")
        args = (visit.visit_id, visit.model_dump_json(), datetime.now().isoformat())
        try:
            with self._lock:
                self._db.execute(sql, args)
        except sqlite3.Error as exc:
            raise VisitStoreError(f"cannot keep visit {visit.visit_id!r}: {exc}") from exc
        self._remember(visit)

    def ids(self) -> tuple[str, ...]:
        """Every kept visit id, sorted."""
        with self._lock:
            rows = self._db.execute("SELECT visit_id FROM visits ORDER BY visit_id").fetchall()
        return tuple(r[0] for r in rows)

    def close(self) -> None:
        """Close the database connection."""
        with self._lock, contextlib.suppress(sqlite3.Error):
            self._db.close()

    def __repr__(self) -> str:
        return f"VisitStore({str(self.path)!r})"
