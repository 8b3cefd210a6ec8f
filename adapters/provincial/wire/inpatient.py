"""Inpatient stay: 2401 入院办理, 2402 出院办理, 2403 入院信息变更, 2404 入院撤销,
2405 出院撤销 (reference §3.8). Fields the reference only names are optional here."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import Field, model_validator

from .base import InboundModel, OutboundModel, WireDate, WireDateTime, wrapped

__all__ = [
    "Admission",
    "AdmissionChange",
    "AdmissionResult",
    "Discharge",
    "Input2401",
    "Input2402",
    "Input2403",
    "InputStayCancel",
    "Output2401",
    "StayCancel",
    "StayDiagnosis",
]


class _Maternity(OutboundModel):
    """Disease, operation and maternity members shared by 2401 and 2402."""

    dise_codg: str | None = Field(default=None, max_length=30)
    """病种编码, char 30."""
    dise_name: str | None = Field(default=None, max_length=300)
    """病种名称, char 300."""
    oprn_oprt_code: str | None = Field(default=None, max_length=30)
    """手术操作代码, char 30."""
    oprn_oprt_name: str | None = Field(default=None, max_length=500)
    """手术操作名称, char 500."""
    fpsc_no: str | None = Field(default=None, max_length=10)
    """计划生育服务证号, char 10."""
    matn_type: str | None = Field(default=None, max_length=6)
    """生育类别, char 6."""
    birctrl_type: str | None = Field(default=None, max_length=6)
    """计划生育手术类别, char 6."""
    latechb_flag: str | None = Field(default=None, max_length=3)
    """晚育标志, char 3."""
    geso_val: Decimal | None = Field(default=None, max_digits=2, decimal_places=0)
    """孕周数, num 2."""
    fetts: Decimal | None = Field(default=None, max_digits=3, decimal_places=0)
    """胎次, num 3."""
    fetus_cnt: Decimal | None = Field(default=None, max_digits=3, decimal_places=0)
    """胎儿数, num 3."""
    pret_flag: str | None = Field(default=None, max_length=3)
    """早产标志, char 3."""
    birctrl_matn_date: WireDate | None = None
    """计划生育手术或生育日期, date."""


class Admission(_Maternity):
    """入院登记信息 ``mdtrtinfo`` (2401)."""

    psn_no: str = Field(min_length=1, max_length=30)
    """人员编号, char 30."""
    insutype: str = Field(min_length=1, max_length=6)
    """险种类型, char 6."""
    coner_name: str | None = Field(default=None, max_length=50, repr=False)
    """联系人姓名, char 50."""
    tel: str | None = Field(default=None, max_length=50, repr=False)
    """联系电话, char 50."""
    begntime: WireDateTime
    """开始时间 (入院时间), datetime."""
    mdtrt_cert_type: str = Field(min_length=1, max_length=3)
    """就诊凭证类型, char 3."""
    mdtrt_cert_no: str = Field(min_length=1, max_length=50, repr=False)
    """就诊凭证编号, char 50."""
    med_type: str = Field(min_length=1, max_length=6)
    """医疗类别 (21 普通住院), char 6."""
    ipt_otp_no: str = Field(min_length=1, max_length=30)
    """住院号, char 30."""
    medrcdno: str | None = Field(default=None, max_length=30)
    """病历号, char 30."""
    atddr_no: str | None = Field(default=None, max_length=30)
    """主治医生编码, char 30."""
    chfpdr_name: str | None = Field(default=None, max_length=50)
    """主诊医师姓名, char 50."""
    adm_diag_dscr: str | None = Field(default=None, max_length=200)
    """入院诊断描述, char 200."""
    adm_dept_codg: str | None = Field(default=None, max_length=30)
    """入院科室编码, char 30."""
    adm_dept_name: str | None = Field(default=None, max_length=100)
    """入院科室名称, char 100."""
    adm_bed: str | None = Field(default=None, max_length=30)
    """入院床位, char 30."""
    dscg_maindiag_code: str | None = Field(default=None, max_length=30)
    """住院主诊断代码, char 30."""
    dscg_maindiag_name: str | None = Field(default=None, max_length=300)
    """住院主诊断名称, char 300."""
    main_cond_dscr: str | None = Field(default=None, max_length=1000)
    """主要病情描述, char 1000."""
    hcard_basinfo: str | None = Field(default=None, max_length=2000)
    """持卡就诊基本信息 (Guangzhou [1])."""
    hcard_chkinfo: str | None = Field(default=None, max_length=2000)
    """持卡就诊校验信息 (Guangzhou [1])."""
    clnc_flag: str | None = Field(default=None, max_length=3)
    """临床试验标志 (Guangzhou [1]), char 3."""
    er_flag: str | None = Field(default=None, max_length=3)
    """急诊标志 (Guangzhou [1]), char 3."""
    advpay: Decimal | None = Field(default=None, max_digits=16, decimal_places=2)
    """预付款 (Guangzhou [1]), num 16,2."""
    repeat_ipt_flag: str | None = Field(default=None, max_length=3)
    """重复住院标志 (Guangzhou [1]), char 3."""
    ttp_resp: str | None = Field(default=None, max_length=3)
    """第三方责任标志 (Guangzhou [1]), char 3."""
    merg_setl_flag: str | None = Field(default=None, max_length=3)
    """合并结算标志 (Guangzhou [1]), char 3."""


class StayDiagnosis(OutboundModel):
    """诊断信息 ``diseinfo[]`` (2401/2402/2403)."""

    psn_no: str | None = Field(default=None, max_length=30)
    """人员编号, char 30."""
    mdtrt_id: str | None = Field(default=None, max_length=30)
    """就诊ID (2402/2403), char 30."""
    diag_type: str = Field(min_length=1, max_length=3)
    """诊断类别 (1 西医, 2 中医主病, 3 中医主证), char 3."""
    maindiag_flag: str = Field(pattern="^[01]$")
    """主诊断标志 (1/0), char 3."""
    diag_srt_no: int = Field(ge=0, le=99)
    """诊断排序号, num 2."""
    diag_code: str = Field(min_length=1, max_length=30)
    """诊断代码, char 30."""
    diag_name: str = Field(min_length=1, max_length=300)
    """诊断名称, char 300."""
    adm_cond: str | None = Field(default=None, max_length=500)
    """入院病情, char 500."""
    diag_dept: str | None = Field(default=None, max_length=50)
    """诊断科室, char 50."""
    dise_dor_no: str | None = Field(default=None, max_length=30)
    """诊断医生编码, char 30."""
    dise_dor_name: str | None = Field(default=None, max_length=50)
    """诊断医生姓名, char 50."""
    diag_time: WireDateTime | None = None
    """诊断时间, datetime."""
    vali_flag: str = Field(default="1", max_length=3)
    """有效标志 (1 有效), char 3."""


class Input2401(OutboundModel):
    """2401 input."""

    mdtrtinfo: Admission
    """入院登记信息."""
    diseinfo: list[StayDiagnosis] = Field(default_factory=list)
    """入院诊断信息."""
    agnterinfo: dict[str, Any] | None = None
    """代办人信息 (members [U]; passed through as given)."""


class AdmissionResult(InboundModel):
    """入院结果 ``data`` (2401 output)."""

    mdtrt_id: str = Field(min_length=1)
    """就诊ID (assigned by the platform)."""
    psn_no: str | None = None
    """人员编号."""
    ipt_otp_no: str | None = None
    """住院号."""


class Output2401(InboundModel):
    """2401 output (``data`` node [U]; a root-level ``mdtrt_id`` is accepted too)."""

    data: AdmissionResult
    """入院结果."""

    @model_validator(mode="before")
    @classmethod
    def _rooted(cls, data: Any) -> Any:
        return wrapped(data, "data", when="mdtrt_id")


class Discharge(_Maternity):
    """出院信息 ``dscginfo`` (2402)."""

    mdtrt_id: str = Field(min_length=1, max_length=30)
    """就诊ID, char 30."""
    psn_no: str = Field(min_length=1, max_length=30)
    """人员编号, char 30."""
    insutype: str = Field(min_length=1, max_length=6)
    """险种类型, char 6."""
    endtime: WireDateTime
    """结束时间 (出院时间), datetime."""
    cop_flag: str | None = Field(default=None, max_length=3)
    """伴有并发症标志, char 3."""
    dscg_dept_codg: str | None = Field(default=None, max_length=30)
    """出院科室编码, char 30."""
    dscg_dept_name: str | None = Field(default=None, max_length=100)
    """出院科室名称, char 100."""
    dscg_bed: str | None = Field(default=None, max_length=30)
    """出院床位, char 30."""
    dscg_way: str | None = Field(default=None, max_length=6)
    """离院方式, char 6."""
    die_date: WireDate | None = None
    """死亡日期, date."""


class Input2402(OutboundModel):
    """2402 input."""

    dscginfo: Discharge
    """出院信息."""
    diseinfo: list[StayDiagnosis] = Field(default_factory=list)
    """出院诊断信息."""


class AdmissionChange(OutboundModel):
    """入院信息变更 ``adminfo`` (2403); members beyond the identifiers are [U]."""

    mdtrt_id: str = Field(min_length=1, max_length=30)
    """就诊ID, char 30."""
    psn_no: str = Field(min_length=1, max_length=30)
    """人员编号, char 30."""
    begntime: WireDateTime | None = None
    """开始时间, datetime."""
    med_type: str | None = Field(default=None, max_length=6)
    """医疗类别, char 6."""
    ipt_otp_no: str | None = Field(default=None, max_length=30)
    """住院号, char 30."""
    medrcdno: str | None = Field(default=None, max_length=30)
    """病历号, char 30."""
    atddr_no: str | None = Field(default=None, max_length=30)
    """主治医生编码, char 30."""
    chfpdr_name: str | None = Field(default=None, max_length=50)
    """主诊医师姓名, char 50."""
    adm_diag_dscr: str | None = Field(default=None, max_length=200)
    """入院诊断描述, char 200."""
    adm_dept_codg: str | None = Field(default=None, max_length=30)
    """入院科室编码, char 30."""
    adm_dept_name: str | None = Field(default=None, max_length=100)
    """入院科室名称, char 100."""
    adm_bed: str | None = Field(default=None, max_length=30)
    """入院床位, char 30."""
    dscg_maindiag_code: str | None = Field(default=None, max_length=30)
    """住院主诊断代码, char 30."""
    dscg_maindiag_name: str | None = Field(default=None, max_length=300)
    """住院主诊断名称, char 300."""


class Input2403(OutboundModel):
    """2403 input."""

    adminfo: AdmissionChange
    """变更信息."""
    diseinfo: list[StayDiagnosis] = Field(default_factory=list)
    """诊断信息 (if changed)."""


class StayCancel(OutboundModel):
    """入院撤销/出院撤销 ``data`` (2404/2405; node and members [U])."""

    mdtrt_id: str = Field(min_length=1, max_length=30)
    """就诊ID, char 30."""
    psn_no: str = Field(min_length=1, max_length=30)
    """人员编号, char 30."""


class InputStayCancel(OutboundModel):
    """2404/2405 input."""

    data: StayCancel
    """撤销信息."""
