"""Settlement (2207, reverse class): never resent; an unknown outcome is resolved at once by
5203 (confirmed / not found) or a 2601 reversal; one settlement in flight per visit."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import requests
import responses
from test_client_helpers import (
    ARGS,
    CASHIER,
    MDTRT,
    PSN,
    SETTLEMENT,
    VISIT,
    Platform,
    fail,
    http,
    make_client,
    ok,
    record,
    refuse,
    serve,
)

from yibao_sdk.adapters.provincial.client import ProvincialClient
from yibao_sdk.adapters.provincial.errors import OutputValidationError, PlatformError
from yibao_sdk.adapters.provincial.recovery import RecoveryPolicy
from yibao_sdk.adapters.provincial.retry import CallNotDoneError, OutcomeUnknownError
from yibao_sdk.adapters.provincial.transport import ConnectError
from yibao_sdk.store.journal import JournalState, SettlementInFlightError

S = JournalState
TIMEOUT = fail(requests.ReadTimeout("read timed out"))


def _settle(client: ProvincialClient) -> Any:
    return client.settle(SETTLEMENT, VISIT, CASHIER, args=ARGS)


def _state(client: ProvincialClient, msgid: str) -> JournalState:
    entry = client.journal.by_msgid(msgid)
    assert entry is not None
    return entry.state


@responses.activate
def test_a_settlement_is_journalled_and_returns_the_fund_breakdown(tmp_path: Path) -> None:
    platform = Platform()
    serve(platform)
    client = make_client(tmp_path)
    result = _settle(client)
    assert (result.total, result.fund_total, result.cash) == (Decimal("35.10"), Decimal("20.00"),
                                                              Decimal("5.10"))
    (sent,) = platform.sent("2207")
    entry = client.journal.by_msgid(sent["msgid"])
    assert entry is not None
    assert (entry.state, entry.setl_id, entry.visit_id, entry.operator) == (
        S.CONFIRMED, "440100S0000000000001", MDTRT, "0007")
    assert entry.body.startswith('{"infno":"2207"')


@responses.activate
def test_timeout_is_not_resent_and_5203_confirms_it(tmp_path: Path) -> None:
    platform = Platform()
    platform.on("2207", TIMEOUT).on(
        "5203", ok(lambda body: record(platform.sent("2207")[0]["msgid"])))
    serve(platform)
    client = make_client(tmp_path)
    result = _settle(client)
    assert (result.settlement_id, result.cash, result.total) == (
        "440100S0000000000001", Decimal("5.10"), Decimal("35.10"))
    assert len(platform.sent("2207")) == 1 and not platform.sent("2601")
    query = platform.sent("5203")[0]
    assert query["input"] == {"data": {"psn_no": PSN, "mdtrt_id": MDTRT}}
    assert _state(client, platform.sent("2207")[0]["msgid"]) is S.CONFIRMED_BY_QUERY


@responses.activate
@pytest.mark.parametrize("not_found", [ok({"setlinfo": {}}), refuse("未查询到结算信息")])
def test_timeout_and_5203_not_found_is_fenced_with_2601_then_allows_a_new_one(
        tmp_path: Path, not_found: Any) -> None:
    platform = Platform().on("2207", TIMEOUT).on("5203", not_found).on("2601", ok({}))
    serve(platform)
    client = make_client(tmp_path)
    with pytest.raises(CallNotDoneError) as caught:
        _settle(client)
    assert caught.value.outcome_unknown is False
    first = platform.sent("2207")[0]["msgid"]
    (fence,) = platform.sent("2601")  # a delayed original is refused once reversed
    assert fence["input"]["data"]["omsgid"] == first and fence["input"]["data"]["oinfno"] == "2207"
    assert _state(client, first) is S.REVERSED
    assert _settle(client).total == Decimal("35.10")  # the caller settles again
    assert len(platform.sent("2207")) == 2


@responses.activate
def test_2601_saying_no_such_original_marks_it_failed(tmp_path: Path) -> None:
    platform = Platform().on("2207", TIMEOUT).on("5203", ok({"setlinfo": {}})) \
        .on("2601", refuse("原交易不存在"))
    serve(platform)
    client = make_client(tmp_path)
    with pytest.raises(CallNotDoneError):
        _settle(client)
    assert _state(client, platform.sent("2207")[0]["msgid"]) is S.FAILED


@responses.activate
def test_without_fencing_5203_not_found_marks_it_failed_without_2601(tmp_path: Path) -> None:
    platform = Platform().on("2207", TIMEOUT).on("5203", ok({"setlinfo": {}}))
    serve(platform)
    policy = RecoveryPolicy(settle_delay_s=0, fence_not_found=False)
    client = make_client(tmp_path, recovery=policy)
    with pytest.raises(CallNotDoneError) as caught:
        _settle(client)
    assert caught.value.reversed is False
    assert _state(client, platform.sent("2207")[0]["msgid"]) is S.FAILED
    assert not platform.sent("2601")


@responses.activate
def test_timeout_and_5203_unknown_reverses_with_2601(tmp_path: Path) -> None:
    platform = Platform().on("2207", TIMEOUT).on("5203", *[http(502)] * 3)
    serve(platform)
    client = make_client(tmp_path)
    with pytest.raises(CallNotDoneError) as caught:
        _settle(client)
    assert caught.value.reversed is True
    original = platform.sent("2207")
    assert len(original) == 1
    (reversal,) = platform.sent("2601")
    assert reversal["input"] == {"data": {"psn_no": PSN, "omsgid": original[0]["msgid"],
                                          "oinfno": "2207"}}
    assert reversal["insuplc_admdvs"] == "440100" and reversal["sign_no"] == "SN0001"
    assert _state(client, original[0]["msgid"]) is S.REVERSED
    assert _state(client, reversal["msgid"]) is S.CONFIRMED
    assert client.journal.in_flight(MDTRT) is None


@responses.activate
def test_a_5203_answer_about_another_settlement_leads_to_reversal(tmp_path: Path) -> None:
    platform = Platform().on("2207", TIMEOUT).on("5203", ok(record("H44010600001" + "9" * 18)))
    serve(platform)
    with pytest.raises(CallNotDoneError):
        _settle(make_client(tmp_path))
    assert len(platform.sent("2601")) == 1


@responses.activate
def test_2601_says_the_original_does_not_exist_so_it_failed(tmp_path: Path) -> None:
    platform = Platform().on("2207", TIMEOUT).on("5203", refuse("系统繁忙")) \
        .on("2601", refuse("原交易不存在"))
    serve(platform)
    client = make_client(tmp_path)
    with pytest.raises(CallNotDoneError) as caught:
        _settle(client)
    assert caught.value.reversed is False
    assert _state(client, platform.sent("2207")[0]["msgid"]) is S.FAILED


@responses.activate
def test_unknown_2601_is_repeated_then_left_unknown_and_the_visit_stays_blocked(
        tmp_path: Path) -> None:
    platform = Platform().on("2207", TIMEOUT).on("5203", refuse("系统繁忙")) \
        .on("2601", TIMEOUT, TIMEOUT, TIMEOUT)
    serve(platform)
    client = make_client(tmp_path)
    with pytest.raises(OutcomeUnknownError):
        _settle(client)
    original = platform.sent("2207")[0]["msgid"]
    reversals = platform.sent("2601")
    assert len(reversals) == 3 and {r["input"]["data"]["omsgid"] for r in reversals} == {original}
    assert _state(client, original) is S.UNKNOWN
    sent_before = len(platform.requests)
    with pytest.raises(SettlementInFlightError) as refused:
        _settle(client)
    assert refused.value.msgid == original
    assert len(platform.requests) == sent_before  # refused before anything left
    resolved = client.recover()  # the platform answers again
    assert (resolved[0].msgid, resolved[0].state) == (original, S.REVERSED)
    assert [r["input"]["data"]["omsgid"] for r in platform.sent("2601")] == [original] * 4
    assert not platform.sent("5203")[1:]  # a reversal under way is finished, not queried
    assert all(_state(client, r["msgid"]) is not S.UNKNOWN for r in platform.sent("2601"))


@responses.activate
def test_a_settlement_that_never_left_is_failed_and_not_resent(tmp_path: Path) -> None:
    platform = Platform().on("2207", fail(requests.ConnectTimeout("connect timed out")))
    serve(platform)
    client = make_client(tmp_path)
    with pytest.raises(ConnectError):
        _settle(client)
    (sent,) = platform.sent("2207")
    assert _state(client, sent["msgid"]) is S.FAILED
    assert not platform.sent("5203") and not platform.sent("2601")


@responses.activate
def test_a_refused_settlement_is_failed_and_not_resent(tmp_path: Path) -> None:
    platform = Platform().on("2207", refuse("医疗费总额与明细不符"))
    serve(platform)
    client = make_client(tmp_path)
    with pytest.raises(PlatformError):
        _settle(client)
    assert _state(client, platform.sent("2207")[0]["msgid"]) is S.FAILED


@responses.activate
def test_a_success_with_unreadable_output_is_still_confirmed(tmp_path: Path) -> None:
    platform = Platform().on("2207", ok({"setlinfo": {"setl_id": "S9"}, "setldetail": "x"}))
    serve(platform)
    client = make_client(tmp_path)
    with pytest.raises(OutputValidationError):
        _settle(client)
    entry = client.journal.by_msgid(platform.sent("2207")[0]["msgid"])
    assert entry is not None and (entry.state, entry.setl_id) == (S.CONFIRMED, "S9")


@responses.activate
def test_a_second_settlement_of_a_visit_in_flight_is_refused_before_sending(
        tmp_path: Path) -> None:
    platform = Platform()
    serve(platform)
    client = make_client(tmp_path)
    client.call("1101", {"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": "X1",
                                  "psn_cert_type": "01"}}, CASHIER)  # signed in
    other = make_client(tmp_path)  # another workstation on the same journal
    data = {"data": {"psn_no": PSN, "mdtrt_cert_type": "02",
                     "mdtrt_cert_no": "X1", "medfee_sumamt": Decimal("35.10"),
                     "psn_setlway": "01", "mdtrt_id": MDTRT, "acct_used_flag": "0",
                     "med_type": "11", "chrg_bchno": "B0001"}}

    def second_settlement(body: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
        with pytest.raises(SettlementInFlightError):  # while the first is on the wire
            other.call("2207", data, CASHIER, insuplc_admdvs="440100")
        return ok(lambda b: {"setlinfo": {"setl_id": "S1", "medins_setl_id": b["msgid"]}})(body)

    platform.on("2207", second_settlement)
    client.call("2207", data, CASHIER, insuplc_admdvs="440100")
    assert len(platform.sent("2207")) == 1


@responses.activate
def test_5203_by_msgid_where_the_profile_says_the_platform_supports_it(tmp_path: Path) -> None:
    platform = Platform().on("2207", TIMEOUT).on(
        "5203", ok(lambda body: record(body["input"]["data"]["setl_id"])))
    serve(platform)
    policy = RecoveryPolicy(settle_delay_s=0, query_setl_id="{msgid}")
    assert _settle(make_client(tmp_path, recovery=policy)).total == Decimal("35.10")
    msgid = platform.sent("2207")[0]["msgid"]
    assert platform.sent("5203")[0]["input"] == {"data": {"psn_no": PSN, "mdtrt_id": MDTRT,
                                                          "setl_id": msgid}}


@responses.activate
def test_a_settlement_5203_reports_as_no_longer_valid_is_reversed_not_confirmed(
        tmp_path: Path) -> None:
    platform = Platform()
    platform.on("2207", TIMEOUT).on("5203", ok(lambda body: {
        **record(platform.sent("2207")[0]["msgid"]),
        "setlinfo": {**record(platform.sent("2207")[0]["msgid"])["setlinfo"], "vali_flag": "0"}}))
    serve(platform)
    with pytest.raises(CallNotDoneError) as caught:
        _settle(make_client(tmp_path))
    assert caught.value.reversed and len(platform.sent("2601")) == 1
