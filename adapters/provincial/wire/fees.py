"""Fee details: 2204/2301 上传, 2205/2302 撤销 (reference §3.2).

A row's ``det_item_fee_sumamt`` must be ``round(pric × cnt, 2)`` (within 0.01); a refund row
in 2301 has a negative ``cnt`` and names the original row in ``init_feedetl_sn``.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Self

from pydantic import Field, model_validator

from .base import Amount, Count, InAmount, InboundModel, ListOf, OutboundModel, Price, WireDateTime

__all__ = [
    "FeeCancel",
    "FeeDetail",
    "FeeResult",
    "InpatientFeeCancel",
    "InpatientFeeDetail",
    "Input2204",
    "Input2205",
    "Input2301",
    "Input2302",
    "OutputFeeUpload",
]

_CENT = Decimal("0.01")


class _FeeRow(OutboundModel):
    """Members shared by 2204 and 2301 rows."""

    feedetl_sn: str = Field(min_length=1, max_length=30)
    """费用明细流水号 (unique within the visit), char 30."""
    init_feedetl_sn: str | None = Field(default=None, max_length=30)
    """原费用流水号: the row a refund (negative ``cnt``) reverses, char 30 ([U] in 2204)."""
    mdtrt_id: str = Field(min_length=1, max_length=30)
    """就诊ID, char 30."""
    psn_no: str = Field(min_length=1, max_length=30)
    """人员编号, char 30."""
    fee_ocur_time: WireDateTime
    """费用发生时间, datetime."""
    med_list_codg: str = Field(min_length=1, max_length=50)
    """医疗目录编码 (national code), char 50."""
    medins_list_codg: str = Field(min_length=1, max_length=150)
    """医药机构目录编码 (hospital code), char 150."""
    det_item_fee_sumamt: Amount
    """明细项目费用总额, num 16,2."""
    cnt: Count
    """数量, num 16,4."""
    pric: Price
    """单价, num 16,6."""
    bilg_dept_codg: str = Field(max_length=30)
    """开单科室编码, char 30."""
    bilg_dept_name: str = Field(max_length=100)
    """开单科室名称, char 100."""
    bilg_dr_codg: str = Field(max_length=30)
    """开单医生编码 (医保医师代码), char 30."""
    bilg_dr_name: str = Field(max_length=50)
    """开单医师姓名, char 50."""
    acord_dept_codg: str | None = Field(default=None, max_length=30)
    """受单科室编码, char 30."""
    acord_dept_name: str | None = Field(default=None, max_length=100)
    """受单科室名称, char 100."""
    orders_dr_code: str | None = Field(default=None, max_length=30)
    """受单医生编码, char 30."""
    orders_dr_name: str | None = Field(default=None, max_length=50)
    """受单医生姓名, char 50."""
    hosp_appr_flag: str = Field(min_length=1, max_length=3)
    """医院审批标志, char 3."""
    tcmdrug_used_way: str | None = Field(default=None, max_length=6)
    """中药使用方式, char 6."""
    etip_flag: str | None = Field(default=None, max_length=3)
    """外检标志, char 3."""
    etip_hosp_code: str | None = Field(default=None, max_length=30)
    """外检医院编码, char 30."""
    dscg_tkdrug_flag: str | None = Field(default=None, max_length=3)
    """出院带药标志, char 3."""
    matn_fee_flag: str | None = Field(default=None, max_length=3)
    """生育费用标志, char 3."""

    @model_validator(mode="after")
    def _amount_is_price_times_count(self) -> Self:
        expected = (self.pric * self.cnt).quantize(_CENT, rounding=ROUND_HALF_UP)
        if abs(expected - self.det_item_fee_sumamt) > _CENT:
            raise ValueError(
                f"det_item_fee_sumamt {self.det_item_fee_sumamt} != round(pric × cnt, 2) "
                f"= {expected}"
            )
        if self.init_feedetl_sn is not None and self.cnt >= 0:
            raise ValueError("init_feedetl_sn is only allowed on a refund row (negative cnt)")
        return self


class FeeDetail(_FeeRow):
    """门诊费用明细 ``feedetail[]`` (2204)."""

    chrg_bchno: str = Field(min_length=1, max_length=30)
    """收费批次号 (all rows of one batch carry the same disease code), char 30."""
    dise_codg: str | None = Field(default=None, max_length=30)
    """病种编码 (按病种 or 门诊慢特病), char 30."""
    rxno: str | None = Field(default=None, max_length=30)
    """处方号 (links the row to its prescription/order), char 30."""
    rx_circ_flag: str = Field(default="0", max_length=3)
    """外购处方标志 (0 no), char 3."""
    sin_dos_dscr: str | None = Field(default=None, max_length=200)
    """单次剂量描述, char 200."""
    used_frqu_dscr: str | None = Field(default=None, max_length=200)
    """使用频次描述, char 200."""
    prd_days: Decimal | None = Field(default=None, max_digits=4, decimal_places=2)
    """周期天数, num 4,2."""
    medc_way_dscr: str | None = Field(default=None, max_length=200)
    """用药途径描述, char 200."""


class Input2204(OutboundModel):
    """2204 input."""

    feedetail: list[FeeDetail] = Field(min_length=1)
    """费用明细 (array)."""


class InpatientFeeDetail(_FeeRow):
    """住院费用明细 ``feedetail[]`` (2301); extra fields seen in Guangzhou [1]."""

    drord_no: str | None = Field(default=None, max_length=30)
    """医嘱号, char 30."""
    med_type: str | None = Field(default=None, max_length=6)
    """医疗类别, char 6."""
    medins_list_name: str | None = Field(default=None, max_length=200)
    """医药机构目录名称, char 200."""
    frqu_dscr: str | None = Field(default=None, max_length=30)
    """使用频次描述, char 30."""
    sin_dos: Decimal | None = Field(default=None, max_digits=16, decimal_places=4)
    """单次剂量, num 16,4."""
    sin_dosunt: str | None = Field(default=None, max_length=20)
    """单次剂量单位, char 20."""
    used_days: Decimal | None = Field(default=None, max_digits=4, decimal_places=2)
    """使用天数, num 4,2."""
    dismed_amt: Decimal | None = Field(default=None, max_digits=16, decimal_places=4)
    """发药总量, num 16,4."""
    dismed_unt: str | None = Field(default=None, max_length=20)
    """发药单位, char 20."""
    unchk_flag: str | None = Field(default=None, max_length=3)
    """不核查标志, char 3."""
    unchk_memo: str | None = Field(default=None, max_length=200)
    """不核查原因, char 200."""
    memo: str | None = Field(default=None, max_length=500)
    """备注, char 500."""


class Input2301(OutboundModel):
    """2301 input."""

    feedetail: list[InpatientFeeDetail] = Field(min_length=1)
    """费用明细 (array)."""


class FeeResult(InboundModel):
    """费用明细上传结果 ``result[]`` (2204/2301): the platform's view of one row."""

    feedetl_sn: str = Field(min_length=1)
    """费用明细流水号."""
    det_item_fee_sumamt: InAmount = None
    """明细项目费用总额, num 16,2."""
    cnt: InAmount = None
    """数量, num 16,4."""
    pric: InAmount = None
    """单价, num 16,6."""
    pric_uplmt_amt: InAmount = None
    """定价上限金额, num 16,6."""
    selfpay_prop: InAmount = None
    """自付比例, num 5,4."""
    fulamt_ownpay_amt: InAmount = None
    """全自费金额, num 16,2."""
    overlmt_amt: InAmount = None
    """超限价金额, num 16,2."""
    preselfpay_amt: InAmount = None
    """先行自付金额, num 16,2."""
    inscp_scp_amt: InAmount = None
    """符合政策范围金额, num 16,2."""
    chrgitm_lv: str | None = None
    """收费项目等级 (01 甲类, 02 乙类, 03 丙类), char 3."""
    med_chrgitm_type: str | None = None
    """医疗收费项目类别, char 6."""
    bas_medn_flag: str | None = None
    """基本药物标志, char 3."""
    hi_nego_drug_flag: str | None = None
    """医保谈判药品标志, char 3."""
    chld_medc_flag: str | None = None
    """儿童用药标志, char 3."""
    list_sp_item_flag: str | None = None
    """目录特项标志, char 3."""
    lmt_used_flag: str | None = None
    """限制使用标志, char 3."""
    drt_reim_flag: str | None = None
    """直报标志, char 3."""
    memo: str | None = None
    """备注 (split error text), char 500."""


