"""Resolving unknown outcomes: a 5203 query, then a 2601 reversal (冲正), per journal row.

For a money-moving (``reverse``-class) call whose outcome is unknown, the steps of the
profile's :class:`RecoveryPolicy` run in order (query first by default):

1. **query** (:class:`~.checks.SettlementCheck`, 5203): the platform has it → ``confirmed_by_
   query`` (the caller gets the settlement); anything else → next step. "Not found" is not
   taken as final while a reversal step follows (``fence_not_found``): a request delayed in
   the network could still commit after the query, so the reversal fences it first.
2. **reverse**: 2601 with ``omsgid`` = the call's msgid and ``oinfno`` = its infno, itself
   journalled and repeated while its own outcome is unknown (idempotent by ``omsgid``) →
   ``reversed``; a refusal saying the original does not exist → ``failed``.

Once a reversal has been sent for a call, recovery only ever finishes that reversal: a query
cannot tell whether a reversal in flight will still land. A call that stays unknown keeps its
journal row ``unknown`` (and its visit blocked) for the next :meth:`Recoverer.recover_all` or
an operator. ``check``-class leftovers are resolved by their query (``failed`` when it shows
nothing happened); they are never resent by recovery, because the caller's intent is gone.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Protocol

from yibao_sdk.store.journal import Journal, JournalEntry, JournalState

from .checks import Check, SettlementCheck
from .envelope import Operator
from .errors import PlatformError, ProvincialError
from .profiles import ProvinceProfile
from .reply import Reply
from .retry import CheckOutcome

__all__ = [
    "RECOVERY_POLICIES",
    "Exchanger",
    "Recoverer",
    "RecoveryPolicy",
    "RecoveryStep",
    "Resolution",
    "recovery_policy_for",
]

log = logging.getLogger(__name__)
_S = JournalState


class RecoveryStep(StrEnum):
    """One way of resolving an unknown money-moving call."""

    QUERY = "query"
    REVERSE = "reverse"


@dataclass(frozen=True, slots=True)
class RecoveryPolicy:
    """How a province's unknown outcomes are resolved.

    :param order: steps in order: ``(query, reverse)`` (default), ``(reverse,)`` (always
        reverse) or ``(query,)`` (leave what the query cannot tell to an operator).
    :param not_found_markers: ``err_msg`` fragments of a 5203/2601 refusal meaning "no such
        settlement / original transaction" ([U] wording).
    :param settle_delay_s: wait before the first step, so a platform still working on the
        request has finished (a query too early would say "not found").
    :param query_setl_id: 5203 ``setl_id`` for a settlement whose id is unknown
        (:class:`~.checks.SettlementCheck` ``setl_id_when_unknown``; ``None``: by visit).
    :param fence_not_found: after a 5203 "not found", send the 2601 reversal anyway before the
        call counts as not done, so an original still in flight is refused when it arrives
        (the platform keeps the reversed msgid); without it a delayed original could commit
        after the caller settled again.
    """

    order: tuple[RecoveryStep, ...] = (RecoveryStep.QUERY, RecoveryStep.REVERSE)
    not_found_markers: tuple[str, ...] = ("未查询到", "未找到", "无结算", "原交易不存在",
                                          "不存在")
    settle_delay_s: float = 2.0
    query_setl_id: str | None = None
    fence_not_found: bool = True

    def __post_init__(self) -> None:
        if not self.order or len(set(self.order)) != len(self.order):
            raise ValueError(f"recovery order {self.order!r}: give each step once")

    def not_found(self, err_msg: str) -> bool:
        """True if ``err_msg`` says the record does not exist."""
        return any(marker in err_msg for marker in self.not_found_markers)


RECOVERY_POLICIES: Mapping[str, RecoveryPolicy] = MappingProxyType({})
"""Recovery policies by profile name; a profile not listed is query-first."""


def recovery_policy_for(profile: ProvinceProfile) -> RecoveryPolicy:
    """The recovery policy of ``profile`` (:data:`RECOVERY_POLICIES`, else the default)."""
    return RECOVERY_POLICIES.get(profile.name, RecoveryPolicy())


@dataclass(frozen=True, slots=True)
class Resolution:
    """Where a journalled call ended up after recovery."""

    msgid: str
    infno: str
    state: JournalState
    detail: str
    reply: Reply | None = field(default=None, repr=False)
    """For ``confirmed_by_query``: the call's answer rebuilt from the query."""


class Exchanger(Protocol):
    """What recovery needs from the client's call machinery."""

    def check(self, entry: JournalEntry, fallback: Check | None = None, *,
              record_not_done: bool = True) -> tuple[CheckOutcome, Reply | None]:
        """Run the entry's check (else ``fallback``) and record its outcome in the journal."""
        ...

    def reverse_call(self, original: JournalEntry, operator: Operator | None = None) -> Reply:
        """Send (journalled, repeated while unknown) 2601 for ``original``."""
        ...


