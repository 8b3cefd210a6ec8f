"""YB-PRICE-CAP: unit price above the catalogue cap for the hospital level (超标准收费)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated

from pydantic import Field

from yibao_sdk.models.catalog import PriceCap
from yibao_sdk.models.charge import Charge
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
    hookimpl,
    subject_of,
)
from yibao_sdk.rules.netting import live_quantities

__all__ = ["RULE_ID", "SPEC"]

RULE_ID = "YB-PRICE-CAP"

_CENT = Decimal("0.01")

Amount = Annotated[Decimal, Field(ge=0)]
"""An amount in 元 that cannot be negative."""
_LEVEL = {"1": "一级", "2": "二级", "3": "三级"}

SPEC = RuleSpec(
    rule_id=RULE_ID,
    name="超标准收费",
    category="医疗服务项目政策限定",
    stages=frozenset({Stage.MID, Stage.POST}),
    default_severity=Severity.BLOCK,
    parameters=(
        Param("tolerance", Amount, Decimal("0"), "单价允许高出限价的误差（元，≥0），用于舍入差异"),
    ),
    override=OverridePolicy(overridable=False),
    description="国家规则102001：收费单价高于本院等级在费用发生日有效的最高限价"
    "（目录 price_caps）。涉及金额 = (单价 − 限价) × 数量；无限价或目录外项目不判定。"
    "超限价无正当理由，须更正单价，不可签字放行。",
)


@hookimpl(trylast=True)
def yibao_register_rules(register: RuleRegistrar) -> None:
    """Register YB-PRICE-CAP."""
    register(SPEC)


@hookimpl(trylast=True)
def yibao_check_charge(charge: Charge, context: Context) -> Iterator[Finding]:
    """事中: the charge line's unit price against the cap in force on its date."""
    if charge.quantity > 0 and context.active(RULE_ID, charge.charged_at):
        yield from _check(charge, charge.quantity, context)


@hookimpl(trylast=True)
def yibao_audit_visit(visit: Visit, context: Context) -> Iterator[Finding]:
    """事后: every line still billed after refunds, for the quantity still billed."""
    live = live_quantities(visit.charges)
    for charge in visit.charges:
        if charge.charge_id in live and context.active(RULE_ID, charge.charged_at):
            yield from _check(charge, live[charge.charge_id], context)


def _check(charge: Charge, quantity: Decimal, context: Context) -> Iterator[Finding]:
    item = context.item(charge.item_code)
    if item is None:
        return
    cap = item.cap_for(context.hospital.level, charge.charged_at.date())
    tolerance: Decimal = context.params(RULE_ID)["tolerance"]
    if cap is not None and charge.unit_price > cap.price + tolerance:
        name = charge.name or item.name
        yield _finding(context, charge, quantity, cap, name)


def _finding(
    context: Context, charge: Charge, quantity: Decimal, cap: PriceCap, name: str
) -> Finding:
    excess = charge.unit_price - cap.price
    amount = (excess * quantity).quantize(_CENT, rounding=ROUND_HALF_UP)
    level = _LEVEL.get(cap.level.value, cap.level.value)
    label = f"{name}({charge.item_code})" if name else charge.item_code
    span = f"{cap.valid_from}至{cap.valid_to}" if cap.valid_to else f"{cap.valid_from}起"
    message = (
        f"超标准收费：{label}（{charge.charge_id}，{charge.charged_at:%Y-%m-%d %H:%M}）"
        f"单价{charge.unit_price:.2f}元高于{level}医院最高限价{cap.price:.2f}元"
        f"（{span}执行），超出{excess:.2f}元×数量{quantity.normalize():f}"
        f"={amount:.2f}元"
    )
    evidence = (f"国家规则102001超标准收费；目录限价 {charge.item_code} {level} {cap.price:.2f}元 "
                f"{cap.valid_from}–{cap.valid_to or '至今'}")
    return context.finding(RULE_ID, subject_of(charge), message, amount=amount, evidence=evidence)
