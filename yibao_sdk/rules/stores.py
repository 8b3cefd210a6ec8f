"""What rules may look up: patient history, the catalogue and the practitioner registry.

Each is a small read-only protocol with an in-memory implementation; a hospital plugs in its
own (database-backed) implementation by passing it to the :class:`~yibao_sdk.rules.Engine`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TypeVar, runtime_checkable

from yibao_sdk.errors import InputError
from yibao_sdk.models.catalog import CatalogItem
from yibao_sdk.models.practitioner import Practitioner, Violation
from yibao_sdk.models.record import SurgeryRecord
from yibao_sdk.models.visit import Visit
from yibao_sdk.rules.netting import live_lines, serial_keys, udi_key

__all__ = [
    "Catalog",
    "CatalogLookup",
    "HistoryStore",
    "InMemoryHistory",
    "PractitionerRegistry",
    "Practitioners",
    "UdiUse",
    "udi_key",
]


_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class UdiUse:
    """Where a serial-tracked UDI was billed or implanted before."""

    key: str
    visit_id: str
    patient_id: str
    item_id: str
    used_at: datetime


@runtime_checkable
class HistoryStore(Protocol):
    """The patient's earlier visits and every earlier use of a UDI serial."""

    def visits_overlapping(
        self, patient_id: str, start: datetime, end: datetime
    ) -> Sequence[Visit]:
        """Visits of ``patient_id`` whose stay overlaps ``[start, end]``, oldest first.

        A stay overlaps when it was admitted at or before ``end`` and was not discharged
        before ``start`` (a stay still open counts), so a long stay admitted months ago is
        found by a short window.
        """
        ...

    def udi_uses(self, key: str) -> Sequence[UdiUse]:
        """Every recorded use of the serial-tracked UDI ``key`` (see :func:`udi_key`)."""
        ...


class InMemoryHistory:
    """A :class:`HistoryStore` held in memory, fed with :meth:`add`."""

    def __init__(self, visits: Iterable[Visit] = ()) -> None:
        self._visits: dict[str, list[Visit]] = defaultdict(list)
        self._udis: dict[str, list[UdiUse]] = defaultdict(list)
        for visit in visits:
            self.add(visit)

    def add(self, visit: Visit) -> None:
        """Record a finished visit and index the UDIs billed or implanted in it."""
        self._visits[visit.patient.patient_id].append(visit)
        self._visits[visit.patient.patient_id].sort(key=lambda v: v.admitted_at)
        pid = visit.patient.patient_id
        for key, used in _udis_of(visit).items():
            self._udis[key] += [UdiUse(key, visit.visit_id, pid, item, at) for item, at in used]

    def visits_overlapping(
        self, patient_id: str, start: datetime, end: datetime
    ) -> Sequence[Visit]:
        """See :meth:`HistoryStore.visits_overlapping`."""
        return [
            v
            for v in self._visits.get(patient_id, ())
            if v.admitted_at <= end and (v.discharged_at is None or v.discharged_at >= start)
        ]

    def udi_uses(self, key: str) -> Sequence[UdiUse]:
        """See :meth:`HistoryStore.udi_uses`."""
        return tuple(self._udis.get(key, ()))


def _udis_of(visit: Visit) -> dict[str, list[tuple[str, datetime]]]:
    """Serial keys still used in ``visit`` → the items (id, time) that used them.

    Charge lines are netted against refunds with :func:`~yibao_sdk.rules.netting.live_lines`
    (the same netting the implant-UDI rule applies within a visit); an implant in a surgery
    record always is a use.
    """
    items: dict[str, list[tuple[str, datetime]]] = defaultdict(list)
    for line in live_lines(visit.charges):
        for key in sorted(line.serials):
            items[key].append((line.charge.charge_id, line.charge.charged_at))
    for record in visit.records:
        if isinstance(record, SurgeryRecord):
            for key in serial_keys(i.udi for i in record.implants if i.udi):
                items[key].append((record.record_id, record.recorded_at))
    return dict(items)


def _index(items: Iterable[_T], key: Callable[[_T], str], what: str) -> dict[str, _T]:
    """Items by key; a repeated key is an error, since keeping either one would lose data."""
    found: dict[str, _T] = {}
    for item in items:
        ident = key(item)
        if ident in found:
            raise InputError(f"{what} {ident!r} is given twice")
        found[ident] = item
    return found


@runtime_checkable
class CatalogLookup(Protocol):
    """The 医保 catalogue: items by national code."""

    def get(self, code: str) -> CatalogItem | None:
        """The item with national code ``code``, or None."""
        ...


class Catalog:
    """A :class:`CatalogLookup` over a fixed set of items."""

    def __init__(self, items: Iterable[CatalogItem] = ()) -> None:
        self._items = _index(items, lambda item: item.code, "catalogue code")

    def get(self, code: str) -> CatalogItem | None:
        """See :meth:`CatalogLookup.get`."""
        return self._items.get(code)

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterable[CatalogItem]:
        return iter(self._items.values())


@runtime_checkable
class PractitionerRegistry(Protocol):
    """Practitioners by staff number, with their confirmed violations."""

    def get(self, practitioner_id: str) -> Practitioner | None:
        """The practitioner, or None if unknown."""
        ...

    def violations(self, practitioner_id: str, year: int) -> Sequence[Violation]:
        """Violations of ``practitioner_id`` that occurred in natural year ``year``."""
        ...


class Practitioners:
    """A :class:`PractitionerRegistry` held in memory."""

    def __init__(
        self, practitioners: Iterable[Practitioner] = (), violations: Iterable[Violation] = ()
    ) -> None:
        self._people = _index(practitioners, lambda p: p.practitioner_id, "practitioner_id")
        self._violations: dict[str, list[Violation]] = defaultdict(list)
        for violation in violations:
            self._violations[violation.practitioner_id].append(violation)

    def get(self, practitioner_id: str) -> Practitioner | None:
        """See :meth:`PractitionerRegistry.get`."""
        return self._people.get(practitioner_id)

    def violations(self, practitioner_id: str, year: int) -> Sequence[Violation]:
        """See :meth:`PractitionerRegistry.violations`."""
        found = self._violations.get(practitioner_id, ())
        return [v for v in found if v.occurred_on.year == year]
