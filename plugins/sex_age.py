"""YB-SEX-LIMIT and YB-AGE-LIMIT: catalogue items restricted by sex or age (限性别/限年龄)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal

from yibao_sdk.models.catalog import AgeLimit, CatalogItem
from yibao_sdk.models.charge import Charge
from yibao_sdk.models.order import Order
from yibao_sdk.models.patient import AgeUnit, Sex
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
from yibao_sdk.rules.netting import live_quantities

__all__ = ["AGE_RULE_ID", "AGE_SPEC", "RULE_IDS", "SEX_RULE_ID", "SEX_SPEC"]

SEX_RULE_ID = "YB-SEX-LIMIT"
AGE_RULE_ID = "YB-AGE-LIMIT"
RULE_IDS = (SEX_RULE_ID, AGE_RULE_ID)

_STAGES = frozenset({Stage.PRE, Stage.MID, Stage.POST})
_POLICY = OverridePolicy(reason_required=True, signatures=2)
_EXEMPT = Param("exempt_self_pay", bool, True, "患者自费的费用行不判定（限定支付范围规则）")
_SEX = {Sex.MALE: "男性", Sex.FEMALE: "女性", Sex.UNKNOWN: "未知", Sex.UNSTATED: "未说明"}
_UNIT = {AgeUnit.DAY: ("日龄", "天"), AgeUnit.MONTH: ("月龄", "个月"), AgeUnit.YEAR: ("年龄", "岁")}

SEX_SPEC = RuleSpec(
    rule_id=SEX_RULE_ID,
    name="限性别",
    category="限定支付范围",
    stages=_STAGES,
    default_severity=Severity.BLOCK,
    parameters=(
        Param("unknown_sex", Severity, Severity.WARN,
              "患者性别为未知(0)或未说明(9)时的严重程度：info | warn | block"),
        _EXEMPT,
    ),
    override=_POLICY,
    description="国家第一批知识点：限性别的药品、诊疗项目或耗材用于目录限定以外性别的患者"
    "（目录 sex）。患者性别未知/未说明时按 unknown_sex 提示核实。",
)

AGE_SPEC = RuleSpec(
    rule_id=AGE_RULE_ID,
    name="限年龄",
    category="限定支付范围",
    stages=_STAGES,
    default_severity=Severity.BLOCK,
    parameters=(_EXEMPT,),
    override=_POLICY,
    description="国家第一批、第八批知识点：限儿童、新生儿等年龄段的项目，按服务日期的周岁/月龄/日龄"
    "（目录 age 的单位）不在限定范围内（两端均含）。",
)


@hookimpl(trylast=True)
def yibao_register_rules(register: RuleRegistrar) -> None:
    """Register YB-SEX-LIMIT and YB-AGE-LIMIT."""
    register(SEX_SPEC)
    register(AGE_SPEC)


@hookimpl(trylast=True)
def yibao_check_order(order: Order, context: Context) -> Iterator[Finding]:
    """事前: an order for a restricted item (by ``item_code``)."""
    yield from _check(subject_of(order), order.item_code, context)


@hookimpl(trylast=True)
def yibao_check_charge(charge: Charge, context: Context) -> Iterator[Finding]:
    """事中: a billed line of a restricted item (refund lines are never checked)."""
    if charge.quantity > 0:
        yield from _check_charge(charge, charge.amount, context)


@hookimpl(trylast=True)
def yibao_audit_visit(visit: Visit, context: Context) -> Iterator[Finding]:
    """事后: every line still billed after refunds."""
    live = live_quantities(visit.charges)
    for charge in visit.charges:
        if charge.charge_id in live:
            amount = (live[charge.charge_id] * charge.unit_price).quantize(Decimal("0.01"))
            yield from _check_charge(charge, amount, context)


def _check_charge(charge: Charge, amount: Decimal, context: Context) -> Iterator[Finding]:
    item = context.item(charge.item_code)
    if item is None or (item.sex is None and item.age is None):
        return  # most lines: no limit, so no Subject to build
    yield from _check(subject_of(charge), charge.item_code, context, amount=amount,
                      self_pay=charge.self_pay)


def _check(subject: Subject, code: str, context: Context, *, amount: Decimal | None = None,
           self_pay: bool = False) -> Iterator[Finding]:
    item = context.item(code)
    if item is None:
        return
    if item.sex is not None and _applies(SEX_RULE_ID, subject.at, self_pay, context):
        yield from _sex(item, item.sex, subject, amount, context)
    if item.age is not None and _applies(AGE_RULE_ID, subject.at, self_pay, context):
        yield from _age(item, item.age, subject, amount, context)


def _applies(rule_id: str, when: datetime | None, self_pay: bool, context: Context) -> bool:
    if not context.active(rule_id, when):
        return False
    return not (self_pay and context.params(rule_id)["exempt_self_pay"])


def _sex(item: CatalogItem, limit: Sex, subject: Subject, amount: Decimal | None,
         context: Context) -> Iterator[Finding]:
    sex = context.patient.sex
    if sex is limit:
        return
    unknown = sex in (Sex.UNKNOWN, Sex.UNSTATED)
    severity: Severity | None = context.params(SEX_RULE_ID)["unknown_sex"] if unknown else None
    verdict = "请核实患者性别" if unknown else "不符合限定性别"
    message = (f"限性别：{_label(item)} 限{_SEX[limit]}使用，患者性别为{_SEX[sex]}"
               f"（{subject.id}，{_day(subject)}），{verdict}")
    evidence = f"医保目录限性别：{item.code} 限{_SEX[limit]}（gend={limit.value}）"
    yield context.finding(SEX_RULE_ID, subject, message, severity=severity, amount=amount,
                          evidence=evidence)


def _age(item: CatalogItem, limit: AgeLimit, subject: Subject, amount: Decimal | None,
         context: Context) -> Iterator[Finding]:
    day = subject.at.date() if subject.at else context.now().date()
    age = context.patient.age_on(day, limit.unit)
    if limit.allows(age):
        return
    kind, unit = _UNIT[limit.unit]
    message = (f"限年龄：{_label(item)} 限{_band(limit)}，患者于{day}{kind}为{age}{unit}"
               f"（{subject.id}），不在限定范围内")
    evidence = f"医保目录限年龄：{item.code} {_band(limit)}（按{kind}计，两端均含）"
    yield context.finding(AGE_RULE_ID, subject, message, amount=amount, evidence=evidence)


def _band(limit: AgeLimit) -> str:
    unit = _UNIT[limit.unit][1]
    if limit.minimum is not None and limit.maximum is not None:
        return f"{limit.minimum}–{limit.maximum}{unit}"
    if limit.minimum is not None:
        return f"{limit.minimum}{unit}及以上"
    return f"{limit.maximum}{unit}及以下"


def _label(item: CatalogItem) -> str:
    return f"{item.name}({item.code})" if item.name and item.name != item.code else item.code


def _day(subject: Subject) -> str:
    return f"{subject.at:%Y-%m-%d}" if subject.at else ""
