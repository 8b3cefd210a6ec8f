"""What the settlement section keeps and prints: settled visits, the refusal, the fault."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from yibao_sdk.demo.output import Printer
from yibao_sdk.models import SettlementResult

__all__ = ["FaultOutcome", "Refusal", "Settled", "show_settled", "step"]

_OPEN = ("pending", "sent", "unknown")
"""Journal states of a call whose outcome is not settled."""


@dataclass(frozen=True, slots=True)
class Settled:
    """One settlement the platform confirmed."""

    visit_id: str
    mdtrt_id: str
    psn_no: str
    infno: str
    result: SettlementResult
    ledger: tuple[Decimal, ...] | None
    """What the platform stored for it: (total, fund, account, cash); ``None`` if it holds no
    valid settlement of that id."""

    @property
    def parts(self) -> Decimal:
        """fund + personal account + mutual aid + cash + hospital part."""
        r = self.result
        return r.fund_total + r.personal_account + r.mutual_aid + r.cash + r.hospital_part

    @property
    def balances(self) -> bool:
        """The parts add up to the total, the funds to the fund total, and the platform's
        ledger holds the same figures."""
        r = self.result
        funds = sum((p.amount for p in r.fund_payments), Decimal(0))
        same = self.ledger == (r.total, r.fund_total, r.personal_account, r.cash)
        return self.parts == r.total and (not r.fund_payments or funds == r.fund_total) \
            and r.pooled_fund <= r.fund_total and same


@dataclass(frozen=True, slots=True)
class Refusal:
    """A call refused by the role policy."""

    operator: str
    infno: str
    error: str
    sent: int
    """Requests that left during the call."""
    audited: int
    """Refusals written to the audit log during the call."""

    @property
    def before_sending(self) -> bool:
        """Refused, nothing sent, and the refusal audited."""
        return bool(self.error) and self.sent == 0 and self.audited == 1

    def show(self, show: Printer) -> None:
        """Print it."""
        outcome = show.paint("refused before sending", "red") if self.error else "NOT refused"
        show(f"      least privilege: physician {self.operator} → {self.infno}: {outcome}")
        show(f"         {self.error or '-'}; requests sent: {self.sent}; audit log entries "
             f"added: {self.audited} (provincial.permission_denied)")


def step(label: str, text: str) -> str:
    """One step of a visit's flow: ``label`` (e.g. ``2204 fee upload``) in a column."""
    return f"      {label:<21}{text}"


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def show_settled(show: Printer, settled: Settled) -> None:
    """Print a settlement's fund breakdown."""
    r = settled.result
    show(step(f"{settled.infno} settlement", f"setl_id {r.settlement_id}"))
    mark = show.mark(settled.balances)
    show(f"         total {_money(r.total)} = fund {_money(r.fund_total)} (pooled "
         f"{_money(r.pooled_fund)}) + account {_money(r.personal_account)} + mutual aid "
         f"{_money(r.mutual_aid)} + cash {_money(r.cash)} + hospital {_money(r.hospital_part)}"
         f"  {mark}")
    funds = ", ".join(f"{p.fund_type} {p.name} {_money(p.amount)}" for p in r.fund_payments)
    show(f"         self-pay parts: full {_money(r.full_self_pay)} · over limit "
         f"{_money(r.over_limit_self_pay)} · pre-self-pay {_money(r.preselfpay)}; funds: "
         f"{funds or 'none (under the deductible)'}")
    if settled.ledger is None:
        show("         platform ledger: no such settlement")
        return
    agrees = "agrees" if settled.balances else "DIFFERS"
    show(f"         platform ledger {agrees}: total / fund / account / cash = "
         f"{' / '.join(map(_money, settled.ledger))}")


@dataclass(frozen=True, slots=True)
class FaultOutcome:
    """How the settlement whose reply was lost ended."""

    visit_id: str
    mdtrt_id: str
    wire: tuple[str, ...]
    """Transactions that left from the settlement on (2207, then 5203 and/or 2601, …)."""
    journal: tuple[tuple[str, str, str, str], ...]
    """(msgid, infno, state, detail) of the visit's settlement and reversal rows."""
    platform_settlements: int
    """Valid settlements the platform holds for the visit."""

    @property
    def settled_once(self) -> bool:
        """Exactly one settlement on the platform and nothing left open in the journal."""
        still_open = [row for row in self.journal if row[2] in _OPEN]
        return self.platform_settlements == 1 and not still_open

    def show(self, show: Printer) -> None:
        """Print how the lost reply was resolved."""
        sent = Counter(self.wire)
        counts = ", ".join(f"{infno} ×{n}" for infno, n in sent.items())
        again = "never resent" if self.wire.count(self.wire[0]) == 1 else \
            "sent again only after 2601 reversed the first"
        show(f"      on the wire: {' → '.join(self.wire)} ({counts}); the settlement was {again}")
        for msgid, infno, state, detail in self.journal:
            show(f"      journal {infno} {msgid}: {show.paint(state, 'cyan')}"
                 + (f" ({detail})" if detail else ""))
        verdict = "settled exactly once" if self.settled_once else "NOT settled exactly once"
        show(f"      platform: {self.platform_settlements} valid settlement(s) for mdtrt_id "
             f"{self.mdtrt_id} {show.mark(self.settled_once)} "
             f"{show.paint(verdict, 'green' if self.settled_once else 'red')}")
