"""Text and JSON rendering for the ``yibao`` command line (kept apart from argument handling)."""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from enum import Enum
from typing import Annotated, Any, Literal, get_args, get_origin

from yibao_sdk.codes.masking import mask_name
from yibao_sdk.models.visit import Visit
from yibao_sdk.privacy import redact
from yibao_sdk.rules.findings import Colour, Finding, Severity, Stage, Verdict
from yibao_sdk.rules.replay import VisitReport
from yibao_sdk.rules.spec import Param, RegisteredRule

__all__ = [
    "render_report",
    "render_rules",
    "report_json",
    "rules_json",
    "toml_value",
    "type_label",
]

_ANSI = {"green": "32", "yellow": "33", "red": "31", "dim": "2", "bold": "1"}
_SEVERITY_COLOUR = {Severity.BLOCK: "red", Severity.WARN: "yellow", Severity.INFO: "dim"}


def _paint(text: str, style: str, on: bool) -> str:
    return f"\033[{_ANSI[style]}m{text}\033[0m" if on else text


def _when(at: datetime | None) -> str:
    return at.strftime("%Y-%m-%d %H:%M") if at is not None else "-"


def _width(text: str) -> int:
    """Columns ``text`` takes on a terminal (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - _width(text), 0)


def _policy_hint(finding: Finding) -> str:
    policy = finding.policy
    if finding.severity is Severity.BLOCK:
        if not policy.overridable:
            return "  [不可放行 not overridable]"
        return f"  [放行需 {policy.signatures} 名{policy.min_title}及以上签名]"
    if finding.severity is Severity.WARN and policy.reason_required:
        return "  [理由必填 reason required]"
    return ""


def _finding_line(finding: Finding, colour: bool, *, with_subject: bool = False) -> str:
    severity = _paint(f"{finding.severity:<5}", _SEVERITY_COLOUR[finding.severity], colour)
    about = f"{finding.subject.kind} {finding.subject.id}: " if with_subject else ""
    amount = f" (¥{finding.amount:.2f})" if finding.amount is not None else ""
    return f"    {severity} {finding.rule_id}  {about}{finding.message}{amount}" + _policy_hint(
        finding
    )


def _dot(verdict_colour: Colour, colour: bool, *, pad: bool = True) -> str:
    word = f"{verdict_colour:<6}" if pad else str(verdict_colour)
    return _paint(f"● {word}", str(verdict_colour), colour)


def _verdict_lines(verdict: Verdict, id_width: int, colour: bool) -> list[str]:
    subject = verdict.subject
    head = f"{_dot(verdict.colour, colour)} {subject.kind:<6} {subject.id:<{id_width}}"
    lines = [f"{head}  {_when(subject.at)}"]
    lines.extend(_finding_line(f, colour) for f in verdict.findings)
    return lines


def render_report(report: VisitReport, visit: Visit, *, colour: bool, title: str = "") -> str:
    """The human-readable report: one line per verdict, its findings, the 事后 audit, a summary."""
    who = mask_name(visit.patient.name)
    kind, dept = visit.visit_type, visit.department or "-"
    lines = [f"visit {visit.visit_id} · {kind} · {dept} · patient {who}"]
    if title:
        lines.append(f"case: {title}")
    width = max((len(v.subject.id) for v in report.verdicts), default=0)
    for verdict in report.verdicts:
        lines.extend(_verdict_lines(verdict, width, colour))
    audit = report.audit
    lines.append(f"{_dot(audit.colour, colour)} 事后 audit of visit {audit.subject.id}")
    lines.extend(_finding_line(f, colour, with_subject=True) for f in audit.findings)
    lines.append(_summary(report, colour))
    return redact("\n".join(lines), visit.patient)


def _summary(report: VisitReport, colour: bool) -> str:
    counts = Counter(v.colour for v in report.verdicts)
    findings = sum(len(v.findings) for v in (*report.verdicts, report.audit))
    tally = ", ".join(f"{counts[c]} {c}" for c in Colour)
    return (
        f"{_dot(report.colour, colour, pad=False)}: {len(report.verdicts)} checked ({tally}), "
        f"{findings} finding(s) · rule pack {report.audit.rule_pack}"
    )


def report_json(report: VisitReport, visit: Visit) -> str:
    """The report as JSON: visit id, overall colour, rule pack, verdicts and the audit."""
    data = {
        "visit_id": report.visit_id,
        "colour": report.colour,
        "rule_pack": report.audit.rule_pack,
        "verdicts": [v.model_dump(mode="json") for v in report.verdicts],
        "audit": report.audit.model_dump(mode="json"),
    }
    return redact(json.dumps(data, ensure_ascii=False, indent=2), visit.patient)


def _severity(rule: RegisteredRule) -> str:
    if rule.severity is None or rule.severity is rule.spec.default_severity:
        return str(rule.spec.default_severity)
    return f"{rule.severity} (default {rule.spec.default_severity})"


def _span(rule: RegisteredRule) -> str:
    start, end = rule.spec.effective_from, rule.spec.effective_to
    if start is None and end is None:
        return "always"
    return f"{start or ''}..{end or ''}"


def _stages(rule: RegisteredRule) -> str:
    return ",".join(stage for stage in Stage if stage in rule.spec.stages)


_BOUNDS = (("gt", ">"), ("ge", "≥"), ("lt", "<"), ("le", "≤"))


def _bounds(metadata: Iterable[Any]) -> list[str]:
    found: list[str] = []
    for item in metadata:
        found += _bounds(getattr(item, "metadata", ()))  # a pydantic Field(...) nests them
        found += [f"{sym}{getattr(item, a)}" for a, sym in _BOUNDS if hasattr(item, a)]
    return found


def type_label(tp: Any) -> str:
    """A readable parameter type: ``int (>0)``, ``tuple[str, ...]``, ``"a" | "b"``."""
    origin, args = get_origin(tp), get_args(tp)
    if origin is Annotated:
        bounds = _bounds(args[1:])
        base = type_label(args[0])
        return f"{base} ({', '.join(bounds)})" if bounds else base
    if origin is Literal:
        return " | ".join(toml_value(a) for a in args)
    if origin is not None:
        inner = ", ".join("..." if a is Ellipsis else type_label(a) for a in args)
        return f"{getattr(origin, '__name__', origin)}[{inner}]"
    return str(getattr(tp, "__name__", tp))


def toml_value(value: Any) -> str:
    """``value`` as it would be written in the TOML configuration."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return toml_value(value.value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple | set | frozenset):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + " }"
    return str(value)


