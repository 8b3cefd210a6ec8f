"""From request bytes to reply bytes, without HTTP (the server adds sockets and faults).

:meth:`Dispatcher.prepare`: signature (the profile's scheme; SM replies are sealed too) →
JSON → envelope members → the body's infno against the URL's. :meth:`Dispatcher.execute`,
in one transaction: the transaction must be known and supported → ``sign_no`` (all but 9001)
→ ``insuplc_admdvs`` present and equal to the person's 参保地 whenever ``input`` carries
``psn_no`` → msgid idempotency → the handler → the msgid recorded with its reply.

**Idempotency by msgid** (every transaction whose retry class under the profile is not
``safe``: registration, uploads, settlements, cancellations, 2601, 4101A, …): a msgid seen
before returns the first reply again (``warn_msg`` says so) and executes nothing, so the same
2207 twice is one settlement; a msgid used for another infno, executed and then reversed, or
reversed (2601) before it arrived is refused. Refused requests commit nothing and record
nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .. import jsonwire
from ..envelope import SIGN_IN
from ..nodes import find_member, first_value
from ..signing.base import PlatformSigner, SignedReply, SignedRequest
from ..signing.errors import SignatureError
from ..transactions import NATIONAL_TRANSACTIONS, RetryClass
from ..wire.base import NullPolicy, to_wire
from .handlers import HANDLERS, Call, FileOutput, MockEnv, Output
from .handlers.base import person_of
from .handlers.signin import check_sign_no
from .protocol import (
    RefMsgIds,
    Refusal,
    local_output,
    national_input,
    read_envelope,
    reply_envelope,
    strip_blanks,
)
from .routing import Router

__all__ = ["JSON_TYPE", "Dispatcher", "Incoming", "Outgoing", "Prepared"]

JSON_TYPE = "application/json;charset=UTF-8"
_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Incoming:
    """A request as received."""

    path: str
    headers: Mapping[str, str]
    body: bytes


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A reply to send."""

    status: int
    body: bytes
    content_type: str = JSON_TYPE
    headers: Mapping[str, str] = field(default_factory=dict)
    infno: str | None = None
    msgid: str | None = None


@dataclass(frozen=True, slots=True)
class Prepared:
    """A request whose signature and envelope passed."""

    envelope: dict[str, Any]
    infno: str
    msgid: str
    received: datetime


