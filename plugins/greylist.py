"""YB-GREYLIST: practitioners scoring points (医保医师记分) are watched, restricted or stopped."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import PositiveInt

from yibao_sdk.models import CatalogItem, Charge, GreyListTier, Visit
from yibao_sdk.models.order import Order
from yibao_sdk.rules import Context, hookimpl, subject_of
from yibao_sdk.rules.findings import Finding, OverridePolicy, Severity, Stage, Subject
from yibao_sdk.rules.spec import Param, RuleRegistrar, RuleSpec
from yibao_sdk.rules.tiers import GREYLIST_RULE_ID, points_in_year

RULE_ID = GREYLIST_RULE_ID

_NOT_OVERRIDABLE = OverridePolicy(overridable=False)
_REASON = OverridePolicy(reason_required=True)
_STOPPED = {GreyListTier.SUSPENDED: "暂停", GreyListTier.TERMINATED: "终止"}
_TIER_NAMES = {
    GreyListTier.WATCH: "观察",
    GreyListTier.RESTRICTED: "限制",
    GreyListTier.SUSPENDED: "暂停",
    GreyListTier.TERMINATED: "终止",
}


def _ascending(params: Mapping[str, Any]) -> None:
    """Tier thresholds must rise: watch < restricted < suspended < terminated."""
    names = ("watch_points", "restricted_points", "suspended_points", "terminated_points")
    values = [params[n] for n in names]
    if values != sorted(set(values)):
        shown = ", ".join(f"{n}={v}" for n, v in zip(names, values, strict=True))
        raise ValueError(f"tier thresholds must strictly increase: {shown}")


SPEC = RuleSpec(
    rule_id=RULE_ID,
    name="医保医师灰名单（记分管理）",
    category="医保医师管理",
    stages=frozenset({Stage.PRE, Stage.MID}),
    default_severity=Severity.BLOCK,
    parameters=(
        Param("watch_points", PositiveInt, 3, "自然年度记分达到此值列入观察名单（黄灯须填写理由）"),
        Param("restricted_points", PositiveInt, 6, "达到此值限制开具二线药品及高值/植入耗材"),
        Param("suspended_points", PositiveInt, 9, "达到此值暂停医保支付资格（急诊抢救除外）"),
        Param("terminated_points", PositiveInt, 12, "达到此值终止医保支付资格"),
    ),
    override=_NOT_OVERRIDABLE,
    validate=_ascending,
    description=(
        "按医保医师自然年度记分（及医保办登记的等级，取较重者）分级：观察级提示且黄灯须填写理由；"
        "限制级不得开具二线药品、高值或植入耗材；暂停/终止级的医保医嘱与收费一律拦截；"
        "以上拦截均不可签字放行，急诊抢救（急诊就诊或急医嘱）仅黄灯提示且须填写理由。"
    ),
)


@hookimpl(trylast=True)
def yibao_register_rules(register: RuleRegistrar) -> None:
    """Register YB-GREYLIST (its parameters hold the tier thresholds)."""
    register(SPEC)


@hookimpl(trylast=True)
def yibao_check_order(order: Order, context: Context) -> Iterator[Finding]:
    """事前: an order by a grey-listed practitioner."""
    if not context.active(RULE_ID, order.ordered_at):
        return
    request = _Request(
        subject=subject_of(order),
        who=order.practitioner_id,
        item=context.item(order.item_code),
        what=f"医嘱{order.item_code or order.order_id}",
        urgent=context.visit.emergency or order.urgent,
    )
    yield from _findings(request, context)


@hookimpl(trylast=True)
def yibao_check_charge(charge: Charge, context: Context) -> Iterator[Finding]:
    """事中: an insurance charge ordered by a grey-listed practitioner."""
    who = charge.ordering_practitioner_id
    if charge.self_pay or charge.quantity <= 0 or not who:
        return
    if not context.active(RULE_ID, charge.charged_at):
        return
    request = _Request(
        subject=subject_of(charge),
        who=who,
        item=context.item(charge.item_code),
        what=f"收费{charge.item_code}",
        urgent=_emergency(charge, context.visit),
        amount=charge.amount,
    )
    yield from _findings(request, context)


def _emergency(charge: Charge, visit: Visit) -> bool:
    """An emergency visit, or a line billed from an urgent order."""
    return visit.emergency or any(
        o.urgent for o in visit.orders if charge.order_id and o.order_id == charge.order_id
    )


@dataclass(frozen=True, slots=True)
class _Request:
    """What is asked for: an order or charge, by whom, for which catalogue item."""

    subject: Subject
    who: str
    item: CatalogItem | None
    what: str
    urgent: bool
    amount: Decimal | None = None

    def finding(self, context: Context, message: str, **kw: Any) -> Finding:
        return context.finding(RULE_ID, self.subject, message, amount=self.amount, **kw)


def _findings(request: _Request, context: Context) -> Iterator[Finding]:
    at = request.subject.at or context.now()
    tier = context.tier(request.who, at.date())
    if tier is GreyListTier.NORMAL:
        return
    status = _status(request.who, tier, at.date(), context)
    if tier in _STOPPED:
        status = f"{status}：医保支付资格已{_STOPPED[tier]}"
        yield _blocked(request, status, f"{status}，不得开具医保{request.what}", context)
    elif tier is GreyListTier.RESTRICTED and _restricted(request.item):
        kind = "二线药品" if request.item and request.item.second_line else "高值/植入耗材"
        ban = f"{status}：限制级医师不得开具{kind}{request.what}"
        yield _blocked(request, f"{status}：限制级医师开具{kind}", ban, context)
    else:
        message = f"{status}：列入{_TIER_NAMES[tier]}名单，黄灯须填写理由"
        yield request.finding(context, message, severity=Severity.INFO)


def _blocked(request: _Request, status: str, ban: str, context: Context) -> Finding:
    """Red that cannot be overridden (``ban``); in an emergency (urgent order or emergency
    visit) a warn that needs a reason."""
    if request.urgent:
        message = f"{status}，急诊/抢救{request.what}仅提示，须填写理由"
        return request.finding(context, message, severity=Severity.WARN, policy=_REASON)
    return request.finding(context, ban, policy=_NOT_OVERRIDABLE)


def _status(who: str, tier: GreyListTier, day: date, context: Context) -> str:
    points = points_in_year(context.practitioners, who, day.year)
    text = f"医师{who} {day.year}年度记分{points}分，灰名单{_TIER_NAMES[tier]}级"
    person = context.practitioner(who)
    return text + ("（医保办登记）" if person is not None and person.tier is tier else "")


def _restricted(item: CatalogItem | None) -> bool:
    return item is not None and (item.second_line or item.high_value or item.implant)