class Recoverer:
    """Resolves unknown and crash-left journal rows.

    :param exchange: the client's call machinery.
    :param journal: the journal.
    :param policy: the province's recovery policy.
    :param sleep: how to wait (tests pass a no-op).
    """

    def __init__(self, exchange: Exchanger, journal: Journal, policy: RecoveryPolicy, *,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.exchange = exchange
        self.journal = journal
        self.policy = policy
        self._sleep = sleep
        self._settlement = SettlementCheck(policy.query_setl_id)

    def recover_all(self, skip: Callable[[JournalEntry], bool] = lambda entry: False
                    ) -> tuple[Resolution, ...]:
        """Resolve every ``pending``, ``sent`` and ``unknown`` row but those ``skip`` names
        (calls still in progress somewhere)."""
        results = []
        for row in self.journal.unresolved():
            fresh = self.journal.by_msgid(row.msgid)  # an earlier step may have settled it
            if fresh is not None and fresh.open and not skip(fresh):
                results.append(self.resolve(fresh))
        return tuple(results)

    def resolve(self, entry: JournalEntry) -> Resolution:
        """Resolve one row (``pending``/``sent`` rows are first marked ``unknown``)."""
        entry = self._unknown(entry)
        if entry.omsgid is not None:
            result = self._resolve_reversal_row(entry)
        elif entry.retry_class == "reverse":
            result = self._resolve_money(entry)
        else:
            result = self._resolve_check(entry)
        log.warning("%s %s resolved: %s (%s)", result.msgid, result.infno, result.state,
                    result.detail)
        return result

    def reverse(self, entry: JournalEntry, operator: Operator | None = None) -> Resolution:
        """Reverse a journalled call now (operator's 冲正), whatever its state allows."""
        return self._reverse(entry, operator) or self._result(entry, "2601 not confirmed")

    def _unknown(self, entry: JournalEntry) -> JournalEntry:
        if entry.state in (_S.PENDING, _S.SENT):
            return self.journal.advance(entry.msgid, _S.UNKNOWN,
                                        detail=f"left {entry.state} (crash): may have been sent")
        return entry

    def _result(self, entry: JournalEntry, detail: str, reply: Reply | None = None
                ) -> Resolution:
        fresh = self.journal.by_msgid(entry.msgid) or entry
        return Resolution(fresh.msgid, fresh.infno, fresh.state, detail, reply)

    def _resolve_money(self, entry: JournalEntry) -> Resolution:
        steps = self.policy.order
        if self.journal.reversals_of(entry.msgid):
            steps = (RecoveryStep.REVERSE,)  # finish a reversal already under way
        self._sleep(self.policy.settle_delay_s)
        for step in steps:
            found = self._query(entry) if step is RecoveryStep.QUERY else self._reverse(entry)
            if found is not None:
                return found
        return self._result(entry, "still unknown: resolve with 5203/3202 or an operator")

    def _query(self, entry: JournalEntry) -> Resolution | None:
        fence = self.policy.fence_not_found and RecoveryStep.REVERSE in self.policy.order
        outcome, reply = self.exchange.check(entry, self._settlement, record_not_done=not fence)
        if outcome is CheckOutcome.UNKNOWN or (outcome is CheckOutcome.NOT_DONE and fence):
            return None
        return self._result(entry, f"5203: {outcome}", reply)

    def _reverse(self, entry: JournalEntry, operator: Operator | None = None
                 ) -> Resolution | None:
        try:
            self.exchange.reverse_call(entry, operator)
        except PlatformError as exc:
            if not self.policy.not_found(exc.err_msg):
                return None
            if entry.state is _S.UNKNOWN:
                self.journal.advance(entry.msgid, _S.FAILED, detail="2601: no such original")
            self._close_reversals(entry.msgid, _S.FAILED)
            return self._result(entry, "2601: the platform has no such transaction")
        except ProvincialError:
            return None
        self.journal.advance(entry.msgid, _S.REVERSED, detail="2601 reversal confirmed")
        self._close_reversals(entry.msgid, _S.CONFIRMED_BY_QUERY)
        return self._result(entry, "2601 reversal confirmed")

    def _close_reversals(self, omsgid: str, state: JournalState) -> None:
        """Settle earlier 2601 rows of ``omsgid`` whose own outcome stayed open."""
        for row in self.journal.reversals_of(omsgid):
            if row.open:
                self._unknown(row)
                self.journal.advance(row.msgid, state, detail=f"reversal of {omsgid}: {state}")

    def _resolve_reversal_row(self, entry: JournalEntry) -> Resolution:
        original = self.journal.by_msgid(entry.omsgid or "")
        if original is None:
            return self._result(entry, "reverses a call not in this journal: left to an operator")
        if original.open or original.state in (_S.CONFIRMED, _S.CONFIRMED_BY_QUERY):
            self._reverse(self._unknown(original))
        self._settle_by_original(entry)
        return self._result(entry, f"follows {original.msgid}")

    def _settle_by_original(self, entry: JournalEntry) -> None:
        original = self.journal.by_msgid(entry.omsgid or "")
        current = self.journal.by_msgid(entry.msgid)
        if original is None or current is None or not current.open:
            return
        if original.state is _S.REVERSED:
            self.journal.advance(entry.msgid, _S.CONFIRMED_BY_QUERY, detail="original reversed")
        elif original.state is _S.FAILED:
            self.journal.advance(entry.msgid, _S.FAILED, detail="original did not take effect")

    def _resolve_check(self, entry: JournalEntry) -> Resolution:
        outcome, reply = self.exchange.check(entry)
        return self._result(entry, f"query: {outcome}", reply)
