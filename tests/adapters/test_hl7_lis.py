"""LIS HL7 v2 router: corpus OML/ORU/MDM, the Chinese samples, the TEG pre-op rule, boundaries."""

from __future__ import annotations

import os
import re
from datetime import date, datetime
from pathlib import Path

import pytest
from test_hl7_his_samples import admitted, found, merge, read, rules

from yibao_sdk.adapters.his.hl7 import route as his_route
from yibao_sdk.adapters.lis.hl7 import SUPPORTED, LisOptions, route
from yibao_sdk.hl7v2 import Mapped, parse_message
from yibao_sdk.hl7v2.fields import Hl7MappingError, Hl7UnsupportedError
from yibao_sdk.models import FormRecord, LabOrder, LabReport, Sex

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(os.environ.get("YIBAO_HL7_CORPUS", ROOT.parent / "shared" / "corpus" / "hl7v2"
                             / "public"))


def corpus(name: str, **kw: object) -> Mapped:
    """Map a corpus file through the LIS router; skip without the shared corpus."""
    if not CORPUS.is_dir():
        pytest.skip(f"public HL7 corpus not found at {CORPUS} (set YIBAO_HL7_CORPUS)")
    return route(parse_message((CORPUS / name).read_bytes(), where=name), **kw)  # type: ignore[arg-type]


def test_hl7_lis_supported_types() -> None:
    assert {"OML^O21", "ORU^R01", "MDM^T02"} == SUPPORTED


def test_hl7_lis_corpus_oml_o21_lab_order() -> None:
    mapped = corpus("OML-O21-01.hl7", resolve=lambda code, kind, source: None)
    [order] = mapped.orders
    assert isinstance(order, LabOrder) and mapped.message_type == "OML^O21"
    assert (mapped.visit_id, mapped.control_id) == ("5001", "MSG00019")
    assert mapped.patient is not None and mapped.patient.patient_id == "PATID1234"
    assert (order.order_id, order.ordered_at, order.practitioner_id) == (
        "1101", datetime(2021, 10, 20, 17, 11), "3850")
    assert (order.item_code, order.hospital_item_code, order.name) == (
        "", "57698-3", "Lipid panel with direct LDL - Serum or Plasma")
    assert (order.specimen, order.department, order.urgent) == ("Serum", "LABUnit01", False)
    assert order.signers == {"3850"}


def test_hl7_lis_corpus_oru_r01_lab_reports() -> None:
    mapped = corpus("LAB-ORU-1.hl7")
    assert (mapped.visit_id, mapped.message_type) == ("40007716", "ORU^R01")  # PID-18 (VN)
    assert mapped.patient is not None
    assert (mapped.patient.patient_id, mapped.patient.name, mapped.patient.birth_date) == (
        "10006579", "DONALD DUCK", date(1924, 10, 10))
    first, second = mapped.records
    assert isinstance(first, LabReport) and isinstance(second, LabReport)
    assert (first.record_id, first.order_id, first.recorded_at) == (
        "82503246", "88502218", datetime(2014, 10, 6, 6, 45))
    assert [(r.code, r.name, r.value, r.unit, r.flag) for r in first.results] == [
        ("11156-7", "LEUKOCYTES", "", "", ""),
        ("11273-0", "ERYTHROCYTES", "4.06", "tera.l-1", "N"),
        ("20509-6", "HEMOGLOBIN", "", "", ""),
        ("20570-8", "HEMATOCRIT", "40.1", "%", "N"),
        ("11125-2", "PLATELETS", "221", "giga.l-1", "N")]
    assert (second.record_id, second.order_id) == ("890775544", "855238581")
    assert [(r.code, r.value) for r in second.results] == [
        ("23761-0", "72"), ("26450-7", "2"), ("26478-8", "20"), ("26485-3", "6"),
        ("30180-4", "0")]


