"""Fault injection: what the mock platform does wrong on purpose, and a record of what it did.

==================  ================  ==========================================================
kind                when              what the client sees
==================  ================  ==========================================================
``latency``         before processing the reply comes ``delay`` seconds late; the request is
                                      still processed (a client that timed out does not know
                                      the outcome)
``http_5xx``        before processing HTTP ``status`` (503) with an HTML page; nothing happened
``request_lost``    before reading    the connection is reset (RST) before the body is read:
                    the body          the request never took effect
``reply_lost``      after commit      the request took effect, then the socket is closed
                                      without an answer
``malformed``       after commit      the request took effect, then HTTP 200 with a truncated,
                                      unparsable body
==================  ================  ==========================================================

A :class:`FaultRule` applies to one ``infno`` or to all (``infno=None``), with a
``probability`` drawn from the plan's seeded RNG and/or for the next ``times`` matching calls.
With a dispatcher URL the infno is only in the body, so a ``request_lost`` rule for one infno
reads the body to find it, then resets without processing it (a global rule resets before
reading anything). Tests change the plan at runtime (``mock.faults.next("2207",
FaultKind.REPLY_LOST)``); the CLI loads one from JSON or TOML (:meth:`FaultPlan.load`)::

    {"seed": 7, "rules": [{"kind": "latency", "infno": "2207", "probability": 0.1, "delay": 2},
                          {"kind": "reply_lost", "infno": "2207", "times": 1}]}

Every injected fault is appended to :attr:`FaultPlan.events`.
"""

from __future__ import annotations

import random
import threading
import time
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from .. import jsonwire

__all__ = ["FaultEvent", "FaultKind", "FaultPlan", "FaultRule", "FaultStage"]


class FaultKind(StrEnum):
    """What goes wrong (see the module docstring)."""

    LATENCY = "latency"
    HTTP_5XX = "http_5xx"
    REQUEST_LOST = "request_lost"
    REPLY_LOST = "reply_lost"
    MALFORMED = "malformed"


class FaultStage(StrEnum):
    """Where in a request a fault is drawn."""

    BEFORE_READ = "before_read"
    BEFORE_PROCESS = "before_process"
    AFTER_COMMIT = "after_commit"


_STAGE = {FaultKind.LATENCY: FaultStage.BEFORE_PROCESS,
          FaultKind.HTTP_5XX: FaultStage.BEFORE_PROCESS,
          FaultKind.REQUEST_LOST: FaultStage.BEFORE_READ,
          FaultKind.REPLY_LOST: FaultStage.AFTER_COMMIT,
          FaultKind.MALFORMED: FaultStage.AFTER_COMMIT}


@dataclass(slots=True)
class FaultRule:
    """One fault to inject.

    :param kind: what goes wrong.
    :param infno: only calls of this transaction; ``None``: every call.
    :param probability: chance per matching call (drawn from the plan's seeded RNG).
    :param times: fire for the next ``times`` matching calls only; ``None``: no limit.
    :param delay: seconds of ``latency``.
    :param status: HTTP status of ``http_5xx``.
    """

    kind: FaultKind
    infno: str | None = None
    probability: float = 1.0
    times: int | None = None
    delay: float = 0.0
    status: int = 503
    fired: int = 0
    """How often the rule has fired so far."""

    def __post_init__(self) -> None:
        self.kind = FaultKind(self.kind)
        self.probability, self.delay = float(self.probability), float(self.delay)
        self.status = int(self.status)
        if not 0.0 <= self.probability <= 1.0:
            raise ValueError(f"probability {self.probability} is not within 0..1")
        if self.times is not None and self.times < 0:
            raise ValueError("times must be >= 0")
        if self.kind is FaultKind.HTTP_5XX and not 500 <= self.status <= 599:
            raise ValueError(f"status {self.status} is not a 5xx status")

    @property
    def stage(self) -> FaultStage:
        """Where the rule is drawn."""
        return _STAGE[self.kind]

    @property
    def exhausted(self) -> bool:
        """True once a ``times`` rule has fired that often."""
        return self.times is not None and self.fired >= self.times


@dataclass(frozen=True, slots=True)
class FaultEvent:
    """A fault that was injected."""

    kind: FaultKind
    stage: FaultStage
    infno: str | None
    """The call's infno (``None`` when reset before the body named it)."""
    msgid: str | None
    """The call's msgid, when known (``None`` before the body is read)."""
    at: float = field(default_factory=time.time)
    """When (epoch seconds)."""


