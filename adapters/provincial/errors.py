"""The provincial error tree: every error of the provincial adapter is a :class:`ProvincialError`.

::

    YibaoError
     └── ProvincialError                 infno, msgid, inf_refmsgid; message starts with the msgid
          ├── EnvelopeError              a request cannot be built (nothing was sent)
          │    ├── InsuplcAdmdvsMissingError  ``input`` carries psn_no but no 参保地区划 was given
          │    └── WireValidationError   ``input`` does not validate against its wire model
          ├── UnknownTransactionError    an infno the transaction table does not know
          ├── ProfileError               a province profile is invalid (also a ConfigError)
          ├── MsgidError                 the msgid sequence store cannot be used
          └── ReplyError                 a reply that is not a plain success
               ├── PlatformError         infcode != 0: the platform answered and refused
               │    └── SignInExpiredError   a sign-in refusal: renew sign_no, retry once
               ├── GatewayError          a gateway wrapper, HTML/empty body, unexpected HTTP status
               ├── MalformedReplyError   the body is not a readable envelope
               └── OutputValidationError infcode 0, but ``output`` fails its wire model

:attr:`ReplyError.outcome_unknown` tells the retry policy what it may assume: a
:class:`PlatformError` means the platform processed and refused the request; after a
:class:`GatewayError` or :class:`MalformedReplyError` nobody knows whether a state-changing
transaction took effect, so ``check`` transactions must be queried and ``reverse`` transactions
reversed (2601) or confirmed (5203), never resent. An :class:`OutputValidationError` reports a
*success* whose output we could not read: the raw envelope is attached so the settlement id is
not lost.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from yibao_sdk.errors import ConfigError, YibaoError

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "EnvelopeError",
    "GatewayError",
    "InsuplcAdmdvsMissingError",
    "MalformedReplyError",
    "MsgidError",
    "OutputValidationError",
    "PlatformError",
    "ProfileError",
    "ProvincialError",
    "ReplyError",
    "SignInExpiredError",
    "UnknownTransactionError",
    "WireValidationError",
]


class ProvincialError(YibaoError):
    """Root of the provincial adapter's errors.

    The message reads ``"<msgid> <infno>: <what happened>"`` (parts that are unknown are left
    out), so a log line can be matched with the journal and the platform's own logs.

    :param message: what happened.
    :param infno: transaction code (交易编号), if known.
    :param msgid: our message id (发送方报文ID), if one was allocated.
    :param inf_refmsgid: the platform's message id (接收方报文ID), if it answered.
    """

    def __init__(
        self, message: str, *, infno: str = "", msgid: str = "", inf_refmsgid: str = ""
    ) -> None:
        self.infno = infno
        self.msgid = msgid
        self.inf_refmsgid = inf_refmsgid
        self.detail = message
        head = " ".join(part for part in (msgid, infno) if part)
        super().__init__(f"{head}: {message}" if head else message)


class EnvelopeError(ProvincialError, ValueError):
    """The request cannot be built; nothing was sent."""


class InsuplcAdmdvsMissingError(EnvelopeError):
    """``input`` carries ``psn_no`` but the envelope has no ``insuplc_admdvs`` (参保地医保区划).

    :param node: where the first ``psn_no`` was found, e.g. ``input.feedetail[0].psn_no``.
    """

    def __init__(self, node: str, *, infno: str = "", msgid: str = "") -> None:
        self.node = node
        super().__init__(
            f"{node} is set, so insuplc_admdvs (参保地医保区划, from 1101 insuinfo) is required",
            infno=infno,
            msgid=msgid,
        )


class WireValidationError(EnvelopeError):
    """``input`` does not validate against the transaction's wire model.

    :param errors: ``(field path, message)`` pairs.
    """

    def __init__(
        self, model: str, errors: list[tuple[str, str]], *, infno: str = "", msgid: str = ""
    ) -> None:
        self.model = model
        self.errors = errors
        detail = "; ".join(f"{path or '<root>'}: {msg}" for path, msg in errors)
        super().__init__(f"invalid {model}: {detail}", infno=infno, msgid=msgid)


class UnknownTransactionError(ProvincialError, KeyError):
    """An infno that the transaction table has no row for."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown transaction"


class ProfileError(ProvincialError, ConfigError):
    """A province profile is invalid; the message names the file (if any) and the key."""


class MsgidError(ProvincialError):
    """The persisted msgid sequence cannot be opened or advanced."""


class ReplyError(ProvincialError):
    """A reply that is not a plain success."""

    outcome_unknown: bool = True
    """True when nobody knows whether the platform executed the request."""


class PlatformError(ReplyError):
    """The platform answered with ``infcode`` other than 0 (its ``err_msg`` is the message).

    :param infcode: the status as an int (``-1`` is the common failure value).
    :param err_msg: 错误信息 as sent (may be empty).
    :param warn_msg: 警告信息, if any.
    """

    outcome_unknown = False

    def __init__(
        self,
        infcode: int,
        err_msg: str,
        *,
        warn_msg: str = "",
        infno: str = "",
        msgid: str = "",
        inf_refmsgid: str = "",
    ) -> None:
        self.infcode = infcode
        self.err_msg = err_msg
        self.warn_msg = warn_msg
        super().__init__(
            f"infcode {infcode}: {err_msg or '(no err_msg)'}",
            infno=infno,
            msgid=msgid,
            inf_refmsgid=inf_refmsgid,
        )


class SignInExpiredError(PlatformError):
    """A refusal whose ``err_msg`` matches the profile's sign-in markers: sign in again (9001)
    and retry once with the new ``sign_no``."""


class GatewayError(ReplyError):
    """Something in front of the platform answered: a ``{"code", "type", "message"}`` or
    ``{"code": "999", "msg"}`` wrapper, an HTML or empty body, or an unexpected HTTP status.

    :param status: HTTP status (0 if unknown).
    :param code: the wrapper's ``code``, if any.
    :param body: the first 200 characters of the body, for the log.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int = 0,
        code: str = "",
        body: str = "",
        infno: str = "",
        msgid: str = "",
    ) -> None:
        self.status = status
        self.code = code
        self.body = body[:200]
        super().__init__(message, infno=infno, msgid=msgid)


class MalformedReplyError(ReplyError):
    """The body cannot be decoded as JSON, or the JSON is not an envelope."""


class OutputValidationError(ReplyError):
    """``infcode`` was 0 (the platform **did** execute the request) but ``output`` does not
    validate against the wire model.

    :param errors: ``(field path, message)`` pairs.
    :param envelope: the decoded reply envelope, so the caller can still journal ``setl_id``.
    """

    outcome_unknown = False

    def __init__(
        self,
        model: str,
        errors: list[tuple[str, str]],
        *,
        envelope: Mapping[str, Any],
        infno: str = "",
        msgid: str = "",
        inf_refmsgid: str = "",
    ) -> None:
        self.model = model
        self.errors = errors
        self.envelope = envelope
        detail = "; ".join(f"{path or '<root>'}: {msg}" for path, msg in errors)
        super().__init__(
            f"succeeded (infcode 0) but output is not a valid {model}: {detail}",
            infno=infno,
            msgid=msgid,
            inf_refmsgid=inf_refmsgid,
        )
