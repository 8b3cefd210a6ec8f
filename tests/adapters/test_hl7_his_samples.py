"""The Chinese HIS/EMR samples in yibao_sdk/demo/hl7 map, and the built-in rules find what they
should once the content is merged into the visit (the LIS and PACS sample tests reuse the
helpers here)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import yibao_sdk
from yibao_sdk.adapters.his.hl7 import route
from yibao_sdk.adapters.lis.hl7 import route as lis_route
from yibao_sdk.adapters.pacs.hl7 import route as pacs_route
from yibao_sdk.demo.knowledge import CATALOG, PRACTITIONERS
from yibao_sdk.hl7v2 import Hl7Error, Mapped, Message, parse_message
from yibao_sdk.models import (
    ChargeCategory,
    DrugOrder,
    Sex,
    SurgeryRecord,
    Visit,
    VisitType,
)
from yibao_sdk.plugins import DEFAULT_PLUGINS
from yibao_sdk.rules import Engine, hookimpl
from yibao_sdk.testing.factories import engine

DEMO = Path(yibao_sdk.__file__).parent / "demo" / "hl7"
CARD = "110105196805120035"
TABLE = {"LIS-TEG01": "002502030660000", "HIS-HL001": "001105000010000"}


class HospitalCodes:
    """The hospital's own code table, answering ``yibao_resolve_item_code``."""

    @hookimpl
    def yibao_resolve_item_code(self, hospital_item_code: str, kind: str,
                                source: str) -> str | None:
        return TABLE.get(hospital_item_code)


def rules() -> Engine:
    """Built-in rules with the demo catalogue and staff, and the hospital's code table."""
    return engine(*DEFAULT_PLUGINS, HospitalCodes(), catalog=CATALOG, practitioners=PRACTITIONERS)


def read(name: str, edit: Callable[[str], str] | None = None) -> Message:
    """A demo sample, parsed; ``edit`` changes its (UTF-8) text first."""
    data = (DEMO / name).read_bytes()
    if edit is not None:
        data = edit(data.decode("utf-8")).encode("utf-8")
    return parse_message(data, where=name)


def admitted(eng: Engine) -> Visit:
    visit = route(read("his_adt_a01_admit.hl7"), resolve=eng.resolve_item_code).visit
    assert visit is not None
    return visit


def merge(visit: Visit, mapped: Mapped) -> Visit:
    """What the gateway does: append the message's new content to the visit it keeps."""
    assert mapped.visit_id == visit.visit_id
    return visit.model_copy(update={"orders": visit.orders + mapped.orders,
                                    "charges": visit.charges + mapped.charges,
                                    "records": visit.records + mapped.records})


def found(eng: Engine, visit: Visit, mapped: Mapped) -> dict[str, list[str]]:
    """Rule ids per new item (事前 orders, 事中 charges and records) of ``mapped``."""
    out: dict[str, list[str]] = {}
    for order in mapped.orders:
        out[order.order_id] = [f.rule_id for f in eng.check_order(order, visit).findings]
    for charge in mapped.charges:
        out[charge.charge_id] = [f.rule_id for f in eng.check_charge(charge, visit).findings]
    for record in mapped.records:
        out[record.record_id] = [f.rule_id for f in eng.check_record(record, visit).findings]
    return out


def test_hl7_his_samples_are_cr_separated_and_declare_their_charset() -> None:
    names = sorted(p.name for p in DEMO.glob("*.hl7"))
    assert len(names) == 12
    readme = (DEMO / "README.md").read_text(encoding="utf-8")
    for name in names:
        data = (DEMO / name).read_bytes()
        assert b"\n" not in data and data.endswith(b"\r"), name
        message = parse_message(data)
        assert name in readme
        expected = ("GB18030", "gb18030") if "gb18030" in name else ("UNICODE UTF-8", "utf-8")
        assert (message.declared_charset, message.charset) == expected, name


def test_hl7_his_sample_admission() -> None:
    mapped = route(read("his_adt_a01_admit.hl7"))
    patient, visit = mapped.patient, mapped.visit
    assert patient is not None and visit is not None
    assert (mapped.message_type, mapped.control_id, mapped.visit_id) == (
        "ADT^A01", "ADT20260302001", "ZY20260302001")
    assert (patient.patient_id, patient.name, patient.birth_date, patient.sex) == (
        "0001234567", "王建国", date(1968, 5, 12), Sex.MALE)
    assert patient.id_card == CARD and CARD not in repr(mapped)
    assert (visit.visit_type, visit.admitted_at, visit.department, visit.attending_id) == (
        VisitType.INPATIENT, datetime(2026, 3, 2, 8), "骨科", "D001")
    assert [(d.code, d.name, d.main) for d in visit.diagnoses] == [
        ("S72.001", "股骨颈骨折", True), ("I10.x00", "高血压", False)]
    assert rules().audit_visit(visit).findings == ()


