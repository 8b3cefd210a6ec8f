"""FHIR JSON/XML in and out with exact decimals (fhir.resources turns decimals into floats)."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from fhir_core.fhirabstractmodel import FHIRAbstractModel
from pydantic import ValidationError

from yibao_sdk.fhir.errors import FhirError
from yibao_sdk.fhir.version import FhirVersion, model_class

__all__ = ["Json", "ResourceInput", "dumps", "load_json", "model_to_json", "resource_from_xml"]

Json = dict[str, Any]
"""FHIR JSON as Python: dicts, lists, str, bool, int and :class:`~decimal.Decimal`."""

ResourceInput = str | bytes | bytearray | Mapping[str, Any] | FHIRAbstractModel
"""What the mapping functions accept: JSON text, parsed JSON, or a fhir.resources model."""


def load_json(data: ResourceInput, *, root: str = "") -> Json:
    """Parse FHIR JSON keeping every decimal exact (``1.10`` stays ``Decimal('1.10')``).

    A mapping is returned as is (floats in it are read as their shortest repr later); a
    fhir.resources model is converted with :func:`model_to_json`.

    :raises FhirError: ``structure`` when the text is not a JSON object.
    """
    if isinstance(data, FHIRAbstractModel):
        return model_to_json(data)
    if isinstance(data, Mapping):
        return data if isinstance(data, dict) else dict(data)
    try:
        parsed = json.loads(data, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError) as exc:
        raise FhirError.at(root, f"not valid JSON: {exc}", code="structure") from exc
    if not isinstance(parsed, dict):
        raise FhirError.at(root, "a FHIR resource must be a JSON object", code="structure")
    return parsed


def dumps(resource: Any) -> str:
    """Compact FHIR JSON text with decimals written exactly as held (``12.345``, ``1.10``).

    :func:`json.dumps` cannot write a :class:`~decimal.Decimal` as a number, and
    fhir.resources' own ``model_dump_json`` goes through float, so this small encoder does it.
    """
    out: list[str] = []
    _encode(resource, out)
    return "".join(out)


def _encode(value: Any, out: list[str]) -> None:
    if isinstance(value, Mapping):
        out.append("{")
        for i, (key, item) in enumerate(value.items()):
            if i:
                out.append(",")
            out.append(json.dumps(str(key), ensure_ascii=False))
            out.append(":")
            _encode(item, out)
        out.append("}")
    elif isinstance(value, list | tuple):
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            _encode(item, out)
        out.append("]")
    elif isinstance(value, Decimal):
        out.append(_decimal_text(value))
    else:
        out.append(json.dumps(value, ensure_ascii=False))


def _decimal_text(value: Decimal) -> str:
    if not value.is_finite():
        raise ValueError(f"FHIR decimals are finite, got {value}")
    return str(value)


def model_to_json(model: FHIRAbstractModel) -> Json:
    """FHIR JSON of a fhir.resources model, keeping its decimals as :class:`~decimal.Decimal`."""
    out: Json = {}
    if model.has_resource_base():
        out["resourceType"] = model.get_resource_type()
    for name, field in type(model).model_fields.items():
        value = getattr(model, name, None)
        if value is None or value == [] or name == "fhir_comments":
            continue
        out[field.alias or name] = _plain(value)
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, FHIRAbstractModel):
        return model_to_json(value)
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode("ascii")
    return value


def resource_from_xml(text: str | bytes, resource_type: str, version: FhirVersion) -> Json:
    """Read FHIR XML into FHIR JSON (decimals exact) via fhir.resources' XML support (lxml).

    :raises FhirError: ``not-supported`` without lxml; ``structure`` for invalid XML.
    """
    cls = model_class(resource_type, version)
    try:
        model = cls.model_validate_xml(text)
    except ImportError as exc:
        raise FhirError.at(resource_type, "FHIR XML needs lxml (pip install lxml)",
                           code="not-supported") from exc
    except ValidationError as exc:
        raise FhirError.from_validation(exc, resource_type) from exc
    except ValueError as exc:  # lxml.etree.XMLSyntaxError is a ValueError
        raise FhirError.at(resource_type, f"not valid FHIR XML: {exc}", code="structure") from exc
    return model_to_json(model)
