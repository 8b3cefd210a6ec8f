"""Reading replies (公共输出, reference §1.2): envelopes, gateway wrappers and 9102 files.

:func:`parse_reply` takes the raw HTTP answer and returns a :class:`Reply` (``infcode`` 0, with
``output`` validated against the transaction's wire model) or a :class:`FileReply` (9102's
ZIP), or raises:

* :class:`~.errors.PlatformError` (:class:`~.errors.SignInExpiredError` when ``err_msg`` asks
  for a new sign-in): ``infcode`` is anything but 0, given as a number or as text;
* :class:`~.errors.GatewayError`: a ``{"code","type","message"}`` or ``{"code":"999","msg"}``
  wrapper without an envelope inside, an HTML or empty body (typical of a 5xx), or a binary
  body where JSON was due;
* :class:`~.errors.MalformedReplyError`: not JSON, or JSON without ``infcode``;
* :class:`~.errors.OutputValidationError`: success whose ``output`` does not validate.

Fractions are read as ``Decimal`` (never float). The "old format" wrapper
``{"code", "type", "message", "data": <envelope>}`` is unwrapped (Guangzhou).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ValidationError

from yibao_sdk.models.base import errors_of

from . import jsonwire
from .errors import (
    GatewayError,
    MalformedReplyError,
    OutputValidationError,
    PlatformError,
    SignInExpiredError,
)
from .nodes import rename_members
from .profiles import ProvinceProfile
from .transactions import Transaction
from .wire.base import InboundModel, as_list

__all__ = ["FileReply", "Reply", "ReplyEnvelope", "as_list", "parse_infcode", "parse_reply"]

M = TypeVar("M", bound=BaseModel)
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_BINARY_TYPES = ("application/zip", "application/octet-stream", "application/x-zip-compressed")
_CHARSET = re.compile(r"charset=([\w-]+)", re.IGNORECASE)
_FILENAME = re.compile(r"filename\*?=(?:UTF-8'')?\"?([^\";]+)\"?", re.IGNORECASE)


def parse_infcode(value: Any) -> int:
    """``infcode`` as an int, whether sent as ``0``, ``"0"``, ``" -1 "`` or ``"999"``.

    :raises ValueError: not an integer.
    """
    if isinstance(value, bool):
        raise ValueError(f"infcode {value!r} is not a number")
    text = str(value).strip()
    if not re.fullmatch(r"[+-]?\d+", text):
        raise ValueError(f"infcode {value!r} is not a number")
    return int(text)


class ReplyEnvelope(InboundModel):
    """公共输出: the reply envelope; unknown members are kept."""

    infcode: Annotated[int, BeforeValidator(parse_infcode)]
    """交易状态码: 0 success, anything else failure (-1 the common one)."""
    inf_refmsgid: str | None = None
    """接收方报文ID, char 30 (division(6) + time(14) + serial(10))."""
    refmsg_time: str | None = None
    """接收报文时间, yyyyMMddHHmmssSSS."""
    respond_time: str | None = None
    """响应报文时间, yyyyMMddHHmmssSSS."""
    err_msg: str | None = None
    """错误信息, char 200."""
    warn_msg: str | None = None
    """警告信息 (Guangzhou)."""
    output: Any = None
    """交易输出 (decoded; validated separately)."""
    signtype: str | None = None
    """签名类型 (echo)."""
    cainfo: str | None = None
    """数字签名信息 (echo)."""
    enctype: str | None = None
    """加密方式 (echo)."""


@dataclass(frozen=True, slots=True)
class Reply:
    """A successful JSON reply."""

    infno: str
    """交易编号 of the request."""
    msgid: str
    """Our msgid."""
    envelope: ReplyEnvelope
    """The envelope as received (``output`` raw)."""
    output: Any
    """``output`` as the transaction's wire model, or the decoded ``dict`` without one."""

    @property
    def inf_refmsgid(self) -> str:
        """接收方报文ID ("" if absent)."""
        return self.envelope.inf_refmsgid or ""

    @property
    def warn_msg(self) -> str:
        """警告信息 sent with the success ("" if none)."""
        return self.envelope.warn_msg or ""

    def output_as(self, model: type[M]) -> M:
        """``output`` typed as ``model``.

        :raises TypeError: the output is not a ``model``.
        """
        if not isinstance(self.output, model):
            raise TypeError(f"{self.infno} output is {type(self.output).__name__}, "
                            f"not {model.__name__}")
        return self.output


@dataclass(frozen=True, slots=True)
class FileReply:
    """A file answered by 9102 (raw bytes, normally a ZIP)."""

    infno: str
    """交易编号 (9102)."""
    msgid: str
    """Our msgid."""
    content: bytes
    """The file as received."""
    filename: str | None = None
    """The name from ``Content-Disposition``, if any."""

    @property
    def is_zip(self) -> bool:
        """True if the content is a ZIP archive."""
        return self.content.startswith(_ZIP_MAGIC)

    def members(self) -> dict[str, bytes]:
        """The ZIP's members by name.

        :raises MalformedReplyError: the content is not a readable ZIP.
        """
        try:
            with zipfile.ZipFile(io.BytesIO(self.content)) as archive:
                return {name: archive.read(name) for name in archive.namelist()}
        except (zipfile.BadZipFile, OSError) as exc:
            raise MalformedReplyError(f"9102 file is not a readable ZIP: {exc}",
                                      infno=self.infno, msgid=self.msgid) from exc


