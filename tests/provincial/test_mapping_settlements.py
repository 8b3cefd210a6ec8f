"""Settlements ↔ 2206/2207/2303/2304 and their fund breakdown; settlement lists ↔ 4101A."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from yibao_sdk.adapters.provincial import jsonwire
from yibao_sdk.adapters.provincial.mapping import (
    Credential,
    SettleArgs,
    inpatient_settle_input,
    outpatient_settle_input,
    settle_infno,
    settlement_from_input,
    settlement_list_from_input,
    settlement_list_input,
    settlement_output,
    settlement_result,
)
from yibao_sdk.adapters.provincial.wire.base import to_wire
from yibao_sdk.adapters.provincial.wire.settlement import OutputSettlement
from yibao_sdk.errors import InputError, ModelInputError
from yibao_sdk.models import (
    FundPayment,
    Settlement,
    SettlementList,
    SettlementListDiagnosis,
    SettlementListOperation,
    SettlementResult,
)

T = datetime(2026, 3, 2, 10, 45)
PSN, MDTRT = "44000011000000000001", "440100G0000000000001"
ARGS = SettleArgs(psn_no=PSN, mdtrt_id=MDTRT, credential=Credential("02", "110101199003078515"),
                  chrg_bchno="B0001", use_account=True)


def _settlement(**kw: object) -> Settlement:
    data: dict[str, object] = {"settlement_id": "JS0001", "visit_id": "MZ20260302001",
                               "requested_at": T, "total": Decimal("35.1000"),
                               "insurance_type": "310", "medical_type": "11", **kw}
    return Settlement.model_validate(data)


def _result(**kw: object) -> SettlementResult:
    data: dict[str, object] = {
        "settlement_id": "440100S0000000000001", "visit_id": MDTRT, "settled_at": T,
        "total": Decimal("35.10"), "preselfpay": Decimal("1.76"), "fund_total": Decimal("20.00"),
        "pooled_fund": Decimal("20.00"), "personal_account": Decimal("15.10"),
        "cash": Decimal("0.00"),
        "fund_payments": (FundPayment(fund_type="310100", name="职工基本医疗保险统筹基金",
                                      amount=Decimal("20.00")),),
        **kw,
    }
    return SettlementResult.model_validate(data)


def test_outpatient_settlement_members() -> None:
    data = to_wire(outpatient_settle_input(_settlement(), ARGS))["data"]
    assert data == {
        "psn_no": PSN, "mdtrt_cert_type": "02", "mdtrt_cert_no": "110101199003078515",
        "medfee_sumamt": Decimal("35.10"), "psn_setlway": "01", "mdtrt_id": MDTRT,
        "insutype": "310", "acct_used_flag": "1", "med_type": "11", "chrg_bchno": "B0001",
    }
    assert b'"medfee_sumamt":35.10' in jsonwire.dumps(data)


def test_settlement_repeats_the_pre_settlement_self_pay_amounts() -> None:
    pre = _result(full_self_pay=Decimal("3.00"), total=Decimal("38.10"), cash=Decimal("3.00"))
    data = outpatient_settle_input(_settlement(total=Decimal("38.10")), _with_pre(pre)).data
    assert (data.fulamt_ownpay_amt, data.preselfpay_amt, data.overlmt_selfpay) == (
        Decimal("3.00"), Decimal("1.76"), Decimal("0"))
    pre_data = outpatient_settle_input(_settlement(pre_settlement=True), _with_pre(pre)).data
    assert pre_data.fulamt_ownpay_amt is None


def _with_pre(pre: SettlementResult) -> SettleArgs:
    return SettleArgs(psn_no=PSN, mdtrt_id=MDTRT, credential=ARGS.credential,
                      chrg_bchno="B0001", pre=pre)


def test_infno_by_kind() -> None:
    assert settle_infno(_settlement(), inpatient=False) == "2207"
    assert settle_infno(_settlement(pre_settlement=True), inpatient=False) == "2206"
    assert settle_infno(_settlement(), inpatient=True) == "2304"
    assert settle_infno(_settlement(pre_settlement=True), inpatient=True) == "2303"


def test_outpatient_settlement_needs_medical_type_and_batch() -> None:
    with pytest.raises(InputError, match="medical_type and chrg_bchno"):
        outpatient_settle_input(_settlement(medical_type=""), ARGS)


def test_inpatient_settlement_members_and_round_trip() -> None:
    settlement = _settlement(medical_type="", total=Decimal("8650.40"))
    args = SettleArgs(psn_no=PSN, mdtrt_id=MDTRT, credential=ARGS.credential,
                      mid_settlement=True, invono="FP0001")
    data = inpatient_settle_input(settlement, args).data
    assert to_wire(data)["mid_setl_flag"] == "1" and data.invono == "FP0001"
    assert data.acct_used_flag == "0"
    back = settlement_from_input(data, settlement_id="JS0001", visit_id="MZ20260302001",
                                 requested_at=T, pre_settlement=False)
    assert back == settlement


def test_outpatient_settlement_round_trip() -> None:
    settlement = _settlement()
    data = outpatient_settle_input(settlement, ARGS).data
    assert settlement_from_input(data, settlement_id="JS0001", visit_id="MZ20260302001",
                                 requested_at=T, pre_settlement=False) == settlement


REPLY_OUTPUT = {
    "setlinfo": {
        "mdtrt_id": MDTRT, "setl_id": "440100S0000000000001", "psn_no": PSN,
        "setl_time": "2026-03-02 10:45:00", "medfee_sumamt": Decimal("35.10"),
        "fulamt_ownpay_amt": Decimal("0.00"), "overlmt_selfpay": 0,
        "preselfpay_amt": Decimal("1.76"), "inscp_scp_amt": Decimal("35.10"),
        "hifp_pay": Decimal("20.0"), "fund_pay_sumamt": Decimal("20.00"),
        "psn_part_amt": Decimal("15.10"), "acct_pay": Decimal("12.10"),
        "acct_mulaid_pay": Decimal("3.00"), "psn_cash_pay": Decimal("0.00"),
        "hosp_part_amt": 0, "medins_setl_id": "H44010600001202603021045000001",
    },
    # The account shows up in setldetail too, as in the public sample.
    "setldetail": [
        {"fund_pay_type": "310100", "fund_payamt": Decimal("20.00"),
         "fund_pay_type_name": "职工基本医疗保险统筹基金"},
        {"fund_pay_type": "310200", "fund_payamt": Decimal("12.10"),
         "fund_pay_type_name": "职工基本医疗保险个人账户基金"},
    ],
}


def test_settlement_result_from_the_2207_output() -> None:
    result = settlement_result(OutputSettlement.model_validate(REPLY_OUTPUT),
                               visit_id="MZ20260302001")
    assert result.settlement_id == "440100S0000000000001"
    assert result.visit_id == "MZ20260302001"
    assert result.settled_at == T
    assert result.total == Decimal("35.10")
    assert result.fund_total == Decimal("20.00") and result.pooled_fund == Decimal("20.0")
    assert result.personal_account == Decimal("12.10")  # acct_pay
    assert result.mutual_aid == Decimal("3.00")  # acct_mulaid_pay (family account)
    assert result.cash == Decimal("0.00") and result.preselfpay == Decimal("1.76")
    assert [(p.fund_type, p.amount) for p in result.fund_payments] == [
        ("310100", Decimal("20.00"))]


def test_pre_settlement_output_needs_an_id_and_time_from_the_caller() -> None:
    pre = {**REPLY_OUTPUT, "setlinfo": {**REPLY_OUTPUT["setlinfo"], "setl_id": None,
                                         "setl_time": None}}
    output = OutputSettlement.model_validate(pre)
    with pytest.raises(InputError, match="settlement_id"):
        settlement_result(output)
    result = settlement_result(output, settlement_id="JS0001", settled_at=T)
    assert result.settlement_id == "JS0001"


def test_unbalanced_output_is_refused() -> None:
    broken = {**REPLY_OUTPUT, "setlinfo": {**REPLY_OUTPUT["setlinfo"],
                                            "psn_cash_pay": Decimal("5.00")}}
    with pytest.raises(ModelInputError, match="total"):
        settlement_result(OutputSettlement.model_validate(broken))


def test_settlement_result_round_trip_through_the_output() -> None:
    result = _result()
    output = settlement_output(result, psn_no=PSN, medins_setl_id="H44010600001202603021045000001")
    wire = to_wire(output)
    assert wire["setlinfo"]["psn_part_amt"] == Decimal("15.10")
    assert wire["setlinfo"]["setl_time"] == "2026-03-02 10:45:00"
    assert wire["setldetail"] == [{"fund_pay_type": "310100", "fund_payamt": Decimal("20.00"),
                                   "fund_pay_type_name": "职工基本医疗保险统筹基金"}]
    parsed = OutputSettlement.model_validate(jsonwire.loads(jsonwire.dumps(wire)))
    assert settlement_result(parsed) == result


LIST = SettlementList(
    settlement_id="440100S0000000000001", visit_id="ZY20260302001",
    admitted_on=date(2026, 3, 2), discharged_on=date(2026, 3, 9), total=Decimal("8650.40"),
    diagnoses=(SettlementListDiagnosis(code="S72.000", name="股骨颈骨折", main=True,
                                       admission_condition="1"),
               SettlementListDiagnosis(code="I10.x00", name="高血压")),
    operations=(SettlementListOperation(code="81.5100", name="全髋关节置换", main=True,
                                        operated_on=date(2026, 3, 3),
                                        surgeon_code="D440100000001"),),
)


def test_settlement_list_members() -> None:
    wire = to_wire(settlement_list_input(LIST, psn_no=PSN, mdtrt_id=MDTRT, medcasno="BA0001",
                                         setlinfo={"chfpdr_code": "D440100000001"}))
    assert wire["setlinfo"] == {"psn_no": PSN, "mdtrt_id": MDTRT,
                                "setl_id": "440100S0000000000001", "medcasno": "BA0001",
                                "adm_time": "2026-03-02", "dscg_time": "2026-03-09",
                                "chfpdr_code": "D440100000001"}
    assert wire["diseinfo"][0] == {"diag_type": "1", "diag_code": "S72.000",
                                   "diag_name": "股骨颈骨折", "adm_cond_type": "1",
                                   "maindiag_flag": "1"}
    assert wire["oprninfo"][0]["oprn_oprt_type"] == "1"
    assert wire["oprninfo"][0]["oprn_oprt_begntime"] == "2026-03-03 00:00:00"
    assert wire["icuinfo"] == [] and "payinfo" not in wire


def test_settlement_list_round_trip() -> None:
    wire = settlement_list_input(LIST, psn_no=PSN, mdtrt_id=MDTRT, medcasno="BA0001")
    back = settlement_list_from_input(wire, visit_id="ZY20260302001", total=Decimal("8650.40"))
    assert back == LIST
