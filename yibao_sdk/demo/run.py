"""``make demo``: the main job on loopback, in four sections.

1. **Rules**: the twelve sample visits through the engine, with their verdicts, an override of
   a red finding (refused, then accepted) and reasons recorded for yellow findings.
2. **Gateway**: the sample HIS/LIS/PACS stay over MLLP and a FHIR Bundle through the real
   gateway (:mod:`yibao_sdk.demo.gateway_demo`), with each ACK and its ERR rule ids.
3. **Settlement**: the visits the rules let through, settled with the mock provincial platform
   by the provincial client, with each fund breakdown, a lost reply resolved without settling
   twice and a call refused by least privilege (:mod:`yibao_sdk.demo.settle_demo`).
4. **Self-check**: exit 1 unless every check passes.

Everything is written under ``--out`` (default ``.demo``): case files, the audit log, the
gateway's stores, the provincial journal, the mock platform's state and ``demo.log``.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from yibao_sdk.cases import Case, engine_for_case
from yibao_sdk.cli_render import render_report
from yibao_sdk.demo.cases import build_cases
from yibao_sdk.demo.gateway_demo import GatewayResult, run_gateway
from yibao_sdk.demo.output import Printer
from yibao_sdk.demo.settle_demo import SettleResult, run_settlements
from yibao_sdk.errors import OverrideError
from yibao_sdk.models import Signature
from yibao_sdk.privacy import scrub
from yibao_sdk.rules import Colour, Engine, Finding, Override, Severity, Verdict, VisitReport
from yibao_sdk.rules.loading import builtin_plugins, collect_rules, make_plugin_manager
from yibao_sdk.store import AuditLog

__all__ = ["DemoResult", "builtin_rule_ids", "main", "run_demo"]

_T = TypeVar("_T")
REASONS = {
    "YB-SPLIT-STAY": "脑梗死复发，经神经内科会诊需再次住院，非分解住院",
    "YB-CONSUMABLE-SHARE": "大面积创面换药，敷料为治疗必需，已附换药记录",
}
"""Reasons recorded for the yellow findings that require one (理由必填)."""
_DEFAULT_REASON = "已核实，临床必需"


@dataclass
class DemoResult:
    """What the demo saw and did, section by section."""

    fired: dict[str, set[str]] = field(default_factory=dict)
    colours: dict[str, Colour] = field(default_factory=dict)
    audit_entries: int = 0
    released: dict[str, str] = field(default_factory=dict)
    """Visit id → why the rules let it through (green, override, reason)."""
    gateway: GatewayResult | None = None
    settlement: SettleResult | None = None
    failures: list[str] = field(default_factory=list)
    """Sections that raised, with the error."""

    def missing(self, rule_ids: Iterable[str]) -> list[str]:
        """Rule ids that fired in no case."""
        seen = set().union(*self.fired.values()) if self.fired else set()
        return sorted(set(rule_ids) - seen)

    def checks(self) -> list[tuple[bool, str]]:
        """(passed, description) of each self-check."""
        rule_ids = builtin_rule_ids()
        missing = self.missing(rule_ids)
        green = [v for v, c in self.colours.items() if c is Colour.GREEN]
        udi = self.gateway.refused("YB-IMPLANT-UDI") if self.gateway else []
        settled = self.settlement.settled if self.settlement else []
        fault = self.settlement.fault if self.settlement else None
        refusal = self.settlement.refusal if self.settlement else None
        return [
            (not missing, f"built-in rules that fired: {len(rule_ids) - len(missing)}"
                          f"/{len(rule_ids)}" + (f" (never: {', '.join(missing)})"
                                                 if missing else "")),
            (bool(green), f"green visits: {', '.join(green) or 'none'}"),
            (bool(udi), "gateway refused an implant with an invalid UDI: AE with "
                        f"YB-IMPLANT-UDI ({', '.join(r.name + '.hl7' for r in udi) or 'none'})"),
            (bool(settled) and all(s.balances for s in settled),
             f"every fund breakdown balances and matches the platform's ledger "
             f"({sum(s.balances for s in settled)}/{len(settled)} settlements)"),
            (fault is not None and fault.settled_once,
             "the settlement whose reply was lost is on the platform exactly once"
             + (f" ({fault.visit_id}: {fault.platform_settlements})" if fault else "")),
            (refusal is not None and refusal.before_sending,
             "a physician's settlement (2207) was refused before sending and audited"),
            (not self.failures, "every section ran" + (f" (failed: {'; '.join(self.failures)})"
                                                       if self.failures else "")),
        ]

    @property
    def passed(self) -> bool:
        """True when every self-check passed."""
        return all(ok for ok, _ in self.checks())


def builtin_rule_ids() -> list[str]:
    """Ids of every rule the built-in plugins register."""
    return sorted(collect_rules(make_plugin_manager(builtin_plugins())))


def run_demo(out: Path, *, colour: bool, write: Sequence[str] = ()) -> DemoResult:
    """Run every section, writing under ``out``; returns what happened (servers stopped)."""
    show = Printer(colour)
    out.mkdir(parents=True, exist_ok=True)
    audit_path = out / "audit.sqlite3"
    audit_path.unlink(missing_ok=True)
    log = AuditLog(audit_path)
    result = DemoResult()
    try:
        with _log_to(out / "demo.log"):
            cases = build_cases()
            show.heading("1. Rules: the sample visits through the engine")
            _run_rules(out, cases, log, result, show)
            show.heading("2. Gateway: the sample HL7 stay over MLLP, and one FHIR Bundle")
            result.gateway = _section(result, "gateway", show, lambda: run_gateway(
                out, cases, show=show, audit_log=log))
            show.heading("3. Settlement with the mock provincial platform")
            result.settlement = _section(result, "settlement", show, lambda: run_settlements(
                out, cases, result.released, audit_log=log, show=show))
        result.audit_entries = log.verify()
    finally:
        log.close()
    return result


def _section(result: DemoResult, name: str, show: Printer, run: Callable[[], _T]) -> _T | None:
    try:
        return run()
    except Exception as exc:  # the self-check reports it; the section stopped its servers
        text = f"{name}: {type(exc).__name__}: {scrub(str(exc))}"
        result.failures.append(text)
        show(show.paint(f"   section failed — {text}", "red"))
        logging.getLogger("yibao_sdk.demo").exception("section %s failed", name)
        return None


@contextmanager
def _log_to(path: Path) -> Iterator[None]:
    """Send the SDK's log lines (INFO and up) to ``path`` rather than the terminal."""
    logger = logging.getLogger("yibao_sdk")
    handler = logging.FileHandler(path, mode="w", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        handler.close()


def _run_rules(out: Path, cases: Sequence[Case], log: AuditLog, result: DemoResult,
               show: Printer) -> None:
    cases_dir = out / "cases"
    cases_dir.mkdir(parents=True, exist_ok=True)
    for number, case in enumerate(cases, start=1):
        path = cases_dir / f"{number:02d}-{case.visit.visit_id.lower()}.json"
        path.write_text(case.model_dump_json(indent=2), encoding="utf-8")
        engine = engine_for_case(case, audit_log=log)
        report = engine.check_visit(case.visit)
        show(f"\n[{number:02d}] {case.description}    ({path})")
        show(render_report(report, case.visit, colour=show.colour))
        result.fired[case.visit.visit_id] = _fired(report)
        result.colours[case.visit.visit_id] = report.colour
        accepted = _show_overrides(engine, report, show)
        if report.colour is Colour.YELLOW:
            accepted |= _record_reasons(engine, report, show)
        why = _released(report, accepted)
        if why:
            result.released[case.visit.visit_id] = why


def _fired(report: VisitReport) -> set[str]:
    return {f.rule_id for v in (*report.verdicts, report.audit) for f in v.findings}


def _released(report: VisitReport, accepted: set[str]) -> str:
    """Why the visit may be settled, or ``""``: every red finding overridden and every
    reason-requiring yellow one given a reason."""
    findings = [f for v in (*report.verdicts, report.audit) for f in v.findings]
    red = {f.finding_id for f in findings if f.severity is Severity.BLOCK}
    asked = {f.finding_id for f in findings
             if f.severity is Severity.WARN and f.policy.reason_required}
    if report.colour is Colour.GREEN:
        return "green"
    if not (red | asked) <= accepted:
        return ""
    if red:
        return "red, released by a signed override"
    return "yellow, reason recorded" if asked else "yellow"


def _show_overrides(engine: Engine, report: VisitReport, show: Printer) -> set[str]:
    """For the second-line case, show a refused and an accepted override of the red verdict."""
    red = next((v for v in report.verdicts if _rule_finding(v, "YB-SECOND-LINE")), None)
    if red is None:
        return set()
    finding = _rule_finding(red, "YB-SECOND-LINE")
    assert finding is not None
    at = red.checked_at
    accepted: set[str] = set()
    for signers in (("D002", "D001"), ("D002", "D003")):
        override = Override(
            finding_id=finding.finding_id, reason="多重耐药菌感染，一线药物治疗失败",
            signatures=tuple(Signature(practitioner_id=p, signed_at=at) for p in signers),
            recorded_at=at,
        )
        try:
            passed = engine.override(red, override)
        except OverrideError as exc:
            show(f"   override signed by {' + '.join(signers)}: refused — {exc}")
        else:
            allowed = "allowed" if passed.allowed else "still blocked"
            show(f"   override signed by {' + '.join(signers)}: accepted, order {allowed}")
            accepted.add(finding.finding_id)
    return accepted


def _record_reasons(engine: Engine, report: VisitReport, show: Printer) -> set[str]:
    """Record a reason for each yellow finding that requires one (理由必填)."""
    accepted: set[str] = set()
    for verdict in (*report.verdicts, report.audit):
        for finding in verdict.findings:
            if finding.severity is not Severity.WARN or not finding.policy.reason_required \
                    or finding.finding_id in accepted:
                continue
            reason = REASONS.get(finding.rule_id, _DEFAULT_REASON)
            override = Override(finding_id=finding.finding_id, reason=reason,
                                recorded_at=verdict.checked_at)
            try:
                engine.override(verdict, override)
            except OverrideError as exc:
                show(f"   reason for {finding.rule_id}: refused — {exc}")
            else:
                show(f"   reason recorded for {finding.rule_id}: 「{reason}」 → accepted")
                accepted.add(finding.finding_id)
    return accepted


def _rule_finding(verdict: Verdict, rule_id: str) -> Finding | None:
    return next((f for f in verdict.findings
                 if f.rule_id == rule_id and f.severity is Severity.BLOCK), None)


def _summary(out: Path, result: DemoResult, show: Printer) -> None:
    show.heading("4. Self-check")
    for ok, text in result.checks():
        show(f"   {show.mark(ok)} {text}")
    show()
    show(f"   audit log: {result.audit_entries} entries, hash chain verified → "
         f"{out / 'audit.sqlite3'}")
    if result.settlement is not None:
        show(f"   provincial journal → {result.settlement.journal}")
        show(f"   mock platform state → {result.settlement.mock_db}")
    if result.gateway is not None:
        show(f"   gateway message store → {result.gateway.store}")
    show(f"   log (SDK, masked) → {out / 'demo.log'}")
    show(f"   try: .venv/bin/yibao check {out / 'cases' / '05-v-2nd.json'}")


def main(argv: list[str] | None = None) -> int:
    """Run the demo; exit 1 if any self-check fails."""
    parser = argparse.ArgumentParser(prog="python -m yibao_sdk.demo",
                                     description=(__doc__ or "").split("\n\n", 1)[0])
    parser.add_argument("--out", type=Path, default=Path(".demo"), help="output directory")
    parser.add_argument("--no-color", action="store_true", help="plain text")
    args = parser.parse_args(argv)
    show = Printer(not args.no_color and sys.stdout.isatty())
    result = run_demo(args.out, colour=show.colour)
    _summary(args.out, result, show)
    if not result.passed:
        failed = [text for ok, text in result.checks() if not ok]
        show(show.paint(f"\ndemo self-check FAILED: {'; '.join(failed)}", "red"))
        return 1
    show("\ndemo self-check passed")
    return 0
