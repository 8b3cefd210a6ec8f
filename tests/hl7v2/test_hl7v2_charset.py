"""MSH-18 character sets: GB18030/GBK/UTF-8 bytes, the per-peer default, BOMs, typed errors."""

from __future__ import annotations

import pytest
from hl7v2_samples import DFT_P03, DFT_P03_GB18030

from yibao_sdk.hl7v2 import Hl7EncodingError, parse_batch, parse_message

MSH18 = "MSH|^~\\&|HIS|医院|YB|网关|20250301||ADT^A01|C1|P|2.5|||AL|NE|CHN|{}"
PID = "PID|1||P001||张^伟"


def _bytes(declared: str, codec: str) -> bytes:
    return (MSH18.format(declared) + "\r" + PID).encode(codec)


@pytest.mark.parametrize(("declared", "codec"), [
    ("UNICODE UTF-8", "utf-8"), ("UTF-8", "utf-8"), ("utf8", "utf-8"), ("UNICODE", "utf-8"),
    ("GB 18030-2000", "gb18030"), ("GB18030", "gb18030"), ("gb18030", "gb18030"),
    ("GBK", "gbk"), ("GB2312", "gbk"), ("UNICODE UTF-8~GB18030", "utf-8"),
])
def test_hl7v2_msh18_decides_how_bytes_decode(declared: str, codec: str) -> None:
    message = parse_message(_bytes(declared, codec))
    assert message.charset == codec
    assert message.declared_charset == declared.split("~", maxsplit=1)[0]
    assert (message["PID-5"], message["MSH-4"]) == ("张", "医院")


def test_hl7v2_latin_1() -> None:
    header = MSH18.format("8859/1").replace("医院", "H").replace("网关", "G")
    message = parse_message((header + "\rPID|1||P001||Müller").encode("latin-1"))
    assert (message.charset, message["PID-5"]) == ("latin-1", "Müller")


def test_hl7v2_gb18030_dft_with_declared_charset() -> None:
    message = parse_message(DFT_P03_GB18030)
    assert message.charset == "gb18030"
    assert message["FT1-7.2"] == "一般诊疗费"
    assert message["FT1(2)-7.2"] == "冠脉支架&输送系统"
    assert message.encode().encode("gb18030") == DFT_P03_GB18030 + b"\r"


def test_hl7v2_per_peer_default_when_msh18_is_empty() -> None:
    data = DFT_P03.encode("gb18030")
    message = parse_message(data, encoding="GB18030")
    assert message.charset == "gb18030" and message["PID-5.1"] == "张"
    assert parse_message(DFT_P03.encode("utf-8"), encoding=None).charset == "utf-8"
    ascii_only = DFT_P03.split("\rPID")[0].encode("ascii", "replace")
    assert parse_message(ascii_only, encoding="GBK").charset == "gbk"


def test_hl7v2_declared_charset_wins_over_the_peer_default() -> None:
    assert parse_message(DFT_P03_GB18030, encoding="UTF-8").charset == "gb18030"


def test_hl7v2_undecodable_bytes_name_segment_and_field() -> None:
    with pytest.raises(Hl7EncodingError) as caught:
        parse_message(DFT_P03.encode("gb18030"), where="his-1")  # no MSH-18, UTF-8 default
    error = caught.value
    assert (error.segment, error.index, error.field) == ("MSH", 1, 4)
    assert str(error).startswith("his-1: segment 1 (MSH) field 4: bytes ")
    assert "not valid utf-8" in str(error)


def test_hl7v2_undecodable_bytes_in_a_later_segment() -> None:
    data = (MSH18.format("") + "\r" + PID).encode("utf-8").replace(b"|P001|", b"|P\xff01|")
    with pytest.raises(Hl7EncodingError) as caught:
        parse_message(data)
    assert (caught.value.segment, caught.value.index, caught.value.field) == ("PID", 2, 3)
    assert caught.value.occurrence == 1


def test_hl7v2_ascii_declared_but_not_ascii() -> None:
    with pytest.raises(Hl7EncodingError, match="not valid ascii"):
        parse_message(_bytes("ASCII", "utf-8"))


