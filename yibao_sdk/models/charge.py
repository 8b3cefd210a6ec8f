"""Charges (费用明细): one billed line, linked to its order."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Self

from pydantic import Field, model_validator

from yibao_sdk.models.base import LocalDateTime, Money, Quantity, YibaoModel

__all__ = ["AMOUNT_TOLERANCE", "Charge", "ChargeCategory"]

AMOUNT_TOLERANCE = Decimal("0.01")
"""How far ``amount`` may differ from ``quantity * unit_price`` (rounding to 分)."""


class ChargeCategory(StrEnum):
    """收费类别 (after the national med_chrgitm_type)."""

    BED = "bed"
    """床位费."""
    CONSULTATION = "consultation"
    """诊察费."""
    EXAMINATION = "examination"
    """检查费 (imaging and other examinations)."""
    LAB = "lab"
    """化验费."""
    TREATMENT = "treatment"
    """治疗费."""
    SURGERY = "surgery"
    """手术费."""
    NURSING = "nursing"
    """护理费."""
    CONSUMABLE = "consumable"
    """卫生材料费 (including implants)."""
    WESTERN_DRUG = "western_drug"
    """西药费."""
    PATENT_DRUG = "patent_drug"
    """中成药费."""
    HERBAL = "herbal"
    """中药饮片费."""
    GENERAL = "general"
    """一般诊疗费."""
    REGISTRATION = "registration"
    """挂号费."""
    OTHER = "other"
    """其他费."""


class Charge(YibaoModel):
    """费用明细: one billed line (feedetl)."""

    charge_id: str = Field(min_length=1, max_length=40)
    """费用明细流水号 (feedetl_sn)."""
    item_code: str = Field(min_length=1, max_length=50)
    """医保目录编码 (med_list_codg)."""
    hospital_item_code: str = Field(default="", max_length=50)
    """医药机构目录编码 (medins_list_codg)."""
    name: str = Field(default="", max_length=200)
    """项目名称."""
    category: ChargeCategory
    """收费类别."""
    quantity: Quantity
    """数量 (cnt); negative for a refund."""
    unit_price: Money
    """单价 (pric)."""
    amount: Money
    """明细项目费用总额 (det_item_fee_sumamt) = quantity × unit_price."""
    charged_at: LocalDateTime
    """费用发生时间 (fee_ocur_time), the service time the rules date by."""
    ordering_practitioner_id: str = Field(default="", max_length=30)
    """开单医师工号 (bilg_dr_codg)."""
    performing_practitioner_id: str = Field(default="", max_length=30)
    """执行医师工号."""
    order_id: str | None = Field(default=None, max_length=40)
    """医嘱ID this line was billed from (2204 ``rxno``, 2301 ``drord_no``)."""
    refund_of: str | None = Field(default=None, max_length=40)
    """原费用明细流水号 (init_feedetl_sn): the line a refund (negative quantity) reverses."""
    self_pay: bool = False
    """患者自费 (the patient chose to pay this line in full)."""
    udis: tuple[str, ...] = ()
    """Scanned UDIs for implant/high-value consumable lines (as scanned, unvalidated)."""

    @model_validator(mode="after")
    def _amount_matches(self) -> Self:
        if self.refund_of is not None and self.quantity >= 0:
            raise ValueError("refund_of is only allowed on a refund line (negative quantity)")
        expected = self.quantity * self.unit_price
        if abs(expected - self.amount) > AMOUNT_TOLERANCE:
            raise ValueError(
                f"amount {self.amount} != quantity {self.quantity} x unit_price "
                f"{self.unit_price} = {expected}"
            )
        return self