class Dispatcher:
    """Answers envelopes for one platform.

    :param env: what handlers share.
    :param signer: the platform side of the profile's signer scheme.
    :param router: the profile's URL routing.
    """

    def __init__(self, env: MockEnv, signer: PlatformSigner, router: Router) -> None:
        self.env = env
        self.signer = signer
        self.router = router
        self._refmsgids = RefMsgIds()

    def prepare(self, request: Incoming, path_infno: str | None) -> Prepared | Outgoing:
        """Check the signature and the envelope; a refusal is answered at once."""
        received = self.env.clock()
        data: Any = None
        try:
            data = self._decode(self._verified(request))
            envelope = read_envelope(data, path_infno)
            infno = str(envelope["infno"])
            if path_infno is None and not self.router.path_matches(request.path, infno):
                raise Refusal(f"{infno} is not served at {request.path}")
            return Prepared(envelope, infno, str(envelope["msgid"]), received)
        except Refusal as refusal:
            known = data if isinstance(data, dict) else {}
            return self.refuse(refusal, received, known)

    def execute(self, prepared: Prepared) -> Outgoing:
        """Run the transaction and answer."""
        try:
            output, warn = self._run(prepared)
        except Refusal as refusal:
            return self.refuse(refusal, prepared.received, prepared.envelope)
        except Exception as exc:
            _log.exception("mock platform error in %s %s", prepared.infno, prepared.msgid)
            error = Refusal(f"mock platform error: {type(exc).__name__}: {exc}", status=500)
            return self.refuse(error, prepared.received, prepared.envelope)
        if isinstance(output, FileOutput):
            headers = {"Content-Disposition": f'attachment; filename="{output.filename}"'}
            return Outgoing(200, output.content, "application/zip", headers, prepared.infno,
                            prepared.msgid)
        wire = local_output(self.env.profile, prepared.infno,
                            to_wire(output, policy=NullPolicy.NULL))
        body = reply_envelope(output=wire, inf_refmsgid=self._refmsgid(prepared.envelope),
                              received=prepared.received, responded=self.env.clock(),
                              warn_msg=warn)
        return self._signed(200, body, prepared.envelope)

    def refuse(self, refusal: Refusal, received: datetime,
               envelope: Mapping[str, Any]) -> Outgoing:
        """``infcode`` -1 (or the refusal's) with ``err_msg``."""
        body = reply_envelope(output=None, inf_refmsgid=self._refmsgid(envelope),
                              received=received, responded=self.env.clock(),
                              infcode=refusal.infcode, err_msg=refusal.message)
        return self._signed(refusal.status, body, envelope)

    def _refmsgid(self, envelope: Mapping[str, Any]) -> str:
        division = str(envelope.get("mdtrtarea_admvs") or "000000")
        return self._refmsgids.next(division, self.env.clock())

    def _signed(self, status: int, body: dict[str, Any],
                envelope: Mapping[str, Any]) -> Outgoing:
        reply = SignedReply(status, {"Content-Type": JSON_TYPE}, jsonwire.dumps(body))
        sealed = self.signer.sign_reply(reply)
        infno, msgid = envelope.get("infno"), envelope.get("msgid")
        return Outgoing(status, sealed.body, JSON_TYPE, {}, str(infno) if infno else None,
                        str(msgid) if msgid else None)

    def _verified(self, request: Incoming) -> bytes:
        if not self.env.config.verify_signatures:
            return request.body
        signed = SignedRequest("POST", f"http://mock{request.path}", request.headers,
                               request.body)
        try:
            return self.signer.verify_request(signed).body
        except SignatureError as exc:
            raise Refusal(f"签名验证失败 (signature verification failed): {exc}") from exc

    @staticmethod
    def _decode(body: bytes) -> Any:
        try:
            return jsonwire.loads(body)
        except ValueError as exc:
            raise Refusal(f"the body is not UTF-8 JSON: {exc}") from exc

    def _run(self, p: Prepared) -> tuple[Output, str | None]:
        transaction = NATIONAL_TRANSACTIONS.get(p.infno)
        if transaction is None:
            raise Refusal(f"unknown infno {p.infno}")
        handler = HANDLERS.get(p.infno)
        if handler is None:
            raise Refusal(f"{p.infno} {transaction.name} is not supported by the mock platform")
        profile = self.env.profile
        raw = strip_blanks(national_input(profile, p.infno, p.envelope["input"]))
        tracked = profile.retry_class(transaction) is not RetryClass.SAFE
        with self.env.state.tx() as tx:
            call = Call(self.env, tx, p.infno, p.msgid, p.envelope, raw, self.env.clock())
            self._check(call)
            if tracked:
                seen = tx.one("SELECT * FROM messages WHERE msgid = ?", p.msgid)
                if seen is not None:
                    return self._replay(seen, p.infno, p.msgid)
            output = handler(call)
            if tracked:
                tx.insert("messages", {
                    "msgid": p.msgid, "infno": p.infno, "fixmedins_code": call.fixmedins_code,
                    "psn_no": first_value(raw, "psn_no"), "status": "committed",
                    "output": None if isinstance(output, FileOutput)
                    else to_wire(output, policy=NullPolicy.NULL),
                    "effect": call.effect, "at": call.now})
        return output, call.warn

    def _check(self, call: Call) -> None:
        if call.infno != SIGN_IN and self.env.profile.sign_in.required:
            check_sign_no(call, self.env.config.sign_in_ttl)
        node = find_member(call.input, "psn_no")
        if node is None:
            return
        insuplc = call.envelope.get("insuplc_admdvs")
        if not insuplc:
            raise Refusal(f"insuplc_admdvs (参保地医保区划) is required: input.{node} carries "
                          "psn_no")
        psn_no = first_value(call.input, "psn_no") or ""
        person = person_of(call, psn_no)
        if person["insuplc_admdvs"] != insuplc:
            raise Refusal(f"insuplc_admdvs {insuplc} is not the 参保地 of psn_no {psn_no} "
                          f"({person['insuplc_admdvs']}): take it from 1101 insuinfo")

    @staticmethod
    def _replay(seen: Mapping[str, Any], infno: str, msgid: str) -> tuple[Output, str]:
        if seen["status"] == "reversed_unseen":
            raise Refusal(f"msgid {msgid} was reversed (2601) before it arrived: not executed")
        if seen["status"] == "reversed":
            raise Refusal(f"msgid {msgid} was executed, then reversed by 2601 "
                          f"({seen['reversed_by']})")
        if seen["infno"] != infno:
            raise Refusal(f"msgid {msgid} was already used for {seen['infno']}")
        output = jsonwire.loads(seen["output"]) if seen["output"] else {}
        return output, f"重复的 msgid {msgid}: 返回首次处理结果，未再次执行 (duplicate msgid)"
