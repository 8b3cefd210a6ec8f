"""The request envelope: members, psn_no routing, sign_no, null policy and province overrides."""

from __future__ import annotations

import itertools
import json
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest

from yibao_sdk.adapters.provincial.builtin_profiles import GUANGDONG, HEBEI, NATIONAL
from yibao_sdk.adapters.provincial.envelope import (
    EnvelopeBuilder,
    Institution,
    Operator,
    OutboundRequest,
)
from yibao_sdk.adapters.provincial.errors import (
    EnvelopeError,
    InsuplcAdmdvsMissingError,
    ProfileError,
    UnknownTransactionError,
    WireValidationError,
)
from yibao_sdk.adapters.provincial.profiles import ProvinceProfile
from yibao_sdk.adapters.provincial.wire.base import NullPolicy
from yibao_sdk.adapters.provincial.wire.codes import OpterType
from yibao_sdk.adapters.provincial.wire.settlement import InputOutpatientSettle
from yibao_sdk.models import Hospital, HospitalLevel

T = datetime(2026, 3, 2, 9, 30, 15)
HOSPITAL = Institution("H44010600001", "广州市示例医院", "440100")
CASHIER = Operator("0007", "王收费")
PSN = "44000011000000000001"

SETTLE_2207: dict[str, Any] = {"data": {
    "psn_no": PSN, "mdtrt_cert_type": "02", "mdtrt_cert_no": "110101199003078515",
    "med_type": "11", "medfee_sumamt": Decimal("35.10"), "psn_setlway": "01",
    "mdtrt_id": "440100G0000000000001", "chrg_bchno": "B0001", "insutype": "310",
    "acct_used_flag": "1",
}}
FEES_2204: dict[str, Any] = {"feedetail": [{
    "feedetl_sn": "F0001", "mdtrt_id": "440100G0000000000001", "psn_no": PSN,
    "chrg_bchno": "B0001", "fee_ocur_time": T, "med_list_codg": "XA11DAW036A001010104127",
    "medins_list_codg": "YP0001", "det_item_fee_sumamt": Decimal("35.10"),
    "cnt": Decimal("2"), "pric": Decimal("17.55"), "bilg_dept_codg": "A03",
    "bilg_dept_name": "内科", "bilg_dr_codg": "D440100000001", "bilg_dr_name": "李医生",
    "hosp_appr_flag": "1", "rxno": "O0001",
}]}


def _builder(profile: ProvinceProfile = NATIONAL) -> EnvelopeBuilder:
    counter = itertools.count(1)
    return EnvelopeBuilder(profile, HOSPITAL,
                           msgids=lambda: f"H44010600001{T:%Y%m%d%H%M%S}{next(counter):04d}",
                           clock=lambda: T)


def _settle(builder: EnvelopeBuilder, **kw: Any) -> OutboundRequest:
    args = {"sign_no": "SIGN0001", "insuplc_admdvs": "440100", **kw}
    return builder.build("2207", SETTLE_2207, CASHIER, **args)


def test_national_envelope_has_every_member() -> None:
    request = _settle(_builder())
    body = request.body
    assert list(body) == [
        "infno", "msgid", "mdtrtarea_admvs", "insuplc_admdvs", "recer_sys_code", "dev_no",
        "dev_safe_info", "cainfo", "signtype", "infver", "opter_type", "opter", "opter_name",
        "inf_time", "fixmedins_code", "fixmedins_name", "sign_no", "input"]
    assert body["infno"] == "2207"
    assert body["msgid"] == "H44010600001202603020930150001"
    assert body["mdtrtarea_admvs"] == "440100" and body["insuplc_admdvs"] == "440100"
    assert body["recer_sys_code"] == "YBXT" and body["infver"] == "V1.0"
    assert body["opter_type"] == "1" and body["opter"] == "0007"
    assert body["inf_time"] == "2026-03-02 09:30:15"
    assert body["fixmedins_code"] == "H44010600001"
    assert body["sign_no"] == "SIGN0001"
    assert body["dev_no"] == body["cainfo"] == body["signtype"] == ""
    assert body["input"]["data"]["medfee_sumamt"] == Decimal("35.10")
    assert request.url == NATIONAL.base_url
    assert request.transaction.infno == "2207" and request.msgid == body["msgid"]


