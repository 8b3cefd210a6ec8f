"""Reading values: positions, paths, repetitions, groups and escape sequences."""

from __future__ import annotations

import pytest
from hl7v2_samples import ADT_V28, DFT_P03

from yibao_sdk.hl7v2 import (
    Delimiters,
    Field,
    Hl7PathError,
    escape,
    parse_message,
    unescape,
)

D = Delimiters()
MSH = "MSH|^~\\&|A|B|C|D|20250301||ORU^R01^ORU_R01|C1|P|2.5"


def _nte(value: str) -> str:
    return parse_message(f"{MSH}\rNTE|1||{value}")["NTE-3"]


def test_hl7v2_message_shortcuts() -> None:
    message = parse_message(DFT_P03)
    assert message.message_type == ("DFT", "P03", "")
    assert (message.control_id, message.version, message.charset) == ("DFT0001", "2.4", "utf-8")
    assert message.segment("PV1") is message.segments[3]
    assert message.segment("OBX") is None and message.all("OBX") == []
    assert [s.index for s in message.all("FT1")] == [5, 7]
    assert len(message) == 9 and next(iter(message)) is message.header
    assert repr(message) == "<Message DFT^P03 'DFT0001' v2.4>"
    assert repr(message.header) == "<Segment 1 MSH>"


def test_hl7v2_values_components_repetitions() -> None:
    pid = parse_message(DFT_P03).all("PID")[0]
    assert pid.value(3) == "0001234567" and pid.value(3, 5) == "PI"
    assert pid.value(3, repetition=2) == "110101199003077777"
    assert pid.value(3, 4, repetition=2) == "CHN"
    assert pid.value(3, repetition=3) == "" and pid.value(3, 9) == "" and pid.value(99) == ""
    assert pid.value(5, 1, 2) == "" and pid.value(0) == "PID"
    assert [r.value(5) for r in pid.repetitions(3)] == ["PI", "NNCHN"]
    assert pid.repetitions(2) == [] and pid.repetitions(40) == []
    assert pid.field(3).count("~") == 1 and pid.field(40) == ""


def test_hl7v2_field_objects() -> None:
    field = Field("a&b^c\\T\\d^", D)
    assert field.components() == [["a", "b"], ["c&d"], [""]]
    assert (field.value(), field.value(1, 2), field.value(2), field.value(3), field.value(4)) == (
        "a", "b", "c&d", "", "")
    assert str(field) == "a&b^c\\T\\d^" and field == Field("a&b^c\\T\\d^", D)
    assert len({field, Field("a&b^c\\T\\d^", D)}) == 1 and repr(field).startswith("Field(")


@pytest.mark.parametrize(("args", "words"), [
    ((-1,), "field number"), ((-100,), "field number"), ((3, 0), "component"),
    ((3, 1, 0), "subcomponent"), ((3, 1, 1, 0), "repetition"), ((5, -2), "component"),
])
def test_hl7v2_positions_below_one_are_path_errors(args: tuple[int, ...], words: str) -> None:
    pid = parse_message(DFT_P03).all("PID")[0]
    with pytest.raises(Hl7PathError, match=words):
        pid.value(*args)


@pytest.mark.parametrize("args", [(0,), (1, 0), (-1, 1)])
def test_hl7v2_field_positions_below_one(args: tuple[int, ...]) -> None:
    with pytest.raises(Hl7PathError, match="must be 1 or more"):
        Field("a&b^c", D).value(*args)


@pytest.mark.parametrize(("path", "expected"), [
    ("PID-3", "0001234567"), ("PID-3(2)", "110101199003077777"), ("PID-3[2].4", "CHN"),
    ("PID.5.1", "张"), ("PID-5-2", "伟"), ("FT1(2)-7.2", "冠脉支架&输送系统"),
    ("FT1(2)-7", "C03160107200000102180000"), ("FT1(3)-7", ""), ("OBX-5", ""),
    ("MSH-9", "DFT"), ("MSH-1", "|"), ("MSH-2", "^~\\&"), (" PV1-19 ", "ZY20250301001"),
])
def test_hl7v2_message_paths(path: str, expected: str) -> None:
    assert parse_message(DFT_P03)[path] == expected


