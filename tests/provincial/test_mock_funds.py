"""The mock's fund calculation: the documented worked example, deductible and cap tracking, and
properties (every breakdown balances exactly, no part is negative) over random inputs."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yibao_sdk.adapters.provincial.mock.funds import (
    DEFAULT_FUND_PARAMS,
    FundParams,
    FundRequest,
    LineAssessment,
    YearToDate,
    assess_line,
    calculate,
    sum_lines,
)
from yibao_sdk.adapters.provincial.mock.samples import WORKED_EXAMPLE
from yibao_sdk.adapters.provincial.mock.seed import DEFAULT_CATALOGUE
from yibao_sdk.models.catalog import CatalogItem, PaymentClass, PriceCap
from yibao_sdk.models.charge import ChargeCategory
from yibao_sdk.models.patient import HospitalLevel

D = Decimal
DAY = date(2026, 3, 2)
CATALOGUE = {item.code: item for item in DEFAULT_CATALOGUE}


def _lines(lines: tuple[tuple[str, str, str], ...], level: str = "3") -> list[LineAssessment]:
    out = []
    for code, price, count in lines:
        amount = (D(price) * D(count)).quantize(D("0.01"))
        out.append(assess_line(CATALOGUE.get(code), pric=D(price), cnt=D(count), amount=amount,
                               level=level, day=DAY))
    return out


def test_the_worked_example_of_the_docstring() -> None:
    lines = _lines(WORKED_EXAMPLE)
    assert [(x.chrgitm_lv, x.fulamt_ownpay_amt, x.overlmt_amt, x.preselfpay_amt,
             x.inscp_scp_amt) for x in lines] == [
        ("01", D("0.00"), D("5.00"), D("0.00"), D("25.00")),
        ("02", D("0.00"), D("0.00"), D("5.00"), D("45.01")),
        ("03", D("80.00"), D("0.00"), D("0.00"), D("0.00")),
        ("01", D("0.00"), D("0.00"), D("0.00"), D("480.00")),
    ]
    assert lines[0].pric_uplmt_amt == D("25.00") and lines[1].selfpay_prop == D("0.10")
    b = calculate(FundRequest("310", "3", sum_lines(lines), use_account=True,
                              balance=D("300.00")))
    assert (b.medfee_sumamt, b.fulamt_ownpay_amt, b.overlmt_selfpay, b.preselfpay_amt,
            b.inscp_scp_amt) == (D("640.01"), D("80.00"), D("5.00"), D("5.00"), D("550.01"))
    assert (b.act_pay_dedc, b.pool_prop_selfpay, b.hifp_pay, b.fund_pay_sumamt) == (
        D("200.00"), D("0.80"), D("280.01"), D("280.01"))
    assert (b.psn_part_amt, b.acct_pay, b.psn_cash_pay, b.balc) == (
        D("360.00"), D("300.00"), D("60.00"), D("0.00"))
    assert b.balanced


def test_deductible_already_met_and_no_account() -> None:
    lines = sum_lines(_lines(WORKED_EXAMPLE))
    b = calculate(FundRequest("310", "3", lines, YearToDate(deductible_paid=D("200.00")),
                              use_account=False, balance=D("300.00")))
    assert b.act_pay_dedc == D("0.00") and b.hifp_pay == D("440.01")  # 550.01 × 0.80 = 440.008
    assert (b.acct_pay, b.psn_cash_pay, b.balc) == (D("0.00"), D("200.00"), D("300.00"))
    partly = calculate(FundRequest("310", "3", lines, YearToDate(deductible_paid=D("150.00"))))
    assert partly.act_pay_dedc == D("50.00")


def test_annual_cap_limits_the_pooled_fund() -> None:
    lines = sum_lines(_lines(WORKED_EXAMPLE))
    ytd = YearToDate(deductible_paid=D("200.00"), pooled_paid=D("299900.00"))
    b = calculate(FundRequest("310", "3", lines, ytd))
    assert b.hifp_pay == D("100.00") and b.psn_cash_pay == D("540.01") and b.balanced
    spent = calculate(FundRequest("310", "3", lines, YearToDate(D("200"), D("300000.00"))))
    assert spent.hifp_pay == 0 and spent.psn_cash_pay == D("640.01")


def test_ratios_by_level_and_insutype() -> None:
    lines = sum_lines(_lines(WORKED_EXAMPLE, level="1"))
    assert lines.overlmt_amt == D("95.00")  # caps 15.00 and 400.00 at level 1
    ratios = {(t, lv): calculate(FundRequest(t, lv, lines)).pool_prop_selfpay
              for t in ("310", "390") for lv in ("1", "2", "3")}
    assert ratios == {("310", "1"): D("0.90"), ("310", "2"): D("0.85"), ("310", "3"): D("0.80"),
                      ("390", "1"): D("0.85"), ("390", "2"): D("0.75"), ("390", "3"): D("0.60")}
    with pytest.raises(ValueError, match="insutype 340"):
        calculate(FundRequest("340", "3", lines))


def test_self_paid_lines_and_refunds() -> None:
    item = CATALOGUE["002203000010000"]
    own = assess_line(item, pric=D("480"), cnt=D("1"), amount=D("480.00"), level="3", day=DAY,
                      hosp_appr_flag="2")
    assert own.fulamt_ownpay_amt == D("480.00") and own.memo == "患者自费"
    outside = assess_line(None, pric=D("9.9"), cnt=D("2"), amount=D("19.80"), level="3",
                          day=DAY)
    assert (outside.chrgitm_lv, outside.fulamt_ownpay_amt) == ("03", D("19.80"))
    refund = assess_line(CATALOGUE["001101000010000"], pric=D("30"), cnt=D("-1"),
                         amount=D("-30.00"), level="3", day=DAY)
    assert (refund.overlmt_amt, refund.inscp_scp_amt) == (D("-5.00"), D("-25.00"))
    with pytest.raises(ValueError, match="negative"):
        calculate(FundRequest("310", "3", sum_lines([refund])))


def test_a_cap_not_yet_in_force_does_not_apply() -> None:
    item = CatalogItem(code="X1", category=ChargeCategory.TREATMENT, price_caps=(
        PriceCap(level=HospitalLevel.LEVEL3, price=D("10"), valid_from=date(2027, 1, 1)),))
    line = assess_line(item, pric=D("20"), cnt=D("1"), amount=D("20.00"), level="3", day=DAY)
    assert line.overlmt_amt == 0 and line.pric_uplmt_amt is None


_money = st.decimals(min_value=0, max_value=50_000, places=2, allow_nan=False,
                     allow_infinity=False)


@st.composite
def _fund_requests(draw: st.DrawFn) -> FundRequest:
    fulamt, over, pre, inscp = (draw(_money) for _ in range(4))
    lines = LineAssessment(fulamt + over + pre + inscp, fulamt, over, pre, inscp)
    ytd = YearToDate(draw(_money), draw(_money) * 10)
    return FundRequest(draw(st.sampled_from(["310", "390"])), draw(st.sampled_from("123")),
                       lines, ytd, draw(st.booleans()), draw(_money))


@settings(max_examples=300, deadline=None)
@given(request=_fund_requests())
def test_every_breakdown_balances_and_nothing_is_negative(request: FundRequest) -> None:
    b = calculate(request)
    assert b.balanced
    assert b.fund_pay_sumamt + b.psn_part_amt + b.hosp_part_amt == b.medfee_sumamt
    parts = (b.act_pay_dedc, b.hifp_pay, b.fund_pay_sumamt, b.acct_pay, b.acct_mulaid_pay,
             b.psn_cash_pay, b.hosp_part_amt, b.balc)
    assert all(part >= 0 for part in parts)
    assert all(part == part.quantize(D("0.01")) for part in parts)
    assert b.acct_pay <= request.balance and (request.use_account or b.acct_pay == 0)
    ytd, insutype = request.year_to_date, request.insutype
    assert b.act_pay_dedc <= max(D(0), DEFAULT_FUND_PARAMS.deductible[insutype]
                                 - ytd.deductible_paid)
    assert b.hifp_pay <= max(D(0), DEFAULT_FUND_PARAMS.annual_cap[insutype] - ytd.pooled_paid)


@settings(max_examples=300, deadline=None)
@given(price=st.decimals(min_value=D("0.01"), max_value=9999, places=2),
       count=st.integers(min_value=1, max_value=50),
       code=st.sampled_from([*sorted(CATALOGUE), "OUT-OF-CATALOGUE"]),
       level=st.sampled_from(["1", "2", "3"]))
def test_line_parts_always_add_up(price: Decimal, count: int, code: str, level: str) -> None:
    amount = (price * count).quantize(D("0.01"))
    line = assess_line(CATALOGUE.get(code), pric=price, cnt=D(count), amount=amount,
                       level=level, day=DAY)
    parts = (line.fulamt_ownpay_amt, line.overlmt_amt, line.preselfpay_amt, line.inscp_scp_amt)
    assert sum(parts) == amount and all(part >= 0 for part in parts)
    assert line.chrgitm_lv in {c.value for c in PaymentClass}


def test_custom_parameters() -> None:
    params = FundParams(deductible={"310": D("0")}, annual_cap={"310": D("100")},
                        pooled_ratio={"310": {"3": D("0.5")}})
    b = calculate(FundRequest("310", "3", LineAssessment(D("300.00"), inscp_scp_amt=D("300.00"))),
                  params)
    assert (b.hifp_pay, b.psn_cash_pay) == (D("100"), D("200.00"))
