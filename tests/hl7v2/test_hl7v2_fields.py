"""Field readers of the HL7 v2 mappings: typed values, item codes, the patient, typed errors."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from yibao_sdk.hl7v2 import AckError, Hl7Error, Message, Segment, build_ack_fast, parse_message
from yibao_sdk.hl7v2.fields import (
    Coded,
    Hl7MappingError,
    Hl7UnsupportedError,
    build,
    coded,
    decimal,
    first_of,
    group_text,
    identifier,
    item,
    observation,
    obx_fields,
    parse_number,
    parse_timestamp,
    participants,
    person_name,
    read_patient,
    required,
    sex,
    text,
    timestamp,
)
from yibao_sdk.models import Charge, Sex

MSH = "MSH|^~\\&|HIS|H|YB|G|20260302080000||DFT^P03|C1|P|2.5"
CARD = "110105196805120035"


def _msg(*segments: str) -> Message:
    return parse_message("\r".join([MSH, *segments]))


def _seg(line: str) -> Segment:
    found = parse_message(f"{MSH}\r{line}").segment(line[:3])
    assert found is not None
    return found


@pytest.mark.parametrize(("value", "expected"), [
    ("2026", datetime(2026, 1, 1)),
    ("202603", datetime(2026, 3, 1)),
    ("20260302", datetime(2026, 3, 2)),
    ("2026030209", datetime(2026, 3, 2, 9)),
    ("202603020930", datetime(2026, 3, 2, 9, 30)),
    ("20260302093015", datetime(2026, 3, 2, 9, 30, 15)),
    ("20260302093015.5", datetime(2026, 3, 2, 9, 30, 15, 500000)),
    ("20260302093015.1234", datetime(2026, 3, 2, 9, 30, 15, 123400)),
    ("20260302093015+0800", datetime(2026, 3, 2, 9, 30, 15)),
    ("20260302013015+0000", datetime(2026, 3, 2, 9, 30, 15)),
    ("198908181126+0215", datetime(1989, 8, 18, 17, 11)),
    ("20190502121659.069-0700", datetime(2019, 5, 3, 3, 16, 59, 69000)),
    (" 20260302 ", datetime(2026, 3, 2)),
])
def test_hl7v2_fields_timestamps_become_china_local(value: str, expected: datetime) -> None:
    assert parse_timestamp(value) == expected


@pytest.mark.parametrize("value", ["", "2026-03-02", "20261302", "20260230", "202603021",
                                   "20260302250000", "20260302+08", "x", "20260302093015.12345"])
def test_hl7v2_fields_bad_timestamps_raise_value_error(value: str) -> None:
    with pytest.raises(ValueError):
        parse_timestamp(value)


def test_hl7v2_fields_timestamp_errors_name_segment_and_field() -> None:
    ft1 = _seg("FT1|1|T1||2026-03-02")
    with pytest.raises(Hl7MappingError) as caught:
        timestamp(ft1, 4, "transaction date")
    error = caught.value
    assert str(error) == "FT1-4: transaction date is not a date/time: '2026-03-02'"
    assert (error.segment, error.field, error.index, error.code) == ("FT1", 4, 2, 102)
    assert timestamp(ft1, 5, "posting date") is None and timestamp(None, 4, "x") is None


@pytest.mark.parametrize(("value", "expected"), [
    ("1", Decimal(1)), ("-2.50", Decimal("-2.50")), ("+3", Decimal(3)), (".5", Decimal("0.5")),
    ("10.", Decimal(10)), (" 7 ", Decimal(7)),
])
def test_hl7v2_fields_numbers(value: str, expected: Decimal) -> None:
    assert parse_number(value) == expected


@pytest.mark.parametrize("value", ["x", "1e3", "NaN", "Infinity", "1,000", "--1", "", "1.2.3"])
def test_hl7v2_fields_bad_numbers(value: str) -> None:
    with pytest.raises(ValueError):
        parse_number(value)


def test_hl7v2_fields_decimal_names_the_field_and_keeps_the_value() -> None:
    ft1 = _seg("FT1|1|T1||20260302||CG|X|||x|12.00&CNY")
    assert decimal(ft1, 11, "extended amount") == Decimal("12.00")
    assert decimal(ft1, 12, "unit amount") is None
    with pytest.raises(Hl7MappingError, match=r"^FT1-10: quantity is not a number: 'x'$"):
        decimal(ft1, 10, "quantity")


def test_hl7v2_fields_text_strips_and_reads_the_hl7_null_as_empty() -> None:
    pv1 = _seg('PV1|1| I |""|^^^^^^^^|a&b')
    assert (text(pv1, 2), text(pv1, 3), text(pv1, 4), text(pv1, 5), text(pv1, 5, 1, 2)) == (
        "I", "", "", "a", "b")
    assert text(None, 1) == ""


def test_hl7v2_fields_coded_values() -> None:
    ft1 = _seg("FT1|1|||||||A^甲^YBXM^B^乙^HIS~C^丙|x")
    assert coded(ft1, 8) == Coded("A", "甲", "YBXM", "B", "乙", "HIS")
    assert coded(ft1, 8, 2) == Coded("C", "丙") and coded(ft1, 8, 3) == Coded()
    assert coded(ft1, 9).label == "x" and Coded("c", "", "", "", "alt").label == "alt"
    assert coded(None, 1) == Coded() and coded(ft1, 40) == Coded()


def test_hl7v2_fields_identifiers_by_type() -> None:
    pid = _seg(f"PID|1||P1^^^HIS^PI~M1^^^HIS^MR~{CARD}^^^CHN^NNCHN")
    assert identifier(pid, 3, ["MR", "PI"]) == "M1"
    assert identifier(pid, 3, ["PI", "MR"]) == "P1"
    assert identifier(pid, 3, ["NNCHN"]) == CARD and identifier(pid, 3, ["SS"]) == ""


@pytest.mark.parametrize(("xpn", "expected"), [
    ("张^伟", "张伟"), ("欧阳^娜娜^^^^^L", "欧阳娜娜"), ("EVERYMAN^ADAM^A", "ADAM EVERYMAN"),
    ("Alias^A^^^^^A~Real^R^^^^^L", "R Real"), ("EVERYMAN&&&&Aniston^ADAM", "ADAM EVERYMAN"),
    ("王建国", "王建国"), ("", ""),
])
def test_hl7v2_fields_person_names(xpn: str, expected: str) -> None:
    pid = _seg(f"PID|1||P1||{xpn}")
    assert person_name(pid.repetitions(5)) == expected


@pytest.mark.parametrize(("code", "expected"), [
    ("M", Sex.MALE), ("F", Sex.FEMALE), ("m", Sex.MALE), ("U", Sex.UNKNOWN), ("O", Sex.UNSTATED),
    ("A", Sex.UNSTATED), ("1", Sex.MALE), ("2", Sex.FEMALE), ("0", Sex.UNKNOWN),
    ("9", Sex.UNSTATED), ("男", Sex.MALE), ("女", Sex.FEMALE), ("", Sex.UNKNOWN),
])
def test_hl7v2_fields_sex_codes(code: str, expected: Sex) -> None:
    assert sex(_seg(f"PID|1||P1||张^伟||19900101|{code}"), 8) is expected


def test_hl7v2_fields_unknown_sex_code_is_a_table_error() -> None:
    with pytest.raises(Hl7MappingError, match=r"^PID-8: unknown sex code 'X'$") as caught:
        sex(_seg("PID|1||P1||张^伟||19900101|X"), 8)
    assert caught.value.code == 103


def test_hl7v2_fields_item_codes_national_by_system_or_shape() -> None:
    calls: list[tuple[str, str, str]] = []

    def resolve(code: str, kind: str, source: str) -> str | None:
        calls.append((code, kind, source))
        return {"H1": "002502030660000"}.get(code)

    assert item(Coded("X1", "甲", "YBXM"), "drug", "his", resolve) == ("X1", "", "甲")
    assert item(Coded("002502030660000", "TEG"), "lab", "lis", resolve) == (
        "002502030660000", "", "TEG")
    assert item(Coded("H9", "乙", "HIS", "N1", "", "NHSA"), "lab", "lis", resolve) == (
        "N1", "H9", "乙")
    assert calls == []
    assert item(Coded("H1", "血栓", "LIS"), "lab", "lis", resolve) == (
        "002502030660000", "H1", "血栓")
    assert item(Coded("H2", "", "LIS"), "lab", "lis", resolve) == ("", "H2", "")
    assert item(Coded("H2"), "lab", "lis", None) == ("", "H2", "")
    assert calls == [("H1", "lab", "lis"), ("H2", "lab", "lis")]
    assert item(Coded("X1", "", "LOCAL"), "drug", "his", None, frozenset({"LOCAL"})).code == "X1"


@pytest.mark.parametrize(("obx", "expected"), [
    ("OBX|1|NM|A||6.5|", "6.5"),
    ("OBX|1|NM|A||27~25|", "27; 25"),
    ("OBX|1|CWE|A||27268008^Salmonella^SCT|", "Salmonella"),
    ("OBX|1|CE|A||N^^L|", "N"),
    ("OBX|1|SN|A||^182|", "182"),
    ("OBX|1|SN|A||>^10|", ">10"),
    ("OBX|1|SN|A||^1^:^128|", "1:128"),
    ("OBX|1|ED|A||^application^pdf^Base64^JVBERi0=|", "application/pdf"),
    ("OBX|1|RP|A||https://x/y^^image^PICT|", "https://x/y"),
    ("OBX|1|FT|A||第一行\\.br\\第二行|", "第一行\n第二行"),
    ("OBX|1|ST|A||甲^乙|", "甲^乙"),
    ('OBX|1|ST|A||""|', ""),
    ("OBX|1|ST|A|||", ""),
])
def test_hl7v2_fields_observation_values(obx: str, expected: str) -> None:
    assert observation(_seg(obx)) == expected


def test_hl7v2_fields_obx_document_fields() -> None:
    message = _msg("OBX|1|CWE|ASA^ASA分级^L||II^ASA II级^L", "OBX|2|ST|^备注||甲",
                   "OBX|3|ST|ASA||再评", "OBX|4|ST|||无名")
    assert obx_fields(message.all("OBX")) == {"ASA": "ASA II级; 再评", "备注": "甲"}


def test_hl7v2_fields_first_of_and_required() -> None:
    message = _msg("PID|1||P1||张^伟", 'PV1|1|I||||||||||||||||||""')
    assert first_of(message, ("PV1-19", "PID-3"), "visit number") == "P1"
    with pytest.raises(Hl7MappingError) as caught:
        first_of(message, ("PV1-19", "PID-18"), "visit number")
    error = caught.value
    assert str(error) == "PV1-19: visit number is missing (looked in PV1-19, PID-18)"
    assert (error.code, error.index, error.path) == (101, 3, "PV1-19")
    with pytest.raises(Hl7MappingError, match=r"^TXA: segment TXA is missing$"):
        required(message, "TXA")
    assert required(message, "PID").name == "PID"


def test_hl7v2_fields_groups_and_participants() -> None:
    message = _msg("ORC|NW|O1||||||||||D1^甲", "ROL|1|AD|VP^核对|D2^乙|20260302100000",
                   "PRT|1|AD||VP^核对|D3^丙||||||20260302110000",
                   "PRT|2|AD||OP^开单|D4^丁", "ROL|2|AD|VP|")
    group = message.groups("ORC", ("ROL", "PRT"))[0]
    assert group_text(group, "ORC-12") == "D1" and group_text(group, "ORC-12.2") == "甲"
    assert group_text(group, "RXE-2") == "" and group_text(group, "PRT(2)-5") == "D4"
    assert list(participants(group, frozenset({"VP"}))) == [
        ("D2", datetime(2026, 3, 2, 10)), ("D3", datetime(2026, 3, 2, 11))]


def test_hl7v2_fields_error_occurrence_is_counted_in_the_message() -> None:
    message = _msg("FT1|1", "FT1|2", "ZUD|1", "FT1|3")
    third = message.all("FT1")[2]
    error = Hl7MappingError("quantity is not a number: 'x'", segment="FT1", index=third.index,
                            field=10, where="his-1")
    assert str(error) == "his-1: FT1-10: quantity is not a number: 'x'"
    located = error.within(message)
    assert str(located) == "his-1: FT1(3)-10: quantity is not a number: 'x'"
    assert (located.occurrence, located.index, located.code) == (3, 5, 207)
    assert isinstance(located, Hl7Error) and located.within(message) is located


def test_hl7v2_fields_unsupported_names_msh9() -> None:
    message = parse_message(MSH.replace("DFT^P03", "BAR^P02"))
    error = Hl7UnsupportedError.for_message(message, "HIS", {"DFT^P03", "ADT^A01"})
    assert str(error) == "MSH-9: the HIS adapter does not map BAR^P02 (it maps ADT^A01, DFT^P03)"
    assert (error.code, error.segment, error.field) == (200, "MSH", 9)


def test_hl7v2_fields_build_names_the_field_of_a_refused_attribute() -> None:
    ft1 = _seg("FT1|1|" + "T" * 41)
    data = {"charge_id": "T" * 41, "item_code": "X", "category": "other", "quantity": 1,
            "unit_price": 1, "amount": 1, "charged_at": datetime(2026, 3, 2)}
    with pytest.raises(Hl7MappingError, match=r"^FT1-2: Charge.charge_id: String should have "
                                             r"at most 40 characters$") as caught:
        build(Charge, data, ft1, {"charge_id": (ft1, 2)})
    assert caught.value.code == 104
    with pytest.raises(Hl7MappingError, match=r"^FT1-10: Charge.quantity: ") as bad:
        build(Charge, {**data, "charge_id": "T1", "quantity": "x"}, ft1, {"quantity": (ft1, 10)})
    assert bad.value.code == 102
    with pytest.raises(Hl7MappingError, match=r"^FT1: Charge.item_code: Field required$") as c2:
        build(Charge, {k: v for k, v in data.items() if k not in ("item_code", "charge_id")}
              | {"charge_id": "T1"}, ft1, {})
    assert c2.value.code == 101


def test_hl7v2_fields_read_patient() -> None:
    pid = _seg(f"PID|1|OLD1|P1^^^HIS^PI~M1^^^HIS^MR~{CARD}^^^CHN^NNCHN||王^建国^^^^^L||"
               "19680512093000+0800|M")
    patient = read_patient(pid)
    assert (patient.patient_id, patient.name, patient.birth_date, patient.sex) == (
        "M1", "王建国", date(1968, 5, 12), Sex.MALE)
    assert patient.id_card == CARD and CARD not in repr(patient)
    fallback = read_patient(_seg(f"PID|1|OLD1|{CARD}^^^CHN^NNCHN||张^伟||19900307|F||||||||||||"
                                 "ID19"))
    assert (fallback.patient_id, fallback.id_card) == ("OLD1", CARD)
    by_pid19 = read_patient(_seg("PID|1||X9||张^伟||19900307|F" + "|" * 11 + CARD))
    assert (by_pid19.patient_id, by_pid19.id_card) == ("X9", CARD)


@pytest.mark.parametrize(("line", "words", "code"), [
    ("PID|1||||张^伟||19900307|M", "PID-3: patient id is missing", 101),
    ("PID|1||P1||||19900307|M", "PID-5: patient name is missing", 101),
    ("PID|1||P1||张^伟|||M", "PID-7: birth date is missing or not a date", 101),
    ("PID|1||P1||张^伟||19900352|M", "PID-7: birth date is missing or not a date", 102),
    ("PID|1||P1||张^伟||19900307|Q", "PID-8: unknown sex code 'Q'", 103),
])
def test_hl7v2_fields_patient_errors_never_show_personal_data(line: str, words: str,
                                                              code: int) -> None:
    with pytest.raises(Hl7MappingError) as caught:
        read_patient(_seg(line))
    assert str(caught.value).startswith(words) and caught.value.code == code
    assert "张" not in str(caught.value) and "19900" not in str(caught.value)


def test_hl7v2_fields_mapping_errors_become_ack_errors() -> None:
    message = _msg("FT1|1", "FT1|2", "FT1|3")
    third = message.all("FT1")[2]
    error = Hl7MappingError("quantity is not a number: 'x'", segment="FT1", index=third.index,
                            field=10).within(message)
    ack = build_ack_fast(message, "AE", errors=[AckError.from_error(error)])
    err = parse_message(ack).segment("ERR")
    assert err is not None
    assert (err.value(2, 1), err.value(2, 2), err.value(2, 3)) == ("FT1", "3", "10")
    assert err.value(3) == "207" and "quantity is not a number" in err.value(8)
