"""FHIR datatypes both ways: Coding, CodeableConcept, Identifier, Reference, Money, dateTime."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from yibao_sdk.fhir.codec import Json
from yibao_sdk.fhir.node import Node
from yibao_sdk.fhir.systems import CS_HOSPITAL_ITEM, CS_NHSA_ITEM, CURRENCY
from yibao_sdk.models.base import CHINA

__all__ = [
    "as_reference",
    "coding",
    "concept",
    "concept_codes",
    "concept_text",
    "extension",
    "fhir_date",
    "fhir_datetime",
    "ident_ref",
    "identifier",
    "identifier_value",
    "item_concept",
    "money",
    "person_name",
    "read_item",
    "reference_id",
]

_CJK = re.compile(r"[\u3400-\u9fff]")
_NO_ITEM = "未指定项目"
"""Text of an item concept with neither code nor name (a CodeableConcept cannot be empty)."""


def fhir_datetime(value: datetime) -> str:
    """A dateTime in China time: naive (local) times get ``+08:00``; seconds always present."""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=CHINA)
    return aware.isoformat()


def fhir_date(value: date) -> str:
    """A FHIR date."""
    return value.isoformat()


def coding(system: str, code: str, display: str = "") -> Json:
    """A Coding (``display`` omitted when empty)."""
    out: Json = {"system": system, "code": code}
    if display:
        out["display"] = display
    return out


def concept(*codings: Json, text: str = "") -> Json:
    """A CodeableConcept of ``codings`` and ``text`` (either may be empty, not both)."""
    out: Json = {}
    if codings:
        out["coding"] = list(codings)
    if text:
        out["text"] = text
    return out


def identifier(system: str, value: str, type_code: str = "", type_system: str = "") -> Json:
    """An Identifier, optionally typed (e.g. v2-0203 ``MR``)."""
    out: Json = {"system": system, "value": value}
    if type_code:
        out["type"] = concept(coding(type_system, type_code))
    return out


def ident_ref(resource_type: str, system: str, value: str) -> Json:
    """A logical reference by identifier (``type`` omitted when empty): nothing needs to exist
    in the bundle for it."""
    ref: Json = {"type": resource_type} if resource_type else {}
    ref["identifier"] = {"system": system, "value": value}
    return ref


def money(amount: Decimal) -> Json:
    """Money in yuan (CNY), the Decimal kept exact."""
    return {"value": amount, "currency": CURRENCY}


def extension(url: str, **value: Any) -> Json:
    """An extension: ``extension(URL, valueString="x")``."""
    return {"url": url, **value}


def item_concept(item_code: str, hospital_item_code: str, name: str) -> Json:
    """The CodeableConcept of a billed/ordered item: national code, hospital code, name."""
    codings = []
    if item_code:
        codings.append(coding(CS_NHSA_ITEM, item_code))
    if hospital_item_code:
        codings.append(coding(CS_HOSPITAL_ITEM, hospital_item_code))
    return concept(*codings, text=name or ("" if codings else _NO_ITEM))


def read_item(node: Node | None) -> tuple[str, str, str]:
    """``(item_code, hospital_item_code, name)`` from an item CodeableConcept.

    Foreign codings count as the national code when no yibao system is present.
    """
    if node is None:
        return "", "", ""
    national = concept_codes(node, CS_NHSA_ITEM)
    hospital = concept_codes(node, CS_HOSPITAL_ITEM)
    if not national and not hospital:
        national = concept_codes(node)
    name = node.text("text") or _first_display(node)
    if name == _NO_ITEM and not national:
        name = ""
    return (national[0] if national else "", hospital[0] if hospital else "", name)


def concept_codes(node: Node | None, system: str | None = None) -> list[str]:
    """Codes of a CodeableConcept (or of a bare Coding), optionally from one ``system``."""
    if node is None:
        return []
    codings = node.children("coding") if node.has("coding") else [node]
    return [c.text("code") for c in codings
            if c.text("code") and (system is None or c.text("system") == system)]


def concept_text(node: Node | None) -> str:
    """A CodeableConcept's text, else its first display, else its first code."""
    if node is None:
        return ""
    if node.text("text"):
        return node.text("text")
    codes = concept_codes(node)
    return _first_display(node) or (codes[0] if codes else "")


def _first_display(node: Node) -> str:
    for c in node.children("coding"):
        if c.text("display"):
            return c.text("display")
    return ""


def identifier_value(node: Node, system: str | None = None, *, type_code: str = "",
                     key: str = "identifier") -> str:
    """The value of the first identifier at ``key`` with ``system`` (any, when ``None``)."""
    for ident in node.children(key):
        if system is not None and ident.text("system") != system:
            continue
        if type_code and type_code not in concept_codes(ident.child("type")):
            continue
        if ident.text("value"):
            return ident.text("value")
    return ""


def as_reference(node: Node) -> Node:
    """The Reference of a CodeableReference (R5), or ``node`` itself when it is a Reference."""
    inner = node.child("reference") if isinstance(node.data.get("reference"), Mapping) else None
    return inner if inner is not None else node


def reference_id(ref: Node | None) -> str:
    """The id a Reference names: identifier value, else the ``Type/id`` tail, else ``""``."""
    if ref is None:
        return ""
    ident = ref.child("identifier")
    if ident is not None and ident.text("value"):
        return ident.text("value")
    target = ref.text("reference").split("/_history/")[0]
    if not target or target.startswith(("#", "urn:")):
        return ""
    return target.rstrip("/").rsplit("/", 1)[-1]


def person_name(node: Node) -> str:
    """A HumanName as one string: text, else family+given (joined without a space for 中文)."""
    for name in node.children("name"):
        if name.text("text"):
            return name.text("text")
        family, given = name.text("family"), "".join(name.texts("given"))
        if _CJK.search(family + given):
            return family + given
        return " ".join([*name.texts("given"), family]).strip()
    return ""
