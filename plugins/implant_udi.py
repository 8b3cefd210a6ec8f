"""YB-IMPLANT-UDI: implants carry a valid, unexpired, never-reused UDI (植入类耗材追溯)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date

from yibao_sdk.codes import Udi, parse_udi
from yibao_sdk.errors import CodeFormatError
from yibao_sdk.models import Charge, Implant, SurgeryRecord, Visit
from yibao_sdk.models.record import Record
from yibao_sdk.rules import Context, UdiUse, hookimpl, subject_of, udi_key
from yibao_sdk.rules.findings import Finding, OverridePolicy, Severity, Stage, Subject
from yibao_sdk.rules.spec import Param, RuleRegistrar, RuleSpec

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
        "序列号不得重复使用、计费数量不超过有效UDI数；手术记录还须有收费代码与院内条码。"
        "追溯数据错误只能补录更正，不能签字放行。"
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
        yield from _charge_findings(charge, context.visit, context)


@hookimpl(trylast=True)
def yibao_audit_visit(visit: Visit, context: Context) -> Iterator[Finding]:
    """事后: every surgery record and implant line of the visit."""
    if not context.active(RULE_ID):
        return
    for record in visit.records:
        if isinstance(record, SurgeryRecord):
            yield from _record_findings(record, visit, context)
    for charge in visit.charges:
        if _is_implant_charge(charge, context):
            yield from _charge_findings(charge, visit, context)


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


def _keys(texts: Iterable[str | None]) -> set[str]:
    """Serial keys (DI/serial) of the serial-tracked UDIs among ``texts``."""
    return {key for text in texts if text and (key := udi_key(text)) is not None}


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
            for key in _keys(i.udi for i in other.implants):
                found[key].append(subject_of(other))
    return found


def _charge_findings(charge: Charge, visit: Visit, context: Context) -> Iterator[Finding]:
    day = charge.charged_at.date()
    label = f"收费{charge.item_code}{charge.name}"
    parsed = {text: _parse(text, day) for text in charge.udis}
    hits: list[_Hit] = [] if charge.udis else [(f"{label}为植入类耗材但未扫描UDI", ())]
    for text, udi in parsed.items():
        hits.extend((m, ()) for m in _udi_hits(text, udi, f"{label}的", day, "收费日期"))
    scans = [(f"{label}第{n}个", text) for n, text in enumerate(charge.udis, 1)]
    hits.extend(_reuse_hits(scans, _billed_before(charge, visit), "收费", context))
    distinct = {(u.di, u.pi) for u in parsed.values() if isinstance(u, Udi)}
    if charge.udis and charge.quantity > len(distinct):
        qty = format(charge.quantity.normalize(), "f")
        hits.append((f"{label}计费数量{qty}超过有效UDI数{len(distinct)}", ()))
    evidence = f"收费{charge.charge_id}，UDI：{'; '.join(charge.udis) or '无'}"
    subject, amount = subject_of(charge), charge.amount
    for message, related in hits:
        yield context.finding(
            RULE_ID, subject, message, amount=amount, evidence=evidence, related=related
        )


def _billed_before(charge: Charge, visit: Visit) -> dict[str, list[Subject]]:
    """Serials billed on other lines up to this one and not refunded (a refund line cancels)."""
    net: dict[str, int] = defaultdict(int)
    lines: dict[str, list[Subject]] = defaultdict(list)
    for other in visit.charges:
        refund = other.quantity < 0
        if other.charge_id == charge.charge_id or (
            not refund and other.charged_at > charge.charged_at
        ):
            continue
        for key in _keys(other.udis):
            net[key] += -1 if refund else 1
            if not refund:
                lines[key].append(subject_of(other))
    return {key: lines[key] for key, count in net.items() if count > 0}