def _param_line(param: Param, value: Any) -> str:
    changed = "" if value == param.default else f" (default {toml_value(param.default)})"
    about = f"  {param.description}" if param.description else ""
    return f"      {param.name}: {type_label(param.type)} = {toml_value(value)}{changed}{about}"


_COLUMNS = ("ID", "NAME", "PLUGIN", "STAGES", "SEVERITY", "ENABLED", "EFFECTIVE")


def _row(rule: RegisteredRule) -> tuple[str, ...]:
    enabled = "yes" if rule.enabled else "no"
    spec = rule.spec
    return (
        spec.rule_id, spec.name, rule.plugin, _stages(rule), _severity(rule), enabled, _span(rule)
    )


def _table(rows: Sequence[tuple[str, ...]]) -> list[str]:
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip()
            for row in rows]


def render_rules(rules: Mapping[str, RegisteredRule]) -> str:
    """A table of the loaded rules, each followed by its parameters (type, value, description)."""
    if not rules:
        return "no rules loaded"
    ordered = [rules[rid] for rid in sorted(rules)]
    table = _table([_COLUMNS, *(_row(r) for r in ordered)])
    lines = [table[0]]
    for rule, line in zip(ordered, table[1:], strict=True):
        lines.append(line)
        lines.extend(_param_line(p, rule.params.get(p.name)) for p in rule.spec.parameters)
    lines.append(f"{len(rules)} rule(s)")
    return "\n".join(lines)


def _rule_data(rule: RegisteredRule) -> dict[str, Any]:
    spec = rule.spec
    params = [
        {"name": p.name, "type": type_label(p.type), "value": rule.params.get(p.name),
         "default": p.default, "description": p.description}
        for p in spec.parameters
    ]
    return {
        "rule_id": spec.rule_id, "name": spec.name, "category": spec.category,
        "plugin": rule.plugin, "stages": _stages(rule).split(","),
        "severity": rule.severity or spec.default_severity,
        "default_severity": spec.default_severity, "enabled": rule.enabled,
        "effective_from": spec.effective_from, "effective_to": spec.effective_to,
        "description": spec.description, "parameters": params,
    }


def rules_json(rules: Mapping[str, RegisteredRule]) -> str:
    """The loaded rules as a JSON list (values that are not JSON types become strings)."""
    data = [_rule_data(rules[rid]) for rid in sorted(rules)]
    return json.dumps(data, ensure_ascii=False, indent=2, default=str)
