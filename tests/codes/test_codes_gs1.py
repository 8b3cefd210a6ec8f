"""Tests for GS1 check digits and GS1 UDI parsing."""

from __future__ import annotations

from datetime import date

import pytest

from yibao_sdk.codes.gs1 import GS, gs1_check_digit, is_valid_gtin, parse_gs1
from yibao_sdk.errors import CodeFormatError, InputError

REF = date(2025, 6, 1)
HUMAN = "(01)06901234567892(17)271231(10)B2401(21)SN0001"
MACHINE = "0106901234567892" + "17271231" + "10B2401" + GS + "21SN0001"


@pytest.mark.parametrize(
    ("digits", "check"),
    [("0690123456789", 2), ("629104150021", 3), ("123456789012", 8), ("0000000", 0)],
)
def test_codes_gs1_check_digit_worked_examples(digits: str, check: int) -> None:
    assert gs1_check_digit(digits) == check


def test_codes_gs1_check_digit_by_hand() -> None:
    # 0690123456789 weighted 3,1,3,... from the right: 9*3 + 8 + 7*3 + 6 + 5*3 + 4 + 3*3 + 2 +
    # 1*3 + 0 + 9*3 + 6 + 0*3 = 128, so the check digit is (10 - 8) % 10 = 2.
    products = [9 * 3, 8, 7 * 3, 6, 5 * 3, 4, 3 * 3, 2, 1 * 3, 0, 9 * 3, 6, 0 * 3]
    assert sum(products) == 128
    assert gs1_check_digit("0690123456789") == (10 - 128 % 10) % 10


@pytest.mark.parametrize("bad", ["", "12a4", "١٢٣"])
def test_codes_gs1_check_digit_rejects_non_digits(bad: str) -> None:
    with pytest.raises(CodeFormatError):
        gs1_check_digit(bad)


@pytest.mark.parametrize(
    ("gtin", "ok"),
    [
        ("06901234567892", True),
        ("6901234567892", True),
        ("6291041500213", True),
        ("1234567890128", True),
        ("06901234567893", False),  # wrong check digit
        ("6291041500214", False),
        ("1234567890120", False),
        ("0690123456789", False),  # 13 digits but wrong check
        ("069012345678920", False),  # 15 digits
        ("", False),
        ("06901234567 92", False),
    ],
)
def test_codes_gs1_is_valid_gtin(gtin: str, ok: bool) -> None:
    assert is_valid_gtin(gtin) is ok


def test_codes_gs1_parse_human_worked_example() -> None:
    udi = parse_gs1(HUMAN, reference=REF)
    assert udi.di == "06901234567892"
    assert udi.expiry == date(2027, 12, 31)
    assert udi.production is None
    assert udi.lot == "B2401"
    assert udi.serial == "SN0001"
    assert udi.raw == HUMAN
    assert udi.pi == "(17)271231(10)B2401(21)SN0001"
    assert udi.human_readable() == HUMAN
    assert udi.element_string() == MACHINE


@pytest.mark.parametrize(
    "text",
    [
        MACHINE,
        "]d2" + MACHINE,
        "]C1" + MACHINE,
        "]Q3" + MACHINE,
        GS + MACHINE,
        "]d2" + GS + MACHINE,
        "0106901234567892" + GS + "17271231" + "10B2401" + GS + "21SN0001",
    ],
)
def test_codes_gs1_parse_machine_forms(text: str) -> None:
    udi = parse_gs1(text, reference=REF)
    assert (udi.di, udi.expiry, udi.lot, udi.serial) == (
        "06901234567892",
        date(2027, 12, 31),
        "B2401",
        "SN0001",
    )
    assert udi.human_readable() == HUMAN
    assert udi.raw == text


def test_codes_gs1_human_form_tolerates_spaces() -> None:
    udi = parse_gs1("(01) 06901234567892 (10) B2401", reference=REF)
    assert (udi.di, udi.lot) == ("06901234567892", "B2401")


