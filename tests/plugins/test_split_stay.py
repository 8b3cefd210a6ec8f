"""Tests for the YB-SPLIT-STAY rule (分解住院)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from yibao_sdk.errors import ConfigError
from yibao_sdk.models import Diagnosis, Settlement, Visit, VisitType
from yibao_sdk.rules import Colour, Severity, Stage, SubjectKind, Verdict
from yibao_sdk.testing import factories as f

PLUGIN = "yibao_sdk.plugins.split_stay"
RULE = "YB-SPLIT-STAY"
ADMIT = datetime(2026, 3, 16, 9, 0)


def stay(code: str = "I63.900", *, admitted: datetime, discharged: datetime | None,
         visit_type: VisitType = VisitType.INPATIENT, **kw: Any) -> Visit:
    """A visit with main diagnosis ``code``."""
    return f.visit(admitted_at=admitted, discharged_at=discharged, visit_type=visit_type,
                   diagnoses=(Diagnosis(code=code, name="脑梗死", main=True),), **kw)


def earlier(code: str = "I63.900", *, gap_days: int = 10, los: int = 7,
            **kw: Any) -> Visit:
    """An earlier stay discharged ``gap_days`` calendar days before :data:`ADMIT`."""
    out = datetime.combine(ADMIT.date() - timedelta(days=gap_days), datetime.min.time())
    out += timedelta(hours=15)
    return stay(code, admitted=out - timedelta(days=los), discharged=out, **kw)


def current(code: str = "I63.901", **kw: Any) -> Visit:
    return stay(code, admitted=ADMIT, discharged=ADMIT + timedelta(days=6), **kw)


def settle(visit: Visit) -> Settlement:
    return Settlement(settlement_id="S0001", visit_id=visit.visit_id,
                      requested_at=ADMIT + timedelta(days=6), total=Decimal("8000"))


def check(history: Iterable[Visit], visit: Visit | None = None,
          rules: dict[str, dict[str, Any]] | None = None) -> Verdict:
    visit = visit or current()
    return f.engine(PLUGIN, history=history, rules=rules).check_settlement(settle(visit), visit)


def test_split_stay_spec_is_registered() -> None:
    spec = f.engine(PLUGIN).rules[RULE].spec
    assert spec.name == "分解住院"
    assert spec.stages == frozenset({Stage.MID, Stage.POST})
    assert spec.default_severity is Severity.WARN
    assert spec.default_params() == {"days": 15, "match": "category",
                                     "exclude_diagnoses": ("Z51", "Z49")}


def test_split_stay_readmission_with_same_category_is_yellow() -> None:
    before = earlier(gap_days=10)
    verdict = check([before])
    assert verdict.colour is Colour.YELLOW
    (finding,) = verdict.findings
    assert finding.subject.kind is SubjectKind.SETTLEMENT
    assert [r.id for r in finding.related] == [before.visit_id]
    assert [r.kind for r in finding.related] == [SubjectKind.VISIT]
    assert "10天" in finding.message and "I63.900" in finding.message
    assert "I63.901" in finding.message and before.visit_id in finding.message
    assert "2026-03-06出院" in finding.message
    assert finding.policy.reason_required
    assert not verdict.allowed


@pytest.mark.parametrize(("gap", "hit"), [(0, True), (15, True), (16, False)])
def test_split_stay_gap_boundary(gap: int, hit: bool) -> None:
    assert bool(check([earlier(gap_days=gap)]).findings) is hit


def test_split_stay_gap_counts_calendar_days_not_hours() -> None:
    # 1 March 23:30 → 16 March 00:30 is 15 calendar days (hit);
    # 28 Feb 23:55 → 16 March 00:30 is 16 calendar days (none), although only 15 days 35 min
    before = stay(admitted=datetime(2026, 2, 20, 8, 0), discharged=datetime(2026, 3, 1, 23, 30))
    visit = stay("I63.901", admitted=datetime(2026, 3, 16, 0, 30), discharged=None)
    assert check([before], visit).findings
    before16 = stay(admitted=datetime(2026, 2, 20, 8, 0), discharged=datetime(2026, 2, 28, 23, 55))
    assert check([before16], visit).findings == ()


def test_split_stay_different_category_is_green() -> None:
    assert check([earlier("J18.900")]).colour is Colour.GREEN


def test_split_stay_excluded_main_diagnosis_is_green() -> None:
    chemo = current("Z51.100")
    assert check([earlier("Z51.100", gap_days=5)], chemo).findings == ()
    dialysis = current("z49.101")
    assert check([earlier("Z49.101", gap_days=5)], dialysis).findings == ()


def test_split_stay_earlier_outpatient_visit_is_ignored() -> None:
    clinic = earlier(gap_days=3, los=0, visit_type=VisitType.OUTPATIENT)
    assert check([clinic]).findings == ()


def test_split_stay_current_outpatient_visit_is_not_checked() -> None:
    visit = current(visit_type=VisitType.OUTPATIENT)
    assert check([earlier(gap_days=3)], visit).findings == ()


def test_split_stay_overlapping_or_open_earlier_stay_is_not_a_split() -> None:
    open_stay = stay(admitted=ADMIT - timedelta(days=3), discharged=None)
    overlapping = stay(admitted=ADMIT - timedelta(days=3), discharged=ADMIT + timedelta(days=1))
    assert check([open_stay, overlapping]).findings == ()


def test_split_stay_other_patients_history_is_ignored() -> None:
    someone = f.patient(patient_id="P0002")
    assert check([earlier(gap_days=3, patient=someone)]).findings == ()


def test_split_stay_reports_the_most_recent_matching_stay() -> None:
    older = earlier(gap_days=14, los=3)
    newer = earlier(gap_days=4, los=3)
    (finding,) = check([older, newer]).findings
    assert [r.id for r in finding.related] == [newer.visit_id]
    assert "4天" in finding.message


def test_split_stay_audit_flags_the_visit() -> None:
    before = earlier(gap_days=10)
    visit = current()
    verdict = f.engine(PLUGIN, history=[before]).audit_visit(visit)
    (finding,) = verdict.findings
    assert verdict.stage is Stage.POST
    assert finding.subject.kind is SubjectKind.VISIT
    assert finding.subject.id == visit.visit_id
    assert finding.severity is Severity.WARN


def test_split_stay_audit_ignores_the_visit_itself_in_history() -> None:
    visit = current()
    assert f.engine(PLUGIN, history=[visit]).audit_visit(visit).findings == ()


def test_split_stay_exact_match_parameter() -> None:
    history = [earlier("I63.900")]
    assert check(history).findings
    assert check(history, rules={RULE: {"match": "exact"}}).findings == ()
    assert check(history, current("i63.900"), rules={RULE: {"match": "exact"}}).findings


def test_split_stay_days_parameter_changes_the_outcome() -> None:
    history = [earlier(gap_days=10)]
    assert check(history).findings
    assert check(history, rules={RULE: {"days": 7}}).findings == ()
    assert check([earlier(gap_days=20)], rules={RULE: {"days": 30}}).findings


def test_split_stay_finds_a_long_earlier_stay() -> None:
    assert check([earlier(gap_days=5, los=190)]).findings


def test_split_stay_exclude_parameter_changes_the_outcome() -> None:
    history = [earlier("C34.100", gap_days=5)]
    lung = current("C34.101")
    assert check(history, lung).findings
    assert check(history, lung, rules={RULE: {"exclude_diagnoses": ["C34"]}}).findings == ()
    chemo = current("Z51.100")
    assert check([earlier("Z51.100", gap_days=5)], chemo,
                 rules={RULE: {"exclude_diagnoses": []}}).findings


def test_split_stay_visit_without_diagnosis_is_green() -> None:
    visit = f.visit(admitted_at=ADMIT)
    assert check([earlier(gap_days=3)], visit).findings == ()


def test_split_stay_verdict_json_round_trip() -> None:
    verdict = check([earlier(gap_days=10)])
    assert verdict.findings
    again = Verdict.model_validate_json(verdict.model_dump_json())
    assert again == verdict
    assert again.colour is Colour.YELLOW


@pytest.mark.parametrize("value", [-1, -15])
def test_split_stay_negative_days_are_refused_by_the_config(value: int) -> None:
    with pytest.raises(ConfigError, match=r"rules\.YB-SPLIT-STAY\.days"):
        f.engine(PLUGIN, rules={RULE: {"days": value}})


@pytest.mark.parametrize(("gap", "hit"), [(0, True), (1, False)])
def test_split_stay_zero_days_flags_only_a_same_day_readmission(gap: int, hit: bool) -> None:
    assert bool(check([earlier(gap_days=gap)], rules={RULE: {"days": 0}}).findings) is hit
