"""Tests for the public API of :mod:`yibao_sdk.codes`."""

from __future__ import annotations

from yibao_sdk import codes


def test_codes_package_exports_resolve() -> None:
    assert len(codes.__all__) == len(set(codes.__all__))
    for name in codes.__all__:
        assert getattr(codes, name) is not None


def test_codes_package_exports_public_api() -> None:
    expected = {
        "parse_udi",
        "Udi",
        "parse_gs1",
        "Gs1Udi",
        "gs1_check_digit",
        "is_valid_gtin",
        "parse_hibcc",
        "HibccUdi",
        "hibc_check_char",
        "parse_id_card",
        "IdCard",
        "idcard_check_char",
        "mask_id_card",
        "mask_name",
        "mask_phone",
        "validate_drug_code",
        "validate_consumable_code",
        "validate_service_code",
        "classify_item_code",
        "validate_icd10",
        "validate_icd9cm3",
        "is_icd10",
        "is_icd9cm3",
        "Icd10Code",
        "Icd9Cm3Code",
    }
    assert expected <= set(codes.__all__)