def parse_reply(
    body: bytes,
    *,
    transaction: Transaction,
    msgid: str,
    profile: ProvinceProfile,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Reply | FileReply:
    """Read the raw answer to a request for ``transaction``.

    :param body: the response body as bytes.
    :param msgid: the request's msgid (errors carry it).
    :param profile: renames ``output`` members back to national names; sign-in markers.
    :param status: HTTP status.
    :param headers: response headers (any case); ``Content-Type`` and ``Content-Disposition``
        are read.
    :raises ReplyError: see the module docstring.
    """
    ctx = _Context(transaction, msgid, profile, status)
    lowered = {key.lower(): value for key, value in (headers or {}).items()}
    content_type = lowered.get("content-type", "")
    if _is_binary(body, content_type):
        if not transaction.binary_reply:
            raise ctx.gateway(f"binary body ({content_type or 'no content type'}) where JSON "
                              "was due", body=repr(body[:40]))
        filename = _FILENAME.search(lowered.get("content-disposition", ""))
        return FileReply(transaction.infno, msgid, body, filename[1] if filename else None)
    envelope = _read_envelope(_envelope_dict(_decode(body, content_type, ctx), ctx), ctx)
    if envelope.infcode != 0:
        raise ctx.refusal(envelope)
    return Reply(transaction.infno, msgid, envelope, _output(envelope, ctx))


@dataclass(frozen=True, slots=True)
class _Context:
    transaction: Transaction
    msgid: str
    profile: ProvinceProfile
    status: int

    def gateway(self, message: str, *, code: str = "", body: str = "") -> GatewayError:
        return GatewayError(f"HTTP {self.status}: {message}", status=self.status, code=code,
                            body=body, infno=self.transaction.infno, msgid=self.msgid)

    def malformed(self, message: str) -> MalformedReplyError:
        return MalformedReplyError(f"HTTP {self.status}: {message}",
                                   infno=self.transaction.infno, msgid=self.msgid)

    def refusal(self, envelope: ReplyEnvelope) -> PlatformError:
        err_msg = envelope.err_msg or ""
        kind = SignInExpiredError if self.profile.is_sign_error(err_msg) else PlatformError
        return kind(envelope.infcode, err_msg, warn_msg=envelope.warn_msg or "",
                    infno=self.transaction.infno, msgid=self.msgid,
                    inf_refmsgid=envelope.inf_refmsgid or "")


def _is_binary(body: bytes, content_type: str) -> bool:
    if body.startswith(_ZIP_MAGIC):
        return True
    media = content_type.split(";", maxsplit=1)[0].strip().lower()
    return media in _BINARY_TYPES and not body.lstrip().startswith((b"{", b"["))


def _decode(body: bytes, content_type: str, ctx: _Context) -> Any:
    charset = _CHARSET.search(content_type)
    try:
        text = body.decode(charset[1] if charset else "utf-8")
    except (UnicodeDecodeError, LookupError) as exc:
        raise ctx.malformed(f"body is not text in the declared charset: {exc}") from exc
    stripped = text.strip()
    if not stripped:
        raise ctx.gateway("empty body")
    if stripped.startswith("<"):
        raise ctx.gateway("HTML/XML body instead of a JSON envelope", body=stripped)
    try:
        return jsonwire.loads(stripped)
    except ValueError as exc:
        if ctx.status >= 400:
            raise ctx.gateway("body is not JSON", body=stripped) from exc
        raise ctx.malformed(f"body is not JSON: {exc}") from exc


def _envelope_dict(data: Any, ctx: _Context) -> dict[str, Any]:
    """The envelope itself, unwrapping the old ``{"code", …, "data": envelope}`` format."""
    if not isinstance(data, dict):
        raise ctx.malformed(f"JSON {type(data).__name__} instead of an envelope object")
    if "infcode" in data:
        _check_infcode(data["infcode"], ctx)
        return data
    inner = data.get("data")
    if isinstance(inner, str) and inner.lstrip().startswith("{"):
        inner = _loads_or_none(inner)
    if isinstance(inner, dict) and "infcode" in inner:
        _check_infcode(inner["infcode"], ctx)
        return inner
    if "code" in data:
        message = data.get("message") or data.get("msg") or data.get("type") or "gateway error"
        raise ctx.gateway(f"gateway code {data['code']}: {message}", code=str(data["code"]),
                          body=str(data)[:200])
    raise ctx.malformed("no infcode in the reply")


def _read_envelope(data: dict[str, Any], ctx: _Context) -> ReplyEnvelope:
    try:
        return ReplyEnvelope.model_validate(data)
    except ValidationError as exc:
        detail = "; ".join(f"{path}: {msg}" for path, msg in errors_of(exc))
        raise ctx.malformed(f"envelope does not validate: {detail}") from exc


def _check_infcode(value: Any, ctx: _Context) -> None:
    try:
        parse_infcode(value)
    except ValueError as exc:
        raise ctx.malformed(str(exc)) from exc


def _loads_or_none(text: str) -> Any:
    try:
        return jsonwire.loads(text)
    except ValueError:
        return None


def _output(envelope: ReplyEnvelope, ctx: _Context) -> Any:
    """``output`` in national names, validated against the wire model if there is one."""
    raw = envelope.output
    if isinstance(raw, str):  # some gateways send output as JSON text
        raw = (_loads_or_none(raw) or raw) if raw.strip() else None
    raw = {} if raw is None else raw
    infno = ctx.transaction.infno
    raw = rename_members(raw, ctx.profile.output_node_names.get(infno, {}), depth=1)
    back = {local: national for national, local in ctx.profile.field_names.get(infno,
                                                                               {}).items()}
    raw = rename_members(raw, back)
    model = ctx.transaction.output_model
    if model is None:
        return raw
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise OutputValidationError(
            model.__name__, errors_of(exc), envelope=envelope.model_dump(), infno=infno,
            msgid=ctx.msgid, inf_refmsgid=envelope.inf_refmsgid or "",
        ) from exc