def test_hl7_his_sample_second_line_drug_needs_two_signatures() -> None:
    eng = rules()
    mapped = route(read("his_rde_o11_second_line.hl7"), resolve=eng.resolve_item_code)
    [order] = mapped.orders
    assert isinstance(order, DrugOrder)
    assert (order.order_id, order.item_code, order.hospital_item_code, order.name) == (
        "RX20260302001", "XJ01DHM061B002010100123", "HYP0031", "注射用美罗培南")
    assert (order.ordered_at, order.practitioner_id, order.dose, order.frequency) == (
        datetime(2026, 3, 2, 9, 30), "D001", "1g", "Q8H")
    assert (order.quantity, order.days, order.department, order.urgent) == (
        Decimal(6), 3, "ORT", False)
    assert order.signers == {"D001"}
    visit = merge(admitted(eng), mapped)
    assert found(eng, visit, mapped) == {"RX20260302001": ["YB-SECOND-LINE"]}
    cosigned = route(read("his_rde_o11_second_line.hl7", lambda t: t.replace(
        "RXR|", "ROL|1|AD|VP^核对医师|D002^王^副主任|20260302093500\r"
        "ROL|2|AD|VP^核对医师|D003^赵^主任|20260302093800\rRXR|")))
    assert cosigned.orders[0].signers == {"D001", "D002", "D003"}
    assert found(eng, merge(admitted(eng), cosigned), cosigned) == {"RX20260302001": []}


def test_hl7_his_sample_ten_charge_lines() -> None:
    eng = rules()
    mapped = route(read("his_dft_p03_charges.hl7"), resolve=eng.resolve_item_code)
    assert (mapped.message_type, mapped.visit_id, len(mapped.charges)) == (
        "DFT^P03", "ZY20260302001", 10)
    lines = {c.charge_id[-3:]: c for c in mapped.charges}
    assert [(k, c.item_code, c.category, c.quantity, c.amount) for k, c in lines.items()] == [
        ("001", "001109000010000", ChargeCategory.BED, Decimal(1), Decimal("50.00")),
        ("002", "001102000010000", ChargeCategory.CONSULTATION, Decimal(1), Decimal("20.00")),
        ("003", "XA11DAW036A001010104127", ChargeCategory.WESTERN_DRUG, Decimal(30),
         Decimal("3.60")),
        ("004", "C1401010020000200002", ChargeCategory.CONSUMABLE, Decimal(2), Decimal("30.00")),
        ("005", "C0302010010000100001", ChargeCategory.CONSUMABLE, Decimal(1),
         Decimal("5880.00")),
        ("006", "002503020030000", ChargeCategory.LAB, Decimal(1), Decimal("55.00")),
        ("007", "001105000010000", ChargeCategory.GENERAL, Decimal(1), Decimal("26.00")),
        ("008", "XA11DAW036A001010104127", ChargeCategory.WESTERN_DRUG, Decimal(-10),
         Decimal("-1.20")),
        ("009", "003301000010000", ChargeCategory.SURGERY, Decimal(1), Decimal("1800.00")),
        ("010", "003100000010000", ChargeCategory.TREATMENT, Decimal(2), Decimal("16.00")),
    ]
    implant, refund, nursing = lines["005"], lines["008"], lines["007"]
    assert implant.udis == ("(01)06901234567893(17)271231(10)B2401(21)SN0001",)
    assert (implant.order_id, implant.performing_practitioner_id, implant.charged_at) == (
        "SS20260303001", "D002", datetime(2026, 3, 3, 10, 30))
    assert (refund.refund_of, refund.unit_price) == ("FY20260303003", Decimal("0.12"))
    assert (nursing.hospital_item_code, nursing.name) == ("HIS-HL001", "一级护理")
    visit = merge(admitted(eng), mapped)
    assert {k: v for k, v in found(eng, visit, mapped).items() if v} == {
        "FY20260303005": ["YB-IMPLANT-UDI", "YB-IMPLANT-UDI"]}
    messages = [f.message for f in eng.check_charge(implant, visit).findings]
    assert "校验位错误" in messages[0] and "超过有效UDI数0" in messages[1]


