"""Least privilege and 事前 analysis against the real mock platform: a physician's 2207 is
refused before any request leaves (the mock sees nothing) and the refusal is in the audit
log; the physician's 3101 comes back with the findings of the SDK's rule engine."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from test_integration_helpers import (
    CASHIER,
    CLERK,
    PHYSICIAN,
    T0,
    Flow,
    close_client,
    journal_rows,
    make_client,
)

from yibao_sdk.adapters.provincial.builtin_profiles import NATIONAL
from yibao_sdk.adapters.provincial.client import ProvincialClient
from yibao_sdk.adapters.provincial.mapping import findings_from_output, rule_check_input
from yibao_sdk.adapters.provincial.mock import DEFAULT_CATALOGUE, MockPlatform, start_mock
from yibao_sdk.adapters.provincial.mock.samples import EMPLOYEE, EMPLOYEE_F
from yibao_sdk.adapters.provincial.mock.transport import MockRequestHandler
from yibao_sdk.adapters.provincial.roles import PermissionDeniedError
from yibao_sdk.adapters.provincial.wire.audit_result import OutputRuleCheck
from yibao_sdk.adapters.provincial.wire.codes import TrigScen
from yibao_sdk.models import Hospital, HospitalLevel, LabOrder
from yibao_sdk.rules import Engine
from yibao_sdk.rules.stores import Catalog
from yibao_sdk.store import AuditLog

HOSPITAL = Hospital(code="H44010600001", name="测试医院(模拟)", level=HospitalLevel.LEVEL3,
                    region="440100")


class Counting:
    """Counts the POSTs that reach the mock platform (before anything else happens)."""

    def __init__(self, mock: MockPlatform) -> None:
        self.seen: list[str] = []
        self._serve = mock.serve

    def __call__(self, h: MockRequestHandler) -> None:
        self.seen.append(h.path)
        self._serve(h)


@pytest.fixture
def mock(monkeypatch: pytest.MonkeyPatch) -> Iterator[MockPlatform]:
    with start_mock(NATIONAL) as platform:
        monkeypatch.setattr(platform, "serve", Counting(platform))
        yield platform


@pytest.fixture
def audit(tmp_path: Path) -> Iterator[AuditLog]:
    log = AuditLog(tmp_path / "audit.sqlite3")
    try:
        yield log
    finally:
        log.close()


@pytest.fixture
def client(mock: MockPlatform, audit: AuditLog, tmp_path: Path) -> Iterator[ProvincialClient]:
    caller = make_client(mock, tmp_path / "journal.sqlite3", audit_log=audit)
    try:
        yield caller
    finally:
        close_client(caller)


def _seen(mock: MockPlatform) -> list[str]:
    counter = mock.serve
    assert isinstance(counter, Counting)
    return counter.seen


def _refusals(audit: AuditLog) -> list[Any]:
    return [entry.data() for entry in audit.entries()
            if entry.kind == "provincial.permission_denied"]


def test_a_physician_settling_is_refused_before_anything_leaves(
        mock: MockPlatform, client: ProvincialClient, audit: AuditLog) -> None:
    flow = Flow.outpatient(EMPLOYEE, "MZ20260302007")
    mdtrt_id = flow.open(client)
    before = len(_seen(mock))
    assert before == 4  # 9001 clerk, 2201, 9001 cashier, 2204
    refused = re.escape("D0021 (physician) may not send 2207")
    with pytest.raises(PermissionDeniedError, match=refused):
        flow.settle(client, mdtrt_id, PHYSICIAN)
    assert len(_seen(mock)) == before  # not even a 9001 sign-in for the physician
    assert mock.state.settlements() == [] and journal_rows(client, "2207") == []
    assert {row["opter"] for row in mock.state.query("SELECT opter FROM sign_ins")} == {
        CLERK.opter, CASHIER.opter}
    assert _refusals(audit) == [{"opter": PHYSICIAN.opter, "roles": ["physician"],
                                 "infno": "2207"}]
    assert audit.verify() == 1
    flow.settle(client, mdtrt_id, CASHIER)  # the cashier may
    assert len(mock.state.settlements()) == 1


def test_3101_through_the_client_returns_the_rule_engines_findings(
        mock: MockPlatform, client: ProvincialClient, audit: AuditLog) -> None:
    psa = LabOrder(order_id="O1", ordered_at=T0, practitioner_id="D001",
                   item_code="003107010010000", name="前列腺特异性抗原测定")  # men only
    visit = Flow.outpatient(EMPLOYEE_F, "MZ20260302008").visit.model_copy(
        update={"orders": (psa,)})
    data = rule_check_input(visit, hospital=HOSPITAL, trig_scen=TrigScen.OUTPATIENT_REGISTRATION,
                            task_id="T0001")
    output = client.call("3101", data, PHYSICIAN).output_as(OutputRuleCheck)
    found = [(pf.finding.rule_id, pf.finding.severity, pf.finding.subject.id)
             for pf in findings_from_output(output, visit=visit)]

    engine = Engine(hospital=HOSPITAL, catalog=Catalog(DEFAULT_CATALOGUE), entry_points=False)
    expected = [(f.rule_id, f.severity, f.subject.id) for verdict in
                engine.check_visit(visit).verdicts for f in verdict.findings]
    assert found == expected == [("YB-SEX-LIMIT", expected[0][1], "O1")]
    assert _refusals(audit) == [] and journal_rows(client) == []  # safe: not journalled
    assert visit.patient.birth_date == date(1975, 11, 3)
