"""Reconciliation (对账) report types: amounts, groups, totals, differences and the report."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from yibao_sdk.models.settlement import SettlementResult

__all__ = [
    "Amounts",
    "Difference",
    "DifferenceKind",
    "GroupKey",
    "GroupResult",
    "ReconciliationReport",
    "SettledRow",
    "Totals",
]

_ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class Amounts:
    """What one settlement row moved (negative for a cancellation)."""

    medfee_sumamt: Decimal = _ZERO
    """医疗费总额."""
    fund_pay_sumamt: Decimal = _ZERO
    """基金支付总额."""
    acct_pay: Decimal = _ZERO
    """个人账户支付."""
    psn_cash_pay: Decimal = _ZERO
    """个人现金支付."""

    @classmethod
    def of(cls, result: SettlementResult) -> Amounts:
        """The amounts of a settlement result (as :meth:`~.client.ProvincialClient.settle`
        returned it)."""
        return cls(result.total, result.fund_total, result.personal_account, result.cash)

    def negated(self) -> Amounts:
        """The amounts with the sign turned (a cancellation of these)."""
        return Amounts(-self.medfee_sumamt, -self.fund_pay_sumamt, -self.acct_pay,
                       -self.psn_cash_pay)


@dataclass(frozen=True, slots=True, order=True)
class GroupKey:
    """What 3201 totals are asked by."""

    insutype: str
    """险种类型."""
    clr_type: str
    """清算类别."""
    setl_optins: str
    """结算经办机构 (the person's 参保地区划)."""

    def __str__(self) -> str:
        return f"{self.insutype}/{self.clr_type}/{self.setl_optins}"


@dataclass(frozen=True, slots=True)
class SettledRow:
    """One settlement row as the hospital's journal knows it."""

    msgid: str
    infno: str
    setl_id: str
    mdtrt_id: str
    psn_no: str
    key: GroupKey
    amounts: Amounts
    refund: bool = False
    """True for a cancellation (reverse) row."""


@dataclass(frozen=True, slots=True)
class Totals:
    """Sums over settlement rows (forward and reverse rows both count)."""

    medfee_sumamt: Decimal = _ZERO
    fund_pay_sumamt: Decimal = _ZERO
    acct_pay: Decimal = _ZERO
    psn_cash_pay: Decimal = _ZERO
    count: int = 0

    @classmethod
    def of(cls, rows: Iterable[SettledRow]) -> Totals:
        """The totals of ``rows``."""
        listed = [row.amounts for row in rows]
        return cls(sum((a.medfee_sumamt for a in listed), _ZERO),
                   sum((a.fund_pay_sumamt for a in listed), _ZERO),
                   sum((a.acct_pay for a in listed), _ZERO),
                   sum((a.psn_cash_pay for a in listed), _ZERO), len(listed))

    def __str__(self) -> str:
        return (f"{self.count} rows, 医疗费 {self.medfee_sumamt}, 基金 {self.fund_pay_sumamt}, "
                f"账户 {self.acct_pay}")


class DifferenceKind(StrEnum):
    """How one settlement row differs (the value is the 3202 ``stmt_rslt`` code [U])."""

    AMOUNTS = "1"
    """金额不符: both sides have it, with other amounts."""
    HOSPITAL_ONLY = "2"
    """医院有平台无: the journal has it, the platform does not."""
    PLATFORM_ONLY = "3"
    """平台有医院无: the platform has it, the journal does not (settled behind its back)."""


@dataclass(frozen=True, slots=True)
class Difference:
    """One row of the 3202 result that is not 一致."""

    kind: DifferenceKind
    setl_id: str
    mdtrt_id: str | None
    psn_no: str | None
    msgid: str | None
    """The platform's msgid of the row (none for a row only the hospital has)."""
    refund: bool
    """A cancellation (reverse) row."""
    memo: str
    fund_pay_sumamt: Decimal | None = None
    acct_pay: Decimal | None = None


@dataclass(frozen=True, slots=True)
class GroupResult:
    """The 3201 answer for one group."""

    key: GroupKey
    hospital: Totals
    balanced: bool
    description: str
    """``stmt_rslt_dscr``."""
    platform: Totals | None = None
    """The platform's own figures, when it sends them along (``psn_cash_pay`` is not)."""


@dataclass(frozen=True, slots=True)
class ReconciliationReport:
    """The outcome of :func:`reconcile_day`."""

    day: date
    groups: tuple[GroupResult, ...]
    differences: tuple[Difference, ...] = ()
    unresolved_msgids: tuple[str, ...] = ()
    """Settlement rows of the day that cannot be reconciled yet (open, or no ``setl_id``)."""

    @property
    def balanced(self) -> bool:
        """True when every group is 平, no row differs and nothing is left unresolved."""
        return all(group.balanced for group in self.groups) and not self.differences \
            and not self.unresolved_msgids

    def of_kind(self, kind: DifferenceKind) -> tuple[Difference, ...]:
        """The differences of ``kind``."""
        return tuple(d for d in self.differences if d.kind is kind)

    def summary(self) -> str:
        """One line for a log or a screen (no personal data: ids and amounts only)."""
        rows = sum(group.hospital.count for group in self.groups)
        head = f"{self.day.isoformat()}: {len(self.groups)} groups, {rows} settlement rows"
        if self.balanced:
            return f"{head}: balanced (平)"
        parts = [f"{g.key} {g.description}" for g in self.groups if not g.balanced]
        parts += [f"{d.kind.name.lower()} {d.setl_id}" for d in self.differences]
        parts += [f"unresolved {msgid}" for msgid in self.unresolved_msgids]
        return f"{head}: NOT balanced: " + "; ".join(parts)


# -- the hospital's side ---------------------------------------------------------------------
