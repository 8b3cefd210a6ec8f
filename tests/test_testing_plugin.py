"""Tests of the pytest plugin shipped to rule authors (run through pytester) and its assertions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from yibao_sdk.rules import Finding, Severity, Stage, Subject, SubjectKind, Verdict, VisitReport
from yibao_sdk.testing.assertions import YibaoAssert, assert_finding, assert_no_finding

pytest_plugins = ["pytester"]

RULE_TESTS = '''
from decimal import Decimal

from yibao_sdk.rules import RuleSpec, Severity, Stage, hookimpl, subject_of


class QuantityRule:
    """A tiny rule: more than `limit` units on one charge line is yellow."""

    @hookimpl
    def yibao_register_rules(self, register):
        register(RuleSpec(rule_id="T-QTY", name="数量上限", category="测试",
                          stages=frozenset({Stage.MID}), default_severity=Severity.WARN,
                          parameters=()))

    @hookimpl
    def yibao_check_charge(self, charge, context):
        if charge.quantity > 10:
            yield context.finding("T-QTY", subject_of(charge), f"数量{charge.quantity}超过10")


def test_fires(yibao_engine, yibao_factories, yibao_assert):
    f = yibao_factories
    engine = yibao_engine(QuantityRule())
    charge = f.charge(quantity=12, charge_id="C1")
    verdict = engine.check_charge(charge, f.visit())
    [finding] = yibao_assert.finding(verdict, "T-QTY", severity="warn", subject_id="C1")
    assert finding.message == "数量12超过10"


def test_silent(yibao_engine, yibao_factories, yibao_assert):
    f = yibao_factories
    report = yibao_engine(QuantityRule()).check_visit(f.visit(charges=[f.charge(quantity=3)]))
    yibao_assert.no_finding(report, "T-QTY")
    yibao_assert.assert_finding(report, "T-QTY", count=0)


def test_wrong_expectation_fails(yibao_engine, yibao_factories, yibao_assert):
    f = yibao_factories
    engine = yibao_engine(QuantityRule())
    verdict = engine.check_charge(f.charge(quantity=12, charge_id="C7"), f.visit())
    yibao_assert.finding(verdict, "T-QTY", severity="block")


def test_unexpected_finding_fails(yibao_engine, yibao_factories, yibao_assert):
    f = yibao_factories
    engine = yibao_engine(QuantityRule())
    verdict = engine.check_charge(f.charge(quantity=12, charge_id="C8"), f.visit())
    yibao_assert.no_finding(verdict, "T-QTY")
'''


def test_rule_tests_pass_and_fail_as_they_should(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_quantity_rule=RULE_TESTS)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, failed=2)
    result.stdout.fnmatch_lines(
        [
            "*expected at least 1 finding(s) of T-QTY, severity=block, got 0; findings present:",
            "*- warn T-QTY on charge C7: 数量12超过10",
            "*expected no finding of T-QTY, got 1; findings present:",
            "*- warn T-QTY on charge C8: 数量12超过10",
        ]
    )


def test_fixtures_are_documented(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--fixtures", "-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(
        [
            "*yibao_factories*",
            "*The :mod:`yibao_sdk.testing.factories` module*",
            "*yibao_engine*",
            "*Build an engine: ``yibao_engine(*plugins, **kwargs)``*",
            "*yibao_assert*",
            "*Rule assertions that list the findings present when they fail.*",
        ]
    )


def test_engines_from_the_fixture_ignore_entry_points(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_only_named_plugins(yibao_engine):
            class Nothing:
                pass
            engine = yibao_engine(Nothing())
            assert engine.rules == {}
            assert len(engine.plugin_names) == 1
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


T = datetime(2026, 3, 2, 9, 0)


def _finding(rule_id: str, subject_id: str, severity: Severity = Severity.WARN) -> Finding:
    subject = Subject(kind=SubjectKind.ORDER, id=subject_id, at=T)
    return Finding(rule_id=rule_id, severity=severity, message=f"{rule_id}@{subject_id}",
                   subject=subject)


def _verdict(*findings: Finding, subject_id: str = "O1", stage: Stage = Stage.PRE) -> Verdict:
    subject = Subject(kind=SubjectKind.ORDER, id=subject_id, at=T)
    return Verdict(subject=subject, stage=stage, findings=findings, rule_pack="p", checked_at=T)


def _report() -> VisitReport:
    first = _verdict(_finding("R1", "O1"), _finding("R2", "O1", Severity.BLOCK))
    second = _verdict(_finding("R1", "O2"), subject_id="O2")
    audit = _verdict(_finding("R3", "V1", Severity.INFO), subject_id="V1", stage=Stage.POST)
    return VisitReport("V1", (first, second), audit)


def test_assert_finding_on_a_verdict_report_or_list() -> None:
    report = _report()
    assert len(assert_finding(report, "R1")) == 2
    assert len(assert_finding(report.verdicts[0], "R1")) == 1
    assert len(assert_finding(list(report.verdicts), "R1", count=2)) == 2
    assert assert_finding(iter(report.verdicts), "R2", severity=Severity.BLOCK)[0].rule_id == "R2"
    assert assert_finding(report, "R1", subject_id="O2")[0].subject.id == "O2"
    assert assert_finding(report, "R3", severity="info")[0].subject.id == "V1"
    assert assert_finding(report, "R9", count=0) == []


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"rule_id": "R9"}, "expected at least 1 finding(s) of R9, got 0"),
        ({"rule_id": "R1", "count": 3}, "expected 3 finding(s) of R1, got 2"),
        ({"rule_id": "R1", "severity": "block"}, "of R1, severity=block, got 0"),
        ({"rule_id": "R1", "subject_id": "O9"}, "of R1, subject_id=O9, got 0"),
    ],
)
def test_assert_finding_failures_list_what_is_present(kwargs: Any, expected: str) -> None:
    with pytest.raises(AssertionError) as info:
        assert_finding(_report(), **kwargs)
    text = str(info.value)
    assert expected in text
    assert "  - warn R1 on order O1: R1@O1" in text
    assert "  - block R2 on order O1: R2@O1" in text
    assert "  - info R3 on order V1: R3@V1" in text


def test_assert_no_finding() -> None:
    report = _report()
    assert_no_finding(report, "R9")
    with pytest.raises(AssertionError, match=r"expected no finding of R2, got 1"):
        assert_no_finding(report, "R2")
    with pytest.raises(AssertionError, match=r"findings present:\n  \(no findings\)$"):
        assert_finding(_verdict(), "R1")


def test_unknown_severity_and_non_verdicts_are_rejected() -> None:
    with pytest.raises(ValueError, match="'amber'"):
        assert_finding(_report(), "R1", severity="amber")
    with pytest.raises(TypeError, match="expected a Verdict"):
        assert_finding(["not a verdict"], "R1")  # type: ignore[list-item]


def test_namespace_exposes_both_names() -> None:
    ns = YibaoAssert()
    assert ns.finding is ns.assert_finding is assert_finding
    assert ns.no_finding is ns.assert_no_finding is assert_no_finding
