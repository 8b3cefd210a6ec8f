"""Transaction Bundles in and out: a whole Visit ↔ Bundle, one part ↔ its resources."""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from functools import lru_cache
from typing import Any, cast

from yibao_sdk.fhir.bundle import BundleBuilder, BundleIndex
from yibao_sdk.fhir.codec import Json, ResourceInput, load_json
from yibao_sdk.fhir.encounter import (
    VISIT_WHERE,
    condition_to_fhir,
    encounter_to_fhir,
    read_visit_header,
)
from yibao_sdk.fhir.errors import FhirError
from yibao_sdk.fhir.mapping import (
    Entry,
    FhirMapping,
    FhirOptions,
    Part,
    ReadContext,
    WriteContext,
    build,
)
from yibao_sdk.fhir.node import Node
from yibao_sdk.fhir.patient import CoverageInfo, coverage_to_fhir, patient_to_fhir, read_coverage
from yibao_sdk.fhir.patient import read_patient as _read_patient
from yibao_sdk.fhir.systems import (
    SID_CHARGE,
    SID_ORDER,
    SID_PATIENT,
    SID_RECORD,
    SID_SETTLEMENT,
    SID_VISIT,
)
from yibao_sdk.fhir.version import DEFAULT_VERSION, fhir_version, validate_resource
from yibao_sdk.models import Charge, FormRecord, ImagingReport, LabReport, SurgeryRecord, Visit

__all__ = [
    "DEFAULT_MAPPINGS",
    "WITHDRAWN",
    "bundle_from_visit",
    "load_mappings",
    "part_from_fhir",
    "part_to_bundle",
    "visit_from_bundle",
]

DEFAULT_MAPPINGS = (
    "yibao_sdk.adapters.lis.fhir",
    "yibao_sdk.adapters.pacs.fhir",
    "yibao_sdk.adapters.his.fhir",
    "yibao_sdk.fhir.surgery",
)
"""Modules mapping parts, asked in this order (HIS last: it takes unclassified requests)."""

WITHDRAWN = frozenset({"entered-in-error", "revoked", "cancelled", "aborted", "not-billable",
                       "not-done"})
"""Statuses of resources that are not part of the visit (core models carry no status)."""

_RECORDS = (SurgeryRecord, FormRecord, LabReport, ImagingReport)
_CONDITIONAL = frozenset({SID_PATIENT, SID_VISIT, SID_ORDER, SID_CHARGE, SID_RECORD,
                          SID_SETTLEMENT})


@lru_cache(maxsize=8)
def load_mappings(names: tuple[str, ...] = DEFAULT_MAPPINGS) -> tuple[FhirMapping, ...]:
    """Import the mapping modules by name (the core never imports an adapter statically)."""
    return tuple(cast(FhirMapping, importlib.import_module(name)) for name in names)


def visit_from_bundle(bundle_json: ResourceInput, *, version: str = DEFAULT_VERSION,
                      options: FhirOptions | None = None, validate: bool = True,
                      mappings: Iterable[FhirMapping] | None = None) -> Visit:
    """Map a Bundle (transaction, batch or collection) holding one Encounter to a core Visit.

    References resolve through ``fullUrl`` (``urn:uuid:`` or absolute), ``Type/id`` and
    ``#contained`` ids; practitioners referenced only by identifier keep that identifier.

    :param bundle_json: JSON text, parsed JSON or a fhir.resources ``Bundle``.
    :param version: ``R5`` (default) or ``R4B``.
    :param validate: validate with fhir.resources first (cardinality, formats).
    :raises FhirError: with an OperationOutcome naming the FHIRPath of the bad element.
    """
    release = fhir_version(version)
    data = load_json(bundle_json, root="Bundle")
    if data.get("resourceType") != "Bundle":
        raise FhirError.at("Bundle", "expected a Bundle", code="structure")
    if validate:
        validate_resource(data, release, root="Bundle")
    root = Node(data, "Bundle")
    index = BundleIndex.of_bundle(root)
    ctx = ReadContext(index, release, options or FhirOptions())
    encounter = _the_encounter(index, root)
    patient = _the_patient(encounter, ctx)
    coverage = _coverage_of(patient, ctx)
    fields: dict[str, Any] = {**read_visit_header(encounter, ctx),
                              "patient": _read_patient(patient, coverage),
                              **_parts(index, ctx, _mappings(mappings))}
    relative = encounter.path.removeprefix("Bundle.")
    period = "actualPeriod" if ctx.r5 else "period"
    where = {key: f"{relative}.{period if path == 'period' else path}"
             for key, path in VISIT_WHERE.items()}
    return build(Visit, fields, root, where)