@pytest.mark.parametrize(
    ("ai17", "expected"),
    [
        ("240200", date(2024, 2, 29)),  # leap year February
        ("230200", date(2023, 2, 28)),
        ("000200", date(2000, 2, 29)),  # 2000 is a leap year
        ("271200", date(2027, 12, 31)),
        ("260400", date(2026, 4, 30)),
        ("260415", date(2026, 4, 15)),
    ],
)
def test_codes_gs1_expiry_day_00_is_last_day_of_month(ai17: str, expected: date) -> None:
    assert parse_gs1(f"(01)06901234567892(17){ai17}", reference=REF).expiry == expected


@pytest.mark.parametrize(
    ("yy", "year"),
    [("75", 2075), ("76", 1976), ("00", 2000), ("49", 2049), ("99", 1999), ("25", 2025)],
)
def test_codes_gs1_sliding_century(yy: str, year: int) -> None:
    udi = parse_gs1(f"(01)06901234567892(11){yy}0101", reference=REF)
    assert udi.production == date(year, 1, 1)


def test_codes_gs1_production_and_other_known_ais_kept() -> None:
    udi = parse_gs1("(01)06901234567892(11)240115(240)ABC-1(30)12", reference=REF)
    assert udi.production == date(2024, 1, 15)
    assert udi.elements[2:] == (("240", "ABC-1"), ("30", "12"))
    assert udi.pi == "(11)240115"
    assert udi.element_string() == "0106901234567892" + "11240115" + "240ABC-1" + GS + "3012"


def test_codes_gs1_lot_and_serial_length_boundary() -> None:
    lot20 = "L" * 20
    assert parse_gs1(f"(01)06901234567892(10){lot20}").lot == lot20
    assert parse_gs1("010690123456789210" + lot20).lot == lot20
    with pytest.raises(CodeFormatError, match="at most 20 characters, got 21"):
        parse_gs1(f"(01)06901234567892(10){lot20}X")
    with pytest.raises(CodeFormatError, match="at most 20 characters, got 21"):
        parse_gs1(f"010690123456789210{lot20}X")
    with pytest.raises(CodeFormatError, match=r"AI \(21\) SERIAL allows at most 20"):
        parse_gs1(f"(01)06901234567892(21){'S' * 21}")


@pytest.mark.parametrize(
    ("text", "fragment", "where"),
    [
        ("(01)06901234567893", "wrong check digit", "position 18"),
        ("0106901234567893", "wrong check digit", "position 16"),
        ("(99)ABC(01)06901234567892", "(99)", "position 1"),
        ("01069012345678929912", "no known application identifier at '9912'", "position 17"),
        ("(17)271231", "no AI (01)", ""),
        ("(01)06901234567892(17)271332", "not a valid YYMMDD", "position 23"),
        ("(01)06901234567892(17)230229", "not a valid YYMMDD", "position 23"),
        ("(01)0690123456789", "exactly 14 digits, got 13", "position 5"),
        ("(01)06901234567892(01)06901234567892", "more than once", "position 23"),
        ("(01)06901234567892(10)", "has no data", "position 23"),
        ("(01)06901234567892(10)B 24", "outside GS1 set 82", "position 24"),
        ("(01)06901234567892(10", "unclosed '('", "position 19"),
        ("x(01)06901234567892", "no known application identifier", "position 1"),
        ("]d1" + MACHINE, "not a GS1 one", "position 1"),
        ("", "empty", ""),
        ("01069012345678A2", "must be digits only", "position 3"),
        ("0106901234567" + GS + "892", "exactly 14 digits, got 11", "position 3"),
    ],
)
def test_codes_gs1_errors(text: str, fragment: str, where: str) -> None:
    with pytest.raises(CodeFormatError) as info:
        parse_gs1(text, reference=REF)
    assert fragment in str(info.value)
    assert info.value.where == where
    assert info.value.kind == "GS1 UDI"
    assert isinstance(info.value, InputError)
    assert isinstance(info.value, ValueError)


def test_codes_gs1_udi_is_frozen_and_hashable() -> None:
    udi = parse_gs1(HUMAN, reference=REF)
    with pytest.raises(AttributeError):
        udi.di = "x"  # type: ignore[misc]
    assert hash(udi) == hash(parse_gs1(HUMAN, reference=REF))
