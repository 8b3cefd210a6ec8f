"""YB-SPLIT-STAY: readmission soon after a stay with the same main diagnosis (分解住院)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Literal

from pydantic import NonNegativeInt

from yibao_sdk.models.settlement import Settlement
from yibao_sdk.models.visit import Visit, VisitType
from yibao_sdk.rules import (
    Context,
    Finding,
    OverridePolicy,
    Param,
    RuleRegistrar,
    RuleSpec,
    Severity,
    Stage,
    Subject,
    hookimpl,
    subject_of,
)

__all__ = ["RULE_ID", "SPEC"]

RULE_ID = "YB-SPLIT-STAY"

Match = Literal["category", "exact"]
"""How main diagnoses are compared: ICD-10 category (first 3 characters) or the whole code."""

SPEC = RuleSpec(
    rule_id=RULE_ID,
    name="分解住院",
    category="行为主体",
    stages=frozenset({Stage.MID, Stage.POST}),
    default_severity=Severity.WARN,
    parameters=(
        Param("days", NonNegativeInt, 15,
              "本次入院日期距上次出院日期不超过该天数（自然日，≥0；0 仅查同日再入院）"
              "视为分解住院嫌疑"),
        Param("match", Match, "category",
              "主诊断比较方式：category 比较ICD-10类目（前3位），exact 比较完整编码"),
        Param("exclude_diagnoses", tuple[str, ...], ("Z51", "Z49"),
              "本次主诊断以这些编码开头时不判定（计划性放化疗、透析等）"),
    ),
    override=OverridePolicy(reason_required=True),
    description="国家规则204001：同一患者出院后短期内以相同主诊断再次入院，疑似分解住院（可疑）。"
    "间隔 = 本次入院日期 − 上次出院日期（自然日）；只比较既往住院，不比较门急诊；"
    "计划性放化疗、透析等周期治疗按排除诊断不判定。",
)


@hookimpl(trylast=True)
def yibao_register_rules(register: RuleRegistrar) -> None:
    """Register YB-SPLIT-STAY."""
    register(SPEC)


@hookimpl(trylast=True)
def yibao_check_settlement(settlement: Settlement, context: Context) -> Iterator[Finding]:
    """事中: before an inpatient stay is settled."""
    if context.active(RULE_ID, settlement.requested_at):
        yield from _check(context.visit, subject_of(settlement), context)


@hookimpl(trylast=True)
def yibao_audit_visit(visit: Visit, context: Context) -> Iterator[Finding]:
    """事后: audit a finished inpatient stay."""
    if context.active(RULE_ID, visit.service_date):
        yield from _check(visit, subject_of(visit), context)


def _check(visit: Visit, subject: Subject, context: Context) -> Iterator[Finding]:
    main = visit.main_diagnosis
    if visit.visit_type is not VisitType.INPATIENT or main is None:
        return
    params = context.params(RULE_ID)
    code = _norm(main.code)
    excluded: tuple[str, ...] = params["exclude_diagnoses"]
    if any(code.startswith(_norm(prefix)) for prefix in excluded if prefix.strip()):
        return
    previous = _previous_stay(visit, code, context)
    if previous is not None:
        yield _finding(context, visit, subject, *previous)


def _previous_stay(visit: Visit, code: str, context: Context) -> tuple[Visit, int] | None:
    """The latest earlier inpatient stay discharged ≤ ``days`` before, same main diagnosis."""
    params = context.params(RULE_ID)
    limit: int = params["days"]
    lookback = timedelta(days=limit + 1)
    match: Match = params["match"]
    hits: list[tuple[int, Visit]] = []
    for earlier in context.earlier_visits(before=visit.admitted_at, within=lookback):
        main, gap = earlier.main_diagnosis, _gap(earlier, visit)
        if (earlier.visit_type is VisitType.INPATIENT and gap is not None and 0 <= gap <= limit
                and main is not None and _same(_norm(main.code), code, match)):
            hits.append((gap, earlier))
    if not hits:
        return None
    gap, earlier = min(hits, key=lambda hit: hit[0])
    return earlier, gap


def _gap(earlier: Visit, visit: Visit) -> int | None:
    """Calendar days from the earlier discharge to this admission (None if not discharged)."""
    if earlier.discharged_at is None:
        return None
    return (visit.admitted_at.date() - earlier.discharged_at.date()).days


def _norm(code: str) -> str:
    return code.strip().upper()


def _same(a: str, b: str, match: Match) -> bool:
    return a == b if match == "exact" else a[:3] == b[:3]


def _dx(visit: Visit) -> str:
    main = visit.main_diagnosis
    if main is None:
        return ""
    return f"{main.code} {main.name}" if main.name else main.code


def _finding(
    context: Context, visit: Visit, subject: Subject, previous: Visit, gap: int
) -> Finding:
    params = context.params(RULE_ID)
    out = previous.discharged_at.date() if previous.discharged_at else None
    how = "类目" if params["match"] == "category" else "编码"
    message = (
        f"分解住院嫌疑：本次住院{visit.visit_id}于{visit.admitted_at:%Y-%m-%d}入院，"
        f"距上次住院{previous.visit_id}（{previous.admitted_at:%Y-%m-%d}入院，{out}出院）"
        f"{gap}天（阈值{params['days']}天），主诊断{how}相同：本次{_dx(visit)}，上次{_dx(previous)}"
    )
    evidence = f"国家规则204001分解住院；参数 days={params['days']}、match={params['match']}"
    return context.finding(RULE_ID, subject, message, evidence=evidence,
                           related=[subject_of(previous)])
