"""LIS FHIR mappings: lab ServiceRequest, DiagnosticReport + Observation, QuestionnaireResponse."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from yibao_sdk.fhir import systems as fs
from yibao_sdk.fhir.codec import Json, ResourceInput
from yibao_sdk.fhir.datatypes import (
    coding,
    concept,
    concept_codes,
    concept_text,
    fhir_datetime,
    identifier,
    reference_id,
)
from yibao_sdk.fhir.mapping import (
    Entry,
    FhirOptions,
    Part,
    ReadContext,
    WriteContext,
    build,
    resource_id,
    standalone,
)
from yibao_sdk.fhir.node import Node
from yibao_sdk.fhir.orders import (
    ORDER_WHERE,
    read_service_request,
    report_kind,
    service_request,
    service_request_kind,
    signature_entries,
)
from yibao_sdk.fhir.version import DEFAULT_VERSION
from yibao_sdk.models import FormRecord, LabOrder, LabReport, LabResult

__all__ = [
    "form_from_fhir",
    "lab_report_from_fhir",
    "read_form",
    "read_lab_report",
    "read_resource",
    "write_part",
]

_NUMBER = re.compile(r"^-?(?:0|[1-9]\d*)(?:\.\d+)?$")
_LAB_REPORT = concept(coding(fs.LOINC, "11502-2", "Laboratory report"))
_LAB = concept(coding(fs.V2_0074, "LAB", "Laboratory"))
_LAB_OBSERVATION = concept(coding(fs.OBSERVATION_CATEGORY, "laboratory"))


def read_resource(node: Node, ctx: ReadContext) -> Part | None:
    """The LIS part a resource maps to (``None``: not a LIS resource)."""
    kind = node.resource_type
    if kind == "ServiceRequest" and service_request_kind(node) == "lab":
        return read_lab_order(node, ctx)
    if kind == "DiagnosticReport" and report_kind(node) == "lab":
        return read_lab_report(node, ctx)
    if kind == "QuestionnaireResponse":
        return read_form(node, ctx)
    return None


def write_part(part: Part, ctx: WriteContext) -> list[Entry] | None:
    """The resources a LIS part maps to (``None``: not a LIS part)."""
    if isinstance(part, LabOrder):
        url = ctx.urn("order", part.order_id)
        resource = service_request(part, ctx, "lab")
        if part.specimen:
            resource["specimen"] = [{"display": part.specimen}]
        return [(url, resource), *signature_entries(part, ctx, url)]
    if isinstance(part, LabReport):
        return _report_entries(part, ctx)
    if isinstance(part, FormRecord):
        return [(ctx.urn("record", part.record_id), _questionnaire_response(part, ctx))]
    return None


def read_lab_order(node: Node, ctx: ReadContext) -> LabOrder:
    """A LabOrder from a lab ServiceRequest; the specimen is the Specimen's type or display."""
    data = read_service_request(node, ctx)
    data["specimen"] = next((_specimen(ref, node, ctx) for ref in node.children("specimen")), "")
    return build(LabOrder, data, node, {**ORDER_WHERE, "quantity": "quantityQuantity",
                                        "specimen": "specimen"})


def _specimen(ref: Node, node: Node, ctx: ReadContext) -> str:
    target = ctx.resolve(ref, node)
    kind = concept_text(target.child("type")) if target is not None else ""
    return kind or ref.text("display")


# DiagnosticReport + Observation <-> LabReport -------------------------------------------------

def read_lab_report(node: Node, ctx: ReadContext) -> LabReport:
    """A LabReport from a DiagnosticReport and its result Observations."""
    results = []
    for ref in node.children("result"):
        target = ctx.resolve(ref, node)
        if target is None:
            ref.fail("result Observation not found in the bundle", code="not-found")
        results.append(_result(target))
    data = {"record_id": resource_id(node, fs.SID_RECORD), "recorded_at": _reported_at(node),
            "author_id": next((ctx.practitioner_id(p, node) for p in node.children("performer")),
                              ""),
            "order_id": next((ctx.order_id(r, node) for r in node.children("basedOn")), None),
            "results": tuple(results)}
    return build(LabReport, data, node, {"record_id": "identifier", "recorded_at": "issued",
                                         "order_id": "basedOn", "results": "result"})


def _reported_at(node: Node) -> Any:
    period = node.child("effectivePeriod")
    return (node.moment("issued") or node.moment("effectiveDateTime")
            or (period.moment("start") if period is not None else None))


def _result(obs: Node) -> LabResult:
    code = obs.child("code")
    codes = concept_codes(code)
    value, unit = _value(obs)
    flags = [c for item in obs.children("interpretation") for c in concept_codes(item)]
    data = {"code": codes[0] if codes else "", "name": _display(code), "value": value,
            "unit": unit, "flag": flags[0] if flags else ""}
    return build(LabResult, data, obs, {"code": "code", "name": "code", "value": "value",
                                        "unit": "valueQuantity.unit", "flag": "interpretation"})


def _display(code: Node | None) -> str:
    if code is None:
        return ""
    return next((c.text("display") for c in code.children("coding") if c.text("display")),
                code.text("text"))


