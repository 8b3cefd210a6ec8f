"""One attempt of a provincial call, as :mod:`.retry` drives it (:class:`~.retry.CallOps`).

Per attempt of a ``check``/``reverse`` call::

    build (new msgid, fresh sign_no) → journal pending → yibao_before_send → journal sent
      → POST (signed anew) → confirmed | failed | unknown → yibao_after_reply
"""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING

from yibao_sdk.store.journal import JournalState

from .errors import ReplyError, SignInExpiredError
from .reply import FileReply, Reply
from .retry import CheckOutcome
from .signin import SignInFailedError
from .transactions import RetryClass
from .transport import TransportError

if TYPE_CHECKING:
    from .calls import CallSpec, Exchange

__all__ = ["Attempts"]


class Attempts:
    """:class:`~.retry.CallOps` for one call: each :meth:`send` is one attempt."""

    def __init__(self, exchange: Exchange, spec: CallSpec, retry_class: RetryClass) -> None:
        self.infno = spec.infno
        self.has_check = spec.infno in exchange.checks
        self.idempotent = spec.infno in exchange.policy.idempotent
        self._exchange = exchange
        self._spec = spec
        self._retry_class = retry_class
        self._journalled = retry_class is not RetryClass.SAFE
        self._msgid = ""
        self._sign_no: str | None = None
        self.msgids: list[str] = []

    @property
    def msgid(self) -> str:
        return self._msgid

    def send(self) -> Reply | FileReply:
        ex, spec = self._exchange, self._spec
        if self._retry_class is RetryClass.REVERSE:
            ex.refuse_if_in_flight(spec)
        try:
            self._sign_no = ex.sign_no(spec.operator, spec.infno)
        except ReplyError as exc:
            raise SignInFailedError(f"9001 failed ({type(exc).__name__}): not sent",
                                    infno=spec.infno) from exc
        request = ex.build(spec, self._sign_no)
        self._msgid = request.msgid
        self.msgids.append(request.msgid)
        ex.track(request.msgid, spec.redactor)
        if self._journalled:
            ex.begin(request, spec, self._retry_class)
        ex.notify("yibao_before_send", infno=request.infno,
                  message=MappingProxyType(request.body))
        if self._journalled:
            ex.journal.advance(request.msgid, JournalState.SENT)
        try:
            reply = ex.transport.send(request)
        except ReplyError as exc:
            if isinstance(exc, SignInExpiredError):
                ex.signins.invalidate(spec.operator, self._sign_no)
            ex.record_failure(request, exc, spec, self._journalled)
            raise
        ex.record_success(request, reply, self._journalled)
        return reply

    def resign(self) -> None:
        self._exchange.signins.invalidate(self._spec.operator, self._sign_no)

    def check(self, error: ReplyError) -> tuple[CheckOutcome, Reply | FileReply | None]:
        entry = self._exchange.journal.by_msgid(error.msgid) if error.msgid else None
        if entry is None or not entry.open:
            return CheckOutcome.UNKNOWN, None
        return self._exchange.check(entry)

    def recover(self, error: ReplyError) -> Reply | FileReply:
        entry = self._exchange.journal.by_msgid(error.msgid) if error.msgid else None
        handler = self._exchange.on_unknown
        never_sent = isinstance(error, TransportError) and error.sent is False
        # a reversal is never itself "recovered" (a profile listing 2601 as reverse would loop)
        if entry is None or handler is None or never_sent or entry.omsgid is not None:
            raise error
        return handler(entry, error)
