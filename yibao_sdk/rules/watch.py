"""Watch-listed practitioners (灰名单观察级 or worse) must give a reason for every yellow."""

from __future__ import annotations

from yibao_sdk.models.practitioner import GreyListTier
from yibao_sdk.rules.context import Context
from yibao_sdk.rules.findings import Finding, Severity
from yibao_sdk.rules.subjects import Checkable, practitioner_of, subject_of

__all__ = ["escalate_watch"]


def escalate_watch(
    findings: tuple[Finding, ...], item: Checkable, ctx: Context
) -> tuple[Finding, ...]:
    """Mark every yellow finding reason-required when the item's practitioner is on the list.

    The tier is :meth:`Context.tier` on the item's service date: points-derived while the
    grey-list rule is in force, else the tier the 医保办 registered by hand.
    """
    warns = [f for f in findings if f.severity is Severity.WARN and not f.policy.reason_required]
    who = practitioner_of(item)
    if not warns or not who:
        return findings
    when = subject_of(item).at or ctx.now()
    if ctx.tier(who, when.date()) is GreyListTier.NORMAL:
        return findings
    return tuple(_needs_reason(f) if f in warns else f for f in findings)


def _needs_reason(finding: Finding) -> Finding:
    policy = finding.policy.model_copy(update={"reason_required": True})
    return finding.model_copy(update={"policy": policy})
