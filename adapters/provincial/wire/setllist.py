"""4101A 医疗保障基金结算清单信息上传（新） (reference §3.7).

Money, insurance and person fields are filled by the platform from ``setl_id``; 4101A has no
``payinfo``/``iteminfo``. Diagnoses use ICD-10 医保版 (1307), operations ICD-9-CM-3 医保版
(1308). Whether ``adm_time``/``dscg_time`` carry a time of day is [U]: dates are sent.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import Field, model_validator

from .base import InboundModel, OutboundModel, WireDate, WireDateTime, lifted

__all__ = [
    "BloodInfo",
    "IcuInfo",
    "Input4101A",
    "ListDiagnosis",
    "ListOperation",
    "OutpatientSpecialDiagnosis",
    "Output4101A",
    "SettlementListInfo",
]


class _SettlementListPerson(OutboundModel):
    """Person, contact and newborn members of the 4101A ``setlinfo``."""

    ntly: str | None = Field(default=None, max_length=3)
    """国籍, char 3."""
    prfs: str | None = Field(default=None, max_length=6)
    """职业, char 6."""
    curr_addr: str | None = Field(default=None, max_length=200, repr=False)
    """现住址, char 200."""
    emp_name: str | None = Field(default=None, max_length=200)
    """单位名称, char 200."""
    emp_addr: str | None = Field(default=None, max_length=200)
    """单位地址, char 200."""
    emp_tel: str | None = Field(default=None, max_length=50)
    """单位电话, char 50."""
    poscode: str | None = Field(default=None, max_length=6)
    """邮编, char 6."""
    coner_name: str | None = Field(default=None, max_length=50, repr=False)
    """联系人姓名, char 50."""
    patn_rlts: str | None = Field(default=None, max_length=6)
    """与患者关系, char 6."""
    coner_addr: str | None = Field(default=None, max_length=200, repr=False)
    """联系人地址, char 200."""
    coner_tel: str | None = Field(default=None, max_length=50, repr=False)
    """联系人电话, char 50."""
    nwb_adm_type: str | None = Field(default=None, max_length=6)
    """新生儿入院类型, char 6."""
    nwb_bir_wt: Decimal | None = Field(default=None, max_digits=6, decimal_places=2)
    """新生儿出生体重 (g), num 6,2."""
    nwb_adm_wt: Decimal | None = Field(default=None, max_digits=6, decimal_places=2)
    """新生儿入院体重 (g), num 6,2."""
    mul_nwb_bir_wt: str | None = Field(default=None, max_length=100)
    """多新生儿出生体重, char 100."""
    mul_nwb_adm_wt: str | None = Field(default=None, max_length=100)
    """多新生儿入院体重, char 100."""


class SettlementListInfo(_SettlementListPerson):
    """结算清单信息 ``setlinfo`` (4101A)."""

    psn_no: str = Field(min_length=1, max_length=30)
    """人员编号, char 30."""
    mdtrt_id: str = Field(min_length=1, max_length=30)
    """就诊ID, char 30."""
    setl_id: str = Field(min_length=1, max_length=30)
    """结算ID, char 30."""
    hi_no: str | None = Field(default=None, max_length=30)
    """医保编号, char 30."""
    medcasno: str = Field(min_length=1, max_length=40)
    """病案号 (required), char 40."""
    dcla_time: WireDate | None = None
    """申报时间."""
    opsp_diag_caty: str | None = Field(default=None, max_length=30)
    """门诊慢特病诊断科别, char 30."""
    opsp_mdtrt_date: WireDate | None = None
    """门诊慢特病就诊日期."""
    adm_way: str | None = Field(default=None, max_length=6)
    """入院途径, char 6."""
    trt_type: str | None = Field(default=None, max_length=6)
    """治疗类别, char 6."""
    adm_time: WireDate | None = None
    """入院时间."""
    refldept_dept: str | None = Field(default=None, max_length=100)
    """转科科别, char 100."""
    dscg_time: WireDate | None = None
    """出院时间."""
    dscg_caty: str | None = Field(default=None, max_length=30)
    """出院科别, char 30."""
    otp_wm_dise: str | None = Field(default=None, max_length=300)
    """门(急)诊西医诊断, char 300."""
    wm_dise_code: str | None = Field(default=None, max_length=30)
    """西医诊断疾病代码, char 30."""
    otp_tcm_dise: str | None = Field(default=None, max_length=300)
    """门(急)诊中医诊断, char 300."""
    tcm_dise_code: str | None = Field(default=None, max_length=30)
    """中医诊断代码, char 30."""
    vent_used_dura: str | None = Field(default=None, max_length=20)
    """呼吸机使用时长 (days/hours/minutes), char 20."""
    pwcry_bfadm_coma_dura: str | None = Field(default=None, max_length=20)
    """颅脑损伤患者入院前昏迷时长, char 20."""
    pwcry_afadm_coma_dura: str | None = Field(default=None, max_length=20)
    """颅脑损伤患者入院后昏迷时长, char 20."""
    spga_nurscare_days: int | None = Field(default=None, ge=0)
    """特级护理天数."""
    lv1_nurscare_days: int | None = Field(default=None, ge=0)
    """一级护理天数."""
    scd_nurscare_days: int | None = Field(default=None, ge=0)
    """二级护理天数."""
    lv3_nurscare_days: int | None = Field(default=None, ge=0)
    """三级护理天数."""
    dscg_way: str | None = Field(default=None, max_length=6)
    """离院方式, char 6."""
    acp_medins_name: str | None = Field(default=None, max_length=200)
    """拟接收机构名称, char 200."""
    acp_optins_code: str | None = Field(default=None, max_length=30)
    """拟接收机构代码, char 30."""
    bill_code: str | None = Field(default=None, max_length=20)
    """票据代码, char 20."""
    bill_no: str | None = Field(default=None, max_length=20)
    """票据号码, char 20."""
    biz_sn: str | None = Field(default=None, max_length=50)
    """业务流水号, char 50."""
    days_rinp_flag_31: str | None = Field(default=None, max_length=3)
    """出院31天内再住院计划标志, char 3."""
    days_rinp_pup_31: str | None = Field(default=None, max_length=500)
    """出院31天内再住院目的, char 500."""
    chfpdr_code: str | None = Field(default=None, max_length=30)
    """主诊医师代码, char 30."""
    chfpdr_name: str | None = Field(default=None, max_length=50)
    """主诊医师姓名 (Guangzhou), char 50."""
    resp_nurs_code: str | None = Field(default=None, max_length=30)
    """责任护士代码, char 30."""
    setl_begn_date: WireDate | None = None
    """结算开始日期."""
    setl_end_date: WireDate | None = None
    """结算结束日期."""
    medins_fill_dept: str | None = Field(default=None, max_length=100)
    """医疗机构填报部门, char 100."""
    medins_fill_psn: str | None = Field(default=None, max_length=50)
    """医疗机构填报人, char 50."""
    stas_type: str | None = Field(default=None, max_length=6)
    """状态类型, char 6."""
    hi_paymtd: str | None = Field(default=None, max_length=6)
    """医保支付方式, char 6."""


class OutpatientSpecialDiagnosis(OutboundModel):
    """门诊慢特病诊断 ``opspdiseinfo[]``."""

    diag_name: str = Field(min_length=1, max_length=100)
    """诊断名称, char 100."""
    diag_code: str = Field(min_length=1, max_length=20)
    """诊断代码, char 20."""
    oprn_oprt_name: str | None = Field(default=None, max_length=500)
    """手术操作名称, char 500."""
    oprn_oprt_code: str | None = Field(default=None, max_length=30)
    """手术操作代码, char 30."""


class ListDiagnosis(OutboundModel):
    """住院诊断 ``diseinfo[]`` (4101A)."""

    diag_type: str = Field(min_length=1, max_length=3)
    """诊断类别 (regional coding, e.g. 1 西医主诊断 / 2 西医其他 [1]), char 3."""
    diag_code: str = Field(min_length=1, max_length=20)
    """诊断代码 (ICD-10 医保版), char 20."""
    diag_name: str = Field(min_length=1, max_length=100)
    """诊断名称, char 100."""
    adm_cond_type: str | None = Field(default=None, max_length=3)
    """入院病情类型 (dictionary [U]), char 3."""
    maindiag_flag: str = Field(pattern="^[01]$")
    """主诊断标志 (1/0), char 3."""


class ListOperation(OutboundModel):
    """手术操作 ``oprninfo[]`` (4101A)."""

    oprn_oprt_type: str = Field(min_length=1, max_length=3)
    """手术操作类别 (dictionary [U]), char 3."""
    oprn_oprt_name: str = Field(min_length=1, max_length=500)
    """手术操作名称, char 500."""
    oprn_oprt_code: str = Field(min_length=1, max_length=30)
    """手术操作代码 (ICD-9-CM-3 医保版), char 30."""
    anst_way: str | None = Field(default=None, max_length=6)
    """麻醉方式, char 6."""
    oper_dr_code: str | None = Field(default=None, max_length=30)
    """术者医师代码, char 30."""
    anst_dr_code: str | None = Field(default=None, max_length=30)
    """麻醉医师代码, char 30."""
    oprn_oprt_begntime: WireDateTime
    """手术操作开始时间."""
    oprn_oprt_endtime: WireDateTime | None = None
    """手术操作结束时间."""
    anst_begntime: WireDateTime | None = None
    """麻醉开始时间."""
    anst_endtime: WireDateTime | None = None
    """麻醉结束时间."""


class IcuInfo(OutboundModel):
    """重症监护 ``icuinfo[]``."""

    scs_cutd_ward_type: str = Field(min_length=1, max_length=6)
    """重症监护病房类型, char 6."""
    scs_cutd_inpool_time: WireDateTime
    """进重症监护室时间."""
    scs_cutd_exit_time: WireDateTime
    """出重症监护室时间."""
    scs_cutd_sum_dura: str = Field(pattern=r"^\d+/\d+/\d+$")
    """重症监护合计时长 (days/hours/minutes, e.g. ``1/13/24``)."""


class BloodInfo(OutboundModel):
    """输血 ``bldinfo[]``."""

    bld_cat: str = Field(min_length=1, max_length=6)
    """输血品种, char 6."""
    bld_amt: Decimal = Field(max_digits=16, decimal_places=2)
    """输血量, num 16,2."""
    bld_unt: str = Field(min_length=1, max_length=6)
    """输血计量单位, char 6."""


class Input4101A(OutboundModel):
    """4101A input."""

    setlinfo: SettlementListInfo
    """结算清单信息."""
    opspdiseinfo: list[OutpatientSpecialDiagnosis] = Field(default_factory=list)
    """门诊慢特病诊断信息."""
    diseinfo: list[ListDiagnosis] = Field(default_factory=list)
    """住院诊断信息."""
    oprninfo: list[ListOperation] = Field(default_factory=list)
    """手术操作信息."""
    icuinfo: list[IcuInfo] = Field(default_factory=list)
    """重症监护信息."""
    bldinfo: list[BloodInfo] = Field(default_factory=list)
    """输血信息."""


class Output4101A(InboundModel):
    """4101A output: ``setl_list_id`` at the root (Guangzhou) or under ``data`` (hsa-his)."""

    setl_list_id: str = Field(min_length=1)
    """清单流水号."""

    @model_validator(mode="before")
    @classmethod
    def _from_data(cls, data: Any) -> Any:
        return lifted(data, "data", unless="setl_list_id")
