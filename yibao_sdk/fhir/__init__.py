"""FHIR R5 (default) and R4B for yibao-sdk: core models ↔ resources and transaction Bundles.

Built on fhir.resources (imported only inside this package and the adapters' ``fhir``
modules).  Per-system mappings live in ``yibao_sdk.adapters.{his,lis,pacs}.fhir``; this package
holds what they share: version selection, exact-decimal JSON, reference resolution, the
Bundle assembler, Patient/Encounter/Practitioner/Coverage/Claim mappings and errors carrying an
OperationOutcome.

>>> bundle = bundle_from_visit(visit)                     # doctest: +SKIP
>>> visit_from_bundle(dumps(bundle)) == visit             # doctest: +SKIP
"""

from yibao_sdk.fhir.claim import (
    claim_from_settlement,
    claim_response_from_result,
    result_from_claim_response,
    settlement_from_claim,
)
from yibao_sdk.fhir.codec import Json, ResourceInput, dumps, load_json, resource_from_xml
from yibao_sdk.fhir.device import implant_from_device
from yibao_sdk.fhir.errors import FhirError, Issue, operation_outcome
from yibao_sdk.fhir.mapping import FhirMapping, FhirOptions, Part, ReadContext, WriteContext
from yibao_sdk.fhir.patient import (
    CoverageInfo,
    coverage_from_fhir,
    patient_from_fhir,
    patient_to_fhir,
)
from yibao_sdk.fhir.practitioner import (
    practitioner_from_fhir,
    practitioner_to_fhir,
    practitioners_from_bundle,
)
from yibao_sdk.fhir.surgery import surgery_from_fhir
from yibao_sdk.fhir.version import DEFAULT_VERSION, FhirVersion, fhir_version, validate_resource
from yibao_sdk.fhir.visit import (
    DEFAULT_MAPPINGS,
    bundle_from_visit,
    part_from_fhir,
    part_to_bundle,
    visit_from_bundle,
)

__all__ = [
    "DEFAULT_MAPPINGS",
    "DEFAULT_VERSION",
    "CoverageInfo",
    "FhirError",
    "FhirMapping",
    "FhirOptions",
    "FhirVersion",
    "Issue",
    "Json",
    "Part",
    "ReadContext",
    "ResourceInput",
    "WriteContext",
    "bundle_from_visit",
    "claim_from_settlement",
    "claim_response_from_result",
    "coverage_from_fhir",
    "dumps",
    "fhir_version",
    "implant_from_device",
    "load_json",
    "operation_outcome",
    "part_from_fhir",
    "part_to_bundle",
    "patient_from_fhir",
    "patient_to_fhir",
    "practitioner_from_fhir",
    "practitioner_to_fhir",
    "practitioners_from_bundle",
    "resource_from_xml",
    "result_from_claim_response",
    "settlement_from_claim",
    "surgery_from_fhir",
    "validate_resource",
    "visit_from_bundle",
]
