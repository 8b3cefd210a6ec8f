"""Tests for the YB-SEX-LIMIT and YB-AGE-LIMIT rules (限性别/限年龄)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from yibao_sdk.models import AgeLimit, AgeUnit, ChargeCategory, Sex, Visit
from yibao_sdk.rules import Colour, Engine, Severity, Stage, SubjectKind, Verdict
from yibao_sdk.testing import factories as f

PLUGIN = "yibao_sdk.plugins.sex_age"
SEX_RULE = "YB-SEX-LIMIT"
AGE_RULE = "YB-AGE-LIMIT"
T0 = f.T0  # 2026-03-02 09:00

TVUS = "002202020010000"  # 经阴道B超检查: women only
APALUTAMIDE = "XL02BBA326A001010102180"  # 阿帕他胺片: men only
NEWBORN = "001100000000001"  # a newborn-only item (0–28 days)
PINCH = "004500000100000"  # 小儿捏脊治疗: children up to 14 years
INFANT = "001100000000002"  # infants: 1–35 months
ADULT_FEMALE = "001100000000003"  # women aged 18 or more

CATALOG = (
    f.catalog_item(TVUS, ChargeCategory.EXAMINATION, name="经阴道B超检查", sex=Sex.FEMALE),
    f.catalog_item(APALUTAMIDE, ChargeCategory.WESTERN_DRUG, name="阿帕他胺片", sex=Sex.MALE),
    f.catalog_item(NEWBORN, name="新生儿项目", age=AgeLimit(maximum=28, unit=AgeUnit.DAY)),
    f.catalog_item(PINCH, name="小儿捏脊治疗", age=AgeLimit(maximum=14)),
    f.catalog_item(INFANT, age=AgeLimit(minimum=1, maximum=35, unit=AgeUnit.MONTH)),
    f.catalog_item(ADULT_FEMALE, sex=Sex.FEMALE, age=AgeLimit(minimum=18)),
)


def engine(rules: dict[str, dict[str, Any]] | None = None) -> Engine:
    return f.engine(PLUGIN, catalog=CATALOG, rules=rules)


def visit(sex: Sex = Sex.MALE, born: date = date(1986, 1, 1), **kw: Any) -> Visit:
    return f.visit(patient=f.patient(sex=sex, birth_date=born), **kw)


def charge_verdict(code: str, patient_visit: Visit, at: datetime = T0, **kw: Any) -> Verdict:
    return engine().check_charge(f.charge(code, at=at, **kw), patient_visit)


def test_sex_age_specs_are_registered() -> None:
    rules = engine().rules
    assert rules[SEX_RULE].spec.name == "限性别"
    assert rules[AGE_RULE].spec.name == "限年龄"
    for rule in (SEX_RULE, AGE_RULE):
        spec = rules[rule].spec
        assert spec.stages == frozenset({Stage.PRE, Stage.MID, Stage.POST})
        assert spec.default_severity is Severity.BLOCK
        assert spec.default_params()["exempt_self_pay"] is True


def test_sex_limit_male_patient_female_item_red_at_every_stage() -> None:
    male = visit(Sex.MALE)
    order = f.imaging_order(TVUS, modality="US", scope="plain")
    pre = engine().check_order(order, male)
    assert pre.colour is Colour.RED
    assert pre.findings[0].subject.kind is SubjectKind.ORDER
    assert pre.findings[0].amount is None
    line = f.charge(TVUS, unit_price="80")
    (mid,) = engine().check_charge(line, male).findings
    assert mid.rule_id == SEX_RULE
    assert mid.amount == Decimal("80")
    assert "女性" in mid.message and "男性" in mid.message and TVUS in mid.message
    assert line.charge_id in mid.message
    audit = engine().audit_visit(visit(Sex.MALE, charges=[line]))
    assert [f_.subject.id for f_ in audit.findings] == [line.charge_id]


def test_sex_limit_matching_sex_is_green() -> None:
    assert charge_verdict(TVUS, visit(Sex.FEMALE)).colour is Colour.GREEN
    assert charge_verdict(APALUTAMIDE, visit(Sex.MALE)).colour is Colour.GREEN
    assert charge_verdict(APALUTAMIDE, visit(Sex.FEMALE)).colour is Colour.RED


@pytest.mark.parametrize("sex", [Sex.UNKNOWN, Sex.UNSTATED])
def test_sex_limit_unknown_patient_sex_is_only_a_warning(sex: Sex) -> None:
    verdict = charge_verdict(TVUS, visit(sex))
    assert verdict.colour is Colour.YELLOW
    (finding,) = verdict.findings
    assert finding.severity is Severity.WARN
    assert "请核实" in finding.message
    assert finding.policy.reason_required and not verdict.allowed


def test_sex_limit_unknown_sex_parameter_changes_the_outcome() -> None:
    strict = engine({SEX_RULE: {"unknown_sex": "block"}})
    assert strict.check_charge(f.charge(TVUS), visit(Sex.UNKNOWN)).colour is Colour.RED
    lenient = engine({SEX_RULE: {"unknown_sex": "info"}})
    assert lenient.check_charge(f.charge(TVUS), visit(Sex.UNKNOWN)).colour is Colour.GREEN


def test_sex_age_unknown_item_and_order_without_code_are_green() -> None:
    assert charge_verdict("001102000030000", visit(Sex.MALE)).findings == ()
    order = f.drug_order("")
    assert engine().check_order(order, visit(Sex.MALE)).findings == ()


def test_sex_age_refund_line_is_not_checked() -> None:
    assert charge_verdict(TVUS, visit(Sex.MALE), quantity=-1).findings == ()


def test_sex_age_self_pay_line_is_exempt_unless_configured() -> None:
    line = f.charge(TVUS, self_pay=True)
    assert engine().check_charge(line, visit(Sex.MALE)).findings == ()
    strict = engine({SEX_RULE: {"exempt_self_pay": False}})
    assert strict.check_charge(line, visit(Sex.MALE)).colour is Colour.RED


def test_sex_age_audit_skips_refunded_lines_and_uses_live_amount() -> None:
    refunded = f.charge(TVUS, unit_price="80", at=T0)
    refund = f.charge(TVUS, unit_price="80", quantity=-1, at=T0 + timedelta(hours=1))
    kept = f.charge(PINCH, unit_price="30", quantity=3, at=T0 + timedelta(hours=2))
    part = f.charge(PINCH, unit_price="30", quantity=-1, at=T0 + timedelta(hours=3))
    verdict = engine().audit_visit(visit(Sex.MALE, charges=[refunded, refund, kept, part]))
    assert verdict.stage is Stage.POST
    (finding,) = verdict.findings
    assert finding.rule_id == AGE_RULE
    assert finding.subject.id == kept.charge_id
    assert finding.amount == Decimal("60.00")


@pytest.mark.parametrize(
    ("born", "hit"),
    [
        (date(2026, 2, 2), False),  # 28 days old on 2 March: the last allowed day
        (date(2026, 2, 1), True),  # 29 days old
        (date(2026, 3, 2), False),  # born that day: 0 days
    ],
)
def test_age_limit_newborn_day_boundary(born: date, hit: bool) -> None:
    verdict = charge_verdict(NEWBORN, visit(born=born))
    assert bool(verdict.findings) is hit
    if hit:
        assert "日龄为29天" in verdict.findings[0].message
        assert "28天及以下" in verdict.findings[0].message


@pytest.mark.parametrize(
    ("service_day", "hit"),
    [
        (date(2026, 3, 1), False),  # the day before the 15th birthday: 14 years old
        (date(2026, 3, 2), True),  # the 15th birthday itself: 15 years old
    ],
)
def test_age_limit_upper_year_boundary(service_day: date, hit: bool) -> None:
    child = visit(born=date(2011, 3, 2))
    at = datetime.combine(service_day, T0.time())
    assert bool(charge_verdict(PINCH, child, at=at).findings) is hit


@pytest.mark.parametrize(
    ("service_day", "hit"),
    [(date(2026, 3, 1), True), (date(2026, 3, 2), False)],  # 1 month old on 2 March
)
def test_age_limit_lower_month_boundary(service_day: date, hit: bool) -> None:
    baby = visit(born=date(2026, 2, 2))
    at = datetime.combine(service_day, T0.time())
    verdict = charge_verdict(INFANT, baby, at=at)
    assert bool(verdict.findings) is hit
    if hit:
        assert "月龄为0个月" in verdict.findings[0].message


def test_age_limit_adult_is_red_for_a_child_item() -> None:
    (finding,) = charge_verdict(PINCH, visit(born=date(1986, 1, 1))).findings
    assert finding.rule_id == AGE_RULE
    assert "14岁及以下" in finding.message and "年龄为40岁" in finding.message


def test_age_limit_pre_stage_order() -> None:
    order = f.drug_order(PINCH)
    assert engine().check_order(order, visit(born=date(2015, 1, 1))).findings == ()
    (finding,) = engine().check_order(order, visit()).findings
    assert finding.subject.kind is SubjectKind.ORDER


def test_sex_age_both_rules_fire_for_one_line() -> None:
    boy = visit(Sex.MALE, born=date(2016, 1, 1))
    findings = charge_verdict(ADULT_FEMALE, boy).findings
    assert {x.rule_id for x in findings} == {SEX_RULE, AGE_RULE}
    assert "18岁及以上" in next(x for x in findings if x.rule_id == AGE_RULE).message


def test_sex_age_disabling_one_rule_keeps_the_other() -> None:
    only_age = engine({SEX_RULE: {"enabled": False}})
    line = f.charge(ADULT_FEMALE)
    findings = only_age.check_charge(line, visit(Sex.MALE, born=date(2016, 1, 1))).findings
    assert [x.rule_id for x in findings] == [AGE_RULE]


def test_sex_age_verdict_json_round_trip() -> None:
    verdict = charge_verdict(ADULT_FEMALE, visit(Sex.MALE, born=date(2016, 1, 1)))
    assert len(verdict.findings) == 2
    again = Verdict.model_validate_json(verdict.model_dump_json())
    assert again == verdict
    assert again.colour is Colour.RED
