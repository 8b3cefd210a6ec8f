"""The mock platform's fund calculation (基金分割): fee-line self-pay parts, then the settlement.

Deterministic and made up for testing: it follows the shape of the national rules, not the
figures of any real pooling area. Amounts are :class:`~decimal.Decimal` yuan; every computed
part is rounded to 分 with ``ROUND_HALF_UP`` and cash takes whatever remains, so a breakdown
always balances exactly::

    medfee_sumamt = fund_pay_sumamt + acct_pay + acct_mulaid_pay + psn_cash_pay + hosp_part_amt

**Step 1, each fee line** (:func:`assess_line`, answered by 2204/2301 per row)::

    全自费 fulamt_ownpay_amt   whole line when the item is out of the catalogue, class C (丙类,
                              chrgitm_lv 03) or sent with hosp_appr_flag 2 (patient pays)
    超限价 overlmt_amt         (pric - cap) × cnt when a price cap (最高限价) for the hospital
                              level is in force on the fee date and pric exceeds it
    先行自付 preselfpay_amt    (line - 超限价) × self_pay_ratio for class B (乙类, 02)
    政策范围 inscp_scp_amt     line - 全自费 - 超限价 - 先行自付   (class A (甲类, 01) in full)

**Step 2, the settlement** (:func:`calculate`, 2206/2207/2303/2304) over the lines' sums:

1. 起付线 ``act_pay_dedc`` = min(inscp, annual deductible(insutype) - deductible already paid
   this calendar year); tracked per person, year and insutype.
2. 统筹 ``hifp_pay`` = round((inscp - act_pay_dedc) × pooled ratio(insutype, level)), but at
   most the annual cap (封顶线) minus what the pooled fund already paid this year (and never
   more than ``medfee_sumamt``).
3. ``fund_pay_sumamt`` = ``hifp_pay`` (other funds are 0 in this mock); ``hosp_part_amt`` = 0.
4. 个人负担 ``psn_part_amt`` = medfee_sumamt - fund_pay_sumamt - hosp_part_amt.
5. 个人账户 ``acct_pay`` = min(balance, psn_part_amt) if ``acct_used_flag`` is 1, else 0;
   ``acct_mulaid_pay`` = 0 (no family mutual aid).
6. 现金 ``psn_cash_pay`` = psn_part_amt - acct_pay - acct_mulaid_pay (the rounding remainder).

**Default parameters** (:data:`DEFAULT_FUND_PARAMS`; pass a :class:`FundParams` to change them)::

    insutype                    起付线/年   封顶线/年    统筹比例 level 1 / 2 / 3
    310 职工基本医疗保险          200.00    300000.00   0.90 / 0.85 / 0.80
    390 城乡居民基本医疗保险      300.00    150000.00   0.85 / 0.75 / 0.60

**Worked example** (the outpatient flow test checks these figures): an employee (310) at a
level-3 hospital, first settlement of the year, account balance 300.00, ``acct_used_flag`` 1::

    line (class, cap or ratio)         pric × cnt     line   全自费  超限价  先行自付  政策范围
    普通门诊诊查费 (A, cap 25.00)        30.00 × 1     30.00      0    5.00      0     25.00
    阿托伐他汀钙片 (B, ratio 0.10)       16.67 × 3     50.01      0      0     5.00    45.01
    保健类药品 (C)                       80.00 × 1     80.00   80.00     0      0       0
    磁共振平扫 (A, cap 500.00)          480.00 × 1    480.00      0      0      0    480.00
    total                                            640.01   80.00  5.00   5.00   550.01

    先行自付 50.01 × 0.10 = 5.001 → 5.00
    起付线   min(550.01, 200.00 - 0)            = 200.00
    统筹     (550.01 - 200.00) × 0.80 = 280.008 → 280.01   (cap not reached)
    个人负担 640.01 - 280.01                     = 360.00
    账户     min(300.00, 360.00)                 = 300.00   (balance afterwards 0.00)
    现金     360.00 - 300.00                     =  60.00
    check    280.01 + 300.00 + 0 + 60.00 + 0     = 640.01
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from types import MappingProxyType

from yibao_sdk.models.catalog import CatalogItem, PaymentClass
from yibao_sdk.models.patient import HospitalLevel

__all__ = [
    "DEFAULT_FUND_PARAMS",
    "Breakdown",
    "FundParams",
    "FundRequest",
    "LineAssessment",
    "YearToDate",
    "assess_line",
    "calculate",
    "sum_lines",
]

ZERO = Decimal("0.00")
_CENT = Decimal("0.01")
_SELF_PAY_FLAG = "2"


def _d(text: str) -> Decimal:
    return Decimal(text)


@dataclass(frozen=True, slots=True)
class FundParams:
    """Policy parameters by insurance type (险种) and hospital level (医院等级)."""

    deductible: Mapping[str, Decimal]
    """insutype → annual deductible (起付线)."""
    annual_cap: Mapping[str, Decimal]
    """insutype → annual cap of the pooled fund (封顶线)."""
    pooled_ratio: Mapping[str, Mapping[str, Decimal]]
    """insutype → hospital level ("1"/"2"/"3") → pooled-fund ratio (统筹支付比例)."""
    fund_pay_type: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    """insutype → (``fund_pay_type``, name) of the pooled fund in ``setldetail``."""
    rounding: str = ROUND_HALF_UP
    """Rounding to 分."""

    def ratio(self, insutype: str, level: str) -> Decimal:
        """The pooled ratio for ``insutype`` at a hospital of ``level``.

        :raises ValueError: no parameters for that insutype or level.
        """
        try:
            return self.pooled_ratio[insutype][level]
        except KeyError:
            raise ValueError(f"no pooled-fund ratio for insutype {insutype} at hospital level "
                             f"{level} (this mock knows {', '.join(sorted(self.pooled_ratio))})"
                             ) from None


DEFAULT_FUND_PARAMS = FundParams(
    deductible=MappingProxyType({"310": _d("200.00"), "390": _d("300.00")}),
    annual_cap=MappingProxyType({"310": _d("300000.00"), "390": _d("150000.00")}),
    pooled_ratio=MappingProxyType({
        "310": MappingProxyType({"1": _d("0.90"), "2": _d("0.85"), "3": _d("0.80")}),
        "390": MappingProxyType({"1": _d("0.85"), "2": _d("0.75"), "3": _d("0.60")}),
    }),
    fund_pay_type=MappingProxyType({"310": ("310100", "职工基本医疗保险统筹基金"),
                                    "390": ("390100", "城乡居民基本医疗保险基金")}),
)
"""The defaults shown in the module docstring."""


@dataclass(frozen=True, slots=True)
class LineAssessment:
    """The platform's view of one fee line (2204/2301 ``result[]``)."""

    amount: Decimal
    """明细项目费用总额 (as sent)."""
    fulamt_ownpay_amt: Decimal = ZERO
    """全自费金额."""
    overlmt_amt: Decimal = ZERO
    """超限价金额."""
    preselfpay_amt: Decimal = ZERO
    """先行自付金额."""
    inscp_scp_amt: Decimal = ZERO
    """符合政策范围金额."""
    chrgitm_lv: str = PaymentClass.C.value
    """收费项目等级 (01 甲, 02 乙, 03 丙)."""
    selfpay_prop: Decimal = ZERO
    """自付比例 (class B ratio; 1 for a fully self-paid line)."""
    pric_uplmt_amt: Decimal | None = None
    """定价上限金额 in force, if any."""
    memo: str = ""
    """Why a line is self-paid."""


