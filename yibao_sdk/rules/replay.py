"""Replaying a whole visit through the engine in time order, as the hospital systems would."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from yibao_sdk.models.visit import Visit
from yibao_sdk.rules.findings import Colour, Verdict

if TYPE_CHECKING:
    from yibao_sdk.rules.engine import Engine

__all__ = ["VisitReport", "replay_visit"]

_RANK = {"order": 0, "record": 1, "charge": 2}


@dataclass(frozen=True, slots=True)
class VisitReport:
    """Verdicts for every order, record and charge of a visit, then the 事后 audit."""

    visit_id: str
    verdicts: tuple[Verdict, ...]
    audit: Verdict

    @property
    def colour(self) -> Colour:
        """The worst colour of any verdict."""
        colours = {v.colour for v in (*self.verdicts, self.audit)}
        for colour in (Colour.RED, Colour.YELLOW):
            if colour in colours:
                return colour
        return Colour.GREEN


def _events(visit: Visit) -> list[tuple[datetime, int, int, str, Any]]:
    events: list[tuple[datetime, int, int, str, Any]] = []
    for i, order in enumerate(visit.orders):
        events.append((order.ordered_at, _RANK["order"], i, "order", order))
    for i, record in enumerate(visit.records):
        events.append((record.recorded_at, _RANK["record"], i, "record", record))
    for i, charge in enumerate(visit.charges):
        events.append((charge.charged_at, _RANK["charge"], i, "charge", charge))
    events.sort(key=lambda e: e[:3])
    return events


def _snapshots(visit: Visit) -> Iterator[tuple[str, Any, Visit]]:
    """Each event with the visit as it stood just before it (earlier events only)."""
    orders: list[Any] = []
    records: list[Any] = []
    charges: list[Any] = []
    for _, _, _, kind, item in _events(visit):
        before = visit.model_copy(
            update={"orders": tuple(orders), "records": tuple(records), "charges": tuple(charges)}
        )
        yield kind, item, before
        target: list[Any] = {"order": orders, "record": records, "charge": charges}[kind]
        target.append(item)


def replay_visit(engine: Engine, visit: Visit) -> VisitReport:
    """Check every order (事前), record and charge (事中) in time order, then audit (事后).

    Items at the same time keep the order orders → records → charges, then input order.
    """
    verdicts = []
    for kind, item, before in _snapshots(visit):
        if kind == "order":
            verdicts.append(engine.check_order(item, before))
        elif kind == "record":
            verdicts.append(engine.check_record(item, before))
        else:
            verdicts.append(engine.check_charge(item, before))
    return VisitReport(visit.visit_id, tuple(verdicts), engine.audit_visit(visit))
