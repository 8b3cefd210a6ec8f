"""Assertions for rule tests that say which findings were present when they fail."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeAlias

from yibao_sdk.rules.findings import Finding, Severity, Verdict
from yibao_sdk.rules.replay import VisitReport

__all__ = ["Checked", "YibaoAssert", "assert_finding", "assert_no_finding", "findings_of"]

Checked: TypeAlias = Verdict | VisitReport | Iterable[Verdict]
"""What the assertions accept: a verdict, a visit report or any iterable of verdicts."""


def findings_of(checked: Checked) -> list[Finding]:
    """Every finding of ``checked``, in order (a report's audit findings come last)."""
    if isinstance(checked, Verdict):
        verdicts: tuple[Verdict, ...] = (checked,)
    elif isinstance(checked, VisitReport):
        verdicts = (*checked.verdicts, checked.audit)
    else:
        verdicts = tuple(checked)
    for verdict in verdicts:
        if not isinstance(verdict, Verdict):
            raise TypeError(f"expected a Verdict, VisitReport or verdicts, got {verdict!r}")
    return [finding for verdict in verdicts for finding in verdict.findings]


def _describe(findings: Iterable[Finding]) -> str:
    lines = [
        f"  - {f.severity} {f.rule_id} on {f.subject.kind} {f.subject.id}: {f.message}"
        for f in findings
    ]
    return "\n".join(lines) if lines else "  (no findings)"


def assert_finding(
    checked: Checked,
    rule_id: str,
    *,
    severity: Severity | str | None = None,
    count: int | None = None,
    subject_id: str | None = None,
) -> list[Finding]:
    """Assert that ``rule_id`` fired and return its matching findings.

    :param checked: a :class:`Verdict`, a :class:`VisitReport` or a sequence of verdicts.
    :param rule_id: the rule expected to fire.
    :param severity: only count findings of this severity (``"warn"`` or ``Severity.WARN``).
    :param count: exactly this many matching findings (default: at least one).
    :param subject_id: only count findings about this order/charge/record/visit id.
    :raises AssertionError: listing every finding present.

    Example::

        report = engine.check_visit(visit)
        [finding] = assert_finding(report, "HOSP-NIGHT-CT", severity="warn", count=1)
    """
    __tracebackhide__ = True
    present = findings_of(checked)
    wanted = Severity(severity) if severity is not None else None
    matching = [
        f
        for f in present
        if f.rule_id == rule_id
        and (wanted is None or f.severity is wanted)
        and (subject_id is None or f.subject.id == subject_id)
    ]
    if (count is None and not matching) or (count is not None and len(matching) != count):
        expected = f"{count}" if count is not None else "at least 1"
        filters = "".join(
            f", {name}={value}"
            for name, value in (("severity", wanted), ("subject_id", subject_id))
            if value is not None
        )
        raise AssertionError(
            f"expected {expected} finding(s) of {rule_id}{filters}, got {len(matching)}; "
            f"findings present:\n{_describe(present)}"
        )
    return matching


def assert_no_finding(checked: Checked, rule_id: str) -> None:
    """Assert that ``rule_id`` did not fire.

    :param checked: a :class:`Verdict`, a :class:`VisitReport` or a sequence of verdicts.
    :param rule_id: the rule expected to stay silent.
    :raises AssertionError: listing every finding present.
    """
    __tracebackhide__ = True
    present = findings_of(checked)
    fired = [f for f in present if f.rule_id == rule_id]
    if fired:
        raise AssertionError(
            f"expected no finding of {rule_id}, got {len(fired)}; "
            f"findings present:\n{_describe(present)}"
        )


class YibaoAssert:
    """The ``yibao_assert`` fixture: rule assertions that list the findings present on failure.

    ``finding`` is :func:`assert_finding` and ``no_finding`` is :func:`assert_no_finding`;
    the long names are there too, as aliases.
    """

    finding = staticmethod(assert_finding)
    no_finding = staticmethod(assert_no_finding)
    assert_finding = staticmethod(assert_finding)
    assert_no_finding = staticmethod(assert_no_finding)
