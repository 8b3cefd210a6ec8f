"""2601 reversal (of a committed settlement, of one that never arrived, repeated, late arrival
refused), 5203 settlement queries (by setl_id, by the settlement's msgid, latest of a visit)
and the 5201/5303 visit queries that resolve an unknown 2201/2401."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal

import pytest

from yibao_sdk.adapters.provincial import jsonwire
from yibao_sdk.adapters.provincial.builtin_profiles import NATIONAL
from yibao_sdk.adapters.provincial.errors import PlatformError
from yibao_sdk.adapters.provincial.mock import MockPlatform, start_mock
from yibao_sdk.adapters.provincial.mock.handlers.reversal import NOT_FOUND
from yibao_sdk.adapters.provincial.mock.harness import MockClient
from yibao_sdk.adapters.provincial.mock.samples import (
    EMPLOYEE,
    RESIDENT,
    WORKED_EXAMPLE,
    admission_input,
    discharge_input,
    fee_rows,
    open_outpatient,
    registration_input,
    settle_input,
)
from yibao_sdk.adapters.provincial.reply import Reply, parse_reply
from yibao_sdk.adapters.provincial.wire.settlement import Output5203

D = Decimal
GZ = "440100"


@pytest.fixture
def mock() -> Iterator[MockPlatform]:
    with start_mock(NATIONAL, clock=lambda: datetime(2026, 3, 2, 11, 0)) as platform:
        yield platform


@pytest.fixture
def client(mock: MockPlatform) -> Iterator[MockClient]:
    with MockClient(mock) as caller:
        caller.sign_in()
        yield caller


def _reverse(client: MockClient, omsgid: str, oinfno: str = "2207",
             psn_no: str = EMPLOYEE.psn_no) -> Reply:
    return client.call("2601", {"data": {"psn_no": psn_no, "omsgid": omsgid,
                                         "oinfno": oinfno}}, insuplc_admdvs=GZ)


def _query(client: MockClient, setl_id: str, mdtrt_id: str,
           psn_no: str = EMPLOYEE.psn_no) -> Output5203:
    reply = client.call("5203", {"data": {"psn_no": psn_no, "setl_id": setl_id,
                                          "mdtrt_id": mdtrt_id}}, insuplc_admdvs=GZ)
    return reply.output_as(Output5203)


def test_reversal_of_a_committed_settlement(mock: MockPlatform, client: MockClient) -> None:
    mdtrt_id, total = open_outpatient(client)
    settle = client.build("2207", settle_input(EMPLOYEE, mdtrt_id, total), insuplc_admdvs=GZ)
    client.send(settle)
    assert mock.state.balance(EMPLOYEE.psn_no) == D("0.00")
    found = _query(client, settle.msgid, mdtrt_id)  # the client asks: did my msgid commit?
    assert found.setlinfo.medins_setl_id == settle.msgid and found.setlinfo.vali_flag == "1"
    reply = _reverse(client, settle.msgid)
    assert reply.output == {} and reply.envelope.infcode == 0
    assert mock.state.balance(EMPLOYEE.psn_no) == D("300.00")
    assert mock.state.year_to_date(EMPLOYEE.psn_no, 2026, "310") == (0, 0)
    assert mock.state.message(settle.msgid)["status"] == "reversed"  # type: ignore[index]
    assert [s["status"] for s in mock.state.settlements()] == ["reversed"]
    assert mock.state.settlements(kind="cancel") == []  # no cancellation row
    reversed_ = _query(client, settle.msgid, mdtrt_id).setlinfo
    assert reversed_.vali_flag == "0" and "冲正" in str(reversed_.memo)
    again = _reverse(client, settle.msgid)
    assert "already reversed" in again.warn_msg
    with pytest.raises(PlatformError, match="executed, then reversed"):
        client.send(settle)  # the same msgid never settles again
    resettled = client.call("2207", settle_input(EMPLOYEE, mdtrt_id, total),
                            insuplc_admdvs=GZ).output.setlinfo
    assert resettled.hifp_pay == D("280.01") and resettled.acct_pay == D("300.00")


def test_reversal_of_a_settlement_that_never_arrived(mock: MockPlatform,
                                                     client: MockClient) -> None:
    mdtrt_id, total = open_outpatient(client)
    lost = client.build("2207", settle_input(EMPLOYEE, mdtrt_id, total), insuplc_admdvs=GZ)
    with pytest.raises(PlatformError, match=NOT_FOUND):
        _query(client, lost.msgid, mdtrt_id)
    reply = _reverse(client, lost.msgid)
    assert reply.envelope.infcode == 0 and "未到达平台" in reply.warn_msg
    assert mock.state.message(lost.msgid)["status"] == "reversed_unseen"  # type: ignore[index]
    assert "already reversed" in _reverse(client, lost.msgid).warn_msg
    with pytest.raises(PlatformError, match=r"reversed \(2601\) before it arrived"):
        client.send(lost)  # the delayed original arrives: refused, never executed
    assert mock.state.settlements() == []
    assert mock.state.balance(EMPLOYEE.psn_no) == D("300.00")


def test_reversal_of_registration_and_fee_upload(mock: MockPlatform, client: MockClient) -> None:
    register = client.build("2201", registration_input(EMPLOYEE, "MZ-R1"), insuplc_admdvs=GZ)
    reply = client.send(register)
    assert isinstance(reply, Reply)
    mdtrt_id = reply.output.data.mdtrt_id
    upload = client.build("2204", {"feedetail": fee_rows(mdtrt_id, EMPLOYEE, WORKED_EXAMPLE)},
                          insuplc_admdvs=GZ)
    client.send(upload)
    with pytest.raises(PlatformError, match="has fee details"):
        _reverse(client, register.msgid, "2201")
    _reverse(client, upload.msgid, "2204")
    assert mock.state.query("SELECT * FROM fee_lines") == []
    _reverse(client, register.msgid, "2201")
    status = mock.state.query("SELECT status FROM visits WHERE mdtrt_id = ?", mdtrt_id)
    assert status == [{"status": "cancelled"}]


def test_reversal_refusals(client: MockClient) -> None:
    mdtrt_id, total = open_outpatient(client)
    settle = client.build("2207", settle_input(EMPLOYEE, mdtrt_id, total), insuplc_admdvs=GZ)
    reply = client.send(settle)
    assert isinstance(reply, Reply)
    with pytest.raises(PlatformError, match="is a 2207, not 2304"):
        _reverse(client, settle.msgid, "2304")
    with pytest.raises(PlatformError, match="another psn_no"):
        _reverse(client, settle.msgid, psn_no=RESIDENT.psn_no)
    with pytest.raises(PlatformError, match="oinfno 2206 cannot be reversed"):
        _reverse(client, settle.msgid, "2206")
    setl_id = reply.output.setlinfo.setl_id
    client.call("2208", {"data": {"setl_id": setl_id, "mdtrt_id": mdtrt_id,
                                  "psn_no": EMPLOYEE.psn_no}}, insuplc_admdvs=GZ)
    with pytest.raises(PlatformError, match="already cancelled"):
        _reverse(client, settle.msgid)


def test_5203_lookups(client: MockClient) -> None:
    mdtrt_id, total = open_outpatient(client)
    settle = client.build("2207", settle_input(EMPLOYEE, mdtrt_id, total), insuplc_admdvs=GZ)
    reply = client.send(settle)
    assert isinstance(reply, Reply)
    setl_id = reply.output.setlinfo.setl_id
    by_id = _query(client, setl_id, mdtrt_id).setlinfo
    assert by_id.setl_id == setl_id and by_id.psn_pay == D("360.00")
    assert by_id.cash_payamt == D("60.00") and by_id.psn_cash_pay is None  # 5203 names
    assert (by_id.refd_setl_flag, by_id.vali_flag, by_id.memo) == ("0", "1", "正常")
    assert _query(client, "0", mdtrt_id).setlinfo.setl_id == setl_id
    assert _query(client, settle.msgid, mdtrt_id).setlinfo.setl_id == setl_id
    cancel = client.call("2208", {"data": {"setl_id": setl_id, "mdtrt_id": mdtrt_id,
                                           "psn_no": EMPLOYEE.psn_no}},
                         insuplc_admdvs=GZ).output.setlinfo
    row = _query(client, cancel.setl_id, mdtrt_id).setlinfo
    assert (row.refd_setl_flag, row.medfee_sumamt) == ("1", D("-640.01"))
    assert _query(client, setl_id, mdtrt_id).setlinfo.vali_flag == "0"
    with pytest.raises(PlatformError, match="is not of visit"):
        _query(client, setl_id, "440100M999999999999")
    with pytest.raises(PlatformError, match=NOT_FOUND):
        _query(client, "NOPE", mdtrt_id)


def test_5203_by_visit_without_setl_id(client: MockClient) -> None:
    mdtrt_id, total = open_outpatient(client)
    settle = client.build("2207", settle_input(EMPLOYEE, mdtrt_id, total), insuplc_admdvs=GZ)
    client.send(settle)
    request = client.build("5203", {"data": {"psn_no": EMPLOYEE.psn_no, "setl_id": "x",
                                             "mdtrt_id": mdtrt_id}}, insuplc_admdvs=GZ)
    body = {**request.body, "input": {"data": {"psn_no": EMPLOYEE.psn_no,
                                               "mdtrt_id": mdtrt_id}}}
    response = client.session.post(request.url, data=jsonwire.dumps(body),
                                   headers=request.headers, timeout=5)
    reply = parse_reply(response.content, transaction=request.transaction,
                        msgid=request.msgid, profile=client.profile)
    assert isinstance(reply, Reply)
    assert reply.output_as(Output5203).setlinfo.medins_setl_id == settle.msgid


def test_5201_and_5303_list_live_visits(client: MockClient) -> None:
    register = client.build("2201", registration_input(EMPLOYEE, "MZ-Q1"), insuplc_admdvs=GZ)
    client.send(register)
    by_person = {"data": {"psn_no": EMPLOYEE.psn_no}}
    visits = client.call("5201", by_person, insuplc_admdvs=GZ).output["mdtrtinfo"]
    assert [v["ipt_otp_no"] for v in visits] == ["MZ-Q1"]
    _reverse(client, register.msgid, "2201")
    assert client.call("5201", by_person, insuplc_admdvs=GZ).output["mdtrtinfo"] == []
    mdtrt_id = client.call("2401", admission_input(RESIDENT, "ZY-Q1"),
                           insuplc_admdvs=GZ).output.data.mdtrt_id
    resident = {"data": {"psn_no": RESIDENT.psn_no}}
    stays = client.call("5303", resident, insuplc_admdvs=GZ).output["data"]
    assert [(s["mdtrt_id"], s["ipt_otp_no"]) for s in stays] == [(mdtrt_id, "ZY-Q1")]
    client.call("2402", discharge_input(RESIDENT, mdtrt_id, datetime(2026, 3, 4, 9)),
                insuplc_admdvs=GZ)
    assert client.call("5303", resident, insuplc_admdvs=GZ).output["data"] == []
    assert len(client.call("5201", resident, insuplc_admdvs=GZ).output["mdtrtinfo"]) == 1
    with pytest.raises(PlatformError, match=r"5303 needs data\.psn_no"):
        client.call("5303", {"data": {}})
