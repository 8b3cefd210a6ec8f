"""Practitioners (医保医师): professional title, grey-list tier and confirmed violations."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import Field

from yibao_sdk.models.base import YibaoModel

__all__ = ["GreyListTier", "Practitioner", "ProfessionalTitle", "Violation"]


class ProfessionalTitle(StrEnum):
    """职称. Values are the national profttl labels; :attr:`rank` orders them."""

    CHIEF = "主任医师"
    ASSOCIATE_CHIEF = "副主任医师"
    ATTENDING = "主治医师"
    RESIDENT = "住院医师"
    ASSISTANT = "医士"

    @property
    def rank(self) -> int:
        """Seniority: 5 for 主任医师 down to 1 for 医士."""
        return _TITLE_RANK[self]

    @classmethod
    def from_code(cls, code: str) -> ProfessionalTitle:
        """Map a GB/T 8561 code (231…235), a 1–5 code or a label to a title."""
        if code in _TITLE_CODES:
            return _TITLE_CODES[code]
        return cls(code)

    def at_least(self, other: ProfessionalTitle) -> bool:
        """True if this title is ``other`` or more senior."""
        return self.rank >= other.rank


_TITLE_RANK = {
    ProfessionalTitle.CHIEF: 5,
    ProfessionalTitle.ASSOCIATE_CHIEF: 4,
    ProfessionalTitle.ATTENDING: 3,
    ProfessionalTitle.RESIDENT: 2,
    ProfessionalTitle.ASSISTANT: 1,
}
_TITLE_CODES = {
    "231": ProfessionalTitle.CHIEF,
    "232": ProfessionalTitle.ASSOCIATE_CHIEF,
    "233": ProfessionalTitle.ATTENDING,
    "234": ProfessionalTitle.RESIDENT,
    "235": ProfessionalTitle.ASSISTANT,
    "5": ProfessionalTitle.CHIEF,
    "4": ProfessionalTitle.ASSOCIATE_CHIEF,
    "3": ProfessionalTitle.ATTENDING,
    "2": ProfessionalTitle.RESIDENT,
    "1": ProfessionalTitle.ASSISTANT,
}


class GreyListTier(StrEnum):
    """医保灰名单 tier, from least to most restricted (see the grey-list rule)."""

    NORMAL = "normal"
    WATCH = "watch"
    RESTRICTED = "restricted"
    SUSPENDED = "suspended"
    TERMINATED = "terminated"

    @property
    def severity(self) -> int:
        """0 for normal up to 4 for terminated."""
        return _TIER_ORDER[self]


_TIER_ORDER = {tier: rank for rank, tier in enumerate(GreyListTier)}


class Practitioner(YibaoModel):
    """医师: who orders, signs and performs."""

    practitioner_id: str = Field(min_length=1, max_length=30)
    """工号 (staff number)."""
    name: str = Field(min_length=1, max_length=50, repr=False)
    """姓名; personal data, never logged."""
    title: ProfessionalTitle
    """职称 (drord_dr_profttl)."""
    national_code: str | None = Field(default=None, max_length=30)
    """医保医师代码 (D + area + sequence)."""
    department: str = Field(default="", max_length=50)
    """科室."""
    tier: GreyListTier = GreyListTier.NORMAL
    """Grey-list tier set by the 医保办 by hand; the rule never lowers it below this."""


class Violation(YibaoModel):
    """A confirmed violation that scored points against a practitioner (医保医师记分)."""

    practitioner_id: str = Field(min_length=1)
    """工号."""
    occurred_on: date
    """Date of the violation; points count in its natural year."""
    points: int = Field(ge=1, le=12)
    """Points scored (1–12)."""
    rule_id: str = ""
    """The rule that found it, if any."""
    confirmed: bool = True
    """Only confirmed violations count."""
