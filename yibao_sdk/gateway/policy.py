"""ACK policy (应答策略) per route, and the ACK content a set of verdicts calls for.

A *route* is a listener (``his``, ``lis``, ``pacs``) or, when :attr:`AckPolicy.receivers`
names it, the receiving application in MSH-5. Each route answers in one of two modes:

============  =====================================================================
mode          the ACK
============  =====================================================================
after_store   AA as soon as the message is parsed and stored; routing, merging and
              the rules run after the ACK left (findings go to the store only)
after_rules   after the rules ran: red → AE with one ERR (severity E) per blocking
              finding carrying its rule id and Chinese message; yellow → AA with a
              warning ERR (severity W) per finding, or MSA-3 text when
              ``yellow="text"``; green → AA
============  =====================================================================

In both modes input that does not parse is stored as failed and answered with ``reject``
(AR by default, AE if configured) naming the problem; in ``after_rules`` mode a message that
parses but cannot be mapped, or concerns an unknown visit, is answered the same way (AE for an
unknown visit, naming PV1-19).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

from yibao_sdk.hl7v2 import AckError
from yibao_sdk.hl7v2.ack import AckCode
from yibao_sdk.rules.findings import Colour, Severity, Verdict

__all__ = ["AckMode", "AckPlan", "AckPolicy", "RoutePolicy", "plan_for_verdicts"]


class AckMode(StrEnum):
    """When a route's ACK is sent."""

    AFTER_STORE = "after_store"
    """AA once stored; the rules run afterwards."""
    AFTER_RULES = "after_rules"
    """The ACK reflects the rules' verdicts (AE for red)."""


@dataclass(frozen=True, slots=True)
class RoutePolicy:
    """How one route is answered.

    :param ack: :class:`AckMode`.
    :param reject: the code for input that cannot be parsed or mapped (``AR`` or ``AE``).
    :param yellow: ``"warning"``: one ERR (severity W) per warning; ``"text"``: MSA-3 text.
    :param encoding: the peer's character set when MSH-18 is empty (e.g. ``GB18030``).
    """

    ack: AckMode = AckMode.AFTER_RULES
    reject: Literal["AR", "AE"] = "AR"
    yellow: Literal["warning", "text"] = "warning"
    encoding: str | None = None


@dataclass(frozen=True, slots=True)
class AckPolicy:
    """The policy of every route.

    :param default: for routes not in ``routes``.
    :param routes: per route name.
    :param receivers: MSH-5 receiving application → route name, for one listener serving
        several applications.
    """

    default: RoutePolicy = RoutePolicy()
    routes: Mapping[str, RoutePolicy] = field(default_factory=dict)
    receivers: Mapping[str, str] = field(default_factory=dict)

    def route_for(self, listener: str, receiving_application: str = "") -> str:
        """The route of a message: MSH-5's mapping if any, else the listener's name."""
        return self.receivers.get(receiving_application, listener)

    def for_route(self, route: str) -> RoutePolicy:
        """The policy of ``route``."""
        return self.routes.get(route, self.default)


@dataclass(frozen=True, slots=True)
class AckPlan:
    """What an ACK says: MSA-1, the ERR segments and MSA-3 text."""

    code: AckCode
    errors: tuple[AckError, ...] = ()
    text: str = ""


def _colour(verdicts: Iterable[Verdict]) -> Colour:
    colours = {v.colour for v in verdicts}
    if Colour.RED in colours:
        return Colour.RED
    return Colour.YELLOW if Colour.YELLOW in colours else Colour.GREEN


def plan_for_verdicts(verdicts: Iterable[Verdict], policy: RoutePolicy) -> AckPlan:
    """The ACK for the verdicts of one message under ``policy`` (``after_rules`` mode)."""
    kept = tuple(verdicts)
    colour = _colour(kept)
    findings = [f for v in kept for f in v.findings]
    if colour is Colour.RED:
        errors = [AckError(f.message, rule_id=f.rule_id,
                           severity="E" if f.severity is Severity.BLOCK else "W")
                  for f in findings if f.severity is not Severity.INFO]
        return AckPlan("AE", tuple(errors))
    warnings = [f for f in findings if f.severity is Severity.WARN]
    if not warnings:
        return AckPlan("AA")
    if policy.yellow == "text":
        return AckPlan("AA", text="; ".join(f"{f.rule_id}: {f.message}" for f in warnings))
    return AckPlan("AA", tuple(AckError(f.message, rule_id=f.rule_id, severity="W")
                               for f in warnings))
