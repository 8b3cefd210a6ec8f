"""Bases and field types of the wire models, and :func:`to_wire` with its null policy.

* :class:`OutboundModel` (what we send): frozen, unknown fields are an error, lengths checked.
* :class:`InboundModel` (what the platform sends): frozen, unknown fields kept (provinces add
  members), numbers accepted where text is expected, ``""`` read as absent, a single object
  accepted where a list is expected (:func:`as_list`).

Formats (reference §5): date-times ``yyyy-MM-dd HH:mm:ss``, dates ``yyyy-MM-dd``; amounts
``16,2``, unit prices ``16,6``, quantities ``16,4``, ratios ``5,4``; money is ``Decimal``.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum, StrEnum
from typing import Annotated, Any, TypeVar, get_args

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from yibao_sdk.models.base import to_local

__all__ = [
    "Amount",
    "BytesEncoding",
    "Count",
    "InAmount",
    "InDate",
    "InDateTime",
    "InboundModel",
    "ListOf",
    "NullPolicy",
    "OutboundModel",
    "Price",
    "Ratio",
    "WireDate",
    "WireDateTime",
    "as_list",
    "lifted",
    "parse_wire_date",
    "parse_wire_datetime",
    "to_wire",
    "wrapped",
]

DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"
DATE_FORMAT = "%Y-%m-%d"
_DATETIME_INPUTS = (DATETIME_FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y%m%d%H%M%S", "%Y-%m-%d %H:%M")
_DATE_INPUTS = (DATE_FORMAT, "%Y%m%d")
T = TypeVar("T")


class NullPolicy(StrEnum):
    """How an absent value is written (reference §5 "Nulls vs empty"; per profile/infno)."""

    OMIT = "omit"
    """Leave the member out (``NullValueHandling.Ignore``)."""
    EMPTY = "empty"
    """Write ``""``."""
    NULL = "null"
    """Write ``null``."""
    ZERO_OR_EMPTY = "zero_or_empty"
    """Write ``"0"`` for a numeric member and ``""`` for any other (one C# implementation)."""


class BytesEncoding(StrEnum):
    """How 9101 ``fsUploadIn.in`` carries the file: a JSON array of bytes or Base64 ([U])."""

    ARRAY = "array"
    BASE64 = "base64"


def as_list(node: Any) -> list[Any]:
    """A node the spec calls a list, whatever the gateway sent.

    ``None``/``""`` → ``[]``; a list → itself; a tuple → a list; anything else (one object)
    → a one-element list. Reference §5: ``feedetail``, ``output.result``, ``setldetail`` arrive
    as a list from some provinces and as a single object from others.
    """
    if node is None or node == "":
        return []
    if isinstance(node, list):
        return node
    if isinstance(node, tuple):
        return list(node)
    return [node]


def lifted(data: Any, node: str, *, unless: str) -> Any:
    """``data`` with the members of ``data[node]`` lifted up when ``unless`` is missing.

    For a model's before-validator: ``output.setl_list_id`` vs ``output.data.setl_list_id``
    (reference §5) both read the same.
    """
    if isinstance(data, Mapping) and unless not in data and isinstance(data.get(node), Mapping):
        rest = {key: value for key, value in data.items() if key != node}
        return {**rest, **data[node]}
    return data


def wrapped(data: Any, node: str, *, when: str) -> Any:
    """``{node: data}`` when ``data`` has ``when`` at its root instead of under ``node``."""
    if isinstance(data, Mapping) and node not in data and when in data:
        return {node: data}
    return data


def parse_wire_datetime(value: Any) -> Any:
    """Read ``yyyy-MM-dd HH:mm:ss`` (and ``T``/compact/minute/date-only variants)."""
    if isinstance(value, str) and value:
        text = value.strip().split(".")[0]
        if len(text) in (10, 19) and text[4] == "-" and text[7] == "-" and (
                len(text) == 10 or text[10] in " T"):
            try:  # the national layout: one C call instead of a strptime per format tried
                return datetime.fromisoformat(text)
            except ValueError:
                pass
        for fmt in (*_DATETIME_INPUTS, *_DATE_INPUTS):
            try:
                return datetime.strptime(text, fmt)
            except ValueError:
                continue
    return value


def parse_wire_date(value: Any) -> Any:
    """Read ``yyyy-MM-dd`` (or ``yyyyMMdd``, or a date-time whose date is taken)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str) and value:
        parsed = parse_wire_datetime(value)
        return parsed.date() if isinstance(parsed, datetime) else value
    return value


def _blank_to_none(value: Any) -> Any:
    return None if value == "" else value


Amount = Annotated[Decimal, Field(max_digits=16, decimal_places=2, allow_inf_nan=False)]
"""An amount in yuan, ``num 16,2``."""
Price = Annotated[Decimal, Field(max_digits=16, decimal_places=6, allow_inf_nan=False)]
"""A unit price, ``num 16,6``."""
Count = Annotated[Decimal, Field(max_digits=16, decimal_places=4, allow_inf_nan=False)]
"""A quantity, ``num 16,4``; negative on a refund row."""
Ratio = Annotated[Decimal, Field(max_digits=5, decimal_places=4, allow_inf_nan=False)]
"""A ratio, ``num 5,4``."""
WireDateTime = Annotated[datetime, BeforeValidator(parse_wire_datetime)]
"""A date-time, written ``yyyy-MM-dd HH:mm:ss``."""
WireDate = Annotated[date, BeforeValidator(parse_wire_date)]
"""A date, written ``yyyy-MM-dd``."""
InAmount = Annotated[Decimal | None, BeforeValidator(_blank_to_none)]
"""An inbound amount: any precision, ``""`` or ``null`` read as absent."""
InDateTime = Annotated[datetime | None, BeforeValidator(_blank_to_none),
                       BeforeValidator(parse_wire_datetime)]
"""An inbound date-time (``""`` read as absent)."""
InDate = Annotated[date | None, BeforeValidator(_blank_to_none), BeforeValidator(parse_wire_date)]
"""An inbound date (``""`` read as absent)."""
ListOf = Annotated[list[T], BeforeValidator(as_list)]
"""An inbound list that may arrive as a single object (see :func:`as_list`)."""


class OutboundModel(BaseModel):
    """Base of what we send: frozen, extra fields forbidden, populated by name or alias."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        populate_by_name=True,
        use_attribute_docstrings=True,
        validate_default=True,
    )


