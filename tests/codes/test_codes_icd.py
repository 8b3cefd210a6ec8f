"""Tests for ICD-10 / ICD-9-CM-3 医保版 2.0 codes and their pydantic annotated types."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from yibao_sdk.codes.icd import (
    ICD9CM3_IRREGULAR,
    Icd9Cm3Code,
    Icd10Code,
    is_icd9cm3,
    is_icd10,
    validate_icd9cm3,
    validate_icd10,
)
from yibao_sdk.errors import CodeFormatError

ICD10_OK = ["C53.000", "K22.301", "E14.900x001", "I10.x05", "N40.x00", "A99.x99x999"]
ICD9_OK = ["36.0601", "81.5100x001", "04.2x02", "29.4x00x004", "86.700x0014", "17.971A0"]


@pytest.mark.parametrize("code", ICD10_OK)
def test_codes_icd10_valid(code: str) -> None:
    assert validate_icd10(code) == code
    assert is_icd10(code)
    assert not is_icd9cm3(code)


@pytest.mark.parametrize(
    ("code", "hint"),
    [
        ("C53", "'.' is missing"),
        ("C53000", "'.' is missing"),
        ("c53.000", "upper-case"),
        ("I10.X05", "lower-case 'x'"),
        ("E14.900X001", "lower-case 'x'"),
        (" C53.000", "whitespace"),
        ("C53.00", ""),
        ("C53.0000", ""),
        ("I10.x5", ""),
        ("E14.900x01", ""),
        ("C5٣.000", ""),  # non-ASCII digit
        ("", ""),
    ],
)
def test_codes_icd10_invalid(code: str, hint: str) -> None:
    with pytest.raises(CodeFormatError, match="expected a letter, 2 digits") as info:
        validate_icd10(code)
    assert hint in str(info.value)
    assert not is_icd10(code)


@pytest.mark.parametrize("code", ICD9_OK)
def test_codes_icd9cm3_valid(code: str) -> None:
    assert validate_icd9cm3(code) == code
    assert is_icd9cm3(code)
    assert not is_icd10(code)


def test_codes_icd9cm3_irregular_whitelist() -> None:
    assert {"17.971A0", "86.700x0014"} <= ICD9CM3_IRREGULAR
    assert all(is_icd9cm3(code) for code in ICD9CM3_IRREGULAR)
    assert not is_icd9cm3("17.971A1")


@pytest.mark.parametrize(
    "code", ["36.060", "36.06011", "3.0601", "36.0x1", "81.5100x01", "81.5100X001", "C53.000", ""]
)
def test_codes_icd9cm3_invalid(code: str) -> None:
    with pytest.raises(CodeFormatError, match="expected 2 digits"):
        validate_icd9cm3(code)
    assert not is_icd9cm3(code)


class _Diagnosis(BaseModel):
    diagnosis: Icd10Code
    operation: Icd9Cm3Code | None = None


def test_codes_icd_pydantic_annotated_types_accept() -> None:
    model = _Diagnosis(diagnosis="E14.900x001", operation="86.700x0014")
    assert (model.diagnosis, model.operation) == ("E14.900x001", "86.700x0014")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"diagnosis": "E14.900X001"}, "diagnosis"),
        ({"diagnosis": "C53.000", "operation": "36.06011"}, "operation"),
    ],
)
def test_codes_icd_pydantic_reports_validation_error(data: dict[str, str], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        _Diagnosis.model_validate(data)
    errors = info.value.errors()
    assert len(errors) == 1
    assert errors[0]["loc"][0] == field
    assert errors[0]["type"] == "value_error"
    assert "医保版 2.0" in errors[0]["msg"]
    assert isinstance(errors[0]["ctx"]["error"], CodeFormatError)
