"""The gateway with the real HIS/LIS/PACS routers and the built-in rules: the demo stay."""

from __future__ import annotations

from pathlib import Path

import pytest

from yibao_sdk.demo.knowledge import CATALOG, PRACTITIONERS
from yibao_sdk.gateway import Gateway, VisitStore, load_routers
from yibao_sdk.hl7v2 import parse_message
from yibao_sdk.plugins import DEFAULT_PLUGINS
from yibao_sdk.rules import Engine, hookimpl
from yibao_sdk.store.messages import MessageState, MessageStore
from yibao_sdk.testing.factories import engine

SAMPLES = Path(__file__).resolve().parents[2] / "yibao_sdk" / "demo" / "hl7"
TABLE = {"LIS-TEG01": "002502030660000", "HIS-HL001": "001105000010000"}
#: (file, route, MSA-1, rule ids in ERR), in the order the stay happened.
STAY = [
    ("his_adt_a01_admit", "his", "AA", []),
    ("his_rde_o11_second_line", "his", "AE", ["YB-SECOND-LINE"]),
    ("his_dft_p03_charges", "his", "AE", ["YB-IMPLANT-UDI"]),
    ("his_dft_p03_gb18030", "his", "AA", []),
    ("his_dft_p03_teg", "his", "AE", ["YB-TEG-PREOP"]),
    ("lis_oml_o21_teg", "lis", "AA", []),
    ("lis_mdm_t02_preop", "lis", "AA", []),
    ("lis_oru_r01_lab", "lis", "AA", []),
    ("pacs_omi_o23_mri_1", "pacs", "AA", []),
    ("pacs_omi_o23_mri_2", "pacs", "AE", ["YB-MRI-24H"]),
    ("pacs_oru_r01_report", "pacs", "AA", []),
    ("emr_mdm_t02_surgery", "his", "AA", []),
]


class HospitalCodes:
    """The hospital's code table, answering ``yibao_resolve_item_code``."""

    @hookimpl
    def yibao_resolve_item_code(self, hospital_item_code: str, kind: str,
                                source: str) -> str | None:
        return TABLE.get(hospital_item_code)


def rules() -> Engine:
    return engine(*DEFAULT_PLUGINS, HospitalCodes(), catalog=CATALOG, practitioners=PRACTITIONERS)


def test_gateway_demo_stay_through_the_adapters() -> None:
    if not SAMPLES.is_dir():
        pytest.skip("demo HL7 samples not present")
    checks = rules()
    gateway = Gateway(checks, load_routers(["his", "lis", "pacs"], checks), VisitStore(),
                      MessageStore(":memory:"))
    for name, route, code, rule_ids in STAY:
        ack = parse_message(gateway.handle((SAMPLES / f"{name}.hl7").read_bytes(), "demo", route))
        found = sorted({e.value(5) for e in ack.all("ERR") if e.value(4) == "E"})
        assert (name, ack["MSA-1"], found) == (name, code, rule_ids)
    assert gateway.messages.count(MessageState.PROCESSED) == len(STAY)
    visit = gateway.visits.get("ZY20260302001")
    assert visit is not None and visit.records and visit.orders
