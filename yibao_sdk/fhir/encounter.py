"""Visit header ↔ FHIR Encounter (class, period, department, attending) and Condition (诊断)."""

from __future__ import annotations

from typing import Any

from yibao_sdk.fhir.codec import Json
from yibao_sdk.fhir.datatypes import (
    as_reference,
    coding,
    concept,
    concept_codes,
    concept_text,
    fhir_datetime,
    identifier,
)
from yibao_sdk.fhir.mapping import ReadContext, WriteContext, build, resource_id
from yibao_sdk.fhir.node import Node
from yibao_sdk.fhir.systems import (
    CONDITION_CLINICAL,
    CS_DIAGNOSIS_ROLE,
    CS_ICD10,
    SID_VISIT,
    V3_ACT_CODE,
    V3_PARTICIPATION,
)
from yibao_sdk.models import Diagnosis, Visit, VisitType

__all__ = ["VISIT_WHERE", "condition_to_fhir", "encounter_to_fhir", "read_visit_header"]

_CLASS = {
    VisitType.OUTPATIENT: coding(V3_ACT_CODE, "AMB", "ambulatory"),
    VisitType.EMERGENCY: coding(V3_ACT_CODE, "EMER", "emergency"),
    VisitType.INPATIENT: coding(V3_ACT_CODE, "IMP", "inpatient encounter"),
}
_VISIT_TYPES = {
    "AMB": VisitType.OUTPATIENT, "HH": VisitType.OUTPATIENT, "VR": VisitType.OUTPATIENT,
    "FLD": VisitType.OUTPATIENT, "EMER": VisitType.EMERGENCY, "OBSENC": VisitType.EMERGENCY,
    "IMP": VisitType.INPATIENT, "ACUTE": VisitType.INPATIENT, "NONAC": VisitType.INPATIENT,
    "SS": VisitType.INPATIENT,
}
_MAIN = coding(CS_DIAGNOSIS_ROLE, "main", "主诊断")
_ATTENDING = concept(coding(V3_PARTICIPATION, "ATND", "attender"))
_ICD10_SYSTEMS = (CS_ICD10, "http://hl7.org/fhir/sid/icd-10", "http://hl7.org/fhir/sid/icd-10-cn")
VISIT_WHERE = {"visit_id": "identifier", "visit_type": "class", "admitted_at": "period",
               "discharged_at": "period", "department": "serviceType",
               "attending_id": "participant", "diagnoses": "diagnosis"}
"""Visit field → Encounter element, for error expressions (R5 names its period actualPeriod)."""


def condition_to_fhir(diagnosis: Diagnosis, ctx: WriteContext) -> Json:
    """A Condition for one diagnosis (ICD-10 code and name)."""
    return {
        "resourceType": "Condition",
        "clinicalStatus": concept(coding(CONDITION_CLINICAL, "active")),
        "category": [concept(coding(
            "http://terminology.hl7.org/CodeSystem/condition-category", "encounter-diagnosis"))],
        "code": concept(coding(CS_ICD10, diagnosis.code, diagnosis.name)),
        "subject": ctx.patient_ref,
        "encounter": ctx.encounter_ref,
    }


def encounter_to_fhir(visit: Visit, ctx: WriteContext, conditions: list[str]) -> Json:
    """The Encounter of ``visit``; ``conditions`` are the fullUrls of its diagnoses, in order."""
    r5 = ctx.r5
    period: Json = {"start": fhir_datetime(visit.admitted_at)}
    if visit.discharged_at is not None:
        period["end"] = fhir_datetime(visit.discharged_at)
    finished = "completed" if r5 else "finished"
    out: Json = {
        "resourceType": "Encounter",
        "identifier": [identifier(SID_VISIT, visit.visit_id)],
        "status": finished if visit.discharged_at is not None else "in-progress",
        "class": [concept(_CLASS[visit.visit_type])] if r5 else _CLASS[visit.visit_type],
        "subject": ctx.patient_ref,
        "actualPeriod" if r5 else "period": period,
    }
    if visit.department:
        out["serviceType"] = [{"concept": {"text": visit.department}}] if r5 else {
            "text": visit.department}
    if visit.attending_id:
        who = ctx.practitioner(visit.attending_id)
        out["participant"] = [{"type": [_ATTENDING], "actor" if r5 else "individual": who}]
    if conditions:
        out["diagnosis"] = [_diagnosis(d, url, r5)
                            for d, url in zip(visit.diagnoses, conditions, strict=True)]
    return out


