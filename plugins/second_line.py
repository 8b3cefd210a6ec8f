"""YB-SECOND-LINE: a second-line drug order needs two senior signatures (限二线用药双签)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from pydantic import PositiveInt

from yibao_sdk.models import DrugOrder, GreyListTier, ProfessionalTitle, Visit
from yibao_sdk.models.order import Order
from yibao_sdk.rules import Context, hookimpl, subject_of
from yibao_sdk.rules.findings import Finding, OverridePolicy, Severity, Stage
from yibao_sdk.rules.spec import Param, RuleRegistrar, RuleSpec

RULE_ID = "YB-SECOND-LINE"

_BARRED = {
    GreyListTier.RESTRICTED: "限制",
    GreyListTier.SUSPENDED: "暂停",
    GreyListTier.TERMINATED: "终止",
}
"""Grey-list tiers whose signature does not count (the 观察 tier still signs)."""

SPEC = RuleSpec(
    rule_id=RULE_ID,
    name="限二线用药须副主任医师及以上双签",
    category="限定支付范围",
    stages=frozenset({Stage.PRE, Stage.POST}),
    default_severity=Severity.BLOCK,
    parameters=(
        Param("min_signatures", PositiveInt, 2, "所需合格签名医师人数（同一人多次签名只算一人）"),
        Param(
            "min_title",
            ProfessionalTitle,
            ProfessionalTitle.ASSOCIATE_CHIEF,
            "签名医师的最低职称（未登记或开具当日列入灰名单限制级及以上的签名人不计）",
        ),
    ),
    override=OverridePolicy(signatures=2, min_title=ProfessionalTitle.ASSOCIATE_CHIEF),
    description=(
        "目录标记为限二线用药的药品医嘱，须由不少于规定人数、职称不低于规定职称的不同医师签名；"
        "医嘱日期当日灰名单为限制、暂停或终止级的医师签名无效（观察级仍有效）；"
        "事前拦截开立，事后复查本次就诊的全部药品医嘱。"
    ),
)


@hookimpl(trylast=True)
def yibao_register_rules(register: RuleRegistrar) -> None:
    """Register YB-SECOND-LINE."""
    register(SPEC)


@hookimpl(trylast=True)
def yibao_check_order(order: Order, context: Context) -> Iterator[Finding]:
    """事前: a drug order before it is signed off."""
    if isinstance(order, DrugOrder) and context.active(RULE_ID, order.ordered_at):
        yield from _check(order, context)


@hookimpl(trylast=True)
def yibao_audit_visit(visit: Visit, context: Context) -> Iterator[Finding]:
    """事后: every drug order of the visit."""
    if not context.active(RULE_ID):
        return
    for order in visit.orders:
        if isinstance(order, DrugOrder):
            yield from _check(order, context)


def _check(order: DrugOrder, context: Context) -> Iterator[Finding]:
    item = context.item(order.item_code)
    if item is None or not item.second_line:
        return
    params = context.params(RULE_ID)
    need: int = params["min_signatures"]
    title: ProfessionalTitle = params["min_title"]
    day = order.ordered_at.date()
    qualified = [pid for pid in order.signers if _qualifies(pid, title, day, context)]
    if len(qualified) >= need:
        return
    signers = "、".join(_describe(pid, day, context) for pid in sorted(order.signers)) or "无"
    message = (
        f"限二线用药{item.name or order.name}（{order.item_code}）须{need}名{title}及以上医师签名，"
        f"合格签名{len(qualified)}名；签名医师：{signers}"
    )
    yield context.finding(
        RULE_ID,
        subject_of(order),
        message,
        evidence=f"医嘱{order.order_id}；目录{item.code}标记为限二线用药",
    )


def _qualifies(
    practitioner_id: str, title: ProfessionalTitle, day: date, context: Context
) -> bool:
    person = context.practitioner(practitioner_id)
    return (
        person is not None
        and person.title.at_least(title)
        and _barred(practitioner_id, day, context) is None
    )


def _barred(practitioner_id: str, day: date, context: Context) -> str | None:
    """The grey-list tier that voids the signature (限制/暂停/终止) on ``day``, or None."""
    return _BARRED.get(context.tier(practitioner_id, day))


def _describe(practitioner_id: str, day: date, context: Context) -> str:
    person = context.practitioner(practitioner_id)
    if person is None:
        return f"{practitioner_id}（未登记）"
    barred = _barred(practitioner_id, day, context)
    void = f"，灰名单{barred}级，签名无效" if barred else ""
    return f"{practitioner_id}（{person.title}{void}）"
