"""Patient ↔ FHIR Patient, and the insurance facts (psn_no, 险种, 参保地) ↔ FHIR Coverage."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from yibao_sdk.fhir.codec import Json, ResourceInput
from yibao_sdk.fhir.datatypes import (
    coding,
    concept,
    concept_codes,
    extension,
    fhir_date,
    identifier,
    identifier_value,
    person_name,
)
from yibao_sdk.fhir.mapping import FhirOptions, WriteContext, build, standalone
from yibao_sdk.fhir.node import Node
from yibao_sdk.fhir.systems import (
    CS_GB_SEX,
    CS_INSUTYPE,
    EXT_GB_SEX,
    SID_ADMDVS,
    SID_ID_CARD,
    SID_PATIENT,
    SID_PSN_NO,
    V2_0203,
)
from yibao_sdk.fhir.version import DEFAULT_VERSION
from yibao_sdk.models import Patient, Sex

__all__ = [
    "CoverageInfo",
    "coverage_from_fhir",
    "coverage_to_fhir",
    "patient_from_fhir",
    "patient_to_fhir",
    "read_coverage",
    "read_patient",
]

# FHIR gender has no "not stated": 9 travels as "unknown" plus the GB/T 2261.1 extension
_GENDER = {Sex.MALE: "male", Sex.FEMALE: "female", Sex.UNKNOWN: "unknown", Sex.UNSTATED: "unknown"}
_SEX = {"male": Sex.MALE, "female": Sex.FEMALE, "unknown": Sex.UNKNOWN, "other": Sex.UNSTATED}
_SEX_NAMES = {Sex.MALE: "男", Sex.FEMALE: "女", Sex.UNKNOWN: "未知的性别",
              Sex.UNSTATED: "未说明的性别"}
_PATIENT_WHERE = {"patient_id": "identifier", "name": "name", "sex": "gender",
                  "birth_date": "birthDate", "id_card": "identifier", "psn_no": "identifier"}


@dataclass(frozen=True, slots=True)
class CoverageInfo:
    """What a FHIR Coverage tells about the insured person.

    :ivar psn_no: 人员编号 (``subscriberId``, else the yibao psn-no identifier, else the first).
    :ivar insurance_type: 险种类型 (``Coverage.type``).
    :ivar insured_region: 参保地医保区划 (identifier of the insurer / payor).
    """

    psn_no: str | None = None
    insurance_type: str | None = None
    insured_region: str | None = None


def patient_to_fhir(patient: Patient) -> Json:
    """A FHIR Patient: hospital id (MR), ID card (NNCHN) and psn_no (SN) as identifiers."""
    identifiers = [identifier(SID_PATIENT, patient.patient_id, "MR", V2_0203)]
    if patient.id_card:
        identifiers.append(identifier(SID_ID_CARD, patient.id_card, "NNCHN", V2_0203))
    if patient.psn_no:
        identifiers.append(identifier(SID_PSN_NO, patient.psn_no, "SN", V2_0203))
    sex = coding(CS_GB_SEX, patient.sex.value, _SEX_NAMES[patient.sex])
    return {
        "resourceType": "Patient",
        "extension": [extension(EXT_GB_SEX, valueCoding=sex)],
        "identifier": identifiers,
        "name": [{"text": patient.name}],
        "gender": _GENDER[patient.sex],
        "birthDate": fhir_date(patient.birth_date),
    }


def read_patient(node: Node, coverage: CoverageInfo | None = None) -> Patient:
    """A core Patient from a FHIR Patient node (and the Coverage facts, if any)."""
    cover = coverage or CoverageInfo()
    data: dict[str, Any] = {
        "patient_id": (identifier_value(node, SID_PATIENT)
                       or identifier_value(node, type_code="MR") or node.id),
        "name": person_name(node),
        "sex": _sex(node),
        "birth_date": node.day("birthDate"),
        "id_card": (identifier_value(node, SID_ID_CARD)
                    or identifier_value(node, type_code="NNCHN") or None),
        "psn_no": identifier_value(node, SID_PSN_NO) or cover.psn_no,
        "insurance_type": cover.insurance_type,
        "insured_region": cover.insured_region,
    }
    return build(Patient, data, node, _PATIENT_WHERE)


def _sex(node: Node) -> Sex:
    ext = node.extension(EXT_GB_SEX)
    codes = concept_codes(ext.child("valueCoding")) if ext is not None else []
    if codes and codes[0] in Sex._value2member_map_:
        return Sex(codes[0])
    return _SEX.get(node.text("gender"), Sex.UNKNOWN)


def patient_from_fhir(resource: ResourceInput, *, coverage: CoverageInfo | None = None,
                      version: str = DEFAULT_VERSION, validate: bool = True) -> Patient:
    """Map one FHIR Patient (JSON text, dict or fhir.resources model) to a core Patient.

    :raises FhirError: naming the FHIRPath of what is missing or invalid.
    """
    node, _ = standalone(resource, "Patient", version=version, validate=validate)
    return read_patient(node, coverage)


def coverage_to_fhir(patient: Patient, ctx: WriteContext) -> Json | None:
    """A FHIR Coverage for the patient's insurance facts, or ``None`` when there are none."""
    if not (patient.psn_no or patient.insurance_type or patient.insured_region):
        return None
    payer: Json = {"display": "参保地医保经办机构"}
    if patient.insured_region:
        payer["identifier"] = {"system": SID_ADMDVS, "value": patient.insured_region}
    out: Json = {"resourceType": "Coverage", "status": "active"}
    if ctx.r5:
        out["kind"] = "insurance"
    if patient.psn_no:
        psn = identifier(SID_PSN_NO, patient.psn_no)
        out["subscriberId"] = [psn] if ctx.r5 else patient.psn_no
        out["identifier"] = [psn]
    if patient.insurance_type:
        out["type"] = concept(coding(CS_INSUTYPE, patient.insurance_type))
    out["beneficiary"] = ctx.patient_ref
    out["insurer" if ctx.r5 else "payor"] = payer if ctx.r5 else [payer]
    return out


def read_coverage(node: Node) -> CoverageInfo:
    """The insurance facts of a FHIR Coverage node (R5 or R4B)."""
    subscriber = node.data.get("subscriberId")
    psn = (subscriber if isinstance(subscriber, str)
           else identifier_value(node, key="subscriberId"))
    psn = psn or identifier_value(node, SID_PSN_NO) or identifier_value(node)
    kind = node.child("type")
    types = concept_codes(kind, CS_INSUTYPE) or concept_codes(kind)
    region = ""
    for payer in node.children("insurer") + node.children("payor"):
        ident = payer.child("identifier")
        if ident is not None and ident.text("system") == SID_ADMDVS:
            region = ident.text("value")
    return CoverageInfo(psn or None, types[0] if types else None, region or None)


def coverage_from_fhir(resource: ResourceInput, *, version: str = DEFAULT_VERSION,
                       validate: bool = True) -> CoverageInfo:
    """Map one FHIR Coverage to :class:`CoverageInfo` (give it to :func:`patient_from_fhir`)."""
    node, _ = standalone(resource, "Coverage", version=version, validate=validate,
                         options=FhirOptions())
    return read_coverage(node)