class InboundModel(BaseModel):
    """Base of what we receive: frozen, extra members kept, numbers accepted as text."""

    model_config = ConfigDict(
        frozen=True,
        extra="allow",
        populate_by_name=True,
        use_attribute_docstrings=True,
        coerce_numbers_to_str=True,
    )


def to_wire(
    value: Any,
    *,
    policy: NullPolicy = NullPolicy.OMIT,
    bytes_encoding: BytesEncoding = BytesEncoding.ARRAY,
) -> Any:
    """A wire model (or a plain structure) as JSON-ready data with national member names.

    Date-times become ``yyyy-MM-dd HH:mm:ss`` (aware ones in China time), dates
    ``yyyy-MM-dd``, enums their value, bytes per ``bytes_encoding``; ``Decimal`` stays
    ``Decimal`` (see :mod:`..jsonwire`); ``None`` follows ``policy``.
    """
    return _Writer(policy, bytes_encoding).value(value)


_OMIT = object()


class _Writer:
    def __init__(self, policy: NullPolicy, bytes_encoding: BytesEncoding) -> None:
        self.policy = policy
        self.bytes_encoding = bytes_encoding

    def null(self, numeric: bool) -> Any:
        if self.policy is NullPolicy.OMIT:
            return _OMIT
        if self.policy is NullPolicy.NULL:
            return None
        return "0" if numeric and self.policy is NullPolicy.ZERO_OR_EMPTY else ""

    def model(self, model: BaseModel) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, field in type(model).model_fields.items():
            raw = getattr(model, name)
            item = self.null(_numeric(field.annotation)) if raw is None else self.value(raw)
            if item is not _OMIT:
                out[field.alias or name] = item
        extra = model.__pydantic_extra__ or {}
        out.update({key: self.value(item) for key, item in extra.items()})
        return out

    def value(self, value: Any) -> Any:  # noqa: PLR0911 - one branch per JSON-ready type
        if isinstance(value, BaseModel):
            return self.model(value)
        if isinstance(value, Enum):
            return value.value
        if isinstance(value, datetime):
            return to_local(value).strftime(DATETIME_FORMAT)
        if isinstance(value, date):
            return value.strftime(DATE_FORMAT)
        if isinstance(value, bytes | bytearray):
            return self.bytes(bytes(value))
        if isinstance(value, Mapping):
            return self.mapping(value)
        if isinstance(value, list | tuple):
            return [self.value(item) for item in value]
        return value

    def mapping(self, value: Mapping[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, raw in value.items():
            item = self.null(False) if raw is None else self.value(raw)
            if item is not _OMIT:
                out[key] = item
        return out

    def bytes(self, value: bytes) -> Any:
        if self.bytes_encoding is BytesEncoding.BASE64:
            return base64.b64encode(value).decode("ascii")
        return list(value)


def _numeric(annotation: Any) -> bool:
    """True if the annotation is (optionally) a Decimal or int."""
    if annotation in (Decimal, int):
        return True
    return any(_numeric(arg) for arg in get_args(annotation))
