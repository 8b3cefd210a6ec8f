"""Surgery records (from the EMR) ↔ FHIR Procedure + Device: operations, surgeon, implants."""

from __future__ import annotations

from typing import Any

from yibao_sdk.fhir import systems as fs
from yibao_sdk.fhir.codec import Json, ResourceInput
from yibao_sdk.fhir.datatypes import (
    as_reference,
    coding,
    concept,
    concept_codes,
    extension,
    fhir_datetime,
    identifier,
)
from yibao_sdk.fhir.device import device_to_fhir, read_implant
from yibao_sdk.fhir.mapping import (
    Entry,
    Part,
    ReadContext,
    WriteContext,
    build,
    resource_id,
    standalone,
)
from yibao_sdk.fhir.node import Node
from yibao_sdk.fhir.version import DEFAULT_VERSION
from yibao_sdk.models import Implant, SurgeryRecord

__all__ = ["read_resource", "read_surgery", "surgery_from_fhir", "write_part"]

_SURGICAL = "387713003"
_SURGEON_CODES = frozenset({"PPRF", "304292004"})


def read_resource(node: Node, ctx: ReadContext) -> Part | None:
    """A SurgeryRecord for a surgical Procedure (the EMR's part of a bundle)."""
    return read_surgery(node, ctx) if node.resource_type == "Procedure" else None


def write_part(part: Part, ctx: WriteContext) -> list[Entry] | None:
    """A Procedure and its implanted Devices for a SurgeryRecord."""
    return _surgery_entries(part, ctx) if isinstance(part, SurgeryRecord) else None


def read_surgery(node: Node, ctx: ReadContext) -> SurgeryRecord | None:
    """A SurgeryRecord from a surgical Procedure and the Devices it implanted (``None`` when the
    Procedure's category says it is not surgical)."""
    categories = [c for cat in node.children("category") for c in concept_codes(cat)]
    if categories and _SURGICAL not in categories and not node.has("focalDevice"):
        return None
    timed = "occurrence" if ctx.r5 else "performed"
    period = node.child(f"{timed}Period")
    when = node.moment(f"{timed}DateTime") or (period.moment("start") if period else None)
    if when is None:
        node.fail("a surgery record needs the operation date", key=f"{timed}DateTime",
                  code="required")
    data = {"record_id": resource_id(node, fs.SID_RECORD), "recorded_at": when,
            "author_id": ctx.practitioner_id(node.child("recorder"), node),
            "surgeon_id": _surgeon(node, ctx), "operations": _operations(node),
            "implants": tuple(_implants(node, ctx))}
    return build(SurgeryRecord, data, node, {"record_id": "identifier", "operations": "code",
                                             "implants": "focalDevice", "author_id": "recorder",
                                             "surgeon_id": "performer"})


def _surgeon(node: Node, ctx: ReadContext) -> str:
    performers = sorted(node.children("performer"), key=lambda p: not (
        _SURGEON_CODES & set(concept_codes(p.child("function")))))
    return ctx.practitioner_id(performers[0].child("actor"), node) if performers else ""


def _operations(node: Node) -> tuple[dict[str, Any], ...]:
    found = []
    for ext in node.extensions(fs.EXT_OPERATION):
        code, main = ext.extension("code"), ext.extension("main")
        op = code.child("valueCoding") if code is not None else None
        if op is not None:
            found.append({"code": op.text("code"), "name": op.text("display"),
                          "main": bool(main.flag("valueBoolean")) if main else False})
    code_node = node.child("code")
    codes = concept_codes(code_node, fs.CS_ICD9CM3) or concept_codes(code_node)
    if not found and code_node is not None and codes:
        name = next((c.text("display") for c in code_node.children("coding")
                     if c.text("code") == codes[0]), "") or code_node.text("text")
        found.append({"code": codes[0], "name": name, "main": True})
    return tuple(found)


def _implants(node: Node, ctx: ReadContext) -> list[Implant]:
    refs = [fd.child("manipulated") for fd in node.children("focalDevice")]
    refs += [as_reference(u) for u in node.children("used") + node.children("usedReference")]
    implants, seen = [], set()
    for ref in refs:
        device = ctx.resolve(ref, node)
        if device is not None and device.resource_type == "Device":
            if id(device.data) not in seen:
                seen.add(id(device.data))
                implants.append(read_implant(device))
        elif ref is not None and device is None and ref.text("reference").startswith("Device/"):
            implants.append(Implant(name=ref.text("display")))
    return implants


def _surgery_entries(record: SurgeryRecord, ctx: WriteContext) -> list[Entry]:
    url = ctx.urn("record", record.record_id)
    devices = [(ctx.urn("device", f"{record.record_id}/{i}"), device_to_fhir(implant, ctx))
               for i, implant in enumerate(record.implants)]
    surgical = concept(coding(fs.SNOMED, _SURGICAL, "Surgical procedure"))
    out: Json = {
        "resourceType": "Procedure", "identifier": [identifier(fs.SID_RECORD, record.record_id)],
        "status": "completed", "category": [surgical] if ctx.r5 else surgical,
        "subject": ctx.patient_ref, "encounter": ctx.encounter_ref,
        "occurrenceDateTime" if ctx.r5 else "performedDateTime": fhir_datetime(record.recorded_at),
    }
    if record.operations:
        main = next((op for op in record.operations if op.main), record.operations[0])
        out["code"] = concept(coding(fs.CS_ICD9CM3, main.code, main.name))
        out["extension"] = [extension(fs.EXT_OPERATION, extension=[
            extension("code", valueCoding=coding(fs.CS_ICD9CM3, op.code, op.name)),
            extension("main", valueBoolean=op.main)]) for op in record.operations]
    if record.author_id:
        out["recorder"] = ctx.practitioner(record.author_id)
    if record.surgeon_id:
        out["performer"] = [{"function": concept(coding(fs.V3_PARTICIPATION, "PPRF")),
                             "actor": ctx.practitioner(record.surgeon_id)}]
    if devices:
        out["focalDevice"] = [{"action": {"text": "植入"}, "manipulated": {"reference": url_}}
                              for url_, _ in devices]
    return [(url, out), *devices]



def surgery_from_fhir(resource: ResourceInput, *, version: str = DEFAULT_VERSION) -> SurgeryRecord:
    """Map one Procedure (its Devices resolve only when contained; use a Bundle otherwise)."""
    node, ctx = standalone(resource, "Procedure", version=version)
    record = read_surgery(node, ctx)
    if record is None:
        node.fail("not a surgical procedure", key="category", code="not-supported")
    return record
