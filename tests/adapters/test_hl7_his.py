"""HIS HL7 v2 router on the public corpus, and its boundaries: ADT, RDE/OMP, DFT, MDM."""

from __future__ import annotations

import os
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from yibao_sdk.adapters.his.hl7 import SUPPORTED, HisOptions, route
from yibao_sdk.hl7v2 import Hl7Error, Mapped, parse_message
from yibao_sdk.hl7v2.fields import Hl7MappingError, Hl7UnsupportedError
from yibao_sdk.models import ChargeCategory, DrugOrder, FormRecord, Sex, VisitType

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(os.environ.get("YIBAO_HL7_CORPUS", ROOT.parent / "shared" / "corpus" / "hl7v2"
                             / "public"))


def corpus(name: str, **kw: object) -> Mapped:
    """Map a corpus file through the HIS router; skip without the shared corpus."""
    if not CORPUS.is_dir():
        pytest.skip(f"public HL7 corpus not found at {CORPUS} (set YIBAO_HL7_CORPUS)")
    return route(parse_message((CORPUS / name).read_bytes(), where=name), **kw)  # type: ignore[arg-type]


# the public corpus -------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "event", "discharged"), [
    ("ADT-A01-01.hl7", "ADT^A01", None),
    ("ADT-A03-01.hl7", "ADT^A03", datetime(2015, 2, 9, 18, 24, 19)),
    ("ADT-A04-01.hl7", "ADT^A04", None),
    ("ADT-A08-01.hl7", "ADT^A08", datetime(2015, 2, 9, 18, 24, 19)),
])
def test_hl7_his_corpus_adt_events(name: str, event: str, discharged: datetime | None) -> None:
    mapped = corpus(name)
    assert (mapped.source, mapped.message_type, mapped.control_id) == ("his", event, "MSG00001")
    patient, visit = mapped.patient, mapped.visit
    assert patient is not None and visit is not None
    # PID-3 has PATID1234 (MR) and an SS number; PID-5's legal (L) repetition is "Josh"
    assert (patient.patient_id, patient.name, patient.birth_date, patient.sex) == (
        "PATID1234", "Josh", date(1988, 8, 18), Sex.MALE)
    assert patient.id_card == "PSSN123121234"  # PID-19 (no NNCHN identifier in PID-3)
    assert mapped.visit_id == visit.visit_id == "40007716"
    # PV1-2 "P" (preadmit) reads as inpatient; A01 is inpatient whatever PV1-2 says
    assert visit.visit_type is VisitType.INPATIENT
    assert visit.admitted_at == datetime(2015, 2, 8, 18, 24, 19)  # 11:34:19+01:10 in UTC+8
    assert visit.discharged_at == discharged
    assert (visit.department, visit.attending_id) == ("HUH AE OMU", "1122334")
    assert [(d.code, d.name, d.main) for d in visit.diagnoses] == [
        ("422504002", "Ischemic stroke(disorder)", True)]
    assert (visit.orders, visit.charges, mapped.orders, mapped.charges) == ((), (), (), ())


def test_hl7_his_corpus_adt_without_diagnoses_and_older_versions() -> None:
    a01 = corpus("ADT-A01-02.hl7")
    assert a01.visit is not None and a01.visit.diagnoses == ()
    v23 = corpus("ADT01-23.hl7")
    assert v23.visit is not None and v23.patient is not None
    assert (v23.patient.sex, v23.visit.admitted_at) == (
        Sex.FEMALE, datetime(2015, 2, 8, 11, 34, 19))
    assert [(d.code, d.name, d.main) for d in v23.visit.diagnoses] == [
        ("71596", "OSTEOARTHROS NOS-L/LEG", False)]
    # ADT01-28: no PV1-19 and no PV1-44: PID-18 account number, EVN-2 as the admission
    v28 = corpus("ADT01-28.hl7")
    assert v28.visit is not None and v28.patient is not None
    assert (v28.visit_id, v28.patient.name, v28.patient.birth_date) == (
        "PATID12345001", "ADAM EVERYMAN", date(1961, 6, 15))
    assert (v28.visit.admitted_at, v28.visit.department, v28.visit.attending_id) == (
        datetime(2007, 8, 18, 11, 23), "2000", "004777")


