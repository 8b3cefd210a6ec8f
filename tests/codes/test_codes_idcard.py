"""Tests for GB 11643 ID numbers and personal-data masking."""

from __future__ import annotations

from datetime import date

import pytest

from yibao_sdk.codes.idcard import idcard_check_char, is_valid_id_card, parse_id_card
from yibao_sdk.codes.masking import mask_id_card, mask_name, mask_phone
from yibao_sdk.errors import CodeFormatError

CLASSIC = "11010519491231002X"
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _valid(first17: str) -> str:
    return first17 + idcard_check_char(first17)


def test_codes_idcard_classic_example_cross_checked_by_hand() -> None:
    # 1*7 + 1*9 + 0*10 + 1*5 + 0*8 + 5*4 + 1*2 + 9*1 + 4*6 + 9*3 + 1*7 + 2*9 + 3*10 + 1*5
    # + 0*8 + 0*4 + 2*2 = 167; 167 % 11 = 2; "10X98765432"[2] = "X".
    products = [7, 9, 0, 5, 0, 20, 2, 9, 24, 27, 7, 18, 30, 5, 0, 0, 4]
    assert products == [int(d) * w for d, w in zip(CLASSIC[:17], WEIGHTS, strict=True)]
    assert sum(products) == 167
    assert 167 % 11 == 2
    assert idcard_check_char(CLASSIC[:17]) == "X"


@pytest.mark.parametrize(
    ("first17", "check"),
    [
        ("11010519491231002", "X"),  # sum 167 % 11 = 2 -> "X"
        ("44030419900101123", "3"),  # sum 196 % 11 = 9 -> "3"
        ("31010119800101001", "8"),  # sum 114 % 11 = 4 -> "8"
    ],
)
def test_codes_idcard_check_char(first17: str, check: str) -> None:
    assert idcard_check_char(first17) == check


def test_codes_idcard_check_char_second_example_by_hand() -> None:
    # 4*7+4*9+0*10+3*5+0*8+4*4+1*2+9*1+9*6+0*3+0*7+1*9+0*10+1*5+1*8+2*4+3*2 = 196
    digits = "44030419900101123"
    assert sum(int(d) * w for d, w in zip(digits, WEIGHTS, strict=True)) == 196
    # 196 % 11 = 9 -> "10X98765432"[9] = "3"
    assert idcard_check_char(digits) == "3"


@pytest.mark.parametrize("bad", ["", "1101051949123100", "110105194912310021", "1101051949123100X"])
def test_codes_idcard_check_char_rejects(bad: str) -> None:
    with pytest.raises(CodeFormatError) as info:
        idcard_check_char(bad)
    assert info.value.value == mask_id_card(bad)


def test_codes_idcard_parse_classic() -> None:
    card = parse_id_card(CLASSIC)
    assert card.number == CLASSIC
    assert card.region == "110105"
    assert card.birth == date(1949, 12, 31)
    assert card.sequence == "002"
    assert card.sex == "female"
    assert card.gend == "2"
    assert card.masked == "110*************2X"
    assert CLASSIC not in repr(card)
    assert CLASSIC not in str(card)
    assert "1949" not in repr(card)


def test_codes_idcard_lowercase_x_and_male() -> None:
    assert parse_id_card(CLASSIC.lower()).number == CLASSIC
    male = _valid("11010519491231001")
    card = parse_id_card(male)
    assert (card.sex, card.gend) == ("male", "1")


@pytest.mark.parametrize(
    ("number", "fragment", "where"),
    [
        ("11010519491231002", "expected 18 characters, got 17", ""),
        ("110105194912310021", "check character does not match", "position 18"),
        ("11010519491231002Y", "digit or 'X'", "position 18"),
        ("1101051949123100A2", "must be digits", "position 17"),
        (_valid("11010519990230002"), "birth date", "positions 7-14"),  # 1999-02-30
        (_valid("11010518000101002"), "birth date", "positions 7-14"),  # before 1850
        (_valid("11010520990101002"), "birth date", "positions 7-14"),  # future
        (_valid("99010519491231002"), "province", "positions 1-2"),
        ("١١٠١٠٥١٩٤٩١٢٣١٠٠٢X", "must be digits", "position 1"),
    ],
)
def test_codes_idcard_parse_rejects_without_leaking(number: str, fragment: str, where: str) -> None:
    with pytest.raises(CodeFormatError) as info:
        parse_id_card(number, today=date(2025, 6, 1))
    err = info.value
    assert fragment in str(err)
    assert err.where == where
    assert err.value == mask_id_card(number.upper())
    assert number not in str(err)
    assert number not in repr(err)
    assert number[6:14] not in str(err)  # nor the birth date


def test_codes_idcard_leap_day_birth() -> None:
    assert parse_id_card(_valid("11010520000229001")).birth == date(2000, 2, 29)
    with pytest.raises(CodeFormatError):
        parse_id_card(_valid("11010519000229001"))  # 1900 is not a leap year


def test_codes_idcard_is_valid() -> None:
    assert is_valid_id_card(CLASSIC)
    assert not is_valid_id_card("110105194912310021")
    assert not is_valid_id_card("")


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        (CLASSIC, "110*************2X"),
        ("110105194912310", "110**********10"),
        ("123456", "123*56"),
        ("12345", "*****"),
        ("", ""),
    ],
)
def test_codes_masking_id_card(value: str, masked: str) -> None:
    assert mask_id_card(value) == masked


@pytest.mark.parametrize(
    ("name", "masked"),
    [("张三", "张*"), ("张三丰", "张**"), ("欧阳娜娜", "欧***"), ("张", "*"), ("", "")],
)
def test_codes_masking_name(name: str, masked: str) -> None:
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812345678", "138****5678"),
        ("010-12345678", "010*****5678"),
        ("12345678", "123*5678"),
        ("1234567", "*******"),
        ("", ""),
    ],
)
def test_codes_masking_phone(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked
