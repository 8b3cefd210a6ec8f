"""Tests for NHSA drug, consumable and service item codes."""

from __future__ import annotations

import pytest

from yibao_sdk.codes.nhsa import (
    classify_item_code,
    validate_consumable_code,
    validate_drug_code,
    validate_service_code,
)
from yibao_sdk.errors import CodeFormatError


@pytest.mark.parametrize(
    ("code", "kind", "generic", "klass", "form"),
    [
        ("XA11DAW036A001010104127", "western", "XA11DAW036", "XA11DA", "A001"),
        ("XL02BBA326A001010102180", "western", "XL02BBA326", "XL02BB", "A001"),
        ("ZA04CAE0023010100166", "patent", "ZA04CAE0023", "ZA04CA", None),
        ("ZH01AAB0066020100716", "patent", "ZH01AAB0066", "ZH01AA", None),
    ],
)
def test_codes_nhsa_drug_worked_examples(
    code: str, kind: str, generic: str, klass: str, form: str | None
) -> None:
    drug = validate_drug_code(code)
    assert drug.code == code
    assert drug.kind == kind
    assert drug.generic_prefix == generic
    assert drug.class_prefix == klass
    assert drug.dosage_form == form
    assert drug.enterprise == code[-5:]
    assert classify_item_code(code) == "drug"


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("XA11DAW036A00101010412", "expected 23 characters for a western drug code, got 22"),
        ("XA11DAW036A0010101041270", "expected 23 characters for a western drug code, got 24"),
        (
            "ZA04CAE002301010016",
            "expected 20 characters for a Chinese patent medicine code, got 19",
        ),
        (
            "XA11DAW0360001010104127",
            "segment 'dosage form' at position 11 must be a letter followed by 3 digits",
        ),
        ("XA11DA0036A001010104127", "segment 'generic name' at position 7"),
        ("X111DAW036A001010104127", "segment 'class' at position 2"),
        ("XA11DAW036A0010A0104127", "segment 'specification' at position 15"),
        ("XA11DAW036A00101A104127", "segment 'package' at position 17"),
        ("XA11DAW036A00101010412A", "segment 'enterprise' at position 19"),
        ("ZA04CAE002A010100166", "segment 'generic name' at position 7"),
        ("ZA04CAE00230101001٦6", "segment 'enterprise' at position 16"),  # non-ASCII digit
        ("YA11DAW036A001010104127", "must start with 'X' (western drug) or 'Z'"),
        ("", "must start with 'X'"),
        ("xa11daw036a001010104127", "must start with 'X'"),
    ],
)
def test_codes_nhsa_drug_errors(code: str, message: str) -> None:
    with pytest.raises(CodeFormatError, match=message.replace("(", r"\(").replace(")", r"\)")):
        validate_drug_code(code)
    assert classify_item_code(code) is None


def test_codes_nhsa_drug_error_position() -> None:
    with pytest.raises(CodeFormatError) as info:
        validate_drug_code("XA11DAW0360001010104127")
    assert info.value.where == "position 11"
    assert info.value.kind == "drug code"


CONS20 = "C0202020010010100001"
CONS27 = CONS20 + "AB12C3Z"


def test_codes_nhsa_consumable_20_and_27() -> None:
    short = validate_consumable_code(CONS20)
    assert (short.classification, short.generic_prefix, short.base20) == (
        "020202",
        "C020202001",
        CONS20,
    )
    assert short.model is None
    assert short.level1 == "02"
    full = validate_consumable_code(CONS27)
    assert (full.classification, full.generic_prefix, full.base20, full.model) == (
        "020202",
        "C020202001",
        CONS20,
        "AB12C3Z",
    )
    assert classify_item_code(CONS20) == "consumable"
    assert classify_item_code(CONS27) == "consumable"


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (CONS20[:-1], "expected 20 or 27 characters for a consumable code, got 19"),
        (CONS20 + "1", "expected 20 or 27 characters for a consumable code, got 21"),
        (CONS27[:-1], "got 26"),
        (CONS27 + "A", "got 28"),
        ("D" + CONS20[1:], "segment 'kind' at position 1 must be 'C'"),
        ("C02020A0010010100001", "segment 'classification' at position 2"),
        ("C0202020A10010100001", "segment 'generic name' at position 8"),
        ("C02020200100A0100001", "segment 'product feature' at position 11"),
        ("C0202020010010100A01", "segment 'enterprise' at position 16"),
        (CONS20 + "ab12c3z", "segment 'specification/model' at position 21"),
    ],
)
def test_codes_nhsa_consumable_errors(code: str, message: str) -> None:
    with pytest.raises(CodeFormatError, match=message):
        validate_consumable_code(code)
    assert classify_item_code(code) is None


@pytest.mark.parametrize(
    ("code", "price_item", "extension", "chapter"),
    [
        ("001102000030000", "110200003", "0000", "11"),
        ("003310010140000", "331001014", "0000", "33"),
        ("001104000010100", "110400001", "0100", "11"),
    ],
)
def test_codes_nhsa_service_worked_examples(
    code: str, price_item: str, extension: str, chapter: str
) -> None:
    item = validate_service_code(code)
    assert (item.price_item, item.extension, item.chapter) == (price_item, extension, chapter)
    assert classify_item_code(code) == "service"


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("00110200003000", "expected 15 characters for a medical service item code, got 14"),
        ("0011020000300000", "got 16"),
        ("101102000030000", "segment 'national prefix' at position 1 must be '00'"),
        ("0011020A0030000", "segment 'price item' at position 3"),
        ("00110200003A000", "segment 'extension' at position 12"),
        ("0011020000300A0", "segment 'extension' at position 12"),
    ],
)
def test_codes_nhsa_service_errors(code: str, message: str) -> None:
    with pytest.raises(CodeFormatError, match=message):
        validate_service_code(code)


@pytest.mark.parametrize(
    "code", ["", "X", "C53.000", "36.0601", "00110200003000", "hello", "C" * 20, "１" * 15]
)
def test_codes_nhsa_classify_none(code: str) -> None:
    assert classify_item_code(code) is None
