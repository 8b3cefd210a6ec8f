"""PACS HL7 v2 router: corpus ORM, the Chinese OMI/ORU samples, the MRI 24 h rule, boundaries."""

from __future__ import annotations

import os
import re
from datetime import datetime
from pathlib import Path

import pytest
from test_hl7_his_samples import admitted, found, merge, read, rules

from yibao_sdk.adapters.pacs.hl7 import SUPPORTED, PacsOptions, route, scope_of
from yibao_sdk.adapters.pacs.hl7_reports import modality_of
from yibao_sdk.hl7v2 import Mapped, parse_message
from yibao_sdk.hl7v2.fields import Hl7MappingError, Hl7UnsupportedError
from yibao_sdk.models import ImagingOrder, ImagingReport, ImagingScope

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(os.environ.get("YIBAO_HL7_CORPUS", ROOT.parent / "shared" / "corpus" / "hl7v2"
                             / "public"))
OPTS = PacsOptions()


def corpus(name: str, **kw: object) -> Mapped:
    """Map a corpus file through the PACS router; skip without the shared corpus."""
    if not CORPUS.is_dir():
        pytest.skip(f"public HL7 corpus not found at {CORPUS} (set YIBAO_HL7_CORPUS)")
    return route(parse_message((CORPUS / name).read_bytes(), where=name), **kw)  # type: ignore[arg-type]


def test_hl7_pacs_supported_types() -> None:
    assert {"OMI^O23", "ORM^O01", "ORU^R01"} == SUPPORTED


def test_hl7_pacs_corpus_orm_o01_imaging_orders() -> None:
    one = corpus("ORM-O01-01.hl7")
    [order] = one.orders
    assert isinstance(order, ImagingOrder)
    assert (one.message_type, one.visit_id, one.control_id) == ("ORM^O01", "5001", "MSG00018")
    assert (order.order_id, order.ordered_at, order.practitioner_id) == (
        "1101", datetime(2021, 10, 20, 17, 11), "3850")
    assert (order.item_code, order.hospital_item_code, order.name) == ("", "24725-4", "CT Head")
    assert (order.modality, order.body_part, order.scope) == ("CT", "Head", ImagingScope.PLAIN)
    three = corpus("ORM-O01-03.hl7", resolve=lambda code, kind, source: f"{kind}:{code}")
    assert [(o.order_id, o.item_code, o.name, o.modality, o.body_part) for o in three.orders
            if isinstance(o, ImagingOrder)] == [
        ("1101", "imaging:24725-4", "CT Head", "CT", "Head"),
        ("2203", "imaging:24590-2", "MR Brain", "MR", "Brain")]


def test_hl7_pacs_corpus_oru_as_imaging_report() -> None:
    mapped = corpus("LAB-ORU-1.hl7")
    assert [(r.record_id, r.kind) for r in mapped.records] == [
        ("82503246", "imaging_report"), ("890775544", "imaging_report")]


@pytest.mark.parametrize(("name", "kind"), [
    ("OMG-O19-01.hl7", "OMG^O19"), ("OML-O21-01.hl7", "OML^O21"), ("ADT-A04-01.hl7", "ADT^A04"),
    ("MDM-T02-01.hl7", "MDM^T02"),
])
def test_hl7_pacs_corpus_unsupported(name: str, kind: str) -> None:
    with pytest.raises(Hl7UnsupportedError,
                       match="^MSH-9: the PACS adapter does not map " + re.escape(kind)):
        corpus(name)


# the Chinese samples and the MRI rule ------------------------------------------------------

def test_hl7_pacs_sample_mri_plain_and_enhanced_twice_within_24h() -> None:
    eng = rules()
    first = route(read("pacs_omi_o23_mri_1.hl7"), resolve=eng.resolve_item_code)
    second = route(read("pacs_omi_o23_mri_2.hl7"), resolve=eng.resolve_item_code)
    [a], [b] = first.orders, second.orders
    assert isinstance(a, ImagingOrder) and isinstance(b, ImagingOrder)
    assert (a.order_id, a.item_code, a.name, a.ordered_at) == (
        "JC20260302001", "002102000020000", "头颅MRI平扫+增强", datetime(2026, 3, 2, 14))
    assert (a.modality, a.body_part, a.scope) == ("MR", "头颅", ImagingScope.PLAIN_AND_ENHANCED)
    assert (b.order_id, b.ordered_at, b.scope) == (
        "JC20260303001", datetime(2026, 3, 3, 10), ImagingScope.PLAIN_AND_ENHANCED)
    visit = merge(admitted(eng), first)
    assert found(eng, visit, first) == {"JC20260302001": []}
    visit = merge(visit, second)
    assert found(eng, visit, second) == {"JC20260303001": ["YB-MRI-24H"]}
    [finding] = eng.check_order(b, visit).findings
    assert "间隔20小时0分" in finding.message


def test_hl7_pacs_sample_imaging_report() -> None:
    mapped = route(read("pacs_oru_r01_report.hl7"))
    [report] = mapped.records
    assert isinstance(report, ImagingReport)
    assert (report.record_id, report.order_id, report.recorded_at, report.author_id) == (
        "ACC20260302001", "JC20260302001", datetime(2026, 3, 2, 17), "D005")
    assert report.modality == "MR"
    assert report.findings == ("颅脑MRI平扫+增强：脑实质内未见明确异常信号，\n"
                               "增强扫描未见异常强化，脑室系统不大，中线结构居中。")
    assert report.conclusion == "颅脑MRI平扫+增强未见明显异常。"
    eng = rules()
    assert found(eng, merge(admitted(eng), mapped), mapped) == {"ACC20260302001": []}