def _mappings(mappings: Iterable[FhirMapping] | None) -> tuple[FhirMapping, ...]:
    return load_mappings() if mappings is None else tuple(mappings)


def _the_encounter(index: BundleIndex, root: Node) -> Node:
    encounters = index.of_type("Encounter")
    if len(encounters) != 1:
        root.fail(f"a visit bundle holds exactly one Encounter, found {len(encounters)}",
                  key="entry", code="required" if not encounters else "business-rule")
    return encounters[0]


def _the_patient(encounter: Node, ctx: ReadContext) -> Node:
    patient = ctx.resolve(encounter.child("subject"), encounter)
    if patient is None:
        patients = ctx.index.of_type("Patient")
        patient = patients[0] if len(patients) == 1 else None
    if patient is None or patient.resource_type != "Patient":
        encounter.fail("the encounter's patient is not in the bundle", key="subject",
                       code="not-found")
    return patient


def _coverage_of(patient: Node, ctx: ReadContext) -> CoverageInfo | None:
    coverages = ctx.index.of_type("Coverage")
    for coverage in coverages:
        if ctx.resolve(coverage.child("beneficiary"), coverage) is patient:
            return read_coverage(coverage)
    return read_coverage(coverages[0]) if len(coverages) == 1 else None


def _parts(index: BundleIndex, ctx: ReadContext,
           mappings: tuple[FhirMapping, ...]) -> dict[str, tuple[Any, ...]]:
    orders: list[Part] = []
    charges: list[Part] = []
    records: list[Part] = []
    for node in index.resources:
        part = _read(node, ctx, mappings)
        if isinstance(part, Charge):
            charges.append(part)
        elif isinstance(part, _RECORDS):
            records.append(part)
        elif part is not None:
            orders.append(part)
    return {"orders": tuple(orders), "charges": tuple(charges), "records": tuple(records)}


def _read(node: Node, ctx: ReadContext, mappings: tuple[FhirMapping, ...]) -> Part | None:
    if node.text("status") in WITHDRAWN:
        return None
    for mapping in mappings:
        part = mapping.read_resource(node, ctx)
        if part is not None:
            return part
    return None


