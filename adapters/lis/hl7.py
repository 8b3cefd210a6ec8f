"""LIS HL7 v2 router: lab orders (OML^O21), lab reports and forms (ORU^R01), forms (MDM^T02).

:func:`route` is pure and raises only :class:`~yibao_sdk.hl7v2.Hl7Error` subclasses.

==========  =====================================================================================
MSH-9       maps to
==========  =====================================================================================
OML^O21     one LabOrder (检验医嘱) per ORC group, from ORC + OBR (+ TQ1, SPM)
ORU^R01     one LabReport (检验报告) per OBR with its OBX results; an OBR whose OBR-4.1 is in
            ``LisOptions.form_services`` is an OBX-based form instead (e.g. the pre-op
            assessment for the TEG rule), see :mod:`adapters.lis.hl7_results`
MDM^T02     one FormRecord: TXA-2 → ``LisOptions.document_types`` → ``form_type``; OBX → fields
==========  =====================================================================================

Lab orders, field by field (first non-empty wins):

=================  ==========================================================================
LabOrder           HL7 v2
=================  ==========================================================================
order_id           ORC-2.1, else OBR-2.1 placer order number, else ORC-3.1 / OBR-3.1
ordered_at         ORC-9, else OBR-6 requested date/time, else TQ1-7, else OBR-7, else MSH-7
practitioner_id    ORC-12.1, else OBR-16.1 ordering provider
item_code, name    OBR-4 universal service id: national by coding system or shape, else
                   ``resolve(code, "lab", source)``; the code sent stays in hospital_item_code
specimen           SPM-4 specimen type (text, else code), else OBR-15.1 (v2.3–2.6 SPS)
urgent             TQ1-9.1, OBR-5, ORC-7.6 or OBR-27.6 priority S (stat) or A (ASAP)
department         ORC-17.1 entering organization, else PV1-3.1
signatures         the ordering provider at ``ordered_at``
visit_id, patient  ``LisOptions.visit_id_paths`` (PV1-19, PID-18); PID as in the HIS adapter
=================  ==========================================================================
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any

from yibao_sdk.hl7v2.fields import (
    MISSING,
    NATIONAL_SYSTEMS,
    Hl7MappingError,
    Hl7UnsupportedError,
    build,
    coded,
    fail,
    first_of,
    item,
    read_patient,
    text,
    timestamp,
)
from yibao_sdk.hl7v2.mapped import ItemResolver, Mapped
from yibao_sdk.hl7v2.message import Group, Message
from yibao_sdk.hl7v2.segment import Segment
from yibao_sdk.models import LabOrder, Signature

from .hl7_results import map_form_document, map_results

__all__ = ["SUPPORTED", "LisOptions", "route"]

_ORDER_MEMBERS = ("TQ1", "TQ2", "OBR", "NTE", "CTD", "DG1", "OBX", "SPM", "SAC", "PRT", "ROL",
                  "FT1", "BLG", "Z*")
_URGENT = ("S", "A")
_PREOP = MappingProxyType({"PREOP": "preop_assessment"})


@dataclass(frozen=True, slots=True)
class LisOptions:
    """What a hospital may configure about its LIS messages."""

    source: str = "lis"
    """``Mapped.source`` and the ``source`` handed to the item resolver."""
    visit_id_paths: tuple[str, ...] = ("PV1-19", "PID-18")
    """Where the visit number is read, first non-empty wins."""
    patient_id_types: tuple[str, ...] = ("MR", "PI")
    """PID-3 identifier types preferred for the patient id."""
    id_card_types: tuple[str, ...] = ("NNCHN", "ID")
    """PID-3 identifier types carrying the ID-card number (else PID-19)."""
    national_systems: frozenset[str] = NATIONAL_SYSTEMS
    """CWE coding systems of national 医保 codes."""
    form_services: Mapping[str, str] = field(default_factory=lambda: _PREOP)
    """ORU OBR-4.1 service codes of OBX-based forms → form type."""
    document_types: Mapping[str, str] = field(default_factory=lambda: _PREOP)
    """MDM TXA-2 document types → form type (an unmapped type is kept as the form type)."""


_ROUTES = {("OML", "O21"), ("ORU", "R01"), ("MDM", "T02")}
SUPPORTED = frozenset(f"{code}^{trigger}" for code, trigger in _ROUTES)
"""Message types :func:`route` maps."""


def route(message: Message, *, resolve: ItemResolver | None = None,
          options: LisOptions | None = None) -> Mapped:
    """Map one LIS message to the core.

    :param resolve: hospital item code → national code, e.g. ``engine.resolve_item_code``.
    :param options: the hospital's conventions; :class:`LisOptions` defaults otherwise.
    :raises Hl7UnsupportedError: for a message type not in :data:`SUPPORTED` (names MSH-9).
    :raises Hl7MappingError: for a missing or malformed value (names segment and field).
    """
    code, trigger, _ = message.message_type
    key = (code.strip().upper(), trigger.strip().upper())
    if key not in _ROUTES:
        raise Hl7UnsupportedError.for_message(message, "LIS", SUPPORTED)
    opts = options or LisOptions()
    try:
        visit_id = first_of(message, opts.visit_id_paths, "visit number")
        pid = message.segment("PID")
        patient = None if pid is None else read_patient(
            pid, id_types=opts.patient_id_types, id_card_types=opts.id_card_types)
        content = _content(key[0], message, opts, resolve)
    except Hl7MappingError as exc:
        raise exc.within(message) from exc.__cause__
    return Mapped(source=opts.source, message_type="^".join(key), control_id=message.control_id,
                  visit_id=visit_id, patient=patient, **content)


def _content(code: str, message: Message, opts: LisOptions,
             resolve: ItemResolver | None) -> dict[str, Any]:
    if code == "OML":
        return {"orders": lab_orders(message, opts, resolve)}
    if code == "ORU":
        return {"records": map_results(message, opts.form_services)}
    return {"records": (map_form_document(message, opts.document_types),)}


def lab_orders(message: Message, opts: LisOptions,
               resolve: ItemResolver | None) -> tuple[LabOrder, ...]:
    """The lab orders of an OML^O21 message, one per ORC group."""
    groups = message.groups("ORC", _ORDER_MEMBERS)
    if not groups:
        fail(message.header, 9, "the message has no ORC order group", MISSING)
    return tuple(_lab_order(g, message, opts, resolve) for g in groups)


def _lab_order(group: Group, message: Message, opts: LisOptions,
               resolve: ItemResolver | None) -> LabOrder:
    orc, obr, tq1 = group.head, group.segment("OBR"), group.segment("TQ1")
    if obr is None:
        fail(orc, 1, "the order group has no OBR", MISSING)
    found = item(coded(obr, 4), "lab", opts.source, resolve, opts.national_systems)
    if not (found.code or found.hospital_code):
        fail(obr, 4, "universal service id is missing", MISSING)
    ordered_at = _ordered_at(orc, obr, tq1, message)
    practitioner = text(orc, 12) or text(obr, 16)
    if not practitioner:
        fail(orc, 12, "ordering provider is missing", MISSING)
    spm = group.segment("SPM")
    data = {
        "order_id": text(orc, 2) or text(obr, 2) or text(orc, 3) or text(obr, 3),
        "ordered_at": ordered_at, "practitioner_id": practitioner, "item_code": found.code,
        "hospital_item_code": found.hospital_code, "name": found.name,
        "specimen": coded(spm, 4).label or text(obr, 15, 1, 2) or text(obr, 15),
        "urgent": any(v.upper() in _URGENT for v in (
            text(tq1, 9), text(obr, 5), text(orc, 7, 6), text(obr, 27, 6)) if v),
        "department": text(orc, 17) or text(message.segment("PV1"), 3),
        "signatures": (build(Signature, {"practitioner_id": practitioner,
                                         "signed_at": ordered_at}, orc,
                             {"practitioner_id": (orc, 12)}),),
    }
    return build(LabOrder, data, orc, {
        "order_id": (orc, 2), "ordered_at": (orc, 9), "practitioner_id": (orc, 12),
        "item_code": (obr, 4), "hospital_item_code": (obr, 4), "name": (obr, 4),
        "specimen": (spm, 4) if spm else (obr, 15), "department": (orc, 17)})


def _ordered_at(orc: Segment, obr: Segment, tq1: Segment | None, message: Message) -> datetime:
    when = (timestamp(orc, 9, "transaction date/time")
            or timestamp(obr, 6, "requested date/time") or timestamp(tq1, 7, "start date/time")
            or timestamp(obr, 7, "observation date/time")
            or timestamp(message.header, 7, "message date/time"))
    if when is None:
        fail(orc, 9, "order date/time is missing", MISSING)
    return when
