"""Tests for the YB-SECOND-LINE rule (限二线用药须副主任医师及以上双签)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from yibao_sdk.errors import ConfigError, OverrideError
from yibao_sdk.models import ChargeCategory, DrugOrder, GreyListTier, ProfessionalTitle
from yibao_sdk.rules import Colour, Engine, Override, Severity, Stage, Verdict
from yibao_sdk.testing import factories as f

PLUGIN = "yibao_sdk.plugins.second_line"
RULE = "YB-SECOND-LINE"
T0 = f.T0
MEROPENEM = "XJ01DHM123A001010101234"
ORDINARY = "XA11DAW036A001010104127"
CATALOG = [
    f.catalog_item(MEROPENEM, ChargeCategory.WESTERN_DRUG, name="美罗培南", second_line=True),
    f.catalog_item(ORDINARY, ChargeCategory.WESTERN_DRUG, name="维生素C"),
]
PEOPLE = [
    f.practitioner("D001", ProfessionalTitle.ATTENDING),
    f.practitioner("D010", ProfessionalTitle.ASSOCIATE_CHIEF),
    f.practitioner("D011", ProfessionalTitle.CHIEF),
    f.practitioner("D012", ProfessionalTitle.CHIEF),
    f.practitioner("D020", ProfessionalTitle.ATTENDING),
    f.practitioner("D005", ProfessionalTitle.CHIEF, tier=GreyListTier.WATCH),
    f.practitioner("D006", ProfessionalTitle.CHIEF, tier=GreyListTier.RESTRICTED),
    f.practitioner("D007", ProfessionalTitle.CHIEF, tier=GreyListTier.SUSPENDED),
    f.practitioner("D008", ProfessionalTitle.CHIEF, tier=GreyListTier.TERMINATED),
]
GREYLIST = "yibao_sdk.plugins.greylist"


def engine(rules: dict[str, dict[str, Any]] | None = None) -> Engine:
    return f.engine(PLUGIN, catalog=CATALOG, practitioners=PEOPLE, rules=rules)


def order(*cosigners: str, by: str = "D001", code: str = MEROPENEM) -> DrugOrder:
    return f.drug_order(code, by=by, cosigners=cosigners)


def check(drug: DrugOrder, rules: dict[str, Any] | None = None) -> Verdict:
    return engine({RULE: rules} if rules else None).check_order(drug, f.visit())


def test_second_line_spec_is_registered() -> None:
    spec = engine().rules[RULE].spec
    assert spec.name == "限二线用药须副主任医师及以上双签"
    assert spec.stages == frozenset({Stage.PRE, Stage.POST})
    assert spec.default_severity is Severity.BLOCK
    assert spec.default_params() == {
        "min_signatures": 2, "min_title": ProfessionalTitle.ASSOCIATE_CHIEF,
    }
    assert (spec.override.signatures, spec.override.min_title) == (
        2, ProfessionalTitle.ASSOCIATE_CHIEF)


@pytest.mark.parametrize(
    ("by", "cosigners"),
    [("D001", ("D010", "D011")), ("D010", ("D011",)), ("D011", ("D012", "D020"))],
    ids=["attending-plus-two-seniors", "exactly-two-qualified", "two-chiefs-and-an-attending"],
)
def test_second_line_enough_senior_signatures_is_green(by: str, cosigners: tuple[str, ...]) -> None:
    verdict = check(order(*cosigners, by=by))
    assert verdict.colour is Colour.GREEN and verdict.findings == ()


def test_second_line_one_qualified_and_one_attending_is_red() -> None:
    drug = order("D020", by="D010")
    verdict = check(drug)
    assert verdict.colour is Colour.RED
    (finding,) = verdict.findings
    assert finding.rule_id == RULE and finding.subject.id == drug.order_id
    for text in ("美罗培南", MEROPENEM, "须2名副主任医师及以上", "合格签名1名",
                 "D010（副主任医师）", "D020（主治医师）"):
        assert text in finding.message
    assert drug.order_id in finding.evidence


def test_second_line_the_same_person_twice_counts_once() -> None:
    drug = order("D010", "D010", by="D010")
    assert len(drug.signatures) == 3
    (finding,) = check(drug).findings
    assert "合格签名1名" in finding.message


def test_second_line_unknown_signers_do_not_count() -> None:
    (finding,) = check(order("D010", "D999")).findings
    assert "合格签名1名" in finding.message and "D999（未登记）" in finding.message


def test_second_line_single_signature_is_red() -> None:
    (finding,) = check(order()).findings
    assert "合格签名0名" in finding.message


@pytest.mark.parametrize(
    "drug",
    [order(code=ORDINARY), order(code="XZ99ZZZ000A000000000000"), f.imaging_order(MEROPENEM)],
    ids=["ordinary-drug", "not-in-catalogue", "not-a-drug-order"],
)
def test_second_line_other_orders_are_not_checked(drug: Any) -> None:
    assert engine().check_order(drug, f.visit()).findings == ()


def test_second_line_min_signatures_parameter() -> None:
    drug = order("D010")
    assert check(drug).colour is Colour.RED
    assert check(drug, {"min_signatures": 1}).findings == ()


def test_second_line_min_title_parameter() -> None:
    drug = order("D010", "D011")
    assert check(drug).findings == ()
    (finding,) = check(drug, {"min_title": "主任医师"}).findings
    assert "须2名主任医师及以上" in finding.message and "合格签名1名" in finding.message
    assert check(order("D011", "D012"), {"min_title": "主任医师"}).findings == ()


def test_second_line_a_suspended_chief_does_not_count() -> None:
    drug = order("D010", "D007")
    verdict = check(drug)
    assert verdict.colour is Colour.RED
    (finding,) = verdict.findings
    assert "合格签名1名" in finding.message
    assert "D007（主任医师，灰名单暂停级，签名无效）" in finding.message
    assert "D010（副主任医师）" in finding.message


@pytest.mark.parametrize(
    ("signer", "void"),
    [("D005", None), ("D006", "限制"), ("D007", "暂停"), ("D008", "终止")],
    ids=["watch-counts", "restricted", "suspended", "terminated"],
)
def test_second_line_grey_list_tier_of_a_signer(signer: str, void: str | None) -> None:
    verdict = check(order("D010", signer))
    if void is None:
        assert verdict.findings == ()
    else:
        (finding,) = verdict.findings
        assert "合格签名1名" in finding.message
        assert f"{signer}（主任医师，灰名单{void}级，签名无效）" in finding.message


def test_second_line_a_barred_prescriber_does_not_count_either() -> None:
    (finding,) = check(order("D010", by="D006")).findings
    assert "合格签名1名" in finding.message
    assert "D006（主任医师，灰名单限制级，签名无效）" in finding.message
    assert check(order("D010", "D011", by="D006")).findings == ()


def points_engine(points: int, on: date = date(2026, 1, 15)) -> Engine:
    """Both rules loaded; D011 (主任医师) scored ``points`` on ``on``."""
    return f.engine(PLUGIN, GREYLIST, catalog=CATALOG, practitioners=PEOPLE,
                    violations=[f.violation("D011", points, on=on)])


@pytest.mark.parametrize(
    ("points", "counts"), [(3, True), (5, True), (6, False), (9, False), (12, False)],
    ids=["watch", "watch-top", "restricted", "suspended", "terminated"],
)
def test_second_line_signer_tier_from_grey_list_points(points: int, counts: bool) -> None:
    verdict = points_engine(points).check_order(order("D010", "D011"), f.visit())
    found = [x for x in verdict.findings if x.rule_id == RULE]
    if counts:
        assert found == []
    else:
        (finding,) = found
        assert "合格签名1名" in finding.message and "D011（主任医师，灰名单" in finding.message
        assert "签名无效" in finding.message


@pytest.mark.parametrize(
    ("at", "counts"),
    [(datetime(2025, 12, 31, 23, 59), False), (datetime(2026, 1, 1, 0, 0), True)],
    ids=["same-year", "next-year"],
)
def test_second_line_signer_tier_is_taken_on_the_order_date(at: datetime, counts: bool) -> None:
    eng = points_engine(9, on=date(2025, 12, 1))
    drug = f.drug_order(MEROPENEM, at=at, by="D001", cosigners=("D010", "D011"))
    found = [x for x in eng.check_order(drug, f.visit()).findings if x.rule_id == RULE]
    assert (found == []) is counts


def test_second_line_audit_ignores_barred_signers() -> None:
    bad = order("D010", "D007")
    verdict = engine().audit_visit(f.visit(orders=[order("D010", "D005"), bad]))
    assert [x.subject.id for x in verdict.findings] == [bad.order_id]


@pytest.mark.parametrize("value", [-1, 0])
def test_second_line_min_signatures_must_be_positive(value: int) -> None:
    with pytest.raises(ConfigError, match=rf"rules\.{RULE}\.min_signatures"):
        engine({RULE: {"min_signatures": value}})


def test_second_line_audit_checks_every_drug_order_of_the_visit() -> None:
    good, bad = order("D010", "D011"), order("D020")
    verdict = engine().audit_visit(f.visit(orders=[good, bad, order("D020", code=ORDINARY)]))
    assert verdict.stage is Stage.POST
    assert [x.subject.id for x in verdict.findings] == [bad.order_id]


def test_second_line_override_needs_two_associate_chiefs() -> None:
    eng = engine()
    verdict = eng.check_order(order(), f.visit())
    (finding,) = verdict.findings

    def attempt(*signers: str) -> Override:
        return Override(finding_id=finding.finding_id, reason="重症感染",
                        signatures=tuple(f.signature(p) for p in signers), recorded_at=T0)

    for signers in (("D010",), ("D010", "D020"), ("D010", "D010")):
        with pytest.raises(OverrideError):
            eng.override(verdict, attempt(*signers))
    assert eng.override(verdict, attempt("D010", "D011")).allowed


def test_second_line_verdict_json_round_trip() -> None:
    verdict = check(order("D999"))
    again = Verdict.model_validate_json(verdict.model_dump_json())
    assert again == verdict and again.colour is Colour.RED
