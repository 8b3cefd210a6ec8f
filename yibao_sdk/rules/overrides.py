"""Override validation: red needs the policy's signatures, yellow a recorded reason."""

from __future__ import annotations

from yibao_sdk.errors import OverrideError
from yibao_sdk.rules.findings import Finding, Override, Severity, Verdict
from yibao_sdk.rules.stores import PractitionerRegistry

__all__ = ["validate_override"]


def validate_override(
    verdict: Verdict, override: Override, registry: PractitionerRegistry
) -> Finding:
    """Return the finding ``override`` lets pass, or raise :class:`OverrideError` saying why."""
    finding = next((f for f in verdict.findings if f.finding_id == override.finding_id), None)
    if finding is None:
        raise OverrideError(f"verdict has no finding {override.finding_id}")
    if finding.severity is Severity.BLOCK:
        _check_signatures(finding, override, registry)
    elif finding.policy.reason_required and not override.reason.strip():
        raise OverrideError(f"{finding.rule_id}: a reason is required to continue (理由必填)")
    return finding


def _check_signatures(finding: Finding, override: Override, registry: PractitionerRegistry) -> None:
    policy = finding.policy
    if not policy.overridable:
        raise OverrideError(f"{finding.rule_id}: this red finding cannot be overridden")
    if not override.reason.strip():
        raise OverrideError(f"{finding.rule_id}: an override of a red finding needs a reason")
    qualified: set[str] = set()
    for signature in override.signatures:
        person = registry.get(signature.practitioner_id)
        if person is None:
            raise OverrideError(f"signer {signature.practitioner_id} is not a known practitioner")
        if not person.title.at_least(policy.min_title):
            raise OverrideError(
                f"signer {signature.practitioner_id} is {person.title}, "
                f"needs {policy.min_title} or above"
            )
        qualified.add(signature.practitioner_id)
    if len(qualified) < policy.signatures:
        raise OverrideError(
            f"{finding.rule_id}: needs {policy.signatures} distinct signers of "
            f"{policy.min_title} or above, got {len(qualified)}"
        )
