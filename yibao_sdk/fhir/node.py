"""A read-only view of FHIR JSON that knows its FHIRPath, so mapping errors name their element."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, NoReturn

from yibao_sdk.fhir.errors import FhirError
from yibao_sdk.models.base import to_local

__all__ = ["Node"]

_PARTIAL = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")


class Node:
    """One JSON object inside a FHIR resource, with its FHIRPath.

    Readers are lenient about ``0..1`` versus ``0..*`` (R4B and R5 differ there: a list is read
    as its items, an object as a one-item list) and strict about types: a wrong type raises
    :class:`FhirError` at the element's path.

    :param data: the JSON object.
    :param path: its FHIRPath, e.g. ``Bundle.entry[2].resource``.
    """

    __slots__ = ("data", "path")

    def __init__(self, data: Mapping[str, Any], path: str) -> None:
        self.data = data
        self.path = path

    def __repr__(self) -> str:
        return f"Node({self.path})"

    @property
    def resource_type(self) -> str:
        """``resourceType`` of a resource node (``""`` for a datatype)."""
        value = self.data.get("resourceType")
        return value if isinstance(value, str) else ""

    @property
    def id(self) -> str:
        """The logical id (``""`` when absent)."""
        return self.text("id")

    def at(self, key: str) -> str:
        """FHIRPath of ``key`` under this node."""
        return f"{self.path}.{key}"

    def fail(self, message: str, *, key: str = "", code: str = "invalid") -> NoReturn:
        """Raise :class:`FhirError` at this node (or at its ``key``)."""
        raise FhirError.at(self.at(key) if key else self.path, message, code=code)

    def has(self, key: str) -> bool:
        """True if ``key`` is present."""
        return self.data.get(key) is not None

    def child(self, key: str) -> Node | None:
        """The object at ``key`` (the first one when it is a list)."""
        items = self.children(key)
        return items[0] if items else None

    def children(self, key: str) -> list[Node]:
        """The objects at ``key``: a list's items, or a single object as a one-item list."""
        value = self.data.get(key)
        if value is None:
            return []
        if isinstance(value, Mapping):
            return [Node(value, self.at(key))]
        if not isinstance(value, list):
            self.fail("expected an object", key=key, code="structure")
        nodes = []
        for i, item in enumerate(value):
            if not isinstance(item, Mapping):
                self.fail("expected an object", key=f"{key}[{i}]", code="structure")
            nodes.append(Node(item, f"{self.at(key)}[{i}]"))
        return nodes

    def walk(self, *keys: str) -> Node | None:
        """Follow ``keys`` through first children: ``walk("dispenseRequest", "quantity")``."""
        node: Node | None = self
        for key in keys:
            node = node.child(key) if node is not None else None
        return node

    def text(self, key: str, default: str = "") -> str:
        """The string at ``key``, or ``default``."""
        value = self.data.get(key)
        if value is None:
            return default
        if not isinstance(value, str):
            self.fail("expected a string", key=key, code="value")
        return value

    def texts(self, key: str) -> list[str]:
        """The strings at ``key`` (a single string counts as one)."""
        value = self.data.get(key)
        if value is None:
            return []
        items = value if isinstance(value, list) else [value]
        if not all(isinstance(item, str) for item in items):
            self.fail("expected strings", key=key, code="value")
        return list(items)

    def number(self, key: str) -> Decimal | None:
        """The decimal at ``key``, exact (a float is read through its shortest repr)."""
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, bool):
            self.fail("expected a number", key=key, code="value")
        if isinstance(value, Decimal | int):
            return Decimal(value)
        if isinstance(value, float):
            return Decimal(repr(value))
        if isinstance(value, str):  # from XML or a lenient sender
            try:
                return Decimal(value)
            except InvalidOperation:
                pass
        self.fail("expected a decimal number", key=key, code="value")

    def integer(self, key: str) -> int | None:
        """The integer at ``key``."""
        value = self.number(key)
        if value is None:
            return None
        if value != value.to_integral_value():
            self.fail("expected an integer", key=key, code="value")
        return int(value)

    def flag(self, key: str) -> bool | None:
        """The boolean at ``key``."""
        value = self.data.get(key)
        if value is None or isinstance(value, bool):
            return value
        self.fail("expected true or false", key=key, code="value")

    def moment(self, key: str) -> datetime | None:
        """The date/dateTime/instant at ``key`` as China-local naive time.

        Partial dates (``2013``, ``2013-04``) and plain dates read as the start of the period.
        """
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, datetime):
            return to_local(value)
        if isinstance(value, date):
            return datetime(value.year, value.month, value.day)
        if isinstance(value, str):
            parsed = _parse_moment(value)
            if parsed is not None:
                return to_local(parsed)
        self.fail("expected a FHIR date or dateTime", key=key, code="value")

    def day(self, key: str) -> date | None:
        """The date at ``key`` (a dateTime keeps its local date)."""
        moment = self.moment(key)
        return moment.date() if moment is not None else None

    def choice(self, prefix: str) -> tuple[str, Any]:
        """The ``prefix[x]`` element as ``(type, value)``, e.g. ``("Quantity", {...})``."""
        for key, value in self.data.items():
            if key.startswith(prefix) and key[len(prefix):][:1].isupper() and value is not None:
                return key[len(prefix):], value
        return "", None

    def extensions(self, url: str) -> Iterator[Node]:
        """The extensions with ``url``."""
        return (ext for ext in self.children("extension") if ext.data.get("url") == url)

    def extension(self, url: str) -> Node | None:
        """The first extension with ``url``."""
        return next(self.extensions(url), None)


def _parse_moment(text: str) -> datetime | None:
    match = _PARTIAL.match(text)
    if match:
        year, month, day = match.groups()
        return datetime(int(year), int(month or 1), int(day or 1))
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None