def test_hl7_lis_corpus_oru_without_a_visit_number() -> None:
    with pytest.raises(Hl7MappingError) as caught:
        corpus("ORU-R01-01.hl7")
    assert str(caught.value) == "PV1-19: visit number is missing (looked in PV1-19, PID-18)"
    mapped = corpus("ORU-R01-01.hl7", options=LisOptions(visit_id_paths=("PV1-19", "MSH-10")))
    assert mapped.visit_id == "2.16.840.1.114222.4.3.3.5.1.2-20120314235954.325"
    assert mapped.patient is not None
    assert (mapped.patient.patient_id, mapped.patient.name, mapped.patient.sex) == (
        "14", "Huckleberry Finn", Sex.MALE)
    [report] = mapped.records
    assert isinstance(report, LabReport)
    assert (report.record_id, report.order_id, report.author_id) == ("986", "845439", "Harry")
    assert [(r.code, r.value, r.unit, r.flag) for r in report.results] == [
        ("625-4", "Salmonella", "beats/min", "A"), ("1063-7", "https://testurl.com", "", ""),
        ("8867-4", "27; 25", "", "")]


def test_hl7_lis_corpus_mdm_t02_form() -> None:
    mapped = corpus("MDM-T02-01.hl7", options=LisOptions(document_types={"DI": "echo_report"}))
    [form] = mapped.records
    assert isinstance(form, FormRecord) and mapped.visit_id == "10000001"
    assert (form.form_type, form.record_id, form.recorded_at) == (
        "echo_report", "1.2.840.317.5947431.51.20080131160038", datetime(2008, 1, 31, 21, 40))
    assert form.fields["113014"] == "1.2.840.317.5947431.51"


@pytest.mark.parametrize(("name", "kind"), [
    ("OMG-O19-01.hl7", "OMG^O19"), ("BAR-P02-01.hl7", "BAR^P02"), ("ADT-A01-01.hl7", "ADT^A01"),
    ("RDE-O11-01.hl7", "RDE^O11"), ("ORM-O01-01.hl7", "ORM^O01"),
])
def test_hl7_lis_corpus_unsupported(name: str, kind: str) -> None:
    with pytest.raises(Hl7UnsupportedError,
                       match="^MSH-9: the LIS adapter does not map " + re.escape(kind)):
        corpus(name)


# the Chinese samples and the TEG rule ------------------------------------------------------

def test_hl7_lis_sample_teg_order_resolves_the_hospital_code() -> None:
    eng = rules()
    mapped = route(read("lis_oml_o21_teg.hl7"), resolve=eng.resolve_item_code)
    [order] = mapped.orders
    assert isinstance(order, LabOrder)
    assert (order.order_id, order.item_code, order.hospital_item_code, order.name) == (
        "JY20260302001", "002502030660000", "LIS-TEG01", "血栓弹力图试验")
    assert (order.specimen, order.ordered_at, order.practitioner_id) == (
        "全血", datetime(2026, 3, 2, 10), "D001")
    assert found(eng, merge(admitted(eng), mapped), mapped) == {"JY20260302001": []}


def test_hl7_lis_sample_teg_charge_needs_the_preop_form() -> None:
    eng = rules()
    visit = admitted(eng)
    order = route(read("lis_oml_o21_teg.hl7"), resolve=eng.resolve_item_code)
    visit = merge(visit, order)
    charge = his_route(read("his_dft_p03_teg.hl7"), resolve=eng.resolve_item_code)
    without = merge(visit, charge)
    assert found(eng, without, charge) == {"FY20260302101": ["YB-TEG-PREOP"]}
    form = route(read("lis_mdm_t02_preop.hl7"))
    [record] = form.records
    assert isinstance(record, FormRecord)
    assert (record.form_type, record.record_id, record.recorded_at, record.author_id) == (
        "preop_assessment", "PG20260302001", datetime(2026, 3, 2, 11), "D002")
    assert record.fields == {"ASA": "ASA II级", "OPNAME": "股骨颈骨折切开复位内固定术",
                             "COAG": "凝血功能正常，拟术前行血栓弹力图检查", "BMI": "24.2"}
    assert found(eng, merge(visit, form), form) == {"PG20260302001": []}
    with_form = merge(merge(visit, form), charge)
    assert found(eng, with_form, charge) == {"FY20260302101": []}
    assert "YB-TEG-PREOP" not in {f.rule_id for f in eng.audit_visit(with_form).findings}
    assert "YB-TEG-PREOP" in {f.rule_id for f in eng.audit_visit(without).findings}


