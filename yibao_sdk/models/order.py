"""Orders (医嘱): drug, lab, imaging, procedure and consumable, with their signatures."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field

from yibao_sdk.models.base import LocalDateTime, Quantity, YibaoModel

__all__ = [
    "ConsumableOrder",
    "DrugOrder",
    "ImagingOrder",
    "ImagingScope",
    "LabOrder",
    "Order",
    "ProcedureOrder",
    "Signature",
]


class Signature(YibaoModel):
    """签名: a practitioner's electronic signature on an order or an override."""

    practitioner_id: str = Field(min_length=1, max_length=30)
    """工号 of the signer."""
    signed_at: LocalDateTime
    """签名时间."""
    token: str = Field(default="", max_length=512, repr=False)
    """The CA signature value or token from the EMR, kept as evidence."""


class _OrderBase(YibaoModel):
    order_id: str = Field(min_length=1, max_length=40)
    """医嘱ID (rx_id)."""
    ordered_at: LocalDateTime
    """开立时间 (drord_begn_date)."""
    practitioner_id: str = Field(min_length=1, max_length=30)
    """开单医师工号 (drord_dr_codg)."""
    item_code: str = Field(default="", max_length=50)
    """医保目录编码 (national item code, hilist_code)."""
    hospital_item_code: str = Field(default="", max_length=50)
    """医院项目编码 (medins_list_codg)."""
    name: str = Field(default="", max_length=200)
    """项目名称."""
    quantity: Quantity = Decimal(1)
    """数量 (cnt)."""
    department: str = Field(default="", max_length=50)
    """开单科室 (drord_dept_codg)."""
    urgent: bool = False
    """急诊/抢救: exempts the order from a suspended practitioner's ban."""
    signatures: tuple[Signature, ...] = ()
    """Signatures on the order (the ordering doctor's and any co-signers')."""

    @property
    def signers(self) -> frozenset[str]:
        """Distinct practitioner ids that signed the order."""
        return frozenset(s.practitioner_id for s in self.signatures)


class DrugOrder(_OrderBase):
    """药品医嘱 (hilist_type 101/102)."""

    kind: Literal["drug"] = "drug"
    dose: str = Field(default="", max_length=50)
    """单次剂量, e.g. ``0.5g``."""
    frequency: str = Field(default="", max_length=20)
    """频次, e.g. ``bid``."""
    days: int | None = Field(default=None, ge=0)
    """用药天数."""


class LabOrder(_OrderBase):
    """检验医嘱 (LIS)."""

    kind: Literal["lab"] = "lab"
    specimen: str = Field(default="", max_length=50)
    """标本."""


class ImagingScope(StrEnum):
    """平扫/增强: whether contrast is given."""

    PLAIN = "plain"
    ENHANCED = "enhanced"
    PLAIN_AND_ENHANCED = "plain+enhanced"


class ImagingOrder(_OrderBase):
    """检查医嘱 (PACS)."""

    kind: Literal["imaging"] = "imaging"
    modality: str = Field(default="", max_length=10)
    """DICOM modality, e.g. ``MR``, ``CT``."""
    body_part: str = Field(default="", max_length=50)
    """检查部位."""
    scope: ImagingScope = ImagingScope.PLAIN
    """平扫/增强/平扫+增强."""


class ProcedureOrder(_OrderBase):
    """诊疗/手术医嘱."""

    kind: Literal["procedure"] = "procedure"


class ConsumableOrder(_OrderBase):
    """耗材医嘱 (hilist_type 301)."""

    kind: Literal["consumable"] = "consumable"


Order = Annotated[
    DrugOrder | LabOrder | ImagingOrder | ProcedureOrder | ConsumableOrder,
    Field(discriminator="kind"),
]
"""Any order; ``kind`` selects the family."""
