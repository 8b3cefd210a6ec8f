"""Tests for the YB-DUP-CHARGE rule (重复收费)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from yibao_sdk.errors import ConfigError
from yibao_sdk.rules import Colour, Engine, Severity, Stage, SubjectKind, Verdict
from yibao_sdk.testing import factories as f

PLUGIN = "yibao_sdk.plugins.duplicate_charge"
RULE = "YB-DUP-CHARGE"
MONITOR = "001103000010000"  # 急诊监护费 (main)
CONSULT = "001102000030000"  # 急诊诊查费 (included, same day)
ANAESTHESIA = "003301000150000"  # 麻醉中监测 (main, 6 h)
ECG_MONITOR = "003107010080000"  # 心电监测 (included in 6 h; main of the 1 h pair)
ECG = "003107010010000"  # 常规心电图检查 (included, 60 min)
T0 = f.T0


@pytest.fixture
def engine() -> Engine:
    return f.engine(PLUGIN)


def test_duplicate_charge_spec_is_registered(engine: Engine) -> None:
    spec = engine.rules[RULE].spec
    assert spec.name == "重复收费"
    assert spec.stages == frozenset({Stage.MID, Stage.POST})
    assert spec.default_severity is Severity.BLOCK
    assert [p.name for p in spec.parameters] == ["pairs"]


def test_duplicate_charge_included_item_after_main_same_day_is_red(engine: Engine) -> None:
    main = f.charge(MONITOR, unit_price="120", at=T0)
    consult = f.charge(CONSULT, unit_price="25", at=T0 + timedelta(hours=3), name="急诊诊查费")
    verdict = engine.check_charge(consult, f.visit(charges=[main, consult]))
    assert verdict.colour is Colour.RED
    (finding,) = verdict.findings
    assert finding.rule_id == RULE
    assert finding.subject.id == consult.charge_id
    assert [r.id for r in finding.related] == [main.charge_id]
    assert finding.amount == Decimal("25")
    assert MONITOR in finding.message and CONSULT in finding.message
    assert main.charge_id in finding.message and "12:00" in finding.message
    assert "25.00元" in finding.message
    assert "102012" in finding.evidence


def test_duplicate_charge_main_item_after_included_flags_the_main(engine: Engine) -> None:
    consult = f.charge(CONSULT, unit_price="25", at=T0)
    main = f.charge(MONITOR, unit_price="120", at=T0 + timedelta(hours=1))
    verdict = engine.check_charge(main, f.visit(charges=[consult]))
    (finding,) = verdict.findings
    assert finding.subject.id == main.charge_id
    assert [r.id for r in finding.related] == [consult.charge_id]
    assert finding.amount == Decimal("25")
    assert consult.charge_id in finding.message


def test_duplicate_charge_unrelated_items_are_green(engine: Engine) -> None:
    main = f.charge(MONITOR, at=T0)
    other = f.charge("001102000050000", at=T0)
    assert engine.check_charge(other, f.visit(charges=[main])).colour is Colour.GREEN
    alone = f.charge(CONSULT, at=T0)
    assert engine.check_charge(alone, f.visit()).findings == ()


def test_duplicate_charge_refund_line_under_check_is_never_flagged(engine: Engine) -> None:
    main = f.charge(MONITOR, at=T0)
    refund = f.charge(CONSULT, quantity=-1, at=T0 + timedelta(hours=1))
    assert engine.check_charge(refund, f.visit(charges=[main])).findings == ()


@pytest.mark.parametrize(
    ("gap", "hit"),
    [(timedelta(hours=5, minutes=59), True), (timedelta(hours=6), False)],
)
def test_duplicate_charge_six_hour_window_boundary(
    engine: Engine, gap: timedelta, hit: bool
) -> None:
    main = f.charge(ANAESTHESIA, at=T0)
    ecg = f.charge(ECG_MONITOR, at=T0 + gap)
    assert bool(engine.check_charge(ecg, f.visit(charges=[main])).findings) is hit
    # the same boundary holds with the main item billed after the included one
    late_main = f.charge(ANAESTHESIA, at=T0 + gap)
    early = f.charge(ECG_MONITOR, at=T0)
    assert bool(engine.check_charge(late_main, f.visit(charges=[early])).findings) is hit


@pytest.mark.parametrize(
    ("gap", "hit"),
    [(timedelta(minutes=59, seconds=59), True), (timedelta(minutes=60), False)],
)
def test_duplicate_charge_hour_window_boundary(engine: Engine, gap: timedelta, hit: bool) -> None:
    main = f.charge(ECG_MONITOR, at=T0)
    ecg = f.charge(ECG, at=T0 + gap)
    assert bool(engine.check_charge(ecg, f.visit(charges=[main])).findings) is hit


@pytest.mark.parametrize(
    ("main_at", "consult_at", "hit"),
    [
        (datetime(2026, 3, 2, 0, 0), datetime(2026, 3, 2, 23, 59), True),
        (datetime(2026, 3, 2, 23, 59), datetime(2026, 3, 3, 0, 0), False),
        (datetime(2026, 3, 3, 0, 0), datetime(2026, 3, 2, 23, 59), False),
    ],
)
def test_duplicate_charge_day_window_is_the_calendar_day(
    engine: Engine, main_at: datetime, consult_at: datetime, hit: bool
) -> None:
    main = f.charge(MONITOR, at=main_at)
    consult = f.charge(CONSULT, at=consult_at)
    assert bool(engine.check_charge(consult, f.visit(charges=[main])).findings) is hit


def test_duplicate_charge_refunded_main_does_not_count(engine: Engine) -> None:
    main = f.charge(MONITOR, at=T0)
    refund = f.charge(MONITOR, quantity=-1, at=T0 + timedelta(minutes=30))
    consult = f.charge(CONSULT, at=T0 + timedelta(hours=1))
    assert engine.check_charge(consult, f.visit(charges=[main, refund])).findings == ()


def test_duplicate_charge_partial_refund_leaves_main_billed(engine: Engine) -> None:
    main = f.charge(MONITOR, quantity=2, at=T0)
    refund = f.charge(MONITOR, quantity=-1, at=T0 + timedelta(minutes=30))
    consult = f.charge(CONSULT, at=T0 + timedelta(hours=1))
    (finding,) = engine.check_charge(consult, f.visit(charges=[main, refund])).findings
    assert [r.id for r in finding.related] == [main.charge_id]


def test_duplicate_charge_refund_cancels_the_latest_earlier_line(engine: Engine) -> None:
    yesterday = f.charge(MONITOR, at=T0 - timedelta(days=1))
    today = f.charge(MONITOR, at=T0)
    refund = f.charge(MONITOR, quantity=-1, at=T0 + timedelta(minutes=10))
    consult = f.charge(CONSULT, at=T0 + timedelta(hours=1))
    visit = f.visit(charges=[yesterday, today, refund])
    assert engine.check_charge(consult, visit).findings == ()


def test_duplicate_charge_refunded_included_is_not_flagged_for_the_main(engine: Engine) -> None:
    consult = f.charge(CONSULT, at=T0)
    refund = f.charge(CONSULT, quantity=-1, at=T0 + timedelta(minutes=5))
    main = f.charge(MONITOR, at=T0 + timedelta(hours=1))
    assert engine.check_charge(main, f.visit(charges=[consult, refund])).findings == ()


def test_duplicate_charge_audit_flags_each_included_charge_once(engine: Engine) -> None:
    main1 = f.charge(MONITOR, at=T0)
    main2 = f.charge(MONITOR, at=T0 + timedelta(hours=2))
    consult = f.charge(CONSULT, unit_price="25", at=T0 + timedelta(hours=1))
    refunded = f.charge(CONSULT, at=T0 + timedelta(hours=3))
    refund = f.charge(CONSULT, quantity=-1, at=T0 + timedelta(hours=4))
    verdict = engine.audit_visit(f.visit(charges=[main1, main2, consult, refunded, refund]))
    assert verdict.stage is Stage.POST
    (finding,) = verdict.findings
    assert finding.subject.id == consult.charge_id
    assert finding.subject.kind is SubjectKind.CHARGE
    assert {r.id for r in finding.related} == {main1.charge_id, main2.charge_id}
    assert finding.amount == Decimal("25")


def test_duplicate_charge_audit_of_clean_visit_is_green(engine: Engine) -> None:
    visit = f.visit(charges=[f.charge(MONITOR, at=T0),
                             f.charge(CONSULT, at=T0 + timedelta(days=1))])
    assert engine.audit_visit(visit).colour is Colour.GREEN


def test_duplicate_charge_audit_amount_after_partial_refund(engine: Engine) -> None:
    main = f.charge(MONITOR, at=T0)
    consult = f.charge(CONSULT, unit_price="25", quantity=3, at=T0 + timedelta(hours=1))
    refund = f.charge(CONSULT, unit_price="25", quantity=-1, at=T0 + timedelta(hours=2))
    (finding,) = engine.audit_visit(f.visit(charges=[main, consult, refund])).findings
    assert finding.amount == Decimal("50.00")


def test_duplicate_charge_replay_flags_the_later_included_line(engine: Engine) -> None:
    main = f.charge(MONITOR, at=T0)
    consult = f.charge(CONSULT, at=T0 + timedelta(hours=1))
    report = engine.check_visit(f.visit(charges=[consult, main]))
    colours = {v.subject.id: v.colour for v in report.verdicts}
    assert colours == {main.charge_id: Colour.GREEN, consult.charge_id: Colour.RED}
    assert report.audit.colour is Colour.RED


def test_duplicate_charge_configured_pairs_change_the_outcome() -> None:
    main = f.charge(MONITOR, at=T0)
    consult = f.charge(CONSULT, at=T0 + timedelta(days=1))
    visit = f.visit(charges=[main])
    assert f.engine(PLUGIN).check_charge(consult, visit).findings == ()
    per_visit = f.engine(PLUGIN, rules={RULE: {"pairs": [[MONITOR, CONSULT, "visit"]]}})
    (finding,) = per_visit.check_charge(consult, visit).findings
    assert "同次就诊" in finding.message
    none = f.engine(PLUGIN, rules={RULE: {"pairs": []}})
    assert none.check_charge(f.charge(CONSULT, at=T0), visit).findings == ()


def test_duplicate_charge_rejects_an_unknown_window() -> None:
    with pytest.raises(ConfigError, match="pairs"):
        f.engine(PLUGIN, rules={RULE: {"pairs": [[MONITOR, CONSULT, "week"]]}})


def test_duplicate_charge_disabled_rule_is_silent() -> None:
    engine = f.engine(PLUGIN, rules={RULE: {"enabled": False}})
    consult = f.charge(CONSULT, at=T0 + timedelta(hours=1))
    assert engine.check_charge(consult, f.visit(charges=[f.charge(MONITOR)])).findings == ()


def test_duplicate_charge_verdict_json_round_trip(engine: Engine) -> None:
    main = f.charge(MONITOR, at=T0)
    consult = f.charge(CONSULT, at=T0 + timedelta(hours=1))
    verdict = engine.check_charge(consult, f.visit(charges=[main]))
    assert verdict.findings
    again = Verdict.model_validate_json(verdict.model_dump_json())
    assert again == verdict
    assert again.colour is Colour.RED
    assert again.findings[0].finding_id == verdict.findings[0].finding_id
