"""Outpatient and inpatient flows against the real mock server on loopback, with the fund
figures of the documented examples, 2207 idempotency by msgid, and the envelope checks."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal

import pytest
import requests

from yibao_sdk.adapters.provincial import jsonwire
from yibao_sdk.adapters.provincial.builtin_profiles import NATIONAL
from yibao_sdk.adapters.provincial.envelope import Operator
from yibao_sdk.adapters.provincial.errors import PlatformError, SignInExpiredError
from yibao_sdk.adapters.provincial.mapping import settlement_result
from yibao_sdk.adapters.provincial.mock import MockConfig, MockPlatform, start_mock
from yibao_sdk.adapters.provincial.mock.harness import MockClient
from yibao_sdk.adapters.provincial.mock.samples import (
    CROSS_REGION,
    EMPLOYEE,
    RESIDENT,
    WORKED_EXAMPLE,
    admission_input,
    discharge_input,
    fee_rows,
    open_inpatient,
    open_outpatient,
    registration_input,
    settle_input,
)
from yibao_sdk.adapters.provincial.reply import Reply, parse_reply
from yibao_sdk.adapters.provincial.wire.settlement import OutputSettlement

D = Decimal
NOW = datetime(2026, 3, 2, 10, 30)
GZ = "440100"


@pytest.fixture
def mock() -> Iterator[MockPlatform]:
    with start_mock(NATIONAL, clock=lambda: NOW) as platform:
        yield platform


@pytest.fixture
def client(mock: MockPlatform) -> Iterator[MockClient]:
    with MockClient(mock) as caller:
        caller.sign_in()
        yield caller


def _refused(client: MockClient, infno: str, data: object, match: str, **kw: str) -> None:
    with pytest.raises(PlatformError, match=match) as caught:
        client.call(infno, data, **kw)  # type: ignore[arg-type]
    assert caught.value.infcode == -1


def test_outpatient_flow_9001_to_2208(mock: MockPlatform, client: MockClient) -> None:
    assert client.sign_no is not None and len(client.sign_no) == 22
    person = client.call("1101", {"data": {"mdtrt_cert_type": "02",
                                           "mdtrt_cert_no": EMPLOYEE.certno,
                                           "psn_cert_type": "01"}}).output
    assert person.baseinfo.psn_no == EMPLOYEE.psn_no and person.baseinfo.gend == "1"
    insuplc = person.insuinfo[0].insuplc_admdvs
    assert (insuplc, person.insuinfo[0].balc) == (GZ, D("300.00"))
    reg = client.call("2201", registration_input(EMPLOYEE, "MZ20260302001"),
                      insuplc_admdvs=insuplc).output.data
    mdtrt_id = reg.mdtrt_id
    assert mdtrt_id.startswith("440100M") and reg.ipt_otp_no == "MZ20260302001"
    rows = fee_rows(mdtrt_id, EMPLOYEE, WORKED_EXAMPLE)
    fees = client.call("2204", {"feedetail": rows}, insuplc_admdvs=insuplc).output.result
    assert [(f.feedetl_sn, f.chrgitm_lv, f.overlmt_amt, f.preselfpay_amt, f.fulamt_ownpay_amt,
             f.inscp_scp_amt) for f in fees] == [
        ("F0001", "01", D("5.00"), D("0.00"), D("0.00"), D("25.00")),
        ("F0002", "02", D("0.00"), D("5.00"), D("0.00"), D("45.01")),
        ("F0003", "03", D("0.00"), D("0.00"), D("80.00"), D("0.00")),
        ("F0004", "01", D("0.00"), D("0.00"), D("0.00"), D("480.00"))]
    assert fees[0].pric_uplmt_amt == D("25.00") and fees[1].selfpay_prop == D("0.10")

    data = settle_input(EMPLOYEE, mdtrt_id, D("640.01"))
    pre = client.call("2206", data, insuplc_admdvs=insuplc).output.setlinfo
    assert pre.setl_id is None and pre.setl_time is None
    assert (pre.hifp_pay, pre.acct_pay, pre.psn_cash_pay) == (D("280.01"), D("300.00"),
                                                              D("60.00"))
    assert mock.state.balance(EMPLOYEE.psn_no) == D("300.00")  # nothing stored

    pre_amounts = {"fulamt_ownpay_amt": pre.fulamt_ownpay_amt,
                   "overlmt_selfpay": pre.overlmt_selfpay, "preselfpay_amt": pre.preselfpay_amt,
                   "inscp_scp_amt": pre.inscp_scp_amt}
    request = client.build("2207", {"data": {**data["data"], **pre_amounts}},
                           insuplc_admdvs=insuplc)
    reply = client.send(request)
    assert isinstance(reply, Reply)
    setl = reply.output.setlinfo
    assert (setl.medfee_sumamt, setl.fulamt_ownpay_amt, setl.overlmt_selfpay,
            setl.preselfpay_amt, setl.inscp_scp_amt, setl.act_pay_dedc) == (
        D("640.01"), D("80.00"), D("5.00"), D("5.00"), D("550.01"), D("200.00"))
    assert (setl.hifp_pay, setl.fund_pay_sumamt, setl.pool_prop_selfpay) == (
        D("280.01"), D("280.01"), D("0.80"))
    assert (setl.psn_part_amt, setl.acct_pay, setl.psn_cash_pay, setl.balc) == (
        D("360.00"), D("300.00"), D("60.00"), D("0.00"))
    assert setl.medins_setl_id == request.msgid and setl.setl_time == NOW
    assert [(d.fund_pay_type, d.fund_payamt) for d in reply.output.setldetail] == [
        ("310100", D("280.01"))]
    result = settlement_result(reply.output_as(OutputSettlement))
    assert result.cash == D("60.00") and result.settlement_id == setl.setl_id
    assert mock.state.balance(EMPLOYEE.psn_no) == D("0.00")
    assert mock.state.year_to_date(EMPLOYEE.psn_no, 2026, "310") == (D("200.00"), D("280.01"))

    cancel = client.call("2208", {"data": {"setl_id": setl.setl_id, "mdtrt_id": mdtrt_id,
                                           "psn_no": EMPLOYEE.psn_no}},
                         insuplc_admdvs=insuplc).output.setlinfo
    assert cancel.setl_id != setl.setl_id and cancel.init_setl_id == setl.setl_id
    assert (cancel.medfee_sumamt, cancel.hifp_pay, cancel.acct_pay, cancel.psn_cash_pay) == (
        D("-640.01"), D("-280.01"), D("-300.00"), D("-60.00"))
    assert cancel.balc == D("300.00")
    assert mock.state.balance(EMPLOYEE.psn_no) == D("300.00")
    assert mock.state.year_to_date(EMPLOYEE.psn_no, 2026, "310") == (0, 0)
    assert [s["status"] for s in mock.state.settlements()] == ["cancelled"]
    again = client.call("2207", data, insuplc_admdvs=insuplc).output.setlinfo
    assert again.hifp_pay == D("280.01") and again.setl_id not in (setl.setl_id,
                                                                    cancel.setl_id)
    _refused(client, "2208", {"data": {"setl_id": setl.setl_id, "mdtrt_id": mdtrt_id,
                                       "psn_no": EMPLOYEE.psn_no}}, "already cancelled",
             insuplc_admdvs=insuplc)


def test_inpatient_flow_2401_to_2402(mock: MockPlatform, client: MockClient) -> None:
    mdtrt_id, total = open_inpatient(client, RESIDENT)
    assert mdtrt_id.startswith("440100Z") and total == D("820.02")
    data = settle_input(RESIDENT, mdtrt_id, total, batch=None, use_account=False)
    pre = client.call("2303", data, insuplc_admdvs=GZ).output.setlinfo
    assert pre.setl_id is None and pre.hifp_pay == D("292.51")
    setl = client.call("2304", data, insuplc_admdvs=GZ).output.setlinfo
    assert (setl.medfee_sumamt, setl.fulamt_ownpay_amt, setl.overlmt_selfpay,
            setl.preselfpay_amt, setl.inscp_scp_amt) == (
        D("820.02"), D("0.00"), D("20.00"), D("12.50"), D("787.52"))
    assert (setl.act_pay_dedc, setl.pool_prop_selfpay, setl.hifp_pay) == (
        D("300.00"), D("0.60"), D("292.51"))
    assert (setl.acct_pay, setl.psn_cash_pay, setl.clr_type, setl.med_type) == (
        D("0.00"), D("527.51"), "21", "21")
    client.call("2402", discharge_input(RESIDENT, mdtrt_id, datetime(2026, 3, 5, 10)),
                insuplc_admdvs=GZ)
    visit = mock.state.query("SELECT * FROM visits WHERE mdtrt_id = ?", mdtrt_id)[0]
    assert (visit["status"], visit["endtime"]) == ("discharged", "2026-03-05 10:00:00")
    _refused(client, "2402", discharge_input(RESIDENT, mdtrt_id, datetime(2026, 3, 6)),
             "already discharged", insuplc_admdvs=GZ)
    client.call("2405", {"data": {"mdtrt_id": mdtrt_id, "psn_no": RESIDENT.psn_no}},
                insuplc_admdvs=GZ)
    _refused(client, "2401", admission_input(RESIDENT, "ZY0009"), "already in hospital",
             insuplc_admdvs=GZ)
    client.call("2402", discharge_input(RESIDENT, mdtrt_id, datetime(2026, 3, 5, 11)),
                insuplc_admdvs=GZ)
    # a second stay the same year: the deductible is met, 787.52 × 0.60 = 472.512
    second, total2 = open_inpatient(client, RESIDENT, ipt_otp_no="ZY0003")
    setl2 = client.call("2304", settle_input(RESIDENT, second, total2, batch=None),
                        insuplc_admdvs=GZ).output.setlinfo
    assert (setl2.act_pay_dedc, setl2.hifp_pay, setl2.psn_cash_pay) == (
        D("0.00"), D("472.51"), D("347.51"))
    assert mock.state.year_to_date(RESIDENT.psn_no, 2026, "390") == (D("300.00"), D("765.02"))


def test_inpatient_cancels_2404_2305_2302(client: MockClient) -> None:
    mdtrt_id, total = open_inpatient(client, RESIDENT, ipt_otp_no="ZY0002")
    _refused(client, "2404", {"data": {"mdtrt_id": mdtrt_id, "psn_no": RESIDENT.psn_no}},
             "has fee details", insuplc_admdvs=GZ)
    setl = client.call("2304", settle_input(RESIDENT, mdtrt_id, total, batch=None),
                       insuplc_admdvs=GZ).output.setlinfo
    _refused(client, "2302", {"data": [{"feedetl_sn": "F0001", "mdtrt_id": mdtrt_id,
                                        "psn_no": RESIDENT.psn_no}]}, "is settled",
             insuplc_admdvs=GZ)
    _refused(client, "2208", {"data": {"setl_id": setl.setl_id, "mdtrt_id": mdtrt_id,
                                       "psn_no": RESIDENT.psn_no}}, "cancel it with 2305",
             insuplc_admdvs=GZ)
    client.call("2305", {"data": {"setl_id": setl.setl_id, "mdtrt_id": mdtrt_id,
                                  "psn_no": RESIDENT.psn_no}}, insuplc_admdvs=GZ)
    client.call("2302", {"data": [{"feedetl_sn": "0000", "mdtrt_id": mdtrt_id,
                                   "psn_no": RESIDENT.psn_no}]}, insuplc_admdvs=GZ)
    client.call("2404", {"data": {"mdtrt_id": mdtrt_id, "psn_no": RESIDENT.psn_no}},
                insuplc_admdvs=GZ)
    _refused(client, "2301", {"feedetail": fee_rows(mdtrt_id, RESIDENT, [("X", "1", "1")],
                                                    batch=None)},
             "has been cancelled", insuplc_admdvs=GZ)


def test_the_same_2207_msgid_settles_once(mock: MockPlatform, client: MockClient) -> None:
    mdtrt_id, total = open_outpatient(client)
    request = client.build("2207", settle_input(EMPLOYEE, mdtrt_id, total), insuplc_admdvs=GZ)
    first = client.send(request)
    second = client.send(request)
    assert isinstance(first, Reply) and isinstance(second, Reply)
    assert first.output.setlinfo.setl_id == second.output.setlinfo.setl_id
    assert first.output.setlinfo == second.output.setlinfo
    assert "duplicate msgid" in second.warn_msg and not first.warn_msg
    results: list[bytes] = []

    def post() -> None:
        results.append(requests.post(request.url, data=request.content(),
                                     headers=request.headers, timeout=10).content)

    threads = [threading.Thread(target=post) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    setl_ids = {jsonwire.loads(body)["output"]["setlinfo"]["setl_id"] for body in results}
    assert setl_ids == {first.output.setlinfo.setl_id} and len(results) == 8
    assert len(mock.state.settlements()) == 1
    assert mock.state.balance(EMPLOYEE.psn_no) == D("0.00")  # paid once
    with pytest.raises(PlatformError, match="already used for 2207"):
        client.send(client.build("2201", registration_input(EMPLOYEE, "MZ-X"),
                                 insuplc_admdvs=GZ, msgid=request.msgid))


def test_sign_in_is_required_and_checked(mock: MockPlatform) -> None:
    query = {"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": EMPLOYEE.psn_no,
                      "psn_cert_type": "01"}}
    with MockClient(mock) as client:
        client.sign_no = "2026030210300099999999"
        with pytest.raises(SignInExpiredError, match="请重新签到"):
            client.call("1101", query)
        client.sign_in()
        assert client.call("1101", query).output.baseinfo.psn_no == EMPLOYEE.psn_no
        client.call("9002", {"signOut": {"sign_no": client.sign_no}})
        with pytest.raises(SignInExpiredError, match="已签退"):
            client.call("1101", query)
    with MockClient(mock) as first, \
            MockClient(mock, operator=Operator("OP0002", "另一经办员")) as second:
        first.sign_in()
        second.sign_no = first.sign_no
        with pytest.raises(SignInExpiredError, match="其他经办人"):
            second.call("1101", query)


def test_sign_no_expires_with_a_ttl() -> None:
    times = iter([NOW, NOW, datetime(2026, 3, 2, 12, 0)] + [datetime(2026, 3, 2, 12)] * 10)
    config = MockConfig(sign_in_ttl=3600)
    with start_mock(NATIONAL, config=config, clock=lambda: next(times)) as mock, \
            MockClient(mock) as client:
        client.sign_in()
        with pytest.raises(SignInExpiredError, match="已过期"):
            client.call("1101", {"data": {"mdtrt_cert_type": "02",
                                          "mdtrt_cert_no": EMPLOYEE.psn_no,
                                          "psn_cert_type": "01"}})


def test_insuplc_admdvs_is_required_and_must_be_the_persons(client: MockClient) -> None:
    _refused(client, "2201", registration_input(CROSS_REGION, "MZ-YD1"), "not the 参保地",
             insuplc_admdvs=GZ)
    reg = client.call("2201", registration_input(CROSS_REGION, "MZ-YD1"),
                      insuplc_admdvs="430100").output.data
    assert reg.psn_no == CROSS_REGION.psn_no
    request = client.build("2202", {"data": {"psn_no": CROSS_REGION.psn_no,
                                             "mdtrt_id": reg.mdtrt_id, "ipt_otp_no": "MZ-YD1"}},
                           insuplc_admdvs="430100")
    body = {**request.body}
    body.pop("insuplc_admdvs")
    response = client.session.post(request.url, data=jsonwire.dumps(body),
                                   headers=request.headers, timeout=5)
    with pytest.raises(PlatformError, match=r"insuplc_admdvs .* is required: input.data.psn_no"):
        parse_reply(response.content, transaction=request.transaction, msgid=request.msgid,
                    profile=client.profile)


def test_envelope_and_transaction_refusals(client: MockClient) -> None:
    request = client.build("1101", {"data": {"mdtrt_cert_type": "02",
                                             "mdtrt_cert_no": EMPLOYEE.psn_no,
                                             "psn_cert_type": "01"}})
    cases = [
        ({**request.body, "msgid": "short"}, "msgid must be 30 characters"),
        ({**request.body, "input": '{"data": {}}'}, "input must be a JSON object"),
        ({k: v for k, v in request.body.items() if k != "opter"}, "missing or empty: opter"),
        ({**request.body, "infno": "1201"}, "1201 医药机构信息获取 is not supported"),
        ({**request.body, "infno": "8888"}, "unknown infno 8888"),
        ([1, 2], "not an envelope object"),
    ]
    for body, message in cases:
        response = client.session.post(request.url, data=jsonwire.dumps(body),
                                       headers=request.headers, timeout=5)
        envelope = jsonwire.loads(response.content)
        assert envelope["infcode"] == -1 and message in envelope["err_msg"], envelope
    admission = client.build("2401", admission_input(RESIDENT, "ZY-BAD"), insuplc_admdvs=GZ)
    broken = {**admission.body, "input": {"mdtrtinfo": {"psn_no": RESIDENT.psn_no}}}
    response = client.session.post(admission.url, data=jsonwire.dumps(broken),
                                   headers=admission.headers, timeout=5)
    assert "input does not validate as Input2401: mdtrtinfo.insutype: Field required" in \
        jsonwire.loads(response.content)["err_msg"]
    garbage = client.session.post(request.url, data=b"{not json", timeout=5)
    assert "not UTF-8 JSON" in jsonwire.loads(garbage.content)["err_msg"]
    _refused(client, "1101", {"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": "nobody",
                                       "psn_cert_type": "01"}}, "未查询到人员信息")


def test_visit_and_fee_refusals(client: MockClient) -> None:
    mdtrt_id, total = open_outpatient(client, ipt_otp_no="MZ-DUP")
    _refused(client, "2201", registration_input(EMPLOYEE, "MZ-DUP"), "already registered",
             insuplc_admdvs=GZ)
    wrong_type = registration_input(EMPLOYEE, "MZ-OTHER")
    wrong_type["data"]["insutype"] = "390"
    _refused(client, "2201", wrong_type, "not insured under insutype 390", insuplc_admdvs=GZ)
    rows = fee_rows(mdtrt_id, EMPLOYEE, WORKED_EXAMPLE[:1])
    _refused(client, "2204", {"feedetail": rows}, "已上传", insuplc_admdvs=GZ)
    others = fee_rows(mdtrt_id, RESIDENT, WORKED_EXAMPLE[:1], prefix="R")
    _refused(client, "2204", {"feedetail": others}, "belongs to another person",
             insuplc_admdvs=GZ)
    _refused(client, "2207", settle_input(EMPLOYEE, mdtrt_id, total - D("0.01")),
             r"medfee_sumamt 640.00 != 640.01", insuplc_admdvs=GZ)
    stale = settle_input(EMPLOYEE, mdtrt_id, total)
    stale["data"]["fulamt_ownpay_amt"] = D("1.00")
    _refused(client, "2207", stale, "fulamt_ownpay_amt 1.00 != 80.00", insuplc_admdvs=GZ)
    _refused(client, "2202", {"data": {"psn_no": EMPLOYEE.psn_no, "mdtrt_id": mdtrt_id,
                                       "ipt_otp_no": "MZ-DUP"}}, "has fee details",
             insuplc_admdvs=GZ)
    client.call("2205", {"data": {"mdtrt_id": mdtrt_id, "chrg_bchno": "B1",
                                  "psn_no": EMPLOYEE.psn_no}}, insuplc_admdvs=GZ)
    client.call("2204", {"feedetail": rows}, insuplc_admdvs=GZ)  # uploadable again
    _refused(client, "2207", settle_input(EMPLOYEE, mdtrt_id, D("30.00"), batch="B2"),
             "no unsettled fee details", insuplc_admdvs=GZ)
