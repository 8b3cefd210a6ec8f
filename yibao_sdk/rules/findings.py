"""Findings (违规线索), overrides and verdicts (green / yellow / red)."""

from __future__ import annotations

import hashlib
from enum import StrEnum

from pydantic import Field, computed_field

from yibao_sdk.models.base import LocalDateTime, Money, YibaoModel
from yibao_sdk.models.order import Signature
from yibao_sdk.models.practitioner import ProfessionalTitle

__all__ = [
    "Colour",
    "Finding",
    "Override",
    "OverridePolicy",
    "Severity",
    "Stage",
    "Subject",
    "SubjectKind",
    "Verdict",
]


class Severity(StrEnum):
    """How bad a finding is: info, warn (yellow, 可疑) or block (red, 明确违规)."""

    INFO = "info"
    WARN = "warn"
    BLOCK = "block"


class Colour(StrEnum):
    """The three-colour verdict."""

    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"


class Stage(StrEnum):
    """When a rule runs: 事前 (pre), 事中 (mid) or 事后 (post)."""

    PRE = "pre"
    """事前: before an order is signed (trig_scen 1–5)."""
    MID = "mid"
    """事中: while charging and settling (trig_scen 6–10)."""
    POST = "post"
    """事后: batch audits."""


class SubjectKind(StrEnum):
    """What a finding is about."""

    ORDER = "order"
    CHARGE = "charge"
    RECORD = "record"
    SETTLEMENT = "settlement"
    VISIT = "visit"


class Subject(YibaoModel):
    """A reference to the order, charge, record, settlement or visit a finding concerns."""

    kind: SubjectKind
    """What kind of thing."""
    id: str = Field(min_length=1)
    """Its id (order_id, charge_id, …)."""
    at: LocalDateTime | None = None
    """Its service time: rules are effective-dated on this."""


class OverridePolicy(YibaoModel):
    """Who may let a finding pass.

    A ``warn`` finding passes with a reason when :attr:`reason_required`; a ``block`` finding
    passes only with :attr:`signatures` distinct signers of at least :attr:`min_title`.
    """

    overridable: bool = True
    """False: nothing lets a red finding pass (e.g. a terminated practitioner)."""
    reason_required: bool = False
    """A yellow finding needs a recorded reason (3103 dspo_way=1)."""
    signatures: int = Field(default=2, ge=1, le=5)
    """Distinct signers a red finding needs."""
    min_title: ProfessionalTitle = ProfessionalTitle.ASSOCIATE_CHIEF
    """Lowest title a signer may hold."""


class Finding(YibaoModel):
    """One rule hit. Rules return these and never raise for a violation."""

    rule_id: str = Field(min_length=1)
    """The rule that fired."""
    severity: Severity
    """info / warn / block."""
    message: str = Field(min_length=1)
    """What is wrong, in Chinese, with the evidence (vola_cont)."""
    subject: Subject
    """The item it concerns."""
    related: tuple[Subject, ...] = ()
    """Other items involved (vola_item_type=2)."""
    amount: Money | None = None
    """Amount at stake (vola_amt)."""
    evidence: str = ""
    """Basis (vola_evid): the regulation or data relied on."""
    policy: OverridePolicy = OverridePolicy()
    """Who may let it pass."""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def finding_id(self) -> str:
        """Stable id from rule, subject, message, severity and policy; overrides refer to it.

        Re-checking the same item with the same rules gives the same id; a copy whose severity
        or override policy was altered gets another id, which the engine never issued.
        """
        key = (
            f"{self.rule_id}|{self.subject.kind}|{self.subject.id}|{self.message}|"
            f"{self.severity}|{self.policy.model_dump_json()}"
        )
        return hashlib.sha256(key.encode()).hexdigest()[:16]


class Override(YibaoModel):
    """A recorded decision to continue despite a finding (3103 feedback)."""

    finding_id: str = Field(min_length=1)
    """The finding it lets pass."""
    reason: str = Field(default="", max_length=500)
    """Why (dspo_way_rea)."""
    signatures: tuple[Signature, ...] = ()
    """Signers (for red findings)."""
    recorded_at: LocalDateTime
    """When it was recorded."""


class Verdict(YibaoModel):
    """All findings for one subject, the rule-pack version and any overrides."""

    subject: Subject
    """What was checked."""
    stage: Stage
    """事前/事中/事后."""
    findings: tuple[Finding, ...] = ()
    """Findings of every rule that fired."""
    rule_pack: str
    """Rule-pack version the verdict was reached with."""
    checked_at: LocalDateTime
    """When."""
    overrides: tuple[Override, ...] = ()
    """Validated overrides."""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def colour(self) -> Colour:
        """Red if any block finding, yellow if any warn finding, else green."""
        severities = {f.severity for f in self.findings}
        if Severity.BLOCK in severities:
            return Colour.RED
        return Colour.YELLOW if Severity.WARN in severities else Colour.GREEN

    def unresolved(self) -> tuple[Finding, ...]:
        """Findings that still stop the subject: red without override, yellow needing a reason."""
        done = {o.finding_id for o in self.overrides}
        return tuple(
            f
            for f in self.findings
            if f.finding_id not in done
            and (
                f.severity is Severity.BLOCK
                or (f.severity is Severity.WARN and f.policy.reason_required)
            )
        )

    @property
    def allowed(self) -> bool:
        """True if the subject may go ahead."""
        return not self.unresolved()
