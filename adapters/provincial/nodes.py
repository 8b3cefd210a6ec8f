"""Walking JSON-ready trees: find a member, rename members, check a pass-through ``input``."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any

from pydantic import BaseModel

from .errors import WireValidationError

__all__ = ["check_json_ready", "find_member", "first_value", "rename_members"]

_SENDABLE = (str, int, Decimal, date, bytes, Enum, BaseModel, type(None))


def find_member(node: Any, name: str, path: str = "") -> str | None:
    """Path of the first member ``name`` with a non-empty value, e.g. ``feedetail[0].psn_no``."""
    if isinstance(node, Mapping):
        for key, value in node.items():
            here = f"{path}.{key}" if path else str(key)
            if key == name and value not in (None, ""):
                return here
            found = find_member(value, name, here)
            if found:
                return found
    elif isinstance(node, list | tuple):
        for index, item in enumerate(node):
            found = find_member(item, name, f"{path}[{index}]")
            if found:
                return found
    return None


def first_value(node: Any, name: str) -> str | None:
    """The value of the first member ``name`` (see :func:`find_member`), as text."""
    path = find_member(node, name)
    if path is None:
        return None
    for part in path.replace("[", ".").replace("]", "").split("."):
        node = node[int(part)] if isinstance(node, list) else node[part]
    return str(node)


def rename_members(node: Any, names: Mapping[str, str], *, depth: int | None = None) -> Any:
    """``node`` with object members renamed by ``names`` (old → new), down to ``depth`` levels
    of objects (``None``: all the way)."""
    if not names or depth == 0:
        return node
    deeper = None if depth is None else depth - 1
    if isinstance(node, Mapping):
        return {names.get(key, key): rename_members(value, names, depth=deeper)
                for key, value in node.items()}
    if isinstance(node, list):
        return [rename_members(item, names, depth=depth) for item in node]
    return node


def check_json_ready(value: Any, infno: str) -> None:
    """A pass-through ``input`` must be an object of JSON-ready values; money is Decimal."""
    errors: list[tuple[str, str]] = []
    if not isinstance(value, Mapping):
        errors.append(("", f"input must be an object, not {type(value).__name__}"))
    else:
        _collect(value, "", errors)
    if errors:
        raise WireValidationError("input", errors, infno=infno)


def _collect(value: Any, path: str, errors: list[tuple[str, str]]) -> None:
    if isinstance(value, float):
        errors.append((path, "a float: send money and quantities as Decimal"))
    elif isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                errors.append((path, f"member name {key!r} is not a string"))
            _collect(item, f"{path}.{key}" if path else str(key), errors)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _collect(item, f"{path}[{index}]", errors)
    elif not isinstance(value, _SENDABLE):
        errors.append((path, f"{type(value).__name__} cannot be sent"))