def test_hl7_his_corpus_a04_emergency_registration() -> None:
    mapped = corpus("ADT04-251.hl7")
    assert mapped.visit is not None and mapped.patient is not None
    assert (mapped.message_type, mapped.visit_id, mapped.visit.visit_type) == (
        "ADT^A04", "123456789", VisitType.EMERGENCY)
    assert (mapped.patient.patient_id, mapped.patient.name, mapped.patient.sex) == (
        "MRN12345", "Jane Doe", Sex.FEMALE)
    assert (mapped.visit.admitted_at, mapped.visit.attending_id) == (
        datetime(2019, 5, 2, 7), "12345")


def test_hl7_his_corpus_rde_o11_drug_orders() -> None:
    one = corpus("RDE-O11-01.hl7")
    [order] = one.orders
    assert isinstance(order, DrugOrder) and one.message_type == "RDE^O11"
    assert (order.order_id, order.ordered_at) == ("1163422591", datetime(2019, 11, 4, 12, 12, 26))
    # ORC-12 and RXE-13.1 are empty: RXO-14.1 names the ordering provider
    assert order.practitioner_id == "OP-14" and order.signers == {"OP-14"}
    # an NDC code is a hospital code here; nothing resolves it
    assert (order.item_code, order.hospital_item_code) == ("", "0143963401")
    assert order.name.startswith("200 ML BAG : NICARDIPINE")
    assert (order.quantity, order.dose, order.frequency, order.days, order.urgent) == (
        Decimal(3), "5mg/hr", "TID", 3, False)
    two = corpus("RDE-O11-02.hl7", resolve=lambda code, kind, source: f"N-{code}")
    assert [(o.order_id, o.item_code, o.hospital_item_code, o.quantity) for o in two.orders] == [
        ("1163422591", "N-0143963401", "0143963401", Decimal(3)),
        ("1422591", "N-2669", "2669", Decimal(4))]
    second = two.orders[1]
    assert isinstance(second, DrugOrder)
    assert (second.urgent, second.days, second.ordered_at) == (
        True, None, datetime(2022, 11, 4, 12, 12, 26))


def test_hl7_his_corpus_mdm_t02_is_a_form_when_not_a_surgery_record() -> None:
    mapped = corpus("MDM-T02-01.hl7")
    [record] = mapped.records
    assert isinstance(record, FormRecord) and mapped.visit_id == "10000001"
    assert (record.record_id, record.form_type, record.author_id) == (
        "1.2.840.317.5947431.51.20080131160038", "DI", "IvanDoctorovich")
    assert record.recorded_at == datetime(2008, 1, 31, 21, 40)
    assert record.fields == {"113014": "1.2.840.317.5947431.51", "02585": "application/pdf"}


@pytest.mark.parametrize(("name", "kind"), [
    ("BAR-P02-01.hl7", "BAR^P02"), ("OMG-O19-01.hl7", "OMG^O19"), ("ORU-R01-01.hl7", "ORU^R01"),
    ("OML-O21-01.hl7", "OML^O21"), ("ORM-O01-01.hl7", "ORM^O01"),
])
def test_hl7_his_corpus_unsupported_types_name_msh9(name: str, kind: str) -> None:
    with pytest.raises(Hl7UnsupportedError) as caught:
        corpus(name)
    error = caught.value
    assert str(error).startswith(f"MSH-9: the HIS adapter does not map {kind}")
    assert (error.code, error.segment, error.field) == (200, "MSH", 9)
    assert isinstance(error, Hl7Error)


def test_hl7_his_supported_types() -> None:
    assert {"ADT^A01", "ADT^A03", "ADT^A04", "ADT^A08", "RDE^O11", "OMP^O09", "DFT^P03",
            "MDM^T02"} == SUPPORTED


# boundaries --------------------------------------------------------------------------------

MSH = "MSH|^~\\&|HIS|H|YB|G|20260302090000||{type}|C1|P|{version}|||AL|NE|CHN|UNICODE UTF-8"
PID = "PID|1||P1^^^HIS^MR||张^伟||19900307|M"
PV1 = "PV1|1|I|骨科||||D001^李^主治||||||||||||ZY1|||||||||||||||||||||||||20260302080000"


