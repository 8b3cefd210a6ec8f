"""3101/3102 results ↔ core findings, and 3103 feedback from core overrides.

A platform violation (``result[]``) becomes a :class:`~yibao_sdk.rules.Finding`:

* ``rule_id`` → rule id (``jr_id`` when absent); ``sev_deg`` → severity through the profile's
  map (:data:`~..profiles.DEFAULT_SEV_DEG`; unlisted values are ``warn``);
* ``vola_cont`` → message, ``vola_evid`` → evidence, ``vola_amt`` → amount;
* the first ``judge_result_detail_dtos`` row with ``vola_item_type`` 1 → subject (an order or
  a charge of the visit, by ``rx_id``); the other rows → related; none → the visit.

The platform wants a reason whenever the hospital goes on (3103 ``dspo_way`` 1), so every
platform finding needs one (``OverridePolicy(reason_required=True)``). Findings keep their
``jr_id`` beside them (:class:`PlatformFinding`) because 3103 answers by ``jr_id``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from yibao_sdk.models.visit import Visit
from yibao_sdk.rules.findings import (
    Finding,
    Override,
    OverridePolicy,
    Severity,
    Subject,
    SubjectKind,
)

from ..profiles import DEFAULT_SEV_DEG
from ..wire.audit_result import InputWarnFeedback, JudgeResult, OutputRuleCheck
from ..wire.codes import DspoWay, VolaItemType, WarnType
from .common import build

__all__ = ["PLATFORM_POLICY", "PlatformFinding", "feedback_input", "findings_from_output",
           "output_from_findings"]

PLATFORM_POLICY = OverridePolicy(reason_required=True)
"""Override policy of a platform finding: going on needs a reason (3103 ``dspo_way_rea``)."""
_ITEM_KINDS = (SubjectKind.ORDER, SubjectKind.CHARGE)


@dataclass(frozen=True, slots=True)
class PlatformFinding:
    """A platform violation as a core finding, with its ``jr_id`` for 3103."""

    jr_id: str
    """违规标识."""
    finding: Finding
    """The finding."""


def findings_from_output(
    output: OutputRuleCheck,
    *,
    visit: Visit | None = None,
    severities: Mapping[str, Severity] = DEFAULT_SEV_DEG,
) -> tuple[PlatformFinding, ...]:
    """Core findings from a 3101/3102 output (empty when there is no violation).

    :param visit: the visit checked: ``rx_id`` values are looked up among its orders and
        charges (for the subject kind and service time) and its id names visit-level findings.
    """
    return tuple(PlatformFinding(row.jr_id, _finding(row, visit, severities))
                 for row in output.result)


def _finding(row: JudgeResult, visit: Visit | None,
             severities: Mapping[str, Severity]) -> Finding:
    items = [(d.vola_item_type, d.rx_id) for d in row.judge_result_detail_dtos if d.rx_id]
    main = next((rx for kind, rx in items if kind == VolaItemType.VIOLATING), None)
    visit_id = visit.visit_id if visit else (row.mdtrt_id or row.patn_id or row.jr_id)
    subject = _subject(main, visit) if main else Subject(kind=SubjectKind.VISIT, id=visit_id)
    related = tuple(_subject(rx, visit) for _, rx in items if rx != main)
    return build(Finding, {
        "rule_id": row.rule_id or row.jr_id,
        "severity": severities.get(row.sev_deg or "", Severity.WARN),
        "message": row.vola_cont or row.rule_name or f"违反规则 {row.rule_id or row.jr_id}",
        "subject": subject, "related": related, "amount": row.vola_amt,
        "evidence": row.vola_evid or "", "policy": PLATFORM_POLICY,
    }, where=f"3101/3102 jr_id {row.jr_id}")


def _subject(rx_id: str, visit: Visit | None) -> Subject:
    if visit is not None:
        for order in visit.orders:
            if order.order_id == rx_id:
                return Subject(kind=SubjectKind.ORDER, id=rx_id, at=order.ordered_at)
        for charge in visit.charges:
            if charge.charge_id == rx_id:
                return Subject(kind=SubjectKind.CHARGE, id=rx_id, at=charge.charged_at)
    return Subject(kind=SubjectKind.ORDER, id=rx_id)


def output_from_findings(
    findings: Iterable[Finding],
    *,
    patn_id: str,
    mdtrt_id: str,
    task_id: str,
    severities: Mapping[str, Severity] = DEFAULT_SEV_DEG,
) -> OutputRuleCheck:
    """The 3101/3102 output for core findings (what the mock platform answers).

    ``jr_id`` is the finding id; ``info`` findings are not violations and are left out.
    """
    codes = {severity: code for code, severity in reversed(list(severities.items()))}
    rows = [_result(f, codes[f.severity], patn_id=patn_id, mdtrt_id=mdtrt_id, task_id=task_id)
            for f in findings if f.severity in codes and f.severity is not Severity.INFO]
    return build(OutputRuleCheck, {"result": rows}, where=f"3101/3102 task {task_id}")


def _result(finding: Finding, sev_deg: str, *, patn_id: str, mdtrt_id: str,
            task_id: str) -> dict[str, Any]:
    subjects = [(VolaItemType.VIOLATING, finding.subject)]
    subjects += [(VolaItemType.INVOLVED, s) for s in finding.related]
    details = [
        {"jrd_id": f"{finding.finding_id}-{n}", "patn_id": patn_id, "mdtrt_id": mdtrt_id,
         "rx_id": s.id, "vola_item_type": kind}
        for n, (kind, s) in enumerate(subjects, start=1) if s.kind in _ITEM_KINDS
    ]
    return {
        "jr_id": finding.finding_id, "rule_id": finding.rule_id, "vola_cont": finding.message,
        "patn_id": patn_id, "mdtrt_id": mdtrt_id, "vola_amt": finding.amount,
        "sev_deg": sev_deg, "vola_evid": finding.evidence or None, "task_id": task_id,
        "judge_result_detail_dtos": details,
    }


def feedback_input(
    findings: Iterable[PlatformFinding],
    overrides: Iterable[Override],
    *,
    warn_type: WarnType | str,
) -> InputWarnFeedback:
    """3103 input: an overridden finding goes on (``dspo_way`` 1, the override's reason); any
    other goes back to be changed (``dspo_way`` 2).

    :raises InputError: an override without a reason (the platform requires one), or no
        findings at all.
    """
    reasons = {o.finding_id: o.reason for o in overrides}
    warns = [
        {"warn_rslt_id": pf.jr_id, "dspo_way": DspoWay.CONTINUE, "dspo_way_rea": reasons[fid]}
        if (fid := pf.finding.finding_id) in reasons
        else {"warn_rslt_id": pf.jr_id, "dspo_way": DspoWay.MODIFY}
        for pf in findings
    ]
    return build(InputWarnFeedback, {"data": {"warn_type": str(warn_type), "warns": warns}},
                 where="3103")
