"""Turning a core object into the :class:`Subject` a finding refers to."""

from __future__ import annotations

from datetime import datetime

from yibao_sdk.models.charge import Charge
from yibao_sdk.models.order import (
    ConsumableOrder,
    DrugOrder,
    ImagingOrder,
    LabOrder,
    ProcedureOrder,
)
from yibao_sdk.models.record import FormRecord, ImagingReport, LabReport, SurgeryRecord
from yibao_sdk.models.settlement import Settlement
from yibao_sdk.models.visit import Visit
from yibao_sdk.rules.findings import Subject, SubjectKind

__all__ = ["Checkable", "practitioner_of", "subject_of"]

_Orders = DrugOrder | LabOrder | ImagingOrder | ProcedureOrder | ConsumableOrder
_Records = SurgeryRecord | FormRecord | LabReport | ImagingReport
Checkable = _Orders | _Records | Charge | Settlement | Visit
"""Anything a verdict can be about."""


def subject_of(item: Checkable) -> Subject:
    """The :class:`Subject` for an order, charge, record, settlement or visit."""
    kind, ident, at = _identify(item)
    # the values come from validated models, so skip re-validation (this is the hot path)
    return Subject.model_construct(kind=kind, id=ident, at=at)


def _identify(item: Checkable) -> tuple[SubjectKind, str, datetime]:
    if isinstance(item, Charge):
        return SubjectKind.CHARGE, item.charge_id, item.charged_at
    if isinstance(item, _Orders):
        return SubjectKind.ORDER, item.order_id, item.ordered_at
    if isinstance(item, _Records):
        return SubjectKind.RECORD, item.record_id, item.recorded_at
    if isinstance(item, Settlement):
        return SubjectKind.SETTLEMENT, item.settlement_id, item.requested_at
    return SubjectKind.VISIT, item.visit_id, item.discharged_at or item.admitted_at


def practitioner_of(item: Checkable) -> str:
    """Staff number of whoever is responsible for ``item`` ('' if none)."""
    if isinstance(item, Charge):
        return item.ordering_practitioner_id
    if isinstance(item, _Orders):
        return item.practitioner_id
    if isinstance(item, _Records):
        return item.author_id
    if isinstance(item, Visit):
        return item.attending_id
    return ""
