"""Settlements (结算): request, result with fund breakdown, and the DRG/DIP settlement list."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Self

from pydantic import Field, model_validator

from yibao_sdk.codes.icd import Icd9Cm3Code, Icd10Code
from yibao_sdk.models.base import LocalDateTime, Money, YibaoModel

__all__ = [
    "FundPayment",
    "Settlement",
    "SettlementList",
    "SettlementListDiagnosis",
    "SettlementListOperation",
    "SettlementResult",
]


class Settlement(YibaoModel):
    """结算请求: settle (or pre-settle) a visit's uploaded charges."""

    settlement_id: str = Field(min_length=1, max_length=40)
    """院内结算流水号."""
    visit_id: str = Field(min_length=1, max_length=40)
    """就诊ID."""
    requested_at: LocalDateTime
    """结算时间, the service time the rules date by."""
    total: Money
    """医疗费总额 (medfee_sumamt)."""
    pre_settlement: bool = False
    """预结算 (2206/2303) rather than 结算 (2207/2304)."""
    charge_ids: tuple[str, ...] = ()
    """费用明细 included; empty = all uploaded lines."""
    insurance_type: str = Field(default="", max_length=6)
    """险种类型 (insutype)."""
    medical_type: str = Field(default="", max_length=6)
    """医疗类别 (med_type), e.g. 11 普通门诊, 21 普通住院."""


class FundPayment(YibaoModel):
    """基金分项支付 (setldetail): one fund's share."""

    fund_type: str = Field(min_length=1, max_length=6)
    """基金支付类型 (fund_pay_type), e.g. 310100 统筹基金."""
    name: str = Field(default="", max_length=100)
    """基金名称."""
    amount: Money
    """支付金额 (fund_payamt)."""


class SettlementResult(YibaoModel):
    """结算结果 with the fund breakdown.

    ``total = fund_total + personal_account + mutual_aid + cash + hospital_part``.
    """

    settlement_id: str = Field(min_length=1, max_length=40)
    """结算ID (setl_id)."""
    visit_id: str = Field(min_length=1, max_length=40)
    """就诊ID."""
    settled_at: LocalDateTime
    """结算时间 (setl_time)."""
    total: Money
    """医疗费总额 (medfee_sumamt)."""
    full_self_pay: Money = Decimal(0)
    """全自费金额 (fulamt_ownpay_amt)."""
    over_limit_self_pay: Money = Decimal(0)
    """超限价自费 (overlmt_selfpay)."""
    preselfpay: Money = Decimal(0)
    """先行自付 (preselfpay_amt)."""
    fund_total: Money
    """基金支付总额 (fund_pay_sumamt)."""
    pooled_fund: Money = Decimal(0)
    """统筹基金支出 (hifp_pay)."""
    personal_account: Money = Decimal(0)
    """个人账户支出 (acct_pay)."""
    mutual_aid: Money = Decimal(0)
    """个人账户共济支付 (acct_mulaid_pay): paid from a family member's account."""
    cash: Money = Decimal(0)
    """个人现金支出 (psn_cash_pay)."""
    hospital_part: Money = Decimal(0)
    """医院负担 (hosp_part_amt)."""
    fund_payments: tuple[FundPayment, ...] = ()
    """基金分项."""

    @model_validator(mode="after")
    def _balances(self) -> Self:
        parts = (
            self.fund_total + self.personal_account + self.mutual_aid + self.cash
            + self.hospital_part
        )
        if parts != self.total:
            raise ValueError(
                f"fund_total + personal_account + mutual_aid + cash + hospital_part = {parts} "
                f"!= total {self.total}"
            )
        if self.fund_payments and sum(f.amount for f in self.fund_payments) != self.fund_total:
            raise ValueError("fund_payments do not add up to fund_total")
        return self


class SettlementListDiagnosis(YibaoModel):
    """结算清单诊断 (ICD-10 医保版 2.0)."""

    code: Icd10Code
    """诊断代码 (医保版)."""
    name: str = Field(min_length=1, max_length=200)
    """诊断名称."""
    main: bool = False
    """主诊断."""
    admission_condition: str = Field(default="", max_length=3)
    """入院病情 (adm_cond_type)."""


class SettlementListOperation(YibaoModel):
    """结算清单手术操作 (ICD-9-CM-3 医保版 2.0)."""

    code: Icd9Cm3Code
    """手术操作代码 (医保版)."""
    name: str = Field(min_length=1, max_length=200)
    """手术操作名称."""
    main: bool = False
    """主手术."""
    operated_on: date
    """手术日期."""
    surgeon_code: str = Field(default="", max_length=30)
    """术者医师代码."""


class SettlementList(YibaoModel):
    """医保结算清单 for DRG/DIP (4101A)."""

    settlement_id: str = Field(min_length=1, max_length=40)
    """结算ID (setl_id)."""
    visit_id: str = Field(min_length=1, max_length=40)
    """就诊ID."""
    admitted_on: date
    """入院日期."""
    discharged_on: date
    """出院日期."""
    diagnoses: tuple[SettlementListDiagnosis, ...] = Field(min_length=1)
    """诊断; exactly one main."""
    operations: tuple[SettlementListOperation, ...] = ()
    """手术操作."""
    total: Money
    """医疗费总额."""

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if sum(1 for d in self.diagnoses if d.main) != 1:
            raise ValueError("a settlement list needs exactly one main diagnosis")
        if self.discharged_on < self.admitted_on:
            raise ValueError("discharged_on is before admitted_on")
        for op in self.operations:
            if not self.admitted_on <= op.operated_on <= self.discharged_on:
                raise ValueError(f"operation {op.code} dated outside the stay")
        return self
