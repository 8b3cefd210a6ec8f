"""Charges ↔ 2204/2301 fee-detail rows: codes, rounding, order link, refunds, round trips."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_DOWN, Decimal

import pytest

from yibao_sdk.adapters.provincial.mapping import (
    charges_from_fee_details,
    inpatient_fee_input,
    outpatient_fee_input,
)
from yibao_sdk.adapters.provincial.wire.base import to_wire
from yibao_sdk.errors import ModelInputError
from yibao_sdk.models import Charge, ChargeCategory, Practitioner, ProfessionalTitle

T = datetime(2026, 3, 2, 10, 15)
MDTRT, PSN = "440100G0000000000001", "44000011000000000001"
DOCTORS = {
    "D001": Practitioner(practitioner_id="D001", name="李医生", title=ProfessionalTitle.ATTENDING,
                         national_code="D440100000001", department="A03"),
    "N002": Practitioner(practitioner_id="N002", name="赵护士", title=ProfessionalTitle.RESIDENT,
                         national_code="D440100000002"),
}


def _charge(charge_id: str = "F0001", **kw: object) -> Charge:
    data: dict[str, object] = {
        "charge_id": charge_id, "item_code": "XA11DAW036A001010104127",
        "hospital_item_code": "YP0001", "name": "阿莫西林胶囊",
        "category": ChargeCategory.WESTERN_DRUG, "quantity": Decimal("2"),
        "unit_price": Decimal("17.5500"), "amount": Decimal("35.1000"), "charged_at": T,
        "ordering_practitioner_id": "D001", "performing_practitioner_id": "N002",
        "order_id": "O0001", **kw,
    }
    return Charge.model_validate(data)


def test_outpatient_row_members() -> None:
    wire = outpatient_fee_input([_charge()], mdtrt_id=MDTRT, psn_no=PSN, chrg_bchno="B0001",
                                practitioners=DOCTORS, dept_name="内科")
    row = to_wire(wire)["feedetail"][0]
    assert row == {
        "feedetl_sn": "F0001", "mdtrt_id": MDTRT, "psn_no": PSN,
        "fee_ocur_time": "2026-03-02 10:15:00", "med_list_codg": "XA11DAW036A001010104127",
        "medins_list_codg": "YP0001", "det_item_fee_sumamt": Decimal("35.10"),
        "cnt": Decimal("2"), "pric": Decimal("17.5500"), "bilg_dept_codg": "A03",
        "bilg_dept_name": "内科", "bilg_dr_codg": "D440100000001", "bilg_dr_name": "李医生",
        "orders_dr_code": "D440100000002", "hosp_appr_flag": "1", "chrg_bchno": "B0001",
        "rxno": "O0001", "rx_circ_flag": "0",
    }
    assert str(row["det_item_fee_sumamt"]) == "35.10"


def test_amounts_are_rounded_to_fen_with_the_given_mode() -> None:
    odd = _charge(quantity=Decimal("3"), unit_price=Decimal("0.3350"), amount=Decimal("1.0050"))
    half_up = outpatient_fee_input([odd], mdtrt_id=MDTRT, psn_no=PSN, chrg_bchno="B1")
    down = outpatient_fee_input([odd], mdtrt_id=MDTRT, psn_no=PSN, chrg_bchno="B1",
                                rounding=ROUND_DOWN)
    assert half_up.feedetail[0].det_item_fee_sumamt == Decimal("1.01")
    assert down.feedetail[0].det_item_fee_sumamt == Decimal("1.00")


def test_self_pay_lines_are_flagged() -> None:
    wire = outpatient_fee_input([_charge(self_pay=True)], mdtrt_id=MDTRT, psn_no=PSN,
                                chrg_bchno="B1")
    assert wire.feedetail[0].hosp_appr_flag == "2"


def test_inpatient_rows_with_a_refund() -> None:
    refund = _charge("F0002", quantity=Decimal("-1"), amount=Decimal("-17.55"),
                     refund_of="F0001")
    wire = inpatient_fee_input([_charge(), refund], mdtrt_id=MDTRT, psn_no=PSN,
                               practitioners=DOCTORS)
    rows = to_wire(wire)["feedetail"]
    assert rows[0]["drord_no"] == "O0001" and rows[0]["med_type"] == "21"
    assert rows[0]["medins_list_name"] == "阿莫西林胶囊"
    assert "init_feedetl_sn" not in rows[0]
    assert rows[1]["init_feedetl_sn"] == "F0001"
    assert rows[1]["cnt"] == Decimal("-1") and rows[1]["det_item_fee_sumamt"] == Decimal("-17.55")


def test_outpatient_round_trip() -> None:
    charges = (_charge(amount=Decimal("35.10")), _charge("F0003", order_id=None, self_pay=True,
                                                         performing_practitioner_id=""))
    wire = outpatient_fee_input(charges, mdtrt_id=MDTRT, psn_no=PSN, chrg_bchno="B1",
                                practitioners=DOCTORS)
    back = charges_from_fee_details(
        wire.feedetail, practitioners=DOCTORS,
        categories={"F0001": ChargeCategory.WESTERN_DRUG, "F0003": ChargeCategory.WESTERN_DRUG})
    assert back == tuple(c.model_copy(update={"name": ""}) for c in charges)


def test_inpatient_round_trip_keeps_the_refund_link() -> None:
    charges = (_charge(amount=Decimal("35.10")),
               _charge("F0002", quantity=Decimal("-1"), amount=Decimal("-17.55"),
                       refund_of="F0001"))
    wire = inpatient_fee_input(charges, mdtrt_id=MDTRT, psn_no=PSN, practitioners=DOCTORS)
    categories = dict.fromkeys(("F0001", "F0002"), ChargeCategory.WESTERN_DRUG)
    back = charges_from_fee_details(wire.feedetail, practitioners=DOCTORS, categories=categories)
    assert back == charges


def test_unknown_practitioners_fall_back_to_staff_numbers() -> None:
    wire = outpatient_fee_input([_charge()], mdtrt_id=MDTRT, psn_no=PSN, chrg_bchno="B1")
    assert wire.feedetail[0].bilg_dr_codg == "D001"
    assert wire.feedetail[0].bilg_dr_name == ""


def test_rows_that_break_wire_limits_name_the_field() -> None:
    with pytest.raises(ModelInputError, match=r"feedetail\.0\.feedetl_sn"):
        outpatient_fee_input([_charge("F" * 35)], mdtrt_id=MDTRT, psn_no=PSN, chrg_bchno="B1")
