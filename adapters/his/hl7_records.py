"""MDM^T02 from the EMR → a surgery record with implants (手术记录) or a form (表单), TXA + OBX.

TXA-2 document type goes through ``HisOptions.document_types``: ``surgery`` makes a
:class:`SurgeryRecord`, any other value is the ``form_type`` of a :class:`FormRecord` (an
unmapped TXA-2 is kept as the form type itself).

=================  ==========================================================================
record             HL7 v2
=================  ==========================================================================
record_id          TXA-12.1 unique document number, else TXA-16.1 filler order number, else
                   MSH-10
recorded_at        TXA-4 activity date/time (for a surgery record: the operation), else TXA-6
                   origination date/time, else MSH-7
author_id          TXA-9.1 originator, else TXA-22.1 authentication person
surgeon_id         TXA-5.1 primary activity provider
operations         each OBX whose OBX-3.1 is ``OPERATION``: OBX-5 CWE code^name (ICD-9-CM-3);
                   the first is the main operation
implants           OBX-3.1 ``IMPLANT-NAME``, ``IMPLANT-UDI``, ``IMPLANT-BARCODE``,
                   ``IMPLANT-CODE`` (医保 charge code), ``IMPLANT-QTY``; OBX-4 sub-id numbers
                   the implant the value belongs to (1 when empty)
fields (forms)     every OBX: OBX-3.1 (else OBX-3.2) → OBX-5 as text
=================  ==========================================================================
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

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
from yibao_sdk.hl7v2.mapped import ItemResolver, Mapped
from yibao_sdk.hl7v2.message import Message
from yibao_sdk.hl7v2.segment import Segment
from yibao_sdk.models import FormRecord, Implant, Operation, SurgeryRecord
from yibao_sdk.models.record import Record

from .hl7_adt import patient_of, visit_id_of

if TYPE_CHECKING:
    from .hl7 import HisOptions

__all__ = ["IMPLANT_FIELDS", "map_document"]

IMPLANT_FIELDS = {"IMPLANT-NAME": "name", "IMPLANT-UDI": "udi", "IMPLANT-BARCODE": "barcode",
                  "IMPLANT-CODE": "charge_code", "IMPLANT-QTY": "quantity"}
"""OBX-3.1 codes of a surgery record's implant values → :class:`Implant` attributes."""


def map_document(message: Message, trigger: str, options: HisOptions,
                 resolve: ItemResolver | None = None) -> Mapped:
    """The surgery record or form of an MDM^T02 message."""
    visit_id = visit_id_of(message, options)
    txa = required(message, "TXA")
    doc_type = text(txa, 2)
    if not doc_type:
        fail(txa, 2, "document type is missing", MISSING)
    kind = options.document_types.get(doc_type.upper(), doc_type)
    base = _base(message, txa)
    record: Record
    if kind == "surgery":
        record = _surgery(message, txa, base)
    else:
        data = {**base, "form_type": kind, "fields": obx_fields(message.all("OBX"))}
        record = build(FormRecord, data, txa, {"form_type": (txa, 2), "record_id": (txa, 12)})
    code, _, _ = message.message_type
    return Mapped(source=options.source, message_type=f"{code}^{trigger}",
                  control_id=message.control_id, visit_id=visit_id,
                  patient=patient_of(message, options), records=(record,))


def _base(message: Message, txa: Segment) -> dict[str, Any]:
    when: datetime | None = (timestamp(txa, 4, "activity date/time")
                             or timestamp(txa, 6, "origination date/time")
                             or timestamp(message.header, 7, "message date/time"))
    if when is None:
        fail(txa, 4, "activity date/time is missing", MISSING)
    return {"record_id": text(txa, 12) or text(txa, 16) or message.control_id,
            "recorded_at": when, "author_id": text(txa, 9) or text(txa, 22)}


def _surgery(message: Message, txa: Segment, base: dict[str, Any]) -> SurgeryRecord:
    operations: list[Operation] = []
    implants: dict[str, dict[str, Segment]] = {}
    for obx in message.all("OBX"):
        name = text(obx, 3).upper()
        if name == "OPERATION":
            code = coded(obx, 5)
            data = {"code": code.code, "name": code.text, "main": not operations}
            operations.append(build(Operation, data, obx, {"code": (obx, 5), "name": (obx, 5)}))
        elif name in IMPLANT_FIELDS:
            implants.setdefault(text(obx, 4) or "1", {})[IMPLANT_FIELDS[name]] = obx
    data = {**base, "surgeon_id": text(txa, 5), "operations": tuple(operations),
            "implants": tuple(_implant(segs) for segs in implants.values())}
    return build(SurgeryRecord, data, txa, {"record_id": (txa, 12), "surgeon_id": (txa, 5),
                                            "author_id": (txa, 9)})


def _implant(segs: dict[str, Segment]) -> Implant:
    """One implant from its OBX values (attribute → the OBX that carried it)."""
    data: dict[str, Any] = {attr: observation(obx) or None for attr, obx in segs.items()}
    data["name"] = data.get("name") or ""
    data["quantity"] = data.get("quantity") or 1
    first = next(iter(segs.values()))
    return build(Implant, data, first, {attr: (obx, 5) for attr, obx in segs.items()})
