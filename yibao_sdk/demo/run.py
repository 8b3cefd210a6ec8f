"""Runs the demo cases through the engine, prints verdicts, an override and the audit log."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from yibao_sdk.cases import Case, engine_for_case
from yibao_sdk.cli_render import render_report
from yibao_sdk.demo.cases import build_cases
from yibao_sdk.errors import OverrideError
from yibao_sdk.models import Signature
from yibao_sdk.rules import Colour, Engine, Finding, Override, Severity, Verdict, VisitReport
from yibao_sdk.rules.loading import builtin_plugins, collect_rules, make_plugin_manager
from yibao_sdk.store import AuditLog

__all__ = ["DemoResult", "main", "run_demo"]


@dataclass
class DemoResult:
    """What the demo saw: rules that fired per case, colours, and the audit-log size."""

    fired: dict[str, set[str]] = field(default_factory=dict)
    colours: dict[str, Colour] = field(default_factory=dict)
    audit_entries: int = 0

    def missing(self, rule_ids: Iterable[str]) -> list[str]:
        """Rule ids that fired in no case."""
        seen = set().union(*self.fired.values()) if self.fired else set()
        return sorted(set(rule_ids) - seen)


def builtin_rule_ids() -> list[str]:
    """Ids of every rule the built-in plugins register."""
    return sorted(collect_rules(make_plugin_manager(builtin_plugins())))


def run_demo(out: Path, *, colour: bool, write: Sequence[str] = ()) -> DemoResult:
    """Run every case, writing case files and the audit log under ``out``; returns what fired."""
    cases_dir = out / "cases"
    cases_dir.mkdir(parents=True, exist_ok=True)
    audit_path = out / "audit.sqlite3"
    audit_path.unlink(missing_ok=True)
    log = AuditLog(audit_path)
    result = DemoResult()
    for number, case in enumerate(build_cases(), start=1):
        path = cases_dir / f"{number:02d}-{case.visit.visit_id.lower()}.json"
        path.write_text(case.model_dump_json(indent=2), encoding="utf-8")
        engine = engine_for_case(case, audit_log=log)
        report = engine.check_visit(case.visit)
        _print(f"\n[{number:02d}] {case.description}    ({path})")
        _print(render_report(report, case.visit, colour=colour))
        result.fired[case.visit.visit_id] = _fired(report)
        result.colours[case.visit.visit_id] = report.colour
        _show_overrides(engine, case, report)
    result.audit_entries = log.verify()
    log.close()
    return result


def _fired(report: VisitReport) -> set[str]:
    return {f.rule_id for v in (*report.verdicts, report.audit) for f in v.findings}


def _show_overrides(engine: Engine, case: Case, report: VisitReport) -> None:
    """For the second-line case, show a refused and an accepted override of the red verdict."""
    red = next((v for v in report.verdicts if _rule_finding(v, "YB-SECOND-LINE")), None)
    if red is None:
        return
    finding = _rule_finding(red, "YB-SECOND-LINE")
    assert finding is not None
    at = red.checked_at
    for signers in (("D002", "D001"), ("D002", "D003")):
        override = Override(
            finding_id=finding.finding_id, reason="多重耐药菌感染，一线药物治疗失败",
            signatures=tuple(Signature(practitioner_id=p, signed_at=at) for p in signers),
            recorded_at=at,
        )
        try:
            passed = engine.override(red, override)
        except OverrideError as exc:
            _print(f"   override signed by {' + '.join(signers)}: refused — {exc}")
        else:
            allowed = "allowed" if passed.allowed else "still blocked"
            _print(f"   override signed by {' + '.join(signers)}: accepted, order {allowed}")


def _rule_finding(verdict: Verdict, rule_id: str) -> Finding | None:
    return next((f for f in verdict.findings
                 if f.rule_id == rule_id and f.severity is Severity.BLOCK), None)


def _print(text: str) -> None:
    sys.stdout.write(text + "\n")


def main(argv: list[str] | None = None) -> int:
    """Run the demo; exit 1 if some built-in rule never fired or no case stayed green."""
    parser = argparse.ArgumentParser(prog="python -m yibao_sdk.demo", description=__doc__)
    parser.add_argument("--out", type=Path, default=Path(".demo"), help="output directory")
    parser.add_argument("--no-color", action="store_true", help="plain text")
    args = parser.parse_args(argv)
    colour = not args.no_color and sys.stdout.isatty()
    result = run_demo(args.out, colour=colour)
    missing = result.missing(builtin_rule_ids())
    green = [v for v, c in result.colours.items() if c is Colour.GREEN]
    _print(f"\naudit log: {result.audit_entries} entries, hash chain verified "
           f"→ {args.out / 'audit.sqlite3'}")
    _print(f"built-in rules that fired: {len(builtin_rule_ids()) - len(missing)}"
           f"/{len(builtin_rule_ids())}; green visits: {', '.join(green) or 'none'}")
    _print(f"try: .venv/bin/yibao check {args.out / 'cases' / '05-v-2nd.json'}")
    if missing or not green:
        _print(f"demo self-check FAILED: never fired {missing}, green visits {green}")
        return 1
    return 0
