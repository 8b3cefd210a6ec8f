"""Configuration of the NHSA channel scheme (reference §4.2): what §4.2 leaves open or what
differs by channel, and the ``timestamp`` member's formats.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, Literal

from .canonical import SortOrder
from .errors import SignatureError

__all__ = ["SmChannelConfig", "TimestampFormat", "format_timestamp", "parse_timestamp"]

TimestampFormat = Literal["ms", "s", "yyyyMMddHHmmss"]


@dataclass(frozen=True)
class SmChannelConfig:
    """Everything §4.2 leaves open ([U]) or that differs by channel; defaults follow §4.2."""

    app_id_field: str = "appId"
    """``appId``, ``appCode`` or (e-prescription) ``appid``."""
    version: str | None = "1.0.0"
    """``version`` member (``1.0.0``/``2.0.1``); ``None`` leaves it out."""
    timestamp_format: TimestampFormat = "ms"
    """Seconds, milliseconds (JSON numbers) or ``yyyyMMddHHmmss`` (string, local time)."""
    utc_offset_hours: int = 8
    """Time zone of ``yyyyMMddHHmmss`` timestamps (Beijing time)."""
    enc_layout: Literal["flat", "nested"] = "flat"
    """``encData`` at top level, or as ``data: {encData}``."""
    placement: Literal["body", "input"] = "body"
    """Seal the whole body, or only the envelope's ``input`` (replies: ``output``)."""
    order: SortOrder = "ascii"
    """Key order of the sign text (the official Java sample is case-insensitive)."""
    quote_scalars: bool = True
    """Numbers/booleans inside ``data`` are quoted in the sign text."""
    user_id: bytes | None = None
    """SM2 user id; ``None`` = UTF-8 appSecret (§4.2); some toolkits use ``1234567812345678``."""
    sm4_iv: bytes | None = field(default=None, repr=False)
    """``None`` = SM4-ECB (§4.2); a 16-byte IV switches to SM4-CBC [U]."""
    tolerance_s: float = 300
    """Accepted timestamp skew, seconds."""
    require_reply_signature: bool = True
    """Refuse a reply without ``signData`` (a gateway error page, say) instead of passing it."""

    @classmethod
    def e_prescription(cls) -> SmChannelConfig:
        """The e-prescription layout of tntlinking ``MdRequestUtil`` (reference §4.2 [1]):
        ``input`` sealed, ``appid``, ``yyyyMMddHHmmss``, no ``version``."""
        return cls(app_id_field="appid", version=None, timestamp_format="yyyyMMddHHmmss",
                   placement="input")


def format_timestamp(now: float, config: SmChannelConfig) -> int | str:
    """``now`` as the configured ``timestamp`` member (number for s/ms, string otherwise)."""
    if config.timestamp_format == "ms":
        return int(now * 1000)
    if config.timestamp_format == "s":
        return int(now)
    zone = timezone(timedelta(hours=config.utc_offset_hours))
    return datetime.fromtimestamp(now, zone).strftime("%Y%m%d%H%M%S")


def parse_timestamp(value: Any, config: SmChannelConfig) -> float:
    """Seconds since the epoch of a ``timestamp`` member.

    :raises SignatureError: not digits, or not a valid ``yyyyMMddHHmmss``.
    """
    text = str(value)
    if isinstance(value, bool) or not text.isdigit() or not text.isascii():
        raise SignatureError("malformed timestamp")
    if config.timestamp_format == "ms":
        return int(text) / 1000
    if config.timestamp_format == "s":
        return float(int(text))
    try:
        local = datetime.strptime(text, "%Y%m%d%H%M%S")
    except ValueError as exc:
        raise SignatureError("malformed timestamp") from exc
    zone = timezone(timedelta(hours=config.utc_offset_hours))
    return local.replace(tzinfo=zone).astimezone(UTC).timestamp()
