"""Sign-in (9001): cached per operator, renewed on expiry and after a sign-related refusal
(one resend for safe calls only), one 9001 for concurrent calls of one operator."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest
import requests
import responses
from test_client_helpers import (
    ARGS,
    CASHIER,
    ID_CARD,
    SETTLEMENT,
    VISIT,
    Platform,
    T,
    fail,
    make_client,
    refuse,
    serve,
)

from yibao_sdk.adapters.provincial.builtin_profiles import NATIONAL
from yibao_sdk.adapters.provincial.envelope import Operator
from yibao_sdk.adapters.provincial.errors import SignInExpiredError
from yibao_sdk.adapters.provincial.profiles import SignInPolicy
from yibao_sdk.adapters.provincial.signin import SignInDetails, SignInFailedError, sign_in_input

LOOKUP = {"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": ID_CARD, "psn_cert_type": "01"}}
HOURLY = NATIONAL.model_copy(update={"sign_in": SignInPolicy(ttl_seconds=3600)})


@responses.activate
def test_sign_in_is_cached_per_operator(tmp_path: Path) -> None:
    platform = Platform()
    serve(platform)
    client = make_client(tmp_path)
    other = Operator("0008", "赵收费")
    for operator in (CASHIER, CASHIER, other, CASHIER, other):
        client.call("1101", LOOKUP, operator)
    sign_ins = platform.sent("9001")
    assert [b["input"]["signIn"] for b in sign_ins] == [
        {"opter_no": "0007", "mac": "AA-BB-CC-DD-EE-FF", "ip": "10.1.2.3"},
        {"opter_no": "0008", "mac": "AA-BB-CC-DD-EE-FF", "ip": "10.1.2.3"},
    ]
    assert all("sign_no" not in b for b in sign_ins)
    assert [b["sign_no"] for b in platform.sent("1101")] == ["SN0001", "SN0001", "SN0002",
                                                            "SN0001", "SN0002"]


@responses.activate
def test_sign_in_is_renewed_when_it_expires(tmp_path: Path) -> None:
    platform = Platform()
    serve(platform)
    now = [T]
    client = make_client(tmp_path, HOURLY, clock=lambda: now[0])
    client.call("1101", LOOKUP, CASHIER)
    now[0] = T + timedelta(minutes=59)
    client.call("1101", LOOKUP, CASHIER)
    now[0] = T + timedelta(hours=1)
    client.call("1101", LOOKUP, CASHIER)
    assert [b["sign_no"] for b in platform.sent("1101")] == ["SN0001", "SN0001", "SN0002"]


@responses.activate
def test_a_sign_error_renews_sign_in_and_resends_a_safe_call_once(tmp_path: Path) -> None:
    platform = Platform().on("1101", refuse("签到信息已失效，请重新签到"))
    serve(platform)
    reply = make_client(tmp_path).call("1101", LOOKUP, CASHIER)
    assert reply.output is not None
    assert [(b["infno"], b.get("sign_no")) for b in platform.requests] == [
        ("9001", None), ("1101", "SN0001"), ("9001", None), ("1101", "SN0002")]


@responses.activate
def test_a_second_sign_error_is_raised(tmp_path: Path) -> None:
    platform = Platform().on("1101", refuse("请先签到"), refuse("请先签到"))
    serve(platform)
    with pytest.raises(SignInExpiredError):
        make_client(tmp_path).call("1101", LOOKUP, CASHIER)
    assert len(platform.sent("1101")) == 2


@responses.activate
def test_a_sign_error_on_a_settlement_is_not_resent_but_the_next_call_signs_in(
        tmp_path: Path) -> None:
    platform = Platform().on("2207", refuse("sign_no 无效"))
    serve(platform)
    client = make_client(tmp_path)
    with pytest.raises(SignInExpiredError):
        client.settle(SETTLEMENT, VISIT, CASHIER, args=ARGS)
    assert len(platform.sent("2207")) == 1
    client.settle(SETTLEMENT, VISIT, CASHIER, args=ARGS)  # refused: failed, may settle again
    assert [b["sign_no"] for b in platform.sent("2207")] == ["SN0001", "SN0002"]


@responses.activate
def test_concurrent_calls_of_one_operator_sign_in_once(tmp_path: Path) -> None:
    platform = Platform()
    serve(platform)
    client = make_client(tmp_path)
    errors: list[BaseException] = []

    def lookup() -> None:
        try:
            client.call("1101", LOOKUP, CASHIER)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=lookup) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(platform.sent("9001")) == 1 and len(platform.sent("1101")) == 8


def test_the_default_workstation_details_fit_9001() -> None:
    details = SignInDetails.local()
    assert len(details.mac) == 17 and details.ip == "127.0.0.1"
    assert sign_in_input(CASHIER, details).sign_in.opter_no == "0007"


@responses.activate
def test_a_failed_sign_in_means_the_call_was_not_sent(tmp_path: Path) -> None:
    platform = Platform().on("9001", *[fail(requests.ReadTimeout("slow"))] * 3)
    serve(platform)
    client = make_client(tmp_path)
    with pytest.raises(SignInFailedError) as caught:
        client.settle(SETTLEMENT, VISIT, CASHIER, args=ARGS)
    assert caught.value.infno == "2207"
    assert len(platform.sent("9001")) == 3 and not platform.sent("2207")
    assert client.journal.unresolved() == ()
