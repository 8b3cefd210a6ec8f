"""9001 签到 (operator sign-in): ``signIn`` in, ``signinoutb`` out (reference §2.1)."""

from __future__ import annotations

from pydantic import Field

from .base import InboundModel, InDateTime, OutboundModel

__all__ = ["Input9001", "Output9001", "SignInData", "SignInResult"]


class SignInData(OutboundModel):
    """签到信息 ``signIn``."""

    opter_no: str = Field(min_length=1, max_length=30)
    """操作员编号, char 30."""
    mac: str = Field(max_length=20)
    """签到 MAC 地址, char 20."""
    ip: str = Field(max_length=15)
    """签到 IP 地址, char 15."""
    userid: str | None = Field(default=None, max_length=30)
    """用户 ID (Guangzhou only [1]), char 30."""
    password: str | None = Field(default=None, max_length=32, repr=False)
    """密码: MD5(yyyyMMddHHmmss + password) (Guangzhou only [1]), char 32."""
    currenttime: str | None = Field(default=None, max_length=14)
    """当前时间: the yyyyMMddHHmmss hashed into ``password`` (Guangzhou [1]), char 14."""


class Input9001(OutboundModel):
    """9001 input."""

    sign_in: SignInData = Field(alias="signIn")
    """签到信息 ``signIn``."""


class SignInResult(InboundModel):
    """签到结果 ``signinoutb``."""

    sign_no: str = Field(min_length=1)
    """签到编号, char 30: goes into every later envelope's ``sign_no``."""
    sign_time: InDateTime = None
    """签到时间, datetime."""


class Output9001(InboundModel):
    """9001 output."""

    signinoutb: SignInResult
    """签到结果."""