def test_hl7_his_sample_surgery_record_with_implant() -> None:
    eng = rules()
    mapped = route(read("emr_mdm_t02_surgery.hl7"))
    [record] = mapped.records
    assert isinstance(record, SurgeryRecord)
    assert (record.record_id, record.recorded_at, record.surgeon_id, record.author_id) == (
        "SS20260303001", datetime(2026, 3, 3, 9), "D002", "D002")
    assert [(o.code, o.name, o.main) for o in record.operations] == [
        ("79.3501", "股骨骨折切开复位内固定术", True)]
    [implant] = record.implants
    assert (implant.name, implant.udi, implant.barcode, implant.charge_code, implant.quantity) == (
        "锁定接骨板", "(01)06901234567892(17)281130(10)B2403(21)SN0107", "HB0001",
        "C0302010010000100001", 1)
    assert found(eng, merge(admitted(eng), mapped), mapped) == {"SS20260303001": []}
    broken = route(read("emr_mdm_t02_surgery.hl7", lambda t: t.replace("HB0001", "")
                        .replace("92(17)281130", "93(17)281130")))
    assert found(eng, merge(admitted(eng), broken), broken) == {
        "SS20260303001": ["YB-IMPLANT-UDI", "YB-IMPLANT-UDI"]}


def test_hl7_his_sample_gb18030_charges_with_z_segment_udi() -> None:
    eng = rules()
    message = read("his_dft_p03_gb18030.hl7")
    assert (message.charset, message.version) == ("gb18030", "2.4")
    mapped = route(message)
    implant, dressing = mapped.charges
    assert (implant.name, implant.udis) == (
        "锁定接骨板", ("(01)06901234567892(17)281130(10)B2403(21)SN0107",))
    assert (dressing.name, dressing.udis, dressing.amount) == ("医用敷料", (), Decimal("15.00"))
    assert found(eng, merge(admitted(eng), mapped), mapped) == {
        "FY20260303101": [], "FY20260303102": []}


@pytest.mark.parametrize("name", ["his_rde_o11_second_line.hl7", "his_dft_p03_charges.hl7",
                                  "emr_mdm_t02_surgery.hl7"])
def test_hl7_his_samples_carry_the_patient(name: str) -> None:
    mapped = route(read(name))
    assert mapped.patient is not None and mapped.patient.patient_id == "0001234567"
    assert mapped.visit is None and mapped.visit_id == "ZY20260302001"


STAY = [("his_rde_o11_second_line.hl7", route), ("lis_oml_o21_teg.hl7", lis_route),
        ("his_dft_p03_teg.hl7", route), ("lis_mdm_t02_preop.hl7", lis_route),
        ("pacs_omi_o23_mri_1.hl7", pacs_route), ("pacs_omi_o23_mri_2.hl7", pacs_route),
        ("lis_oru_r01_lab.hl7", lis_route), ("pacs_oru_r01_report.hl7", pacs_route),
        ("emr_mdm_t02_surgery.hl7", route), ("his_dft_p03_charges.hl7", route),
        ("his_dft_p03_gb18030.hl7", route)]


def test_hl7_samples_whole_stay_audit() -> None:
    eng = rules()
    visit = admitted(eng)
    for name, router in STAY:
        visit = merge(visit, router(read(name), resolve=eng.resolve_item_code))
    assert (len(visit.orders), len(visit.charges), len(visit.records)) == (4, 13, 4)
    findings = eng.audit_visit(visit).findings
    assert sorted({(f.rule_id, f.subject.id) for f in findings}) == [
        ("YB-CONSUMABLE-SHARE", "ZY20260302001"), ("YB-IMPLANT-UDI", "FY20260303005"),
        ("YB-MRI-24H", "JC20260303001"), ("YB-SECOND-LINE", "RX20260302001")]


SAMPLES = [(DEMO / n).read_bytes() for n in sorted(p.name for p in DEMO.glob("*.hl7"))]
NOISE = "|^~\\&x09.+-\" \r"
ROUTERS = (route, lis_route, pacs_route)


@settings(max_examples=400, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(SAMPLES), st.lists(st.tuples(st.integers(0, 10_000),
                                                    st.sampled_from(NOISE)), max_size=4))
def test_hl7_samples_mutated_give_mapped_content_or_typed_errors(
        data: bytes, edits: list[tuple[int, str]]) -> None:
    text = data.decode("gb18030" if b"GB18030" in data[:200] else "utf-8")
    for position, char in edits:
        at = position % len(text)
        text = text[:at] + char + text[at + 1:]
    try:
        message = parse_message(text)
    except Hl7Error:
        return
    for router in ROUTERS:
        with contextlib.suppress(Hl7Error):
            assert isinstance(router(message, resolve=lambda c, k, s: None), Mapped)