def test_input_is_a_nested_object_and_money_an_exact_number() -> None:
    content = _settle(_builder()).content()
    assert b'"input":{"data":{"psn_no":"44000011000000000001"' in content
    assert b'"medfee_sumamt":35.10' in content
    assert json.loads(content)["input"]["data"]["mdtrt_id"] == "440100G0000000000001"
    assert "王收费".encode() in content  # UTF-8, not escaped


@pytest.mark.parametrize(("infno", "input_", "node"), [
    ("2207", SETTLE_2207, "input.data.psn_no"),
    ("2204", FEES_2204, "input.feedetail[0].psn_no"),
    ("5201", {"data": {"psn_no": PSN, "begntime": "2026-03-01 00:00:00"}}, "input.data.psn_no"),
])
def test_psn_no_anywhere_requires_insuplc_admdvs(
    infno: str, input_: dict[str, Any], node: str
) -> None:
    with pytest.raises(InsuplcAdmdvsMissingError) as caught:
        _builder().build(infno, input_, CASHIER, sign_no="SIGN0001")
    assert caught.value.node == node
    assert node in str(caught.value)
    assert caught.value.infno == infno


def test_without_psn_no_no_division_is_needed() -> None:
    request = _builder().build("1101", {"data": {
        "mdtrt_cert_type": "02", "mdtrt_cert_no": "110101199003078515", "psn_cert_type": "01"}},
        CASHIER, sign_no="SIGN0001")
    assert "insuplc_admdvs" not in request.body  # national null policy: omit


def test_sign_no_is_required_except_for_sign_in() -> None:
    with pytest.raises(EnvelopeError, match="sign_no is required"):
        _builder().build("2207", SETTLE_2207, CASHIER, insuplc_admdvs="440100")
    sign_in = _builder().build("9001", {"signIn": {"opter_no": "0007", "mac": "00-1A-2B-3C-4D-5E",
                                                   "ip": "10.1.2.3"}}, CASHIER)
    assert "sign_no" not in sign_in.body
    assert sign_in.body["input"] == {"signIn": {"opter_no": "0007", "mac": "00-1A-2B-3C-4D-5E",
                                                "ip": "10.1.2.3"}}


def test_unknown_transaction_and_invalid_input() -> None:
    with pytest.raises(UnknownTransactionError):
        _builder().build("0000", {}, CASHIER, sign_no="S")
    bad = {"data": {**SETTLE_2207["data"], "acct_used_flag": "yes"}}
    with pytest.raises(WireValidationError, match=r"data\.acct_used_flag") as caught:
        _builder().build("2207", bad, CASHIER, sign_no="S", insuplc_admdvs="440100")
    assert caught.value.model == "InputOutpatientSettle"


def test_a_model_of_the_wrong_transaction_is_refused() -> None:
    model = InputOutpatientSettle.model_validate(SETTLE_2207)
    with pytest.raises(WireValidationError, match="got InputOutpatientSettle"):
        _builder().build("2204", model, CASHIER, sign_no="S", insuplc_admdvs="440100")
    ok = _builder().build("2206", model, CASHIER, sign_no="S", insuplc_admdvs="440100")
    assert ok.body["input"]["data"]["chrg_bchno"] == "B0001"


def test_pass_through_dicts_must_be_json_ready() -> None:
    with pytest.raises(WireValidationError, match=r"data\.amt: a float"):
        _builder().build("5205", {"data": {"amt": 1.5}}, CASHIER, sign_no="S")
    with pytest.raises(WireValidationError, match="cannot be sent"):
        _builder().build("5205", {"data": {"x": object()}}, CASHIER, sign_no="S")
    request = _builder().build("4401", {"baseinfo": {"hcv-ab": "0", "mdtrt_id": "M1"}},
                               CASHIER, sign_no="S")
    assert request.body["input"] == {"baseinfo": {"hcv-ab": "0", "mdtrt_id": "M1"}}


def test_guangdong_renames_the_settlement_node_and_adds_its_members() -> None:
    request = _settle(_builder(GUANGDONG))
    body = request.body
    assert list(body["input"]) == ["mdtrtinfo"]
    assert body["input"]["mdtrtinfo"]["chrg_bchno"] == "B0001"
    assert request.envelope.input == {"data": request.envelope.input["data"]}  # national form
    assert body["recer_admdvs"] == "440100"
    assert body["infver"] == "1.0.0" and body["signtype"] == "SM3"
    assert request.url.endswith("/callService/2207")