class OutputFeeUpload(InboundModel):
    """2204/2301 output."""

    result: ListOf[FeeResult] = Field(default_factory=list)
    """明细结果 (array; a single object is accepted)."""


class FeeCancel(OutboundModel):
    """门诊费用明细撤销 ``data`` (2205)."""

    mdtrt_id: str = Field(min_length=1, max_length=30)
    """就诊ID, char 30."""
    chrg_bchno: str = Field(min_length=1, max_length=30)
    """收费批次号; ``"0000"`` deletes **all** unsettled rows [1], char 30."""
    psn_no: str = Field(min_length=1, max_length=30)
    """人员编号, char 30."""


class Input2205(OutboundModel):
    """2205 input."""

    data: FeeCancel
    """撤销信息."""


class InpatientFeeCancel(OutboundModel):
    """住院费用明细撤销 ``data[]`` row (2302)."""

    feedetl_sn: str = Field(min_length=1, max_length=30)
    """费用明细流水号; ``"0000"`` deletes **all** rows of the visit [1], char 30."""
    mdtrt_id: str = Field(min_length=1, max_length=30)
    """就诊ID, char 30."""
    psn_no: str = Field(min_length=1, max_length=30)
    """人员编号, char 30."""


class Input2302(OutboundModel):
    """2302 input."""

    data: list[InpatientFeeCancel] = Field(min_length=1)
    """撤销信息 (array)."""
