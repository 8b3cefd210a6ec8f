"""The contract between the Bundle assembler and the per-system mappings, and their contexts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel, ValidationError

from yibao_sdk.fhir.bundle import BundleBuilder, BundleIndex
from yibao_sdk.fhir.codec import Json, ResourceInput, load_json
from yibao_sdk.fhir.datatypes import ident_ref, identifier_value, reference_id
from yibao_sdk.fhir.errors import FhirError, Issue
from yibao_sdk.fhir.node import Node
from yibao_sdk.fhir.systems import (
    CURRENCY,
    Q_TEG_PREOP,
    SID_CHARGE,
    SID_ORDER,
    SID_PATIENT,
    SID_PRACTITIONER,
    SID_VISIT,
)
from yibao_sdk.fhir.version import DEFAULT_VERSION, FhirVersion, fhir_version, validate_resource
from yibao_sdk.models import (
    Charge,
    ConsumableOrder,
    DrugOrder,
    FormRecord,
    ImagingOrder,
    ImagingReport,
    LabOrder,
    LabReport,
    ProcedureOrder,
    SurgeryRecord,
)

__all__ = [
    "Entry",
    "FhirMapping",
    "FhirOptions",
    "Part",
    "ReadContext",
    "WriteContext",
    "build",
    "standalone",
]

Part = (DrugOrder | LabOrder | ImagingOrder | ProcedureOrder | ConsumableOrder | Charge
        | SurgeryRecord | FormRecord | LabReport | ImagingReport)
"""What one FHIR resource (with the resources it references) becomes in a visit."""

Entry = tuple[str, Json]
"""A bundle entry to be: ``(fullUrl, resource)``."""

M = TypeVar("M", bound=BaseModel)


def _default_questionnaires() -> dict[str, str]:
    return {Q_TEG_PREOP: "preop_assessment"}


@dataclass(frozen=True, slots=True)
class FhirOptions:
    """Hospital choices for the FHIR mappings.

    :ivar questionnaires: questionnaire canonical (without ``|version``) → ``form_type``;
        an unlisted canonical maps to its last path segment, and back.
    :ivar currencies: currencies accepted in Money (``None``: any); amounts are read as 元.
    """

    questionnaires: Mapping[str, str] = field(default_factory=_default_questionnaires)
    currencies: frozenset[str] | None = frozenset({CURRENCY})

    def form_type(self, canonical: str) -> str:
        """The form type of a questionnaire canonical."""
        url = canonical.split("|", 1)[0]
        return self.questionnaires.get(url) or url.rstrip("/").rsplit("/", 1)[-1]

    def questionnaire(self, form_type: str) -> str:
        """The questionnaire canonical of a form type."""
        for url, kind in self.questionnaires.items():
            if kind == form_type:
                return url
        return f"{Q_TEG_PREOP.rsplit('/', 1)[0]}/{form_type}"


class ReadContext:
    """What a reader may consult: the bundle index, the version and the options."""

    def __init__(self, index: BundleIndex, version: FhirVersion, options: FhirOptions) -> None:
        self.index = index
        self.version = version
        self.options = options
        self._provenance: dict[int, list[Node]] = {}
        for prov in index.of_type("Provenance"):
            for target in prov.children("target"):
                node = index.resolve(target)
                if node is not None:
                    self._provenance.setdefault(id(node.data), []).append(prov)

    @property
    def r5(self) -> bool:
        """True when reading R5."""
        return self.version == "R5"

    def resolve(self, ref: Node | None, within: Node | None = None) -> Node | None:
        """The resource ``ref`` points at, if it is in the bundle (or contained in ``within``)."""
        return self.index.resolve(ref, within=within)

    def provenance(self, resource: Node) -> list[Node]:
        """Provenance resources targeting ``resource``, contained ones first."""
        contained = [c for c in resource.children("contained") if c.resource_type == "Provenance"]
        return contained + self._provenance.get(id(resource.data), [])

    def practitioner_id(self, ref: Node | None, within: Node | None = None) -> str:
        """The staff number (工号) a Practitioner/PractitionerRole reference names, or ``""``."""
        target = self.resolve(ref, within)
        if target is not None and target.resource_type == "PractitionerRole":
            return self.practitioner_id(target.child("practitioner"), target)
        if target is not None and target.resource_type == "Practitioner":
            return resource_id(target, SID_PRACTITIONER, required=False)
        return reference_id(ref)

    def order_id(self, ref: Node | None, within: Node | None = None) -> str | None:
        """The order id a reference to a MedicationRequest/ServiceRequest names."""
        target = self.resolve(ref, within)
        if target is not None:
            return resource_id(target, SID_ORDER)
        return reference_id(ref) or None

    def charge_id(self, ref: Node | None) -> str | None:
        """The charge id a reference to a ChargeItem names."""
        target = self.resolve(ref)
        return resource_id(target, SID_CHARGE) if target is not None else reference_id(ref) or None

    def money(self, node: Node | None) -> Decimal | None:
        """A Money's value in 元; another currency is refused unless the options allow it."""
        if node is None:
            return None
        currency = node.text("currency")
        allowed = self.options.currencies
        if currency and allowed is not None and currency not in allowed:
            node.fail(f"currency {currency} is not accepted (expected {'/'.join(sorted(allowed))})",
                      key="currency", code="not-supported")
        return node.number("value")


