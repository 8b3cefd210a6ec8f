"""Tests for the YB-GREYLIST rule (医保医师灰名单, the 12-point system)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from yibao_sdk.errors import OverrideError
from yibao_sdk.models import (
    ChargeCategory,
    GreyListTier,
    Practitioner,
    ProfessionalTitle,
    Violation,
    VisitType,
)
from yibao_sdk.models.order import Order
from yibao_sdk.rules import (
    GREYLIST_RULE_ID,
    Colour,
    Context,
    Engine,
    Finding,
    Override,
    RuleRegistrar,
    RuleSpec,
    Severity,
    Stage,
    Verdict,
    hookimpl,
    subject_of,
)
from yibao_sdk.testing import factories as f

PLUGIN = "yibao_sdk.plugins.greylist"
RULE = GREYLIST_RULE_ID
T0 = f.T0
DRUG = "XA11DAW036A001010104127"
SECOND_LINE = "XJ01DHM123A001010101234"
HIGH_VALUE = "C0101010010000000001"
IMPLANT = "C0302010010000100001"
CATALOG = [
    f.catalog_item(DRUG, ChargeCategory.WESTERN_DRUG),
    f.catalog_item(SECOND_LINE, ChargeCategory.WESTERN_DRUG, second_line=True),
    f.catalog_item(HIGH_VALUE, ChargeCategory.CONSUMABLE, high_value=True),
    f.catalog_item(IMPLANT, ChargeCategory.CONSUMABLE, implant=True),
]
SENIORS = [f.practitioner(p, ProfessionalTitle.ASSOCIATE_CHIEF) for p in ("D010", "D011")]


def engine(points: int = 0, *, on: date = date(2026, 1, 15), doctor: Practitioner | None = None,
           violations: Iterable[Violation] = (), extra: Iterable[object] = (),
           rules: dict[str, dict[str, Any]] | None = None) -> Engine:
    found = [*violations, *([f.violation("D001", points, on=on)] if points else [])]
    people = [doctor or f.practitioner("D001"), *SENIORS]
    return f.engine(PLUGIN, *extra, catalog=CATALOG, practitioners=people, violations=found,
                    rules=rules)


def order_verdict(eng: Engine, code: str = DRUG, at: datetime = T0, urgent: bool = False,
                  visit_type: VisitType = VisitType.INPATIENT) -> Verdict:
    order = f.drug_order(code, at=at, urgent=urgent)
    return eng.check_order(order, f.visit(visit_type=visit_type))


def only(verdict: Verdict) -> Finding:
    (finding,) = verdict.findings
    assert finding.rule_id == RULE
    return finding


def override(finding: Finding, *signers: str, reason: str = "病情需要") -> Override:
    sigs = tuple(f.signature(p) for p in signers)
    return Override(finding_id=finding.finding_id, reason=reason, signatures=sigs, recorded_at=T0)


def test_greylist_spec_is_registered_under_the_core_id() -> None:
    spec = engine().rules[RULE].spec
    assert RULE == "YB-GREYLIST"
    assert spec.stages == frozenset({Stage.PRE, Stage.MID})
    assert spec.default_params() == {
        "watch_points": 3, "restricted_points": 6, "suspended_points": 9, "terminated_points": 12,
    }
    assert spec.override.overridable is False


@pytest.mark.parametrize("points", [0, 2])
def test_greylist_normal_practitioner_has_no_finding(points: int) -> None:
    assert order_verdict(engine(points), SECOND_LINE).findings == ()


def test_greylist_watch_tier_is_an_info_finding() -> None:
    finding = only(order_verdict(engine(3)))
    assert finding.severity is Severity.INFO
    for text in ("D001", "2026年度记分3分", "观察", "黄灯须填写理由"):
        assert text in finding.message


def test_greylist_restricted_tier_forbids_second_line_drugs_and_cannot_be_overridden() -> None:
    eng = engine(6)
    verdict = order_verdict(eng, SECOND_LINE)
    finding = only(verdict)
    assert verdict.colour is Colour.RED
    assert "限制级医师不得开具二线药品" in finding.message and SECOND_LINE in finding.message
    assert finding.policy.overridable is False
    with pytest.raises(OverrideError, match="cannot be overridden"):
        eng.override(verdict, override(finding, "D010", "D011"))


@pytest.mark.parametrize(
    ("points", "severity"), [(5, Severity.INFO), (6, Severity.BLOCK), (8, Severity.BLOCK)]
)
def test_greylist_restricted_tier_starts_at_six_points_for_second_line_drugs(
    points: int, severity: Severity
) -> None:
    assert only(order_verdict(engine(points), SECOND_LINE)).severity is severity


def test_greylist_registered_restricted_tier_forbids_second_line_drugs() -> None:
    doctor = f.practitioner("D001", tier=GreyListTier.RESTRICTED)
    finding = only(order_verdict(engine(doctor=doctor), SECOND_LINE))
    assert finding.severity is Severity.BLOCK and finding.policy.overridable is False
    assert "医保办登记" in finding.message


@pytest.mark.parametrize("code", [SECOND_LINE, HIGH_VALUE, IMPLANT])
@pytest.mark.parametrize("how", ["emergency-visit", "urgent-order"])
def test_greylist_restricted_tier_in_an_emergency_gets_a_warn(code: str, how: str) -> None:
    visit_type = VisitType.EMERGENCY if how == "emergency-visit" else VisitType.INPATIENT
    verdict = order_verdict(engine(6), code, urgent=how == "urgent-order", visit_type=visit_type)
    finding = only(verdict)
    assert verdict.colour is Colour.YELLOW and finding.severity is Severity.WARN
    assert finding.policy.reason_required
    assert "限制级" in finding.message and "急诊/抢救" in finding.message


def test_greylist_restricted_tier_charge_from_an_urgent_order_is_only_a_warn() -> None:
    order = f.drug_order(IMPLANT, urgent=True)
    line = f.charge(IMPLANT, category=ChargeCategory.CONSUMABLE, unit_price="5000",
                    order_id=order.order_id)
    finding = only(engine(6).check_charge(line, f.visit(orders=[order])))
    assert finding.severity is Severity.WARN and finding.policy.reason_required


@pytest.mark.parametrize("code", [HIGH_VALUE, IMPLANT])
def test_greylist_restricted_tier_forbids_high_value_and_implant_charges(code: str) -> None:
    charge = f.charge(code, category=ChargeCategory.CONSUMABLE, unit_price="5000")
    finding = only(engine(6).check_charge(charge, f.visit()))
    assert finding.severity is Severity.BLOCK and finding.policy.overridable is False
    assert "限制级医师不得开具高值/植入耗材" in finding.message
    assert finding.amount == Decimal("5000")


def test_greylist_restricted_tier_ordinary_item_is_only_info() -> None:
    finding = only(order_verdict(engine(6)))
    assert finding.severity is Severity.INFO and "限制" in finding.message


@pytest.mark.parametrize(
    ("points", "severity"), [(8, Severity.INFO), (9, Severity.BLOCK), (11, Severity.BLOCK)]
)
def test_greylist_suspension_starts_at_nine_points(points: int, severity: Severity) -> None:
    assert only(order_verdict(engine(points))).severity is severity


def test_greylist_suspended_blocks_every_insurance_order_and_cannot_be_overridden() -> None:
    eng = engine(9)
    verdict = order_verdict(eng)
    finding = only(verdict)
    assert "暂停" in finding.message and "9分" in finding.message
    assert finding.policy.overridable is False
    with pytest.raises(OverrideError, match="cannot be overridden"):
        eng.override(verdict, override(finding, "D010", "D011"))


@pytest.mark.parametrize("points", [9, 12])
@pytest.mark.parametrize("how", ["emergency-visit", "urgent-order"])
def test_greylist_stopped_practitioner_in_an_emergency_gets_a_warn(points: int, how: str) -> None:
    visit_type = VisitType.EMERGENCY if how == "emergency-visit" else VisitType.INPATIENT
    verdict = order_verdict(engine(points), urgent=how == "urgent-order", visit_type=visit_type)
    finding = only(verdict)
    assert verdict.colour is Colour.YELLOW
    assert finding.policy.reason_required
    assert "急诊/抢救" in finding.message


def test_greylist_terminated_blocks_and_cannot_be_overridden() -> None:
    finding = only(order_verdict(engine(12)))
    assert finding.severity is Severity.BLOCK and "终止" in finding.message
    assert finding.policy.overridable is False


def test_greylist_charges_of_a_suspended_practitioner() -> None:
    eng = engine(9)
    line = f.charge(DRUG, category=ChargeCategory.WESTERN_DRUG)
    assert only(eng.check_charge(line, f.visit())).severity is Severity.BLOCK
    for exempt in (line.model_copy(update={"self_pay": True}),
                   f.charge(DRUG, quantity=-1),
                   f.charge(DRUG, ordering_practitioner_id="")):
        assert eng.check_charge(exempt, f.visit()).findings == ()


def test_greylist_charge_billed_from_an_urgent_order_is_only_a_warn() -> None:
    order = f.drug_order(DRUG, urgent=True)
    line = f.charge(DRUG, order_id=order.order_id)
    finding = only(engine(9).check_charge(line, f.visit(orders=[order])))
    assert finding.severity is Severity.WARN


def test_greylist_points_from_last_year_do_not_count() -> None:
    assert order_verdict(engine(12, on=date(2025, 6, 1))).findings == ()


@pytest.mark.parametrize(
    ("at", "severity"),
    [(datetime(2025, 12, 31, 23, 59), Severity.BLOCK), (datetime(2026, 1, 1, 0, 0), None)],
    ids=["dec-31", "jan-1"],
)
def test_greylist_natural_year_boundary(at: datetime, severity: Severity | None) -> None:
    verdict = order_verdict(engine(9, on=date(2025, 12, 31)), at=at)
    assert [x.severity for x in verdict.findings] == ([severity] if severity else [])


def test_greylist_points_add_up_within_the_year() -> None:
    parts = [f.violation("D001", 4, on=date(2026, 1, 5)),
             f.violation("D001", 5, on=date(2026, 2, 1)),
             f.violation("D001", 9, on=date(2025, 12, 1)),
             f.violation("D001", 3, on=date(2026, 2, 2), confirmed=False)]
    finding = only(order_verdict(engine(violations=parts)))
    assert finding.severity is Severity.BLOCK
    assert "2026年度记分9分" in finding.message and "暂停" in finding.message


@pytest.mark.parametrize(
    ("registered", "points", "expected"),
    [
        (GreyListTier.SUSPENDED, 0, "暂停"),
        (GreyListTier.TERMINATED, 3, "终止"),
        (GreyListTier.WATCH, 9, "暂停"),
    ],
)
def test_greylist_registered_tier_wins_when_worse(
    registered: GreyListTier, points: int, expected: str
) -> None:
    doctor = f.practitioner("D001", tier=registered)
    finding = only(order_verdict(engine(points, doctor=doctor)))
    assert finding.severity is Severity.BLOCK and expected in finding.message
    assert ("医保办登记" in finding.message) is (registered is not GreyListTier.WATCH)


def test_greylist_thresholds_are_parameters() -> None:
    rules = {RULE: {"watch_points": 1, "restricted_points": 2, "suspended_points": 4,
                    "terminated_points": 6}}
    assert only(order_verdict(engine(4))).severity is Severity.INFO
    assert only(order_verdict(engine(4, rules=rules))).severity is Severity.BLOCK


def test_greylist_runs_in_no_audit() -> None:
    visit = f.visit(orders=[f.drug_order(DRUG)])
    assert engine(12).audit_visit(visit).findings == ()


class WarnEverything:
    """A tiny hospital rule that puts a yellow on every order."""

    @hookimpl
    def yibao_register_rules(self, register: RuleRegistrar) -> None:
        register(RuleSpec(rule_id="HOSP-WARN", name="测试黄灯", category="本院规则",
                          stages=frozenset({Stage.PRE}), default_severity=Severity.WARN))

    @hookimpl
    def yibao_check_order(self, order: Order, context: Context) -> Iterator[Finding]:
        yield context.finding("HOSP-WARN", subject_of(order), "测试黄灯")


def test_greylist_watch_tier_makes_every_yellow_need_a_reason_end_to_end() -> None:
    eng = engine(3, extra=[WarnEverything()])
    verdict = order_verdict(eng)
    (warn,) = [x for x in verdict.findings if x.rule_id == "HOSP-WARN"]
    assert verdict.colour is Colour.YELLOW
    assert warn.policy.reason_required
    assert not verdict.allowed
    with pytest.raises(OverrideError, match="reason"):
        eng.override(verdict, override(warn, reason=""))
    assert eng.override(verdict, override(warn, reason="患者病情需要")).allowed


def test_greylist_normal_tier_yellow_needs_no_reason() -> None:
    verdict = order_verdict(engine(0, extra=[WarnEverything()]))
    (warn,) = verdict.findings
    assert not warn.policy.reason_required and verdict.allowed


def test_greylist_verdict_json_round_trip() -> None:
    verdict = order_verdict(engine(6), SECOND_LINE, at=T0 + timedelta(hours=1))
    again = Verdict.model_validate_json(verdict.model_dump_json())
    assert again == verdict and again.colour is Colour.RED


def test_greylist_thresholds_out_of_order_are_refused_when_the_engine_is_built() -> None:
    from yibao_sdk import ConfigError

    with pytest.raises(ConfigError, match="suspended_points=5"):
        f.engine(PLUGIN, rules={GREYLIST_RULE_ID: {"suspended_points": 5}})


@pytest.mark.parametrize(
    "param", ["watch_points", "restricted_points", "suspended_points", "terminated_points"]
)
@pytest.mark.parametrize("value", [-1, 0])
def test_greylist_thresholds_must_be_positive(param: str, value: int) -> None:
    from yibao_sdk import ConfigError

    with pytest.raises(ConfigError, match=rf"rules\.{RULE}\.{param}"):
        f.engine(PLUGIN, rules={RULE: {param: value}})
