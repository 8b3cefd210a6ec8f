"""Tests for the YB-IMPLANT-UDI rule (植入类耗材UDI追溯)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from yibao_sdk.errors import OverrideError
from yibao_sdk.models import Charge, ChargeCategory, ProfessionalTitle, Visit
from yibao_sdk.rules import Colour, Engine, Override, Severity, Stage, Verdict
from yibao_sdk.testing import factories as f

PLUGIN = "yibao_sdk.plugins.implant_udi"
RULE = "YB-IMPLANT-UDI"
CODE = "C0302010010000100001"
T0 = f.T0
IMPLANT_ITEM = f.catalog_item(CODE, ChargeCategory.CONSUMABLE, name="椎弓根螺钉", implant=True)
PLAIN_CODE = "C0101010010000000001"
PLAIN_ITEM = f.catalog_item(PLAIN_CODE, ChargeCategory.CONSUMABLE, high_value=True)
BAD_CHECK_DIGIT = "(01)06901234567893(17)271231(10)B2401(21)SN0001"


def udi(serial: str = "SN0001", expiry: str = "271231") -> str:
    return f"(01)06901234567892(17){expiry}(10)B2401(21){serial}"


def engine(history: Iterable[Visit] = (), rules: dict[str, dict[str, Any]] | None = None) -> Engine:
    return f.engine(PLUGIN, catalog=[IMPLANT_ITEM, PLAIN_ITEM], history=history, rules=rules)


def line(*udis: str, quantity: int | None = None, code: str = CODE, **kw: Any) -> Charge:
    qty = (len(udis) or 1) if quantity is None else quantity
    return f.charge(code, category=ChargeCategory.CONSUMABLE, unit_price="1000", quantity=qty,
                    udis=udis, **kw)


def messages(verdict: Verdict) -> list[str]:
    assert all(x.rule_id == RULE for x in verdict.findings)
    return [x.message for x in verdict.findings]


def test_implant_udi_spec_is_registered() -> None:
    spec = engine().rules[RULE].spec
    assert (spec.name, spec.category) == ("植入类耗材UDI追溯", "耗材追溯")
    assert spec.stages == frozenset({Stage.MID, Stage.POST})
    assert spec.default_severity is Severity.BLOCK
    assert spec.default_params() == {"require_barcode": True}
    assert spec.override.overridable is False


# --- surgery record (手术记录提交) --------------------------------------------------------


def test_implant_udi_complete_record_is_green() -> None:
    verdict = engine().check_record(f.surgery(f.implant()), f.visit())
    assert verdict.colour is Colour.GREEN and verdict.findings == ()


def test_implant_udi_record_without_implants_is_green() -> None:
    assert engine().check_record(f.surgery(), f.visit()).findings == ()


def test_implant_udi_record_missing_udi_is_red() -> None:
    record = f.surgery(f.implant(None, name="髋臼杯"))
    verdict = engine().check_record(record, f.visit())
    assert verdict.colour is Colour.RED
    (finding,) = verdict.findings
    assert "第1个植入物「髋臼杯」未填写UDI" in finding.message
    assert finding.subject.id == record.record_id
    assert record.record_id in finding.evidence
    assert finding.policy.overridable is False


@pytest.mark.parametrize(
    ("text", "detail"),
    [(BAD_CHECK_DIGIT, "wrong check digit"), ("not-a-udi", "not a recognised UDI")],
)
def test_implant_udi_record_unparseable_udi_is_red_with_parser_text(text: str, detail: str) -> None:
    (message,) = messages(engine().check_record(f.surgery(f.implant(text)), f.visit()))
    assert "UDI无法解析或校验位错误" in message
    assert detail in message and text in message


@pytest.mark.parametrize(
    ("expiry", "expired"), [("260301", True), ("260302", False), ("260303", False)]
)
def test_implant_udi_expiry_on_operation_date(expiry: str, expired: bool) -> None:
    record = f.surgery(f.implant(udi(expiry=expiry)), at=T0)  # operation on 2026-03-02
    found = messages(engine().check_record(record, f.visit()))
    if expired:
        (message,) = found
        assert "已过期" in message and "有效期至2026-03-01" in message
        assert "手术日期2026-03-02" in message
    else:
        assert found == []


def test_implant_udi_missing_charge_code_and_barcode() -> None:
    record = f.surgery(f.implant(charge_code=None, barcode=None))
    found = messages(engine().check_record(record, f.visit()))
    assert sorted(found) == sorted(
        ["第1个植入物「骨科植入物」未填写收费代码", "第1个植入物「骨科植入物」未填写院内条码"]
    )


def test_implant_udi_require_barcode_parameter_turns_the_barcode_check_off() -> None:
    record = f.surgery(f.implant(barcode=None))
    assert engine().check_record(record, f.visit()).colour is Colour.RED
    relaxed = engine(rules={RULE: {"require_barcode": False}})
    assert relaxed.check_record(record, f.visit()).findings == ()


def test_implant_udi_serial_implanted_in_another_visit_is_red() -> None:
    earlier = f.visit(visit_id="V-OLD", admitted_at=T0 - timedelta(days=40),
                      records=[f.surgery(f.implant(), at=T0 - timedelta(days=39))])
    (message,) = messages(engine(history=[earlier]).check_record(f.surgery(f.implant()),
                                                                   f.visit()))
    assert "06901234567892/SN0001" in message and "就诊V-OLD" in message


def test_implant_udi_one_finding_per_other_visit() -> None:
    record = f.surgery(f.implant(), at=T0 - timedelta(days=39))
    charge = line(udi(), at=T0 - timedelta(days=39, hours=-1))
    earlier = f.visit(visit_id="V-OLD", admitted_at=T0 - timedelta(days=40), records=[record],
                      charges=[charge])
    (message,) = messages(engine(history=[earlier]).check_charge(line(udi()), f.visit()))
    assert f"就诊V-OLD（条目{charge.charge_id}、{record.record_id}）" in message
    assert "2026-01-22 09:00" in message


def test_implant_udi_serial_billed_to_another_patient_is_red() -> None:
    other = f.visit(visit_id="V-OTHER", patient=f.patient(patient_id="P0999"),
                    charges=[line(udi(), at=T0 - timedelta(days=3))])
    found = messages(engine(history=[other]).check_record(f.surgery(f.implant()), f.visit()))
    assert len(found) == 1 and "就诊V-OTHER" in found[0]


def test_implant_udi_other_serial_in_history_is_green() -> None:
    other = f.visit(visit_id="V-OTHER", charges=[line(udi("SN0002"))])
    assert engine(history=[other]).check_record(f.surgery(f.implant()), f.visit()).findings == ()


def test_implant_udi_same_serial_twice_in_one_record() -> None:
    record = f.surgery(f.implant(), f.implant(name="第二枚"))
    (message,) = messages(engine().check_record(record, f.visit()))
    assert message == (
        "第2个植入物「第二枚」UDI序列号06901234567892/SN0001与第1个植入物「骨科植入物」重复"
    )


def test_implant_udi_lot_only_udis_are_not_serial_duplicates() -> None:
    lot_only = "(01)06901234567892(17)271231(10)B2401"
    record = f.surgery(f.implant(lot_only), f.implant(lot_only))
    assert engine().check_record(record, f.visit()).findings == ()


def test_implant_udi_serial_in_an_earlier_record_of_the_visit_is_red() -> None:
    first = f.surgery(f.implant(), at=T0 - timedelta(hours=2))
    second = f.surgery(f.implant(), at=T0)
    verdict = engine().check_record(second, f.visit(records=[first]))
    (finding,) = verdict.findings
    assert f"手术记录{first.record_id}" in finding.message
    assert [s.id for s in finding.related] == [first.record_id]


def test_implant_udi_record_and_charge_of_the_same_visit_may_share_a_udi() -> None:
    visit = f.visit(charges=[line(udi())])
    assert engine().check_record(f.surgery(f.implant()), visit).findings == ()


# --- charges (植入类耗材收费) ---------------------------------------------------------------


def test_implant_udi_implant_line_with_valid_udi_is_green() -> None:
    assert engine().check_charge(line(udi()), f.visit()).findings == ()


def test_implant_udi_implant_line_without_udi_is_red() -> None:
    charge = line()
    (finding,) = engine().check_charge(charge, f.visit()).findings
    assert f"收费{CODE}" in finding.message and "未扫描UDI" in finding.message
    assert finding.amount == Decimal("1000")


@pytest.mark.parametrize(
    "charge",
    [
        line(self_pay=True),
        line(quantity=-1),
        f.charge(PLAIN_CODE, category=ChargeCategory.CONSUMABLE),
        f.charge("001102000030000"),
    ],
    ids=["self-pay", "refund", "high-value-without-udi", "not-a-consumable"],
)
def test_implant_udi_lines_that_are_not_checked(charge: Charge) -> None:
    assert engine().check_charge(charge, f.visit()).findings == ()


def test_implant_udi_scanned_udis_are_checked_on_any_consumable_line() -> None:
    charge = line(BAD_CHECK_DIGIT, code=PLAIN_CODE)
    bad, short = messages(engine().check_charge(charge, f.visit()))
    assert "wrong check digit" in bad
    assert "计费数量1超过有效UDI数0" in short


def test_implant_udi_expiry_on_charge_date() -> None:
    ok = line(udi(expiry="260302"), at=T0)
    late = line(udi(expiry="260302"), at=T0 + timedelta(days=1))
    assert engine().check_charge(ok, f.visit()).findings == ()
    (message,) = messages(engine().check_charge(late, f.visit()))
    assert "收费日期2026-03-03" in message and "有效期至2026-03-02" in message


@pytest.mark.parametrize(
    ("udis", "quantity", "expected"),
    [
        ((udi("SN0001"), udi("SN0002")), 2, []),
        ((udi("SN0001"),), 2, ["计费数量2超过有效UDI数1"]),
        ((udi("SN0001"), "garbage"), 2, ["UDI无法解析", "计费数量2超过有效UDI数1"]),
        ((udi("SN0001"), udi("SN0001")), 2, ["与", "计费数量2超过有效UDI数1"]),
    ],
    ids=["two-distinct", "one-short", "one-unparseable", "same-scanned-twice"],
)
def test_implant_udi_quantity_against_distinct_udis(
    udis: tuple[str, ...], quantity: int, expected: list[str]
) -> None:
    found = messages(engine().check_charge(line(*udis, quantity=quantity), f.visit()))
    assert len(found) == len(expected)
    for fragment, message in zip(expected, found, strict=True):
        assert fragment in message


def test_implant_udi_serial_billed_earlier_in_the_visit_is_red() -> None:
    first = line(udi(), at=T0 - timedelta(hours=1))
    (finding,) = engine().check_charge(line(udi()), f.visit(charges=[first])).findings
    assert f"收费{first.charge_id}" in finding.message
    assert [s.id for s in finding.related] == [first.charge_id]


def test_implant_udi_refunded_serial_may_be_billed_again() -> None:
    first = line(udi(), at=T0 - timedelta(hours=2))
    refund = line(udi(), quantity=-1, at=T0 - timedelta(hours=1))
    assert engine().check_charge(line(udi()), f.visit(charges=[first, refund])).findings == ()


LOT_ONLY = "(01)06901234567892(17)271231(10)B2401"
LOT_ONLY_B = "(01)06901234567892(17)271231(10)B2402"


@pytest.mark.parametrize(
    ("udis", "quantity", "expected"),
    [
        ((LOT_ONLY, LOT_ONLY), 2, []),
        ((LOT_ONLY, LOT_ONLY), 1, []),
        ((LOT_ONLY, LOT_ONLY), 3, ["计费数量3超过有效UDI数2（不同序列号0个，无序列号UDI扫码2次）"]),
        ((LOT_ONLY,), 2, ["计费数量2超过有效UDI数1（不同序列号0个，无序列号UDI扫码1次）"]),
        ((LOT_ONLY, LOT_ONLY_B), 2, []),
        ((udi("SN0001"), LOT_ONLY, LOT_ONLY), 3, []),
        ((udi("SN0001"), LOT_ONLY, LOT_ONLY), 4,
         ["计费数量4超过有效UDI数3（不同序列号1个，无序列号UDI扫码2次）"]),
        ((udi("SN0001"), udi("SN0001"), LOT_ONLY), 3,
         ["与", "计费数量3超过有效UDI数2（不同序列号1个，无序列号UDI扫码1次）"]),
        ((LOT_ONLY, "garbage"), 2, ["UDI无法解析", "计费数量2超过有效UDI数1"]),
    ],
    ids=["lot-only-twice-for-two", "lot-only-twice-for-one", "lot-only-twice-for-three",
         "lot-only-once-for-two", "two-lots-for-two", "serial-and-two-lot-scans-for-three",
         "serial-and-two-lot-scans-for-four", "serial-twice-and-a-lot-scan-for-three",
         "lot-only-and-unparseable"],
)
def test_implant_udi_lot_only_scans_count_one_unit_each(
    udis: tuple[str, ...], quantity: int, expected: list[str]
) -> None:
    found = messages(engine().check_charge(line(*udis, quantity=quantity), f.visit()))
    assert len(found) == len(expected), found
    for fragment, message in zip(expected, found, strict=True):
        assert fragment in message


def test_implant_udi_two_lot_only_scans_for_two_are_green_in_the_audit() -> None:
    visit = f.visit(charges=[line(LOT_ONLY, LOT_ONLY, quantity=2)])
    assert engine().audit_visit(visit).findings == ()


# --- refunds (冲销) and serial reuse --------------------------------------------------------


def refund(of: Charge | None = None, *udis: str, quantity: int = -1, **kw: Any) -> Charge:
    """A refund line naming ``of`` (the usual HIS refund: no UDI scanned)."""
    return line(*udis, quantity=quantity, refund_of=of.charge_id if of else None, **kw)


def test_implant_udi_rebilled_after_a_refund_of_the_line_without_udis_is_green() -> None:
    first = line(udi(), at=T0 - timedelta(hours=2))
    back = refund(first, at=T0 - timedelta(hours=1))
    verdict = engine().check_charge(line(udi()), f.visit(charges=[first, back]))
    assert verdict.colour is Colour.GREEN and verdict.findings == ()


def test_implant_udi_refund_of_another_line_does_not_free_the_serial() -> None:
    first = line(udi("SN0001"), at=T0 - timedelta(hours=3))
    other = line(udi("SN0002"), at=T0 - timedelta(hours=2))
    back = refund(other, at=T0 - timedelta(hours=1))
    visit = f.visit(charges=[first, other, back])
    (finding,) = engine().check_charge(line(udi("SN0001")), visit).findings
    assert f"收费{first.charge_id}" in finding.message
    assert [s.id for s in finding.related] == [first.charge_id]
    assert engine().check_charge(line(udi("SN0002")), visit).findings == ()


def test_implant_udi_refund_naming_a_line_frees_all_its_serials() -> None:
    first = line(udi("SN0001"), udi("SN0002"), at=T0 - timedelta(hours=2))
    visit = f.visit(charges=[first, refund(first, at=T0 - timedelta(hours=1))])
    assert engine().check_charge(line(udi("SN0001")), visit).findings == ()
    assert engine().check_charge(line(udi("SN0002")), visit).findings == ()


def test_implant_udi_refund_scanning_a_serial_frees_only_that_serial() -> None:
    first = line(udi("SN0001"), udi("SN0002"), at=T0 - timedelta(hours=2))
    for back in (refund(first, udi("SN0002"), at=T0 - timedelta(hours=1)),
                 refund(None, udi("SN0002"), at=T0 - timedelta(hours=1))):
        visit = f.visit(charges=[first, back])
        assert engine().check_charge(line(udi("SN0002")), visit).findings == ()
        (message,) = messages(engine().check_charge(line(udi("SN0001")), visit))
        assert f"收费{first.charge_id}" in message


def test_implant_udi_refund_without_refund_of_or_udis_cancels_the_latest_line() -> None:
    first = line(udi("SN0001"), at=T0 - timedelta(hours=3))
    second = line(udi("SN0002"), at=T0 - timedelta(hours=2))
    visit = f.visit(charges=[first, second, refund(at=T0 - timedelta(hours=1))])
    assert engine().check_charge(line(udi("SN0002")), visit).findings == ()
    (message,) = messages(engine().check_charge(line(udi("SN0001")), visit))
    assert f"收费{first.charge_id}" in message


def test_implant_udi_refund_of_another_item_does_not_free_the_serial() -> None:
    first = line(udi(), at=T0 - timedelta(hours=2))
    other_item = refund(code=PLAIN_CODE, at=T0 - timedelta(hours=1))
    (message,) = messages(engine().check_charge(line(udi()), f.visit(charges=[first, other_item])))
    assert f"收费{first.charge_id}" in message


def test_implant_udi_audit_nets_refunds_through_refund_of() -> None:
    first = line(udi(), at=T0)
    back = refund(first, at=T0 + timedelta(hours=1))
    again = line(udi(), at=T0 + timedelta(hours=2))
    assert engine().audit_visit(f.visit(charges=[first, back, again])).findings == ()


def test_implant_udi_audit_judges_the_lines_left_after_refunds() -> None:
    first = line(udi(), at=T0)
    again = line(udi(), at=T0 + timedelta(hours=1))
    back = refund(first, at=T0 + timedelta(hours=2))
    assert engine().audit_visit(f.visit(charges=[first, again, back])).findings == ()
    other = line(udi("SN0002"), at=T0)
    kept = f.visit(charges=[first, other, again, refund(other, at=T0 + timedelta(hours=2))])
    assert [x.subject.id for x in engine().audit_visit(kept).findings] == [again.charge_id]


def test_implant_udi_refund_naming_an_unknown_line_cancels_the_latest_line_of_the_item() -> None:
    first = line(udi(), at=T0 - timedelta(hours=2))
    stray = refund(line(udi("SN0009")), at=T0 - timedelta(hours=1))  # names no line of the visit
    assert engine().check_charge(line(udi()), f.visit(charges=[first, stray])).findings == ()


def test_implant_udi_audit_skips_a_line_refunded_in_full() -> None:
    unscanned = line(at=T0)
    visit = f.visit(charges=[unscanned, refund(unscanned, at=T0 + timedelta(hours=1))])
    assert engine().audit_visit(visit).findings == ()


def test_implant_udi_audit_checks_the_quantity_left_after_a_partial_refund() -> None:
    short = line(udi(), quantity=2, at=T0)
    partial = f.visit(charges=[short, refund(short, at=T0 + timedelta(hours=1))])
    assert engine().audit_visit(partial).findings == ()
    (finding,) = engine().audit_visit(f.visit(charges=[short])).findings
    assert "计费数量2超过有效UDI数1" in finding.message


def test_implant_udi_serial_refunded_in_another_visit_via_refund_of_is_green() -> None:
    """Needs the core history index to net through ``refund_of`` (yibao_sdk/rules/stores.py)."""
    old = line(udi(), at=T0 - timedelta(days=39))
    earlier = f.visit(visit_id="V-OLD", admitted_at=T0 - timedelta(days=40),
                      discharged_at=T0 - timedelta(days=30),
                      charges=[old, refund(old, at=T0 - timedelta(days=38))])
    assert engine(history=[earlier]).check_charge(line(udi()), f.visit()).findings == ()


def test_implant_udi_serial_kept_in_another_visit_after_another_refund_is_red() -> None:
    old, other = line(udi(), at=T0 - timedelta(days=39)), line(udi("SN0002"),
                                                                at=T0 - timedelta(days=39))
    earlier = f.visit(visit_id="V-OLD", admitted_at=T0 - timedelta(days=40),
                      discharged_at=T0 - timedelta(days=30),
                      charges=[old, other, refund(other, at=T0 - timedelta(days=38))])
    (message,) = messages(engine(history=[earlier]).check_charge(line(udi()), f.visit()))
    assert "就诊V-OLD" in message and old.charge_id in message


# --- audit (事后) and the engine around the rule ------------------------------------------


def test_implant_udi_audit_flags_only_the_later_duplicate_line() -> None:
    first = line(udi(), at=T0)
    second = line(udi(), at=T0 + timedelta(hours=3))
    visit = f.visit(charges=[first, second], records=[f.surgery(f.implant())])
    verdict = engine().audit_visit(visit)
    assert verdict.stage is Stage.POST
    assert [x.subject.id for x in verdict.findings] == [second.charge_id]


def test_implant_udi_audit_ignores_its_own_visit_in_history() -> None:
    visit = f.visit(charges=[line(udi())], records=[f.surgery(f.implant())])
    assert engine(history=[visit]).audit_visit(visit).findings == ()


def test_implant_udi_audit_checks_records_and_lines() -> None:
    record = f.surgery(f.implant(None))
    charge = line()
    verdict = engine().audit_visit(f.visit(records=[record], charges=[charge]))
    assert {x.subject.id for x in verdict.findings} == {record.record_id, charge.charge_id}


def test_implant_udi_replay_of_a_clean_visit_is_green() -> None:
    visit = f.visit(records=[f.surgery(f.implant(), at=T0)],
                    charges=[line(udi(), at=T0 + timedelta(hours=1))])
    assert engine().check_visit(visit).colour is Colour.GREEN


def test_implant_udi_red_cannot_be_overridden() -> None:
    eng = f.engine(PLUGIN, catalog=[IMPLANT_ITEM], practitioners=[
        f.practitioner("D010", ProfessionalTitle.CHIEF),
        f.practitioner("D011", ProfessionalTitle.CHIEF)])
    verdict = eng.check_charge(line(), f.visit())
    override = Override(finding_id=verdict.findings[0].finding_id, reason="标签损坏",
                        signatures=(f.signature("D010"), f.signature("D011")), recorded_at=T0)
    with pytest.raises(OverrideError, match="cannot be overridden"):
        eng.override(verdict, override)


def test_implant_udi_verdict_json_round_trip() -> None:
    record = f.surgery(f.implant(BAD_CHECK_DIGIT), f.implant(None))
    verdict = engine().check_record(record, f.visit())
    assert len(verdict.findings) == 2
    again = Verdict.model_validate_json(verdict.model_dump_json())
    assert again == verdict
    assert [x.finding_id for x in again.findings] == [x.finding_id for x in verdict.findings]
