"""YB-CONSUMABLE-SHARE: share of consumables in a visit's insured charges (耗材占比, 三色预警)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any

from pydantic import Field

from yibao_sdk.models.charge import Charge, ChargeCategory
from yibao_sdk.models.settlement import Settlement
from yibao_sdk.models.visit import Visit
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

RULE_ID = "YB-CONSUMABLE-SHARE"

Ratio = Annotated[Decimal, Field(ge=0, le=1)]
"""A share between 0 and 1."""

_PERCENT = Decimal("0.01")



def _ordered(params: Mapping[str, Any]) -> None:
    """Refuse a configuration whose warning threshold is not below the blocking one."""
    if params["warn_ratio"] >= params["block_ratio"]:
        raise ValueError(
            f"warn_ratio ({params['warn_ratio']}) must be below block_ratio "
            f"({params['block_ratio']})"
        )


SPEC = RuleSpec(
    rule_id=RULE_ID,
    name="耗材占比",
    category="统计指标",
    stages=frozenset({Stage.MID, Stage.POST}),
    default_severity=Severity.WARN,
    parameters=(
        Param("warn_ratio", Ratio, Decimal("0.40"), "耗材占比达到该值为黄色预警（0–1）"),
        Param("block_ratio", Ratio, Decimal("0.60"),
              "耗材占比达到该值为红色（0–1），须大于 warn_ratio"),
    ),
    override=OverridePolicy(reason_required=True),
    validate=_ordered,
    description="统计指标（ZB）耗材占比：本次就诊医保费用行（不含患者自费行，退费冲减）中卫生材料费"
    "金额 ÷ 全部金额。≥ warn_ratio 黄色（填写理由后可继续），≥ block_ratio 红色；总额为零不判定。",
)


@hookimpl(trylast=True)
def yibao_register_rules(register: RuleRegistrar) -> None:
    """Register YB-CONSUMABLE-SHARE."""
    register(SPEC)


@hookimpl(trylast=True)
def yibao_check_settlement(settlement: Settlement, context: Context) -> Iterator[Finding]:
    """事中: the lines being settled (all of the visit's if the settlement lists none)."""
    if not context.active(RULE_ID, settlement.requested_at):
        return
    wanted = set(settlement.charge_ids)
    lines = [c for c in context.visit.charges if not wanted or c.charge_id in wanted]
    yield from _check(lines, subject_of(settlement), _thresholds(context), context)


@hookimpl(trylast=True)
def yibao_audit_visit(visit: Visit, context: Context) -> Iterator[Finding]:
    """事后: all of the finished visit's lines."""
    if not context.active(RULE_ID, visit.service_date):
        return
    yield from _check(visit.charges, subject_of(visit), _thresholds(context), context)


def _thresholds(context: Context) -> tuple[Decimal, Decimal]:
    """(warn_ratio, block_ratio); their order was checked when the engine was built."""
    params = context.params(RULE_ID)
    return params["warn_ratio"], params["block_ratio"]


def _check(lines: Iterable[Charge], subject: Subject, thresholds: tuple[Decimal, Decimal],
           context: Context) -> Iterator[Finding]:
    insured = [c for c in lines if not c.self_pay]
    total = sum((c.amount for c in insured), Decimal(0))
    if total <= 0:
        return
    consumable = sum((c.amount for c in insured if c.category is ChargeCategory.CONSUMABLE),
                     Decimal(0))
    share = consumable / total
    warn, block = thresholds
    if share >= block:
        yield _finding(context, subject, consumable, total, threshold=block)
    elif share >= warn:
        yield _finding(context, subject, consumable, total, threshold=warn)


def _finding(context: Context, subject: Subject, consumable: Decimal, total: Decimal, *,
             threshold: Decimal) -> Finding:
    share = consumable / total
    warn, block = context.params(RULE_ID)["warn_ratio"], context.params(RULE_ID)["block_ratio"]
    severity = Severity.BLOCK if threshold == block else Severity.WARN
    level = "红色（超上限）" if severity is Severity.BLOCK else "黄色预警"
    message = (f"耗材占比{level}：医保费用{total:.2f}元中卫生材料费{consumable:.2f}元，"
               f"占比{_pct(share)}%，达到阈值{_pct(threshold)}%")
    evidence = (f"统计指标耗材占比；阈值 warn_ratio={warn}、block_ratio={block}；"
                "口径：医保费用行（不含自费行，退费冲减）")
    return context.finding(RULE_ID, subject, message, severity=severity, evidence=evidence)


def _pct(ratio: Decimal) -> str:
    return f"{(ratio * 100).quantize(_PERCENT, rounding=ROUND_HALF_UP)}"
