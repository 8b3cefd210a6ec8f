"""Tests for the YB-TEG-PREOP rule (血栓弹力图须有术前评估表)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from yibao_sdk.errors import ConfigError, OverrideError
from yibao_sdk.models import Charge, ChargeCategory, FormRecord, ProfessionalTitle
from yibao_sdk.rules import Colour, Engine, Override, Severity, Stage, Verdict
from yibao_sdk.testing import factories as f

PLUGIN = "yibao_sdk.plugins.teg_preop"
RULE = "YB-TEG-PREOP"
TEG = "002502030660000"
T0 = f.T0


def engine(rules: dict[str, dict[str, Any]] | None = None) -> Engine:
    return f.engine(PLUGIN, rules=rules, practitioners=[
        f.practitioner("D010", ProfessionalTitle.ASSOCIATE_CHIEF),
        f.practitioner("D020", ProfessionalTitle.ATTENDING)])


def teg(at: datetime = T0, code: str = TEG, **kw: Any) -> Charge:
    return f.charge(code, at=at, category=ChargeCategory.LAB, unit_price="180", **kw)


def check(charge: Charge, forms: Iterable[FormRecord] = (), **rules: Any) -> Verdict:
    eng = engine({RULE: rules} if rules else None)
    return eng.check_charge(charge, f.visit(records=forms, admitted_at=T0 - timedelta(days=5)))


def test_teg_preop_spec_is_registered() -> None:
    spec = engine().rules[RULE].spec
    assert spec.name == "血栓弹力图须有术前评估表"
    assert spec.stages == frozenset({Stage.MID, Stage.POST})
    assert spec.default_severity is Severity.BLOCK
    assert spec.default_params() == {
        "item_codes": (TEG,),
        "hospital_item_codes": (),
        "form_types": ("preop_assessment",),
        "window_hours": 72,
    }
    (codes,) = [p for p in spec.parameters if p.name == "item_codes"]
    assert "本省目录" in codes.description
    assert spec.override.signatures == 1
    assert spec.override.min_title is ProfessionalTitle.ASSOCIATE_CHIEF


def test_teg_preop_recent_form_is_green() -> None:
    verdict = check(teg(), [f.form(at=T0 - timedelta(hours=20))])
    assert verdict.colour is Colour.GREEN and verdict.findings == ()


def test_teg_preop_without_form_is_red() -> None:
    charge = teg()
    verdict = check(charge)
    assert verdict.colour is Colour.RED
    (finding,) = verdict.findings
    assert finding.rule_id == RULE and finding.subject.id == charge.charge_id
    assert finding.amount == Decimal("180")
    for text in (TEG, "2026-03-02 09:00", "72小时", "preop_assessment", "本次就诊无此类表单"):
        assert text in finding.message
    assert "2026-02-27 09:00" in finding.evidence


@pytest.mark.parametrize(
    ("before", "colour"),
    [
        (timedelta(hours=72), Colour.GREEN),
        (timedelta(hours=72, minutes=1), Colour.RED),
        (timedelta(0), Colour.GREEN),
        (-timedelta(minutes=1), Colour.RED),
    ],
    ids=["exactly-72h-before", "72h01m-before", "same-minute", "one-minute-after"],
)
def test_teg_preop_window_boundaries(before: timedelta, colour: Colour) -> None:
    assert check(teg(), [f.form(at=T0 - before)]).colour is colour


def test_teg_preop_message_lists_forms_outside_the_window() -> None:
    form = f.form(at=T0 + timedelta(hours=1))
    (finding,) = check(teg(), [form]).findings
    assert f"{form.record_id}（2026-03-02 10:00）" in finding.message
    assert [s.id for s in finding.related] == [form.record_id]


def test_teg_preop_other_form_types_do_not_count() -> None:
    forms = [f.form("anaesthesia_assessment", at=T0 - timedelta(hours=2))]
    assert check(teg(), forms).colour is Colour.RED
    both = ("preop_assessment", "anaesthesia_assessment")
    assert check(teg(), forms, form_types=both).findings == ()


def test_teg_preop_window_hours_parameter() -> None:
    forms = [f.form(at=T0 - timedelta(hours=48))]
    assert check(teg(), forms).findings == ()
    assert check(teg(), forms, window_hours=24).colour is Colour.RED


def test_teg_preop_item_codes_parameter_replaces_the_example_code() -> None:
    local = "002502030660001"
    assert check(teg(code=local)).findings == ()
    assert check(teg(code=local), item_codes=[local]).colour is Colour.RED
    assert check(teg(), item_codes=[local]).findings == ()


def test_teg_preop_hospital_item_codes_parameter() -> None:
    charge = teg(code="002502039990000", hospital_item_code="LIS-TEG")
    assert check(charge).findings == ()
    assert check(charge, hospital_item_codes=["LIS-TEG"]).colour is Colour.RED


@pytest.mark.parametrize(
    "charge",
    [teg(self_pay=True), teg(quantity=-1), f.charge("002501000010000")],
    ids=["self-pay", "refund", "other-item"],
)
def test_teg_preop_lines_that_are_not_checked(charge: Charge) -> None:
    assert check(charge).findings == ()


def test_teg_preop_audit_checks_each_teg_line_of_the_visit() -> None:
    covered = teg(at=T0)
    uncovered = teg(at=T0 + timedelta(days=4))
    visit = f.visit(charges=[covered, uncovered, f.charge("002501000010000")],
                    records=[f.form(at=T0 - timedelta(hours=1))])
    verdict = engine().audit_visit(visit)
    assert verdict.stage is Stage.POST
    assert [x.subject.id for x in verdict.findings] == [uncovered.charge_id]


def test_teg_preop_replay_form_written_after_the_charge_does_not_count() -> None:
    charge = teg(at=T0)
    visit = f.visit(charges=[charge], records=[f.form(at=T0 + timedelta(hours=1))])
    report = engine().check_visit(visit)
    (charge_verdict,) = [v for v in report.verdicts if v.subject.id == charge.charge_id]
    assert charge_verdict.colour is Colour.RED
    assert report.audit.colour is Colour.RED


def test_teg_preop_override_needs_one_associate_chief() -> None:
    eng = engine()
    verdict = eng.check_charge(teg(), f.visit())
    finding_id = verdict.findings[0].finding_id
    junior = Override(finding_id=finding_id, reason="术中大出血急查",
                      signatures=(f.signature("D020"),), recorded_at=T0)
    with pytest.raises(OverrideError):
        eng.override(verdict, junior)
    senior = junior.model_copy(update={"signatures": (f.signature("D010"),)})
    assert eng.override(verdict, senior).allowed


def test_teg_preop_verdict_json_round_trip() -> None:
    verdict = check(teg(), [f.form(at=T0 + timedelta(minutes=5))])
    again = Verdict.model_validate_json(verdict.model_dump_json())
    assert again == verdict and again.colour is Colour.RED


@pytest.mark.parametrize("value", [-1, 0])
def test_teg_preop_window_hours_must_be_positive(value: int) -> None:
    with pytest.raises(ConfigError, match=r"rules\.YB-TEG-PREOP\.window_hours"):
        f.engine(PLUGIN, rules={RULE: {"window_hours": value}})
