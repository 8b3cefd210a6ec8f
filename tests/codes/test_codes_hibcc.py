"""Tests for the HIBC LIC mod-43 check character and HIBCC UDI parsing."""

from __future__ import annotations

from datetime import date

import pytest

from yibao_sdk.codes.hibcc import hibc_check_char, parse_hibcc
from yibao_sdk.errors import CodeFormatError

REF = date(2025, 6, 1)


def _with_check(data: str) -> str:
    return data + hibc_check_char(data)


def test_codes_hibcc_worked_example() -> None:
    # '+' 41 + 'A' 10 + 9 + 9 + 9 + 1 + 2 + 3 + 4 + 5 = 93; 93 % 43 = 7 -> '7'.
    assert 41 + 10 + 9 * 3 + 1 + 2 + 3 + 4 + 5 == 93
    assert hibc_check_char("+A99912345") == "7"


@pytest.mark.parametrize(
    ("data", "check"),
    [
        ("+A99912345/$$3251231LOT1", "2"),  # 93 + 40 + 39*2 + 3 + 14 + (21+24+29+1) = 303 -> 2
        ("0", "0"),
        ("Z", "Z"),
        ("-", "-"),
        ("%", "%"),
        ("+", "+"),
        ("1+", "%"),  # 1 + 41 = 42
        ("2+", "0"),  # 43 % 43 = 0
        ("$ ", "Y"),  # 39 + 38 = 77; 77 % 43 = 34 -> 'Y'
    ],
)
def test_codes_hibcc_check_char_table(data: str, check: str) -> None:
    assert hibc_check_char(data) == check


def test_codes_hibcc_check_char_special_values() -> None:
    # '.' 37 + ' ' 38 = 75 -> 75 - 43 = 32 -> 'W'; '$' 39 + '/' 40 = 79 -> 36 -> '-'.
    assert hibc_check_char(". ") == "W"
    assert hibc_check_char("$/") == "-"


@pytest.mark.parametrize("bad", ["", "+a999", "+A99#1"])
def test_codes_hibcc_check_char_rejects(bad: str) -> None:
    with pytest.raises(CodeFormatError):
        hibc_check_char(bad)


def test_codes_hibcc_primary() -> None:
    udi = parse_hibcc("+A999123457")
    assert (udi.lic, udi.product, udi.unit) == ("A999", "1234", 5)
    assert udi.di == "A99912345"
    assert (udi.expiry, udi.lot, udi.serial, udi.quantity) == (None, None, None, None)
    assert udi.pi == ""
    assert udi.link_char == "7"
    assert udi.raw == "+A999123457"


def test_codes_hibcc_primary_product_length_bounds() -> None:
    assert parse_hibcc(_with_check("+A99910")).product == "1"
    long_product = "P" * 18
    assert parse_hibcc(_with_check(f"+A999{long_product}0")).product == long_product
    with pytest.raises(CodeFormatError, match="1-18 character"):
        parse_hibcc(_with_check(f"+A999{long_product}X0"))


@pytest.mark.parametrize(
    "text",
    [
        "+A999123458",  # wrong check character
        "+A999123456",
        "+a999123457",  # lower case
        "A999123457",  # no flag
        "+",
        "+7",
        "+1999123457",  # LIC must start with a letter
    ],
)
def test_codes_hibcc_primary_rejects(text: str) -> None:
    with pytest.raises(CodeFormatError):
        parse_hibcc(text)


def test_codes_hibcc_wrong_check_message() -> None:
    with pytest.raises(CodeFormatError, match="expected '7'") as info:
        parse_hibcc("+A999123458")
    assert info.value.where == "position 11"


def test_codes_hibcc_concatenated_hand_checked() -> None:
    udi = parse_hibcc("+A99912345/$$3251231LOT12", reference=REF)
    assert udi.di == "A99912345"
    assert udi.expiry == date(2025, 12, 31)
    assert udi.lot == "LOT1"
    assert udi.serial is None
    assert udi.pi == "$$3251231LOT1"