@pytest.mark.parametrize("path", ["PID", "PID-", "PID-x", "pid-3", "PID-0", "PID(0)-3",
                                  "PID-3.0", "3.1", "", "PID-3.1.1.1", "P1-3"])
def test_hl7v2_malformed_paths(path: str) -> None:
    with pytest.raises(Hl7PathError):
        parse_message(DFT_P03)[path]


def test_hl7v2_segment_paths() -> None:
    pid = parse_message(DFT_P03).all("PID")[0]
    assert pid["PID-5.2"] == pid["5.2"] == pid["5-2"] == "伟"
    with pytest.raises(Hl7PathError, match="names PV1, this segment is PID"):
        pid["PV1-3"]


def test_hl7v2_groups_of_ft1_with_their_z_segments() -> None:
    message = parse_message(DFT_P03)
    groups = message.groups("FT1", ("Z*", "PRT"))
    assert [[s.name for s in g] for g in groups] == [["FT1", "ZUD"], ["FT1", "ZUD"]]
    assert groups[1].head["FT1-1"] == "2"
    udi = groups[0].segment("ZUD")
    assert udi is not None and udi.value(2).startswith("(01)06901234567892")
    assert groups[0].segment("PRT") is None and len(groups[1].all("ZUD")) == 1
    assert [len(g.segments) for g in message.groups("FT1")] == [1, 1]
    assert message.groups("NTE", ()) and message.groups("OBX") == []


def test_hl7v2_groups_stop_at_a_non_member() -> None:
    message = parse_message(ADT_V28)
    assert [[s.name for s in g] for g in message.groups("PID", ["PV1"])] == [["PID", "PV1"]]


@pytest.mark.parametrize(("raw", "expected"), [
    ("a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f", "a|b^c&d~e\\f"), ("line1\\.br\\line2", "line1\nline2"),
    ("\\X0D0A\\", "\r\n"), ("\\X41\\\\X4a\\", "AJ"), ("\\XE4B8AD\\文", "中文"),
    ("\\H\\bold\\N\\", "\\H\\bold\\N\\"), ("\\X4\\", "\\X4\\"), ("\\XZZ\\", "\\XZZ\\"),
    ("\\XFF\\", "\\XFF\\"), ("\\Cxxyy\\", "\\Cxxyy\\"), ("tail\\", "tail\\"),
    ("\\F", "\\F"), ("\\\\", "\\\\"), ("\\P\\", "\\P\\"), ("\\.sp\\", "\\.sp\\"),
])
def test_hl7v2_escape_sequences(raw: str, expected: str) -> None:
    assert _nte(raw) == expected
    assert unescape(raw, D) == expected


def test_hl7v2_escape_then_unescape() -> None:
    text = "A|B^C&D~E\\F\r\n\x0b\x1c 中文"
    escaped = escape(text, D)
    assert not any(c in escaped for c in "|^&~\r\n\x0b\x1c")
    assert unescape(escaped, D) == text
    assert _nte(escaped) == text
    trunc = Delimiters(truncation="#")
    assert escape("50#", trunc) == "50\\P\\" and unescape("50\\P\\", trunc) == "50#"
    assert escape("a|b", Delimiters(escape="\r")) == "a b"


def test_hl7v2_values_are_unescaped_only_when_read() -> None:
    message = parse_message(f"{MSH}\rNTE|1||a\\T\\b")
    nte = message.all("NTE")[0]
    assert nte.field(3) == "a\\T\\b" and nte.value(3) == "a&b"
    assert message.encode().endswith("a\\T\\b\r")
