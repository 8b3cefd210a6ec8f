"""Freshness checks shared by every scheme: timestamp tolerance and nonce replay protection.

Verifiers check in this order: headers present → timestamp within tolerance → signature
(constant time) → nonce not seen before. A nonce is remembered only once its signature has
verified, so unsigned garbage cannot fill the cache; it needs remembering only for the
tolerance window, because anything older is refused by its timestamp.
"""

from __future__ import annotations

import hmac
import threading
from typing import Protocol, runtime_checkable

from .errors import SignatureError

__all__ = ["MemoryNonceCache", "NonceCache", "check_timestamp", "constant_time_equal"]


def constant_time_equal(expected: str, presented: str) -> bool:
    """``expected == presented`` in time independent of where they differ (UTF-8 compared)."""
    return hmac.compare_digest(expected.encode("utf-8"), presented.encode("utf-8"))


def check_timestamp(timestamp_s: float, *, now: float, tolerance_s: float, what: str) -> None:
    """Refuse a timestamp more than ``tolerance_s`` seconds away from ``now`` (either side).

    :param what: where the timestamp came from, for the message (e.g. ``"x-tif-timestamp"``).
    :raises SignatureError: outside the tolerance (stale, or from the future).
    """
    skew = timestamp_s - now
    if abs(skew) > tolerance_s:
        direction = "ahead of" if skew > 0 else "behind"
        raise SignatureError(
            f"{what} is {abs(skew):.0f} s {direction} the verifier's clock "
            f"(tolerance {tolerance_s:g} s): stale or replayed request, or clock skew"
        )


@runtime_checkable
class NonceCache(Protocol):
    """Remembers nonces seen within their validity window (replay protection hook).

    A shared implementation (Redis ``SET NX EX``, a database table with a unique key) lets
    several platform instances refuse each other's replays; :class:`MemoryNonceCache` serves
    one process.
    """

    def add_if_new(self, key: str, *, expires_at: float, now: float) -> bool:
        """Record ``key`` until ``expires_at``; ``False`` when it is already recorded (a replay)
        or cannot be recorded (fail closed)."""
        ...


class MemoryNonceCache:
    """Thread-safe in-memory :class:`NonceCache`.

    :param max_entries: bound on remembered nonces; when it is reached after dropping expired
        ones, new nonces are refused (fail closed) rather than old ones forgotten.
    """

    def __init__(self, max_entries: int = 1_000_000) -> None:
        self._max = max_entries
        self._seen: dict[str, float] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._seen)

    def add_if_new(self, key: str, *, expires_at: float, now: float) -> bool:
        """See :meth:`NonceCache.add_if_new`."""
        with self._lock:
            known = self._seen.get(key)
            if known is not None and known > now:
                return False
            if len(self._seen) >= self._max:
                self._seen = {k: t for k, t in self._seen.items() if t > now}
                if len(self._seen) >= self._max:
                    return False
            self._seen[key] = expires_at
            return True


def remember(
    cache: NonceCache | None, key: str, *, now: float, tolerance_s: float, what: str
) -> None:
    """Record ``key`` in ``cache`` for the tolerance window, refusing a replay.

    :raises SignatureError: ``key`` was seen before (or the cache is full).
    """
    if cache is not None and not cache.add_if_new(
        key, expires_at=now + 2 * tolerance_s, now=now
    ):
        raise SignatureError(f"{what} was already used: replayed request")
