"""The gateway pipeline: parse → store → (ACK) → route → merge into the kept visit → rules → ACK.

:meth:`Gateway.receive` parses and stores a message (committed before anything is answered)
and, for input that does not parse or an ``after_store`` route, decides the ACK at once;
:meth:`Gateway.process` routes, merges, runs the rules and records the outcome, returning the
ACK of an ``after_rules`` route. :meth:`Gateway.handle` does both. The ACK policy is described
in :mod:`yibao_sdk.gateway.policy`.

The gateway is synchronous and not re-entrant: the MLLP and FHIR front ends
(:mod:`yibao_sdk.gateway.serve`) run it on one worker thread, which also keeps messages in
arrival order. Logs name message ids, control ids and routes, never content.
"""

from __future__ import annotations

import itertools
import logging
import secrets
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from yibao_sdk.errors import InputError
from yibao_sdk.gateway.policy import AckMode, AckPlan, AckPolicy, RoutePolicy, plan_for_verdicts
from yibao_sdk.gateway.summary import failure, summarise
from yibao_sdk.gateway.visits import (
    VisitStore,
    admit,
    check_item,
    items_of,
    unknown_visit,
    with_item,
)
from yibao_sdk.hl7v2 import (
    AckError,
    Hl7Error,
    Mapped,
    Message,
    Router,
    build_ack_fast,
    build_reject,
    parse_message,
)
from yibao_sdk.hl7v2.charset import sniff_declared, to_codec
from yibao_sdk.rules.engine import Engine
from yibao_sdk.rules.findings import Colour, Verdict
from yibao_sdk.store.messages import MessageState, MessageStore

__all__ = ["AfterVerdicts", "Gateway", "Receipt"]

log = logging.getLogger("yibao_sdk.gateway")

AfterVerdicts = Callable[[int, Mapped, Sequence[Verdict]], None]
"""``(message_id, mapped, verdicts)``, called once a message's verdicts are known and its
content merged: the seam for the provincial client (e.g. uploading checked fees). It runs on
the gateway's worker thread before an ``after_rules`` ACK; what it raises is logged and does
not change the ACK."""
_RULES_DOWN = "医保规则检查失败，本消息未经审核 (rule check failed; not checked)"


@dataclass(frozen=True, slots=True)
class Receipt:
    """A stored message and what is left to do for it.

    :param message_id: its id in the message store.
    :param route: the route it was taken on.
    :param policy: that route's policy.
    :param message: the parsed message; ``None`` when it did not parse (then it is done).
    :param ack: the ACK to send now (a reject, or AA on an ``after_store`` route); ``None``
        when the ACK waits for :meth:`Gateway.process`.
    """

    message_id: int
    route: str
    policy: RoutePolicy
    message: Message | None
    ack: bytes | None


