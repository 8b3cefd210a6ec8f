"""1101 人员信息获取 (person and insurance lookup, reference §3.1)."""

from __future__ import annotations

from typing import Self

from pydantic import Field, model_validator

from .base import (
    InAmount,
    InboundModel,
    InDate,
    InDateTime,
    ListOf,
    OutboundModel,
    WireDateTime,
)
from .codes import MdtrtCertType

__all__ = ["BaseInfo", "IdetInfo", "Input1101", "InsuInfo", "Output1101", "PersonQuery"]


class PersonQuery(OutboundModel):
    """人员信息查询条件 ``data``."""

    mdtrt_cert_type: str = Field(min_length=1, max_length=3)
    """就诊凭证类型 (01 电子凭证, 02 身份证, 03 社保卡), char 3."""
    mdtrt_cert_no: str = Field(min_length=1, max_length=50, repr=False)
    """就诊凭证编号 (token, ID or card number per the type), char 50."""
    card_sn: str | None = Field(default=None, max_length=32)
    """卡识别码, char 32; required with ``mdtrt_cert_type`` 03."""
    begntime: WireDateTime | None = None
    """开始时间, datetime: only to look up historical insurance."""
    psn_cert_type: str = Field(max_length=6)
    """人员证件类型 (01 居民身份证), char 6."""
    certno: str | None = Field(default=None, max_length=50, repr=False)
    """证件号码, char 50."""
    psn_name: str | None = Field(default=None, max_length=50, repr=False)
    """人员姓名, char 50."""

    @model_validator(mode="after")
    def _card_sn_with_social_card(self) -> Self:
        if self.mdtrt_cert_type == MdtrtCertType.SOCIAL_CARD and not self.card_sn:
            raise ValueError("card_sn is required when mdtrt_cert_type is 03 (社会保障卡)")
        return self


class Input1101(OutboundModel):
    """1101 input."""

    data: PersonQuery
    """查询条件."""


class BaseInfo(InboundModel):
    """基本信息 ``baseinfo``."""

    psn_no: str = Field(min_length=1)
    """人员编号, char 30."""
    psn_cert_type: str | None = None
    """人员证件类型, char 6."""
    certno: str | None = Field(default=None, repr=False)
    """证件号码, char 50."""
    psn_name: str | None = Field(default=None, repr=False)
    """人员姓名, char 50."""
    gend: str | None = None
    """性别 (GB/T 2261.1), char 6."""
    naty: str | None = None
    """民族, char 3."""
    brdy: InDate = None
    """出生日期, yyyy-MM-dd."""
    age: InAmount = None
    """年龄, num 4,1."""


class InsuInfo(InboundModel):
    """参保信息 ``insuinfo[]`` (one row per insurance type)."""

    balc: InAmount = None
    """个人账户余额, num 16,2."""
    insutype: str | None = None
    """险种类型, char 6."""
    psn_type: str | None = None
    """人员类别, char 6."""
    psn_insu_stas: str | None = None
    """人员参保状态, char 6."""
    psn_insu_date: InDate = None
    """个人参保日期."""
    paus_insu_date: InDate = None
    """暂停参保日期."""
    cvlserv_flag: str | None = None
    """公务员标志, char 3."""
    insuplc_admdvs: str | None = None
    """参保地医保区划, char 6: the envelope's ``insuplc_admdvs`` for this person."""
    emp_name: str | None = None
    """单位名称, char 200."""


class IdetInfo(InboundModel):
    """身份信息 ``idetinfo[]``."""

    psn_idet_type: str | None = None
    """人员身份类别, char 6."""
    psn_type_lv: str | None = None
    """人员类别等级, char 3."""
    memo: str | None = None
    """备注, char 500."""
    begntime: InDateTime = None
    """开始时间."""
    endtime: InDateTime = None
    """结束时间."""


class Output1101(InboundModel):
    """1101 output."""

    baseinfo: BaseInfo
    """基本信息."""
    insuinfo: ListOf[InsuInfo] = Field(default_factory=list)
    """参保信息 (array)."""
    idetinfo: ListOf[IdetInfo] = Field(default_factory=list)
    """身份信息 (array)."""
