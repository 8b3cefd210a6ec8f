"""The tokenizer: framing, separators, delimiters, versions and the errors that name the place."""

from __future__ import annotations

import pytest
from hl7v2_samples import ADT_V28, DFT_P03, ORU_CUSTOM

from yibao_sdk.errors import InputError
from yibao_sdk.hl7v2 import (
    Hl7Error,
    Hl7ParseError,
    Hl7VersionError,
    parse_batch,
    parse_message,
)

MSH = "MSH|^~\\&|A|B|C|D|20250301||ADT^A01^ADT_A01|C1|P|2.5"
PID = "PID|1||P001^^^HIS^PI||王^芳"


def _message(*segments: str, sep: str = "\r") -> str:
    return sep.join([MSH, *segments])


def test_hl7v2_msh_numbering_counts_the_separator_as_field_one() -> None:
    msh = parse_message(_message(PID)).header
    assert (msh.field(1), msh.field(2), msh.value(1), msh.value(2)) == ("|", "^~\\&", "|",
                                                                        "^~\\&")
    assert [f.raw for f in msh.repetitions(2)] == ["^~\\&"]
    assert (msh.value(3), msh.value(9, 2), msh.value(12), msh.value(2, 2)) == ("A", "A01",
                                                                               "2.5", "")
    assert msh.fields[:4] == ["MSH", "|", "^~\\&", "A"] and len(msh) == 12


@pytest.mark.parametrize("sep", ["\r", "\n", "\r\n"])
def test_hl7v2_segment_separators(sep: str) -> None:
    message = parse_message(_message(PID, "PV1|1|I", sep=sep) + sep)
    assert [s.name for s in message] == ["MSH", "PID", "PV1"]
    assert message.encode() == _message(PID, "PV1|1|I") + "\r"


def test_hl7v2_mixed_separators_blank_lines_and_trailing_spaces() -> None:
    message = parse_message(MSH + "\r\n" + PID + "  \n\r\n\rPV1|1|I \r")
    assert [s.name for s in message] == ["MSH", "PID", "PV1"]
    assert message["PID-5.2"] == "芳  " and message["PV1-2"] == "I "


@pytest.mark.parametrize("frame", [("\x0b", "\x1c\r"), ("\x0b", "\x1c"), (" \r\n\t", "\r\n"),
                                   ("\ufeff", ""), ("\x0b\ufeff", "\x1c\r")])
def test_hl7v2_framing_and_whitespace_are_stripped(frame: tuple[str, str]) -> None:
    head, tail = frame
    message = parse_message(head + _message(PID) + tail)
    assert message.encode() == _message(PID) + "\r"
    assert parse_message((head + _message(PID) + tail).encode()).encode() == message.encode()


def test_hl7v2_custom_encoding_characters() -> None:
    message = parse_message(ORU_CUSTOM)
    assert message.delimiters.encoding_characters == "@!$%"
    assert message.message_type == ("ORU", "R01", "ORU_R01")
    assert message["PID-3(2).5"] == "NNCHN" and message["PID-5.2"] == "芳"
    assert message["OBX-3.2"] == "白细胞计数" and message["OBX(2)-5"] == "A#B@C%D!E$F"
    assert message.encode() == ORU_CUSTOM + "\r"


@pytest.mark.parametrize("msh", ["MSH#^~\\&#A#B", "MSH!@#$%!A!B", "MSH|^~|A|B", "MSH|^|A|B"])
def test_hl7v2_other_delimiter_choices(msh: str) -> None:
    sep = msh[3]
    fields = [msh, "", "", "", "", "ADT^A01", "C9", "P", "2.5"]
    if msh.startswith("MSH!"):
        fields[5] = "ADT@A01"
    message = parse_message(sep.join(fields) + "\rZZ1" + sep + "x")
    assert message.control_id == "C9" and message.message_type[0] == "ADT"
    assert message["ZZ1-1"] == "x"


def test_hl7v2_truncation_character_v27() -> None:
    message = parse_message(ADT_V28)
    assert message.delimiters.truncation == "#"
    assert message.header.field(2) == "^~\\&#"
    assert message["ZPV-1"] == "截断值#结束#"
    assert message["PRT-10"] == "(01)06901234567892(17)271231(10)B2401"
    assert message["PRT-16"] == "06901234567892"


@pytest.mark.parametrize("version", sorted(["2.3", "2.3.1", "2.4", "2.5", "2.5.1", "2.6",
                                            "2.7", "2.7.1", "2.8", "2.8.1", "2.8.2"]))
def test_hl7v2_supported_versions(version: str) -> None:
    assert parse_message(MSH.replace("|2.5", f"|{version}^CHN")).version == version


@pytest.mark.parametrize("version", ["2.2", "2.9", "3.0", "", "2.5.9"])
def test_hl7v2_unsupported_versions_name_msh_12(version: str) -> None:
    with pytest.raises(Hl7VersionError) as caught:
        parse_message(MSH.replace("|2.5", f"|{version}"))
    assert caught.value.code == 203 and caught.value.field == 12
    assert str(caught.value).startswith("segment 1 (MSH) field 12: unsupported HL7 version")


