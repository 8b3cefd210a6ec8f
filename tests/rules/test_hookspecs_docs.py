"""Drift test: the hookspecs module is the plugin manual, so every hook must be documented."""

from __future__ import annotations

import inspect

import pytest

from yibao_sdk.rules import hookspecs

HOOKS = [
    (name, fn)
    for name, fn in inspect.getmembers(hookspecs, inspect.isfunction)
    if hasattr(fn, "yibao_spec")
]


def test_the_expected_hooks_exist() -> None:
    assert {name for name, _ in HOOKS} == {
        "yibao_register_rules", "yibao_check_order", "yibao_check_charge",
        "yibao_check_record", "yibao_check_settlement", "yibao_audit_visit",
        "yibao_before_send", "yibao_after_reply", "yibao_resolve_item_code",
    }


@pytest.mark.parametrize(("name", "fn"), HOOKS, ids=[n for n, _ in HOOKS])
def test_every_hook_documents_purpose_parameters_return_and_example(name: str, fn: object) -> None:
    assert name.startswith("yibao_")
    doc = inspect.getdoc(fn) or ""
    assert len(doc.splitlines()[0]) > 20, f"{name}: no one-line purpose"
    for param in inspect.signature(fn).parameters:  # type: ignore[arg-type]
        assert f":param {param}:" in doc, f"{name}: parameter {param!r} undocumented"
    assert ":return:" in doc, f"{name}: return contract undocumented"
    assert "Example::" in doc, f"{name}: no example"


def test_every_check_hook_names_its_stage() -> None:
    for name, fn in HOOKS:
        if name.startswith(("yibao_check_", "yibao_audit_")):
            doc = inspect.getdoc(fn) or ""
            assert any(s in doc for s in ("事前", "事中", "事后")), name