def his(*segments: str, type_: str = "DFT^P03", version: str = "2.5", **kw: object) -> Mapped:
    text = "\r".join([MSH.format(type=type_, version=version), *segments])
    return route(parse_message(text), **kw)  # type: ignore[arg-type]


def ft1(n: int, kind: str = "CG", *, code: str = "001102000010000^诊察费^YBXM", qty: str = "1",
        price: str = "20.00", amount: str = "20.00", extra: str = "") -> str:
    return (f"FT1|{n}|FY{n}||20260302100000||{kind}|{code}|||{qty}|{amount}|{price}"
            f"||||||||N1^护士|D001^李^主治||O{n}{extra}")


def test_hl7_his_dft_line_fields() -> None:
    [charge] = his(PID, PV1, ft1(1)).charges
    assert (charge.charge_id, charge.item_code, charge.hospital_item_code, charge.name) == (
        "FY1", "001102000010000", "", "诊察费")
    assert (charge.category, charge.quantity, charge.unit_price, charge.amount) == (
        ChargeCategory.CONSULTATION, Decimal(1), Decimal("20.00"), Decimal("20.00"))
    assert (charge.charged_at, charge.ordering_practitioner_id,
            charge.performing_practitioner_id, charge.order_id) == (
        datetime(2026, 3, 2, 10), "D001", "N1", "O1")


def test_hl7_his_dft_bad_quantity_names_the_occurrence() -> None:
    with pytest.raises(Hl7MappingError) as caught:
        his(PID, PV1, ft1(1), ft1(2), ft1(3, qty="x"))
    assert str(caught.value) == "FT1(3)-10: quantity is not a number: 'x'"
    assert (caught.value.occurrence, caught.value.index, caught.value.code) == (3, 6, 102)


@pytest.mark.parametrize(("line", "words"), [
    (ft1(1, qty=""), "FT1-10: quantity is missing"),
    (ft1(1, price="", amount=""), "FT1-12: unit amount (and extended amount FT1-11) is missing"),
    (ft1(1, amount="25.00"), "FT1-11: extended amount 25.00 is not quantity 1 × unit amount 20"),
    (ft1(1, kind=""), "FT1-6: transaction type is missing"),
    (ft1(1, code=""), "FT1-7: transaction code is missing"),
    (ft1(1).replace("20260302100000", ""), "FT1-4: transaction date is missing"),
    (ft1(1).replace("20260302100000", "2026-03-02"), "FT1-4: transaction date is not a date"),
    (ft1(1, qty="0", price=""), "FT1-12: unit amount is missing and quantity is 0"),
])
def test_hl7_his_dft_refusals(line: str, words: str) -> None:
    with pytest.raises(Hl7MappingError) as caught:
        his(PID, PV1, line)
    assert str(caught.value).startswith(words)


def test_hl7_his_dft_amounts_derive_each_other() -> None:
    only_amount, only_price = his(PID, PV1, ft1(1, qty="3", price="", amount="10.00"),
                                  ft1(2, qty="1.5", price="3.3333", amount="")).charges
    assert (only_amount.unit_price, only_amount.amount) == (Decimal("3.3333"), Decimal("10.00"))
    assert only_price.amount == Decimal("5.0000")  # 4.99995 rounded half up to 4 places


def test_hl7_his_dft_credit_line_is_a_refund() -> None:
    charge, credit, credit_neg = his(
        PID, PV1, ft1(1, qty="2", amount="40.00"),
        ft1(2, kind="CR", qty="1", amount="20.00", extra="||||||||FY1"),
        ft1(3, kind="CD", qty="-1", amount="-20.00", extra="||||||||FY1")).charges
    assert (charge.quantity, charge.refund_of) == (Decimal(2), None)
    for line in (credit, credit_neg):
        assert (line.quantity, line.unit_price, line.amount, line.refund_of) == (
            Decimal(-1), Decimal("20.00"), Decimal("-20.00"), "FY1")
    # a charge line's FT1-31 is not a refund reference; payments are not billed lines
    lines = his(PID, PV1, ft1(1, extra="||||||||FY0"), ft1(2, kind="PY")).charges
    assert [(c.charge_id, c.refund_of) for c in lines] == [("FY1", None)]
    custom = his(PID, PV1, ft1(1, kind="TK", extra="|" * 16 + "X9"),
                 options=HisOptions(credit_types=frozenset({"TK"}), refund_of_path="FT1-39"))
    assert [(c.quantity, c.refund_of) for c in custom.charges] == [(Decimal(-1), "X9")]


