"""One visit through the provincial client: 1101 → register → upload → pre-settle → settle.

:class:`Flow` maps a demo visit onto an insured person of the mock (1101 by ID number gives
``psn_no``, 险种 and 参保地), registers or admits it as the registration clerk, uploads the
charges and (pre-)settles as the cashier, and prints each step; :meth:`Flow.settle_with_fault`
adds a physician's refused attempt and a settlement whose reply is lost. :class:`Wire` counts
the requests that leave (a ``ProvincialHooks``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from yibao_sdk.codes.masking import mask_name
from yibao_sdk.demo.knowledge import PRACTITIONERS
from yibao_sdk.demo.output import Printer
from yibao_sdk.demo.provincial import (
    CallNotDoneError,
    Credential,
    FaultKind,
    MockPlatform,
    Operator,
    Output1101,
    PermissionDeniedError,
    Person,
    ProvincialClient,
    Role,
    RolePolicy,
    SettleArgs,
)
from yibao_sdk.demo.settle_view import FaultOutcome, Refusal, Settled, show_settled, step
from yibao_sdk.models import Patient, Settlement, SettlementResult, Sex, Visit, VisitType
from yibao_sdk.store import AuditLog

__all__ = ["CASHIER", "CLERK", "PHYSICIAN", "REGION", "ROLES", "Flow", "Wire"]

CLERK = Operator("0003", "张挂号")
CASHIER = Operator("0007", "王收费")
PHYSICIAN = Operator("D001", "李主治")
ROLES = RolePolicy().with_operator(CLERK.opter, Role.REGISTRATION_CLERK) \
    .with_operator(CASHIER.opter, Role.CASHIER).with_operator(PHYSICIAN.opter, Role.PHYSICIAN)
"""The national default allow-lists: 0003 registers and admits (1101, 2201, 2401), 0007
uploads fees and settles, D001 is a physician (rule checks, no money-moving calls)."""
REGION = "440100"
"""就医地: the hospital's region (Guangzhou)."""
_DEPARTMENTS = {"内科": "A03", "骨科": "A07"}
_STAFF = {p.practitioner_id: p for p in PRACTITIONERS}
_CLASS = {"01": "甲", "02": "乙", "03": "丙"}


