"""Settlement: 2206/2207 门诊(预)结算, 2303/2304 住院(预)结算, 2208/2305 撤销, 2601 冲正,
5203 结算信息查询 (reference §3.3, §3.4).

2207/2304 are money-moving (``reverse``): never resent; an unknown outcome is reversed with
2601 (``omsgid`` = the original msgid, which the platform also echoes as
``setlinfo.medins_setl_id``) or confirmed with 5203.
"""

from __future__ import annotations

from pydantic import Field

from .base import (
    Amount,
    InAmount,
    InboundModel,
    InDate,
    InDateTime,
    ListOf,
    OutboundModel,
    WireDateTime,
)

__all__ = [
    "InpatientSettle",
    "InputInpatientSettle",
    "InputOutpatientSettle",
    "InputReversal",
    "InputSettleCancel",
    "InputSettlementQuery",
    "OutpatientSettle",
    "Output5203",
    "OutputSettlement",
    "Reversal",
    "SetlDetail",
    "SetlInfo",
    "SettleCancel",
    "SettlementQuery",
    "SettlementRecord",
]


class _SettleCommon(OutboundModel):
    """Members shared by outpatient and inpatient (pre-)settlement ``data``."""

    psn_no: str = Field(min_length=1, max_length=30)
    """人员编号, char 30."""
    mdtrt_cert_type: str = Field(min_length=1, max_length=3)
    """就诊凭证类型, char 3."""
    mdtrt_cert_no: str = Field(min_length=1, max_length=50, repr=False)
    """就诊凭证编号, char 50."""
    medfee_sumamt: Amount
    """医疗费总额 (must equal the sum of the uploaded rows), num 16,2."""
    psn_setlway: str = Field(min_length=1, max_length=6)
    """个人结算方式 (01 按项目 [U]), char 6."""
    mdtrt_id: str = Field(min_length=1, max_length=30)
    """就诊ID, char 30."""
    insutype: str | None = Field(default=None, max_length=6)
    """险种类型, char 6."""
    acct_used_flag: str = Field(pattern="^[01]$")
    """个人账户使用标志 (0/1), char 3."""
    invono: str | None = Field(default=None, max_length=20)
    """发票号, char 20."""
    fulamt_ownpay_amt: Amount | None = None
    """全自费金额 (结算 only, from the pre-settlement), num 16,2."""
    overlmt_selfpay: Amount | None = None
    """超限价自费费用 (结算 only), num 16,2."""
    preselfpay_amt: Amount | None = None
    """先行自付金额 (结算 only), num 16,2."""
    inscp_scp_amt: Amount | None = None
    """符合政策范围金额 (结算 only), num 16,2."""


class OutpatientSettle(_SettleCommon):
    """门诊(预)结算 ``data`` (2206/2207; Guangzhou names the node ``mdtrtinfo``)."""

    med_type: str = Field(min_length=1, max_length=6)
    """医疗类别, char 6."""
    chrg_bchno: str = Field(min_length=1, max_length=30)
    """收费批次号, char 30."""
    mdtrt_mode: str | None = Field(default=None, max_length=6)
    """就诊方式 (Guangdong [1]), char 6."""
    mid_setl_flag: str | None = Field(default=None, pattern="^[01]$")
    """中途结算标志 (Guangdong [1]), char 3."""
    order_no: str | None = Field(default=None, max_length=40)
    """订单号 (Guangdong [1]), char 40."""
    hcard_basinfo: str | None = Field(default=None, max_length=2000)
    """持卡就诊基本信息 (Guangdong [1])."""
    hcard_chkinfo: str | None = Field(default=None, max_length=2000)
    """持卡就诊校验信息 (Guangdong [1])."""


class InputOutpatientSettle(OutboundModel):
    """2206/2206A/2207/2207A input."""

    data: OutpatientSettle
    """结算信息."""


class InpatientSettle(_SettleCommon):
    """住院(预)结算 ``data`` (2303/2304)."""

    mid_setl_flag: str = Field(pattern="^[01]$")
    """中途结算标志 (0/1), char 3."""
    dscg_time: WireDateTime | None = Field(default=None, alias="dscgTime")
    """出院时间 (Chongqing 2303 [1])."""


class InputInpatientSettle(OutboundModel):
    """2303/2304 input."""

    data: InpatientSettle
    """结算信息."""


class SettleCancel(OutboundModel):
    """结算撤销 ``data`` (2208/2305). Whether the answer's ``setl_id`` is new is [U]."""

    setl_id: str = Field(min_length=1, max_length=30)
    """结算ID of the settlement to cancel, char 30."""
    mdtrt_id: str = Field(min_length=1, max_length=30)
    """就诊ID, char 30."""
    psn_no: str = Field(min_length=1, max_length=30)
    """人员编号, char 30."""


class InputSettleCancel(OutboundModel):
    """2208/2305 input."""

    data: SettleCancel
    """撤销信息."""


class Reversal(OutboundModel):
    """冲正 ``data`` (2601). The reply has no output: ``infcode`` 0 is the success."""

    psn_no: str = Field(min_length=1, max_length=30)
    """人员编号, char 30."""
    omsgid: str = Field(min_length=1, max_length=30)
    """原发送方报文ID: the msgid of the request being reversed, char 30."""
    oinfno: str = Field(min_length=4, max_length=6)
    """原交易编号 (2207, 2304, …), char 4 (6 for lettered codes)."""


