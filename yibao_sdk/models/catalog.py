"""Catalogue items (医保目录): payment class, restrictions, price caps with effective dates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Self

from pydantic import Field, model_validator

from yibao_sdk.models.base import Money, YibaoModel
from yibao_sdk.models.charge import ChargeCategory
from yibao_sdk.models.patient import AgeUnit, HospitalLevel, Sex

__all__ = ["AgeLimit", "CatalogItem", "PaymentClass", "PriceCap", "RestrictionLevel"]


class PaymentClass(StrEnum):
    """甲/乙/丙类 (hilist_lv / chrgitm_lv)."""

    A = "01"
    B = "02"
    C = "03"


class RestrictionLevel(StrEnum):
    """限制使用级别 (e.g. antibiotic tiers 非限制/限制/特殊使用级)."""

    NONE = "none"
    RESTRICTED = "restricted"
    SPECIAL = "special"


class PriceCap(YibaoModel):
    """最高限价 for one hospital level over an effective interval [valid_from, valid_to]."""

    level: HospitalLevel
    """医院等级 the cap applies to."""
    price: Money
    """The capped unit price."""
    valid_from: date
    """First day in force (on the service date)."""
    valid_to: date | None = None
    """Last day in force; ``None`` = open-ended."""

    def in_force(self, day: date) -> bool:
        """True if the cap applies on ``day``."""
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class AgeLimit(YibaoModel):
    """Allowed ages: ``minimum <= age <= maximum`` in completed ``unit`` (either end open)."""

    minimum: int | None = Field(default=None, ge=0)
    """Youngest allowed age, inclusive."""
    maximum: int | None = Field(default=None, ge=0)
    """Oldest allowed age, inclusive."""
    unit: AgeUnit = AgeUnit.YEAR
    """Unit of both ends."""

    def allows(self, age: int) -> bool:
        """True if ``age`` (in :attr:`unit`) is within the limit."""
        return (self.minimum is None or age >= self.minimum) and (
            self.maximum is None or age <= self.maximum
        )


class CatalogItem(YibaoModel):
    """目录条目: one national drug, service item or consumable with its restrictions."""

    code: str = Field(min_length=1, max_length=50)
    """医保目录编码."""
    name: str = Field(default="", max_length=200)
    """名称."""
    category: ChargeCategory
    """收费类别."""
    payment_class: PaymentClass = PaymentClass.A
    """甲/乙/丙类."""
    restriction: RestrictionLevel = RestrictionLevel.NONE
    """限制使用级别."""
    second_line: bool = False
    """限二线用药: needs two senior signatures."""
    high_value: bool = False
    """高值耗材."""
    implant: bool = False
    """植入类: billed lines need UDIs."""
    sex: Sex | None = None
    """Only for this sex (限性别)."""
    age: AgeLimit | None = None
    """Only for these ages (限年龄)."""
    price_caps: tuple[PriceCap, ...] = ()
    """最高限价 by hospital level and date."""
    self_pay_ratio: Decimal = Field(default=Decimal(0), ge=0, le=1)
    """先行自付比例 (for class B)."""
    valid_from: date | None = None
    """目录生效日期."""
    valid_to: date | None = None
    """目录失效日期."""

    @model_validator(mode="after")
    def _dates(self) -> Self:
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValueError("valid_to is before valid_from")
        return self

    def cap_for(self, level: HospitalLevel, day: date) -> PriceCap | None:
        """The price cap in force for ``level`` on ``day``, if any."""
        for cap in self.price_caps:
            if cap.level == level and cap.in_force(day):
                return cap
        return None