class Wire:
    """Counts what leaves (``ProvincialHooks``: called once per request sent)."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def yibao_before_send(self, *, infno: str, message: Mapping[str, Any]) -> object:
        self.sent.append(infno)
        return None

    def yibao_after_reply(self, *, infno: str, message: Mapping[str, Any],
                          reply: Mapping[str, Any]) -> object:
        return None


@dataclass
class _Opened:
    visit: Visit
    mdtrt_id: str
    settlement: Settlement
    args: SettleArgs
    infno: str


class Flow:
    """register → upload → pre-settle → settle for one visit at a time."""

    def __init__(self, client: ProvincialClient, mock: MockPlatform, wire: Wire,
                 show: Printer) -> None:
        self.client, self.mock, self.wire, self.show = client, mock, wire, show

    def settle(self, visit: Visit, person: Person, use_account: bool, why: str) -> Settled:
        opened = self._open(visit, person, use_account, why)
        result = self.client.settle(opened.settlement, opened.visit, CASHIER, args=opened.args)
        return self._settled(opened, result)

    def settle_with_fault(self, visit: Visit, person: Person, use_account: bool, why: str,
                          audit_log: AuditLog) -> tuple[Settled, Refusal, FaultOutcome]:
        opened = self._open(visit, person, use_account, why)
        refusal = self._refuse(opened, audit_log)
        self.mock.faults.next(opened.infno, FaultKind.REPLY_LOST)
        self.show(f"      fault injected: mock.faults.next({opened.infno!r}, reply_lost) — "
                  "the platform commits, the reply never arrives")
        start = len(self.wire.sent)
        try:
            result = self._call(opened)
        except CallNotDoneError as exc:  # reversed by 2601 (or not done): settle again
            how = "reversed by 2601" if exc.reversed else "not found on the platform"
            self.show(f"      {opened.infno} {exc.msgid}: did not take effect ({how}) → "
                      "settling again with a new msgid")
            result = self._call(opened)
        entries = [e for e in self.client.journal.for_visit(opened.mdtrt_id)
                   if e.infno in (opened.infno, "2601")]
        valid = [row for row in self.mock.state.settlements(mdtrt_id=opened.mdtrt_id)
                 if row["status"] == "valid"]
        fault = FaultOutcome(visit.visit_id, opened.mdtrt_id, tuple(self.wire.sent[start:]),
                             tuple((e.msgid, e.infno, str(e.state), e.detail or "")
                                   for e in entries), len(valid))
        fault.show(self.show)
        return self._settled(opened, result), refusal, fault

    def _call(self, opened: _Opened) -> SettlementResult:
        return self.client.settle(opened.settlement, opened.visit, CASHIER, args=opened.args)

    def _refuse(self, opened: _Opened, audit_log: AuditLog) -> Refusal:
        start, entries = len(self.wire.sent), _denials(audit_log)
        error = ""
        try:
            self.client.settle(opened.settlement, opened.visit, PHYSICIAN, args=opened.args)
        except PermissionDeniedError as exc:
            error = str(exc)
        refusal = Refusal(PHYSICIAN.opter, opened.infno, error,
                          len(self.wire.sent) - start, _denials(audit_log) - entries)
        refusal.show(self.show)
        return refusal

    def _identify(self, visit: Visit, person: Person, use_account: bool, why: str) -> Patient:
        """1101 by ID number: the visit's patient as the platform knows them."""
        query = {"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": person.certno,
                          "psn_cert_type": "01"}}
        found = self.client.call("1101", query, CLERK).output_as(Output1101)
        insured = found.insuinfo[0]
        region, insutype = insured.insuplc_admdvs or REGION, insured.insutype or person.insutype
        self.show(f"   [{visit.visit_id}] {why} → 1101: {mask_name(person.psn_name)} psn_no "
                  f"{found.baseinfo.psn_no} (insutype {insutype}, 参保地 {region}"
                  f"{', 异地' if region != REGION else ''}, account {insured.balc or 0:.2f}"
                  f"{'' if use_account else ', pays cash'})")
        return Patient(patient_id=visit.patient.patient_id, name=person.psn_name,
                       sex=Sex.FEMALE if found.baseinfo.gend == "2" else Sex.MALE,
                       birth_date=found.baseinfo.brdy or person.brdy, id_card=person.certno,
                       psn_no=found.baseinfo.psn_no, insurance_type=insutype,
                       insured_region=region)

    def _open(self, visit: Visit, person: Person, use_account: bool, why: str) -> _Opened:
        show = self.show
        patient = self._identify(visit, person, use_account, why)
        insutype = patient.insurance_type or person.insutype
        dept = _DEPARTMENTS.get(visit.department, "A03")
        doctor = visit.attending_id or (visit.charges[0].ordering_practitioner_id
                                        if visit.charges else "") or "D001"
        mapped = visit.model_copy(update={"patient": patient, "department": dept,
                                          "attending_id": doctor})
        credential = Credential("02", person.certno)
        mdtrt_id = self.client.register(
            mapped, CLERK, credential=credential, dr_name=_STAFF[doctor].name,
            dept_name=visit.department, caty=dept, practitioners=_STAFF,
            bed="12" if mapped.visit_type is VisitType.INPATIENT else None)
        inpatient = mapped.visit_type is VisitType.INPATIENT
        batch = "" if inpatient else "B1"
        show(step("2401 admission" if inpatient else "2201 registration", f"mdtrt_id {mdtrt_id}"))
        fees = self.client.upload_fees(mapped, mapped.charges, CASHIER, mdtrt_id=mdtrt_id,
                                       chrg_bchno=batch, practitioners=_STAFF, dept_code=dept,
                                       dept_name=visit.department)
        classes = " ".join(f"{r.feedetl_sn}:{_CLASS.get(r.chrgitm_lv or '', '?')}"
                           for r in fees.result)
        show(step(f"{'2301' if inpatient else '2204'} fee upload",
                  f"{len(mapped.charges)} line(s), {sum(c.amount for c in mapped.charges):.2f}"
                  f" ({classes})"))
        settlement = Settlement(
            settlement_id=f"JS-{visit.visit_id}", visit_id=visit.visit_id,
            requested_at=visit.discharged_at or visit.admitted_at,
            total=sum((c.amount for c in mapped.charges), Decimal(0)),
            insurance_type=insutype, medical_type="21" if inpatient else "11")
        args = SettleArgs(psn_no=patient.psn_no or "", mdtrt_id=mdtrt_id, credential=credential,
                          chrg_bchno=batch, use_account=use_account)
        pre = self.client.pre_settle(settlement, mapped, CASHIER, args=args)
        pre_infno, infno = ("2303", "2304") if inpatient else ("2206", "2207")
        show(step(f"{pre_infno} pre-settlement", f"total {pre.total:.2f} · fund "
                  f"{pre.fund_total:.2f} · account {pre.personal_account:.2f} · cash "
                  f"{pre.cash:.2f}"))
        return _Opened(mapped, mdtrt_id, settlement, dataclasses.replace(args, pre=pre), infno)

    def _settled(self, opened: _Opened, result: SettlementResult) -> Settled:
        rows = [row for row in self.mock.state.settlements(mdtrt_id=opened.mdtrt_id)
                if row["setl_id"] == result.settlement_id and row["status"] == "valid"]
        ledger = _ledger(rows[0]) if rows else None
        settled = Settled(opened.visit.visit_id, opened.mdtrt_id, opened.args.psn_no,
                          opened.infno, result, ledger)
        show_settled(self.show, settled)
        return settled


def _ledger(row: Mapping[str, Any]) -> tuple[Decimal, ...]:
    """What the platform stored: (total, fund, account, cash)."""
    names = ("medfee_sumamt", "fund_pay_sumamt", "acct_pay", "psn_cash_pay")
    return tuple(Decimal(str(row[name])) for name in names)


def _denials(audit_log: AuditLog) -> int:
    return sum(1 for e in audit_log.entries() if e.kind == "provincial.permission_denied")

