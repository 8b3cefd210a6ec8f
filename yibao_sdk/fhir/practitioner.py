"""Practitioner ↔ FHIR Practitioner (title as qualification.code) and PractitionerRole (科室)."""

from __future__ import annotations

from yibao_sdk.fhir.bundle import BundleIndex
from yibao_sdk.fhir.codec import Json, ResourceInput, load_json
from yibao_sdk.fhir.datatypes import (
    coding,
    concept,
    concept_codes,
    concept_text,
    ident_ref,
    identifier,
    identifier_value,
    person_name,
)
from yibao_sdk.fhir.mapping import build, resource_id, standalone
from yibao_sdk.fhir.node import Node
from yibao_sdk.fhir.systems import CS_TITLE, SID_NHSA_PRACTITIONER, SID_PRACTITIONER
from yibao_sdk.fhir.version import DEFAULT_VERSION, fhir_version, validate_resource
from yibao_sdk.models import Practitioner, ProfessionalTitle

__all__ = [
    "practitioner_from_fhir",
    "practitioner_to_fhir",
    "practitioners_from_bundle",
    "read_practitioner",
]

# GB/T 8561 professional title codes, the inverse of ProfessionalTitle.from_code
_TITLE_CODES = {ProfessionalTitle.from_code(code): code for code in ("231", "232", "233", "234",
                                                                     "235")}
_WHERE = {"practitioner_id": "identifier", "name": "name", "title": "qualification",
          "national_code": "identifier"}


def practitioner_to_fhir(practitioner: Practitioner) -> list[Json]:
    """A FHIR Practitioner, plus a PractitionerRole carrying the department when there is one.

    The grey-list tier is the 医保办's own judgement and is not written.
    """
    identifiers = [identifier(SID_PRACTITIONER, practitioner.practitioner_id)]
    if practitioner.national_code:
        identifiers.append(identifier(SID_NHSA_PRACTITIONER, practitioner.national_code))
    title = practitioner.title
    out: list[Json] = [{
        "resourceType": "Practitioner",
        "identifier": identifiers,
        "name": [{"text": practitioner.name}],
        "qualification": [{"code": concept(coding(CS_TITLE, _TITLE_CODES[title], title.value),
                                           text=title.value)}],
    }]
    if practitioner.department:
        out.append({
            "resourceType": "PractitionerRole",
            "practitioner": ident_ref("Practitioner", SID_PRACTITIONER,
                                      practitioner.practitioner_id),
            "specialty": [{"text": practitioner.department}],
        })
    return out


def read_practitioner(node: Node, role: Node | None = None) -> Practitioner:
    """A core Practitioner from a FHIR Practitioner node and, optionally, its role."""
    data = {
        "practitioner_id": resource_id(node, SID_PRACTITIONER),
        "name": person_name(node),
        "title": _title(node),
        "national_code": identifier_value(node, SID_NHSA_PRACTITIONER) or None,
        "department": _department(role) if role is not None else "",
    }
    return build(Practitioner, data, node, _WHERE)


def _title(node: Node) -> ProfessionalTitle:
    for qualification in node.children("qualification"):
        code = qualification.child("code")
        for value in [*concept_codes(code, CS_TITLE), *concept_codes(code), concept_text(code)]:
            try:
                return ProfessionalTitle.from_code(value)
            except ValueError:
                continue
    node.fail("no professional title (职称) among the qualifications", key="qualification",
              code="required")


def _department(role: Node) -> str:
    for key in ("specialty", "location", "organization"):
        for item in role.children(key):
            text = concept_text(item) or item.text("display")
            if text:
                return text
    return ""


def practitioner_from_fhir(resource: ResourceInput, *, role: ResourceInput | None = None,
                           version: str = DEFAULT_VERSION, validate: bool = True) -> Practitioner:
    """Map a FHIR Practitioner (and optionally its PractitionerRole) to a core Practitioner."""
    node, _ = standalone(resource, "Practitioner", version=version, validate=validate)
    role_node = None
    if role is not None:
        role_node, _ = standalone(role, "PractitionerRole", version=version, validate=validate)
    return read_practitioner(node, role_node)


def practitioners_from_bundle(bundle: ResourceInput, *, version: str = DEFAULT_VERSION,
                              validate: bool = True) -> list[Practitioner]:
    """Every Practitioner of a Bundle, with the department from a role that points at it."""
    data = load_json(bundle, root="Bundle")
    if validate:
        validate_resource(data, fhir_version(version), root="Bundle")
    index = BundleIndex.of_bundle(Node(data, "Bundle"))
    roles: dict[int, Node] = {}
    for role in index.of_type("PractitionerRole"):
        target = index.resolve(role.child("practitioner"))
        if target is not None:
            roles.setdefault(id(target.data), role)
    return [read_practitioner(node, roles.get(id(node.data)))
            for node in index.of_type("Practitioner")]
