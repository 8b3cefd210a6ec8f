"""Reconciliation: 3201 对总账 and 3202 对明细账 (reference §3.6).

3202 cites a detail file uploaded with 9101 (``file_qury_no``) and answers with another
:class:`~.files.FileTicket` whose result file is fetched with 9102.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from .base import Amount, InboundModel, OutboundModel, WireDate, wrapped

__all__ = [
    "DetailReconciliation",
    "Input3201",
    "Input3202",
    "Output3201",
    "StatementResult",
    "TotalReconciliation",
]


class TotalReconciliation(OutboundModel):
    """对总账 ``data`` (3201)."""

    insutype: str = Field(min_length=1, max_length=6)
    """险种类型, char 6."""
    clr_type: str = Field(min_length=1, max_length=6)
    """清算类别, char 6."""
    setl_optins: str = Field(min_length=1, max_length=6)
    """结算经办机构, char 6."""
    stmt_begndate: WireDate
    """对账开始日期, yyyy-MM-dd."""
    stmt_enddate: WireDate
    """对账结束日期, yyyy-MM-dd."""
    medfee_sumamt: Amount
    """医疗费总额, num 16,2."""
    fund_pay_sumamt: Amount
    """基金支付总额, num 16,2."""
    acct_pay: Amount
    """个人账户支付金额, num 16,2."""
    fixmedins_setl_cnt: int = Field(ge=0)
    """定点医药机构结算笔数, num 10."""
    refd_setl_flag: str | None = Field(default=None, max_length=3)
    """退费结算标志 (some regions), char 3."""


class Input3201(OutboundModel):
    """3201 input."""

    data: TotalReconciliation
    """对账信息."""


class StatementResult(InboundModel):
    """对账结果 ``stmtinfo``."""

    setl_optins: str | None = None
    """结算经办机构."""
    stmt_rslt: str | None = None
    """对账结果 (the value meaning "balanced" is [U]; one project assumes 0/000000)."""
    stmt_rslt_dscr: str | None = None
    """对账结果说明."""


class Output3201(InboundModel):
    """3201 output (``stmtinfo`` node as in Foshan; a root-level result is accepted)."""

    stmtinfo: StatementResult
    """对账结果."""

    @model_validator(mode="before")
    @classmethod
    def _rooted(cls, data: Any) -> Any:
        return wrapped(data, "stmtinfo", when="stmt_rslt")


class DetailReconciliation(OutboundModel):
    """对明细账 ``data`` (3202)."""

    setl_optins: str | None = Field(default=None, max_length=6)
    """结算经办机构, char 6."""
    clr_optins: str | None = Field(default=None, max_length=6)
    """清算经办机构 (Guangzhou), char 6."""
    clr_way: str | None = Field(default=None, max_length=6)
    """清算方式 (Guangzhou), char 6."""
    clr_type: str | None = Field(default=None, max_length=6)
    """清算类别 (Guangzhou), char 6."""
    file_qury_no: str = Field(min_length=1, max_length=200)
    """文件查询号 of the detail file uploaded with 9101, char 200."""
    stmt_begndate: WireDate
    """对账开始日期."""
    stmt_enddate: WireDate
    """对账结束日期."""
    medfee_sumamt: Amount
    """医疗费总额, num 16,2."""
    fund_pay_sumamt: Amount
    """基金支付总额, num 16,2."""
    cash_payamt: Amount
    """现金支付金额, num 16,2."""
    fixmedins_setl_cnt: int = Field(ge=0)
    """定点医药机构结算笔数, num 10."""


class Input3202(OutboundModel):
    """3202 input."""

    data: DetailReconciliation
    """对账信息."""
