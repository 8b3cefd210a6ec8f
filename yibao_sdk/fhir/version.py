"""FHIR version selection (R5 default, R4B) and validation with fhir.resources models."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any, Literal

from fhir.resources import get_fhir_model_class as _r5_class
from fhir.resources.R4B import get_fhir_model_class as _r4b_class
from fhir_core.fhirabstractmodel import FHIRAbstractModel
from pydantic import ValidationError

from yibao_sdk.fhir.errors import FhirError

__all__ = ["DEFAULT_VERSION", "FhirVersion", "fhir_version", "model_class", "validate_resource"]

FhirVersion = Literal["R5", "R4B"]
"""The FHIR releases fhir.resources 8 offers: R5 (5.0.0) at its root and R4B (4.3.0)."""

DEFAULT_VERSION: FhirVersion = "R5"

# R4 (4.0.1) has no package of its own in fhir.resources 8: its JSON is read with the R4B
# models, which are field-compatible for every resource mapped here.
_ALIASES: dict[str, FhirVersion] = {
    "r5": "R5", "5.0": "R5", "5.0.0": "R5",
    "r4b": "R4B", "4.3": "R4B", "4.3.0": "R4B",
    "r4": "R4B", "4.0": "R4B", "4.0.1": "R4B",
}
_GETTERS: dict[FhirVersion, Callable[[str], type[FHIRAbstractModel]]] = {
    "R5": _r5_class,
    "R4B": _r4b_class,
}


def fhir_version(value: str) -> FhirVersion:
    """Normalise a version name (``R5``, ``5.0.0``, ``R4B``, ``4.3``; R4 reads as R4B).

    :raises FhirError: ``not-supported`` for anything else.
    """
    version = _ALIASES.get(value.strip().lower())
    if version is None:
        raise FhirError.at("", f"FHIR version {value!r} is not supported (R5 or R4B)",
                           code="not-supported")
    return version


@lru_cache(maxsize=256)
def model_class(resource_type: str, version: FhirVersion) -> type[FHIRAbstractModel]:
    """The fhir.resources class for ``resource_type`` in ``version``.

    :raises FhirError: ``not-supported`` when the name is not a resource of that version.
    """
    try:
        cls = _GETTERS[fhir_version(version)](resource_type)
    except ValueError:
        cls = None
    if cls is None or not cls.has_resource_base():
        raise FhirError.at(resource_type, f"{resource_type!r} is not a FHIR {version} resource",
                           code="not-supported")
    return cls


def validate_resource(data: Mapping[str, Any], version: FhirVersion, *,
                      root: str = "") -> FHIRAbstractModel:
    """Validate FHIR JSON with fhir.resources: cardinality, primitive formats, unknown elements.

    Code bindings and profiles are not checked by fhir.resources.

    :param data: the resource as JSON (decimals may be :class:`~decimal.Decimal`).
    :param root: FHIRPath prefix for error expressions; defaults to the resource type.
    :raises FhirError: naming every invalid element by FHIRPath.
    """
    resource_type = data.get("resourceType")
    if not isinstance(resource_type, str) or not resource_type:
        raise FhirError.at(root, "resourceType is missing", code="structure")
    cls = model_class(resource_type, version)
    try:
        return cls.model_validate(data)
    except ValidationError as exc:
        raise FhirError.from_validation(exc, root or resource_type) from exc
