"""YB-IMPLANT-UDI: implants carry a valid, unexpired, never-reused UDI (植入类耗材追溯)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from decimal import Decimal

from yibao_sdk.codes import Udi, parse_udi
from yibao_sdk.errors import CodeFormatError
from yibao_sdk.models import Charge, Implant, SurgeryRecord, Visit
from yibao_sdk.models.record import Record
from yibao_sdk.rules import Context, UdiUse, hookimpl, subject_of, udi_key
from yibao_sdk.rules.findings import Finding, OverridePolicy, Severity, Stage, Subject
from yibao_sdk.rules.netting import LiveLine, live_lines, serial_keys
from yibao_sdk.rules.spec import Param, RuleRegistrar, RuleSpec

from ._udi_netting import billed_before, unit_count

RULE_ID = "YB-IMPLANT-UDI"

SPEC = RuleSpec(
    rule_id=RULE_ID,
    name="植入类耗材UDI追溯",
    category="耗材追溯",
    stages=frozenset({Stage.MID, Stage.POST}),
    default_severity=Severity.BLOCK,
    parameters=(Param("require_barcode", bool, True, "手术记录中的植入物须填写院内条码"),),
    override=OverridePolicy(overridable=False),
    description=(
        "手术记录提交及植入类耗材收费时校验UDI：必须填写、可解析且校验位正确、手术/收费日未过期、"
        "序列号不得重复使用（退费行按原费用明细流水号冲销所退收费的UDI）、计费数量不超过有效UDI数"
        "（带序列号的UDI按不同序列号计，无序列号的UDI每次扫码计一件）；手术记录还须有收费代码与"
        "院内条码。追溯数据错误只能补录更正，不能签字放行。"
    ),
)

_Hit = tuple[str, tuple[Subject, ...]]


@hookimpl(trylast=True)
def yibao_register_rules(register: RuleRegistrar) -> None:
    """Register YB-IMPLANT-UDI."""
    register(SPEC)


@hookimpl(trylast=True)
def yibao_check_record(record: Record, context: Context) -> Iterator[Finding]:
    """事中: a surgery record is submitted."""
    if isinstance(record, SurgeryRecord) and context.active(RULE_ID, record.recorded_at):
        yield from _record_findings(record, context.visit, context)


@hookimpl(trylast=True)
def yibao_check_charge(charge: Charge, context: Context) -> Iterator[Finding]:
    """事中: an implant (or UDI-scanned) consumable line is billed."""
    if _is_implant_charge(charge, context) and context.active(RULE_ID, charge.charged_at):
        lines = live_lines(context.visit.charges)
        yield from _charge_findings(charge, charge.quantity, lines, context)


@hookimpl(trylast=True)
def yibao_audit_visit(visit: Visit, context: Context) -> Iterator[Finding]:
    """事后: every surgery record, and every implant line still billed after refunds."""
    if not context.active(RULE_ID):
        return
    for record in visit.records:
        if isinstance(record, SurgeryRecord):
            yield from _record_findings(record, visit, context)
    if not any(_is_implant_charge(c, context) for c in visit.charges):
        return
    lines = live_lines(visit.charges)
    for line in lines:
        if line.quantity > 0 and _is_implant_charge(line.charge, context):
            yield from _charge_findings(line.charge, line.quantity, lines, context)


def _is_implant_charge(charge: Charge, context: Context) -> bool:
    if charge.self_pay or charge.quantity <= 0:
        return False
    item = context.item(charge.item_code)
    return bool(charge.udis) or (item is not None and item.implant)


def _record_findings(record: SurgeryRecord, visit: Visit, context: Context) -> Iterator[Finding]:
    day = record.recorded_at.date()
    hits: list[_Hit] = []
    for n, implant in enumerate(record.implants, 1):
        hits.extend((m, ()) for m in _implant_hits(implant, _label(n, implant), day, context))
    scans = [(_label(n, i), i.udi) for n, i in enumerate(record.implants, 1)]
    hits.extend(_reuse_hits(scans, _implanted_before(record, visit), "手术记录", context))
    evidence = f"手术记录{record.record_id}，手术日期{day}"
    for message, related in hits:
        yield context.finding(
            RULE_ID, subject_of(record), message, evidence=evidence, related=related
        )


def _label(n: int, implant: Implant) -> str:
    return f"第{n}个植入物「{implant.name or '未命名'}」"


def _implant_hits(implant: Implant, label: str, day: date, context: Context) -> Iterator[str]:
    if not implant.udi:
        yield f"{label}未填写UDI"
    else:
        yield from _udi_hits(implant.udi, _parse(implant.udi, day), label, day, "手术日期")
    if not implant.charge_code:
        yield f"{label}未填写收费代码"
    if not implant.barcode and context.params(RULE_ID)["require_barcode"]:
        yield f"{label}未填写院内条码"


def _parse(text: str, day: date) -> Udi | CodeFormatError:
    try:
        return parse_udi(text, reference=day)
    except CodeFormatError as exc:
        return exc


def _udi_hits(
    text: str, udi: Udi | CodeFormatError, label: str, day: date, what: str
) -> Iterator[str]:
    if isinstance(udi, CodeFormatError):
        yield f"{label}UDI无法解析或校验位错误：{udi}"
    elif udi.is_expired_on(day):
        yield f"{label}UDI {text} 已过期：有效期至{udi.expiry}，{what}{day}"


def _history_hits(key: str, label: str, context: Context) -> Iterator[_Hit]:
    """One hit per other visit that billed or implanted the serial ``key``."""
    by_visit: dict[str, list[UdiUse]] = defaultdict(list)
    for use in context.history.udi_uses(key):
        if use.visit_id != context.visit.visit_id:
            by_visit[use.visit_id].append(use)
    for visit_id, uses in by_visit.items():
        when = min(u.used_at for u in uses)
        where = f"就诊{visit_id}（条目{'、'.join(u.item_id for u in uses)}）"
        yield f"{label}UDI序列号{key}已于{when:%Y-%m-%d %H:%M}在{where}中使用", ()


def _reuse_hits(
    scans: Iterable[tuple[str, str | None]],
    elsewhere: dict[str, list[Subject]],
    where: str,
    context: Context,
) -> Iterator[_Hit]:
    """Serials repeated within the subject, used in another visit, or elsewhere in this one."""
    first: dict[str, str] = {}
    for label, text in scans:
        key = udi_key(text) if text else None
        if key is None:
            continue
        if key in first:
            yield f"{label}UDI序列号{key}与{first[key]}重复", ()
            continue
        first[key] = label
        yield from _history_hits(key, label, context)
        if key in elsewhere:
            ids = "、".join(s.id for s in elsewhere[key])
            yield f"{label}UDI序列号{key}已在本次就诊的{where}{ids}中使用", tuple(elsewhere[key])


def _implanted_before(record: SurgeryRecord, visit: Visit) -> dict[str, list[Subject]]:
    """Serials recorded in the visit's other surgery records up to this one."""
    found: dict[str, list[Subject]] = defaultdict(list)
    for other in visit.records:
        if not isinstance(other, SurgeryRecord) or other.record_id == record.record_id:
            continue
        if other.recorded_at <= record.recorded_at:
            for key in serial_keys(i.udi for i in other.implants if i.udi):
                found[key].append(subject_of(other))
    return found


