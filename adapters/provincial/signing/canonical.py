"""Wire JSON and the sign text of the NHSA channel scheme (reference §4.2, "Sign").

The sign text of a message ``{appId, data, encType, signType, timestamp, version, ...}``::

    appId=..&data={...}&encType=SM4&signType=SM2&timestamp=..&version=..&key=<appSecret>

1. top-level members except ``signData``/``encData``/``extra``, without empty values;
2. keys sorted (ASCII by default; the official Java sample uses a case-insensitive order);
3. ``key=value``: strings as they are, other scalars as text (booleans ``true``/``false``),
   objects and arrays as compact JSON with keys sorted recursively, empty values removed and
   (by default) non-string scalars quoted — the reference warns numbers may be quoted;
4. ``&key=`` + appSecret appended.

"Empty" is ``None``, ``""``, ``[]`` and ``{}``, removed wherever they occur (after their own
contents were cleaned). Both sides build the text from the *same* plaintext bytes
(:func:`dumps_compact` then :func:`~.base.loads_json`), so Python types cannot make them differ.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, Literal

from .base import Secret

__all__ = ["EXCLUDED_MEMBERS", "SortOrder", "dumps_compact", "sign_text"]

SortOrder = Literal["ascii", "case_insensitive"]
EXCLUDED_MEMBERS = frozenset({"signData", "encData", "extra"})
"""Top-level members that never enter the sign text."""


def _string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def _number(value: int | float | Decimal) -> str:
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError("NaN and infinities are not JSON")
        return str(value)
    return json.dumps(value, allow_nan=False)


def _encode(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, int | float | Decimal):
        return _number(value)
    if isinstance(value, Mapping):
        members = (f"{_string(str(k))}:{_encode(v)}" for k, v in value.items())
        return "{" + ",".join(members) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(_encode(v) for v in value) + "]"
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def dumps_compact(value: Any) -> bytes:
    """Compact UTF-8 JSON (no spaces, non-ASCII kept, key order kept); a
    :class:`~decimal.Decimal` is written as its exact text, so ``35.00`` stays ``35.00``.

    :raises TypeError: a value that JSON cannot hold; :raises ValueError: NaN or infinity.
    """
    return _encode(value).encode("utf-8")


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str | list | tuple | Mapping) and not value)


def _sort_key(order: SortOrder) -> Callable[[str], tuple[str, str]]:
    if order == "case_insensitive":
        return lambda k: (k.lower(), k)
    return lambda k: (k, k)


def _clean(value: Any, order: SortOrder) -> Any:
    """``value`` with empty values removed at every depth and object keys sorted."""
    if isinstance(value, Mapping):
        cleaned = ((str(k), _clean(v, order)) for k, v in value.items())
        kept = {k: v for k, v in cleaned if not _is_empty(v)}
        return {k: kept[k] for k in sorted(kept, key=_sort_key(order))}
    if isinstance(value, list | tuple):
        items = (_clean(v, order) for v in value)
        return [v for v in items if not _is_empty(v)]
    return value


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return _number(value)
    return str(value)


def _canonical_json(value: Any, quote_scalars: bool) -> str:
    if isinstance(value, Mapping):
        members = (f"{_string(k)}:{_canonical_json(v, quote_scalars)}" for k, v in value.items())
        return "{" + ",".join(members) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_canonical_json(v, quote_scalars) for v in value) + "]"
    if isinstance(value, str):
        return _string(value)
    return _string(_scalar_text(value)) if quote_scalars else _scalar_text(value)


def _member_text(value: Any, quote_scalars: bool) -> str:
    if isinstance(value, Mapping | list):
        return _canonical_json(value, quote_scalars)
    return value if isinstance(value, str) else _scalar_text(value)


def sign_text(
    message: Mapping[str, Any],
    secret: Secret | str,
    *,
    order: SortOrder = "ascii",
    quote_scalars: bool = True,
    excluded: frozenset[str] = EXCLUDED_MEMBERS,
) -> str:
    """The sign text of ``message`` (module docstring), ending in ``&key=<secret>``.

    :param message: top-level members, with ``data`` holding the *plaintext* object.
    :param order: key order at every depth.
    :param quote_scalars: write numbers and booleans inside objects/arrays as JSON strings.
    :param excluded: top-level members left out.
    """
    members = {k: v for k, v in message.items() if k not in excluded}
    cleaned = _clean(members, order)
    parts = [f"{k}={_member_text(v, quote_scalars)}" for k, v in cleaned.items()]
    parts.append(f"key={Secret.of(secret).reveal()}")
    return "&".join(parts)