def bundle_from_visit(visit: Visit, *, version: str = DEFAULT_VERSION,
                      options: FhirOptions | None = None, validate: bool = True,
                      mappings: Iterable[FhirMapping] | None = None) -> Json:
    """A transaction Bundle (POST entries, ``urn:uuid`` fullUrls) holding the whole visit.

    Entries with a yibao business identifier are conditional creates (``ifNoneExist``), so
    sending the same visit twice creates nothing new.  Decimals stay
    :class:`~decimal.Decimal`: serialise with :func:`yibao_sdk.fhir.dumps`.

    :param validate: validate the Bundle with fhir.resources before returning it.
    """
    release = fhir_version(version)
    builder = BundleBuilder(visit.visit_id)
    patient_url = builder.urn("patient", visit.patient.patient_id)
    encounter_url = builder.urn("encounter", visit.visit_id)
    present = {("order", o.order_id) for o in visit.orders}
    present |= {("charge", c.charge_id) for c in visit.charges}
    ctx = WriteContext(release, options or FhirOptions(), builder,
                       patient_ref={"reference": patient_url},
                       encounter_ref={"reference": encounter_url}, in_bundle=frozenset(present))
    _add(builder, patient_url, patient_to_fhir(visit.patient))
    coverage = coverage_to_fhir(visit.patient, ctx)
    if coverage is not None:
        _add(builder, builder.urn("coverage", visit.patient.patient_id), coverage)
    conditions = [builder.urn("condition", str(i)) for i in range(len(visit.diagnoses))]
    _add(builder, encounter_url, encounter_to_fhir(visit, ctx, conditions))
    for url, diagnosis in zip(conditions, visit.diagnoses, strict=True):
        _add(builder, url, condition_to_fhir(diagnosis, ctx))
    chosen = _mappings(mappings)
    for part in (*visit.orders, *visit.charges, *visit.records):
        for url, resource in _write(part, ctx, chosen):
            _add(builder, url, resource)
    bundle = builder.bundle()
    if validate:
        validate_resource(bundle, release, root="Bundle")
    return bundle


def _add(builder: BundleBuilder, url: str, resource: Json) -> None:
    """Add a POST entry, a conditional create when its first identifier is a business id of
    ours (never an ID-card number, nor a barcode several devices may share)."""
    idents = resource.get("identifier")
    first = idents[0] if isinstance(idents, list) and idents else idents
    query = ""
    if isinstance(first, dict) and first.get("system") in _CONDITIONAL:
        query = f"identifier={first['system']}|{first['value']}"
    builder.add(url, resource, if_none_exist=query)


def _write(part: Part, ctx: WriteContext, mappings: tuple[FhirMapping, ...]) -> list[Entry]:
    for mapping in mappings:
        entries = mapping.write_part(part, ctx)
        if entries is not None:
            return entries
    raise FhirError.at("", f"no FHIR mapping writes a {type(part).__name__}",
                       code="not-supported")


def part_from_fhir(resource: ResourceInput, *, version: str = DEFAULT_VERSION,
                   options: FhirOptions | None = None, validate: bool = True,
                   mappings: Iterable[FhirMapping] | None = None) -> Part:
    """The core order, charge or record one resource maps to.

    Given a Bundle, the first entry that maps is taken and the others are what it may
    reference (Devices, Observations, ImagingStudy, Provenance …).

    :raises FhirError: ``not-supported`` when nothing maps.
    """
    release = fhir_version(version)
    data = load_json(resource)
    kind = str(data.get("resourceType", ""))
    if validate:
        validate_resource(data, release, root=kind)
    node = Node(data, kind)
    index = BundleIndex.of_bundle(node) if kind == "Bundle" else BundleIndex.of_resource(node)
    ctx = ReadContext(index, release, options or FhirOptions())
    chosen = _mappings(mappings)
    for candidate in index.resources:
        part = _read(candidate, ctx, chosen)
        if part is not None:
            return part
    status = node.text("status")
    why = f" (status {status})" if status in WITHDRAWN else ""
    raise FhirError.at(kind, f"no core model maps from this {kind}{why}", code="not-supported")


def part_to_bundle(part: Part, *, patient_id: str, visit_id: str, version: str = DEFAULT_VERSION,
                   options: FhirOptions | None = None, validate: bool = True,
                   mappings: Iterable[FhirMapping] | None = None) -> Json:
    """A transaction Bundle of the resources one part maps to (the part's resource first);
    the patient and the encounter are referred to by identifier."""
    ctx = WriteContext.standalone(patient_id=patient_id, visit_id=visit_id, version=version,
                                  options=options)
    for url, resource in _write(part, ctx, _mappings(mappings)):
        _add(ctx.builder, url, resource)
    bundle = ctx.builder.bundle()
    if validate:
        validate_resource(bundle, ctx.version, root="Bundle")
    return bundle