def _charge_findings(
    charge: Charge, quantity: Decimal, lines: Sequence[LiveLine], context: Context
) -> Iterator[Finding]:
    day = charge.charged_at.date()
    label = f"收费{charge.item_code}{charge.name}"
    parsed = {text: _parse(text, day) for text in charge.udis}
    hits: list[_Hit] = [] if charge.udis else [(f"{label}为植入类耗材但未扫描UDI", ())]
    for text, udi in parsed.items():
        hits.extend((m, ()) for m in _udi_hits(text, udi, f"{label}的", day, "收费日期"))
    scans = [(f"{label}第{n}个", text) for n, text in enumerate(charge.udis, 1)]
    hits.extend(_reuse_hits(scans, billed_before(charge, lines), "收费", context))
    if charge.udis:
        valid = [u for text in charge.udis if isinstance(u := parsed[text], Udi)]
        hits.extend(_quantity_hits(quantity, valid, label))
    evidence = f"收费{charge.charge_id}，UDI：{'; '.join(charge.udis) or '无'}"
    subject, amount = subject_of(charge), charge.amount
    if quantity != charge.quantity:  # 事后, partly refunded: the amount still billed
        amount = (quantity * charge.unit_price).quantize(Decimal("0.01"))
    for message, related in hits:
        yield context.finding(
            RULE_ID, subject, message, amount=amount, evidence=evidence, related=related
        )


def _quantity_hits(quantity: Decimal, scans: Sequence[Udi], label: str) -> Iterator[_Hit]:
    """Billed quantity against the units scanned: distinct serials plus lot-only scans."""
    serials, lot_only = unit_count(scans)
    if quantity > serials + lot_only:
        qty = format(quantity.normalize(), "f")
        detail = f"（不同序列号{serials}个，无序列号UDI扫码{lot_only}次）" if lot_only else ""
        yield f"{label}计费数量{qty}超过有效UDI数{serials + lot_only}{detail}", ()