def _value(holder: Node) -> tuple[str, str]:
    """The ``value[x]`` of an Observation or answer as text, and the unit of a Quantity."""
    kind, value = holder.choice("value")
    if isinstance(value, dict):
        node = Node(value, holder.at(f"value{kind}"))
        if kind == "Quantity":
            number = node.number("value")
            return ("" if number is None else str(number)), node.text("unit") or node.text("code")
        if kind == "Coding":
            return node.text("code") or node.text("display"), ""
        if kind == "CodeableConcept":
            return concept_text(node), ""
        return (node.text("display") or reference_id(node)) if kind == "Reference" else "", ""
    if isinstance(value, bool):
        return ("true" if value else "false"), ""
    return ("" if value is None else str(value)), ""


def _report_entries(report: LabReport, ctx: WriteContext) -> list[Entry]:
    url = ctx.urn("record", report.record_id)
    observations = [(ctx.urn("observation", f"{report.record_id}/{i}"), _observation(r, ctx))
                    for i, r in enumerate(report.results)]
    out: Json = {
        "resourceType": "DiagnosticReport",
        "identifier": [identifier(fs.SID_RECORD, report.record_id)],
        "status": "final", "category": [_LAB], "code": _LAB_REPORT,
        "subject": ctx.patient_ref, "encounter": ctx.encounter_ref,
        "issued": fhir_datetime(report.recorded_at),
    }
    if report.author_id:
        out["performer"] = [ctx.practitioner(report.author_id)]
    if report.order_id:
        out["basedOn"] = [ctx.ref("order", report.order_id, "ServiceRequest", fs.SID_ORDER)]
    if observations:
        out["result"] = [{"reference": obs_url} for obs_url, _ in observations]
    return [(url, out), *observations]


def _observation(result: LabResult, ctx: WriteContext) -> Json:
    out: Json = {
        "resourceType": "Observation", "status": "final", "category": [_LAB_OBSERVATION],
        "code": concept(coding(fs.CS_LAB_ITEM, result.code, result.name)),
        "subject": ctx.patient_ref, "encounter": ctx.encounter_ref,
    }
    if _NUMBER.match(result.value):  # numbers as Quantity; anything else (阴性, 1:320) as text
        quantity: Json = {"value": Decimal(result.value)}
        if result.unit:
            quantity["unit"] = result.unit
        out["valueQuantity"] = quantity
    elif result.value:
        out["valueString"] = result.value
    if result.flag:
        out["interpretation"] = [concept(coding(fs.V3_INTERPRETATION, result.flag))]
    return out


# QuestionnaireResponse <-> FormRecord ------------------------------------------------------

def read_form(node: Node, ctx: ReadContext) -> FormRecord:
    """A FormRecord: ``form_type`` from the questionnaire canonical (see FhirOptions), fields by
    linkId (nested items flattened; several answers joined by ``,``)."""
    canonical = node.text("questionnaire")
    if not canonical:
        node.fail("the form type needs the questionnaire", key="questionnaire", code="required")
    author = node.child("author")
    source = node.child("source")
    if author is None and source is not None and "Practitioner" in source.text("reference"):
        author = source
    data = {"record_id": resource_id(node, fs.SID_RECORD), "recorded_at": node.moment("authored"),
            "author_id": ctx.practitioner_id(author, node),
            "form_type": ctx.options.form_type(canonical), "fields": dict(_answers(node))}
    return build(FormRecord, data, node, {"record_id": "identifier", "recorded_at": "authored",
                                          "form_type": "questionnaire", "fields": "item"})


def _answers(node: Node) -> list[tuple[str, str]]:
    found = []
    for item in node.children("item"):
        answers = item.children("answer")
        texts = [_value(answer)[0] for answer in answers]
        if answers or not item.has("item"):
            found.append((item.text("linkId"), ",".join(t for t in texts if t)))
        found += _answers(item)
        for answer in answers:
            found += _answers(answer)
    return found


def _questionnaire_response(form: FormRecord, ctx: WriteContext) -> Json:
    ident = identifier(fs.SID_RECORD, form.record_id)
    out: Json = {
        "resourceType": "QuestionnaireResponse",
        "identifier": [ident] if ctx.r5 else ident,
        "questionnaire": ctx.options.questionnaire(form.form_type),
        "status": "completed", "subject": ctx.patient_ref, "encounter": ctx.encounter_ref,
        "authored": fhir_datetime(form.recorded_at),
    }
    if form.author_id:
        out["author"] = ctx.practitioner(form.author_id)
    if form.fields:  # an empty answer has no valueString (FHIR strings are never empty)
        out["item"] = [{"linkId": key, **({"answer": [{"valueString": value}]} if value else {})}
                       for key, value in form.fields.items()]
    return out


def lab_report_from_fhir(resource: ResourceInput, *, version: str = DEFAULT_VERSION,
                         options: FhirOptions | None = None) -> LabReport:
    """Map one DiagnosticReport (its Observations resolve when contained)."""
    node, ctx = standalone(resource, "DiagnosticReport", version=version, options=options)
    return read_lab_report(node, ctx)


def form_from_fhir(resource: ResourceInput, *, version: str = DEFAULT_VERSION,
                   options: FhirOptions | None = None) -> FormRecord:
    """Map one QuestionnaireResponse to a FormRecord."""
    node, ctx = standalone(resource, "QuestionnaireResponse", version=version, options=options)
    return read_form(node, ctx)

