"""Tests for :func:`parse_udi` dispatch, :class:`Udi`, and hypothesis properties of the parsers."""

from __future__ import annotations

import contextlib
import dataclasses
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yibao_sdk.codes.gs1 import GS, gs1_check_digit, parse_gs1
from yibao_sdk.codes.hibcc import hibc_check_char
from yibao_sdk.codes.udi import Udi, parse_udi
from yibao_sdk.errors import CodeFormatError

REF = date(2025, 6, 1)
HUMAN = "(01)06901234567892(17)271231(10)B2401(21)SN0001"
MACHINE = "]d20106901234567892" + "17271231" + "10B2401" + GS + "21SN0001"


@pytest.mark.parametrize("text", [HUMAN, MACHINE, MACHINE[3:], GS + MACHINE[3:], HUMAN + "\r\n"])
def test_codes_udi_gs1_dispatch(text: str) -> None:
    udi = parse_udi(text, reference=REF)
    assert udi.scheme == "GS1"
    assert udi.di == "06901234567892"
    assert (udi.expiry, udi.lot, udi.serial) == (date(2027, 12, 31), "B2401", "SN0001")
    assert udi.pi == "(17)271231(10)B2401(21)SN0001"


def test_codes_udi_hibcc_dispatch() -> None:
    udi = parse_udi("+A99912345/$$3251231LOT12", reference=REF)
    assert udi.scheme == "HIBCC"
    assert (udi.di, udi.expiry, udi.lot, udi.serial) == (
        "A99912345",
        date(2025, 12, 31),
        "LOT1",
        None,
    )
    assert udi.pi == "$$3251231LOT1"
    secondary = "+$+SER1" + "7"
    separate = parse_udi("+A999123457", secondary + hibc_check_char(secondary))
    assert (separate.scheme, separate.serial) == ("HIBCC", "SER1")


def test_codes_udi_equality_ignores_detail_and_is_hashable() -> None:
    a = parse_udi(HUMAN, reference=REF)
    b = Udi.from_gs1(parse_gs1(HUMAN, reference=REF))
    assert a == b
    assert len({a, b}) == 1


@pytest.mark.parametrize(
    ("day", "expired"),
    [(date(2027, 12, 30), False), (date(2027, 12, 31), False), (date(2028, 1, 1), True)],
)
def test_codes_udi_is_expired_on(day: date, expired: bool) -> None:
    assert parse_udi(HUMAN, reference=REF).is_expired_on(day) is expired


def test_codes_udi_without_expiry_never_expires() -> None:
    assert parse_udi("(01)06901234567892").is_expired_on(date(2999, 1, 1)) is False
    assert parse_udi("+A999123457").is_expired_on(date(2999, 1, 1)) is False


@pytest.mark.parametrize("text", ["", "hello", "A999123457", " (01)06901234567892", "\r\n"])
def test_codes_udi_rejects_unknown_shapes(text: str) -> None:
    with pytest.raises(CodeFormatError):
        parse_udi(text)


def test_codes_udi_secondary_only_for_hibcc() -> None:
    with pytest.raises(CodeFormatError, match="only for HIBCC"):
        parse_udi(HUMAN, "+$LOT7X")


_UDI_ALPHABET = "0123456789()+$/]dCQ1xA\x1d LOTSN%-."


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(), st.text(alphabet=_UDI_ALPHABET)))
def test_codes_udi_random_text_raises_only_code_format_error(text: str) -> None:
    try:
        udi = parse_udi(text)
    except CodeFormatError:
        return
    assert udi.scheme in ("GS1", "HIBCC")


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["(01)069012345678", "01069012345678", "]d2010690123456789", "+A999", "+"]),
    st.text(alphabet=_UDI_ALPHABET, max_size=30),
    st.one_of(st.none(), st.text(alphabet="+$0123456789ABC/", max_size=12)),
)
def test_codes_udi_plausible_prefixes_raise_only_code_format_error(
    prefix: str, tail: str, secondary: str | None
) -> None:
    with contextlib.suppress(CodeFormatError):
        parse_udi(prefix + tail, secondary)


_SET82_NO_PARENS = (
    "!\"%&'*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
)
_ident = st.text(alphabet=_SET82_NO_PARENS, min_size=1, max_size=20)


@st.composite
def _gs1_human(draw: st.DrawFn) -> tuple[str, dict[str, object]]:
    body = draw(st.text(alphabet="0123456789", min_size=13, max_size=13))
    gtin = body + str(gs1_check_digit(body))
    expiry = draw(st.one_of(st.none(), st.dates(date(1976, 1, 1), date(2075, 12, 31))))
    production = draw(st.one_of(st.none(), st.dates(date(1976, 1, 1), date(2075, 12, 31))))
    lot = draw(st.one_of(st.none(), _ident))
    serial = draw(st.one_of(st.none(), _ident))
    parts = [("01", gtin)]
    if expiry is not None:
        parts.append(("17", expiry.strftime("%y%m%d")))
    if production is not None:
        parts.append(("11", production.strftime("%y%m%d")))
    if lot is not None:
        parts.append(("10", lot))
    if serial is not None:
        parts.append(("21", serial))
    parts = draw(st.permutations(parts))
    text = "".join(f"({ai}){data}" for ai, data in parts)
    fields: dict[str, object] = {
        "di": gtin,
        "expiry": expiry,
        "production": production,
        "lot": lot,
        "serial": serial,
    }
    return text, fields


@settings(max_examples=300, deadline=None)
@given(_gs1_human(), st.sampled_from(["", "]d2", "]C1", "]Q3", GS, "]d2" + GS]))
def test_codes_udi_gs1_human_machine_round_trip(
    sample: tuple[str, dict[str, object]], prefix: str
) -> None:
    human, fields = sample
    parsed = parse_gs1(human, reference=REF)
    assert parsed.human_readable() == human
    for name, value in fields.items():
        assert getattr(parsed, name) == value
    machine = prefix + parsed.element_string()
    again = parse_gs1(machine, reference=REF)
    assert again.elements == parsed.elements
    assert again.human_readable() == human
    via_machine = parse_udi(machine, reference=REF)
    via_human = parse_udi(human, reference=REF)
    assert via_machine.raw == machine
    assert dataclasses.replace(via_machine, raw=human) == via_human
