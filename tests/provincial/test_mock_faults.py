"""Each injected fault as the client sees it (timeout, 5xx, reset, closed without reply,
malformed body), what the platform committed behind it, the record of events, seeded
probabilities and plans loaded from files."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
import requests

from yibao_sdk.adapters.provincial.builtin_profiles import GUANGDONG, NATIONAL
from yibao_sdk.adapters.provincial.envelope import OutboundRequest
from yibao_sdk.adapters.provincial.errors import GatewayError, MalformedReplyError, PlatformError
from yibao_sdk.adapters.provincial.mock import (
    FaultKind,
    FaultPlan,
    FaultRule,
    FaultStage,
    MockConfig,
    MockPlatform,
    start_mock,
)
from yibao_sdk.adapters.provincial.mock.harness import MockClient
from yibao_sdk.adapters.provincial.mock.samples import (
    EMPLOYEE,
    open_outpatient,
    registration_input,
    settle_input,
)
from yibao_sdk.adapters.provincial.reply import Reply

GZ = "440100"
FAST = (1.0, 2.0)


@pytest.fixture
def mock() -> Iterator[MockPlatform]:
    with start_mock(NATIONAL, clock=lambda: datetime(2026, 3, 2, 9, 30)) as platform:
        yield platform


@pytest.fixture
def client(mock: MockPlatform) -> Iterator[MockClient]:
    with MockClient(mock, timeout=FAST) as caller:
        caller.sign_in()
        yield caller


def _settlement(client: MockClient) -> OutboundRequest:
    mdtrt_id, total = open_outpatient(client)
    return client.build("2207", settle_input(EMPLOYEE, mdtrt_id, total), insuplc_admdvs=GZ)


def _committed(mock: MockPlatform, msgid: str) -> bool:
    return len(mock.state.query("SELECT 1 FROM settlements WHERE msgid = ?", msgid)) == 1


def _query(client: MockClient, request: OutboundRequest) -> Reply:
    data = request.envelope.input["data"]
    return client.call("5203", {"data": {"psn_no": data["psn_no"], "setl_id": request.msgid,
                                         "mdtrt_id": data["mdtrt_id"]}}, insuplc_admdvs=GZ)


def test_latency_times_the_client_out_but_the_call_still_runs(mock: MockPlatform,
                                                              client: MockClient) -> None:
    rule = mock.faults.next("2201", FaultKind.LATENCY, delay=0.6)
    request = client.build("2201", registration_input(EMPLOYEE, "MZ-SLOW"), insuplc_admdvs=GZ)
    started = time.monotonic()
    with pytest.raises(requests.ReadTimeout):
        client.post(request, timeout=(1.0, 0.2))
    assert time.monotonic() - started < 0.6
    deadline = time.monotonic() + 5
    while mock.state.message(request.msgid) is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert mock.state.message(request.msgid) is not None  # committed after the delay
    assert rule.fired == 1 and rule.exhausted
    [event] = mock.faults.events
    assert (event.kind, event.stage, event.infno, event.msgid) == (
        FaultKind.LATENCY, FaultStage.BEFORE_PROCESS, "2201", request.msgid)


def test_5xx_before_anything_is_committed(mock: MockPlatform, client: MockClient) -> None:
    request = _settlement(client)
    mock.faults.next("2207", FaultKind.HTTP_5XX, status=502)
    with pytest.raises(GatewayError) as caught:
        client.send(request)
    assert caught.value.status == 502 and "HTML" in str(caught.value)
    assert not _committed(mock, request.msgid)
    with pytest.raises(PlatformError, match="未找到结算信息"):
        _query(client, request)
    reply = client.send(request)  # nothing happened, so the same request may go again
    assert isinstance(reply, Reply) and _committed(mock, request.msgid)


def test_request_lost_resets_the_connection(mock: MockPlatform, client: MockClient) -> None:
    request = _settlement(client)
    mock.faults.next("2207", FaultKind.REQUEST_LOST)
    with pytest.raises(requests.ConnectionError):
        client.post(request)
    assert not _committed(mock, request.msgid)
    assert mock.state.message(request.msgid) is None
    [event] = mock.faults.events_of(FaultKind.REQUEST_LOST)
    assert (event.stage, event.infno) == (FaultStage.BEFORE_READ, "2207")
    mock.faults.next(None, FaultKind.REQUEST_LOST)  # any call: reset before reading a byte
    with pytest.raises(requests.ConnectionError):
        client.post(request)
    assert mock.faults.events[-1].infno is None and mock.faults.events[-1].msgid is None
    assert isinstance(client.send(request), Reply)  # the connection pool recovers


def test_reply_lost_after_commit(mock: MockPlatform, client: MockClient) -> None:
    request = _settlement(client)
    mock.faults.next("2207", FaultKind.REPLY_LOST)
    with pytest.raises(requests.ConnectionError):
        client.post(request)
    assert _committed(mock, request.msgid)
    found = _query(client, request).output.setlinfo  # the client learns the outcome
    assert found.medins_setl_id == request.msgid and found.vali_flag == "1"
    again = client.send(request)  # a blind resend is answered from the first result
    assert isinstance(again, Reply) and again.output.setlinfo.setl_id == found.setl_id
    assert len(mock.state.settlements()) == 1
    [event] = mock.faults.events
    assert (event.kind, event.stage) == (FaultKind.REPLY_LOST, FaultStage.AFTER_COMMIT)


def test_malformed_reply_after_commit(mock: MockPlatform, client: MockClient) -> None:
    request = _settlement(client)
    mock.faults.next("2207", FaultKind.MALFORMED)
    with pytest.raises(MalformedReplyError) as caught:
        client.send(request)
    assert caught.value.outcome_unknown
    assert _committed(mock, request.msgid)
    assert mock.state.balance(EMPLOYEE.psn_no) == Decimal("0.00")


def test_faults_apply_only_to_their_infno_and_count(mock: MockPlatform,
                                                    client: MockClient) -> None:
    rule = mock.faults.next("2207", FaultKind.HTTP_5XX, times=2)
    mdtrt_id, _ = open_outpatient(client)  # 2201 and 2204 are not affected
    assert rule.fired == 0
    for _ in range(2):
        with pytest.raises(GatewayError):
            client.send(_settlement(client))
    assert rule.exhausted and isinstance(client.send(_settlement(client)), Reply)
    assert len(mock.faults.events_of(FaultKind.HTTP_5XX, "2207")) == 2
    assert mdtrt_id
    mock.faults.clear()
    assert mock.faults.rules == [] and len(mock.faults.events) == 2


def _outcomes(seed: int) -> list[bool]:
    plan = FaultPlan([FaultRule(FaultKind.HTTP_5XX, "1101", probability=0.5)], seed=seed)
    query = {"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": EMPLOYEE.psn_no,
                      "psn_cert_type": "01"}}
    outcomes = []
    with start_mock(NATIONAL, faults=plan) as mock, MockClient(mock, timeout=FAST) as client:
        client.sign_in()
        for _ in range(16):
            try:
                client.call("1101", query)
                outcomes.append(True)
            except GatewayError:
                outcomes.append(False)
        assert len(plan.events) == outcomes.count(False)
    return outcomes


def test_probabilities_are_drawn_from_a_seeded_rng() -> None:
    first, second = _outcomes(7), _outcomes(7)
    assert first == second and True in first and False in first
    assert _outcomes(8) != first


def test_request_lost_before_reading_on_a_suffix_url() -> None:
    config = MockConfig(verify_signatures=False)
    with start_mock(GUANGDONG, config=config) as mock, MockClient(mock, timeout=FAST) as client:
        client.sign_in()
        mock.faults.next("1101", FaultKind.REQUEST_LOST)
        request = client.build("1101", {"data": {"mdtrt_cert_type": "02",
                                                 "mdtrt_cert_no": EMPLOYEE.psn_no,
                                                 "psn_cert_type": "01"}})
        with pytest.raises(requests.ConnectionError):
            client.post(request)
        [event] = mock.faults.events
        assert (event.stage, event.infno, event.msgid) == (FaultStage.BEFORE_READ, "1101", None)


def test_plans_from_json_and_toml(tmp_path: Path) -> None:
    data = {"seed": 3, "rules": [{"kind": "latency", "infno": "2207", "probability": 0.1,
                                  "delay": 2}, {"kind": "reply_lost", "times": 1}]}
    path = tmp_path / "faults.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    rules = FaultPlan.load(path).rules
    assert [(r.kind, r.infno, r.probability, r.times) for r in rules] == [
        (FaultKind.LATENCY, "2207", 0.1, None), (FaultKind.REPLY_LOST, None, 1.0, 1)]
    toml = tmp_path / "faults.toml"
    toml.write_text('seed = 1\n[[rules]]\nkind = "http_5xx"\nstatus = 504\n', encoding="utf-8")
    assert FaultPlan.load(toml).rules[0].status == 504
    with start_mock(NATIONAL, faults=data) as mock:
        assert [r.kind for r in mock.faults.rules] == [FaultKind.LATENCY, FaultKind.REPLY_LOST]
    with pytest.raises(ValueError, match=r"rules\[0\]"):
        FaultPlan.from_mapping({"rules": [{"kind": "explode"}]})
    with pytest.raises(ValueError, match="5xx"):
        FaultRule(FaultKind.HTTP_5XX, status=404)
    with pytest.raises(ValueError, match="probability"):
        FaultRule(FaultKind.LATENCY, probability=2)