def test_hebei_routes_retired_cadres_and_writes_empty_numbers_as_zero() -> None:
    data = {**SETTLE_2207["data"], "insutype": "340"}
    request = _builder(HEBEI).build("2207", {"data": data}, CASHIER, sign_no="S",
                                    insuplc_admdvs="440100")
    assert request.body["recer_sys_code"] == "LXXT"
    assert request.body["input"]["data"]["fulamt_ownpay_amt"] == "0"
    assert request.body["input"]["data"]["invono"] == ""
    assert request.url.endswith("/outpatientSettleService/saveSettletmentV2")
    query = _builder(HEBEI).build("1101", {"data": {
        "mdtrt_cert_type": "02", "mdtrt_cert_no": "110101199003078515", "psn_cert_type": "01"}},
        CASHIER, sign_no="S", insutype="340")
    assert query.body["recer_sys_code"] == "YBXT"
    assert query.body["insuplc_admdvs"] == ""


def test_explicit_insutype_wins_over_the_input() -> None:
    request = _builder(HEBEI).build("2207", SETTLE_2207, CASHIER, sign_no="S",
                                    insuplc_admdvs="440100", insutype="340")
    assert request.body["recer_sys_code"] == "LXXT"


def test_member_renames_per_transaction() -> None:
    profile = NATIONAL.model_copy(update={"field_names": {"2204": {"rxno": "rx_drord_no"}},
                                          "null_policy": NullPolicy.NULL})
    request = _builder(profile).build("2204", FEES_2204, CASHIER, sign_no="S",
                                      insuplc_admdvs="440100")
    row = request.body["input"]["feedetail"][0]
    assert row["rx_drord_no"] == "O0001" and "rxno" not in row
    assert row["dise_codg"] is None  # null policy NULL
    assert request.envelope.input["feedetail"][0]["rxno"] == "O0001"


def test_msgid_can_be_given_and_the_digest_is_stable() -> None:
    one = _settle(_builder(), msgid="H44010600001202603020930159999")
    two = _settle(_builder())
    assert one.msgid == "H44010600001202603020930159999"
    assert one.input_digest == two.input_digest
    assert len(one.input_digest) == 64
    assert one.headers == {"Content-Type": "application/json;charset=UTF-8"}


def test_bad_envelope_members_are_envelope_errors_with_the_msgid() -> None:
    with pytest.raises(EnvelopeError, match="insuplc_admdvs") as caught:
        _settle(_builder(), insuplc_admdvs="44")
    assert str(caught.value).startswith("H44010600001202603020930150001 2207: ")


def test_kiosk_operator_and_institution_from_a_hospital() -> None:
    hospital = Hospital(code="H44010600001", name="广州市示例医院", level=HospitalLevel.LEVEL3,
                        region="440100")
    builder = EnvelopeBuilder(NATIONAL, Institution.from_hospital(hospital),
                              msgids=lambda: "H44010600001202603020930150001", clock=lambda: T)
    request = builder.build("1101", {"data": {"mdtrt_cert_type": "01",
                                              "mdtrt_cert_no": "ectoken", "psn_cert_type": "01"}},
                            Operator("KIOSK01", "自助机1", OpterType.KIOSK), sign_no="S")
    assert request.body["opter_type"] == "2"
    assert request.body["fixmedins_name"] == "广州市示例医院"


def test_a_profile_without_a_path_fails_before_taking_a_msgid() -> None:
    taken: list[str] = []

    def msgids() -> str:
        taken.append("x")
        return "H44010600001202603020930150001"

    builder = EnvelopeBuilder(HEBEI, HOSPITAL, msgids=msgids, clock=lambda: T)
    with pytest.raises(ProfileError, match=r"paths\.5205"):
        builder.build("5205", {"data": {"psn_no": PSN}}, CASHIER, sign_no="S",
                      insuplc_admdvs="440100")
    assert taken == []


def test_aware_times_are_written_in_china_time() -> None:
    from datetime import UTC

    aware = datetime(2026, 3, 2, 1, 30, 15, tzinfo=UTC)
    builder = EnvelopeBuilder(NATIONAL, HOSPITAL, msgids=lambda: "H44010600001202603020930150001",
                              clock=lambda: aware)
    request = builder.build("5205", {"data": {"begntime": aware}}, CASHIER, sign_no="S")
    assert request.body["inf_time"] == "2026-03-02 09:30:15"
    assert request.body["input"]["data"]["begntime"] == "2026-03-02 09:30:15"