def _round(value: Decimal, rounding: str = ROUND_HALF_UP) -> Decimal:
    return value.quantize(_CENT, rounding=rounding)


def assess_line(
    item: CatalogItem | None,
    *,
    pric: Decimal,
    cnt: Decimal,
    amount: Decimal,
    level: str,
    day: date,
    hosp_appr_flag: str = "1",
    rounding: str = ROUND_HALF_UP,
) -> LineAssessment:
    """Split one fee line into 全自费, 超限价, 先行自付 and 政策范围 (step 1 of the docstring).

    A refund row (negative ``cnt`` and ``amount``) splits the same way with negative parts.
    """
    amount = _round(amount, rounding)
    if item is None or item.payment_class is PaymentClass.C or hosp_appr_flag == _SELF_PAY_FLAG:
        reason = ("目录外项目，全自费" if item is None else
                  "丙类项目，全自费" if item.payment_class is PaymentClass.C else "患者自费")
        return LineAssessment(amount, fulamt_ownpay_amt=amount, selfpay_prop=Decimal(1),
                              memo=reason)
    cap = item.cap_for(HospitalLevel(level), day)
    over = ZERO
    if cap is not None and pric > cap.price:
        over = _round((pric - cap.price) * cnt, rounding)
        over = min(over, amount) if amount >= 0 else max(over, amount)
    ratio = item.self_pay_ratio if item.payment_class is PaymentClass.B else ZERO
    pre = _round((amount - over) * ratio, rounding)
    return LineAssessment(
        amount, overlmt_amt=over, preselfpay_amt=pre, inscp_scp_amt=amount - over - pre,
        chrgitm_lv=item.payment_class.value, selfpay_prop=ratio,
        pric_uplmt_amt=cap.price if cap is not None else None,
        memo="超限价部分自付" if over else "",
    )