@pytest.mark.parametrize(("text", "found"), [
    ("", "empty"), ("   \r\n", "empty"), ("PID|1", "'PID|1'"),
    ("BHS|^~\\&|x", "use parse_batch"), ("<xml/>", "'<xml/>'"), ("msh|^~\\&|", "'msh|^~"),
])
def test_hl7v2_input_that_is_not_a_message_names_what_it_found(text: str, found: str) -> None:
    with pytest.raises(Hl7ParseError) as caught:
        parse_message(text, where="peer his-1")
    assert found in str(caught.value)
    assert str(caught.value).startswith("peer his-1: ")


@pytest.mark.parametrize(("msh", "field", "words"), [
    ("MSHA^~\\&|", 1, "field separator"), ("MSH \\&|", 1, "field separator"),
    ("MSH||A", 2, "found 0"), ("MSH|^^\\&|A", 2, "repeat"), ("MSH|^~\\~|A", 2, "repeat"),
    ("MSH|^~\\&*+|A", 2, "found 6"), ("MSH|^~a&|A", 2, "punctuation"),
])
def test_hl7v2_bad_encoding_characters(msh: str, field: int, words: str) -> None:
    with pytest.raises(Hl7ParseError) as caught:
        parse_message(msh + "|B|C|D|E||ADT^A01|1|P|2.5")
    assert (caught.value.segment, caught.value.index, caught.value.field) == ("MSH", 1, field)
    assert words in str(caught.value) and caught.value.code == 102
    with pytest.raises(Hl7ParseError, match=r"segment 1 \(MSH\) field 1: .*end of the segment"):
        parse_message("MSH")


@pytest.mark.parametrize(("line", "place", "words"), [
    ("hello world", "segment 3: ", "line break inside a field"),
    ("PID^1", "segment 3 (PID): ", "field separator '|'"),
    ("MSH|^~\\&|x", "segment 3 (MSH): ", "use parse_batch"),
    ("BTS|1", "segment 3 (BTS): ", "use parse_batch"),
    ("PV1|1|\x1cI", "segment 3 (PV1) field 2: ", "framing byte"),
    ("pid|1", "segment 3: ", "segment name"),
])
def test_hl7v2_bad_segments_are_named(line: str, place: str, words: str) -> None:
    with pytest.raises(Hl7ParseError) as caught:
        parse_message(_message(PID, line))
    assert str(caught.value).startswith(place) and words in str(caught.value)


def test_hl7v2_errors_are_input_errors_with_their_parts() -> None:
    with pytest.raises(InputError) as caught:
        parse_message(_message(PID, "PID|2", "PID#3"), where="his")
    error = caught.value
    assert isinstance(error, Hl7Error) and isinstance(error, ValueError)
    assert (error.segment, error.index, error.occurrence, error.source) == ("PID", 4, 3, "his")
    assert error.reason.startswith("expected the field separator")
    assert error.where == "his: segment 4 (PID)"


@pytest.mark.parametrize("data", [None, 42, ["MSH"], object()])
def test_hl7v2_wrong_input_types_raise_typed_errors(data: object) -> None:
    with pytest.raises(Hl7ParseError, match="expected bytes or str"):
        parse_message(data)  # type: ignore[arg-type]
    with pytest.raises(Hl7ParseError, match="expected bytes or str"):
        parse_batch(data)  # type: ignore[arg-type]


def test_hl7v2_bytearray_and_memoryview_input() -> None:
    data = _message(PID).encode()
    # accepted at runtime, as asyncio and socket code hand them over
    from_array = parse_message(bytearray(data))  # type: ignore[arg-type]
    assert from_array.encode() == parse_message(memoryview(data)).encode()  # type: ignore[arg-type]


def test_hl7v2_z_segments_are_kept_in_order() -> None:
    message = parse_message(DFT_P03)
    assert [s.name for s in message][4:8] == ["FT1", "ZUD", "FT1", "ZUD"]
    assert message["ZUD(2)-2"] == "(01)06901234567892(17)271231(10)B2402"
    assert message.encode() == DFT_P03 + "\r"


def test_hl7v2_parse_batch_of_bare_messages_and_envelope_errors() -> None:
    two = _message(PID) + "\r" + _message(PID).replace("|C1|", "|C2|")
    batch = parse_batch(two)
    assert [m.control_id for m in batch.messages] == ["C1", "C2"]
    assert batch.header is None and len(batch.batches) == 1
    with pytest.raises(Hl7ParseError, match=r"segment 4 \(PID\): .*after the file trailer"):
        parse_batch("FHS|^~\\&\r" + _message() + "\rFTS|1\r" + PID)
    with pytest.raises(Hl7ParseError, match="empty message"):
        parse_batch("\x0b\x1c\r")
    with pytest.raises(Hl7ParseError, match="start with MSH, BHS or FHS, found b'EVN"):
        parse_batch(b"EVN|1\r" + _message().encode())
    with pytest.raises(Hl7ParseError, match=r"message 2 \(segment 3\): segment 3 \(PID\)"):
        parse_batch(two + "\rPID^bad")
    with pytest.raises(Hl7ParseError, match=r"^f: segment 3 \(BTS\): expected the field sep"):
        parse_batch(_message(PID) + "\rBTS^1", where="f")
    with pytest.raises(Hl7ParseError, match=r"^f: segment 1 \(BHS\) field 2: "):
        parse_batch("BHS|^^|\r" + _message(PID), where="f")
