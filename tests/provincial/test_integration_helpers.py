"""Shared pieces of the integration tests and the fault suite: the real
:class:`~yibao_sdk.adapters.provincial.client.ProvincialClient` against the real mock platform
on loopback, with core visits, charges and settlements built from the mock's sample persons and
its documented fund examples (the helpers are checked by the test at the end)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from yibao_sdk.adapters.provincial.client import ProvincialClient
from yibao_sdk.adapters.provincial.envelope import Operator
from yibao_sdk.adapters.provincial.mapping import Credential, SettleArgs
from yibao_sdk.adapters.provincial.mock import MockPlatform, load_persons
from yibao_sdk.adapters.provincial.mock.harness import DEFAULT_INSTITUTION
from yibao_sdk.adapters.provincial.mock.samples import (
    EMPLOYEE,
    INPATIENT_EXAMPLE,
    RESIDENT,
    WORKED_EXAMPLE,
    Line,
    SamplePerson,
    total_of,
)
from yibao_sdk.adapters.provincial.recovery import RecoveryPolicy
from yibao_sdk.adapters.provincial.retry import RetryLimits, RetryPolicy
from yibao_sdk.adapters.provincial.roles import Role, RolePolicy
from yibao_sdk.adapters.provincial.signin import SignInDetails
from yibao_sdk.models import (
    Charge,
    ChargeCategory,
    Diagnosis,
    Patient,
    Practitioner,
    ProfessionalTitle,
    Settlement,
    SettlementResult,
    Sex,
    Visit,
    VisitType,
)
from yibao_sdk.store.journal import JournalEntry, SqliteJournal

D = Decimal
T0 = datetime(2026, 3, 2, 9, 0)
"""When the sample visits start (the mock prices lines by this date)."""
HOSPITAL = DEFAULT_INSTITUTION
"""The institution the mock knows (level 3, Guangzhou)."""
DOCTOR = Practitioner(practitioner_id="D001", name="测试医生", national_code="D440100000001",
                      title=ProfessionalTitle.ATTENDING, department="A03")
DOCTORS = {DOCTOR.practitioner_id: DOCTOR}
CASHIER = Operator("C0007", "测试收费员")
CLERK = Operator("R0003", "测试挂号员")
PHYSICIAN = Operator("D0021", "测试医生")
AUDITOR = Operator("A0001", "测试医保办")
ROLES = (RolePolicy().with_operator(CASHIER.opter, Role.CASHIER)
         .with_operator(CLERK.opter, Role.REGISTRATION_CLERK)
         .with_operator(PHYSICIAN.opter, Role.PHYSICIAN)
         .with_operator(AUDITOR.opter, Role.AUDITOR))
"""The national default allow-lists, one operator per role."""
RESIDENT_2 = SamplePerson("44010099000000000004", "440105199208309948", "390", "440100")
"""测试丁: resident (390) in Guangzhou, female, no account."""
_PERSONS = {person.psn_no: person for person in load_persons()}


def fast_retry() -> RetryPolicy:
    """Three attempts, no waiting between them."""
    return RetryPolicy(RetryLimits(max_attempts=3), sleep=lambda seconds: None)


def make_client(mock: MockPlatform, journal: Path | SqliteJournal, **options: Any
                ) -> ProvincialClient:
    """A real client for ``mock`` on a SQLite journal (a path opens a new one), with the
    national role allow-lists, no backoff and no recovery delay."""
    settings: dict[str, Any] = {
        "retry": fast_retry(), "recovery": RecoveryPolicy(settle_delay_s=0), "roles": ROLES,
        "sign_in": SignInDetails("AA-BB-CC-DD-EE-FF", "127.0.0.1"), "timeout": (1.0, 5.0),
        **options,
    }
    store = journal if isinstance(journal, SqliteJournal) else SqliteJournal(journal)
    return ProvincialClient(mock.client_profile, HOSPITAL, journal=store, **settings)


def close_client(client: ProvincialClient) -> None:
    """Close the client's transport and its journal."""
    client.close()
    client.journal.close()


def journal_rows(client: ProvincialClient, infno: str | None = None
                 ) -> list[JournalEntry]:
    """Every row of the client's journal file (of ``infno``, if given), oldest first."""
    path = getattr(client.journal, "path", None)
    assert isinstance(path, Path)
    with sqlite3.connect(path) as db:
        msgids = [row[0] for row in db.execute("SELECT msgid FROM provincial_journal "
                                                "ORDER BY created_at, rowid")]
    rows = [client.journal.by_msgid(msgid) for msgid in msgids]
    return [row for row in rows if row is not None and infno in (None, row.infno)]


def patient_of(person: SamplePerson) -> Patient:
    """The core patient of a mock person (name, sex and birth date from the fixture)."""
    seeded = _PERSONS[person.psn_no]
    return Patient(patient_id=f"P{person.psn_no[-6:]}", name=seeded.psn_name,
                   sex=Sex.MALE if seeded.gend == "1" else Sex.FEMALE,
                   birth_date=seeded.brdy, id_card=person.certno, psn_no=person.psn_no,
                   insurance_type=person.insutype, insured_region=person.insuplc_admdvs)


