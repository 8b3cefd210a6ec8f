"""ACKs: hl7apy and the fast builder agree, both parse back, ERR differs by version."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hl7apy.parser import parse_message as hl7apy_parse
from hl7v2_samples import ADT_V28, DFT_P03_GB18030, ORU_CUSTOM, need_corpus

from yibao_sdk.hl7v2 import (
    AckError,
    Hl7BuildError,
    Hl7Error,
    Hl7ParseError,
    Message,
    build_ack,
    build_ack_fast,
    build_reject,
    parse_message,
    validate_structure,
)

NOW = datetime(2025, 3, 1, 10, 30, 5, tzinfo=timezone(timedelta(hours=8)))
UDI = AckError("植入物UDI无效：缺少序列号(21) | 请扫码", rule_id="implant_udi", segment="FT1",
               sequence=2, field=7)
WARN = AckError("单价高于限价", rule_id="price_cap", severity="W")
MSH_V = "MSH|^~\\&|HIS|H|YB|Y|20250301||DFT^P03^DFT_P03|C1|P|{}|||||CHN|UNICODE UTF-8"
VERSIONS = ["2.3", "2.3.1", "2.4", "2.5", "2.5.1", "2.6", "2.7", "2.7.1", "2.8", "2.8.2"]


def _message(version: str) -> Message:
    text = MSH_V.format(version) + "\rPID|1||P001||张^伟\rFT1|1\rFT1|2|||||CG|C031^支架"
    if version == "2.3":
        text = text.replace("DFT^P03^DFT_P03", "DFT^P03")
    return parse_message(text)


def _both(message: Message, code: str, **kwargs: object) -> str:
    kwargs.setdefault("control_id", "ACK0001")
    kwargs.setdefault("now", NOW)
    slow = build_ack(message, code, **kwargs)  # type: ignore[arg-type]
    fast = build_ack_fast(message, code, **kwargs)  # type: ignore[arg-type]
    assert slow == fast
    return fast


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("code", ["AA", "AE", "AR"])
def test_hl7v2_ack_builders_agree_and_parse_back(version: str, code: str) -> None:
    message = _message(version)
    errors = () if code == "AA" else (UDI, WARN)
    ack = parse_message(_both(message, code, errors=errors, text="已接收"))
    assert ack.version == version and ack.control_id == "ACK0001"
    assert (ack["MSH-3"], ack["MSH-4"], ack["MSH-5"], ack["MSH-6"]) == ("YB", "Y", "HIS", "H")
    assert ack["MSH-7"] == "20250301103005+0800" and ack["MSH-18"] == "UNICODE UTF-8"
    assert ack.message_type[:2] == ("ACK", "P03")
    assert ack.message_type[2] == ("" if version == "2.3" else "ACK")
    assert (ack["MSA-1"], ack["MSA-2"]) == (code, "C1")
    assert validate_structure(ack) == [] or all(p.startswith("Warning") for p in
                                                validate_structure(ack))
    if version != "2.7.1":  # hl7apy has no 2.7.1 library
        parsed = hl7apy_parse(ack.encode())
        assert parsed.msa.msa_1.to_er7() == code and parsed.msa.msa_2.to_er7() == "C1"


def test_hl7v2_ack_err_from_v25() -> None:
    ack = parse_message(_both(_message("2.5"), "AE", errors=[UDI, WARN], text="拒绝"))
    first, second = ack.all("ERR")
    assert first.field(1) == "" and first["ERR-2"] == "FT1"
    assert (first["ERR-2.2"], first["ERR-2.3"]) == ("2", "7")
    assert (first["ERR-3"], first["ERR-3.2"], first["ERR-3.3"]) == (
        "207", "Application internal error", "HL70357")
    assert (first["ERR-4"], first["ERR-5"]) == ("E", "implant_udi")
    assert first["ERR-8"] == "implant_udi: 植入物UDI无效：缺少序列号(21) | 请扫码"
    assert (second.field(2), second["ERR-4"]) == ("", "W")
    assert second["ERR-8"] == "price_cap: 单价高于限价"
    assert ack["MSA-3"] == "拒绝"
    hl7apy_err = hl7apy_parse(ack.encode()).err[0]
    assert hl7apy_err.err_2.to_er7() == "FT1^2^7" and hl7apy_err.err_4.to_er7() == "E"


@pytest.mark.parametrize("version", ["2.3", "2.3.1", "2.4"])
def test_hl7v2_ack_err_1_before_v25(version: str) -> None:
    ack = parse_message(_both(_message(version), "AE", errors=[UDI, WARN], text="拒绝"))
    (err,) = ack.all("ERR")  # the 2.3/2.4 ACK allows one ERR; ERR-1 repeats
    assert len(err) == 1 and len(err.repetitions(1)) == 2
    assert (err["ERR-1.1"], err["ERR-1.2"], err["ERR-1.3"]) == ("FT1", "2", "7")
    assert [err[f"ERR-1.4.{i}"] for i in range(1, 7)] == [
        "207", "Application internal error", "HL70357", "implant_udi",
        "植入物UDI无效：缺少序列号(21) | 请扫码", "L"]
    assert err["ERR-1(2).1"] == "" and err["ERR-1(2).4.5"] == "单价高于限价"
    assert ack["MSA-3"] == "拒绝"
    assert hl7apy_parse(ack.encode()).err.err_1[0].to_er7().startswith("FT1^2^7^207&")


@pytest.mark.parametrize("version", ["2.7", "2.8"])
def test_hl7v2_ack_text_goes_to_an_informational_err_from_v27(version: str) -> None:
    ack = parse_message(_both(_message(version), "AA", text="已接收，等待审核"))
    assert ack["MSA-3"] == ""
    (info,) = ack.all("ERR")
    assert (info["ERR-3"], info["ERR-4"], info["ERR-8"]) == ("0", "I", "已接收，等待审核")
    rejected = parse_message(_both(_message(version), "AR", errors=[UDI], text="拒收"))
    assert [e["ERR-3"] for e in rejected.all("ERR")] == ["207", "207"]


def test_hl7v2_ack_keeps_the_senders_delimiters_and_charset() -> None:
    custom = parse_message(ORU_CUSTOM)
    ack = parse_message(_both(custom, "AE", errors=[UDI]))
    assert ack.delimiters == custom.delimiters and ack["MSA-2"] == "LIS0001"
    assert ack["ERR-8"] == UDI.user_message and "@" not in ack["ERR-8"]
    v28 = parse_message(ADT_V28)
    assert parse_message(_both(v28, "AA")).header.field(2) == "^~\\&#"
    gb = parse_message(DFT_P03_GB18030)
    raw = _both(gb, "AE", errors=[UDI]).encode(gb.charset)
    assert parse_message(raw).charset == "gb18030"
    assert parse_message(raw)["ERR-1.4.5"] == UDI.message


def test_hl7v2_ack_for_a_message_that_failed_to_parse() -> None:
    with pytest.raises(Hl7ParseError) as caught:
        parse_message(MSH_V.format("2.5") + "\rPID|1\rPV1^bad")
    error = AckError.from_error(caught.value)
    assert (error.code, error.segment, error.sequence, error.field) == (100, "PV1", 1, None)
    ack = parse_message(_both(_message("2.5"), "AR", errors=[error]))
    assert ack["ERR-2"] == "PV1" and ack["ERR-2.2"] == "1" and ack["ERR-3"] == "100"
    assert "expected the field separator" in ack["ERR-8"]


def test_hl7v2_ack_defaults_control_id_and_time() -> None:
    message = _message("2.5")
    first = parse_message(build_ack_fast(message, "AA"))
    second = parse_message(build_ack(message, "AA"))
    assert len(first.control_id) == 20 and first.control_id != second.control_id
    assert len(first["MSH-7"]) == 19 and first["MSH-7"][14] in "+-"
    naive = parse_message(build_ack_fast(message, "AA", now=datetime(2025, 3, 1, 8)))
    assert naive["MSH-7"].startswith("20250301080000")


def test_hl7v2_ack_without_all_encoding_characters() -> None:
    message = parse_message("MSH|^~|A|B|C|D|20250301||ADT^A01|C1|P|2.5")
    fast = parse_message(build_ack_fast(message, "AE", errors=[AckError("a^b|c")]))
    assert fast["ERR-8"] == "a b c"
    with pytest.raises(Hl7BuildError, match="all four encoding characters"):
        build_ack(message, "AA")


def test_hl7v2_validate_structure_reports_problems() -> None:
    conformant = "\r".join([MSH_V.format("2.5").replace("DFT^P03^DFT_P03", "ADT^A01^ADT_A01"),
                            "EVN|A01|20250301", "PID|1||P001^^^HIS^PI||张^伟", "PV1|1|I"])
    assert validate_structure(parse_message(conformant)) == []
    broken = parse_message(MSH_V.format("2.5") + "\rFT1|1")
    assert any("Missing required child" in p for p in validate_structure(broken))
    folder = need_corpus()
    a04 = parse_message((folder / "ADT-A04-01.hl7").read_bytes())
    assert validate_structure(a04) == ["Error: HL7 v2.8 has no message structure 'ADT_A04' "
                                       "(MSH-9)"]
    no_evn = validate_structure(parse_message((folder / "ADT04-251.hl7").read_bytes()))
    assert no_evn == ["Error: Missing required child ADT_A01.EVN"]


def test_hl7v2_ack_reads_in_python_hl7() -> None:
    hl7 = pytest.importorskip("hl7")  # a parser we did not write
    parsed = hl7.parse(build_ack_fast(_message("2.5"), "AE", errors=[UDI]))
    msa, err = parsed.segment("MSA"), parsed.segment("ERR")
    assert (str(msa(1)), str(msa(2)), str(err(2))) == ("AE", "C1", "FT1^2^7")
    assert parsed.unescape(str(err(8))) == UDI.user_message


@pytest.mark.parametrize(("data", "expected"), [
    (MSH_V.format("2.4") + "\rPID|1\rPV1^bad", ("2.4", "C1", "100", "PV1")),
    (MSH_V.format("2.2") + "\rPID|1", ("2.5", "C1", "203", "MSH")),
    ("MSH|^^|HIS|H|YB|Y|2025||ADT^A01|C7|P|2.5", ("2.5", "C7", "102", "MSH")),
    (b"\x0bgarbage \xff\x1c\r", ("2.5", "", "100", "")),
    (b"\xff\xfeM\x00S\x00H\x00", ("2.5", "", "103", "")),
    (MSH_V.format("2.5").encode("gb18030").replace(b"|HIS|", "|医院|".encode("gb18030"))
     .replace(b"UNICODE UTF-8", b"GB18030") + b"\rPID|1||\xff\xff", ("2.5", "C1", "103", "PID")),
])
def test_hl7v2_reject_names_the_problem(data: str | bytes,
                                        expected: tuple[str, str, str, str]) -> None:
    with pytest.raises(Hl7Error) as caught:
        parse_message(data)
    ack = parse_message(build_reject(data, caught.value, now=NOW, control_id="N1"))
    assert (ack.version, ack["MSA-2"], ack["ERR-3" if ack.version >= "2.5" else "ERR-1.4"],
            ack["ERR-2" if ack.version >= "2.5" else "ERR-1"]) == expected
    assert ack["MSA-1"] == "AR" and ack.control_id == "N1"
    reason = ack["ERR-8"] or ack["ERR-1.4.5"]
    assert reason == caught.value.reason
    if expected[1]:
        assert ack["MSH-5"] in ("HIS", "医院") and ack["MSH-3"] == "YB"


@pytest.mark.parametrize("version", ["2.4", "2.5"])
def test_hl7v2_ack_with_fewer_encoding_characters(version: str) -> None:
    # MSH-2 "~\&": "~" components, "\" repetitions, "&" escape, no sub-components
    message = parse_message(f"MSH|~\\&|A|B|C|D|2025||DFT~P03|C1|P|{version}\rPID|1")
    ack = parse_message(build_ack_fast(message, "AE", errors=[UDI, WARN]))
    assert ack.delimiters == message.delimiters and ack["MSA-2"] == "C1"
    assert ack["ERR-3" if version == "2.5" else "ERR-1.4"] == "207"
    assert len(ack.all("ERR")) == (2 if version == "2.5" else 1)
