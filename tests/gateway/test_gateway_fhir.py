"""The FHIR endpoint: POST /fhir/Bundle → rules → 200 OperationOutcome, or 400 naming the path."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from test_gateway_support import make_gateway

from yibao_sdk.fhir import bundle_from_visit, dumps
from yibao_sdk.gateway import (
    RULE_SYSTEM,
    FhirEndpoint,
    Gateway,
    GatewayService,
    VisitStore,
    handle_bundle,
)
from yibao_sdk.rules import RuleSpec, Severity, Stage, hookimpl
from yibao_sdk.store.messages import MessageState, MessageStore
from yibao_sdk.testing import factories as f


@pytest.fixture()
def served() -> Iterator[tuple[Gateway, int]]:
    gateway = make_gateway()
    endpoint = FhirEndpoint(GatewayService(gateway, max_message_bytes=1 << 20).fhir_bundle,
                            max_body=200_000)
    endpoint.start()
    try:
        yield gateway, endpoint.port
    finally:
        endpoint.stop()


def post(port: int, body: bytes, path: str = "/fhir/Bundle",
         method: str = "POST") -> tuple[int, dict[str, Any], dict[str, str]]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body, method=method,
                                     headers={"Content-Type": "application/fhir+json"})
    try:
        with urllib.request.urlopen(request, timeout=20) as answer:
            return answer.status, json.loads(answer.read()), dict(answer.headers)
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read()), dict(error.headers)


def bundle(*codes: str, visit_id: str = "FV1") -> bytes:
    charges = [f.charge(code, charge_id=f"FC{i}", quantity=q)
               for i, (code, q) in enumerate([*c.split("*"), "1"][:2] for c in codes)]
    return dumps(bundle_from_visit(f.visit(visit_id=visit_id, charges=charges))).encode()


def test_fhir_bundle_with_a_red_charge_gets_200_with_the_rule_in_the_outcome(
        served: tuple[Gateway, int]) -> None:
    gateway, port = served
    status, outcome, headers = post(port, bundle("X123", "001102000030000*9"))
    assert status == 200 and outcome["resourceType"] == "OperationOutcome"
    assert headers["X-Yibao-Verdict"] == "red"
    head, *issues = outcome["issue"]
    assert head["severity"] == "information" and head["diagnostics"].startswith("verdict red")
    assert "not updated" in head["diagnostics"]
    red = [i for i in issues if i["severity"] == "error"]
    assert red[0]["code"] == "business-rule"
    assert red[0]["details"]["coding"] == [{"system": RULE_SYSTEM, "code": "T-BLOCK"}]
    assert red[0]["details"]["text"] == "项目X123不予医保支付"
    assert red[0]["diagnostics"].startswith("charge FC0: ")
    assert [i["details"]["coding"][0]["code"] for i in issues if i["severity"] == "warning"] == [
        "T-QTY"]
    assert gateway.visits.get("FV1") is None  # red: refused as a whole
    row = gateway.messages.list()[0]
    assert row.route == "fhir" and row.state is MessageState.PROCESSED and row.ack_code == "200"


def test_fhir_green_bundle_updates_the_visit(served: tuple[Gateway, int]) -> None:
    gateway, port = served
    status, outcome, headers = post(port, bundle("001102000030000"))
    assert status == 200 and headers["X-Yibao-Verdict"] == "green"
    assert len(outcome["issue"]) == 1 and "visit updated" in outcome["issue"][0]["diagnostics"]
    visit = gateway.visits.get("FV1")
    assert visit is not None and [c.charge_id for c in visit.charges] == ["FC0"]


def test_fhir_invalid_bundle_gets_400_with_an_operation_outcome(
        served: tuple[Gateway, int]) -> None:
    gateway, port = served
    no_encounter = {"resourceType": "Bundle", "type": "transaction", "entry": [
        {"resource": {"resourceType": "Patient", "id": "p1"}, "request": {
            "method": "POST", "url": "Patient"}}]}
    status, outcome, _ = post(port, json.dumps(no_encounter).encode())
    assert status == 400 and outcome["resourceType"] == "OperationOutcome"
    assert outcome["issue"][0]["severity"] == "error"
    assert outcome["issue"][0].get("expression", ["Bundle"])[0].startswith("Bundle")
    status, outcome, _ = post(port, b"{not json")
    assert status == 400 and "not valid JSON" in outcome["issue"][0]["diagnostics"]
    assert [r.state for r in gateway.messages.list()] == [MessageState.FAILED] * 2


def test_fhir_other_paths_methods_and_sizes(served: tuple[Gateway, int]) -> None:
    _, port = served
    assert post(port, b"{}", path="/fhir/Patient")[0] == 404
    assert post(port, b"", method="GET")[0] == 405
    assert post(port, b"x" * 300_000)[0] == 413


def test_fhir_rules_failure_is_500_and_recovery_processes_a_stored_bundle() -> None:
    class Broken:
        @hookimpl
        def yibao_register_rules(self, register: Any) -> None:
            register(RuleSpec(rule_id="T-BUG", name="故障", category="测试",
                              stages=frozenset(Stage), default_severity=Severity.WARN))

        @hookimpl
        def yibao_check_charge(self, charge: Any, context: Any) -> Any:
            raise RuntimeError("plugin bug")
    broken = Gateway(f.engine(Broken()), {}, VisitStore(), MessageStore(":memory:"))
    status, outcome = handle_bundle(broken, bundle("001"), peer="p")
    assert status == 500 and outcome["issue"][0]["code"] == "exception"
    assert "plugin bug" not in json.dumps(outcome)
    assert broken.messages.list()[0].state is MessageState.FAILED
    gateway = make_gateway()
    gateway.messages.receive(bundle("001"), peer="p", route="fhir", message_type="Bundle")
    assert gateway.recover() == 1
    assert gateway.messages.list()[0].state is MessageState.PROCESSED
    assert gateway.visits.get("FV1") is not None


def test_stopping_an_endpoint_that_never_started_returns_at_once() -> None:
    import threading

    from yibao_sdk.gateway.http import FhirEndpoint

    endpoint = FhirEndpoint(lambda body: (200, b"", {}))  # type: ignore[arg-type,return-value]
    done = threading.Event()
    worker = threading.Thread(target=lambda: (endpoint.stop(), done.set()), daemon=True)
    worker.start()
    assert done.wait(5), "FhirEndpoint.stop() hung before start()"
