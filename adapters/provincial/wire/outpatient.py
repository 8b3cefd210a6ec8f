"""Outpatient visit: 2201 门诊挂号, 2202 挂号撤销, 2203/2203A 就诊信息上传 (reference §3.8)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import Field, model_validator

from .base import InboundModel, OutboundModel, WireDate, WireDateTime, wrapped

__all__ = [
    "Input2201",
    "Input2202",
    "Input2203",
    "Output2201",
    "Registration",
    "RegistrationCancel",
    "RegistrationResult",
    "VisitDiagnosis",
    "VisitInfo",
]


class Registration(OutboundModel):
    """门诊挂号 ``data`` (2201)."""

    psn_no: str = Field(min_length=1, max_length=30)
    """人员编号, char 30."""
    insutype: str = Field(min_length=1, max_length=6)
    """险种类型 (310, 390, …), char 6."""
    begntime: WireDateTime
    """开始时间 (挂号时间), datetime."""
    mdtrt_cert_type: str = Field(min_length=1, max_length=3)
    """就诊凭证类型, char 3."""
    mdtrt_cert_no: str = Field(min_length=1, max_length=50, repr=False)
    """就诊凭证编号, char 50."""
    ipt_otp_no: str = Field(min_length=1, max_length=30)
    """住院/门诊号 (unique in the hospital), char 30."""
    atddr_no: str = Field(max_length=30)
    """医师编码 (医保医师代码), char 30."""
    dr_name: str = Field(max_length=50)
    """医师姓名, char 50."""
    dept_code: str = Field(max_length=30)
    """科室编码, char 30."""
    dept_name: str = Field(max_length=100)
    """科室名称, char 100."""
    caty: str = Field(max_length=10)
    """科别, char 10."""


class Input2201(OutboundModel):
    """2201 input."""

    data: Registration
    """挂号信息."""


class RegistrationResult(InboundModel):
    """挂号结果 ``data`` (2201 output)."""

    mdtrt_id: str = Field(min_length=1)
    """就诊ID (assigned by the platform), char 30."""
    psn_no: str | None = None
    """人员编号."""
    ipt_otp_no: str | None = None
    """住院/门诊号."""


class Output2201(InboundModel):
    """2201 output (``data`` node; a root-level ``mdtrt_id`` is accepted too)."""

    data: RegistrationResult
    """挂号结果."""

    @model_validator(mode="before")
    @classmethod
    def _rooted(cls, data: Any) -> Any:
        return wrapped(data, "data", when="mdtrt_id")


class RegistrationCancel(OutboundModel):
    """门诊挂号撤销 ``data`` (2202)."""

    psn_no: str = Field(min_length=1, max_length=30)
    """人员编号, char 30."""
    mdtrt_id: str = Field(min_length=1, max_length=30)
    """就诊ID, char 30."""
    ipt_otp_no: str = Field(min_length=1, max_length=30)
    """住院/门诊号, char 30."""


class Input2202(OutboundModel):
    """2202 input."""

    data: RegistrationCancel
    """撤销信息."""


class VisitInfo(OutboundModel):
    """就诊信息 ``mdtrtinfo`` (2203/2203A)."""

    mdtrt_id: str = Field(min_length=1, max_length=30)
    """就诊ID, char 30."""
    psn_no: str = Field(min_length=1, max_length=30)
    """人员编号, char 30."""
    med_type: str = Field(min_length=1, max_length=6)
    """医疗类别 (11 普通门诊, 14 门诊慢特病, …), char 6."""
    begntime: WireDateTime
    """开始时间, datetime."""
    main_cond_dscr: str | None = Field(default=None, max_length=1000)
    """主要病情描述, char 1000."""
    dise_codg: str | None = Field(default=None, max_length=30)
    """病种编码 (按病种/门诊慢特病), char 30."""
    dise_name: str | None = Field(default=None, max_length=300)
    """病种名称, char 300."""
    birctrl_type: str | None = Field(default=None, max_length=6)
    """计划生育手术类别, char 6."""
    birctrl_matn_date: WireDate | None = None
    """计划生育手术或生育日期, date."""
    matn_type: str | None = Field(default=None, max_length=6)
    """生育类别, char 6."""
    geso_val: Decimal | None = Field(default=None, max_digits=2, decimal_places=0)
    """孕周数, num 2."""


class VisitDiagnosis(OutboundModel):
    """诊断信息 ``diseinfo[]`` (2203/2203A)."""

    diag_type: str = Field(min_length=1, max_length=3)
    """诊断类别 (1 西医, 2 中医主病, 3 中医主证), char 3."""
    diag_srt_no: int = Field(ge=0, le=99)
    """诊断排序号, num 2."""
    diag_code: str = Field(min_length=1, max_length=30)
    """诊断代码, char 30."""
    diag_name: str = Field(min_length=1, max_length=300)
    """诊断名称, char 300."""
    diag_dept: str = Field(max_length=50)
    """诊断科室, char 50."""
    dise_dor_no: str = Field(max_length=30)
    """诊断医生编码, char 30."""
    dise_dor_name: str = Field(max_length=50)
    """诊断医生姓名, char 50."""
    diag_time: WireDateTime
    """诊断时间, datetime."""
    vali_flag: str = Field(default="1", max_length=3)
    """有效标志 (1 有效), char 3."""


class Input2203(OutboundModel):
    """2203 and 2203A input (their difference is [U]; 2203A callers may add ``expContent``)."""

    mdtrtinfo: VisitInfo
    """就诊信息."""
    diseinfo: list[VisitDiagnosis] = Field(default_factory=list)
    """诊断信息."""
    exp_content: dict[str, Any] | None = Field(default=None, alias="expContent")
    """扩展内容 [U]."""
