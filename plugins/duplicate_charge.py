"""YB-DUP-CHARGE: a main item whose price includes another item billed with it (重复收费)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

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

__all__ = ["DEFAULT_PAIRS", "RULE_ID", "SPEC", "Window"]

RULE_ID = "YB-DUP-CHARGE"


class Window(StrEnum):
    """How close the main and the included item must be to count as one service."""

    HOUR = "hour"
    """Within 60 minutes (同一小时)."""
    SIX_HOURS = "6h"
    """Within 6 hours (6小时)."""
    DAY = "day"
    """Same calendar day (单日)."""
    VISIT = "visit"
    """Same visit (单次就诊)."""


Pair = tuple[str, str, Window]
"""(main item code, included item code, window)."""

DEFAULT_PAIRS: tuple[Pair, ...] = (
    ("001103000010000", "001102000030000", Window.DAY),  # 急诊监护费 ⊃ 急诊诊查费 (batch 7)
    ("001103000010000", "001104000020000", Window.DAY),  # 急诊监护费 ⊃ Ⅰ级护理
    ("003301000150000", "003107010080000", Window.SIX_HOURS),  # 麻醉中监测 ⊃ 心电监测
    ("003107010080000", "003107010010000", Window.HOUR),  # 心电监测 ⊃ 常规心电图检查
)
"""Examples after the batch-7 knowledge points; replace them with the provincial table."""

_SPAN = {Window.HOUR: timedelta(hours=1), Window.SIX_HOURS: timedelta(hours=6)}
_LABEL = dict(zip(Window, ("60分钟内", "6小时内", "同日", "同次就诊"), strict=True))
_CENT = Decimal("0.01")

SPEC = RuleSpec(
    rule_id=RULE_ID,
    name="重复收费",
    category="医疗服务项目政策限定",
    stages=frozenset({Stage.MID, Stage.POST}),
    default_severity=Severity.BLOCK,
    parameters=(
        Param("pairs", tuple[tuple[str, str, Window], ...], DEFAULT_PAIRS,
              "(主项目编码, 被包含项目编码, 时间窗 hour|6h|day|visit)；默认值仅为示例，"
              "应替换为省级重复收费知识库"),
    ),
    override=OverridePolicy(signatures=2),
    description="国家规则102012：主项目价格已包含的项目在时间窗内另行收费（第七批知识点）。"
    "被包含项目计费时若主项目在时间窗内已计费（冲销后数量>0）即命中，反之亦然；"
    "事后审核对每条被包含费用只报一次，涉及金额为被包含费用金额。",
)


@hookimpl(trylast=True)
def yibao_register_rules(register: RuleRegistrar) -> None:
    """Register YB-DUP-CHARGE."""
    register(SPEC)


@hookimpl(trylast=True)
def yibao_check_charge(charge: Charge, context: Context) -> Iterator[Finding]:
    """事中: the charge is an included item of a billed main item, or the other way round."""
    if charge.quantity <= 0 or not context.active(RULE_ID, charge.charged_at):
        return
    pairs: tuple[Pair, ...] = context.params(RULE_ID)["pairs"]
    live = live_quantities(context.visit.charges)
    others = [c for c in context.visit.charges if c.charge_id in live]
    mains = _partners(charge, pairs, others, as_main=False)
    if mains:
        yield _included_finding(context, charge, charge.amount, mains)
    for included, window in _partners(charge, pairs, others, as_main=True).values():
        yield _main_finding(context, charge, included, window, _live_amount(included, live))


@hookimpl(trylast=True)
def yibao_audit_visit(visit: Visit, context: Context) -> Iterator[Finding]:
    """事后: flag each included charge once, with the main charges that include it."""
    pairs: tuple[Pair, ...] = context.params(RULE_ID)["pairs"]
    live = live_quantities(visit.charges)
    billed = [c for c in visit.charges if c.charge_id in live]
    for charge in billed:
        if not context.active(RULE_ID, charge.charged_at):
            continue
        mains = _partners(charge, pairs, billed, as_main=False)
        if mains:
            yield _included_finding(context, charge, _live_amount(charge, live), mains)


def _within(window: Window, a: datetime, b: datetime) -> bool:
    if window in _SPAN:
        return abs(a - b) < _SPAN[window]
    return window is Window.VISIT or a.date() == b.date()


def _partners(
    charge: Charge, pairs: Sequence[Pair], billed: Sequence[Charge], *, as_main: bool
) -> dict[str, tuple[Charge, Window]]:
    """Billed charges paired with ``charge`` (charge_id → (charge, window)), each once.

    ``as_main``: ``charge`` is the main item and the partners are included items; otherwise
    ``charge`` is an included item and the partners are the main items that include it.
    """
    found: dict[str, tuple[Charge, Window]] = {}
    for main_code, included_code, window in pairs:
        mine, theirs = (main_code, included_code) if as_main else (included_code, main_code)
        if charge.item_code != mine:
            continue
        for other in billed:
            if (other.item_code == theirs and other.charge_id != charge.charge_id
                    and _within(window, charge.charged_at, other.charged_at)):
                found.setdefault(other.charge_id, (other, window))
    return found


def _live_amount(charge: Charge, live: Mapping[str, Decimal]) -> Decimal:
    quantity = live.get(charge.charge_id, charge.quantity)
    if quantity == charge.quantity:
        return charge.amount
    return (quantity * charge.unit_price).quantize(_CENT)


def _label(charge: Charge) -> str:
    return f"{charge.name}({charge.item_code})" if charge.name else charge.item_code


def _when(charge: Charge) -> str:
    return f"{charge.charge_id}于{charge.charged_at:%Y-%m-%d %H:%M}"


def _evidence(main_code: str, included_code: str, window: Window) -> str:
    return (f"国家规则102012重复收费；知识点：{main_code} 包含 {included_code}，"
            f"时间窗 {window.value}（{_LABEL[window]}）")


def _included_finding(
    context: Context, charge: Charge, amount: Decimal, mains: Mapping[str, tuple[Charge, Window]]
) -> Finding:
    first, window = next(iter(mains.values()))
    listed = "、".join(f"{_label(m)}（{_when(m)}，{_LABEL[w]}）" for m, w in mains.values())
    message = (f"重复收费：{_label(charge)}（{_when(charge)}）已包含在已计费的主项目 {listed} "
               f"中，不得另收；涉及金额{amount:.2f}元")
    return context.finding(
        RULE_ID, subject_of(charge), message, amount=amount,
        evidence=_evidence(first.item_code, charge.item_code, window),
        related=[subject_of(m) for m, _ in mains.values()],
    )


def _main_finding(
    context: Context, charge: Charge, included: Charge, window: Window, amount: Decimal
) -> Finding:
    message = (f"重复收费：主项目 {_label(charge)}（{_when(charge)}）已包含 {_label(included)}，"
               f"但后者已在{_LABEL[window]}单独计费（{_when(included)}，{amount:.2f}元）；"
               f"涉及金额{amount:.2f}元")
    return context.finding(
        RULE_ID, subject_of(charge), message, amount=amount,
        evidence=_evidence(charge.item_code, included.item_code, window),
        related=[subject_of(included)],
    )
