"""The retry decision table (one function, which logs its reason) and the loop that carries
it out: backoff between attempts, bounded attempts and time, query before retry."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import pytest

from yibao_sdk.adapters.provincial.errors import (
    EnvelopeError,
    GatewayError,
    MalformedReplyError,
    OutputValidationError,
    PlatformError,
    ReplyError,
    SignInExpiredError,
)
from yibao_sdk.adapters.provincial.retry import (
    Action,
    CallNotDoneError,
    CheckOutcome,
    OutcomeUnknownError,
    RetryLimits,
    RetryPolicy,
    RetryState,
    decide,
)
from yibao_sdk.adapters.provincial.transactions import RetryClass
from yibao_sdk.adapters.provincial.transport import (
    ConnectError,
    ConnectionLostError,
    ReadTimeoutError,
    ServerError,
    UnverifiedReplyError,
)

SAFE, CHECK, REV = RetryClass.SAFE, RetryClass.CHECK, RetryClass.REVERSE
LIMITS = RetryLimits(max_attempts=3, max_seconds=30)
NOT_SENT = ConnectError("refused", sent=False)
TIMEOUT = ReadTimeoutError("read timeout", sent=None)
RESET = ConnectionLostError("reset", sent=None)
BAD_GATEWAY = ServerError("HTTP 502", status=502)
TAMPERED = UnverifiedReplyError("bad signature", sent=True)
REFUSED = PlatformError(-1, "参数错误")
SIGN = SignInExpiredError(-1, "签到信息已失效")
WRAPPER = GatewayError("gateway code 999", status=200)
GARBLED = MalformedReplyError("not JSON")
UNREADABLE = OutputValidationError("Output2201", [("data", "missing")], envelope={})


def _state(attempts: int = 1, **kw: Any) -> RetryState:
    return RetryState("2207", "M" * 30, attempts, 0.5, **kw)


@pytest.mark.parametrize(("retry_class", "event", "action", "state"), [
    (SAFE, TIMEOUT, Action.RESEND, {}),
    (SAFE, RESET, Action.RESEND, {}),
    (SAFE, BAD_GATEWAY, Action.RESEND, {}),
    (SAFE, NOT_SENT, Action.RESEND, {}),
    (SAFE, TAMPERED, Action.RESEND, {}),
    (SAFE, TIMEOUT, Action.RAISE, {"attempts": 3}),
    (SAFE, WRAPPER, Action.RAISE, {}),
    (SAFE, GARBLED, Action.RAISE, {}),
    (SAFE, REFUSED, Action.RAISE, {}),
    (SAFE, SIGN, Action.RESIGN, {}),
    (SAFE, SIGN, Action.RAISE, {"resigned": True}),
    (CHECK, NOT_SENT, Action.RESEND, {}),
    (CHECK, TIMEOUT, Action.QUERY, {"has_check": True}),
    (CHECK, BAD_GATEWAY, Action.QUERY, {"has_check": True}),
    (CHECK, GARBLED, Action.QUERY, {"has_check": True}),
    (CHECK, TIMEOUT, Action.RAISE, {}),
    (CHECK, TIMEOUT, Action.RESEND, {"idempotent": True}),
    (CHECK, TIMEOUT, Action.RAISE, {"idempotent": True, "attempts": 3}),
    (CHECK, REFUSED, Action.RAISE, {"has_check": True}),
    (CHECK, SIGN, Action.RAISE, {}),
    (CHECK, UNREADABLE, Action.RAISE, {"has_check": True}),
    (REV, NOT_SENT, Action.RAISE, {}),
    (REV, TIMEOUT, Action.RECOVER, {}),
    (REV, RESET, Action.RECOVER, {}),
    (REV, BAD_GATEWAY, Action.RECOVER, {}),
    (REV, TAMPERED, Action.RECOVER, {}),
    (REV, WRAPPER, Action.RECOVER, {}),
    (REV, GARBLED, Action.RECOVER, {}),
    (REV, REFUSED, Action.RAISE, {}),
    (REV, SIGN, Action.RAISE, {}),
    (REV, UNREADABLE, Action.RAISE, {}),
    (REV, EnvelopeError("bad input"), Action.RAISE, {}),
    (REV, ValueError("bug"), Action.RAISE, {}),
    (CHECK, CheckOutcome.DONE, Action.RETURN, {}),
    (CHECK, CheckOutcome.NOT_DONE, Action.RESEND, {}),
    (CHECK, CheckOutcome.NOT_DONE, Action.RAISE, {"attempts": 3}),
    (CHECK, CheckOutcome.UNKNOWN, Action.RAISE, {}),
])
def test_decision_table(retry_class: RetryClass, event: BaseException | CheckOutcome,
                        action: Action, state: dict[str, Any]) -> None:
    assert decide(retry_class, event, _state(**state), LIMITS).action is action


def test_the_time_bound_stops_resending() -> None:
    late = RetryState("1101", "M", 1, 31.0)
    assert decide(SAFE, TIMEOUT, late, LIMITS).action is Action.RAISE


def test_every_decision_is_logged_with_its_reason_but_no_message_text(
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    decide(REV, PlatformError(-1, "张三丰 110101199003078515 未参保"), _state(), LIMITS)
    decide(REV, TIMEOUT, _state(), LIMITS)
    lines = [r.getMessage() for r in caplog.records]
    assert "PlatformError infcode=-1 → raise: the platform answered" in lines[0]
    assert "ReadTimeoutError sent=None → recover: money-moving, never resent" in lines[1]
    assert all("张三丰" not in line and "110101" not in line for line in lines)


@dataclass
class FakeOps:
    """Scripted :class:`CallOps`: each send pops an outcome (an exception or a value)."""

    outcomes: list[Any]
    infno: str = "2201"
    has_check: bool = False
    idempotent: bool = False
    checks: list[CheckOutcome] = field(default_factory=list)
    sent: int = 0
    resigned: int = 0
    recovered: int = 0

    @property
    def msgid(self) -> str:
        return f"M{self.sent:029d}"

    def send(self) -> str:
        self.sent += 1
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, BaseException):
            raise outcome
        return str(outcome)

    def resign(self) -> None:
        self.resigned += 1

    def check(self, error: ReplyError) -> tuple[CheckOutcome, str | None]:
        outcome = self.checks.pop(0)
        return outcome, "found" if outcome is CheckOutcome.DONE else None

    def recover(self, error: ReplyError) -> str:
        self.recovered += 1
        return "recovered"


def _policy(waits: list[float], **kw: Any) -> RetryPolicy:
    return RetryPolicy(RetryLimits(max_attempts=4, initial_wait=0.5, max_wait=2.0, jitter=0.1),
                       sleep=waits.append, **kw)


def test_safe_calls_back_off_exponentially_with_jitter_then_succeed() -> None:
    waits: list[float] = []
    ops = FakeOps([TIMEOUT, BAD_GATEWAY, RESET, "ok"], infno="1101")
    assert _policy(waits).run(SAFE, ops) == "ok"
    assert ops.sent == 4
    assert all(base <= w <= base + 0.1 for w, base in zip(waits, (0.5, 1.0, 2.0), strict=True))


def test_safe_calls_give_up_after_the_attempt_bound() -> None:
    ops = FakeOps([TIMEOUT] * 10, infno="1101")
    with pytest.raises(ReadTimeoutError):
        _policy([]).run(SAFE, ops)
    assert ops.sent == 4


def test_a_sign_error_renews_sign_in_once_without_waiting() -> None:
    waits: list[float] = []
    ops = FakeOps([SIGN, SIGN, "ok"], infno="1101")
    with pytest.raises(SignInExpiredError):
        _policy(waits).run(SAFE, ops)
    assert (ops.sent, ops.resigned, waits) == (2, 1, [0.0])


def test_check_calls_query_before_resending() -> None:
    ops = FakeOps([TIMEOUT, "ok"], has_check=True, checks=[CheckOutcome.NOT_DONE])
    assert _policy([]).run(CHECK, ops) == "ok"
    assert ops.sent == 2
    done = FakeOps([TIMEOUT], has_check=True, checks=[CheckOutcome.DONE])
    assert _policy([]).run(CHECK, done) == "found"
    assert done.sent == 1


def test_check_calls_stop_when_the_query_cannot_tell_or_attempts_run_out() -> None:
    ops = FakeOps([TIMEOUT], has_check=True, checks=[CheckOutcome.UNKNOWN])
    with pytest.raises(OutcomeUnknownError):
        _policy([]).run(CHECK, ops)
    many = FakeOps([TIMEOUT] * 4, has_check=True, checks=[CheckOutcome.NOT_DONE] * 4)
    with pytest.raises(CallNotDoneError) as caught:
        _policy([]).run(CHECK, many)
    assert many.sent == 4 and caught.value.outcome_unknown is False


def test_reverse_calls_are_sent_once_and_recovered() -> None:
    ops = FakeOps([TIMEOUT, "never"], infno="2207")
    assert _policy([]).run(REV, ops) == "recovered"
    assert (ops.sent, ops.recovered) == (1, 1)
    unsent = FakeOps([NOT_SENT, "never"], infno="2207")
    with pytest.raises(ConnectError):
        _policy([]).run(REV, unsent)
    assert (unsent.sent, unsent.recovered) == (1, 0)