@pytest.mark.parametrize(("declared", "words"), [
    ("EBCDIC", "unknown character set 'EBCDIC'"), ("UNICODE UTF-16", "not ASCII-compatible"),
])
def test_hl7v2_unknown_or_unreadable_msh18(declared: str, words: str) -> None:
    for data in (MSH18.format(declared), _bytes(declared, "utf-8")):
        with pytest.raises(Hl7EncodingError) as caught:
            parse_message(data)
        assert words in str(caught.value)
        assert (caught.value.segment, caught.value.field, caught.value.code) == ("MSH", 18, 103)


def test_hl7v2_unknown_peer_default_is_a_typed_error() -> None:
    with pytest.raises(Hl7EncodingError, match="unknown character set 'KLINGON'"):
        parse_message(DFT_P03.encode("gb18030"), encoding="KLINGON")


def test_hl7v2_utf8_bom() -> None:
    data = b"\xef\xbb\xbf" + DFT_P03.encode("utf-8")
    message = parse_message(data, encoding="GB18030")  # the BOM beats the peer default
    assert message.charset == "utf-8" and message["PID-5.1"] == "张"
    assert parse_message(b"\x0b" + data + b"\x1c\r").encode() == message.encode()


def test_hl7v2_bom_contradicting_msh18() -> None:
    with pytest.raises(Hl7EncodingError, match="byte-order mark, but MSH-18"):
        parse_message(b"\xef\xbb\xbf" + _bytes("GB18030", "utf-8"))
    ascii_only = MSH18.format("GB18030").replace("医院", "H").replace("网关", "G").encode()
    with pytest.raises(Hl7EncodingError, match="byte-order mark, but MSH-18"):
        parse_message(b"\xef\xbb\xbf" + ascii_only)
    message = parse_message(b"\xef\xbb\xbf" + ascii_only.replace(b"GB18030", b""), encoding="GBK")
    assert message.charset == "utf-8"  # the BOM is the sender's word, even on ASCII content


@pytest.mark.parametrize("bom", [b"\xff\xfe", b"\xfe\xff", b"\x84\x31\x95\x33"])
def test_hl7v2_other_boms_are_refused(bom: bytes) -> None:
    with pytest.raises(Hl7EncodingError, match="byte-order mark"):
        parse_message(bom + _bytes("", "utf-8"))


@pytest.mark.parametrize("default", [None, "GBK"])
def test_hl7v2_gbk_trail_byte_equal_to_a_delimiter_before_msh18(default: str | None) -> None:
    # 億 in GBK is 0x83 0x7C: its trail byte is "|", which adds a field to a byte-level
    # split of the header; the decoded header is read again and decides.
    assert "億".encode("gbk")[1:] == b"|"
    text = MSH18.format("GBK").replace("|医院|", "|億院|") + "\r" + PID
    message = parse_message(text.encode("gbk"), encoding=default)
    assert (message["MSH-4"], message["PID-5"], message.charset) == ("億院", "张", "gbk")


def test_hl7v2_hex_escape_decodes_in_the_message_charset() -> None:
    hexed = "中".encode("gb18030").hex().upper()
    message = parse_message(MSH18.format("GB18030") + f"\rNTE|1||\\X{hexed}\\")
    assert message.charset == "gb18030" and message["NTE-3"] == "中"
    assert parse_message(MSH18.format("") + "\rNTE|1||\\XE4B8AD\\")["NTE-3"] == "中"


def test_hl7v2_batch_decodes_once_and_checks_each_message() -> None:
    text = DFT_P03.replace("|CHN|", "|CHN|GB18030", 1)
    batch = parse_batch(("BHS|^~\\&\r" + text + "\r" + text + "\rBTS|2").encode("gb18030"))
    assert [m.charset for m in batch.messages] == ["gb18030", "gb18030"]
    mixed = text + "\r" + DFT_P03.replace("|CHN|", "|CHN|UTF-8", 1)
    with pytest.raises(Hl7EncodingError, match="declares 'UTF-8'"):
        parse_batch(mixed.encode("gb18030"))