def resource_id(node: Node, system: str, *, required: bool = True) -> str:
    """A resource's business id: the identifier in ``system``, else its first identifier value,
    else its logical id; a :class:`FhirError` at ``identifier`` when there is none."""
    value = identifier_value(node, system) or identifier_value(node) or node.id
    if not value and required:
        node.fail("no identifier and no id to take the business id from", key="identifier",
                  code="required")
    return value


class WriteContext:
    """What a writer may consult: version, options, and the references of the visit's resources.

    :param builder: gives the ``urn:uuid`` of each resource to be written.
    :param patient_ref: reference to the patient (urn in a bundle, identifier otherwise).
    :param encounter_ref: reference to the encounter.
    :param in_bundle: ``(kind, key)`` of the resources this bundle will hold; references to
        anything else are written as logical references by identifier.
    """

    def __init__(self, version: FhirVersion, options: FhirOptions, builder: BundleBuilder, *,
                 patient_ref: Json, encounter_ref: Json,
                 in_bundle: frozenset[tuple[str, str]] = frozenset()) -> None:
        self.version = version
        self.options = options
        self.builder = builder
        self.patient_ref = patient_ref
        self.encounter_ref = encounter_ref
        self._in_bundle = in_bundle

    @classmethod
    def standalone(cls, *, patient_id: str, visit_id: str, version: str = DEFAULT_VERSION,
                   options: FhirOptions | None = None) -> WriteContext:
        """A context for resources written on their own, referring to patient and visit by id."""
        return cls(fhir_version(version), options or FhirOptions(), BundleBuilder(visit_id),
                   patient_ref=ident_ref("Patient", SID_PATIENT, patient_id),
                   encounter_ref=ident_ref("Encounter", SID_VISIT, visit_id))

    @property
    def r5(self) -> bool:
        """True when writing R5."""
        return self.version == "R5"

    def urn(self, kind: str, key: str) -> str:
        """The fullUrl of the resource of ``kind`` keyed ``key``."""
        return self.builder.urn(kind, key)

    def ref(self, kind: str, key: str, resource_type: str, system: str) -> Json:
        """A reference to a resource of this bundle, or by identifier when it is not in it."""
        if (kind, key) in self._in_bundle:
            return {"reference": self.urn(kind, key)}
        return ident_ref(resource_type, system, key)

    def practitioner(self, practitioner_id: str) -> Json:
        """A reference to a practitioner by staff number."""
        return ident_ref("Practitioner", SID_PRACTITIONER, practitioner_id)


class FhirMapping(Protocol):
    """What a per-system mapping module offers (``yibao_sdk.adapters.<system>.fhir``).

    Both functions answer ``None`` for what is not theirs; the assembler asks each mapping in
    turn and the first answer wins.
    """

    def read_resource(self, node: Node, ctx: ReadContext) -> Part | None:
        """The core object ``node`` (a resource) maps to, or ``None`` when not handled."""

    def write_part(self, part: Part, ctx: WriteContext) -> list[Entry] | None:
        """The resources ``part`` maps to, or ``None`` when not handled."""


def build(model: type[M], data: Mapping[str, Any], node: Node,
          where: Mapping[str, str] | None = None) -> M:
    """Validate a core model; its errors become a :class:`FhirError` at the FHIR element.

    :param where: core field name → element path under ``node`` (e.g. ``"charged_at":
        "occurrenceDateTime"``); model-level errors point at ``node`` itself.
    """
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        places = where or {}
        issues = []
        for err in exc.errors(include_url=False, include_input=False):
            loc = [str(step) for step in err["loc"]]
            place = places.get(loc[0], "") if loc else ""
            expression = node.at(place) if place else node.path
            name = ".".join([model.__name__, *loc])
            issues.append(Issue(f"{name}: {err['msg']}", expression,
                                "value" if loc else "business-rule"))
        raise FhirError(issues) from exc


def standalone(resource: ResourceInput, resource_type: str, *, version: str = DEFAULT_VERSION,
               options: FhirOptions | None = None, validate: bool = True,
               ) -> tuple[Node, ReadContext]:
    """Load and (optionally) validate one resource for a reader.

    :raises FhirError: when the JSON is invalid or is not a ``resource_type``.
    """
    release = fhir_version(version)
    data = load_json(resource, root=resource_type)
    if data.get("resourceType") != resource_type:
        raise FhirError.at(resource_type, f"expected a {resource_type}, got "
                           f"{data.get('resourceType')!r}", code="structure")
    if validate:
        validate_resource(data, release, root=resource_type)
    node = Node(data, resource_type)
    return node, ReadContext(BundleIndex.of_resource(node), release, options or FhirOptions())
