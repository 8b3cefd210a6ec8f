"""The read-only :class:`Context` every check hook receives."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from yibao_sdk.errors import UnknownRuleError
from yibao_sdk.models.catalog import CatalogItem
from yibao_sdk.models.patient import Hospital, Patient
from yibao_sdk.models.practitioner import GreyListTier, Practitioner
from yibao_sdk.models.visit import Visit
from yibao_sdk.rules.findings import Finding, OverridePolicy, Severity, Stage, Subject
from yibao_sdk.rules.spec import RegisteredRule
from yibao_sdk.rules.stores import CatalogLookup, HistoryStore, PractitionerRegistry
from yibao_sdk.rules.tiers import effective_tier

__all__ = ["Context"]


@dataclass(frozen=True, slots=True)
class Context:
    """What a rule may see: the visit so far, history, catalogue, practitioners, its parameters.

    The visit never contains the subject under check (the engine removes it), so a rule may
    compare the subject with ``context.visit`` without skipping itself. Everything here is
    read-only; rules get no client, transport or credential.
    """

    visit: Visit
    """The visit so far (就诊), without the subject being checked."""
    hospital: Hospital
    """The hospital (level, region)."""
    catalog: CatalogLookup
    """The 医保 catalogue."""
    practitioners: PractitionerRegistry
    """Practitioner registry (title, tier, violations)."""
    history: HistoryStore
    """The patient's earlier visits and earlier UDI uses."""
    stage: Stage
    """The stage being run."""
    rules: Mapping[str, RegisteredRule]
    """Loaded rules with their resolved configuration."""
    clock: Callable[[], datetime]
    """Returns the current time (injectable for tests)."""

    @property
    def patient(self) -> Patient:
        """The visit's patient."""
        return self.visit.patient

    def now(self) -> datetime:
        """The current time from :attr:`clock`."""
        return self.clock()

    def params(self, rule_id: str) -> Mapping[str, Any]:
        """Resolved parameters of ``rule_id`` (defaults overlaid with the hospital config)."""
        return self._rule(rule_id).params

    def active(self, rule_id: str, on: date | datetime | None = None) -> bool:
        """True if ``rule_id`` is loaded, enabled and effective on the service date ``on``."""
        rule = self.rules.get(rule_id)
        if rule is None or not rule.enabled:
            return False
        if on is None:
            return True
        day = on.date() if isinstance(on, datetime) else on
        return rule.spec.effective_on(day)

    def finding(
        self,
        rule_id: str,
        subject: Subject,
        message: str,
        *,
        severity: Severity | None = None,
        amount: Decimal | None = None,
        evidence: str = "",
        related: Sequence[Subject] = (),
        policy: OverridePolicy | None = None,
    ) -> Finding:
        """Build a :class:`Finding` with the rule's default severity and override policy."""
        rule = self._rule(rule_id)
        return Finding(
            rule_id=rule_id,
            severity=severity or rule.spec.default_severity,
            message=message,
            subject=subject,
            related=tuple(related),
            amount=amount,
            evidence=evidence,
            policy=policy or rule.spec.override,
        )

    def item(self, code: str) -> CatalogItem | None:
        """The catalogue item for ``code``."""
        return self.catalog.get(code) if code else None

    def practitioner(self, practitioner_id: str) -> Practitioner | None:
        """The practitioner with staff number ``practitioner_id``."""
        return self.practitioners.get(practitioner_id) if practitioner_id else None

    def tier(self, practitioner_id: str, on: date) -> GreyListTier:
        """Grey-list tier of ``practitioner_id`` on ``on`` (see :func:`tiers.effective_tier`)."""
        return effective_tier(self.practitioners, self.rules, practitioner_id, on)

    def earlier_visits(self, before: datetime, within: timedelta) -> Sequence[Visit]:
        """This patient's other visits admitted before ``before`` whose stay overlaps
        ``[before - within, before]`` (a long stay admitted earlier is included)."""
        found = self.history.visits_overlapping(self.patient.patient_id, before - within, before)
        return [v for v in found if v.visit_id != self.visit.visit_id and v.admitted_at < before]

    def _rule(self, rule_id: str) -> RegisteredRule:
        try:
            return self.rules[rule_id]
        except KeyError:
            raise UnknownRuleError(f"no loaded rule has id {rule_id!r}") from None