def test_hl7_his_dft_unresolved_hospital_code_is_kept() -> None:
    line = ft1(1, code="HIS-HL001^一级护理^HIS")
    [kept] = his(PID, PV1, line).charges
    assert (kept.item_code, kept.hospital_item_code, kept.category) == (
        "HIS-HL001", "HIS-HL001", ChargeCategory.OTHER)
    asked: list[tuple[str, str, str]] = []

    def resolve(code: str, kind: str, source: str) -> str | None:
        asked.append((code, kind, source))
        return None

    [none] = his(PID, PV1, line, resolve=resolve).charges
    assert none.item_code == "HIS-HL001" and asked == [("HIS-HL001", "other", "his")]
    opts = HisOptions(category_map={"HIS-HL001": ChargeCategory.NURSING})
    [found] = his(PID, PV1, line, resolve=lambda c, k, s: "001105000010000" if k == "nursing"
                  else None, options=opts).charges
    assert (found.item_code, found.hospital_item_code, found.category) == (
        "001105000010000", "HIS-HL001", ChargeCategory.NURSING)


UDI = "(01)06901234567892(17)271231(10)B2401(21)SN0001"


def test_hl7_his_dft_udi_from_prt_only_from_v27() -> None:
    prt = f"PRT|1|AD||EQUIP||||||{UDI}^UDI"
    parts = "PRT|2|AD||EQUIP||||||||||||06901234567892||20271231|B2401|SN0002"
    zud = "ZUD|1|(01)06901234567892(10)B2409|HB01"
    new = his(PID, PV1, ft1(1), prt, parts, "NTE|1||植入", zud, ft1(2), version="2.7")
    assert [c.udis for c in new.charges] == [
        (UDI, "(01)06901234567892(17)271231(10)B2401(21)SN0002",
         "(01)06901234567892(10)B2409"), ()]
    old = his(PID, PV1, ft1(1), prt, zud, version="2.3")
    assert old.charges[0].udis == ("(01)06901234567892(10)B2409",)
    custom = his(PID, PV1, ft1(1), "ZIM|1|+A123BJC5D6E71G", version="2.4",
                 options=HisOptions(udi_segment="ZIM"))
    assert custom.charges[0].udis == ("+A123BJC5D6E71G",)
    person = his(PID, PV1, ft1(1), "PRT|1|AD||OP^开单|D001", version="2.8")
    assert person.charges[0].udis == ()


def test_hl7_his_missing_visit_number_names_pv1_19() -> None:
    pv1 = PV1.replace("|ZY1|", "||")
    with pytest.raises(Hl7MappingError) as caught:
        his(PID, pv1, ft1(1))
    assert str(caught.value) == "PV1-19: visit number is missing (looked in PV1-19, PID-18)"
    assert caught.value.code == 101
    with pytest.raises(Hl7MappingError, match=r"^PV1-19: visit number is missing"):
        his("EVN|A01", PID, pv1, type_="ADT^A01")
    mapped = his(PID, pv1, ft1(1), options=HisOptions(visit_id_paths=("PV1-19", "PV1-50",
                                                                     "MSH-10")))
    assert mapped.visit_id == "C1"


