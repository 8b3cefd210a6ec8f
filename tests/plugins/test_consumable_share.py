"""Tests for the YB-CONSUMABLE-SHARE rule (耗材占比, three colours)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from yibao_sdk.errors import ConfigError
from yibao_sdk.models import Charge, ChargeCategory, Settlement, Visit
from yibao_sdk.rules import Colour, Override, Severity, Stage, SubjectKind, Verdict
from yibao_sdk.testing import factories as f

PLUGIN = "yibao_sdk.plugins.consumable_share"
RULE = "YB-CONSUMABLE-SHARE"
T0 = f.T0


def lines(consumable: str, other: str, **kw: Any) -> list[Charge]:
    """One consumable line and one surgery line with these amounts."""
    return [
        f.charge("C0302010010000100001", unit_price=consumable,
                 category=ChargeCategory.CONSUMABLE, **kw),
        f.charge("003310010140000", unit_price=other, category=ChargeCategory.SURGERY, **kw),
    ]


def settle(visit: Visit, charge_ids: Iterable[str] = ()) -> Settlement:
    return Settlement(settlement_id="S0001", visit_id=visit.visit_id,
                      requested_at=T0 + timedelta(days=3), total=Decimal("0"),
                      charge_ids=tuple(charge_ids))


def check(charges: Iterable[Charge], rules: dict[str, dict[str, Any]] | None = None) -> Verdict:
    visit = f.visit(charges=charges)
    return f.engine(PLUGIN, rules=rules).check_settlement(settle(visit), visit)


def test_consumable_share_spec_is_registered() -> None:
    spec = f.engine(PLUGIN).rules[RULE].spec
    assert spec.name == "耗材占比"
    assert spec.stages == frozenset({Stage.MID, Stage.POST})
    assert spec.default_params() == {"warn_ratio": Decimal("0.40"), "block_ratio": Decimal("0.60")}


@pytest.mark.parametrize(
    ("consumable", "other", "colour"),
    [
        ("39.99", "60.01", Colour.GREEN),  # just below the warning
        ("40", "60", Colour.YELLOW),  # exactly at the warning
        ("59.99", "40.01", Colour.YELLOW),  # just below the limit
        ("60", "40", Colour.RED),  # exactly at the limit
        ("100", "0", Colour.RED),
        ("0", "100", Colour.GREEN),
    ],
)
def test_consumable_share_thresholds(consumable: str, other: str, colour: Colour) -> None:
    assert check(lines(consumable, other)).colour is colour


def test_consumable_share_message_gives_percentage_and_amounts() -> None:
    verdict = check(lines("1200", "800"))
    (finding,) = verdict.findings
    assert finding.severity is Severity.BLOCK
    assert finding.subject.kind is SubjectKind.SETTLEMENT
    for text in ("2000.00元", "1200.00元", "60.00%", "红色"):
        assert text in finding.message
    (yellow,) = check(lines("45", "55")).findings
    assert yellow.severity is Severity.WARN
    assert "45.00%" in yellow.message and "40.00%" in yellow.message and "黄色" in yellow.message


def test_consumable_share_yellow_needs_a_reason_to_continue() -> None:
    engine = f.engine(PLUGIN)
    charges = lines("45", "55")
    visit = f.visit(charges=charges)
    verdict = engine.check_settlement(settle(visit), visit)
    assert not verdict.allowed
    override = Override(finding_id=verdict.findings[0].finding_id,
                        reason="复杂骨折内固定，耗材必需", recorded_at=T0)
    assert engine.override(verdict, override).allowed


def test_consumable_share_excludes_self_pay_lines() -> None:
    charges = [*lines("10", "90"),
               f.charge("C0302010010000100002", unit_price="500",
                        category=ChargeCategory.CONSUMABLE, self_pay=True)]
    assert check(charges).findings == ()


def test_consumable_share_refunds_reduce_the_amounts() -> None:
    charges = [*lines("100", "100"),
               f.charge("C0302010010000100001", unit_price="100", quantity=-1,
                        category=ChargeCategory.CONSUMABLE, at=T0 + timedelta(hours=1))]
    assert check(charges).findings == ()


def test_consumable_share_zero_total_is_silent() -> None:
    assert check([]).findings == ()
    only_self_pay = lines("10", "0", self_pay=True)
    assert check(only_self_pay).findings == ()
    refunded = [*lines("10", "0"), *lines("10", "0", quantity=-1)]
    assert check(refunded).findings == ()


def test_consumable_share_settlement_counts_only_its_listed_lines() -> None:
    consumable, surgery = lines("80", "20")
    extra = f.charge("003310010140000", unit_price="1000", category=ChargeCategory.SURGERY)
    visit = f.visit(charges=[consumable, surgery, extra])
    engine = f.engine(PLUGIN)
    assert engine.check_settlement(settle(visit), visit).findings == ()
    listed = settle(visit, [consumable.charge_id, surgery.charge_id])
    assert engine.check_settlement(listed, visit).colour is Colour.RED


def test_consumable_share_audit_reports_on_the_visit() -> None:
    visit = f.visit(charges=lines("50", "50"))
    verdict = f.engine(PLUGIN).audit_visit(visit)
    assert verdict.stage is Stage.POST
    (finding,) = verdict.findings
    assert finding.subject.kind is SubjectKind.VISIT
    assert finding.subject.id == visit.visit_id
    assert verdict.colour is Colour.YELLOW


def test_consumable_share_configured_ratios_change_the_outcome() -> None:
    charges = lines("35", "65")
    assert check(charges).colour is Colour.GREEN
    assert check(charges, {RULE: {"warn_ratio": "0.30"}}).colour is Colour.YELLOW
    assert check(charges, {RULE: {"warn_ratio": 0.2, "block_ratio": 0.35}}).colour is Colour.RED


@pytest.mark.parametrize(("warn", "block"), [("0.6", "0.4"), ("0.5", "0.5")])
def test_consumable_share_inverted_thresholds_are_refused_when_the_engine_is_built(
    warn: str, block: str
) -> None:
    with pytest.raises(ConfigError, match=RULE) as caught:
        f.engine(PLUGIN, rules={RULE: {"warn_ratio": warn, "block_ratio": block}})
    assert warn in str(caught.value) and block in str(caught.value)


def test_consumable_share_ratio_outside_zero_one_is_rejected_by_the_config() -> None:
    with pytest.raises(ConfigError, match="block_ratio"):
        f.engine(PLUGIN, rules={RULE: {"block_ratio": "1.5"}})


def test_consumable_share_disabled_rule_ignores_bad_thresholds() -> None:
    rules = {RULE: {"enabled": False, "warn_ratio": "0.9", "block_ratio": "0.1"}}
    assert check(lines("90", "10"), rules).findings == ()


def test_consumable_share_verdict_json_round_trip() -> None:
    verdict = check(lines("60", "40"))
    assert verdict.findings
    again = Verdict.model_validate_json(verdict.model_dump_json())
    assert again == verdict
    assert again.colour is Colour.RED


@pytest.mark.parametrize("param", ["warn_ratio", "block_ratio"])
def test_consumable_share_negative_ratio_is_refused_by_the_config(param: str) -> None:
    with pytest.raises(ConfigError, match=rf"rules\.YB-CONSUMABLE-SHARE\.{param}"):
        f.engine(PLUGIN, rules={RULE: {param: -1}})
