"""Day reconciliation (:mod:`...reconcile`) of the client's journal against the real mock
platform: a day with a cancelled and a reversed settlement balances (3201); a settlement made
behind the journal's back, one the platform lost, and a wrong amount in the HIS's ledger show
up row by row (9101 → 3202 → 9102); an unresolved settlement keeps the day open."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from test_integration_helpers import (
    AUDITOR,
    CASHIER,
    HOSPITAL,
    RESIDENT_2,
    Flow,
    close_client,
    journal_rows,
    make_client,
)

from yibao_sdk.adapters.provincial.builtin_profiles import NATIONAL
from yibao_sdk.adapters.provincial.client import ProvincialClient
from yibao_sdk.adapters.provincial.mock import FaultKind, MockPlatform, start_mock
from yibao_sdk.adapters.provincial.mock.harness import MockClient
from yibao_sdk.adapters.provincial.mock.samples import (
    EMPLOYEE,
    EMPLOYEE_F,
    RESIDENT,
    WORKED_EXAMPLE,
    fee_rows,
    registration_input,
    settle_input,
    total_of,
)
from yibao_sdk.adapters.provincial.reconcile import (
    Amounts,
    DifferenceKind,
    GroupKey,
    Totals,
    reconcile_day,
)
from yibao_sdk.adapters.provincial.retry import OutcomeUnknownError
from yibao_sdk.adapters.provincial.roles import PermissionDeniedError
from yibao_sdk.adapters.provincial.wire.settlement import OutputSettlement
from yibao_sdk.models import SettlementResult
from yibao_sdk.models.base import CHINA
from yibao_sdk.store.journal import JournalState, SqliteJournal

D = Decimal
S = JournalState
DAY = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 16, 0)
GZ = "440100"
EMPLOYEES, RESIDENTS_OUT, RESIDENTS_IN = (GroupKey("310", "11", GZ), GroupKey("390", "11", GZ),
                                          GroupKey("390", "21", GZ))


@pytest.fixture
def mock() -> Iterator[MockPlatform]:
    with start_mock(NATIONAL, clock=lambda: NOW) as platform:
        yield platform


@pytest.fixture
def client(mock: MockPlatform, tmp_path: Path) -> Iterator[ProvincialClient]:
    journal = SqliteJournal(tmp_path / "journal.sqlite3", clock=lambda: NOW.replace(tzinfo=CHINA))
    caller = make_client(mock, journal)
    try:
        yield caller
    finally:
        close_client(caller)


@dataclass(frozen=True, slots=True)
class Day:
    """What the HIS settled that day."""

    settled: dict[str, SettlementResult]
    """By setl_id, forward settlements still valid or cancelled."""
    employees: tuple[SettlementResult, ...]
    """Those of the employees (310, outpatient)."""
    cancelled: Amounts
    """The cancellation row."""


def _settle(client: ProvincialClient, flow: Flow) -> tuple[str, SettlementResult]:
    mdtrt_id = flow.open(client)
    return mdtrt_id, flow.settle(client, mdtrt_id)


def _a_day(client: ProvincialClient) -> Day:
    """Five outpatient settlements (one cancelled by 2208, one reversed by 2601 and settled
    again) and one inpatient settlement."""
    first, second, resident = (_settle(client, Flow.outpatient(person, f"MZ{n:04d}"))[1]
                               for n, person in enumerate((EMPLOYEE, EMPLOYEE_F, RESIDENT),
                                                          start=1))
    cancel_flow = Flow.outpatient(EMPLOYEE_F, "MZ0004")
    mdtrt_id, doomed = _settle(client, cancel_flow)
    reply = client.cancel_settlement(doomed.settlement_id, cancel_flow.visit, CASHIER,
                                     mdtrt_id=mdtrt_id)
    info = reply.output_as(OutputSettlement).setlinfo
    assert info.medfee_sumamt is not None and info.fund_pay_sumamt is not None
    assert info.acct_pay is not None and info.psn_cash_pay is not None
    cancelled = Amounts(info.medfee_sumamt, info.fund_pay_sumamt, info.acct_pay,
                        info.psn_cash_pay)
    redo = Flow.outpatient(EMPLOYEE, "MZ0005")
    mdtrt_id, reversed_ = _settle(client, redo)
    (row,) = [r for r in journal_rows(client, "2207") if r.setl_id == reversed_.settlement_id]
    assert client.reverse(row.msgid, "2207", operator=CASHIER).state is S.REVERSED
    again = redo.settle(client, mdtrt_id, number=2)
    inpatient = _settle(client, Flow.inpatient(RESIDENT_2, "ZY0001"))[1]
    settled = {r.settlement_id: r for r in (first, second, resident, doomed, again, inpatient)}
    return Day(settled, (first, second, doomed, again), cancelled)


def _behind_the_back(mock: MockPlatform) -> str:
    """An outpatient settlement of EMPLOYEE_F sent straight to the mock (explicit msgids, so
    they cannot meet the client's); its setl_id."""
    msgids = iter(f"{HOSPITAL.fixmedins_code}20000101000000{n:04d}" for n in range(1, 4))
    with MockClient(mock) as other:
        other.sign_in()
        reg = other.call("2201", registration_input(EMPLOYEE_F, "MZ9999"), insuplc_admdvs=GZ,
                         msgid=next(msgids))
        mdtrt_id = str(reg.output.data.mdtrt_id)
        other.call("2204", {"feedetail": fee_rows(mdtrt_id, EMPLOYEE_F, WORKED_EXAMPLE)},
                   insuplc_admdvs=GZ, msgid=next(msgids))
        data = settle_input(EMPLOYEE_F, mdtrt_id, total_of(WORKED_EXAMPLE))
        setl = other.call("2207", data, insuplc_admdvs=GZ, msgid=next(msgids))
    return str(setl.output.setlinfo.setl_id)


def test_a_day_with_a_cancelled_and_a_reversed_settlement_balances(
        mock: MockPlatform, client: ProvincialClient) -> None:
    day = _a_day(client)
    report = reconcile_day(client, DAY, operator=AUDITOR)
    assert report.balanced, report.summary()
    assert [g.key for g in report.groups] == [EMPLOYEES, RESIDENTS_OUT, RESIDENTS_IN]
    by_key = {g.key: g for g in report.groups}
    employees = [Amounts.of(r) for r in day.employees]
    expected = Totals(sum((a.medfee_sumamt for a in employees), day.cancelled.medfee_sumamt),
                      sum((a.fund_pay_sumamt for a in employees), day.cancelled.fund_pay_sumamt),
                      sum((a.acct_pay for a in employees), day.cancelled.acct_pay),
                      sum((a.psn_cash_pay for a in employees), day.cancelled.psn_cash_pay),
                      len(employees) + 1)
    assert expected.count == 5  # 3 valid, 1 cancelled and its cancellation row, not the
    assert by_key[EMPLOYEES].hospital == expected  # reversed one
    assert by_key[EMPLOYEES].platform == replace(expected, psn_cash_pay=D("0.00"))
    assert by_key[RESIDENTS_IN].hospital.medfee_sumamt == D("820.02")
    assert report.differences == () and report.unresolved_msgids == ()
    assert report.summary() == "2026-03-02: 3 groups, 7 settlement rows: balanced (平)"
    only_inpatient = reconcile_day(client, DAY, operator=AUDITOR, clr_type="21")
    assert [g.key for g in only_inpatient.groups] == [RESIDENTS_IN]


def test_a_settlement_behind_the_journals_back_is_platform_has_hospital_hasnt(
        mock: MockPlatform, client: ProvincialClient) -> None:
    day = _a_day(client)
    ledger = {setl_id: Amounts.of(result) for setl_id, result in day.settled.items()}
    stranger = _behind_the_back(mock)
    report = reconcile_day(client, DAY, operator=AUDITOR, ledger=ledger)
    assert not report.balanced
    assert [(g.key, g.balanced) for g in report.groups] == [
        (EMPLOYEES, False), (RESIDENTS_OUT, True), (RESIDENTS_IN, True)]
    (difference,) = report.differences
    assert (difference.kind, difference.setl_id, difference.psn_no, difference.refund) == (
        DifferenceKind.PLATFORM_ONLY, stranger, EMPLOYEE_F.psn_no, False)
    assert difference.msgid == f"{HOSPITAL.fixmedins_code}200001010000000003"
    assert difference.memo == "平台有医院无"
    assert f"platform_only {stranger}" in report.summary()
    files = mock.state.query("SELECT filename FROM files ORDER BY rowid")
    assert [f["filename"] for f in files] == ["H44010600001_20260302_11_440100.zip",
                                              "H44010600001_20260302_11_440100_result.zip"]


def test_a_lost_settlement_and_a_wrong_ledger_amount_show_row_by_row(
        mock: MockPlatform, client: ProvincialClient) -> None:
    day = _a_day(client)
    first, second = list(day.settled)[:2]
    ledger = {first: replace(Amounts.of(day.settled[first]), acct_pay=D("1.00"))}
    with mock.state.tx() as tx:  # the platform loses the second settlement
        tx.run("DELETE FROM settlements WHERE setl_id = ?", second)
    report = reconcile_day(client, DAY, operator=AUDITOR, insutype="310", ledger=ledger)
    assert [g.key for g in report.groups] == [EMPLOYEES]
    kinds = {d.setl_id: (d.kind, d.memo) for d in report.differences}
    assert kinds == {first: (DifferenceKind.AMOUNTS, "金额不符: acct_pay"),
                     second: (DifferenceKind.HOSPITAL_ONLY, "医院有平台无")}


def test_an_unresolved_settlement_keeps_the_day_open_until_recovered(
        mock: MockPlatform, client: ProvincialClient) -> None:
    flow = Flow.outpatient(EMPLOYEE, "MZ0001")
    mdtrt_id = flow.open(client)
    mock.faults.next("2207", FaultKind.REPLY_LOST)  # committed, then neither 5203 nor 2601
    mock.faults.next("5203", FaultKind.HTTP_5XX, times=3)  # gets through
    mock.faults.next("2601", FaultKind.HTTP_5XX, times=3)
    with pytest.raises(OutcomeUnknownError):
        flow.settle(client, mdtrt_id)
    (row,) = journal_rows(client, "2207")
    report = reconcile_day(client, DAY, operator=AUDITOR, insutype="310", clr_type="11",
                           setl_optins=GZ)  # asked although the journal has no row in it
    assert not report.balanced and report.unresolved_msgids == (row.msgid,)
    assert report.groups[0].description.startswith("不平")  # the platform has it
    (difference,) = report.differences
    assert (difference.kind, difference.msgid) == (DifferenceKind.PLATFORM_ONLY, row.msgid)
    client.recover()
    assert reconcile_day(client, DAY, operator=AUDITOR).balanced  # reversed: no row anywhere
    assert mock.state.settlements()[0]["status"] == "reversed"


def test_only_an_operator_allowed_to_reconcile_may(client: ProvincialClient) -> None:
    _settle(client, Flow.outpatient(EMPLOYEE, "MZ0001"))
    with pytest.raises(PermissionDeniedError, match="3201"):
        reconcile_day(client, DAY, operator=CASHIER, ledger={})
