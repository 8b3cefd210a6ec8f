"""Tests for the YB-MRI-24H rule (MRI平扫+增强24小时内限做一次)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from yibao_sdk.errors import ConfigError, OverrideError
from yibao_sdk.models import Charge, ChargeCategory, ImagingOrder, ProfessionalTitle, Visit
from yibao_sdk.rules import Colour, Engine, Override, Severity, Stage, Verdict
from yibao_sdk.testing import factories as f

PLUGIN = "yibao_sdk.plugins.mri_frequency"
RULE = "YB-MRI-24H"
T0 = f.T0
MRI = "002102000020000"
DAY = timedelta(hours=24)
MINUTE = timedelta(minutes=1)


def engine(history: Iterable[Visit] = (), **params: Any) -> Engine:
    return f.engine(PLUGIN, history=history, rules={RULE: params} if params else None,
                    practitioners=[f.practitioner("D010", ProfessionalTitle.ASSOCIATE_CHIEF),
                                   f.practitioner("D020", ProfessionalTitle.ATTENDING)])


def mri(at: datetime = T0, **kw: Any) -> ImagingOrder:
    return f.imaging_order(at=at, **kw)


def line(at: datetime = T0, quantity: int = 1, code: str = MRI, **kw: Any) -> Charge:
    return f.charge(code, at=at, quantity=quantity, unit_price="680",
                    category=ChargeCategory.EXAMINATION, **kw)


def visit(**kw: Any) -> Visit:
    return f.visit(admitted_at=T0 - timedelta(days=3), **kw)


def test_mri_frequency_spec_is_registered() -> None:
    spec = engine().rules[RULE].spec
    assert spec.name == "MRI平扫+增强24小时内限做一次"
    assert spec.stages == frozenset({Stage.PRE, Stage.MID, Stage.POST})
    assert spec.default_severity is Severity.BLOCK
    params = spec.default_params()
    assert params["modalities"] == ("MR",) and params["window_hours"] == 24
    assert params["same_body_part_only"] is False
    assert all(len(c) == 15 and c.startswith("00") for c in params["item_codes"])
    (codes,) = [p for p in spec.parameters if p.name == "item_codes"]
    assert "本省" in codes.description


# --- orders (事前) -------------------------------------------------------------------------


def test_mri_frequency_first_order_is_green() -> None:
    assert engine().check_order(mri(), visit()).colour is Colour.GREEN


@pytest.mark.parametrize(
    ("gap", "colour"),
    [(DAY - MINUTE, Colour.RED), (DAY, Colour.GREEN), (timedelta(0), Colour.RED)],
    ids=["23h59m", "exactly-24h", "same-time"],
)
def test_mri_frequency_order_window_boundary(gap: timedelta, colour: Colour) -> None:
    earlier = mri(T0 - gap)
    assert engine().check_order(mri(), visit(orders=[earlier])).colour is colour


def test_mri_frequency_order_finding_carries_the_evidence() -> None:
    earlier = mri(T0 - DAY + MINUTE, body_part="头颅")
    current = mri(body_part="头颅")
    (finding,) = engine().check_order(current, visit(orders=[earlier])).findings
    assert finding.rule_id == RULE and finding.subject.id == current.order_id
    for text in (f"医嘱{current.order_id}（2026-03-02 09:00，头颅）",
                 f"医嘱{earlier.order_id}（2026-03-01 09:01，头颅）", "间隔23小时59分", "24小时"):
        assert text in finding.message
    assert [s.id for s in finding.related] == [earlier.order_id]


@pytest.mark.parametrize(
    "earlier",
    [
        mri(T0 - timedelta(hours=2), scope="plain"),
        mri(T0 - timedelta(hours=2), scope="enhanced"),
        mri(T0 - timedelta(hours=2), modality="CT"),
        mri(T0 + timedelta(hours=2)),
    ],
    ids=["plain-only", "enhanced-only", "ct", "later-order"],
)
def test_mri_frequency_other_orders_do_not_count(earlier: ImagingOrder) -> None:
    assert engine().check_order(mri(), visit(orders=[earlier])).findings == ()


def test_mri_frequency_non_mri_subject_is_not_checked() -> None:
    earlier = mri(T0 - timedelta(hours=2))
    assert engine().check_order(mri(scope="plain"), visit(orders=[earlier])).findings == ()
    assert engine().check_order(f.drug_order(), visit(orders=[earlier])).findings == ()


def test_mri_frequency_modalities_parameter_and_case() -> None:
    earlier = mri(T0 - timedelta(hours=2), modality="ct")
    assert engine().check_order(mri(modality="CT"), visit(orders=[earlier])).findings == ()
    eng = engine(modalities=["MR", "CT"])
    assert eng.check_order(mri(modality="CT"), visit(orders=[earlier])).colour is Colour.RED
    assert engine().check_order(mri(modality="mr"), visit(orders=[mri(T0 - MINUTE)])).findings


def test_mri_frequency_window_hours_parameter() -> None:
    earlier = [mri(T0 - timedelta(hours=30))]
    assert engine().check_order(mri(), visit(orders=earlier)).findings == ()
    assert engine(window_hours=48).check_order(mri(), visit(orders=earlier)).colour is Colour.RED


@pytest.mark.parametrize(
    ("before", "now", "colour"),
    [("头颅", "腰椎", Colour.GREEN), ("头颅", "头颅", Colour.RED), ("", "腰椎", Colour.RED)],
    ids=["different-part", "same-part", "unknown-part"],
)
def test_mri_frequency_same_body_part_only(before: str, now: str, colour: Colour) -> None:
    earlier = [mri(T0 - timedelta(hours=2), body_part=before)]
    current = mri(body_part=now)
    assert engine().check_order(current, visit(orders=earlier)).colour is Colour.RED
    eng = engine(same_body_part_only=True)
    assert eng.check_order(current, visit(orders=earlier)).colour is colour


def test_mri_frequency_order_in_an_earlier_visit_counts() -> None:
    old = f.visit(visit_id="V-OUTPT", admitted_at=T0 - timedelta(hours=10),
                  orders=[mri(T0 - timedelta(hours=10))])
    (finding,) = engine(history=[old]).check_order(mri(), visit()).findings
    assert "就诊V-OUTPT" in finding.message
    far = f.visit(visit_id="V-FAR", admitted_at=T0 - timedelta(days=3),
                  orders=[mri(T0 - timedelta(hours=25))])
    assert engine(history=[far]).check_order(mri(), visit()).findings == ()


def test_mri_frequency_reaches_into_a_long_earlier_stay() -> None:
    long_stay = f.visit(visit_id="V-LONG", admitted_at=T0 - timedelta(days=120),
                        orders=[mri(T0 - timedelta(hours=3))])
    assert engine(history=[long_stay]).check_order(mri(), visit()).colour is Colour.RED


# --- charges (事中) ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("gap", "colour"), [(DAY - MINUTE, Colour.RED), (DAY, Colour.GREEN)], ids=["23h59m", "24h"]
)
def test_mri_frequency_charge_window_boundary(gap: timedelta, colour: Colour) -> None:
    verdict = engine().check_charge(line(), visit(charges=[line(T0 - gap)]))
    assert verdict.colour is colour


def test_mri_frequency_charge_finding_has_amount_and_related_line() -> None:
    earlier = line(T0 - timedelta(hours=1))
    (finding,) = engine().check_charge(line(), visit(charges=[earlier])).findings
    assert finding.amount == Decimal("680")
    assert f"收费{earlier.charge_id}" in finding.message
    assert [s.id for s in finding.related] == [earlier.charge_id]


def test_mri_frequency_refund_line_cancels_a_charge() -> None:
    earlier = line(T0 - timedelta(hours=3))
    refund = line(T0 - timedelta(hours=2), quantity=-1)
    assert engine().check_charge(line(), visit(charges=[earlier, refund])).findings == ()
    linked = [line(T0 - timedelta(hours=3), order_id="O-A"),
              line(T0 - timedelta(hours=2), order_id="O-B"),
              line(T0 - timedelta(hours=1), quantity=-1, order_id="O-A")]
    (finding,) = engine().check_charge(line(), visit(charges=linked)).findings
    assert [s.id for s in finding.related] == [linked[1].charge_id]


@pytest.mark.parametrize(
    "charge",
    [line(quantity=-1), line(self_pay=True), line(code="002102000010000")],
    ids=["refund", "self-pay", "other-item"],
)
def test_mri_frequency_lines_that_are_not_checked(charge: Charge) -> None:
    assert engine().check_charge(charge, visit(charges=[line(T0 - MINUTE)])).findings == ()


def test_mri_frequency_self_pay_earlier_line_does_not_count() -> None:
    earlier = line(T0 - timedelta(hours=1), self_pay=True)
    assert engine().check_charge(line(), visit(charges=[earlier])).findings == ()


def test_mri_frequency_item_codes_parameter() -> None:
    local = "002102000029999"
    charges = [line(T0 - timedelta(hours=1), code=local)]
    assert engine().check_charge(line(code=local), visit(charges=charges)).findings == ()
    eng = engine(item_codes=[local])
    assert eng.check_charge(line(code=local), visit(charges=charges)).colour is Colour.RED


def test_mri_frequency_charge_same_body_part_comes_from_the_linked_order() -> None:
    head, spine = mri(T0 - timedelta(hours=2), body_part="头颅"), mri(body_part="腰椎")
    charges = [line(T0 - timedelta(hours=2), order_id=head.order_id)]
    current = line(order_id=spine.order_id)
    eng = engine(same_body_part_only=True)
    assert eng.check_charge(current, visit(orders=[head, spine], charges=charges)).findings == ()
    assert engine().check_charge(current, visit(orders=[head, spine], charges=charges)).findings


def test_mri_frequency_charge_in_an_earlier_visit_counts() -> None:
    old = f.visit(visit_id="V-ER", admitted_at=T0 - timedelta(hours=6),
                  charges=[line(T0 - timedelta(hours=5))])
    (finding,) = engine(history=[old]).check_charge(line(), visit()).findings
    assert "就诊V-ER" in finding.message


# --- audit (事后), replay and the engine around the rule -----------------------------------


def test_mri_frequency_audit_flags_only_the_later_order_and_line() -> None:
    first, second = mri(T0), mri(T0 + timedelta(hours=2))
    c1, c2 = line(T0), line(T0 + timedelta(hours=2))
    verdict = engine().audit_visit(visit(orders=[second, first], charges=[c1, c2]))
    assert verdict.stage is Stage.POST
    assert {x.subject.id for x in verdict.findings} == {second.order_id, c2.charge_id}
    (charged,) = [x for x in verdict.findings if x.subject.id == c2.charge_id]
    assert charged.amount == Decimal("680")


def test_mri_frequency_audit_three_in_a_day() -> None:
    orders = [mri(T0), mri(T0 + timedelta(hours=1)), mri(T0 + timedelta(hours=2))]
    verdict = engine().audit_visit(visit(orders=orders))
    assert [x.subject.id for x in verdict.findings] == [
        orders[1].order_id, orders[2].order_id, orders[2].order_id]


def test_mri_frequency_replay_stops_the_second_order() -> None:
    first, second = mri(T0), mri(T0 + timedelta(hours=5))
    report = engine().check_visit(visit(orders=[first, second]))
    assert [v.colour for v in report.verdicts] == [Colour.GREEN, Colour.RED]


def test_mri_frequency_override_needs_one_associate_chief() -> None:
    eng = engine()
    verdict = eng.check_order(mri(), visit(orders=[mri(T0 - timedelta(hours=1))]))
    (finding,) = verdict.findings
    attempt = Override(finding_id=finding.finding_id, reason="病情突变复查",
                       signatures=(f.signature("D020"),), recorded_at=T0)
    with pytest.raises(OverrideError):
        eng.override(verdict, attempt)
    senior = attempt.model_copy(update={"signatures": (f.signature("D010"),)})
    assert eng.override(verdict, senior).allowed


def test_mri_frequency_verdict_json_round_trip() -> None:
    verdict = engine().check_charge(line(), visit(charges=[line(T0 - timedelta(hours=4))]))
    again = Verdict.model_validate_json(verdict.model_dump_json())
    assert again == verdict and again.colour is Colour.RED


@pytest.mark.parametrize("value", [-1, 0])
def test_mri_frequency_window_hours_must_be_positive(value: int) -> None:
    with pytest.raises(ConfigError, match=r"rules\.YB-MRI-24H\.window_hours"):
        f.engine(PLUGIN, rules={RULE: {"window_hours": value}})
