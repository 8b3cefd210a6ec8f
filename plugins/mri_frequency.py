"""YB-MRI-24H: MRI plain+enhanced at most once per window for a patient (MRI平扫+增强限频)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, TypeGuard

from pydantic import PositiveInt

from yibao_sdk.models import Charge, ImagingOrder, ImagingScope, ProfessionalTitle, Visit
from yibao_sdk.models.order import Order
from yibao_sdk.rules import Context, hookimpl, subject_of
from yibao_sdk.rules.findings import Finding, OverridePolicy, Severity, Stage, Subject, SubjectKind
from yibao_sdk.rules.spec import Param, RuleRegistrar, RuleSpec

RULE_ID = "YB-MRI-24H"

SPEC = RuleSpec(
    rule_id=RULE_ID,
    name="MRI平扫+增强24小时内限做一次",
    category="诊疗项目频次限定",
    stages=frozenset({Stage.PRE, Stage.MID, Stage.POST}),
    default_severity=Severity.BLOCK,
    parameters=(
        Param("modalities", tuple[str, ...], ("MR",), "受限的检查设备类型（DICOM modality）"),
        Param("window_hours", PositiveInt, 24, "两次平扫+增强的最短间隔（小时），恰好等于时允许"),
        Param(
            "item_codes",
            tuple[str, ...],
            ("002102000020000", "002102000020100"),
            "MRI平扫+增强的国家医疗服务项目编码；默认值仅为示例，须按本省目录设置",
        ),
        Param("same_body_part_only", bool, False, "仅同一检查部位才算重复（部位未知按相同处理）"),
    ),
    override=OverridePolicy(signatures=1, min_title=ProfessionalTitle.ASSOCIATE_CHIEF),
    description=(
        "同一患者MRI平扫+增强在规定小时数内只能开具/收费一次（含既往就诊）；退费行冲销对应收费。"
        "确有临床必要的复查由一名副主任医师及以上签字放行。"
    ),
)


@dataclass(frozen=True, slots=True)
class _Exam:
    """One MRI plain+enhanced, from an order or a charge line."""

    subject: Subject
    at: datetime
    part: str
    visit_id: str


@hookimpl(trylast=True)
def yibao_register_rules(register: RuleRegistrar) -> None:
    """Register YB-MRI-24H."""
    register(SPEC)


@hookimpl(trylast=True)
def yibao_check_order(order: Order, context: Context) -> Iterator[Finding]:
    """事前: an MRI plain+enhanced order against earlier ones."""
    params = context.params(RULE_ID)
    if not context.active(RULE_ID, order.ordered_at) or not _is_mri(order, params):
        return
    [exam] = _order_exams([order], params, context.visit.visit_id)
    visit = _order_exams(context.visit.orders, params, context.visit.visit_id)
    earlier = [e for e in visit if e.at <= exam.at]
    yield from _findings(exam, [*earlier, *_history(exam, context, orders=True)], context)


@hookimpl(trylast=True)
def yibao_check_charge(charge: Charge, context: Context) -> Iterator[Finding]:
    """事中: an MRI plain+enhanced line against earlier, not refunded ones."""
    params = context.params(RULE_ID)
    if not context.active(RULE_ID, charge.charged_at) or charge.quantity <= 0:
        return
    visit = context.visit.model_copy(update={"charges": (*context.visit.charges, charge)})
    exams = _charge_exams(visit, params)
    exam = next((e for e in exams if e.subject.id == charge.charge_id), None)
    if exam is not None:
        earlier = [e for e in exams if e.at <= exam.at and e is not exam]
        history = _history(exam, context, orders=False)
        yield from _findings(exam, [*earlier, *history], context, charge.amount)


@hookimpl(trylast=True)
def yibao_audit_visit(visit: Visit, context: Context) -> Iterator[Finding]:
    """事后: each order and charge of the visit against those before it."""
    if not context.active(RULE_ID):
        return
    params = context.params(RULE_ID)
    amounts = {c.charge_id: c.amount for c in visit.charges}
    for orders, exams in (
        (True, _order_exams(visit.orders, params, visit.visit_id)),
        (False, _charge_exams(visit, params)),
    ):
        for i, exam in enumerate(exams):
            earlier = [*exams[:i], *_history(exam, context, orders=orders)]
            yield from _findings(exam, earlier, context, amounts.get(exam.subject.id))


def _is_mri(order: Order, params: Mapping[str, Any]) -> TypeGuard[ImagingOrder]:
    modalities = {m.upper() for m in params["modalities"]}
    return (
        isinstance(order, ImagingOrder)
        and order.modality.upper() in modalities
        and order.scope is ImagingScope.PLAIN_AND_ENHANCED
    )


def _order_exams(orders: Iterable[Order], params: Mapping[str, Any], visit_id: str) -> list[_Exam]:
    found = [
        _Exam(subject_of(o), o.ordered_at, o.body_part, visit_id)
        for o in orders
        if _is_mri(o, params)
    ]
    return sorted(found, key=lambda e: e.at)


def _charge_exams(visit: Visit, params: Mapping[str, Any]) -> list[_Exam]:
    """Insurance MRI lines of ``visit`` left after each refund line cancels one billed line."""
    lines = [c for c in visit.charges if not c.self_pay and c.item_code in params["item_codes"]]
    live = sorted((c for c in lines if c.quantity > 0), key=lambda c: c.charged_at)
    for refund in sorted((c for c in lines if c.quantity < 0), key=lambda c: c.charged_at):
        same_order = [c for c in live if refund.order_id and c.order_id == refund.order_id]
        candidates = same_order or [c for c in live if c.charged_at <= refund.charged_at]
        if candidates:
            live.remove(candidates[-1])
    parts = {o.order_id: o.body_part for o in visit.orders if isinstance(o, ImagingOrder)}
    return [
        _Exam(subject_of(c), c.charged_at, parts.get(c.order_id or "", ""), visit.visit_id)
        for c in live
    ]


def _history(exam: _Exam, context: Context, *, orders: bool) -> list[_Exam]:
    """Exams of earlier visits overlapping the window, done at or before ``exam``."""
    params = context.params(RULE_ID)
    within = timedelta(hours=params["window_hours"])
    found: list[_Exam] = []
    for visit in context.earlier_visits(exam.at, within):
        if orders:
            found += _order_exams(visit.orders, params, visit.visit_id)
        else:
            found += _charge_exams(visit, params)
    return [e for e in found if e.at <= exam.at]


def _findings(
    exam: _Exam, earlier: Iterable[_Exam], context: Context, amount: Decimal | None = None
) -> Iterator[Finding]:
    params = context.params(RULE_ID)
    window = timedelta(hours=params["window_hours"])
    for other in earlier:
        gap = exam.at - other.at
        if gap >= window or (params["same_body_part_only"] and not _same_part(exam, other)):
            continue
        minutes = int(gap.total_seconds()) // 60
        message = (
            f"MRI平扫+增强{params['window_hours']}小时内重复：本次{_describe(exam)}，"
            f"前次{_describe(other)}（就诊{other.visit_id}），"
            f"间隔{minutes // 60}小时{minutes % 60}分"
        )
        evidence = f"同一患者MRI平扫+增强间隔须不少于{params['window_hours']}小时"
        related = [other.subject]
        yield context.finding(
            RULE_ID, exam.subject, message, amount=amount, evidence=evidence, related=related
        )


def _same_part(a: _Exam, b: _Exam) -> bool:
    return not a.part or not b.part or a.part == b.part


def _describe(exam: _Exam) -> str:
    kind = "医嘱" if exam.subject.kind is SubjectKind.ORDER else "收费"
    part = f"，{exam.part}" if exam.part else ""
    return f"{kind}{exam.subject.id}（{exam.at:%Y-%m-%d %H:%M}{part}）"
