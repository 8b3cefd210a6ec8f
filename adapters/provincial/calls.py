"""The client's call machinery (:class:`Exchange`): sign-in, envelopes, the journal, plugin
notifications and the follow-up queries that resolve unknown outcomes. :mod:`.attempts` runs
one attempt, :mod:`.retry` decides about the next.

Nothing here logs a body; error text passes through the call's :class:`~.logsafe.Redactor`.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import MappingProxyType
from typing import Any, Protocol

from pydantic import BaseModel

from yibao_sdk.store.journal import (
    Journal,
    JournalEntry,
    JournalState,
    NewCall,
    SettlementInFlightError,
)

from . import jsonwire
from .attempts import Attempts
from .checks import Check, CheckContext
from .envelope import SIGN_IN, EnvelopeBuilder, Operator, OutboundRequest
from .errors import OutputValidationError, PlatformError, ReplyError
from .logsafe import Redactor
from .nodes import first_value
from .reply import FileReply, Reply
from .retry import CheckOutcome, RetryPolicy
from .signin import SignInCache, SignInDetails, sign_in_input, sign_no_of
from .signing import sm3
from .transactions import RetryClass
from .transport import Transport
from .wire.codes import OpterType

__all__ = ["CallSpec", "Exchange", "ProvincialHooks", "operator_of"]

log = logging.getLogger(__name__)
_META = ("psn_no", "mdtrt_id", "setl_id", "ipt_otp_no")


class ProvincialHooks(Protocol):
    """Plugin notifications (a pluggy hook relay such as ``engine._pm.hook`` fits)."""

    def yibao_before_send(self, *, infno: str, message: Mapping[str, Any]) -> object:
        """A request is journalled and about to leave."""
        ...

    def yibao_after_reply(self, *, infno: str, message: Mapping[str, Any],
                          reply: Mapping[str, Any]) -> object:
        """A reply (or refusal) arrived and was journalled."""
        ...


@dataclass(frozen=True, slots=True)
class CallSpec:
    """What the caller asked for."""

    infno: str
    input: BaseModel | Mapping[str, Any] = field(repr=False)
    operator: Operator
    insuplc_admdvs: str | None = None
    visit_id: str | None = None
    omsgid: str | None = None
    redactor: Redactor = field(default_factory=Redactor, repr=False)


def operator_of(entry: JournalEntry) -> Operator:
    """The operator who sent a journalled call."""
    meta = entry.meta
    return Operator(entry.operator, meta.get("opter_name") or entry.operator,
                    OpterType(meta.get("opter_type") or OpterType.STAFF))


def _meta(request: OutboundRequest) -> dict[str, str]:
    envelope = request.envelope
    meta = {key: value for key in _META if (value := first_value(envelope.input, key))}
    meta.update(opter_name=envelope.opter_name, opter_type=str(envelope.opter_type))
    if envelope.insuplc_admdvs:
        meta["insuplc_admdvs"] = envelope.insuplc_admdvs
    return meta


def _digest(reply: Reply | FileReply) -> str:
    if isinstance(reply, FileReply):
        return hashlib.sha256(reply.content).hexdigest()
    return jsonwire.canonical_digest(reply.envelope.model_dump(exclude_none=True))


def _setl_id(output: Any) -> str | None:
    return first_value(output.model_dump() if isinstance(output, BaseModel) else output,
                       "setl_id")


class Exchange:
    """Runs calls for one client (see the module docstring).

    :param builder: the envelope builder (profile, institution, msgids, table).
    :param transport: the HTTP transport.
    :param journal: where ``check``/``reverse`` calls are written before sending.
    :param policy: the retry policy.
    :param checks: queries by infno (:data:`~.checks.DEFAULT_CHECKS`).
    :param not_found: reads a refusal's ``err_msg`` as "no such record".
    :param hooks: plugin notifications, if any.
    :param sign_in: workstation details for 9001.
    :param clock: China-local time now.
    """

    def __init__(self, builder: EnvelopeBuilder, transport: Transport, journal: Journal, *,
                 policy: RetryPolicy, checks: Mapping[str, Check],
                 not_found: Callable[[str], bool], hooks: ProvincialHooks | None,
                 sign_in: SignInDetails, clock: Callable[[], datetime]) -> None:
        self.builder = builder
        self.profile = builder.profile
        self.transport = transport
        self.journal = journal
        self.policy = policy
        self.checks = checks
        self.not_found = not_found
        self.hooks = hooks
        self.sign_in_details = sign_in
        self.signins = SignInCache(self._sign_in, self.profile.sign_in, clock=clock)
        self.on_unknown: Callable[[JournalEntry, ReplyError], Reply] | None = None
        self._redactors: dict[str, Redactor] = {}  # calls in progress, by msgid

    def run(self, spec: CallSpec) -> Reply | FileReply:
        """Run ``spec`` under the retry policy."""
        transaction = self.builder.table[spec.infno]
        retry_class = self.profile.retry_class(transaction)
        ops = Attempts(self, spec, retry_class)
        try:
            return self.policy.run(retry_class, ops)
        finally:
            for msgid in ops.msgids:
                self._redactors.pop(msgid, None)

    def redactor(self, entry: JournalEntry) -> Redactor:
        """Masks the personal data of ``entry`` (its body, and the caller's patient while the
        call is in progress) in what its follow-up queries log."""
        try:
            found = Redactor.of(jsonwire.loads(entry.body))
        except ValueError:
            found = Redactor()
        return found + self._redactors.get(entry.msgid, Redactor())

    def query(self, entry: JournalEntry, infno: str, data: Mapping[str, Any]) -> Reply:
        """A safe query under the operator and region of ``entry``."""
        spec = CallSpec(infno, data, operator_of(entry), entry.meta.get("insuplc_admdvs"),
                        redactor=self.redactor(entry))
        reply = self.run(spec)
        if not isinstance(reply, Reply):
            raise TypeError(f"{infno} answered a file")
        return reply

    def reverse_call(self, original: JournalEntry, operator: Operator | None = None) -> Reply:
        """2601 for ``original`` (journalled; repeated while unknown)."""
        data = {"data": {"psn_no": original.meta.get("psn_no", ""), "omsgid": original.msgid,
                         "oinfno": original.infno}}
        spec = CallSpec("2601", data, operator or operator_of(original),
                        original.meta.get("insuplc_admdvs"), original.visit_id, original.msgid,
                        self.redactor(original))
        reply = self.run(spec)
        assert isinstance(reply, Reply)
        return reply

    def check(self, entry: JournalEntry, fallback: Check | None = None, *,
              record_not_done: bool = True) -> tuple[CheckOutcome, Reply | None]:
        """Run the entry's check (``fallback`` if none is registered) and record the outcome
        (done → ``confirmed_by_query``, not done → ``failed`` unless ``record_not_done`` is
        False (recovery fences it with 2601 first); unknown changes nothing)."""
        check = self.checks.get(entry.infno) or fallback
        if check is None:
            return CheckOutcome.UNKNOWN, None
        ctx = CheckContext(lambda infno, data: self.query(entry, infno, data), entry,
                           self.builder.table[entry.infno], self.journal, self.not_found)
        result = check.run(ctx)
        log.warning("%s %s check: %s (%s)", entry.msgid, entry.infno, result.outcome,
                    result.detail)
        if result.outcome is CheckOutcome.DONE and result.reply is not None:
            self.journal.advance(entry.msgid, JournalState.CONFIRMED_BY_QUERY,
                                 setl_id=result.setl_id, detail=result.detail)
            return result.outcome, Reply(entry.infno, entry.msgid, result.reply.envelope,
                                         result.output)
        if result.outcome is CheckOutcome.NOT_DONE:
            if record_not_done:
                self.journal.advance(entry.msgid, JournalState.FAILED, detail=result.detail)
            return result.outcome, None
        return CheckOutcome.UNKNOWN, None

    def track(self, msgid: str, redactor: Redactor) -> None:
        """Remember the caller's redactor while ``msgid`` is in progress."""
        self._redactors[msgid] = redactor

    def in_progress(self, msgid: str) -> bool:
        """True while a call of this client is working on ``msgid``."""
        return msgid in self._redactors

    def refuse_if_in_flight(self, spec: CallSpec) -> None:
        """Refuse a second settlement of a visit before signing in or sending anything (the
        journal's unique index is the real guard; this only saves the round trips)."""
        plain = spec.input.model_dump(by_alias=True) if isinstance(spec.input, BaseModel) \
            else spec.input
        visit_id = spec.visit_id or first_value(plain, "mdtrt_id")
        open_row = self.journal.in_flight(visit_id) if visit_id else None
        if open_row is not None:
            raise SettlementInFlightError(open_row.visit_id or "", open_row.msgid,
                                          open_row.state)

    def sign_no(self, operator: Operator, infno: str) -> str | None:
        """The operator's ``sign_no`` for a call of ``infno`` (none for 9001)."""
        if infno == SIGN_IN or not self.profile.sign_in.required:
            return None
        return self.signins.sign_no(operator)

    def _sign_in(self, operator: Operator) -> str:
        reply = self.run(CallSpec(SIGN_IN, sign_in_input(operator, self.sign_in_details),
                                  operator))
        assert isinstance(reply, Reply)
        return sign_no_of(reply.output)

    def build(self, spec: CallSpec, sign_no: str | None) -> OutboundRequest:
        """The request for one attempt (a new msgid; ``cainfo`` where the profile wants one)."""
        request = self.builder.build(spec.infno, spec.input, spec.operator, sign_no=sign_no,
                                     insuplc_admdvs=spec.insuplc_admdvs)
        if self.profile.signer.settings.get("cainfo") != "sm3-input":
            return request
        cainfo = sm3(jsonwire.dumps(request.body["input"])).hex().upper()
        return replace(request, envelope=request.envelope.model_copy(update={"cainfo": cainfo}),
                       body={**request.body, "cainfo": cainfo})

    def begin(self, request: OutboundRequest, spec: CallSpec, retry_class: RetryClass) -> None:
        """Journal the attempt as ``pending`` (before it is sent)."""
        meta = _meta(request)
        self.journal.begin(NewCall(
            request.msgid, request.infno, str(retry_class), spec.operator.opter,
            spec.visit_id or meta.get("mdtrt_id"), request.input_digest,
            request.content().decode("utf-8"), meta, spec.omsgid))

    def notify(self, name: str, **kwargs: Any) -> None:
        """Call plugin hook ``name``; a failing plugin is logged, never fatal."""
        hook = getattr(self.hooks, name, None) if self.hooks is not None else None
        if hook is None:
            return
        try:
            hook(**kwargs)
        except Exception as exc:  # a notification must not break a settlement
            log.warning("plugin hook %s failed: %s", name, type(exc).__name__)

    def record_failure(self, request: OutboundRequest, error: ReplyError, spec: CallSpec,
                       journalled: bool) -> None:
        """Journal and report a failed attempt."""
        log.warning("%s %s failed: %s: %s", request.msgid, request.infno, type(error).__name__,
                    spec.redactor(error.detail))
        if journalled:
            self._journal_failure(request, error, spec.redactor)
        if isinstance(error, PlatformError):
            refusal = {"infcode": error.infcode, "err_msg": error.err_msg,
                       "inf_refmsgid": error.inf_refmsgid}
            self.notify("yibao_after_reply", infno=request.infno,
                        message=MappingProxyType(request.body), reply=refusal)

    def _journal_failure(self, request: OutboundRequest, error: ReplyError,
                         redact: Redactor) -> None:
        detail = redact(f"{type(error).__name__}: {error.detail}")[:500]
        if isinstance(error, OutputValidationError):  # infcode 0: it did take effect
            self.journal.advance(request.msgid, JournalState.CONFIRMED, detail=detail,
                                 setl_id=_setl_id(error.envelope.get("output")),
                                 inf_refmsgid=error.inf_refmsgid or None)
        elif not error.outcome_unknown:
            self.journal.advance(request.msgid, JournalState.FAILED, detail=detail,
                                 inf_refmsgid=error.inf_refmsgid or None)
        else:
            self.journal.advance(request.msgid, JournalState.UNKNOWN, detail=detail)

    def record_success(self, request: OutboundRequest, reply: Reply | FileReply,
                       journalled: bool) -> None:
        """Journal and report a successful attempt."""
        if journalled:
            plain = reply if isinstance(reply, Reply) else None
            self.journal.advance(
                request.msgid, JournalState.CONFIRMED, reply_digest=_digest(reply),
                setl_id=_setl_id(plain.output) if plain else None,
                inf_refmsgid=(plain.inf_refmsgid or None) if plain else None)
        if isinstance(reply, Reply):
            answer: Mapping[str, Any] = reply.envelope.model_dump()
        else:
            answer = {"infcode": 0, "filename": reply.filename, "size": len(reply.content)}
        self.notify("yibao_after_reply", infno=request.infno,
                    message=MappingProxyType(request.body), reply=answer)