@dataclass(frozen=True, slots=True)
class YearToDate:
    """What a person's insurance already paid this calendar year (per insutype)."""

    deductible_paid: Decimal = ZERO
    """起付线 already borne by the person."""
    pooled_paid: Decimal = ZERO
    """统筹基金 already paid (counts towards the cap)."""


@dataclass(frozen=True, slots=True)
class FundRequest:
    """What a (pre-)settlement is computed from."""

    insutype: str
    """险种类型 (310, 390)."""
    level: str
    """Hospital level ("1", "2", "3")."""
    lines: LineAssessment
    """The lines' sums (see :func:`sum_lines`)."""
    year_to_date: YearToDate = YearToDate()
    """The person's accumulators for the settlement's year."""
    use_account: bool = False
    """``acct_used_flag`` = 1."""
    balance: Decimal = ZERO
    """Personal-account balance (个人账户余额) before settling."""


@dataclass(frozen=True, slots=True)
class Breakdown:
    """The result of :func:`calculate`, in ``setlinfo`` names."""

    medfee_sumamt: Decimal
    fulamt_ownpay_amt: Decimal
    overlmt_selfpay: Decimal
    preselfpay_amt: Decimal
    inscp_scp_amt: Decimal
    act_pay_dedc: Decimal
    pool_prop_selfpay: Decimal
    hifp_pay: Decimal
    fund_pay_sumamt: Decimal
    acct_pay: Decimal
    acct_mulaid_pay: Decimal
    psn_cash_pay: Decimal
    hosp_part_amt: Decimal
    balc: Decimal
    """Account balance after this settlement."""

    @property
    def psn_part_amt(self) -> Decimal:
        """个人负担总金额 = acct_pay + acct_mulaid_pay + psn_cash_pay."""
        return self.acct_pay + self.acct_mulaid_pay + self.psn_cash_pay

    @property
    def balanced(self) -> bool:
        """True when the parts add up to ``medfee_sumamt``."""
        parts = (self.fund_pay_sumamt + self.acct_pay + self.acct_mulaid_pay + self.psn_cash_pay
                 + self.hosp_part_amt)
        return parts == self.medfee_sumamt


def sum_lines(lines: Iterable[LineAssessment]) -> LineAssessment:
    """The parts of several lines added up (class and ratio are not meaningful on a sum)."""
    total = LineAssessment(ZERO)
    for line in lines:
        total = LineAssessment(
            total.amount + line.amount,
            fulamt_ownpay_amt=total.fulamt_ownpay_amt + line.fulamt_ownpay_amt,
            overlmt_amt=total.overlmt_amt + line.overlmt_amt,
            preselfpay_amt=total.preselfpay_amt + line.preselfpay_amt,
            inscp_scp_amt=total.inscp_scp_amt + line.inscp_scp_amt,
        )
    return total


def calculate(request: FundRequest, params: FundParams = DEFAULT_FUND_PARAMS) -> Breakdown:
    """Split a settlement between the pooled fund, the account and cash (step 2).

    :raises ValueError: no parameters for the insutype or level, or a negative total.
    """
    lines, ytd, rounding = request.lines, request.year_to_date, params.rounding
    if lines.amount < 0:
        raise ValueError(f"medfee_sumamt {lines.amount} is negative: nothing to settle")
    ratio = params.ratio(request.insutype, request.level)
    deductible_left = max(ZERO, params.deductible[request.insutype] - ytd.deductible_paid)
    dedc = max(ZERO, min(lines.inscp_scp_amt, deductible_left))
    eligible = max(ZERO, lines.inscp_scp_amt - dedc)
    cap_left = max(ZERO, params.annual_cap[request.insutype] - ytd.pooled_paid)
    hifp = min(_round(eligible * ratio, rounding), cap_left, lines.amount)
    person = lines.amount - hifp
    acct = min(max(ZERO, request.balance), person) if request.use_account else ZERO
    return Breakdown(
        medfee_sumamt=lines.amount, fulamt_ownpay_amt=lines.fulamt_ownpay_amt,
        overlmt_selfpay=lines.overlmt_amt, preselfpay_amt=lines.preselfpay_amt,
        inscp_scp_amt=lines.inscp_scp_amt, act_pay_dedc=dedc, pool_prop_selfpay=ratio,
        hifp_pay=hifp, fund_pay_sumamt=hifp, acct_pay=acct, acct_mulaid_pay=ZERO,
        psn_cash_pay=person - acct, hosp_part_amt=ZERO, balc=request.balance - acct,
    )