@pytest.mark.parametrize(
    ("secondary", "expiry", "lot", "serial", "quantity"),
    [
        ("25032LOT", date(2025, 2, 1), "LOT", None, None),  # Julian YYJJJ + lot
        ("24366", date(2024, 12, 31), None, None, None),  # leap-year day 366
        ("$LOT42", None, "LOT42", None, None),
        ("$+SER42", None, None, "SER42", None),
        ("$$0327LOT", date(2027, 3, 31), "LOT", None, None),  # MMYY, no format digit
        ("$$1227LOT", date(2027, 12, 31), "LOT", None, None),
        ("$$2022827LOT", date(2027, 2, 28), "LOT", None, None),  # MMDDYY
        ("$$3270228LOT", date(2027, 2, 28), "LOT", None, None),  # YYMMDD
        ("$$427022813LOT", date(2027, 2, 28), "LOT", None, None),  # YYMMDDHH
        ("$$527059LOT", date(2027, 2, 28), "LOT", None, None),  # YYJJJ
        ("$$62705923LOT", date(2027, 2, 28), "LOT", None, None),  # YYJJJHH
        ("$$7LOT", None, "LOT", None, None),  # no date
        ("$$+0327SER", date(2027, 3, 31), None, "SER", None),
        ("$$+3270228SER", date(2027, 2, 28), None, "SER", None),
        ("$$+7SER", None, None, "SER", None),
        ("$$8053270228LOT", date(2027, 2, 28), "LOT", None, 5),  # quantity 2 digits
        ("$$9001000327LOT", date(2027, 3, 31), "LOT", None, 100),  # quantity 5 digits
        ("$" + "L" * 18, None, "L" * 18, None, None),
    ],
)
def test_codes_hibcc_secondary_formats(
    secondary: str, expiry: date | None, lot: str | None, serial: str | None, quantity: int | None
) -> None:
    concatenated = parse_hibcc(_with_check(f"+A99912345/{secondary}"), reference=REF)
    separate_secondary = _with_check(f"+{secondary}7")
    separate = parse_hibcc("+A999123457", separate_secondary, reference=REF)
    for udi in (concatenated, separate):
        assert (udi.expiry, udi.lot, udi.serial, udi.quantity) == (expiry, lot, serial, quantity)
        assert udi.di == "A99912345"
        assert udi.pi == secondary


@pytest.mark.parametrize(
    ("secondary", "fragment"),
    [
        ("$" + "L" * 19, "at most 18 characters, got 19"),
        ("25032" + "L" * 14, "at most 13 characters, got 14"),
        ("25366LOT", "not a valid YYJJJ"),  # 2025 is not a leap year
        ("25000LOT", "not a valid YYJJJ"),
        ("$$3251332LOT", "not a valid YYMMDD"),
        ("$$3250230LOT", "not a valid YYMMDD"),
        ("$$1327LOT", "not a valid MMYY"),
        ("$$427022824", "not a valid YYMMDDHH"),
        ("$$A", "date format digit"),
        ("$$8X3270228", "2-digit quantity"),
        ("$LOT/S123", "supplementary data"),
        ("$LO-T", "upper-case letters and digits"),
        ("A25", "must start with a Julian date"),
        ("", "empty secondary"),
    ],
)
def test_codes_hibcc_secondary_rejects(secondary: str, fragment: str) -> None:
    with pytest.raises(CodeFormatError, match=fragment.replace("$", r"\$")):
        parse_hibcc(_with_check(f"+A99912345/{secondary}"), reference=REF)


def test_codes_hibcc_separate_secondary_link_and_check() -> None:
    good = _with_check("+$$3251231LOT17")
    assert parse_hibcc("+A999123457", good, reference=REF).lot == "LOT1"
    wrong_link = _with_check("+$$3251231LOT18")
    with pytest.raises(CodeFormatError, match="link character"):
        parse_hibcc("+A999123457", wrong_link)
    wrong_check = good[:-1] + ("0" if good[-1] != "0" else "1")
    with pytest.raises(CodeFormatError, match="check character"):
        parse_hibcc("+A999123457", wrong_check)
    with pytest.raises(CodeFormatError, match="needs '\\+', data, a link"):
        parse_hibcc("+A999123457", _with_check("+7"))
    udi = parse_hibcc("+A999123457", good, reference=REF)
    assert udi.raw == "+A999123457\n" + good


def test_codes_hibcc_secondary_alone_or_twice() -> None:
    with pytest.raises(CodeFormatError, match="pass the primary first"):
        parse_hibcc(_with_check("+$$3251231LOT17"))
    with pytest.raises(CodeFormatError, match="both after '/' and separately"):
        parse_hibcc(_with_check("+A99912345/$LOT"), _with_check("+$LOT7"))