def _diagnosis(diagnosis: Diagnosis, url: str, r5: bool) -> Json:
    if r5:
        item: Json = {"condition": [{"reference": {"reference": url}}]}
        if diagnosis.main:
            item["use"] = [concept(_MAIN)]
        return item
    item = {"condition": {"reference": url}}
    if diagnosis.main:
        item.update(use=concept(_MAIN), rank=1)
    return item


def read_visit_header(node: Node, ctx: ReadContext) -> dict[str, Any]:
    """The Visit fields an Encounter carries (everything but patient, orders, charges, records)."""
    period = node.child("actualPeriod") or node.child("period")
    admitted = period.moment("start") if period is not None else None
    if admitted is None:
        where = "actualPeriod.start" if ctx.r5 else "period.start"
        node.fail("the encounter has no start time (入院/挂号时间)", key=where, code="required")
    return {
        "visit_id": resource_id(node, SID_VISIT),
        "visit_type": _visit_type(node),
        "admitted_at": admitted,
        "discharged_at": period.moment("end") if period is not None else None,
        "department": _department(node),
        "attending_id": _attending(node, ctx),
        "diagnoses": tuple(_diagnoses(node, ctx)),
    }


def _visit_type(node: Node) -> VisitType:
    for item in node.children("class"):
        for code in concept_codes(item):
            if code in _VISIT_TYPES:
                return _VISIT_TYPES[code]
    supported = ", ".join(sorted(_VISIT_TYPES))
    node.fail(f"encounter class must be one of {supported} (v3-ActCode)", key="class",
              code="value")


def _department(node: Node) -> str:
    for service in node.children("serviceType"):
        text = concept_text(service.child("concept") if service.has("concept") else service)
        if text:
            return text
    for location in node.children("location"):
        ref = location.child("location")
        if ref is not None and ref.text("display"):
            return ref.text("display")
    return ""


def _attending(node: Node, ctx: ReadContext) -> str:
    participants = node.children("participant")
    ranked = sorted(participants, key=lambda p: "ATND" not in _participant_types(p))
    for participant in ranked:
        who = ctx.practitioner_id(participant.child("actor") or participant.child("individual"),
                                  node)
        if who:
            return who
    return ""


def _participant_types(participant: Node) -> list[str]:
    return [code for kind in participant.children("type") for code in concept_codes(kind)]


def _diagnoses(node: Node, ctx: ReadContext) -> list[Diagnosis]:
    """From ``diagnosis``; failing that, coded reasons (R5 ``reason.value``, R4B
    ``reasonReference``/``reasonCode``), none of them main."""
    return _listed_diagnoses(node, ctx) or _reasons(node, ctx)


def _reasons(node: Node, ctx: ReadContext) -> list[Diagnosis]:
    items = [value for reason in node.children("reason") for value in reason.children("value")]
    found = []
    for item in items + node.children("reasonReference") + node.children("reasonCode"):
        target = ctx.resolve(as_reference(item), node)
        if target is not None and target.resource_type == "Condition":
            code = target.child("code")
        else:
            code = item.child("concept") if item.has("concept") else item
        if code is not None and concept_codes(code):
            found.append(_diagnosis_of(code, False))
    return found


def _listed_diagnoses(node: Node, ctx: ReadContext) -> list[Diagnosis]:
    found = []
    for item in node.children("diagnosis"):
        main = item.integer("rank") == 1 or any(
            "main" in concept_codes(use, CS_DIAGNOSIS_ROLE) for use in item.children("use"))
        for condition in item.children("condition"):
            target = ctx.resolve(as_reference(condition), node)
            if target is not None:
                code = target.child("code")
                if code is None:
                    target.fail("the diagnosis has no code", key="code", code="required")
            else:
                code = condition.child("concept")
                if code is None:
                    condition.fail("diagnosis not found in the bundle", code="not-found")
            found.append(_diagnosis_of(code, main))
    return found


def _diagnosis_of(code: Node, main: bool) -> Diagnosis:
    icd = next((c for system in _ICD10_SYSTEMS for c in concept_codes(code, system)), "")
    value = icd or next(iter(concept_codes(code)), "")
    name = next((c.text("display") for c in code.children("coding")
                 if c.text("code") == value and c.text("display")), "") or code.text("text")
    return build(Diagnosis, {"code": value, "name": name, "main": main}, code,
                 {"code": "coding", "name": "coding"})
