"""YB-TEG-PREOP: a thromboelastography charge needs a recent pre-op assessment form (血栓弹力图)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import timedelta
from typing import Any

from pydantic import PositiveInt

from yibao_sdk.models import Charge, FormRecord, ProfessionalTitle, Visit
from yibao_sdk.rules import Context, hookimpl, subject_of
from yibao_sdk.rules.findings import Finding, OverridePolicy, Severity, Stage
from yibao_sdk.rules.spec import Param, RuleRegistrar, RuleSpec

RULE_ID = "YB-TEG-PREOP"

SPEC = RuleSpec(
    rule_id=RULE_ID,
    name="血栓弹力图须有术前评估表",
    category="必备文书",
    stages=frozenset({Stage.MID, Stage.POST}),
    default_severity=Severity.BLOCK,
    parameters=(
        Param(
            "item_codes",
            tuple[str, ...],
            ("002502030660000",),
            "血栓弹力图的国家医疗服务项目编码；默认值仅为示例，须改为本省目录中的血栓弹力图编码",
        ),
        Param("hospital_item_codes", tuple[str, ...], (), "血栓弹力图的院内项目编码"),
        Param("form_types", tuple[str, ...], ("preop_assessment",), "可作为依据的表单类型"),
        Param("window_hours", PositiveInt, 72, "评估表须在收费前多少小时内（含）记录"),
    ),
    override=OverridePolicy(signatures=1, min_title=ProfessionalTitle.ASSOCIATE_CHIEF),
    description=(
        "血栓弹力图收费前须在本次就诊中有指定时限内的术前评估表，无表不得计费；"
        "急诊抢救等无法先行评估的情形由一名副主任医师及以上签字放行。"
    ),
)


@hookimpl(trylast=True)
def yibao_register_rules(register: RuleRegistrar) -> None:
    """Register YB-TEG-PREOP."""
    register(SPEC)


@hookimpl(trylast=True)
def yibao_check_charge(charge: Charge, context: Context) -> Iterator[Finding]:
    """事中: a TEG line is billed."""
    if context.active(RULE_ID, charge.charged_at) and _is_teg(charge, context.params(RULE_ID)):
        yield from _check(charge, context.visit, context)


@hookimpl(trylast=True)
def yibao_audit_visit(visit: Visit, context: Context) -> Iterator[Finding]:
    """事后: every TEG line of the visit."""
    if not context.active(RULE_ID):
        return
    params = context.params(RULE_ID)
    for charge in visit.charges:
        if _is_teg(charge, params):
            yield from _check(charge, visit, context)


def _is_teg(charge: Charge, params: Mapping[str, Any]) -> bool:
    """An insurance TEG line (self-pay and refund lines are not checked)."""
    if charge.self_pay or charge.quantity <= 0:
        return False
    hospital_code = charge.hospital_item_code
    return charge.item_code in params["item_codes"] or (
        bool(hospital_code) and hospital_code in params["hospital_item_codes"]
    )


def _check(charge: Charge, visit: Visit, context: Context) -> Iterator[Finding]:
    params = context.params(RULE_ID)
    hours: int = params["window_hours"]
    types: tuple[str, ...] = params["form_types"]
    forms = [r for r in visit.records if isinstance(r, FormRecord) and r.form_type in types]
    start, end = charge.charged_at - timedelta(hours=hours), charge.charged_at
    if any(start <= form.recorded_at <= end for form in forms):
        return
    message = (
        f"血栓弹力图收费{charge.item_code}（{charge.charged_at:%Y-%m-%d %H:%M}）"
        f"前{hours}小时内无术前评估表（{'/'.join(types)}）；{_seen(forms)}"
    )
    evidence = f"收费{charge.charge_id}；评估表须记录于{start:%Y-%m-%d %H:%M}至{end:%Y-%m-%d %H:%M}"
    related = [subject_of(form) for form in forms]
    yield context.finding(
        RULE_ID,
        subject_of(charge),
        message,
        amount=charge.amount,
        evidence=evidence,
        related=related,
    )


def _seen(forms: Sequence[FormRecord]) -> str:
    if not forms:
        return "本次就诊无此类表单"
    listed = "、".join(f"{f.record_id}（{f.recorded_at:%Y-%m-%d %H:%M}）" for f in forms)
    return f"本次就诊的表单记录于时限外：{listed}"
