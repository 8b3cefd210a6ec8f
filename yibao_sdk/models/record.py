"""Clinical records: surgery record with implants, form records, lab and imaging reports."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from yibao_sdk.models.base import LocalDateTime, YibaoModel

__all__ = [
    "FormRecord",
    "ImagingReport",
    "Implant",
    "LabReport",
    "LabResult",
    "Operation",
    "Record",
    "SurgeryRecord",
]


class Implant(YibaoModel):
    """植入类耗材 as recorded in the surgery record."""

    name: str = Field(default="", max_length=200)
    """耗材名称."""
    udi: str | None = Field(default=None, max_length=200)
    """UDI as scanned (GS1 or HIBCC); validated by the implant-UDI rule, not here."""
    barcode: str | None = Field(default=None, max_length=200)
    """院内条码."""
    charge_code: str | None = Field(default=None, max_length=50)
    """收费代码 (the 医保 consumable code the implant is billed under)."""
    quantity: int = Field(default=1, ge=1)
    """数量."""


class Operation(YibaoModel):
    """手术操作 (ICD-9-CM-3)."""

    code: str = Field(min_length=1, max_length=20)
    """手术操作代码."""
    name: str = Field(default="", max_length=200)
    """手术操作名称."""
    main: bool = False
    """主手术."""


class _RecordBase(YibaoModel):
    record_id: str = Field(min_length=1, max_length=40)
    """文书ID."""
    recorded_at: LocalDateTime
    """记录时间 (for a surgery record: the operation date)."""
    author_id: str = Field(default="", max_length=30)
    """记录者工号."""


class SurgeryRecord(_RecordBase):
    """手术记录."""

    kind: Literal["surgery"] = "surgery"
    surgeon_id: str = Field(default="", max_length=30)
    """主刀医师工号."""
    operations: tuple[Operation, ...] = ()
    """手术操作."""
    implants: tuple[Implant, ...] = ()
    """植入物."""


class FormRecord(_RecordBase):
    """表单记录, e.g. the pre-op assessment form (术前评估表)."""

    kind: Literal["form"] = "form"
    form_type: str = Field(min_length=1, max_length=50)
    """表单类型, e.g. ``preop_assessment``."""
    fields: dict[str, str] = Field(default_factory=dict)
    """Answers by field name."""


class LabResult(YibaoModel):
    """检验结果 (one analyte)."""

    code: str = Field(min_length=1, max_length=50)
    """检验项目代码."""
    name: str = Field(default="", max_length=100)
    """名称."""
    value: str = Field(default="", max_length=200)
    """结果."""
    unit: str = Field(default="", max_length=20)
    """单位."""
    flag: str = Field(default="", max_length=5)
    """异常标志 (H/L/N)."""


class LabReport(_RecordBase):
    """检验报告."""

    kind: Literal["lab_report"] = "lab_report"
    order_id: str | None = Field(default=None, max_length=40)
    """The lab order this report answers."""
    results: tuple[LabResult, ...] = ()
    """Results."""


class ImagingReport(_RecordBase):
    """检查报告."""

    kind: Literal["imaging_report"] = "imaging_report"
    order_id: str | None = Field(default=None, max_length=40)
    """The imaging order this report answers."""
    modality: str = Field(default="", max_length=10)
    """DICOM modality."""
    findings: str = Field(default="", max_length=4000)
    """检查所见."""
    conclusion: str = Field(default="", max_length=2000)
    """诊断意见."""


Record = Annotated[
    SurgeryRecord | FormRecord | LabReport | ImagingReport,
    Field(discriminator="kind"),
]
"""Any record; ``kind`` selects the family."""
