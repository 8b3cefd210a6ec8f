"""What orders share in FHIR: header fields, ServiceRequest kinds, signatures as Provenance."""

from __future__ import annotations

import base64
import binascii
from decimal import Decimal
from typing import Any, Literal

from yibao_sdk.fhir.codec import Json
from yibao_sdk.fhir.datatypes import (
    coding,
    concept,
    concept_codes,
    extension,
    fhir_datetime,
    identifier,
    item_concept,
    read_item,
)
from yibao_sdk.fhir.mapping import Entry, ReadContext, WriteContext, resource_id
from yibao_sdk.fhir.node import Node
from yibao_sdk.fhir.systems import (
    CS_ORDER_KIND,
    EXT_DEPARTMENT,
    SID_ORDER,
    SIGNATURE_TYPE,
    SNOMED,
    V2_0074,
)
from yibao_sdk.models import Signature
from yibao_sdk.models.order import (
    ConsumableOrder,
    DrugOrder,
    ImagingOrder,
    LabOrder,
    ProcedureOrder,
)

__all__ = [
    "ORDER_WHERE",
    "OrderKind",
    "read_order_header",
    "read_service_request",
    "read_signatures",
    "report_kind",
    "service_request",
    "service_request_kind",
    "signature_entries",
    "write_order_header",
]

OrderKind = Literal["lab", "imaging", "procedure", "consumable"]
AnyOrder = DrugOrder | LabOrder | ImagingOrder | ProcedureOrder | ConsumableOrder

_SNOMED_KINDS: dict[str, OrderKind] = {
    "108252007": "lab", "363679005": "imaging", "387713003": "procedure",
}
_OWN_KINDS: dict[str, OrderKind] = {k: k for k in ("lab", "imaging", "procedure", "consumable")}
_SNOMED_CODES = {kind: code for code, kind in _SNOMED_KINDS.items()}
# HL7 v2 table 0074 diagnostic service sections often used as ServiceRequest/report categories
_LAB_SECTIONS = frozenset({"LAB", "BG", "BLB", "CH", "CP", "HM", "IMM", "MB", "MCB", "MYC",
                           "PAR", "SR", "TX", "URN", "VR", "SP", "CG"})
_IMAGING_SECTIONS = frozenset({"RAD", "CT", "CTH", "NMR", "NMS", "RUS", "VUS", "OUS", "XRC",
                               "RX", "IMG", "VRC"})
_URGENT = frozenset({"urgent", "asap", "stat"})
_AUTHOR_SIGNATURE = coding(SIGNATURE_TYPE, "1.2.840.10065.1.12.1.1", "Author's Signature")


def service_request_kind(node: Node) -> OrderKind:
    """Which core order a ServiceRequest is, by its category (yibao code, SNOMED CT or v2-0074);
    anything unrecognised is a procedure order."""
    for category in node.children("category"):
        for code in concept_codes(category, CS_ORDER_KIND):
            if code in _OWN_KINDS:
                return _OWN_KINDS[code]
        for code in concept_codes(category, SNOMED):
            if code in _SNOMED_KINDS:
                return _SNOMED_KINDS[code]
        sections = set(concept_codes(category, V2_0074))
        if sections & _LAB_SECTIONS:
            return "lab"
        if sections & _IMAGING_SECTIONS:
            return "imaging"
    return "procedure"


def report_kind(node: Node) -> Literal["lab", "imaging"]:
    """Whether a DiagnosticReport is a lab or an imaging report (category, else study links)."""
    for category in node.children("category"):
        sections = set(concept_codes(category, V2_0074))
        if sections & _IMAGING_SECTIONS:
            return "imaging"
        if sections & _LAB_SECTIONS:
            return "lab"
    return "imaging" if node.has("study") or node.has("imagingStudy") else "lab"