class FaultPlan:
    """The rules in force and the events so far; thread-safe, mutable at runtime.

    :param rules: initial rules.
    :param seed: seed of the RNG that draws probabilities (runs are reproducible).
    """

    def __init__(self, rules: Iterable[FaultRule] = (), *, seed: int = 0) -> None:
        self._rules = list(rules)
        self._rng = random.Random(seed)
        self._events: list[FaultEvent] = []
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"FaultPlan(rules={len(self._rules)}, events={len(self._events)})"

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> FaultPlan:
        """A plan from ``{"seed": n, "rules": [{"kind": …, …}, …]}``.

        :raises ValueError: an unknown kind or member, or a bad value.
        """
        rules = []
        for index, raw in enumerate(data.get("rules", [])):
            try:
                rules.append(FaultRule(**dict(raw)))
            except (TypeError, ValueError) as exc:
                raise ValueError(f"faults rules[{index}]: {exc}") from exc
        return cls(rules, seed=int(data.get("seed", 0)))

    @classmethod
    def load(cls, path: Path | str) -> FaultPlan:
        """A plan from a ``.json`` or ``.toml`` file (see :meth:`from_mapping`)."""
        path = Path(path)
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text) if path.suffix == ".toml" else jsonwire.loads(text)
        return cls.from_mapping(data)

    def add(self, rule: FaultRule) -> FaultRule:
        """Add ``rule``; returns it (its ``fired`` count shows its effect)."""
        with self._lock:
            self._rules.append(rule)
        return rule

    def next(self, infno: str | None, kind: FaultKind | str, *, times: int = 1,
             **options: Any) -> FaultRule:
        """Inject ``kind`` into the next ``times`` calls of ``infno`` (``None``: any call)."""
        return self.add(FaultRule(FaultKind(kind), infno, times=times, **options))

    def always(self, infno: str | None, kind: FaultKind | str, *, probability: float = 1.0,
               **options: Any) -> FaultRule:
        """Inject ``kind`` into calls of ``infno`` with ``probability`` until cleared."""
        return self.add(FaultRule(FaultKind(kind), infno, probability=probability, **options))

    def clear(self) -> None:
        """Remove every rule (events are kept)."""
        with self._lock:
            self._rules.clear()

    @property
    def rules(self) -> list[FaultRule]:
        """A copy of the rules."""
        with self._lock:
            return list(self._rules)

    @property
    def events(self) -> list[FaultEvent]:
        """A copy of the events, oldest first."""
        with self._lock:
            return list(self._events)

    def events_of(self, kind: FaultKind | str, infno: str | None = None) -> list[FaultEvent]:
        """The events of ``kind`` (and ``infno``, if given)."""
        wanted = FaultKind(kind)
        return [e for e in self.events
                if e.kind is wanted and (infno is None or e.infno == infno)]

    def draw(self, stage: FaultStage, infno: str | None, msgid: str | None, *,
             deferred: bool = False) -> list[FaultRule]:
        """The rules that fire now (at most one that ends the call, any number of latencies),
        recording an event for each.

        :param infno: the call's infno; ``None`` before the body is read (then only global
            rules are drawn, and per-infno ``request_lost`` rules wait for ``deferred``).
        :param deferred: draw the per-infno ``request_lost`` rules skipped at
            :attr:`FaultStage.BEFORE_READ` because the infno was not known yet.
        """
        fired: list[FaultRule] = []
        with self._lock:
            for rule in self._rules:
                if not self._matches(rule, stage, infno, deferred) or rule.exhausted:
                    continue
                ends_call = rule.kind is not FaultKind.LATENCY
                if ends_call and any(r.kind is not FaultKind.LATENCY for r in fired):
                    continue
                if rule.probability >= 1.0 or self._rng.random() < rule.probability:
                    rule.fired += 1
                    fired.append(rule)
                    self._events.append(FaultEvent(rule.kind, stage, infno, msgid))
        return fired

    @staticmethod
    def _matches(rule: FaultRule, stage: FaultStage, infno: str | None, deferred: bool) -> bool:
        if deferred:  # per-infno request_lost, drawn once the body has named the infno
            return rule.kind is FaultKind.REQUEST_LOST and rule.infno is not None \
                and rule.infno == infno
        if rule.stage is not stage:
            return False
        if rule.infno is None:
            return True
        return infno is not None and rule.infno == infno