# boundaries --------------------------------------------------------------------------------

@pytest.mark.parametrize(("words", "scope"), [
    ("头颅MRI平扫+增强", ImagingScope.PLAIN_AND_ENHANCED),
    ("腰椎MR平扫加增强", ImagingScope.PLAIN_AND_ENHANCED),
    ("胸部CT增强", ImagingScope.ENHANCED), ("胸部CT平扫", ImagingScope.PLAIN),
    ("MR BRAIN W/WO CONTRAST", ImagingScope.PLAIN_AND_ENHANCED),
    ("CT ABDOMEN WITH CONTRAST", ImagingScope.ENHANCED), ("CT Head", ImagingScope.PLAIN),
])
def test_hl7_pacs_scope_rules(words: str, scope: ImagingScope) -> None:
    assert scope_of(words, OPTS) is scope


@pytest.mark.parametrize(("codes", "words", "modality"), [
    (("MR",), "", "MR"), (("", "NMR"), "", "MR"), (("", "RUS"), "", "US"),
    (("", ""), "头颅磁共振平扫", "MR"), (("", ""), "胸部CT增强", "CT"),
    (("", ""), "PET-CT 全身", "PT"), (("", ""), "OCT 眼底", ""), (("", ""), "腹部彩超", "US"),
    (("", ""), "胸部DR正位片", "DX"), (("XYZ",), "", ""),
])
def test_hl7_pacs_modality(codes: tuple[str, ...], words: str, modality: str) -> None:
    assert modality_of(codes, words, OPTS) == modality


MSH = "MSH|^~\\&|RIS|H|YB|G|20260302090000||{type}|C1|P|2.5.1|||AL|NE|CHN|UNICODE UTF-8"
PID = "PID|1||P1^^^HIS^MR||张^伟||19900307|M"
PV1 = "PV1|1|O|放射科||||D001||||||||||||MZ1"


def pacs(*segments: str, type_: str = "OMI^O23", **kw: object) -> Mapped:
    return route(parse_message("\r".join([MSH.format(type=type_), PID, PV1, *segments])), **kw)  # type: ignore[arg-type]


def test_hl7_pacs_body_part_sources() -> None:
    obr15 = pacs("ORC|NW|J1||||||||||D001", "OBR|1|J1||X1^胸部CT增强^RIS||||||||||"
                 "|^^^CHEST&胸部", type_="ORM^O01")
    order = obr15.orders[0]
    assert isinstance(order, ImagingOrder)
    assert (order.body_part, order.modality, order.scope) == ("胸部", "CT", ImagingScope.ENHANCED)
    custom = pacs("ORC|NW|J1||||||||||D001", "OBR|1|J1||X1^胸部CT增强^RIS",
                  "ZBP|1|左膝关节", options=PacsOptions(body_part_path="ZBP-2"))
    assert isinstance(custom.orders[0], ImagingOrder) and custom.orders[0].body_part == "左膝关节"


@pytest.mark.parametrize(("segments", "type_", "words"), [
    (("ORC|NW|J1||||||||||D001",), "OMI^O23", "ORC-1: the order group has no OBR"),
    (("ORC|NW|J1||||||||||D001", "OBR|1|J1"), "OMI^O23", "OBR-4: universal service id is missing"),
    (("ORC|NW|J1", "OBR|1|J1||X1^CT"), "ORM^O01", "ORC-12: ordering provider is missing"),
    ((), "OMI^O23", "MSH-9: the message has no ORC order group"),
    ((), "ORU^R01", "MSH-9: the message has no OBR segment"),
])
def test_hl7_pacs_refusals(segments: tuple[str, ...], type_: str, words: str) -> None:
    with pytest.raises(Hl7MappingError) as caught:
        pacs(*segments, type_=type_)
    assert str(caught.value).startswith(words)


def test_hl7_pacs_unknown_ipc_modality_falls_back_to_the_service_words() -> None:
    [order] = pacs("ORC|NW|J1||||||||||D001", "OBR|1|J1||X1^上腹部CT平扫",
                   "IPC|A|R|S|P|XYZ").orders
    assert isinstance(order, ImagingOrder)
    assert (order.modality, order.body_part, order.scope) == ("CT", "上腹部", ImagingScope.PLAIN)


def test_hl7_pacs_report_text_without_codes_is_findings() -> None:
    mapped = pacs("OBR|1|J1|A1|X1^胸部CT平扫^RIS|||20260302100000",
                  "OBX|1|TX|||两肺纹理清晰", "OBX|2|TX|||未见异常", "OBX|3|NM|SIZE||3",
                  type_="ORU^R01")
    [report] = mapped.records
    assert isinstance(report, ImagingReport)
    assert (report.findings, report.conclusion, report.modality) == (
        "两肺纹理清晰\n未见异常", "", "CT")
    assert report.recorded_at == datetime(2026, 3, 2, 10)
