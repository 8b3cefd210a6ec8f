"""National code formats: GS1/HIBCC UDIs, GB 11643 ID numbers, NHSA drug/item codes and ICD."""

from __future__ import annotations

from yibao_sdk.codes.gs1 import GS, Gs1Udi, gs1_check_digit, is_valid_gtin, parse_gs1
from yibao_sdk.codes.hibcc import HibccUdi, hibc_check_char, parse_hibcc
from yibao_sdk.codes.icd import (
    ICD9CM3_IRREGULAR,
    Icd9Cm3Code,
    Icd10Code,
    is_icd9cm3,
    is_icd10,
    validate_icd9cm3,
    validate_icd10,
)
from yibao_sdk.codes.idcard import IdCard, idcard_check_char, is_valid_id_card, parse_id_card
from yibao_sdk.codes.masking import mask_id_card, mask_name, mask_phone
from yibao_sdk.codes.nhsa import (
    ConsumableCode,
    DrugCode,
    ItemKind,
    ServiceCode,
    classify_item_code,
    validate_consumable_code,
    validate_drug_code,
    validate_service_code,
)
from yibao_sdk.codes.udi import Udi, UdiScheme, parse_udi

__all__ = [
    "GS",
    "ICD9CM3_IRREGULAR",
    "ConsumableCode",
    "DrugCode",
    "Gs1Udi",
    "HibccUdi",
    "Icd9Cm3Code",
    "Icd10Code",
    "IdCard",
    "ItemKind",
    "ServiceCode",
    "Udi",
    "UdiScheme",
    "classify_item_code",
    "gs1_check_digit",
    "hibc_check_char",
    "idcard_check_char",
    "is_icd9cm3",
    "is_icd10",
    "is_valid_gtin",
    "is_valid_id_card",
    "mask_id_card",
    "mask_name",
    "mask_phone",
    "parse_gs1",
    "parse_hibcc",
    "parse_id_card",
    "parse_udi",
    "validate_consumable_code",
    "validate_drug_code",
    "validate_icd9cm3",
    "validate_icd10",
    "validate_service_code",
]
