"""The real client against the real mock platform on loopback, for the national profile, the
Guangdong x-tif profile (secrets from the environment) and the Hebei per-path profile:
outpatient 9001 → 1101 → 2201 → 2204 → 2206 → 2207 → 2208 and inpatient 2401 → 2301 → 2303 →
2304 → 2402, with the fund figures of the mock's documented examples (:mod:`...mock.funds`)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from test_integration_helpers import (
    CASHIER,
    CLERK,
    DOCTORS,
    Flow,
    charges_of,
    close_client,
    journal_rows,
    make_client,
)

from yibao_sdk.adapters.provincial import jsonwire
from yibao_sdk.adapters.provincial.builtin_profiles import GUANGDONG, HEBEI, NATIONAL
from yibao_sdk.adapters.provincial.client import ProvincialClient
from yibao_sdk.adapters.provincial.mock import FaultKind, MockPlatform, start_mock
from yibao_sdk.adapters.provincial.mock.samples import EMPLOYEE, RESIDENT
from yibao_sdk.adapters.provincial.wire.person import Output1101
from yibao_sdk.adapters.provincial.wire.settlement import OutputSettlement
from yibao_sdk.models import FundPayment, SettlementResult
from yibao_sdk.store.journal import JournalState

D = Decimal
S = JournalState
GZ = "440100"
PROFILES = {"national": NATIONAL, "guangdong": GUANGDONG, "hebei": HEBEI}
SECRETS = {"YIBAO_TIF_PAASID": "paas-H44010600001", "YIBAO_TIF_SECRET": "tif-secret-of-test"}
SETTLE_NODE = {"national": "data", "guangdong": "mdtrtinfo", "hebei": "data"}
CANCEL_CLASS = {"national": "check", "guangdong": "check", "hebei": "reverse"}


@pytest.fixture(params=sorted(PROFILES))
def mock(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
         ) -> Iterator[MockPlatform]:
    for name, value in SECRETS.items():  # the mock and the client both read them
        monkeypatch.setenv(name, value)
    with start_mock(PROFILES[request.param]) as platform:
        yield platform


@pytest.fixture
def client(mock: MockPlatform, tmp_path: Path) -> Iterator[ProvincialClient]:
    caller = make_client(mock, tmp_path / "journal.sqlite3")
    try:
        yield caller
    finally:
        close_client(caller)


def _breakdown(result: SettlementResult) -> tuple[Decimal, ...]:
    return (result.total, result.full_self_pay, result.over_limit_self_pay, result.preselfpay,
            result.fund_total, result.pooled_fund, result.personal_account, result.cash)


def _person(client: ProvincialClient) -> Output1101:
    query = {"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": EMPLOYEE.certno,
                      "psn_cert_type": "01"}}
    return client.call("1101", query, CLERK).output_as(Output1101)


def test_outpatient_flow_through_the_client(mock: MockPlatform,
                                            client: ProvincialClient) -> None:
    profile = mock.profile.name
    person = _person(client)
    assert mock.state.query("SELECT opter FROM sign_ins") == [{"opter": CLERK.opter}]  # 9001
    assert person.baseinfo.psn_no == EMPLOYEE.psn_no
    assert (person.insuinfo[0].insuplc_admdvs, person.insuinfo[0].balc) == (GZ, D("300.00"))

    flow = Flow.outpatient(EMPLOYEE, "MZ20260302001")
    mdtrt_id = client.register(flow.visit, CLERK, credential=flow.credential,
                               dr_name="测试医生", caty="A03", practitioners=DOCTORS)
    assert mdtrt_id.startswith("440100M")
    fees = client.upload_fees(flow.visit, charges_of(flow.lines), CASHIER, mdtrt_id=mdtrt_id,
                              chrg_bchno="B1", practitioners=DOCTORS, dept_code="A03",
                              dept_name="内科")
    assert [(f.feedetl_sn, f.chrgitm_lv, f.overlmt_amt, f.preselfpay_amt, f.fulamt_ownpay_amt,
             f.inscp_scp_amt) for f in fees.result] == [
        ("F0001", "01", D("5.00"), D("0.00"), D("0.00"), D("25.00")),
        ("F0002", "02", D("0.00"), D("5.00"), D("0.00"), D("45.01")),
        ("F0003", "03", D("0.00"), D("0.00"), D("80.00"), D("0.00")),
        ("F0004", "01", D("0.00"), D("0.00"), D("0.00"), D("480.00"))]

    pre = client.pre_settle(flow.settlement(), flow.visit, CASHIER, args=flow.args(mdtrt_id))
    assert (pre.pooled_fund, pre.personal_account, pre.cash) == (D("280.01"), D("300.00"),
                                                                 D("60.00"))
    assert mock.state.balance(EMPLOYEE.psn_no) == D("300.00")  # a pre-settlement stores nothing
    assert journal_rows(client, "2206") == []  # and is not journalled (safe)

    result = client.settle(flow.settlement(), flow.visit, CASHIER,
                           args=flow.args(mdtrt_id, pre=pre))
    # the worked example of mock/funds.py: 640.01 = 280.01 pooled + 300.00 account + 60.00 cash
    assert _breakdown(result) == (D("640.01"), D("80.00"), D("5.00"), D("5.00"), D("280.01"),
                                  D("280.01"), D("300.00"), D("60.00"))
    assert result.fund_payments == (FundPayment(fund_type="310100", name="职工基本医疗保险统筹基金",
                                                amount=D("280.01")),)
    assert mock.state.balance(EMPLOYEE.psn_no) == D("0.00")
    assert mock.state.year_to_date(EMPLOYEE.psn_no, result.settled_at.year, "310") == (
        D("200.00"), D("280.01"))
    (row,) = journal_rows(client, "2207")
    assert (row.state, row.setl_id, row.visit_id, row.operator) == (
        S.CONFIRMED, result.settlement_id, mdtrt_id, CASHIER.opter)
    assert SETTLE_NODE[profile] in jsonwire.loads(row.body)["input"]

    reply = client.cancel_settlement(result.settlement_id, flow.visit, CASHIER,
                                     mdtrt_id=mdtrt_id)
    cancel = reply.output_as(OutputSettlement).setlinfo
    assert cancel.setl_id != result.settlement_id
    assert (cancel.medfee_sumamt, cancel.hifp_pay, cancel.acct_pay, cancel.psn_cash_pay) == (
        D("-640.01"), D("-280.01"), D("-300.00"), D("-60.00"))
    assert [s["status"] for s in mock.state.settlements()] == ["cancelled"]
    assert mock.state.balance(EMPLOYEE.psn_no) == D("300.00")
    (undo,) = journal_rows(client, "2208")
    assert (undo.state, undo.setl_id, undo.retry_class) == (S.CONFIRMED, cancel.setl_id,
                                                            CANCEL_CLASS[profile])
    assert client.journal.unresolved() == ()


def test_inpatient_flow_through_the_client(mock: MockPlatform,
                                           client: ProvincialClient) -> None:
    flow = Flow.inpatient(RESIDENT, "ZY20260302001")
    mdtrt_id = flow.open(client)
    assert mdtrt_id.startswith("440100Z")
    pre = client.pre_settle(flow.settlement(), flow.visit, CASHIER, args=flow.args(mdtrt_id))
    assert pre.pooled_fund == D("292.51") and not mock.state.settlements()
    result = client.settle(flow.settlement(), flow.visit, CASHIER,
                           args=flow.args(mdtrt_id, pre=pre))
    # the inpatient example of mock/samples.py: 超限价 20.00, 先行自付 12.50, 起付线 300.00
    assert _breakdown(result) == (D("820.02"), D("0.00"), D("20.00"), D("12.50"), D("292.51"),
                                  D("292.51"), D("0.00"), D("527.51"))
    (stored,) = mock.state.settlements(mdtrt_id=mdtrt_id)
    assert (stored["setl_id"], stored["clr_type"], stored["status"]) == (
        result.settlement_id, "21", "valid")

    client.call("2402", flow.discharge_input(mdtrt_id), CLERK, insuplc_admdvs=GZ)
    (visit,) = mock.state.query("SELECT status, endtime FROM visits WHERE mdtrt_id = ?",
                                mdtrt_id)
    assert visit == {"status": "discharged", "endtime": "2026-03-05 09:00:00"}
    states = {row.infno: row.state for row in journal_rows(client)}
    assert states == {"2401": S.CONFIRMED, "2301": S.CONFIRMED, "2304": S.CONFIRMED,
                      "2402": S.CONFIRMED}


def _settled(client: ProvincialClient) -> tuple[Flow, str, SettlementResult]:
    flow = Flow.outpatient(EMPLOYEE, "MZ20260302002")
    mdtrt_id = flow.open(client)
    return flow, mdtrt_id, flow.settle(client, mdtrt_id)


def test_a_cancellation_whose_reply_is_lost_is_confirmed_by_5203(
        mock: MockPlatform, client: ProvincialClient) -> None:
    """Bug fixed: 2208/2305 had no check, so an unknown cancellation stayed ``unknown`` for
    good (and, where the profile makes 2208 ``reverse``, blocked the visit)."""
    flow, mdtrt_id, result = _settled(client)
    mock.faults.next("2208", FaultKind.REPLY_LOST)  # cancelled on the platform, no answer
    reply = client.cancel_settlement(result.settlement_id, flow.visit, CASHIER,
                                     mdtrt_id=mdtrt_id)
    info = reply.output_as(OutputSettlement).setlinfo
    assert (info.setl_id, (info.model_extra or {})["init_setl_id"]) == (None,
                                                                        result.settlement_id)
    assert (info.medfee_sumamt, info.fund_pay_sumamt, info.acct_pay, info.psn_cash_pay) == (
        D("-640.01"), D("-280.01"), D("-300.00"), D("-60.00"))
    (undo,) = journal_rows(client, "2208")
    assert undo.state is S.CONFIRMED_BY_QUERY and client.journal.unresolved() == ()
    assert [s["status"] for s in mock.state.settlements()] == ["cancelled"]
    assert len(mock.state.settlements(kind="cancel")) == 1


def test_a_lost_cancellation_request_is_queried_then_sent_again(tmp_path: Path) -> None:
    """Bug fixed (check-class profiles): the query shows the settlement still valid, so the
    cancellation is sent again with a new msgid."""
    with start_mock(NATIONAL) as mock:
        client = make_client(mock, tmp_path / "journal.sqlite3")
        try:
            flow, mdtrt_id, result = _settled(client)
            mock.faults.next("2208", FaultKind.REQUEST_LOST)
            client.cancel_settlement(result.settlement_id, flow.visit, CASHIER,
                                     mdtrt_id=mdtrt_id)
            assert [row.state for row in journal_rows(client, "2208")] == [S.FAILED,
                                                                          S.CONFIRMED]
            assert [s["status"] for s in mock.state.settlements()] == ["cancelled"]
        finally:
            close_client(client)