class InputReversal(OutboundModel):
    """2601 input."""

    data: Reversal
    """冲正信息."""


class SettlementQuery(OutboundModel):
    """结算信息查询 ``data`` (5203).

    ``setl_id`` is optional: a settlement whose outcome is unknown has none yet, so it is
    asked by visit (``psn_no`` + ``mdtrt_id``) and matched on ``medins_setl_id`` (our msgid).
    """

    psn_no: str = Field(min_length=1, max_length=30)
    """人员编号, char 30."""
    setl_id: str | None = Field(default=None, max_length=30)
    """结算ID, char 30, when known."""
    mdtrt_id: str = Field(min_length=1, max_length=30)
    """就诊ID, char 30."""


class InputSettlementQuery(OutboundModel):
    """5203 input."""

    data: SettlementQuery
    """查询条件."""


class SetlInfo(InboundModel):
    """结算信息 ``setlinfo`` (2206/2207/2208/2303/2304/2305 output)."""

    mdtrt_id: str | None = None
    """就诊ID."""
    setl_id: str | None = None
    """结算ID (``null`` in a pre-settlement), char 30."""
    psn_no: str | None = None
    """人员编号."""
    psn_name: str | None = Field(default=None, repr=False)
    """人员姓名."""
    psn_cert_type: str | None = None
    """人员证件类型."""
    certno: str | None = Field(default=None, repr=False)
    """证件号码."""
    gend: str | None = None
    """性别."""
    naty: str | None = None
    """民族."""
    brdy: InDate = None
    """出生日期."""
    age: InAmount = None
    """年龄, num 4,1."""
    insutype: str | None = None
    """险种类型."""
    psn_type: str | None = None
    """人员类别."""
    cvlserv_flag: str | None = None
    """公务员标志."""
    setl_time: InDateTime = None
    """结算时间 (``null`` in a pre-settlement)."""
    mdtrt_cert_type: str | None = None
    """就诊凭证类型."""
    med_type: str | None = None
    """医疗类别."""
    medfee_sumamt: InAmount = None
    """医疗费总额, num 16,2."""
    fulamt_ownpay_amt: InAmount = None
    """全自费金额."""
    overlmt_selfpay: InAmount = None
    """超限价自费费用."""
    preselfpay_amt: InAmount = None
    """先行自付金额 (乙类先自付)."""
    inscp_scp_amt: InAmount = None
    """符合政策范围金额."""
    act_pay_dedc: InAmount = None
    """实际支付起付线."""
    hifp_pay: InAmount = None
    """基本医疗保险统筹基金支出."""
    pool_prop_selfpay: InAmount = None
    """基本医疗保险统筹基金支付比例, num 5,4."""
    cvlserv_pay: InAmount = None
    """公务员医疗补助资金支出."""
    hifes_pay: InAmount = None
    """企业补充医疗保险基金支出."""
    hifmi_pay: InAmount = None
    """居民大病保险资金支出."""
    hifob_pay: InAmount = None
    """职工大额医疗费用补助基金支出."""
    maf_pay: InAmount = None
    """医疗救助基金支出."""
    oth_pay: InAmount = None
    """其他支出."""
    fund_pay_sumamt: InAmount = None
    """基金支付总额."""
    psn_part_amt: InAmount = None
    """个人负担总金额."""
    acct_pay: InAmount = None
    """个人账户支出."""
    psn_cash_pay: InAmount = None
    """个人现金支出."""
    hosp_part_amt: InAmount = None
    """医院负担金额."""
    balc: InAmount = None
    """余额 (account balance after settlement)."""
    acct_mulaid_pay: InAmount = None
    """个人账户共济支付金额."""
    medins_setl_id: str | None = None
    """医药机构结算ID: the request's msgid, char 30."""
    clr_optins: str | None = None
    """清算经办机构."""
    clr_way: str | None = None
    """清算方式."""
    clr_type: str | None = None
    """清算类别."""


class SetlDetail(InboundModel):
    """结算基金分项 ``setldetail[]`` (may list the personal account too, reference §3.3)."""

    fund_pay_type: str = Field(min_length=1)
    """基金支付类型 (e.g. 310200 职工基本医疗保险个人账户基金), char 6."""
    inscp_scp_amt: InAmount = None
    """符合政策范围金额."""
    crt_payb_lmt_amt: InAmount = None
    """本次可支付限额金额."""
    fund_payamt: InAmount = None
    """基金支付金额, num 16,2."""
    fund_pay_type_name: str | None = None
    """基金支付类型名称."""
    setl_proc_info: str | None = None
    """结算过程信息, char 4000."""


class OutputSettlement(InboundModel):
    """2206/2207/2208/2303/2304/2305 output."""

    setlinfo: SetlInfo
    """结算信息."""
    setldetail: ListOf[SetlDetail] = Field(default_factory=list)
    """基金分项 (array; a single object is accepted)."""


class SettlementRecord(SetlInfo):
    """5203 ``setlinfo``: as :class:`SetlInfo`, but some names differ (reference §5)."""

    psn_pay: InAmount = None
    """个人支付金额 (5203's name for ``psn_part_amt``)."""
    cash_payamt: InAmount = None
    """现金支付金额 (5203's name for ``psn_cash_pay``)."""


class Output5203(InboundModel):
    """5203 output."""

    setlinfo: SettlementRecord
    """结算信息."""
    setldetail: ListOf[SetlDetail] = Field(default_factory=list)
    """基金分项."""
