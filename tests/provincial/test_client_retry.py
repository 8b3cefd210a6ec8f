"""Client retry sequences against a scripted platform (``responses``): safe calls resent with
new msgids; check calls queried before any retry; nothing resent on a refusal."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
import responses
from test_client_helpers import (
    CASHIER,
    ID_CARD,
    MDTRT,
    PSN,
    VISIT,
    Platform,
    fail,
    http,
    make_client,
    ok,
    refuse,
    serve,
)

from yibao_sdk.adapters.provincial.errors import GatewayError, PlatformError
from yibao_sdk.adapters.provincial.mapping import Credential
from yibao_sdk.adapters.provincial.retry import OutcomeUnknownError
from yibao_sdk.adapters.provincial.transport import ReadTimeoutError, ServerError
from yibao_sdk.store.journal import JournalState

LOOKUP = {"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": ID_CARD, "psn_cert_type": "01"}}
TIMEOUT = fail(requests.ReadTimeout("read timed out"))
CARD = Credential("02", ID_CARD)


@responses.activate
def test_safe_calls_are_resent_with_a_new_msgid_until_they_succeed(tmp_path: Path) -> None:
    platform = Platform().on("1101", TIMEOUT, fail(requests.ConnectionError("reset")))
    serve(platform)
    reply = make_client(tmp_path).call("1101", LOOKUP, CASHIER)
    msgids = [body["msgid"] for body in platform.sent("1101")]
    assert len(msgids) == len(set(msgids)) == 3
    assert reply.msgid == msgids[-1]


@responses.activate
def test_5xx_then_success(tmp_path: Path) -> None:
    platform = Platform().on("1101", http(502), http(503, ""))
    serve(platform)
    assert make_client(tmp_path).call("1101", LOOKUP, CASHIER).output.baseinfo.psn_no == PSN
    assert len(platform.sent("1101")) == 3


@responses.activate
def test_safe_calls_stop_after_the_attempt_bound(tmp_path: Path) -> None:
    platform = Platform().on("1101", *[http(502)] * 5)
    serve(platform)
    with pytest.raises(ServerError) as caught:
        make_client(tmp_path).call("1101", LOOKUP, CASHIER)
    assert caught.value.status == 502 and caught.value.outcome_unknown
    assert len(platform.sent("1101")) == 3


@responses.activate
@pytest.mark.parametrize("answer", [refuse("参数错误"), http(404, '{"code":"404"}')])
def test_refusals_and_gateway_errors_are_not_resent(tmp_path: Path, answer: object) -> None:
    platform = Platform().on("1101", answer)  # type: ignore[arg-type]
    serve(platform)
    with pytest.raises((PlatformError, GatewayError)):
        make_client(tmp_path).call("1101", LOOKUP, CASHIER)
    assert len(platform.sent("1101")) == 1


def _visits_found(body: dict[str, object]) -> dict[str, object]:
    return {"data": [{"mdtrt_id": MDTRT, "psn_no": PSN, "ipt_otp_no": VISIT.visit_id}]}


@responses.activate
def test_check_call_with_unknown_outcome_is_queried_and_found_not_resent(tmp_path: Path) -> None:
    platform = Platform().on("2201", TIMEOUT).on("5201", ok(_visits_found))
    serve(platform)
    client = make_client(tmp_path)
    assert client.register(VISIT, CASHIER, credential=CARD) == MDTRT
    assert len(platform.sent("2201")) == 1
    query = platform.sent("5201")[0]
    assert query["input"] == {"data": {"psn_no": PSN}}
    assert query["insuplc_admdvs"] == "440100"
    entry = client.journal.by_msgid(platform.sent("2201")[0]["msgid"])
    assert entry is not None and entry.state is JournalState.CONFIRMED_BY_QUERY


@responses.activate
def test_check_call_whose_query_shows_nothing_happened_is_resent(tmp_path: Path) -> None:
    platform = Platform().on("2201", TIMEOUT).on("5201", ok({"data": []}))
    serve(platform)
    client = make_client(tmp_path)
    assert client.register(VISIT, CASHIER, credential=CARD) == MDTRT
    first, second = platform.sent("2201")
    assert first["msgid"] != second["msgid"]
    assert [body["infno"] for body in platform.requests] == ["9001", "2201", "5201", "2201"]
    states = [client.journal.by_msgid(b["msgid"]).state for b in (first, second)]  # type: ignore[union-attr]
    assert states == [JournalState.FAILED, JournalState.CONFIRMED]


@responses.activate
def test_check_call_whose_query_fails_is_left_unknown(tmp_path: Path) -> None:
    platform = Platform().on("2201", TIMEOUT).on("5201", refuse("系统繁忙"))
    serve(platform)
    client = make_client(tmp_path)
    with pytest.raises(OutcomeUnknownError):
        client.register(VISIT, CASHIER, credential=CARD)
    assert len(platform.sent("2201")) == 1
    assert [e.infno for e in client.journal.unknown()] == ["2201"]


@responses.activate
def test_check_call_without_a_query_is_left_unknown_not_resent(tmp_path: Path) -> None:
    platform = Platform().on("2203", TIMEOUT)
    serve(platform)
    client = make_client(tmp_path)
    data = {"mdtrtinfo": {"mdtrt_id": MDTRT, "psn_no": PSN, "med_type": "11",
                          "begntime": "2026-03-02 09:30:15"}, "diseinfo": []}
    with pytest.raises(ReadTimeoutError):
        client.call("2203", data, CASHIER, insuplc_admdvs="440100")
    assert len(platform.sent("2203")) == 1
    assert [e.infno for e in client.journal.unknown()] == ["2203"]


@responses.activate
def test_check_call_that_never_left_is_resent(tmp_path: Path) -> None:
    platform = Platform().on("2201", fail(requests.ConnectTimeout("connect timed out")))
    serve(platform)
    client = make_client(tmp_path)
    assert client.register(VISIT, CASHIER, credential=CARD) == MDTRT
    first, second = platform.sent("2201")
    assert client.journal.by_msgid(first["msgid"]).state is JournalState.FAILED  # type: ignore[union-attr]
    assert client.journal.by_msgid(second["msgid"]).state is JournalState.CONFIRMED  # type: ignore[union-attr]
