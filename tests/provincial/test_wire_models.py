"""Wire models: exact national names, strict outbound, tolerant inbound, Decimal money."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from pydantic import Field, ValidationError

from yibao_sdk.adapters.provincial import jsonwire
from yibao_sdk.adapters.provincial.wire import (
    audit_result,
    fees,
    files,
    outpatient,
    person,
    reconcile,
    setllist,
    settlement,
    signin,
)
from yibao_sdk.adapters.provincial.wire.base import (
    BytesEncoding,
    NullPolicy,
    OutboundModel,
    as_list,
    to_wire,
)

T = datetime(2026, 3, 2, 9, 30, 15)


def _fee_row(**kw: Any) -> dict[str, Any]:
    row = {
        "feedetl_sn": "F0001", "mdtrt_id": "MD0001", "psn_no": "43000011000000000001",
        "chrg_bchno": "B0001", "fee_ocur_time": "2026-03-02 09:30:15",
        "med_list_codg": "XA11DAW036A001010104127", "medins_list_codg": "YP0001",
        "det_item_fee_sumamt": Decimal("35.10"), "cnt": Decimal("2"),
        "pric": Decimal("17.55"), "bilg_dept_codg": "A03", "bilg_dept_name": "内科",
        "bilg_dr_codg": "D430111000001", "bilg_dr_name": "李医生", "hosp_appr_flag": "1",
    }
    return {**row, **kw}


def test_outbound_models_forbid_unknown_members() -> None:
    with pytest.raises(ValidationError, match="feedetl_no"):
        fees.FeeDetail.model_validate(_fee_row(feedetl_no="x"))


def test_outbound_lengths_are_checked() -> None:
    with pytest.raises(ValidationError, match="psn_no"):
        fees.FeeDetail.model_validate(_fee_row(psn_no="4" * 31))


def test_inbound_models_keep_unknown_members_and_read_numbers_as_text() -> None:
    info = settlement.SetlInfo.model_validate(
        {"setl_id": 123, "medfee_sumamt": "", "hifdm_pay": Decimal("1.00")})
    assert info.setl_id == "123"
    assert info.medfee_sumamt is None
    assert info.model_extra == {"hifdm_pay": Decimal("1.00")}


def test_fee_row_amount_must_be_price_times_count() -> None:
    row = fees.FeeDetail.model_validate(_fee_row())
    assert row.det_item_fee_sumamt == Decimal("35.10")
    with pytest.raises(ValidationError, match=r"round\(pric × cnt, 2\)"):
        fees.FeeDetail.model_validate(_fee_row(det_item_fee_sumamt=Decimal("36.10")))


def test_refund_row_names_its_original_and_counts_negative() -> None:
    row = _fee_row(feedetl_sn="F0002", init_feedetl_sn="F0001", cnt=Decimal("-2"),
                   det_item_fee_sumamt=Decimal("-35.10"))
    del row["chrg_bchno"]  # an outpatient member: 2301 rows forbid it
    refund = fees.InpatientFeeDetail.model_validate(row)
    assert refund.init_feedetl_sn == "F0001"
    with pytest.raises(ValidationError, match="refund row"):
        fees.FeeDetail.model_validate(_fee_row(init_feedetl_sn="F0000"))


def test_person_query_needs_card_sn_with_a_social_security_card() -> None:
    with pytest.raises(ValidationError, match="card_sn"):
        person.PersonQuery(mdtrt_cert_type="03", mdtrt_cert_no="K1", psn_cert_type="01")
    ok = person.PersonQuery(mdtrt_cert_type="02", mdtrt_cert_no="110101199003078515",
                            psn_cert_type="01")
    assert "110101199003078515" not in repr(ok)


def test_aliases_keep_names_that_are_not_identifiers() -> None:
    upload = files.Input9101.model_validate(
        {"fsUploadIn": {"in": b"PK\x05\x06", "filename": "stmt.zip",
                        "fixmedins_code": "H44010600001"}})
    assert upload.fs_upload_in.in_ == b"PK\x05\x06"
    assert to_wire(upload) == {"fsUploadIn": {"in": [80, 75, 5, 6], "filename": "stmt.zip",
                                              "fixmedins_code": "H44010600001"}}
    assert to_wire(upload, bytes_encoding=BytesEncoding.BASE64)["fsUploadIn"]["in"] == "UEsFBg=="
    sign_in = signin.Input9001(signIn=signin.SignInData(opter_no="0001", mac="", ip=""))
    assert list(to_wire(sign_in)) == ["signIn"]


def test_hyphenated_national_names_via_alias() -> None:
    class FrontPageLab(OutboundModel):
        hcv_ab: str | None = Field(default=None, alias="hcv-ab")
        """丙肝抗体."""
        hiv_ab: str | None = Field(default=None, alias="hiv-ab")
        """艾滋病抗体."""

    row = FrontPageLab.model_validate({"hcv-ab": "0", "hiv-ab": None})
    assert to_wire(row) == {"hcv-ab": "0"}
    assert to_wire(row, policy=NullPolicy.ZERO_OR_EMPTY) == {"hcv-ab": "0", "hiv-ab": ""}


def test_null_policies() -> None:
    data = outpatient.VisitInfo(mdtrt_id="MD1", psn_no="P1", med_type="11", begntime=T)
    omit = to_wire(data)
    assert omit == {"mdtrt_id": "MD1", "psn_no": "P1", "med_type": "11",
                    "begntime": "2026-03-02 09:30:15"}
    assert to_wire(data, policy=NullPolicy.NULL)["geso_val"] is None
    assert to_wire(data, policy=NullPolicy.EMPTY)["geso_val"] == ""
    zero = to_wire(data, policy=NullPolicy.ZERO_OR_EMPTY)
    assert zero["geso_val"] == "0"          # numeric: "0"
    assert zero["dise_codg"] == ""          # text: ""
    assert zero["birctrl_matn_date"] == ""


def test_dates_and_datetimes_have_the_national_formats() -> None:
    query = reconcile.Input3201.model_validate({"data": {
        "insutype": "310", "clr_type": "11", "setl_optins": "440100",
        "stmt_begndate": date(2026, 3, 1), "stmt_enddate": "20260301",
        "medfee_sumamt": Decimal("1000.00"), "fund_pay_sumamt": Decimal("600.00"),
        "acct_pay": Decimal("100.00"), "fixmedins_setl_cnt": 12}})
    wire = to_wire(query)["data"]
    assert wire["stmt_begndate"] == "2026-03-01" and wire["stmt_enddate"] == "2026-03-01"
    assert wire["medfee_sumamt"] == Decimal("1000.00")
    assert jsonwire.dumps(wire).decode().count('"medfee_sumamt":1000.00') == 1


def test_inbound_datetimes_accept_the_formats_seen() -> None:
    for text in ("2026-03-02 09:30:15", "20260302093015", "2026-03-02T09:30:15",
                 "2026-03-02 09:30:15.123"):
        assert signin.SignInResult(sign_no="1", sign_time=text).sign_time == T
    assert person.BaseInfo(psn_no="P", brdy="19860101").brdy == date(1986, 1, 1)


def test_money_arrives_as_exact_decimals() -> None:
    raw = jsonwire.loads(b'{"result": {"feedetl_sn": "F1", "pric": 0.05, "cnt": 3,'
                         b' "pric_uplmt_amt": 999999, "selfpay_prop": 0.1,'
                         b' "det_item_fee_sumamt": 35.0, "chrgitm_lv": "02"}}')
    out = fees.OutputFeeUpload.model_validate(raw)
    row = out.result[0]
    assert row.pric == Decimal("0.05") and type(row.pric) is Decimal
    assert row.selfpay_prop == Decimal("0.1")
    assert row.pric_uplmt_amt == Decimal(999999)
    assert row.det_item_fee_sumamt == Decimal("35.0")
    assert row.pric * row.cnt == Decimal("0.15")   # no float error


def test_list_or_object_tolerance() -> None:
    assert as_list(None) == [] and as_list("") == []
    assert as_list({"a": 1}) == [{"a": 1}]
    assert as_list([1, 2]) == [1, 2] and as_list((1,)) == [1]
    single = audit_result.OutputRuleCheck.model_validate(
        {"result": {"jr_id": "J1", "rule_id": "R01", "judge_result_detail_dtos": {"rx_id": "O1"}}})
    assert single.result[0].judge_result_detail_dtos[0].rx_id == "O1"
    empty = audit_result.OutputRuleCheck.model_validate({"result": None})
    assert empty.result == []
    one = settlement.OutputSettlement.model_validate(
        {"setlinfo": {"setl_id": "S1"}, "setldetail": {"fund_pay_type": "310100",
                                                       "fund_payamt": 10}})
    assert one.setldetail[0].fund_payamt == Decimal(10)


@pytest.mark.parametrize("output", [
    {"setl_list_id": "L0001"}, {"data": {"setl_list_id": "L0001"}}])
def test_4101a_output_either_shape(output: dict[str, Any]) -> None:
    assert setllist.Output4101A.model_validate(output).setl_list_id == "L0001"


@pytest.mark.parametrize("output", [
    {"file_qury_no": "Q1", "filename": "1301.zip", "dld_endtime": "2026-03-02 23:59:59"},
    {"data": {"file_qury_no": "Q1", "filename": "1301.zip",
              "dld_endtime": "2026-03-02 23:59:59"}}])
def test_file_ticket_either_shape(output: dict[str, Any]) -> None:
    ticket = files.FileTicket.model_validate(output)
    assert ticket.file_qury_no == "Q1"
    assert ticket.dld_endtime == datetime(2026, 3, 2, 23, 59, 59)


def test_rooted_or_nested_outputs() -> None:
    assert outpatient.Output2201.model_validate(
        {"mdtrt_id": "MD1"}).data.mdtrt_id == "MD1"
    assert outpatient.Output2201.model_validate(
        {"data": {"mdtrt_id": "MD1", "psn_no": "P", "ipt_otp_no": "MZ1"}}).data.psn_no == "P"
    assert reconcile.Output3201.model_validate(
        {"stmt_rslt": "0"}).stmtinfo.stmt_rslt == "0"
    assert reconcile.Output3201.model_validate(
        {"stmtinfo": {"stmt_rslt": "1", "stmt_rslt_dscr": "不平"}}).stmtinfo.stmt_rslt == "1"


def test_3103_continuing_needs_a_reason() -> None:
    with pytest.raises(ValidationError, match="dspo_way_rea"):
        audit_result.Warn(warn_rslt_id="J1", dspo_way="1")
    warn = audit_result.Warn(warn_rslt_id="J1", dspo_way="1", dspo_way_rea="急诊抢救")
    assert to_wire(warn) == {"warn_rslt_id": "J1", "dspo_way": "1", "dspo_way_rea": "急诊抢救"}


def test_settlement_input_node_and_flags() -> None:
    data = settlement.OutpatientSettle(
        psn_no="P1", mdtrt_cert_type="02", mdtrt_cert_no="110101199003078515",
        medfee_sumamt=Decimal("35.10"), psn_setlway="01", mdtrt_id="MD1",
        acct_used_flag="1", med_type="11", chrg_bchno="B1")
    assert to_wire(settlement.InputOutpatientSettle(data=data))["data"]["acct_used_flag"] == "1"
    with pytest.raises(ValidationError, match="acct_used_flag"):
        settlement.OutpatientSettle.model_validate(
            {**data.model_dump(), "acct_used_flag": "Y"})
    with pytest.raises(ValidationError, match="decimal places"):
        settlement.OutpatientSettle.model_validate(
            {**data.model_dump(), "medfee_sumamt": Decimal("35.105")})


def test_reversal_carries_the_original_msgid_and_infno() -> None:
    rev = settlement.InputReversal(data=settlement.Reversal(
        psn_no="P1", omsgid="H44010600001202603020930150001", oinfno="2207"))
    assert to_wire(rev) == {"data": {"psn_no": "P1",
                                     "omsgid": "H44010600001202603020930150001",
                                     "oinfno": "2207"}}


def test_jsonwire_writes_decimals_exactly_and_refuses_floats() -> None:
    text = jsonwire.dumps({"a": Decimal("35.10"), "b": [Decimal("-0.05"), 1, True, None],
                           "名": "张三"})
    assert text == '{"a":35.10,"b":[-0.05,1,true,null],"名":"张三"}'.encode()
    assert jsonwire.loads(text)["a"] == Decimal("35.10")
    with pytest.raises(TypeError, match="float"):
        jsonwire.dumps({"a": 35.1})
    with pytest.raises(ValueError, match="not a number"):
        jsonwire.dumps(Decimal("NaN"))
    assert jsonwire.canonical_digest({"b": 1, "a": 2}) == jsonwire.canonical_digest(
        {"a": 2, "b": 1})