def test_hl7_lis_sample_lab_report() -> None:
    mapped = route(read("lis_oru_r01_lab.hl7"))
    [report] = mapped.records
    assert isinstance(report, LabReport)
    assert (report.record_id, report.order_id, report.recorded_at, report.author_id) == (
        "BG20260302001", "JY20260302002", datetime(2026, 3, 2, 16), "L008")
    assert [(r.code, r.name, r.value, r.unit, r.flag) for r in report.results] == [
        ("WBC", "白细胞计数", "11.2", "10*9/L", "H"), ("HGB", "血红蛋白", "132", "g/L", "N"),
        ("PLT", "血小板计数", "210", "10*9/L", "N"), ("RMK", "备注", "标本无溶血、无脂血", "", "")]
    eng = rules()
    assert found(eng, merge(admitted(eng), mapped), mapped) == {"BG20260302001": []}


def test_hl7_lis_preop_form_as_an_obx_document_in_an_oru() -> None:
    eng = rules()
    text = (read("lis_oru_r01_lab.hl7").encode()
            .replace("002501010010000^血常规^YBXM", "PREOP^术前评估^L"))
    mapped = route(parse_message(text))
    [form] = mapped.records
    assert isinstance(form, FormRecord)
    assert (form.form_type, form.record_id, form.recorded_at) == (
        "preop_assessment", "BG20260302001", datetime(2026, 3, 2, 10, 30))
    assert form.fields["WBC"] == "11.2"
    visit = merge(admitted(eng), mapped)
    charge = his_route(read("his_dft_p03_teg.hl7"))
    assert found(eng, merge(visit, charge), charge) == {"FY20260302101": []}


# boundaries --------------------------------------------------------------------------------

MSH = "MSH|^~\\&|LIS|H|YB|G|20260302090000||{type}|C1|P|2.5.1|||AL|NE|CHN|UNICODE UTF-8"
PID = "PID|1||P1^^^HIS^MR||张^伟||19900307|F"
PV1 = "PV1|1|I|检验科||||D001||||||||||||ZY1"


def lis(*segments: str, type_: str = "OML^O21", **kw: object) -> Mapped:
    return route(parse_message("\r".join([MSH.format(type=type_), PID, PV1, *segments])), **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(("segments", "type_", "words"), [
    (("ORC|NW|J1||||||||||D001",), "OML^O21", "ORC-1: the order group has no OBR"),
    (("ORC|NW|J1||||||||||D001", "OBR|1|J1"), "OML^O21", "OBR-4: universal service id is missing"),
    (("ORC|NW|J1", "OBR|1|J1||T1^甲"), "OML^O21", "ORC-12: ordering provider is missing"),
    (("OBR|1|J1||T1^甲", "OBX|1|NM|||5"), "ORU^R01", "OBX-3: observation identifier is missing"),
    (("OBR|1|J1||T1^甲", "OBX|1|ST|A||" + "长" * 201), "ORU^R01",
     "OBX-5: LabResult.value: String should have at most 200 characters"),
    (("OBR|1|J1||T1^甲", "OBR|2|J2||T2^乙", "OBX|1|NM|A||1|||TOOLONG"), "ORU^R01",
     "OBX-8: LabResult.flag: String should have at most 5 characters"),
    ((), "ORU^R01", "MSH-9: the message has no OBR segment"),
    (("TXA|1",), "MDM^T02", "TXA-2: document type is missing"),
    ((), "MDM^T02", "TXA: segment TXA is missing"),
])
def test_hl7_lis_refusals(segments: tuple[str, ...], type_: str, words: str) -> None:
    with pytest.raises(Hl7MappingError) as caught:
        lis(*segments, type_=type_)
    assert str(caught.value).startswith(words)


def test_hl7_lis_urgent_order_and_specimen_from_obr15() -> None:
    [order] = lis("ORC|NW|J1||||||||||D001", "OBR|1|J1||T1^甲^LIS|S|20260302100000"
                  "|||||||||BLD&全血", "TQ1|1").orders
    assert isinstance(order, LabOrder)
    assert (order.urgent, order.specimen, order.ordered_at) == (
        True, "全血", datetime(2026, 3, 2, 10))
    assert order.item_code == "" and order.hospital_item_code == "T1"
