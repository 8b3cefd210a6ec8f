"""Drift tests: every wire field is documented, every module's ``__all__`` is sorted and real."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from types import ModuleType

import pytest
from pydantic import BaseModel

import yibao_sdk.adapters.provincial.wire as wire_package

OURS = [
    "builtin_profiles", "envelope", "errors", "jsonwire", "mapping", "mapping.charges",
    "mapping.common", "mapping.findings", "mapping.rulecheck", "mapping.setllist",
    "mapping.settlements", "mapping.visits", "msgid", "nodes", "profiles", "reply",
    "transactions", "wire.base", "wire.codes",
]
WIRE = [f"wire.{m.name}" for m in pkgutil.iter_modules(wire_package.__path__)]
CJK = re.compile(r"[\u4e00-\u9fff]")


def _module(name: str) -> ModuleType:
    return importlib.import_module(f"yibao_sdk.adapters.provincial.{name}")


def _isort_key(name: str) -> tuple[int, list[int | str]]:
    """The order ruff (RUF022) keeps: CONSTANTS, Classes, functions; numbers naturally."""
    group = 0 if name.isupper() else 1 if name[:1].isupper() else 2
    return group, [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name)]


def _wire_models() -> list[type[BaseModel]]:
    models = []
    for name in WIRE:
        module = _module(name)
        models += [obj for _, obj in inspect.getmembers(module, inspect.isclass)
                   if issubclass(obj, BaseModel) and obj.__module__ == module.__name__]
    return models


@pytest.mark.parametrize("name", sorted(set(OURS + WIRE)))
def test_module_has_a_docstring_and_a_sorted_real_all(name: str) -> None:
    module = _module(name)
    assert (module.__doc__ or "").strip(), f"{name} has no module docstring"
    names = list(getattr(module, "__all__", []))
    assert names == sorted(names, key=_isort_key), f"{name}.__all__ is not sorted"
    for attr in names:
        assert hasattr(module, attr), f"{name}.{attr} is listed but missing"


def test_every_wire_field_is_documented_in_chinese() -> None:
    models = _wire_models()
    assert len(models) > 60
    undocumented = [
        f"{model.__name__}.{field}"
        for model in models
        for field, info in model.model_fields.items()
        if not (info.description and CJK.search(info.description))
    ]
    assert undocumented == []


def test_every_wire_model_has_a_docstring() -> None:
    assert [m.__name__ for m in _wire_models() if not (m.__doc__ or "").strip()] == []
