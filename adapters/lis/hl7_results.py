"""ORU^R01 → lab reports (检验报告) or OBX-based forms; MDM^T02 → forms (表单, e.g. 术前评估表).

Lab reports, one per OBR group (OBR and the NTE/OBX/SPM… after it):

=================  ==========================================================================
LabReport          HL7 v2
=================  ==========================================================================
record_id          OBR-3.1 filler order number (the report), else OBR-2.1, else MSH-10-<n>
order_id           OBR-2.1 placer order number (the lab order answered)
recorded_at        OBR-22 results report/status change, else OBR-7 observation, else MSH-7
author_id          OBR-32.1 principal result interpreter, else OBX-16.1 of the first result
results            each OBX: code OBX-3.1 (required), name OBX-3.2, value OBX-5 as text
                   (coded → text, SN joined, repetitions "; "), unit OBX-6.1 (else .2),
                   flag OBX-8.1 (H/L/N/A…)
=================  ==========================================================================

**Forms in an ORU** (convention): an OBR whose OBR-4.1 is a key of ``form_services`` (default
``PREOP`` → ``preop_assessment``) is a form, not a report: record id and time as above (OBR-7
first: when the assessment was made), fields from its OBX (OBX-3.1 → OBX-5 text).

**Forms in an MDM^T02**: TXA-2 → ``document_types`` (default ``PREOP`` → ``preop_assessment``;
an unmapped type is kept as the form type); record id TXA-12.1, else TXA-16.1, else MSH-10;
time TXA-4, else TXA-6, else MSH-7; author TXA-9.1, else TXA-22.1; fields from every OBX.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from yibao_sdk.hl7v2.fields import (
    MISSING,
    build,
    coded,
    fail,
    observation,
    obx_fields,
    required,
    text,
    timestamp,
)
from yibao_sdk.hl7v2.message import Group, Message
from yibao_sdk.hl7v2.segment import Segment
from yibao_sdk.models import FormRecord, LabReport, LabResult
from yibao_sdk.models.record import Record

__all__ = ["RESULT_MEMBERS", "map_form_document", "map_results"]

RESULT_MEMBERS = ("NTE", "TQ1", "TQ2", "CTD", "OBX", "SPM", "SAC", "PRT", "ROL", "FT1", "Z*")
"""Segments that belong to the OBR before them."""


def map_results(message: Message, form_services: Mapping[str, str]) -> tuple[Record, ...]:
    """The lab reports (and OBX-based forms) of an ORU^R01 message."""
    groups = message.groups("OBR", RESULT_MEMBERS)
    if not groups:
        fail(message.header, 9, "the message has no OBR segment", MISSING)
    out: list[Record] = []
    for n, group in enumerate(groups, 1):
        form_type = form_services.get(text(group.head, 4).upper())
        out.append(_form(group, n, message, form_type) if form_type
                   else _report(group, n, message))
    return tuple(out)


def _when(obr: Segment, message: Message, fields: tuple[int, ...]) -> datetime:
    names = {22: "results report date/time", 7: "observation date/time"}
    for n in fields:
        when = timestamp(obr, n, names[n])
        if when is not None:
            return when
    when = timestamp(message.header, 7, "message date/time")
    if when is None:
        fail(obr, fields[0], "report date/time is missing", MISSING)
    return when


def _author(group: Group) -> str:
    obx = group.segment("OBX")
    return text(group.head, 32) or text(obx, 16)


def _record_id(obr: Segment, n: int, message: Message) -> str:
    return text(obr, 3) or text(obr, 2) or f"{message.control_id}-{n}"


def _report(group: Group, n: int, message: Message) -> LabReport:
    obr = group.head
    data = {"record_id": _record_id(obr, n, message), "order_id": text(obr, 2) or None,
            "recorded_at": _when(obr, message, (22, 7)), "author_id": _author(group),
            "results": tuple(_result(obx) for obx in group.all("OBX"))}
    return build(LabReport, data, obr, {"record_id": (obr, 3), "order_id": (obr, 2),
                                        "author_id": (obr, 32)})


def _result(obx: Segment) -> LabResult:
    code = coded(obx, 3)
    if not code.code:
        fail(obx, 3, "observation identifier is missing", MISSING)
    unit = coded(obx, 6)
    data = {"code": code.code, "name": code.text, "value": observation(obx),
            "unit": unit.code or unit.text, "flag": text(obx, 8)}
    return build(LabResult, data, obx, {"code": (obx, 3), "name": (obx, 3), "value": (obx, 5),
                                        "unit": (obx, 6), "flag": (obx, 8)})


def _form(group: Group, n: int, message: Message, form_type: str) -> FormRecord:
    obr = group.head
    data = {"record_id": _record_id(obr, n, message), "form_type": form_type,
            "recorded_at": _when(obr, message, (7, 22)), "author_id": _author(group),
            "fields": obx_fields(group.all("OBX"))}
    return build(FormRecord, data, obr, {"record_id": (obr, 3), "author_id": (obr, 32)})


def map_form_document(message: Message, document_types: Mapping[str, str]) -> FormRecord:
    """The form of an MDM^T02 message (TXA + OBX)."""
    txa = required(message, "TXA")
    doc_type = text(txa, 2)
    if not doc_type:
        fail(txa, 2, "document type is missing", MISSING)
    when = (timestamp(txa, 4, "activity date/time") or timestamp(txa, 6, "origination date/time")
            or timestamp(message.header, 7, "message date/time"))
    if when is None:
        fail(txa, 4, "activity date/time is missing", MISSING)
    data = {"record_id": text(txa, 12) or text(txa, 16) or message.control_id,
            "form_type": document_types.get(doc_type.upper(), doc_type), "recorded_at": when,
            "author_id": text(txa, 9) or text(txa, 22), "fields": obx_fields(message.all("OBX"))}
    return build(FormRecord, data, txa, {"record_id": (txa, 12), "form_type": (txa, 2),
                                         "author_id": (txa, 9)})
