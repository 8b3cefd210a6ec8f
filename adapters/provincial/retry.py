"""The retry policy: the one place that decides whether a provincial call is sent again.

:func:`decide` is the only decision function; it logs its reason for every failed attempt and
every query result. :meth:`RetryPolicy.run` carries the decisions out with ``tenacity``
(exponential backoff with jitter, a new msgid and a fresh signature on every attempt):

===========  ==========================================  =======================================
class        what happened                               decision
===========  ==========================================  =======================================
any          success                                     return it
any          refusal (infcode != 0), output unreadable   raise: the outcome is known
safe         sign-in refused (first time)                RESIGN: renew 9001, resend once
check/rev.   sign-in refused                             raise (sign_no renewed for next call)
safe         not sent / timeout / reset / 5xx /          RESEND while attempts and time remain
             unverified reply
safe         gateway wrapper or malformed body (not 5xx) raise
check        not sent (connect failed)                   RESEND while attempts remain
check        outcome unknown, a query is known           QUERY; done → return it; not done →
                                                         RESEND; still unknown → raise, row
                                                         left ``unknown`` for recover()
check        outcome unknown, no query known             raise, row left ``unknown``
idempotent   outcome unknown (2601: keyed by omsgid)     RESEND while attempts remain
reverse      not sent (connect failed)                   raise, row ``failed``: never resent
reverse      outcome unknown                             RECOVER: 5203 query / 2601 reversal
===========  ==========================================  =======================================

Errors raised here when a query leaves the outcome open or shows the call did not happen::

    ReplyError
     ├── OutcomeUnknownError   nobody knows; the journal row stays ``unknown``: recover()
     └── CallNotDoneError      it did not take effect (``failed``/``reversed``): may redo
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol, TypeVar

from tenacity import RetryCallState, Retrying, stop_never, wait_exponential, wait_random

from .errors import ReplyError, SignInExpiredError
from .transactions import RetryClass
from .transport import TransportError

__all__ = [
    "Action",
    "CallNotDoneError",
    "CallOps",
    "CheckOutcome",
    "Decision",
    "OutcomeUnknownError",
    "RetryLimits",
    "RetryPolicy",
    "RetryState",
    "decide",
]

log = logging.getLogger(__name__)
R = TypeVar("R")
R_co = TypeVar("R_co", covariant=True)


class Action(StrEnum):
    """What :func:`decide` tells the caller to do."""

    RETURN = "return"
    RESEND = "resend"
    RESIGN = "resign"
    QUERY = "query"
    RECOVER = "recover"
    RAISE = "raise"


class CheckOutcome(StrEnum):
    """What a query (``check_with``) says about a call whose outcome was unknown."""

    DONE = "done"
    NOT_DONE = "not_done"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Decision:
    """An action and why."""

    action: Action
    reason: str


@dataclass(frozen=True, slots=True)
class RetryLimits:
    """Bounds on resends (per call, all attempts together)."""

    max_attempts: int = 3
    """Requests sent at most (the first one included)."""
    max_seconds: float = 30.0
    """No new attempt after this long since the first one."""
    initial_wait: float = 0.5
    """First backoff in seconds (doubles each time)."""
    max_wait: float = 8.0
    """Longest backoff."""
    jitter: float = 0.5
    """Random extra wait, up to this many seconds."""


@dataclass(frozen=True, slots=True)
class RetryState:
    """What :func:`decide` knows about the call so far."""

    infno: str
    msgid: str
    attempts: int
    elapsed: float
    resigned: bool = False
    has_check: bool = False
    idempotent: bool = False


class OutcomeUnknownError(ReplyError):
    """A query could not tell whether the call took effect; its journal row stays
    ``unknown`` until :meth:`~.client.ProvincialClient.recover` resolves it."""


class CallNotDoneError(ReplyError):
    """The call did not take effect (a query found nothing, or it was reversed by 2601): the
    caller may send it again.

    :param reversed: ``True`` when a 2601 reversal undid it.
    """

    outcome_unknown = False

    def __init__(self, message: str, *, reversed: bool = False, infno: str = "",
                 msgid: str = "") -> None:
        self.reversed = reversed
        super().__init__(message, infno=infno, msgid=msgid)


def _budget(state: RetryState, limits: RetryLimits) -> str | None:
    """Why no further attempt is allowed, or ``None``."""
    if state.attempts >= limits.max_attempts:
        return f"{state.attempts} attempts made"
    if state.elapsed >= limits.max_seconds:
        return f"{state.elapsed:.1f} s spent"
    return None


def _resend(state: RetryState, limits: RetryLimits, why: str) -> Decision:
    spent = _budget(state, limits)
    if spent is not None:
        return Decision(Action.RAISE, f"{why}, but {spent}: giving up")
    return Decision(Action.RESEND, f"{why}: resend with a new msgid after backoff")


def _after_check(outcome: CheckOutcome, state: RetryState, limits: RetryLimits) -> Decision:
    if outcome is CheckOutcome.DONE:
        return Decision(Action.RETURN, "the query shows it took effect")
    if outcome is CheckOutcome.NOT_DONE:
        return _resend(state, limits, "the query shows nothing happened")
    return Decision(Action.RAISE, "the query cannot tell: left unknown for recover()")


def _unknown(retry_class: RetryClass, error: ReplyError, state: RetryState,
             limits: RetryLimits) -> Decision:
    if retry_class is RetryClass.REVERSE:
        return Decision(Action.RECOVER, "money-moving, never resent: resolve by 5203 or 2601")
    if state.idempotent:
        return _resend(state, limits, "outcome unknown, repeating it is harmless")
    if retry_class is RetryClass.CHECK:
        if state.has_check:
            return Decision(Action.QUERY, "outcome unknown: query before any retry")
        return Decision(Action.RAISE, "outcome unknown and no query can tell: left unknown")
    if isinstance(error, TransportError):
        return _resend(state, limits, "read-only call, connection error, timeout or 5xx")
    return Decision(Action.RAISE, "gateway or malformed reply: not a transient failure")


def _decide(retry_class: RetryClass, event: BaseException | CheckOutcome, state: RetryState,
            limits: RetryLimits) -> Decision:
    if isinstance(event, CheckOutcome):
        return _after_check(event, state, limits)
    if isinstance(event, SignInExpiredError):
        if retry_class is RetryClass.SAFE and not state.resigned:
            return Decision(Action.RESIGN, "sign-in refused: sign in again (9001), resend once")
        return Decision(Action.RAISE, "sign-in refused: not resent (sign_no is renewed)")
    if not isinstance(event, ReplyError):
        return Decision(Action.RAISE, "not a reply or transport failure")
    return _after_error(retry_class, event, state, limits)


def _after_error(retry_class: RetryClass, event: ReplyError, state: RetryState,
                 limits: RetryLimits) -> Decision:
    if isinstance(event, TransportError) and event.sent is False:
        if retry_class is RetryClass.REVERSE:
            return Decision(Action.RAISE, "never left, but money-moving calls are never resent")
        return _resend(state, limits, "the request never left")
    if not event.outcome_unknown:
        return Decision(Action.RAISE, "the platform answered: the outcome is known")
    return _unknown(retry_class, event, state, limits)


def _describe(event: BaseException | CheckOutcome) -> str:
    """The event without its message (which may quote personal data from the platform)."""
    if isinstance(event, CheckOutcome):
        return f"query: {event}"
    facts = [type(event).__name__]
    for attr in ("infcode", "status", "sent"):
        if hasattr(event, attr):
            facts.append(f"{attr}={getattr(event, attr)}")
    return " ".join(facts)


def decide(retry_class: RetryClass, event: BaseException | CheckOutcome, state: RetryState,
           limits: RetryLimits) -> Decision:
    """Decide what to do after a failed attempt or a query (the table in the module docstring)
    and log why.

    :param retry_class: the transaction's class under the profile.
    :param event: the attempt's exception, or a query's outcome.
    :param state: the call so far.
    :param limits: attempt and time bounds.
    """
    decision = _decide(retry_class, event, state, limits)
    level = logging.INFO if decision.action is Action.RESEND else logging.WARNING
    log.log(level, "%s %s attempt %d (%s): %s → %s: %s", state.msgid, state.infno,
            state.attempts, retry_class, _describe(event), decision.action, decision.reason)
    return decision


class CallOps(Protocol[R_co]):
    """What :meth:`RetryPolicy.run` needs from a call (the client implements it)."""

    infno: str
    has_check: bool
    idempotent: bool

    @property
    def msgid(self) -> str:
        """The msgid of the latest attempt ("" before the first)."""
        ...

    def send(self) -> R_co:
        """Build (new msgid), journal, sign and send one attempt."""
        ...

    def resign(self) -> None:
        """Renew the operator's sign-in before the next attempt."""
        ...

    def check(self, error: ReplyError) -> tuple[CheckOutcome, R_co | None]:
        """Query whether the latest attempt took effect (and its result if it did)."""
        ...

    def recover(self, error: ReplyError) -> R_co:
        """Resolve an unknown money-moving call (5203 / 2601); return or raise."""
        ...


