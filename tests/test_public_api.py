"""The public API is exactly what we mean it to be, sorted, and every name imports."""

from __future__ import annotations

import importlib
import re

import pytest

import yibao_sdk

EXPECTED = {
    "AuditChainError", "AuditLog", "AuditLogError", "CatalogItem", "Charge", "ChargeCategory",
    "CodeFormatError", "Colour", "ConfigError", "Context", "Diagnosis", "DrugOrder", "Engine",
    "Finding", "FormRecord", "Hospital", "HospitalLevel", "ImagingOrder", "ImagingReport",
    "Implant", "InputError", "LabOrder", "LabReport", "ModelInputError", "Override",
    "OverrideError", "Param", "Patient", "PluginError", "Practitioner", "ProcedureOrder",
    "ProfessionalTitle", "RuleError", "RuleSpec", "Settlement", "SettlementList",
    "SettlementResult", "Severity", "Sex", "Stage", "SurgeryRecord", "UnknownRuleError",
    "Verdict", "Visit", "VisitType", "YibaoError", "__version__", "hookimpl",
}

MODULES = ["yibao_sdk", "yibao_sdk.models", "yibao_sdk.rules", "yibao_sdk.codes",
           "yibao_sdk.store", "yibao_sdk.errors"]


def _isort_key(name: str) -> tuple[int, list[int | str]]:
    """The order ruff (RUF022) keeps: CONSTANTS, Classes, functions; numbers compared naturally."""
    group = 0 if name.isupper() else 1 if name[:1].isupper() else 2
    return group, [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name)]


def test_top_level_api_is_exactly_the_expected_names() -> None:
    assert set(yibao_sdk.__all__) == EXPECTED


@pytest.mark.parametrize("name", MODULES)
def test_all_is_sorted_and_importable(name: str) -> None:
    module = importlib.import_module(name)
    names = list(module.__all__)
    assert names == sorted(names, key=_isort_key), f"{name}.__all__ is not sorted"
    for attr in names:
        assert hasattr(module, attr), f"{name}.{attr} is listed but missing"


def test_every_error_is_a_yibao_error() -> None:
    from yibao_sdk import errors

    for attr in errors.__all__:
        assert issubclass(getattr(errors, attr), yibao_sdk.YibaoError)
