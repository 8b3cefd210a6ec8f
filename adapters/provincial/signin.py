"""Operator sign-in (9001 签到): a cached ``sign_no`` per operator, renewed on expiry or after a
sign-related refusal (reference §5 "Sign-in state").

:class:`SignInCache` is thread-safe: concurrent calls of one operator share one 9001, other
operators are not held up. :class:`SignInDetails` builds the 9001 ``signIn`` node.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from .envelope import Operator
from .errors import ProvincialError
from .profiles import SignInPolicy
from .wire.signin import Input9001, Output9001, SignInData

__all__ = [
    "SignIn",
    "SignInCache",
    "SignInDetails",
    "SignInFailedError",
    "sign_in_input",
    "sign_no_of",
]

log = logging.getLogger(__name__)


class SignInFailedError(ProvincialError):
    """The operator could not sign in (9001 failed, see ``__cause__``): the call it was for
    was not sent."""


def _mac() -> str:
    node = uuid.getnode()
    return "-".join(f"{(node >> shift) & 0xFF:02X}" for shift in range(40, -1, -8))


@dataclass(frozen=True, slots=True)
class SignInDetails:
    """The workstation an operator signs in from (9001 ``mac``/``ip``)."""

    mac: str = ""
    """签到 MAC 地址, char 20 (``AA-BB-CC-DD-EE-FF``)."""
    ip: str = ""
    """签到 IP 地址, char 15."""

    @classmethod
    def local(cls, ip: str = "127.0.0.1") -> SignInDetails:
        """This machine's MAC address (as Python sees it) and ``ip``."""
        return cls(_mac(), ip)


def sign_in_input(operator: Operator, details: SignInDetails) -> Input9001:
    """The 9001 input for ``operator`` (``opter_no`` = ``opter``)."""
    return Input9001(sign_in=SignInData(opter_no=operator.opter, mac=details.mac, ip=details.ip))


def sign_no_of(output: object) -> str:
    """``sign_no`` from a 9001 output.

    :raises TypeError: not a 9001 output.
    """
    if not isinstance(output, Output9001):
        raise TypeError(f"9001 output is {type(output).__name__}, not Output9001")
    return output.signinoutb.sign_no


@dataclass(frozen=True, slots=True)
class SignIn:
    """A ``sign_no`` and when it was obtained."""

    sign_no: str = ""
    signed_at: datetime = datetime.min


class SignInCache:
    """``sign_no`` per operator.

    :param sign_in: performs 9001 for an operator and returns its ``sign_no``.
    :param policy: the profile's renewal policy (TTL).
    :param clock: China-local time now.
    """

    def __init__(self, sign_in: Callable[[Operator], str], policy: SignInPolicy, *,
                 clock: Callable[[], datetime]) -> None:
        self._sign_in = sign_in
        self.policy = policy
        self._clock = clock
        self._current: dict[str, SignIn] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def _lock(self, opter: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(opter, threading.Lock())

    def _valid(self, opter: str) -> SignIn | None:
        cached = self._current.get(opter)
        if cached is None or self.policy.expired(cached.signed_at, self._clock()):
            return None
        return cached

    def sign_no(self, operator: Operator) -> str:
        """The operator's ``sign_no``, signing in (9001) if none is cached or it expired."""
        cached = self._valid(operator.opter)
        if cached is not None:
            return cached.sign_no
        with self._lock(operator.opter):
            cached = self._valid(operator.opter)  # another thread may have signed in
            if cached is not None:
                return cached.sign_no
            signed_at = self._clock()
            sign_no = self._sign_in(operator)
            self._current[operator.opter] = SignIn(sign_no, signed_at)
            log.info("operator %s signed in (9001)", operator.opter)
            return sign_no

    def invalidate(self, operator: Operator, sign_no: str | None = None) -> None:
        """Forget the operator's ``sign_no`` (only if it is still ``sign_no``, when given), so
        the next call signs in again."""
        with self._lock(operator.opter):
            cached = self._current.get(operator.opter)
            if cached is not None and sign_no in (None, cached.sign_no):
                del self._current[operator.opter]
                log.info("operator %s: sign_no dropped, next call signs in again",
                         operator.opter)

    def cached(self, operator: Operator) -> SignIn | None:
        """The cached sign-in, expired or not."""
        return self._current.get(operator.opter)
