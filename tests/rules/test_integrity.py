"""What keeps verdicts trustworthy: issued findings, signer standing, frozen settings,
a rule-pack version that moves with the rules, and personal data kept out of the audit log."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from yibao_sdk import Charge, ConfigError, OverrideError, PluginError, ProfessionalTitle
from yibao_sdk.models import GreyListTier, Signature
from yibao_sdk.rules import (
    Context,
    Finding,
    Override,
    OverridePolicy,
    Param,
    RuleSpec,
    Severity,
    Stage,
    hookimpl,
    load_config,
    subject_of,
)
from yibao_sdk.store import AuditLog
from yibao_sdk.testing import factories as f

CHIEF, ASSOC = ProfessionalTitle.CHIEF, ProfessionalTitle.ASSOCIATE_CHIEF
MID = frozenset({Stage.MID})


class Red:
    """A red rule (two 副主任+ signers) whose message quotes the patient's name and ID."""

    def __init__(self, severity: Severity = Severity.BLOCK,
                 policy: OverridePolicy | None = None) -> None:
        self.severity = severity
        self.policy = policy or OverridePolicy()

    @hookimpl
    def yibao_register_rules(self, register: Any) -> None:
        register(RuleSpec(rule_id="RED", name="红", category="t", stages=MID,
                          default_severity=self.severity, override=self.policy,
                          parameters=(Param("codes", tuple[str, ...], ("A",)),)))

    @hookimpl
    def yibao_check_charge(self, charge: Charge, context: Context) -> Iterator[Finding]:
        who = context.patient
        yield context.finding("RED", subject_of(charge), f"患者{who.name}证件{who.id_card}")


PEOPLE = [f.practitioner("A1", CHIEF), f.practitioner("A2", ASSOC),
          f.practitioner("A3", CHIEF, tier=GreyListTier.SUSPENDED)]


LINE = f.charge()
VISIT = f.visit(patient=f.patient(name="王小明", id_card="11010519491231002x"))


def _checked(**kw: Any) -> tuple[Any, Any]:
    engine = f.engine(Red(), practitioners=PEOPLE, **kw)
    return engine, engine.check_charge(LINE, VISIT)


def _override(verdict: Any, *signers: str) -> Override:
    sigs = tuple(Signature(practitioner_id=p, signed_at=f.T0) for p in signers)
    return Override(finding_id=verdict.findings[0].finding_id, reason="会诊同意",
                    signatures=sigs, recorded_at=f.T0)


def test_a_verdict_with_a_weakened_policy_is_refused() -> None:
    engine, verdict = _checked()
    weak = verdict.findings[0].policy.model_copy(update={"signatures": 1})
    forged = verdict.model_copy(
        update={"findings": (verdict.findings[0].model_copy(update={"policy": weak}),)})
    with pytest.raises(OverrideError, match="not issued by this engine"):
        engine.override(forged, _override(forged, "A1"))
    assert engine.override(verdict, _override(verdict, "A1", "A2")).allowed


def test_another_engine_must_check_the_item_again_before_overriding() -> None:
    _, verdict = _checked()
    other = f.engine(Red(), practitioners=PEOPLE)
    with pytest.raises(OverrideError, match="check the item again"):
        other.override(verdict, _override(verdict, "A1", "A2"))
    again = other.check_charge(LINE, VISIT)
    assert again.findings[0].finding_id == verdict.findings[0].finding_id
    assert other.override(again, _override(again, "A1", "A2")).allowed


def test_a_suspended_chief_cannot_sign_an_override() -> None:
    engine, verdict = _checked()
    with pytest.raises(OverrideError, match="A3 is on the grey list"):
        engine.override(verdict, _override(verdict, "A1", "A3"))


def test_the_audit_log_never_holds_the_name_or_id_number(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.sqlite3")
    engine, verdict = _checked(audit_log=log)
    engine.override(verdict, _override(verdict, "A1", "A2"))
    stored = " ".join(e.payload for e in log.entries())
    assert "王小明" not in stored and "11010519491231002" not in stored.upper()
    assert "王**" in stored and json.loads(next(log.entries()).payload)["rule_pack"]
    override_entry = list(log.entries())[-1].data()
    assert override_entry["finding"]["rule_id"] == "RED" and override_entry["rule_pack"]


def test_rule_parameters_and_the_rule_table_are_read_only() -> None:
    engine, _ = _checked()
    with pytest.raises(TypeError):
        engine.rules["RED"].params["codes"] = ("B",)
    with pytest.raises(TypeError):
        engine.rules["OTHER"] = engine.rules["RED"]  # type: ignore[index]


def test_the_rule_pack_moves_with_severity_and_policy() -> None:
    base = f.engine(Red()).rule_pack
    assert f.engine(Red(severity=Severity.WARN)).rule_pack != base
    assert f.engine(Red(policy=OverridePolicy(overridable=False))).rule_pack != base
    assert f.engine(Red()).rule_pack == base


def test_a_crashing_registration_or_unusable_parameter_type_is_a_plugin_error() -> None:
    class Crash:
        @hookimpl
        def yibao_register_rules(self, register: Any) -> None:
            raise RuntimeError("boom")

    with pytest.raises(PluginError, match="yibao_register_rules raised RuntimeError"):
        f.engine(Crash())
    with pytest.raises(PluginError, match="type pydantic cannot validate"):
        RuleSpec(rule_id="X", name="x", category="x", stages=MID,
                 default_severity=Severity.INFO, parameters=(Param("p", object(), 1),))


@pytest.mark.parametrize(
    ("text", "message"),
    [('[rules."RED"]\nenabled = "no"\n', "enabled"),
     ("[engine]\nplugin_dir = 5\n", "plugin_dir must be a string"),
     ("[engine]\nentry_points = 1\n", "entry_points")],
)
def test_config_values_are_strict(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[hospital]\ncode="H1"\nname="x"\nlevel="3"\n' + text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        f.engine.__globals__["Engine"](config=load_config(path), plugins=[Red()])


class Yellow:
    @hookimpl
    def yibao_register_rules(self, register: Any) -> None:
        register(RuleSpec(rule_id="YEL", name="黄", category="t", stages=MID,
                          default_severity=Severity.WARN))

    @hookimpl
    def yibao_check_charge(self, charge: Charge, context: Context) -> Iterator[Finding]:
        yield context.finding("YEL", subject_of(charge), "可疑")


def test_a_registered_watch_tier_needs_reasons_even_without_the_greylist_rule() -> None:
    watched = f.practitioner("D001", tier=GreyListTier.WATCH)
    verdict = f.engine(Yellow(), practitioners=[watched]).check_charge(f.charge(), f.visit())
    assert verdict.findings[0].policy.reason_required
    plain = f.engine(Yellow(), practitioners=[f.practitioner("D001")])
    assert not plain.check_charge(f.charge(), f.visit()).findings[0].policy.reason_required


def test_points_count_only_while_the_greylist_rule_is_in_force() -> None:
    points = [f.violation("D001", 4, date(2026, 1, 5))]
    rules = {"YB-GREYLIST": {"enabled": False}}
    on = f.engine(Yellow(), "yibao_sdk.plugins.greylist", violations=points)
    off = f.engine(Yellow(), "yibao_sdk.plugins.greylist", violations=points, rules=rules)
    (yellow,) = [x for x in on.check_charge(f.charge(), f.visit()).findings if x.rule_id == "YEL"]
    assert yellow.policy.reason_required
    assert not off.check_charge(f.charge(), f.visit()).findings[0].policy.reason_required