def charges_of(lines: Iterable[Line], *, at: datetime = T0) -> tuple[Charge, ...]:
    """One charge per sample line (``F0001`` …), ordered by the sample doctor."""
    return tuple(
        Charge(charge_id=f"F{number:04d}", item_code=code, hospital_item_code=f"HOSP-{code[:8]}",
               category=ChargeCategory.OTHER, quantity=D(count), unit_price=D(price),
               amount=(D(price) * D(count)).quantize(D("0.01"), ROUND_HALF_UP), charged_at=at,
               ordering_practitioner_id=DOCTOR.practitioner_id)
        for number, (code, price, count) in enumerate(lines, start=1))


@dataclass(frozen=True, slots=True)
class Flow:
    """One patient visit the HIS registers, charges and settles through the client."""

    person: SamplePerson
    visit: Visit
    lines: tuple[Line, ...]
    use_account: bool = True

    @classmethod
    def outpatient(cls, person: SamplePerson, visit_id: str, *,
                   lines: Iterable[Line] = WORKED_EXAMPLE, use_account: bool = True) -> Flow:
        """An outpatient visit (2201 → 2204 → 2207)."""
        visit = Visit(visit_id=visit_id, patient=patient_of(person),
                      visit_type=VisitType.OUTPATIENT, admitted_at=T0, department="A03",
                      attending_id=DOCTOR.practitioner_id)
        return cls(person, visit, tuple(lines), use_account)

    @classmethod
    def inpatient(cls, person: SamplePerson, visit_id: str, *,
                  lines: Iterable[Line] = INPATIENT_EXAMPLE) -> Flow:
        """An inpatient stay (2401 → 2301 → 2304 → 2402), main diagnosis S72.000."""
        visit = Visit(visit_id=visit_id, patient=patient_of(person),
                      visit_type=VisitType.INPATIENT, admitted_at=T0, department="A07",
                      attending_id=DOCTOR.practitioner_id,
                      diagnoses=(Diagnosis(code="S72.000", name="股骨颈骨折", main=True),))
        return cls(person, visit, tuple(lines), use_account=False)

    @property
    def inpatient_stay(self) -> bool:
        """True for an inpatient visit."""
        return self.visit.visit_type is VisitType.INPATIENT

    @property
    def credential(self) -> Credential:
        """The ID card (就诊凭证 02)."""
        return Credential("02", self.person.certno)

    @property
    def total(self) -> Decimal:
        """The sum of the lines."""
        return total_of(self.lines)

    def open(self, client: ProvincialClient, clerk: Operator = CLERK,
             cashier: Operator = CASHIER) -> str:
        """Register (2201/2401, the clerk) and upload the charges (2204/2301, the cashier);
        the ``mdtrt_id``."""
        mdtrt_id = client.register(self.visit, clerk, credential=self.credential,
                                   dr_name=DOCTOR.name, caty="A03", practitioners=DOCTORS)
        client.upload_fees(self.visit, charges_of(self.lines), cashier, mdtrt_id=mdtrt_id,
                           chrg_bchno="B1", practitioners=DOCTORS,
                           dept_code=self.visit.department, dept_name="科室")
        return mdtrt_id

    def settlement(self, number: int = 1) -> Settlement:
        """The core settlement of the whole visit."""
        return Settlement(settlement_id=f"JS-{self.visit.visit_id}-{number}",
                          visit_id=self.visit.visit_id, requested_at=T0, total=self.total,
                          insurance_type=self.person.insutype,
                          medical_type="21" if self.inpatient_stay else "11")

    def args(self, mdtrt_id: str, *, pre: SettlementResult | None = None) -> SettleArgs:
        """Settlement arguments (batch B1 for an outpatient visit)."""
        return SettleArgs(psn_no=self.person.psn_no, mdtrt_id=mdtrt_id,
                          credential=self.credential,
                          chrg_bchno="" if self.inpatient_stay else "B1",
                          use_account=self.use_account, pre=pre)

    def settle(self, client: ProvincialClient, mdtrt_id: str, operator: Operator = CASHIER,
               *, number: int = 1) -> SettlementResult:
        """2207/2304 through the client."""
        return client.settle(self.settlement(number), self.visit, operator,
                             args=self.args(mdtrt_id))

    def discharge_input(self, mdtrt_id: str) -> dict[str, Any]:
        """2402 input: discharged three days after admission."""
        return {
            "dscginfo": {"mdtrt_id": mdtrt_id, "psn_no": self.person.psn_no,
                         "insutype": self.person.insutype, "endtime": T0 + timedelta(days=3),
                         "dscg_dept_codg": "A07", "dscg_dept_name": "骨科", "dscg_way": "1"},
            "diseinfo": [{"psn_no": self.person.psn_no, "mdtrt_id": mdtrt_id, "diag_type": "1",
                          "maindiag_flag": "1", "diag_srt_no": 1, "diag_code": "S72.000",
                          "diag_name": "股骨颈骨折"}],
        }


def test_the_sample_flows_carry_the_documented_totals() -> None:
    outpatient = Flow.outpatient(EMPLOYEE, "MZ0001")
    inpatient = Flow.inpatient(RESIDENT, "ZY0001")
    assert (outpatient.total, inpatient.total) == (D("640.01"), D("820.02"))
    assert sum(c.amount for c in charges_of(outpatient.lines)) == outpatient.total
    assert outpatient.visit.patient.name.startswith("测试") and not inpatient.use_account
    assert inpatient.settlement().medical_type == "21"
    assert outpatient.args("M1").chrg_bchno == "B1" and inpatient.args("Z1").chrg_bchno == ""
    assert date(1958, 2, 20) == inpatient.visit.patient.birth_date
