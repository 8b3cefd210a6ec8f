"""JSON as the platform speaks it: UTF-8, money as exact decimal numbers, never floats.

The standard library writes a :class:`~decimal.Decimal` only after turning it into a float (or
refuses it), and reads ``35.10`` as a float; both lose cents. :func:`dumps` writes a
``Decimal`` as the number it is (``35.10`` stays ``35.10``) and :func:`loads` reads every
fraction as a ``Decimal`` (``parse_float=Decimal``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

__all__ = ["canonical_digest", "dumps", "loads"]


def loads(data: bytes | str) -> Any:
    """Decode JSON, reading fractions as :class:`~decimal.Decimal` and integers as ``int``.

    :raises ValueError: not JSON (``json.JSONDecodeError`` or ``UnicodeDecodeError``).
    """
    return json.loads(data, parse_float=Decimal)


_quote: Callable[[str], str] = json.encoder.encode_basestring
_LITERALS = {None: "null", True: "true", False: "false"}


def dumps(value: Any, *, sort_keys: bool = False) -> bytes:
    """Encode ``value`` as compact UTF-8 JSON, writing ``Decimal`` as a plain number.

    :param value: ``dict``/``list``/``tuple``/``str``/``int``/``bool``/``None``/``Decimal``
        (a ``str`` subclass such as a ``StrEnum`` is written as its value).
    :param sort_keys: sort object members (for digests; the wire keeps insertion order).
    :raises TypeError: a float (money must be ``Decimal``) or any other type.
    :raises ValueError: a ``Decimal`` that is NaN or infinite.
    """
    parts: list[str] = []
    _encode(value, parts, sort_keys)
    return "".join(parts).encode("utf-8")


def canonical_digest(value: Any) -> str:
    """SHA-256 (hex) of ``value`` as sorted compact JSON: equal inputs give equal digests."""
    return hashlib.sha256(dumps(value, sort_keys=True)).hexdigest()


def _encode(value: Any, out: list[str], sort_keys: bool) -> None:
    if isinstance(value, str):
        out.append(_quote(value))  # what json.dumps(ensure_ascii=False) writes, without its setup
    elif value is None or isinstance(value, bool):
        out.append(_LITERALS[value])
    elif isinstance(value, Decimal):
        out.append(_decimal(value))
    elif isinstance(value, int):
        out.append(str(int(value)))
    elif isinstance(value, Mapping):
        _encode_object(value, out, sort_keys)
    elif isinstance(value, list | tuple):
        out.append("[")
        for index, item in enumerate(value):
            if index:
                out.append(",")
            _encode(item, out, sort_keys)
        out.append("]")
    else:
        raise TypeError(f"cannot write {type(value).__name__} to the wire: {value!r}")


def _encode_object(value: Mapping[Any, Any], out: list[str], sort_keys: bool) -> None:
    keys = sorted(value) if sort_keys else list(value)
    out.append("{")
    for index, key in enumerate(keys):
        if not isinstance(key, str):
            raise TypeError(f"object keys must be strings, not {key!r}")
        if index:
            out.append(",")
        out.append(_quote(key))
        out.append(":")
        _encode(value[key], out, sort_keys)
    out.append("}")


def _decimal(value: Decimal) -> str:
    if not value.is_finite():
        raise ValueError(f"{value} is not a number the platform accepts")
    return format(value, "f")
