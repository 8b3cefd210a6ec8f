"""Tests of HOSP-NIGHT-CT, written with the fixtures yibao-sdk ships to pytest."""

from __future__ import annotations

from datetime import datetime

import pytest
import yibao_night_ct

RULE = "HOSP-NIGHT-CT"


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, 2, hour, minute)


@pytest.mark.parametrize(("hour", "minute"), [(22, 0), (23, 30), (0, 0), (5, 59)])
def test_ct_at_night_is_yellow(yibao_engine, yibao_factories, yibao_assert, hour, minute):
    f = yibao_factories
    order = f.imaging_order(modality="CT", at=at(hour, minute))
    verdict = yibao_engine(yibao_night_ct).check_order(order, f.visit())
    [finding] = yibao_assert.finding(verdict, RULE, severity="warn", subject_id=order.order_id)
    assert f"{hour:02d}:{minute:02d}" in finding.message
    assert verdict.colour == "yellow"


@pytest.mark.parametrize(("hour", "minute"), [(6, 0), (12, 0), (21, 59)])
def test_ct_by_day_is_green(yibao_engine, yibao_factories, yibao_assert, hour, minute):
    f = yibao_factories
    order = f.imaging_order(modality="CT", at=at(hour, minute))
    verdict = yibao_engine(yibao_night_ct).check_order(order, f.visit())
    yibao_assert.no_finding(verdict, RULE)
    assert verdict.colour == "green"


def test_urgent_ct_and_night_mri_pass(yibao_engine, yibao_factories, yibao_assert):
    f = yibao_factories
    engine = yibao_engine(yibao_night_ct)
    urgent = f.imaging_order(modality="CT", at=at(23), urgent=True)
    mri = f.imaging_order(modality="MR", at=at(23))
    yibao_assert.no_finding([engine.check_order(o, f.visit()) for o in (urgent, mri)], RULE)


def test_hospital_can_move_the_window(yibao_engine, yibao_factories, yibao_assert):
    f = yibao_factories
    rules = {RULE: {"night_start": 20, "night_end": 7}}
    engine = yibao_engine(yibao_night_ct, rules=rules)
    verdicts = [engine.check_order(f.imaging_order(modality="CT", at=at(h)), f.visit())
                for h in (20, 6, 7)]
    yibao_assert.finding(verdicts, RULE, count=2)


def test_hospital_can_make_it_red(yibao_engine, yibao_factories, yibao_assert):
    f = yibao_factories
    engine = yibao_engine(yibao_night_ct, rules={RULE: {"severity": "block"}})
    report = engine.check_visit(f.visit(orders=[f.imaging_order(modality="CT", at=at(23))]))
    yibao_assert.finding(report, RULE, severity="block", count=1)
    assert report.colour == "red"