@dataclass
class _Call:
    retry_class: RetryClass
    started: float
    attempts: int = 0
    resigned: bool = False
    last: tuple[BaseException, Decision] | None = field(default=None, repr=False)


class RetryPolicy:
    """Carries out :func:`decide`'s decisions.

    :param limits: attempt and time bounds.
    :param idempotent: infnos that may be repeated whatever happened (2601, keyed by omsgid).
    :param sleep: how to wait between attempts (tests pass a no-op).
    :param clock: monotonic seconds, for the time bound.
    """

    def __init__(self, limits: RetryLimits | None = None, *,
                 idempotent: frozenset[str] = frozenset({"2601"}),
                 sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits or RetryLimits()
        self.idempotent = idempotent
        self.sleep = sleep
        self._clock = clock
        self._backoff = wait_exponential(multiplier=self.limits.initial_wait,
                                         max=self.limits.max_wait) + \
            wait_random(0, self.limits.jitter)

    def run(self, retry_class: RetryClass, ops: CallOps[R]) -> R:
        """Send ``ops`` until success or until :func:`decide` says stop.

        :raises OutcomeUnknownError: a query left the outcome open.
        :raises CallNotDoneError: the query showed nothing happened and no attempt is left.
        :raises ProvincialError: whatever the last attempt raised, when not resent.
        """
        call = _Call(retry_class, self._clock())
        while True:
            try:
                return self._attempts(call, ops)
            except ReplyError as exc:
                decision = call.last[1] if call.last and call.last[0] is exc else None
                if decision is None or decision.action is Action.RAISE:
                    raise
                if decision.action is Action.RECOVER:
                    return ops.recover(exc)
                outcome, value = ops.check(exc)
                after = decide(retry_class, outcome, self._state(call, ops), self.limits)
                if after.action is Action.RETURN and value is not None:
                    return value
                if after.action is not Action.RESEND:
                    raise self._unresolved(outcome, exc) from exc

    def _state(self, call: _Call, ops: CallOps[Any]) -> RetryState:
        return RetryState(ops.infno, ops.msgid, call.attempts, self._clock() - call.started,
                          call.resigned, ops.has_check, ops.idempotent)

    def _attempts(self, call: _Call, ops: CallOps[R]) -> R:
        """Attempts until success or a decision other than RESEND/RESIGN (then raises)."""

        def again(attempt: RetryCallState) -> bool:
            error = attempt.outcome.exception() if attempt.outcome else None
            if error is None:
                return False
            decision = decide(call.retry_class, error, self._state(call, ops), self.limits)
            call.last = (error, decision)
            if decision.action is Action.RESIGN:
                ops.resign()
                call.resigned = True
            return decision.action in (Action.RESEND, Action.RESIGN)

        def wait(attempt: RetryCallState) -> float:
            resign = call.last is not None and call.last[1].action is Action.RESIGN
            return 0.0 if resign else self._backoff(attempt)

        def send() -> R:
            call.attempts += 1
            return ops.send()

        retrying = Retrying(retry=again, wait=wait, stop=stop_never, sleep=self.sleep,
                            reraise=True)
        return retrying(send)

    @staticmethod
    def _unresolved(outcome: CheckOutcome, error: ReplyError) -> ReplyError:
        if outcome is CheckOutcome.NOT_DONE:
            return CallNotDoneError("did not take effect (query) and no attempt is left",
                                    infno=error.infno, msgid=error.msgid)
        return OutcomeUnknownError("outcome still unknown after the query: the journal row "
                                   "stays unknown until recover()", infno=error.infno,
                                   msgid=error.msgid)
