"""Overrides: red passes only with the policy's signatures, yellow with a reason if required."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from yibao_sdk import Charge, OverrideError, ProfessionalTitle
from yibao_sdk.models import Signature
from yibao_sdk.rules import (
    Context,
    Finding,
    Override,
    OverridePolicy,
    RuleSpec,
    Severity,
    Stage,
    Verdict,
    hookimpl,
    subject_of,
)
from yibao_sdk.store import AuditLog
from yibao_sdk.testing import factories as f

CHIEF, ASSOC, ATTENDING = (ProfessionalTitle.CHIEF, ProfessionalTitle.ASSOCIATE_CHIEF,
                           ProfessionalTitle.ATTENDING)


class Two:
    """One red rule (2 signers, 副主任+), one yellow rule needing a reason, one sealed red rule."""

    @hookimpl
    def yibao_register_rules(self, register: Any) -> None:
        mid = frozenset({Stage.MID})
        register(RuleSpec(rule_id="RED", name="红", category="t", stages=mid,
                          default_severity=Severity.BLOCK))
        register(RuleSpec(rule_id="YEL", name="黄", category="t", stages=mid,
                          default_severity=Severity.WARN,
                          override=OverridePolicy(reason_required=True)))
        register(RuleSpec(rule_id="SEALED", name="封", category="t", stages=mid,
                          default_severity=Severity.BLOCK,
                          override=OverridePolicy(overridable=False)))

    @hookimpl
    def yibao_check_charge(self, charge: Charge, context: Context) -> Iterator[Finding]:
        for rule_id in charge.name.split(","):
            yield context.finding(rule_id, subject_of(charge), f"{rule_id}命中")


PEOPLE = [f.practitioner("A1", CHIEF), f.practitioner("A2", ASSOC),
          f.practitioner("B1", ATTENDING)]


def _verdict(rules: str, audit: AuditLog | None = None) -> tuple[Verdict, Any]:
    engine = f.engine(Two(), practitioners=PEOPLE, audit_log=audit)
    return engine.check_charge(f.charge(name=rules), f.visit()), engine


def _override(verdict: Verdict, rule_id: str, *signers: str, reason: str = "临床需要") -> Override:
    finding = next(x for x in verdict.findings if x.rule_id == rule_id)
    sigs = tuple(Signature(practitioner_id=p, signed_at=f.T0) for p in signers)
    return Override(finding_id=finding.finding_id, reason=reason, signatures=sigs,
                    recorded_at=f.T0)


def test_red_passes_with_two_senior_signatures() -> None:
    verdict, engine = _verdict("RED")
    assert not verdict.allowed
    passed = engine.override(verdict, _override(verdict, "RED", "A1", "A2"))
    assert passed.allowed and passed.colour.value == "red"


@pytest.mark.parametrize(
    ("signers", "message"),
    [
        (("A1",), "needs 2 distinct signers"),
        (("A1", "A1"), "needs 2 distinct signers"),
        (("A1", "B1"), "B1 is 主治医师"),
        (("A1", "ZZ"), "ZZ is not a known practitioner"),
    ],
)
def test_red_refuses_too_few_or_too_junior_signers(signers: tuple[str, ...], message: str) -> None:
    verdict, engine = _verdict("RED")
    with pytest.raises(OverrideError, match=message):
        engine.override(verdict, _override(verdict, "RED", *signers))


def test_red_needs_a_reason_too() -> None:
    verdict, engine = _verdict("RED")
    with pytest.raises(OverrideError, match="needs a reason"):
        engine.override(verdict, _override(verdict, "RED", "A1", "A2", reason=" "))


def test_sealed_red_cannot_be_overridden() -> None:
    verdict, engine = _verdict("SEALED")
    with pytest.raises(OverrideError, match="cannot be overridden"):
        engine.override(verdict, _override(verdict, "SEALED", "A1", "A2"))


def test_yellow_needing_a_reason() -> None:
    verdict, engine = _verdict("YEL")
    assert not verdict.allowed
    with pytest.raises(OverrideError, match="reason is required"):
        engine.override(verdict, _override(verdict, "YEL", reason=""))
    assert engine.override(verdict, _override(verdict, "YEL")).allowed


def test_override_for_a_finding_not_in_the_verdict() -> None:
    verdict, engine = _verdict("RED")
    bogus = Override(finding_id="feedfacefeedface", recorded_at=f.T0)
    with pytest.raises(OverrideError, match="no finding"):
        engine.override(verdict, bogus)


def test_every_red_must_be_overridden_before_the_item_passes() -> None:
    verdict, engine = _verdict("RED,YEL")
    once = engine.override(verdict, _override(verdict, "RED", "A1", "A2"))
    assert [x.rule_id for x in once.unresolved()] == ["YEL"]
    assert engine.override(once, _override(once, "YEL")).allowed


def test_verdicts_and_overrides_go_to_the_audit_log(tmp_path: Any) -> None:
    log = AuditLog(tmp_path / "audit.sqlite3")
    verdict, engine = _verdict("RED", audit=log)
    engine.override(verdict, _override(verdict, "RED", "A1", "A2"))
    kinds = [e.kind for e in log.entries()]
    assert kinds == ["verdict", "override"] and log.verify() == 2
