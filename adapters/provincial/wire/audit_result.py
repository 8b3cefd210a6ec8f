"""Rule-check results (3101/3102 ``output.result``) and 3103 事前事中服务反馈 (reference §3.5).

``output.result`` arrives as a list or as a single object (hsa-his parses one object); an
empty result means no violation.
"""

from __future__ import annotations

from typing import Self

from pydantic import Field, model_validator

from .base import InAmount, InboundModel, ListOf, OutboundModel
from .codes import DspoWay

__all__ = [
    "InputWarnFeedback",
    "JudgeResult",
    "JudgeResultDetail",
    "OutputRuleCheck",
    "Warn",
    "WarnFeedback",
]


class JudgeResultDetail(InboundModel):
    """违规明细 ``judge_result_detail_dtos[]``."""

    jrd_id: str | None = None
    """违规明细标识."""
    patn_id: str | None = None
    """参保人标识."""
    mdtrt_id: str | None = None
    """就诊标识."""
    rx_id: str | None = None
    """处方(医嘱)标识: the ``OrderDto.rx_id`` concerned."""
    vola_item_type: str | None = None
    """违规明细类别 (1 违规项目, 2 涉及项目)."""
    vola_amt: InAmount = None
    """违规金额, num 16,2."""


class JudgeResult(InboundModel):
    """违规信息 ``result[]``: one finding."""

    jr_id: str = Field(min_length=1)
    """违规标识: 3103 ``warn_rslt_id``."""
    rule_id: str | None = None
    """规则ID (e.g. R01)."""
    rule_name: str | None = None
    """规则名称."""
    vola_cont: str | None = None
    """违规内容."""
    patn_id: str | None = None
    """参保人标识."""
    mdtrt_id: str | None = None
    """就诊标识."""
    vola_amt: InAmount = None
    """违规金额, num 16,2."""
    vola_amt_stas: str | None = None
    """违规金额计算状态."""
    sev_deg: str | None = None
    """严重程度 (values [U]; mapped by the profile's ``sev_deg``)."""
    vola_evid: str | None = None
    """违规依据."""
    vola_bhvr_type: str | None = None
    """违规行为分类."""
    task_id: str | None = None
    """任务ID."""
    judge_result_detail_dtos: ListOf[JudgeResultDetail] = Field(default_factory=list)
    """违规明细."""


class OutputRuleCheck(InboundModel):
    """3101/3102 output: an empty ``result`` means no violation."""

    result: ListOf[JudgeResult] = Field(default_factory=list)
    """违规信息 (array; a single object is accepted)."""


class Warn(OutboundModel):
    """反馈 ``warns[]`` row (3103)."""

    warn_rslt_id: str = Field(min_length=1)
    """违规标识 (= ``jr_id``)."""
    dspo_way: DspoWay
    """处理方式 (1 继续执行, 2 返回修改)."""
    dspo_way_rea: str | None = Field(default=None, max_length=500)
    """处理原因 (required when continuing), char 500."""

    @model_validator(mode="after")
    def _reason_when_continuing(self) -> Self:
        if self.dspo_way is DspoWay.CONTINUE and not (self.dspo_way_rea or "").strip():
            raise ValueError("dspo_way 1 (继续执行) needs dspo_way_rea")
        return self


class WarnFeedback(OutboundModel):
    """反馈 ``data`` (3103)."""

    warn_type: str = Field(pattern="^[12]$")
    """反馈类型 (1 事前, 2 事中)."""
    warns: list[Warn] = Field(min_length=1)
    """反馈明细."""


class InputWarnFeedback(OutboundModel):
    """3103 input."""

    data: WarnFeedback
    """反馈信息."""
