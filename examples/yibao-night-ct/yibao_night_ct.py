"""HOSP-NIGHT-CT (夜间CT需急诊指征): a CT ordered at night must be marked urgent."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from yibao_sdk import Finding, Param, RuleSpec, Severity, Stage, hookimpl
from yibao_sdk.models import Order
from yibao_sdk.rules import Context, RuleRegistrar, subject_of

RULE_ID = "HOSP-NIGHT-CT"

SPEC = RuleSpec(
    rule_id=RULE_ID,
    name="夜间CT需急诊指征",
    category="本院规则",
    stages=frozenset({Stage.PRE}),
    default_severity=Severity.WARN,
    parameters=(
        Param("night_start", int, 22, "夜间起始整点 (含)"),
        Param("night_end", int, 6, "夜间结束整点 (不含)"),
    ),
    description="夜间开立的CT检查医嘱未标记急诊/抢救时提示医生确认急诊指征。",
)


def is_night(at: datetime, start: int, end: int) -> bool:
    """True if ``at`` falls in ``[start:00, end:00)``, a window that may wrap past midnight."""
    if start <= end:
        return start <= at.hour < end
    return at.hour >= start or at.hour < end


@hookimpl
def yibao_register_rules(register: RuleRegistrar) -> None:
    """Declare HOSP-NIGHT-CT and its two parameters."""
    register(SPEC)


@hookimpl
def yibao_check_order(order: Order, context: Context) -> Iterator[Finding]:
    """Warn about a CT order placed at night without the urgent flag."""
    if order.kind != "imaging" or order.modality.upper() != "CT" or order.urgent:
        return
    params = context.params(RULE_ID)
    if is_night(order.ordered_at, params["night_start"], params["night_end"]):
        yield context.finding(
            RULE_ID,
            subject_of(order),
            f"夜间CT检查({order.ordered_at:%H:%M})未标记急诊，请确认急诊指征",
            evidence="本院医保管理规定：夜间大型设备检查限急诊/抢救",
        )
