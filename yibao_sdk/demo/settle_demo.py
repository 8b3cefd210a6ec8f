"""The settlement section: the visits the rules let through, settled with the mock platform.

Starts the mock provincial platform (national profile) on loopback with its bundled persons
and a catalogue that adds the demo items, and drives it with the SDK's
:class:`~yibao_sdk.adapters.provincial.client.ProvincialClient` (journal
``OUT/provincial-journal.sqlite3``, the demo's audit log, a role policy with a cashier and a
physician). Each released visit is mapped onto an insured person of ``persons.json`` (1101 by
ID number) and goes 2201/2401 → 2204/2301 → 2206/2303 → 2207/2304. The green visit then shows
least privilege (a physician's 2207 refused before anything is sent) and an unknown outcome:
the 2207 reply is lost after the platform committed it, and the client resolves it (5203
query, else 2601 reversal) without settling twice. The platform is stopped, also on error.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from yibao_sdk.cases import Case
from yibao_sdk.demo.knowledge import CATALOG, CODES
from yibao_sdk.demo.output import Printer
from yibao_sdk.demo.provincial import (
    DEFAULT_CATALOGUE,
    NATIONAL,
    Institution,
    MockConfig,
    Person,
    ProvinceProfile,
    ProvincialClient,
    RecoveryPolicy,
    RetryLimits,
    RetryPolicy,
    load_persons,
    start_mock,
)
from yibao_sdk.demo.settle_flow import CASHIER, CLERK, PHYSICIAN, REGION, ROLES, Flow, Wire
from yibao_sdk.demo.settle_view import FaultOutcome, Refusal, Settled
from yibao_sdk.models import ChargeCategory, Visit
from yibao_sdk.models.catalog import CatalogItem, PaymentClass
from yibao_sdk.store import AuditLog
from yibao_sdk.store.journal import SqliteJournal

__all__ = ["FAULTED", "PERSONS", "SettleResult", "platform_catalogue", "run_settlements"]

PERSONS: Mapping[str, tuple[str, bool]] = {
    "V-2ND": ("44010099000000000002", True),     # 测试乙: employee (310), account 5000.00
    "V-STAY2": ("44010099000000000003", False),  # 测试丙: resident (390), no account
    "V-SHARE": ("43010099000000000005", False),  # 测试戊: employee insured in Changsha (异地)
    "V-GREEN": ("44010099000000000001", True),   # 测试甲: employee (310), account 300.00
}
"""Demo visit → (``psn_no`` in the mock's ``persons.json``, pay from the personal account)."""
FAULTED = "V-GREEN"
"""The visit whose settlement reply is lost."""


@dataclass
class SettleResult:
    """What the settlement section did."""

    settled: list[Settled] = field(default_factory=list)
    fault: FaultOutcome | None = None
    refusal: Refusal | None = None
    skipped: dict[str, str] = field(default_factory=dict)
    journal: Path = Path()
    mock_db: Path = Path()


def platform_catalogue() -> tuple[CatalogItem, ...]:
    """The mock's catalogue with the demo items, classed as the platform pays them."""
    classes = {CODES["meropenem"]: (PaymentClass.B, "0.10"),
               CODES["dressing"]: (PaymentClass.B, "0.05")}
    extra = (CatalogItem(code=CODES["consult"], name="普通门诊诊查费",
                         category=ChargeCategory.CONSULTATION),
             CatalogItem(code=CODES["bed"], name="床位费", category=ChargeCategory.BED))
    items = {item.code: item for item in DEFAULT_CATALOGUE}
    for item in (*CATALOG, *extra):
        payment = classes.get(item.code)
        items[item.code] = item if payment is None else item.model_copy(
            update={"payment_class": payment[0], "self_pay_ratio": Decimal(payment[1])})
    return tuple(items.values())


def run_settlements(out: Path, cases: Sequence[Case], released: Mapping[str, str], *,
                    audit_log: AuditLog, show: Printer,
                    profile: ProvinceProfile = NATIONAL) -> SettleResult:
    """Settle the released visits with a mock platform under ``out``; stop it afterwards."""
    result = SettleResult(journal=out / "provincial-journal.sqlite3",
                          mock_db=out / "mock-platform.sqlite3")
    for path in (result.journal, result.mock_db):
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    persons = {person.psn_no: person for person in load_persons()}
    hospital = next(c.hospital for c in cases if c.hospital is not None)
    institution = Institution(hospital.code, hospital.name, REGION)
    wire = Wire()
    with ExitStack() as stack:  # stops the platform and closes the client, also on error
        mock = start_mock(profile, port=0, db=result.mock_db,
                          config=MockConfig(catalogue=platform_catalogue()))
        stack.callback(mock.stop)
        journal = SqliteJournal(result.journal)
        stack.callback(journal.close)
        client = ProvincialClient(
            mock.client_profile, institution, journal=journal, audit_log=audit_log,
            roles=ROLES, hooks=wire, timeout=(2.0, 10.0),
            recovery=RecoveryPolicy(settle_delay_s=0.2),
            retry=RetryPolicy(RetryLimits(max_attempts=3, initial_wait=0.1, max_wait=0.5)))
        stack.callback(client.close)
        show(f"   mock platform ({profile.name} profile) at {mock.url}, state → "
             f"{result.mock_db}")
        show(f"   client: institution {institution.fixmedins_code} ({REGION}), journal → "
             f"{result.journal}")
        show(f"   operators: {CLERK.opter} registration clerk (1101, 2201/2401), "
             f"{CASHIER.opter} cashier (fees, settlement), {PHYSICIAN.opter} physician")
        _settle_all(result, Flow(client, mock, wire, show), cases, released=released,
                    persons=persons, audit_log=audit_log)
    return result


def _settle_all(result: SettleResult, flow: Flow, cases: Sequence[Case], *,
                released: Mapping[str, str], persons: Mapping[str, Person],
                audit_log: AuditLog) -> None:
    show = flow.show
    show.subheading("Settling the visits the rules let through")
    for case in cases:
        visit_id = case.visit.visit_id
        reason = _skip_reason(case.visit, released)
        if reason:
            result.skipped[visit_id] = reason
        elif visit_id != FAULTED:
            psn_no, use_account = PERSONS[visit_id]
            result.settled.append(flow.settle(case.visit, persons[psn_no], use_account,
                                              released[visit_id]))
    show(f"   not settled: {_skipped_text(result.skipped)}")
    if FAULTED not in released:
        return
    show.subheading(f"{FAULTED}: a physician tries to settle, then the cashier's reply is lost")
    psn_no, use_account = PERSONS[FAULTED]
    visit = next(c.visit for c in cases if c.visit.visit_id == FAULTED)
    settled, result.refusal, result.fault = flow.settle_with_fault(
        visit, persons[psn_no], use_account, released[FAULTED], audit_log)
    result.settled.append(settled)


def _skip_reason(visit: Visit, released: Mapping[str, str]) -> str:
    if visit.visit_id not in released:
        return "red, no accepted override"
    if not visit.charges:
        return "nothing billed"
    return "" if visit.visit_id in PERSONS else "no insured person mapped"


def _skipped_text(skipped: Mapping[str, str]) -> str:
    by_reason: dict[str, list[str]] = {}
    for visit_id, reason in skipped.items():
        by_reason.setdefault(reason, []).append(visit_id)
    return "; ".join(f"{', '.join(ids)} ({reason})" for reason, ids in by_reason.items()) \
        or "none"
