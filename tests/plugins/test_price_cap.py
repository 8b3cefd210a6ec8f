"""Tests for the YB-PRICE-CAP rule (超标准收费)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from yibao_sdk.errors import ConfigError, OverrideError
from yibao_sdk.models import CatalogItem, PriceCap
from yibao_sdk.rules import Colour, Engine, Override, Severity, Stage, Verdict
from yibao_sdk.testing import factories as f

PLUGIN = "yibao_sdk.plugins.price_cap"
RULE = "YB-PRICE-CAP"
CODE = "001102000030000"  # 急诊诊查费
T0 = f.T0


def cap(level: str, price: str, start: date = date(2025, 1, 1),
        end: date | None = None) -> PriceCap:
    return PriceCap.model_validate(
        {"level": level, "price": Decimal(price), "valid_from": start, "valid_to": end})


def item(*caps: PriceCap, code: str = CODE) -> CatalogItem:
    return f.catalog_item(code, name="急诊诊查费", price_caps=caps)


CAPPED = item(cap("2", "8.00"), cap("3", "10.00"))


def engine(catalog: Iterable[CatalogItem] = (CAPPED,), level: str = "3",
           rules: dict[str, dict[str, Any]] | None = None) -> Engine:
    return f.engine(PLUGIN, catalog=catalog, level=level, rules=rules)


def test_price_cap_spec_is_registered() -> None:
    spec = engine().rules[RULE].spec
    assert spec.name == "超标准收费"
    assert spec.stages == frozenset({Stage.MID, Stage.POST})
    assert spec.default_severity is Severity.BLOCK
    assert spec.default_params() == {"tolerance": Decimal("0")}
    assert spec.override.overridable is False


def test_price_cap_price_equal_to_cap_is_green() -> None:
    line = f.charge(CODE, unit_price="10.00")
    assert engine().check_charge(line, f.visit()).colour is Colour.GREEN


def test_price_cap_one_cent_above_cap_is_red() -> None:
    line = f.charge(CODE, unit_price="10.01", quantity=3, name="急诊诊查费")
    verdict = engine().check_charge(line, f.visit())
    assert verdict.colour is Colour.RED
    (finding,) = verdict.findings
    assert finding.rule_id == RULE
    assert finding.subject.id == line.charge_id
    assert finding.amount == Decimal("0.03")
    for text in ("10.01元", "10.00元", "三级", "0.01元", "数量3", "0.03元", CODE):
        assert text in finding.message
    assert "102001" in finding.evidence


def test_price_cap_well_below_cap_is_green() -> None:
    assert engine().check_charge(f.charge(CODE, unit_price="5"), f.visit()).findings == ()


def test_price_cap_level2_hospital_billing_the_level3_price_is_red() -> None:
    line = f.charge(CODE, unit_price="10.00", quantity=2)
    (finding,) = engine(level="2").check_charge(line, f.visit()).findings
    assert finding.amount == Decimal("4.00")
    assert "二级" in finding.message and "8.00元" in finding.message
    assert engine(level="3").check_charge(line, f.visit()).findings == ()


def test_price_cap_expired_cap_is_not_applied_newer_one_is() -> None:
    yesterday = T0.date() - timedelta(days=1)
    changing = item(cap("3", "10.00", end=yesterday), cap("3", "12.00", start=T0.date()))
    today = f.charge(CODE, unit_price="11.00", at=T0)
    assert engine([changing]).check_charge(today, f.visit()).findings == ()
    over_new = f.charge(CODE, unit_price="12.01", at=T0)
    (finding,) = engine([changing]).check_charge(over_new, f.visit()).findings
    assert "12.00元" in finding.message and str(T0.date()) in finding.message
    last_night = f.charge(CODE, unit_price="11.00", at=datetime.combine(yesterday, T0.time()))
    (old,) = engine([changing]).check_charge(last_night, f.visit()).findings
    assert "10.00元" in old.message and f"至{yesterday}执行" in old.message


def test_price_cap_cap_not_yet_in_force_is_not_applied() -> None:
    future = item(cap("3", "1.00", start=T0.date() + timedelta(days=1)))
    assert engine([future]).check_charge(f.charge(CODE, unit_price="5"), f.visit()).findings == ()


def test_price_cap_item_without_cap_for_the_level_is_green() -> None:
    no_caps = item()
    other_level = item(cap("2", "1.00"))
    line = f.charge(CODE, unit_price="999")
    assert engine([no_caps]).check_charge(line, f.visit()).findings == ()
    assert engine([other_level], level="3").check_charge(line, f.visit()).findings == ()


def test_price_cap_unknown_item_is_green() -> None:
    line = f.charge("001102000050000", unit_price="999")
    assert engine().check_charge(line, f.visit()).findings == ()


def test_price_cap_refund_line_is_not_checked() -> None:
    refund = f.charge(CODE, unit_price="12", quantity=-1)
    assert engine().check_charge(refund, f.visit()).findings == ()


def test_price_cap_tolerance_parameter_changes_the_outcome() -> None:
    line = f.charge(CODE, unit_price="10.05")
    assert engine().check_charge(line, f.visit()).findings
    lenient = engine(rules={RULE: {"tolerance": "0.05"}})
    assert lenient.check_charge(line, f.visit()).findings == ()
    assert lenient.check_charge(f.charge(CODE, unit_price="10.06"), f.visit()).findings


def test_price_cap_audit_uses_the_quantity_still_billed() -> None:
    over = f.charge(CODE, unit_price="11", quantity=3, at=T0)
    refund = f.charge(CODE, unit_price="11", quantity=-1, at=T0 + timedelta(hours=1))
    ok = f.charge(CODE, unit_price="10", at=T0 + timedelta(hours=2))
    verdict = engine().audit_visit(f.visit(charges=[over, refund, ok]))
    assert verdict.stage is Stage.POST
    (finding,) = verdict.findings
    assert finding.subject.id == over.charge_id
    assert finding.amount == Decimal("2.00")


def test_price_cap_audit_ignores_a_fully_refunded_line() -> None:
    over = f.charge(CODE, unit_price="11", at=T0)
    refund = f.charge(CODE, unit_price="11", quantity=-1, at=T0 + timedelta(hours=1))
    rebilled = f.charge(CODE, unit_price="10", at=T0 + timedelta(hours=2))
    assert engine().audit_visit(f.visit(charges=[over, refund, rebilled])).findings == ()


def test_price_cap_red_finding_cannot_be_overridden() -> None:
    checker = engine()
    verdict = checker.check_charge(f.charge(CODE, unit_price="11"), f.visit())
    override = Override(finding_id=verdict.findings[0].finding_id, reason="物价局特批",
                        recorded_at=T0)
    with pytest.raises(OverrideError, match="cannot be overridden"):
        checker.override(verdict, override)


def test_price_cap_verdict_json_round_trip() -> None:
    verdict = engine().check_charge(f.charge(CODE, unit_price="10.01"), f.visit())
    assert verdict.findings
    again = Verdict.model_validate_json(verdict.model_dump_json())
    assert again == verdict
    assert again.findings[0].amount == Decimal("0.01")


@pytest.mark.parametrize("value", [-1, "-0.01"])
def test_price_cap_negative_tolerance_is_refused_by_the_config(value: object) -> None:
    with pytest.raises(ConfigError, match=r"rules\.YB-PRICE-CAP\.tolerance"):
        f.engine(PLUGIN, rules={RULE: {"tolerance": value}})


def test_price_cap_zero_tolerance_is_accepted() -> None:
    strict = engine(rules={RULE: {"tolerance": 0}})
    assert strict.check_charge(f.charge(CODE, unit_price="10.00"), f.visit()).findings == ()
    assert strict.check_charge(f.charge(CODE, unit_price="10.01"), f.visit()).findings