@pytest.mark.parametrize(("segments", "words"), [
    ((PID.replace("|M", "|X"), PV1), "PID-8: unknown sex code 'X'"),
    ((PID, PV1.replace("|I|", "|Z|")), "PV1-2: unknown patient class 'Z'"),
    ((PID, PV1.replace("|I|", "||")), "PV1-2: patient class is missing"),
    ((PID, PV1[: PV1.rindex("|")] + "|"), "PV1-44: admit date/time is missing"),
    ((PID, PV1 + "|20260301000000"), "PV1-45: discharge date/time is before the admit"),
    ((PID, PV1 + "|20260302"), "PV1-45: discharge date/time is before the admit"),
    ((PID, PV1, "DG1|1|ICD10||无编码"), "DG1-3: diagnosis code is missing"),
    ((PV1,), "PID: segment PID is missing"),
    ((PID,), "PV1: segment PV1 is missing"),
])
def test_hl7_his_adt_refusals(segments: tuple[str, ...], words: str) -> None:
    with pytest.raises(Hl7MappingError) as caught:
        his("EVN|A08|20260302090000", *segments, type_="ADT^A08")
    assert str(caught.value).startswith(words)
    assert "张" not in str(caught.value) and "19900307" not in str(caught.value)


def test_hl7_his_adt_classes_and_event_times() -> None:
    pv1 = PV1[: PV1.rindex("|")] + "|"
    a04 = his("EVN|A04|20260302090000||||20260302085500", PID, pv1.replace("|I|", "|O|"),
              type_="ADT^A04")
    assert a04.visit is not None
    assert (a04.visit.visit_type, a04.visit.admitted_at) == (
        VisitType.OUTPATIENT, datetime(2026, 3, 2, 8, 55))
    a03 = his("EVN|A03|20260305100000", PID, PV1, type_="ADT^A03")
    assert a03.visit is not None and a03.visit.discharged_at == datetime(2026, 3, 5, 10)
    with pytest.raises(Hl7MappingError, match=r"^PV1-45: discharge date/time is missing"):
        his("EVN|A03", PID, PV1, type_="ADT^A03")
    main = his(PID, PV1, "DG1|1||A01^甲|||主", "DG1|2||B02^乙|||主", type_="ADT^A08",
               options=HisOptions(main_diagnosis_types=frozenset({"主"})))
    assert main.visit is not None
    assert [d.main for d in main.visit.diagnoses] == [True, False]


RXO = "RXO|XJ01DHM061B002010100123^注射用美罗培南^YBXM|0.5|1|g^克|||||||10|支"


def test_hl7_his_omp_o09_and_cosigners() -> None:
    orc = "ORC|NW|RX1|||||^Q8H^^^^S||20260302093000|||D001^李^主治|||||||ORT^骨科"
    mapped = his(PID, PV1, orc, RXO, "ROL|1|AD|VP^核对|D002^王|20260302094000",
                 "ROL|2|AD|VP|D001", "PRT|1|AD||CS|D003", type_="OMP^O09", version="2.7")
    [order] = mapped.orders
    assert isinstance(order, DrugOrder) and mapped.message_type == "OMP^O09"
    assert (order.item_code, order.dose, order.quantity, order.frequency, order.urgent) == (
        "XJ01DHM061B002010100123", "0.5-1g", Decimal(10), "Q8H", True)
    assert [(s.practitioner_id, s.signed_at) for s in order.signatures] == [
        ("D001", datetime(2026, 3, 2, 9, 30)), ("D002", datetime(2026, 3, 2, 9, 40)),
        ("D003", datetime(2026, 3, 2, 9, 30))]
    by_field = his(PID, PV1, orc.replace("|||D001", "||D004~D005|D001"), RXO, type_="OMP^O09",
                   options=HisOptions(cosigner_paths=("ORC-11",)))
    assert by_field.orders[0].signers == {"D001", "D004", "D005"}


@pytest.mark.parametrize(("segments", "words"), [
    (("ORC|NW|RX1||||||||||D001", "TQ1|1"), "ORC-1: the order group has neither RXE nor RXO"),
    (("ORC|NW|RX1||||||||||", RXO), "ORC-12: ordering provider is missing"),
    (("ORC|NW|RX1||||||||||D001", "RXO||0.5"), "RXO-1: give code is missing"),
    (("ORC|NW|RX1||||||||||D001", RXO.replace("|10|", "|x|")),
     "RXO-11: dispense amount is not a number: 'x'"),
    ((), "MSH-9: the message has no ORC order group"),
])
def test_hl7_his_drug_order_refusals(segments: tuple[str, ...], words: str) -> None:
    with pytest.raises(Hl7MappingError) as caught:
        his(PID, PV1, *segments, type_="OMP^O09")
    assert str(caught.value).startswith(words)