def read_order_header(node: Node, ctx: ReadContext, *, code: Node | None,
                      quantity: Decimal | None) -> dict[str, Any]:
    """The fields every core order has, from a MedicationRequest or ServiceRequest."""
    item_code, hospital_code, name = read_item(code)
    department = node.extension(EXT_DEPARTMENT)
    return {
        "order_id": resource_id(node, SID_ORDER),
        "ordered_at": node.moment("authoredOn"),
        "practitioner_id": ctx.practitioner_id(node.child("requester"), node),
        "item_code": item_code,
        "hospital_item_code": hospital_code,
        "name": name,
        "quantity": Decimal(1) if quantity is None else quantity,
        "department": department.text("valueString") if department is not None else "",
        "urgent": node.text("priority") in _URGENT,
        "signatures": read_signatures(node, ctx),
    }


ORDER_WHERE = {
    "order_id": "identifier", "ordered_at": "authoredOn", "practitioner_id": "requester",
    "item_code": "code", "name": "code", "department": "extension", "signatures": "id",
}
"""Core order field → FHIR element, for error expressions."""


def write_order_header(order: AnyOrder, ctx: WriteContext, resource_type: str) -> Json:
    """The elements every order resource has (identifier, status, subject, requester …)."""
    out: Json = {
        "resourceType": resource_type,
        "identifier": [identifier(SID_ORDER, order.order_id)],
        "status": "active",
        "intent": "order",
        "priority": "urgent" if order.urgent else "routine",
        "subject": ctx.patient_ref,
        "encounter": ctx.encounter_ref,
        "authoredOn": fhir_datetime(order.ordered_at),
        "requester": ctx.practitioner(order.practitioner_id),
    }
    if order.department:
        out["extension"] = [extension(EXT_DEPARTMENT, valueString=order.department)]
    return out


def service_request(order: AnyOrder, ctx: WriteContext, kind: OrderKind) -> Json:
    """A ServiceRequest of ``kind`` for ``order`` (the caller adds kind-specific elements)."""
    out = write_order_header(order, ctx, "ServiceRequest")
    codings = [coding(CS_ORDER_KIND, kind)]
    if kind in _SNOMED_CODES:
        codings.append(coding(SNOMED, _SNOMED_CODES[kind]))
    out["category"] = [concept(*codings)]
    item = item_concept(order.item_code, order.hospital_item_code, order.name)
    out["code"] = {"concept": item} if ctx.r5 else item
    out["quantityQuantity"] = {"value": order.quantity}
    return out


def read_service_request(node: Node, ctx: ReadContext) -> dict[str, Any]:
    """The order header of a ServiceRequest (R5 ``code`` is a CodeableReference)."""
    code = node.child("code")
    if code is not None and code.has("concept"):
        code = code.child("concept")
    quantity = node.walk("quantityQuantity")
    return read_order_header(node, ctx, code=code,
                             quantity=quantity.number("value") if quantity else None)


def read_signatures(node: Node, ctx: ReadContext) -> tuple[Signature, ...]:
    """Signatures from Provenance resources targeting (or contained in) the order."""
    found = []
    for prov in ctx.provenance(node):
        for sig in prov.children("signature"):
            who = ctx.practitioner_id(sig.child("who"), prov)
            when = sig.moment("when")
            if who and when is not None:
                found.append(Signature(practitioner_id=who, signed_at=when,
                                       token=_token(sig.text("data"))))
    return tuple(found)


def _token(data: str) -> str:
    """The signature token: the base64 ``data`` decoded as UTF-8, else kept as base64."""
    try:
        return base64.b64decode(data, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return data


def signature_entries(order: AnyOrder, ctx: WriteContext, target: str) -> list[Entry]:
    """A Provenance holding the order's signatures (none when it has none)."""
    if not order.signatures:
        return []
    signers = list(dict.fromkeys(s.practitioner_id for s in order.signatures))
    signatures = []
    for sig in order.signatures:
        item: Json = {"type": [_AUTHOR_SIGNATURE], "when": fhir_datetime(sig.signed_at),
                      "who": ctx.practitioner(sig.practitioner_id)}
        if sig.token:
            item["data"] = base64.b64encode(sig.token.encode("utf-8")).decode("ascii")
        signatures.append(item)
    provenance: Json = {
        "resourceType": "Provenance",
        "target": [{"reference": target}],
        "recorded": fhir_datetime(order.signatures[0].signed_at),
        "agent": [{"who": ctx.practitioner(pid)} for pid in signers],
        "signature": signatures,
    }
    return [(ctx.urn("provenance", order.order_id), provenance)]
