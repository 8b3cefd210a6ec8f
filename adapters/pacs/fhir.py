"""PACS FHIR mappings: imaging ServiceRequest (scope in orderDetail), DiagnosticReport, study."""

from __future__ import annotations

from yibao_sdk.fhir import systems as fs
from yibao_sdk.fhir.codec import Json, ResourceInput
from yibao_sdk.fhir.datatypes import (
    coding,
    concept,
    concept_codes,
    concept_text,
    fhir_datetime,
    identifier,
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
from yibao_sdk.models import ImagingOrder, ImagingReport, ImagingScope

__all__ = [
    "imaging_order_from_fhir",
    "imaging_report_from_fhir",
    "read_imaging_order",
    "read_imaging_report",
    "read_resource",
    "write_part",
]

_SCOPE_NAMES = {ImagingScope.PLAIN: "平扫", ImagingScope.ENHANCED: "增强",
                ImagingScope.PLAIN_AND_ENHANCED: "平扫+增强"}
_IMAGING_REPORT = concept(coding(fs.LOINC, "18748-4", "Diagnostic imaging study"))
_RAD = concept(coding(fs.V2_0074, "RAD", "Radiology"))
_FINDINGS = "59776-5"  # LOINC: Procedure findings Narrative


def read_resource(node: Node, ctx: ReadContext) -> Part | None:
    """The PACS part a resource maps to (``None``: not a PACS resource)."""
    kind = node.resource_type
    if kind == "ServiceRequest" and service_request_kind(node) == "imaging":
        return read_imaging_order(node, ctx)
    if kind == "DiagnosticReport" and report_kind(node) == "imaging":
        return read_imaging_report(node, ctx)
    return None


def write_part(part: Part, ctx: WriteContext) -> list[Entry] | None:
    """The resources a PACS part maps to (``None``: not a PACS part)."""
    if isinstance(part, ImagingOrder):
        url = ctx.urn("order", part.order_id)
        return [(url, _imaging_request(part, ctx)), *signature_entries(part, ctx, url)]
    if isinstance(part, ImagingReport):
        return _report_entries(part, ctx)
    return None


# ServiceRequest <-> ImagingOrder ----------------------------------------------------------

def read_imaging_order(node: Node, ctx: ReadContext) -> ImagingOrder:
    """An ImagingOrder: scope (平扫/增强) and modality from ``orderDetail``; body part from
    ``bodySite``.  A missing scope reads as plain."""
    details = _detail_codings(node)
    scopes = [c.text("code") for c in details if c.text("system") == fs.CS_IMAGING_SCOPE]
    modalities = [c.text("code") for c in details if c.text("system") == fs.DICOM_DCM]
    scope = scopes[0] if scopes else ImagingScope.PLAIN.value
    if scope not in ImagingScope._value2member_map_:
        node.fail(f"unknown imaging scope {scope!r} (plain, enhanced, plain+enhanced)",
                  key="orderDetail", code="value")
    data = read_service_request(node, ctx)
    data.update(scope=ImagingScope(scope), modality=modalities[0] if modalities else "",
                body_part=next((concept_text(s) for s in node.children("bodySite")), ""))
    return build(ImagingOrder, data, node, {**ORDER_WHERE, "quantity": "quantityQuantity",
                                            "modality": "orderDetail", "body_part": "bodySite"})


def _detail_codings(node: Node) -> list[Node]:
    """Codings of ``orderDetail``: R5 parameters' CodeableConcept values, R4B CodeableConcepts."""
    found = []
    for detail in node.children("orderDetail"):
        concepts = [p.child("valueCodeableConcept") for p in detail.children("parameter")]
        for item in [c for c in concepts if c is not None] or [detail]:
            found += item.children("coding")
    return found


def _imaging_request(order: ImagingOrder, ctx: WriteContext) -> Json:
    out = service_request(order, ctx, "imaging")
    scope = coding(fs.CS_IMAGING_SCOPE, order.scope.value, _SCOPE_NAMES[order.scope])
    modality = coding(fs.DICOM_DCM, order.modality) if order.modality else None
    if ctx.r5:
        parameters = [_parameter("scope", scope)]
        if modality is not None:
            parameters.append(_parameter("modality", modality))
        out["orderDetail"] = [{"parameter": parameters}]
    else:
        out["orderDetail"] = [concept(c) for c in (scope, modality) if c is not None]
    if order.body_part:
        out["bodySite"] = [{"text": order.body_part}]
    return out


def _parameter(name: str, value: Json) -> Json:
    return {"code": concept(coding(fs.CS_ORDER_DETAIL, name)),
            "valueCodeableConcept": concept(value)}


# DiagnosticReport + ImagingStudy <-> ImagingReport --------------------------------------------

def read_imaging_report(node: Node, ctx: ReadContext) -> ImagingReport:
    """An ImagingReport: conclusion from ``conclusion``, findings from the findings Observation
    (LOINC 59776-5, else the first text result), modality from the ImagingStudy."""
    studies = [ctx.resolve(ref, node) for ref in node.children("study")
               + node.children("imagingStudy")]
    modalities = [code for study in studies if study is not None
                  for code in _study_modalities(study)]
    period = node.child("effectivePeriod")
    data = {"record_id": resource_id(node, fs.SID_RECORD),
            "recorded_at": (node.moment("issued") or node.moment("effectiveDateTime")
                            or (period.moment("start") if period is not None else None)),
            "author_id": next((ctx.practitioner_id(p, node) for p in node.children("performer")),
                              ""),
            "order_id": next((ctx.order_id(r, node) for r in node.children("basedOn")), None),
            "modality": modalities[0] if modalities else "",
            "findings": _findings(node, ctx), "conclusion": node.text("conclusion")}
    return build(ImagingReport, data, node, {"record_id": "identifier", "recorded_at": "issued",
                                             "order_id": "basedOn", "findings": "result",
                                             "conclusion": "conclusion", "modality": "study"})


def _study_modalities(study: Node) -> list[str]:
    items = study.children("modality") + [s.child("modality") for s in study.children("series")]
    return [code for item in items if item is not None
            for code in concept_codes(item, fs.DICOM_DCM) or concept_codes(item)]


def _findings(node: Node, ctx: ReadContext) -> str:
    texts = []
    for ref in node.children("result"):
        obs = ctx.resolve(ref, node)
        if obs is not None and obs.text("valueString"):
            if _FINDINGS in concept_codes(obs.child("code"), fs.LOINC):
                return obs.text("valueString")
            texts.append(obs.text("valueString"))
    return texts[0] if texts else ""


def _report_entries(report: ImagingReport, ctx: WriteContext) -> list[Entry]:
    url = ctx.urn("record", report.record_id)
    extra: list[Entry] = []
    out: Json = {
        "resourceType": "DiagnosticReport",
        "identifier": [identifier(fs.SID_RECORD, report.record_id)],
        "status": "final", "category": [_RAD], "code": _IMAGING_REPORT,
        "subject": ctx.patient_ref, "encounter": ctx.encounter_ref,
        "issued": fhir_datetime(report.recorded_at),
    }
    if report.author_id:
        out["performer"] = [ctx.practitioner(report.author_id)]
    order = ctx.ref("order", report.order_id, "ServiceRequest", fs.SID_ORDER) \
        if report.order_id else None
    if order is not None:
        out["basedOn"] = [order]
    if report.modality:
        study_url = ctx.urn("study", report.record_id)
        extra.append((study_url, _study(report, ctx, order)))
        out["study" if ctx.r5 else "imagingStudy"] = [{"reference": study_url}]
    if report.findings:
        findings_url = ctx.urn("observation", f"{report.record_id}/findings")
        extra.append((findings_url, _findings_observation(report, ctx)))
        out["result"] = [{"reference": findings_url}]
    if report.conclusion:
        out["conclusion"] = report.conclusion
    return [(url, out), *extra]


def _study(report: ImagingReport, ctx: WriteContext, order: Json | None) -> Json:
    modality = coding(fs.DICOM_DCM, report.modality)
    out: Json = {"resourceType": "ImagingStudy", "status": "available",
                 "modality": [concept(modality) if ctx.r5 else modality],
                 "subject": ctx.patient_ref, "encounter": ctx.encounter_ref}
    if order is not None:
        out["basedOn"] = [order]
    return out


def _findings_observation(report: ImagingReport, ctx: WriteContext) -> Json:
    return {"resourceType": "Observation", "status": "final",
            "code": concept(coding(fs.LOINC, _FINDINGS, "Procedure findings Narrative")),
            "subject": ctx.patient_ref, "encounter": ctx.encounter_ref,
            "valueString": report.findings}


def imaging_order_from_fhir(resource: ResourceInput, *, version: str = DEFAULT_VERSION,
                            options: FhirOptions | None = None) -> ImagingOrder:
    """Map one imaging ServiceRequest to an ImagingOrder."""
    node, ctx = standalone(resource, "ServiceRequest", version=version, options=options)
    return read_imaging_order(node, ctx)


def imaging_report_from_fhir(resource: ResourceInput, *, version: str = DEFAULT_VERSION,
                             options: FhirOptions | None = None) -> ImagingReport:
    """Map one imaging DiagnosticReport (study and findings resolve when contained)."""
    node, ctx = standalone(resource, "DiagnosticReport", version=version, options=options)
    return read_imaging_report(node, ctx)
