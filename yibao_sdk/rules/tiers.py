"""Grey-list tiers (医保灰名单) from points scored in a natural year (the 12-point system)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from yibao_sdk.models.practitioner import GreyListTier
from yibao_sdk.rules.spec import RegisteredRule
from yibao_sdk.rules.stores import PractitionerRegistry

__all__ = [
    "GREYLIST_RULE_ID",
    "TierThresholds",
    "effective_tier",
    "points_in_year",
    "tier_for_points",
    "tier_of",
]

GREYLIST_RULE_ID = "YB-GREYLIST"
"""The grey-list rule; its parameters hold the thresholds below."""


@dataclass(frozen=True, slots=True)
class TierThresholds:
    """Points (inclusive) at which each tier starts, within one natural year."""

    watch: int = 3
    restricted: int = 6
    suspended: int = 9
    terminated: int = 12

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> TierThresholds:
        """Thresholds from the grey-list rule's parameters (missing keys keep defaults)."""
        names = ("watch", "restricted", "suspended", "terminated")
        return cls(**{n: int(params[f"{n}_points"]) for n in names if f"{n}_points" in params})


def tier_for_points(points: int, thresholds: TierThresholds = TierThresholds()) -> GreyListTier:
    """The tier a practitioner with ``points`` this year is in."""
    steps = (
        (thresholds.terminated, GreyListTier.TERMINATED),
        (thresholds.suspended, GreyListTier.SUSPENDED),
        (thresholds.restricted, GreyListTier.RESTRICTED),
        (thresholds.watch, GreyListTier.WATCH),
    )
    for threshold, tier in steps:
        if points >= threshold:
            return tier
    return GreyListTier.NORMAL


def points_in_year(registry: PractitionerRegistry, practitioner_id: str, year: int) -> int:
    """Confirmed points of ``practitioner_id`` in natural year ``year``."""
    return sum(v.points for v in registry.violations(practitioner_id, year) if v.confirmed)


def tier_of(
    registry: PractitionerRegistry,
    practitioner_id: str,
    on: date,
    thresholds: TierThresholds = TierThresholds(),
) -> GreyListTier:
    """Effective tier on ``on``: the worse of the registered tier and the points-derived one."""
    practitioner = registry.get(practitioner_id)
    derived = tier_for_points(points_in_year(registry, practitioner_id, on.year), thresholds)
    if practitioner is None or practitioner.tier.severity < derived.severity:
        return derived
    return practitioner.tier


def effective_tier(
    registry: PractitionerRegistry,
    rules: Mapping[str, RegisteredRule],
    practitioner_id: str,
    on: date,
) -> GreyListTier:
    """The tier the engine acts on: points-derived (with the grey-list rule's thresholds) when
    that rule is loaded, enabled and in force on ``on``; otherwise the registered tier only."""
    rule = rules.get(GREYLIST_RULE_ID)
    if rule is not None and rule.enabled and rule.spec.effective_on(on):
        return tier_of(registry, practitioner_id, on, TierThresholds.from_params(rule.params))
    practitioner = registry.get(practitioner_id)
    return practitioner.tier if practitioner is not None else GreyListTier.NORMAL
