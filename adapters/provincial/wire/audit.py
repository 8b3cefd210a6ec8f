"""Rule-check requests: 3101 事前 / 3102 事中 分析 (reference §3.5).

Member lengths inside the DTO trees are not in the reference ([U]) and are not enforced;
``syscode`` (char 10) is. Results and feedback are in :mod:`.audit_result`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import Field

from .base import OutboundModel, WireDate, WireDateTime

__all__ = [
    "DiagnoseDto",
    "EncounterDto",
    "InputRuleCheck",
    "OperationDto",
    "OrderDto",
    "PatientDto",
    "RuleCheck",
]


class DiagnoseDto(OutboundModel):
    """诊断 ``fsi_diagnose_dtos[]``."""

    dise_id: str = Field(min_length=1)
    """诊断标识 (unique in the request)."""
    inout_dise_type: str = "1"
    """出入院诊断类别 (1 入院, 2 出院)."""
    maindise_flag: str = Field(pattern="^[01]$")
    """主诊断标志 (1/0)."""
    dias_srt_no: int = Field(ge=0)
    """诊断排序号."""
    dise_codg: str = Field(min_length=1)
    """诊断代码."""
    dise_name: str = ""
    """诊断名称."""
    dise_date: WireDateTime
    """诊断日期 (Chongqing sends a date; read either way)."""


class OrderDto(OutboundModel):
    """处方/医嘱 ``fsi_order_dtos[]``."""

    rx_id: str = Field(min_length=1)
    """处方(医嘱)标识: results point back at it (``judge_result_detail_dtos.rx_id``)."""
    rxno: str | None = None
    """处方号."""
    grpno: str | None = None
    """组编号."""
    long_drord_flag: str | None = None
    """长期医嘱标志 (1/0)."""
    hilist_type: str | None = None
    """目录类别 (101 西药中成药, 102 中药饮片, 201 医疗服务, 301 医用耗材)."""
    chrg_type: str | None = None
    """收费类别 (med_chrgitm_type)."""
    drord_bhvr: str | None = None
    """医嘱行为."""
    hilist_code: str | None = None
    """医保目录代码."""
    hilist_name: str | None = None
    """医保目录名称."""
    hilist_dosform: str | None = None
    """医保目录剂型."""
    hilist_lv: str | None = None
    """医保目录等级."""
    hilist_pric: Decimal | None = None
    """医保目录价格, num 16,6."""
    lv1_hosp_item_pric: Decimal | None = None
    """一级医院目录价格."""
    lv2_hosp_item_pric: Decimal | None = None
    """二级医院目录价格."""
    lv3_hosp_item_pric: Decimal | None = None
    """三级医院目录价格."""
    hilist_memo: str | None = None
    """医保目录备注."""
    hosplist_code: str | None = None
    """医院目录代码."""
    hosplist_name: str | None = None
    """医院目录名称."""
    hosplist_dosform: str | None = None
    """医院目录剂型."""
    cnt: Decimal | None = None
    """数量, num 16,4."""
    pric: Decimal | None = None
    """单价, num 16,6."""
    sumamt: Decimal | None = None
    """总费用, num 16,2."""
    ownpay_amt: Decimal | None = None
    """自费金额."""
    selfpay_amt: Decimal | None = None
    """自付金额."""
    spec: str | None = None
    """规格."""
    spec_unt: str | None = None
    """数量单位."""
    drord_begn_date: WireDateTime | None = None
    """医嘱开始日期."""
    drord_stop_date: WireDateTime | None = None
    """医嘱停止日期."""
    drord_dept_codg: str | None = None
    """下达医嘱的科室标识."""
    drord_dept_name: str | None = None
    """下达医嘱科室名称."""
    drord_dr_codg: str | None = None
    """开处方(医嘱)医生标识."""
    drord_dr_name: str | None = None
    """开处方(医嘱)医生姓名."""
    drord_dr_profttl: str | None = None
    """开处方(医嘱)医职称."""
    curr_drord_flag: str = Field(default="1", pattern="^[01]$")
    """是否当前处方(医嘱) (1 yes: the item being checked now, 0 history)."""


class OperationDto(OutboundModel):
    """手术操作 ``fsi_operation_dtos[]``."""

    setl_list_oprn_id: str = Field(min_length=1)
    """手术操作ID."""
    oprn_code: str = Field(min_length=1)
    """手术操作代码 (ICD-9-CM-3 医保版)."""
    oprn_name: str = ""
    """手术操作名称."""
    main_oprn_flag: str = Field(pattern="^[01]$")
    """主手术操作标志 (1/0)."""
    oprn_date: WireDateTime | None = None
    """手术操作日期."""
    anst_way: str | None = None
    """麻醉方式."""
    oper_dr_name: str | None = None
    """术者医师姓名."""
    oper_dr_code: str | None = None
    """术者医师代码."""
    anst_dr_name: str | None = None
    """麻醉医师姓名."""
    anst_dr_code: str | None = None
    """麻醉医师代码."""


class EncounterDto(OutboundModel):
    """就诊 ``fsi_encounter_dtos[]``."""

    mdtrt_id: str = Field(min_length=1)
    """就诊标识."""
    medins_id: str = Field(min_length=1)
    """医疗服务机构标识 (fixmedins_code)."""
    medins_name: str = ""
    """医疗机构名称."""
    medins_admdvs: str | None = None
    """医疗机构行政区划编码."""
    medins_type: str | None = None
    """医疗服务机构类型."""
    medins_lv: str | None = None
    """医疗机构等级."""
    wardarea_codg: str | None = None
    """病区标识."""
    wardno: str | None = None
    """病房号."""
    bedno: str | None = None
    """病床号."""
    adm_date: WireDateTime
    """入院日期."""
    dscg_date: WireDateTime | None = None
    """出院日期."""
    dscg_main_dise_codg: str | None = None
    """主诊断编码."""
    dscg_main_dise_name: str | None = None
    """主诊断名称."""
    dr_codg: str | None = None
    """医师标识."""
    adm_dept_codg: str | None = None
    """入院科室标识."""
    adm_dept_name: str | None = None
    """入院科室名称."""
    dscg_dept_codg: str | None = None
    """出院科室标识."""
    dscg_dept_name: str | None = None
    """出院科室名称."""
    med_mdtrt_type: str = Field(min_length=1)
    """就诊类型 (1 门诊, 2 住院, 3 购药, 4 其他)."""
    med_type: str | None = None
    """医疗类别."""
    matn_stas: str | None = None
    """生育状态."""
    medfee_sumamt: Decimal | None = None
    """总费用, num 16,2."""
    ownpay_amt: Decimal | None = None
    """自费金额."""
    selfpay_amt: Decimal | None = None
    """自付金额."""
    acct_payamt: Decimal | None = None
    """个人账户支付金额."""
    ma_amt: Decimal | None = None
    """救助金支付金额."""
    hifp_payamt: Decimal | None = None
    """统筹金支付金额."""
    setl_totlnum: int | None = None
    """结算总次数."""
    insutype: str | None = None
    """险种类型."""
    reim_flag: str | None = None
    """报销标志."""
    out_setl_flag: str | None = None
    """异地结算标志 (2 本地, 3 省内异地, 4 跨省 per one comment)."""
    fsi_diagnose_dtos: list[DiagnoseDto] = Field(default_factory=list)
    """诊断信息."""
    fsi_order_dtos: list[OrderDto] = Field(default_factory=list)
    """处方(医嘱)信息."""
    fsi_operation_dtos: list[OperationDto] = Field(default_factory=list)
    """手术操作信息."""


class PatientDto(OutboundModel):
    """参保人 ``patient_dtos[]``."""

    patn_id: str = Field(min_length=1)
    """参保人标识 (psn_no)."""
    patn_name: str = Field(default="", repr=False)
    """姓名."""
    gend: str = ""
    """性别."""
    brdy: WireDate | None = None
    """出生日期, yyyy-MM-dd."""
    poolarea: str | None = None
    """统筹区编码 (the insured's pooling area)."""
    curr_mdtrt_id: str = Field(min_length=1)
    """当前就诊标识."""
    fsi_his_data_dto: dict[str, Any] | None = None
    """历史就诊数据 (members [U]; passed through)."""
    fsi_encounter_dtos: list[EncounterDto] = Field(min_length=1)
    """就诊信息."""


class RuleCheck(OutboundModel):
    """明细审核 ``data`` (3101/3102)."""

    syscode: str = Field(min_length=1, max_length=10)
    """调用方系统标识, char 10."""
    rule_ids: list[str] | None = None
    """规则标识集合 (optional; prefer ``trig_scen``; shape [U])."""
    task_id: str = Field(min_length=1, max_length=40)
    """任务ID (unique per request), char 40."""
    trig_scen: str = Field(pattern="^([1-9]|10)$")
    """触发场景 (1–5 事前 for 3101, 6–10 事中 for 3102)."""
    patient_dtos: list[PatientDto] = Field(min_length=1)
    """参保人信息."""


class InputRuleCheck(OutboundModel):
    """3101/3102 input."""

    data: RuleCheck
    """审核请求."""