class Gateway:
    """Hospital messages in, verdicts and ACKs out.

    :param engine: the rule engine.
    :param routers: route name (``his``, ``lis``, ``pacs``) → :data:`~yibao_sdk.hl7v2.Router`.
    :param visits: where visits are kept.
    :param messages: where every inbound message is stored before it is answered.
    :param policy: ACK policy per route.
    :param after_verdicts: see :data:`AfterVerdicts`.
    """

    def __init__(self, engine: Engine, routers: Mapping[str, Router], visits: VisitStore,
                 messages: MessageStore, policy: AckPolicy | None = None, *,
                 after_verdicts: AfterVerdicts | None = None) -> None:
        self.engine, self.routers, self.visits, self.messages = engine, routers, visits, messages
        self.policy = policy or AckPolicy()
        self.after_verdicts = after_verdicts
        self._ack_ids = _ack_ids()

    def handle(self, raw: bytes, peer: str, route: str) -> bytes:
        """Receive and process ``raw`` from ``peer`` on listener ``route``; return the ACK."""
        receipt = self.receive(raw, peer=peer, listener=route)
        ack = self.process(receipt)
        found = receipt.ack if receipt.ack is not None else ack
        assert found is not None  # a message that did not parse has its reject in the receipt
        return found

    def receive(self, raw: bytes, *, peer: str, listener: str) -> Receipt:
        """Parse and store ``raw`` (committed); decide the ACK now where the policy says so.

        :raises MessageStoreError: when it cannot be stored (answer nothing: it is not safe).
        """
        policy = self.policy.for_route(listener)
        try:
            message = parse_message(raw, encoding=policy.encoding, where=peer)
        except Hl7Error as exc:
            ident = self.messages.receive(raw, peer=peer, route=listener)
            self._fail(ident, exc, policy.reject)
            return Receipt(ident, listener, policy, None, self._reject(raw, exc, policy))
        code, trigger, _ = message.message_type
        route = self.policy.route_for(listener, message.header.value(5))
        policy = self.policy.for_route(route)
        ident = self.messages.receive(raw, peer=peer, route=route, control_id=message.control_id,
                                      message_type=f"{code}^{trigger}")
        ack = self._ack(message, AckPlan("AA")) \
            if policy.ack is AckMode.AFTER_STORE else None
        return Receipt(ident, route, policy, message, ack)

    def reject_oversize(self, head: bytes, size: int, limit: int, *, peer: str,
                        listener: str) -> bytes:
        """Store the head of an oversize message as failed and return its reject."""
        policy = self.policy.for_route(listener)
        error = Hl7Error(f"message of {size} bytes exceeds the limit of {limit} bytes",
                         code=104, where=peer)
        ident = self.messages.receive(head, peer=peer, route=listener, size=size, truncated=True)
        self._fail(ident, error, policy.reject)
        return self._reject(head, error, policy)

    def process(self, receipt: Receipt, *, ack: bool = True) -> bytes | None:
        """Route, merge and check a received message and record the outcome.

        :param ack: build the ACK of an ``after_rules`` route (``False`` when it was sent).
        :return: that ACK; ``None`` when not wanted or when the message did not parse.
        """
        message = receipt.message
        if message is None:
            return None
        router = self.routers.get(receipt.route)
        try:
            if router is None:
                raise Hl7Error(f"no router for route {receipt.route!r}", segment="MSH",
                               field=9, code=200)
            mapped = router(message)
        except InputError as exc:
            return self._refuse(receipt, message, exc)
        except Exception as exc:
            log.error("message %d: router failed (%s)", receipt.message_id, type(exc).__name__)
            return self._refuse(receipt, message, exc, code="AE")
        plan = self._apply(receipt, mapped)
        return self._ack(message, plan) if ack else None

    def _ack(self, message: Message, plan: AckPlan) -> bytes:
        text = build_ack_fast(message, plan.code, errors=plan.errors, text=plan.text,
                              control_id=next(self._ack_ids))
        return text.encode(message.charset, errors="replace")

    def _apply(self, receipt: Receipt, mapped: Mapped) -> AckPlan:
        """Merge and check ``mapped``; record the outcome; return what the ACK says."""
        hold = receipt.policy.ack is AckMode.AFTER_RULES
        try:
            verdicts, applied = self.apply(mapped, hold_red=hold)
        except Hl7Error as exc:  # unknown visit
            self._fail(receipt.message_id, exc, _sent(receipt, "AE"))
            return AckPlan("AE", (AckError.from_error(exc),))
        except Exception as exc:  # the rules failed: accept, visibly unchecked (fail open)
            log.error("message %d: rules failed (%s)", receipt.message_id, type(exc).__name__)
            self._fail(receipt.message_id, exc, "AA")
            return AckPlan("AA", (AckError(_RULES_DOWN, code=207, severity="W"),))
        plan = plan_for_verdicts(verdicts, receipt.policy) if hold else AckPlan("AA")
        self.messages.finish(receipt.message_id, MessageState.PROCESSED, ack_code=plan.code,
                             summary=summarise(mapped.visit_id, plan.code, verdicts,
                                               rule_pack=self.engine.rule_pack, applied=applied))
        self._notify(receipt.message_id, mapped, verdicts)
        return plan

    def apply(self, mapped: Mapped, *, hold_red: bool) -> tuple[list[Verdict], bool]:
        """Merge ``mapped`` into its visit, checking each item against the visit so far.

        :param hold_red: keep the visit unchanged when any verdict is red (the message is
            refused as a whole, so nothing of it applies).
        :return: the verdicts, and whether the visit was updated.
        :raises Hl7Error: for content about an unknown visit (PV1-19).
        """
        visit = admit(self.visits.get(mapped.visit_id), mapped)
        if visit is None:
            raise unknown_visit(mapped.visit_id)
        verdicts = []
        items = items_of(mapped)
        for item in items:
            visit = with_item(visit, item)
            verdicts.append(check_item(self.engine, item, visit))
        if hold_red and any(v.colour is Colour.RED for v in verdicts):
            return verdicts, False
        if items or mapped.visit is not None or mapped.patient is not None:
            self.visits.put(visit)
        return verdicts, True

    def recover(self) -> int:
        """Process the messages a crash left ``received``; return how many (no ACK is sent:
        their senders either had an AA already or will send them again)."""
        pending = self.messages.pending()
        for row in pending:
            if row.route == "fhir":
                from yibao_sdk.gateway.fhir import process_bundle  # it imports this module
                process_bundle(self, row.id, row.raw)
                continue
            policy = self.policy.for_route(row.route)
            try:
                message = parse_message(row.raw, encoding=policy.encoding)
            except Hl7Error as exc:
                self._fail(row.id, exc, None)
                continue
            self.process(Receipt(row.id, row.route, policy, message, None))
        return len(pending)

    def _notify(self, ident: int, mapped: Mapped, verdicts: Sequence[Verdict]) -> None:
        if self.after_verdicts is None:
            return
        try:
            self.after_verdicts(ident, mapped, verdicts)
        except Exception as exc:
            log.error("message %d: after_verdicts failed (%s)", ident, type(exc).__name__)

    def _refuse(self, receipt: Receipt, message: Message, exc: Exception,
                code: str | None = None) -> bytes:
        """Record a message that cannot be mapped; its reject (AR, or AE when ``code`` says)."""
        ack = code or receipt.policy.reject
        self._fail(receipt.message_id, exc, _sent(receipt, ack))
        error = AckError.from_error(exc) if isinstance(exc, Hl7Error) else AckError(
            str(exc)[:200] if isinstance(exc, InputError) else "application internal error")
        return self._ack(message, AckPlan("AE" if ack == "AE" else "AR", (error,)))

    def _fail(self, ident: int, exc: BaseException, ack: str | None) -> None:
        log.warning("message %d failed: %s", ident, type(exc).__name__)
        self.messages.finish(ident, MessageState.FAILED, ack_code=ack, summary=failure(exc, ack))

    def _reject(self, raw: bytes, error: Hl7Error, policy: RoutePolicy) -> bytes:
        text = build_reject(raw, error, code=policy.reject, encoding=policy.encoding)
        head = raw.lstrip(b"\x0b\xef\xbb\xbf \t\r\n")
        codec = to_codec(sniff_declared(head)) or to_codec(policy.encoding or "") or "utf-8"
        return text.encode(codec, errors="replace")


def _sent(receipt: Receipt, code: str) -> str:
    """The ACK code to record: on an ``after_store`` route the sender had an AA already."""
    return "AA" if receipt.policy.ack is AckMode.AFTER_STORE else code


def _ack_ids() -> Iterator[str]:
    """ACK control ids (MSH-10, at most 20 characters): a random prefix and a counter."""
    prefix = secrets.token_hex(4).upper()
    return (f"{prefix}{n:012d}" for n in itertools.count(1))
