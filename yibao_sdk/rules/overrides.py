"""Override validation: red needs the policy's signatures, yellow a recorded reason."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable
from datetime import date

from yibao_sdk.errors import OverrideError
from yibao_sdk.models.patient import Patient
from yibao_sdk.models.practitioner import GreyListTier
from yibao_sdk.rules.findings import Finding, Override, Severity, Verdict
from yibao_sdk.rules.stores import PractitionerRegistry

__all__ = ["IssuedFindings", "TierLookup", "validate_override"]

TierLookup = Callable[[str, date], GreyListTier]
"""``(practitioner_id, day) -> tier``: a signer on the restricted list or worse cannot sign."""


class IssuedFindings:
    """The findings an engine produced, most recent ``capacity`` of them, by ``finding_id``.

    An override must name a finding the engine issued: a verdict built or altered by the
    caller (say, with a weaker policy) is refused. Re-checking the item issues it again.
    """

    def __init__(self, capacity: int = 100_000) -> None:
        self._capacity = capacity
        self._found: OrderedDict[str, tuple[Finding, Patient]] = OrderedDict()

    def add(self, findings: Iterable[Finding], patient: Patient) -> None:
        """Remember ``findings`` about ``patient``, forgetting the oldest beyond the capacity."""
        for finding in findings:
            self._found[finding.finding_id] = (finding, patient)
            self._found.move_to_end(finding.finding_id)
        while len(self._found) > self._capacity:
            self._found.popitem(last=False)

    def get(self, finding_id: str) -> Finding | None:
        """The issued finding, or None."""
        found = self._found.get(finding_id)
        return found[0] if found is not None else None

    def patient(self, finding_id: str) -> Patient | None:
        """The patient an issued finding concerns (to redact what is logged about it)."""
        found = self._found.get(finding_id)
        return found[1] if found is not None else None


def validate_override(
    verdict: Verdict,
    override: Override,
    registry: PractitionerRegistry,
    *,
    issued: IssuedFindings,
    tier: TierLookup,
) -> Finding:
    """Return the finding ``override`` lets pass, or raise :class:`OverrideError` saying why."""
    finding = next((f for f in verdict.findings if f.finding_id == override.finding_id), None)
    if finding is None:
        raise OverrideError(f"verdict has no finding {override.finding_id}")
    if issued.get(finding.finding_id) != finding:
        raise OverrideError(
            f"finding {finding.finding_id} ({finding.rule_id}) was not issued by this engine "
            "or has expired: check the item again, then override the new finding"
        )
    if finding.severity is Severity.BLOCK:
        _check_signatures(finding, override, registry, tier)
    elif finding.policy.reason_required and not override.reason.strip():
        raise OverrideError(f"{finding.rule_id}: a reason is required to continue (理由必填)")
    return finding


def _check_signatures(
    finding: Finding, override: Override, registry: PractitionerRegistry, tier: TierLookup
) -> None:
    policy = finding.policy
    if not policy.overridable:
        raise OverrideError(f"{finding.rule_id}: this red finding cannot be overridden")
    if not override.reason.strip():
        raise OverrideError(f"{finding.rule_id}: an override of a red finding needs a reason")
    qualified: set[str] = set()
    for signature in override.signatures:
        signer = signature.practitioner_id
        person = registry.get(signer)
        if person is None:
            raise OverrideError(f"signer {signer} is not a known practitioner")
        if not person.title.at_least(policy.min_title):
            raise OverrideError(
                f"signer {signer} is {person.title}, needs {policy.min_title} or above"
            )
        standing = tier(signer, signature.signed_at.date())
        if standing.severity >= GreyListTier.RESTRICTED.severity:
            raise OverrideError(f"signer {signer} is on the grey list ({standing}), may not sign")
        qualified.add(signer)
    if len(qualified) < policy.signatures:
        raise OverrideError(
            f"{finding.rule_id}: needs {policy.signatures} distinct signers of "
            f"{policy.min_title} or above, got {len(qualified)}"
        )
