"""Refund netting (冲销): which charge lines, and which UDI serials, are still billed."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from yibao_sdk.codes import parse_udi
from yibao_sdk.errors import CodeFormatError
from yibao_sdk.models.charge import Charge

__all__ = ["LiveLine", "live_lines", "live_quantities", "serial_keys", "udi_key"]


def udi_key(text: str) -> str | None:
    """``DI/serial`` of a serial-tracked UDI, or None (unparseable or no serial)."""
    try:
        udi = parse_udi(text)
    except CodeFormatError:
        return None
    return f"{udi.di}/{udi.serial}" if udi.serial else None


def live_quantities(charges: Iterable[Charge]) -> dict[str, Decimal]:
    """Quantity still billed of each positive line after refunds (charge_id → quantity > 0).

    A refund line (negative quantity) cancels the line named by its ``refund_of``; a refund
    without ``refund_of`` (or naming an unknown line) cancels the latest earlier lines of the
    same item first, which is what the HIS screens do when a nurse refunds "the last one".
    """
    live: dict[str, Decimal] = {}
    stacks: dict[str, list[str]] = defaultdict(list)
    for line in sorted(charges, key=lambda c: (c.charged_at, c.quantity < 0)):
        if line.quantity > 0:
            live[line.charge_id] = line.quantity
            stacks[line.item_code].append(line.charge_id)
        elif line.refund_of in live:
            live[line.refund_of] = max(Decimal(0), live[line.refund_of] + line.quantity)
        else:
            _cancel(stacks[line.item_code], live, -line.quantity)
    return {cid: qty for cid, qty in live.items() if qty > 0}


def _cancel(stack: list[str], live: dict[str, Decimal], quantity: Decimal) -> None:
    while quantity > 0 and stack:
        top = stack[-1]
        used = min(quantity, live[top])
        live[top] -= used
        quantity -= used
        if live[top] == 0:
            stack.pop()


class LiveLine(NamedTuple):
    """A billed (positive) line after refunds: quantity still billed, serial keys still used."""

    charge: Charge
    quantity: Decimal
    serials: frozenset[str]


@dataclass(slots=True)
class _Line:
    charge: Charge
    quantity: Decimal
    serials: set[str] = field(default_factory=set)

    def take(self, quantity: Decimal, *, serials: bool) -> Decimal:
        """Refund up to ``quantity`` units (with all serials if ``serials``); units taken."""
        used = min(max(quantity, Decimal(0)), self.quantity)
        self.quantity -= used
        if serials or self.quantity <= 0:
            self.serials.clear()
        return used


def serial_keys(texts: Iterable[str]) -> list[str]:
    """Serial keys (DI/serial) of the serial-tracked UDIs among ``texts``, in scan order."""
    return list(dict.fromkeys(k for t in texts if t and (k := udi_key(t)) is not None))


def live_lines(charges: Iterable[Charge]) -> list[LiveLine]:
    """Every billed (positive) line with what is left of it after the refund lines.

    Lines come in service order (``charged_at``; at the same instant a billed line comes
    before a refund, otherwise the given order). A refund line cancels, by preference:

    * the serials scanned on the refund itself, taken from the line its ``refund_of`` names
      if that line holds them, else from the latest earlier line holding them;
    * otherwise every serial of the line its ``refund_of`` names (the usual HIS refund line
      names the line and carries no UDI);
    * otherwise, like :func:`yibao_sdk.rules.netting.live_quantities`, the latest earlier
      lines of the same item, each line it reaches giving up its serials.

    A line refunded to quantity zero uses no serial.
    """
    lines: dict[str, _Line] = {}
    stacks: dict[str, list[_Line]] = defaultdict(list)
    for charge in sorted(charges, key=lambda c: (c.charged_at, c.quantity < 0)):
        if charge.quantity > 0:
            line = _Line(charge, charge.quantity, set(serial_keys(charge.udis)))
            lines[charge.charge_id] = line
            stacks[charge.item_code].append(line)
        elif charge.quantity < 0:
            _refund(charge, lines, stacks[charge.item_code])
    return [LiveLine(x.charge, x.quantity, frozenset(x.serials)) for x in lines.values()]


def _refund(refund: Charge, lines: Mapping[str, _Line], stack: list[_Line]) -> None:
    left = -refund.quantity
    named = lines.get(refund.refund_of or "")
    held = [(key, holder) for key in serial_keys(refund.udis)
            if (holder := _holder(key, named, lines)) is not None]
    for key, holder in held:
        holder.serials.discard(key)
        if named is None:
            left -= holder.take(min(left, Decimal(1)), serials=False)
    if named is not None:
        named.take(left, serials=not held)
    elif not held:
        while left > 0 and stack:
            left -= stack[-1].take(left, serials=True)
            if stack[-1].quantity <= 0:
                stack.pop()


def _holder(key: str, named: _Line | None, lines: Mapping[str, _Line]) -> _Line | None:
    if named is not None and key in named.serials:
        return named
    holders = [x for x in lines.values() if key in x.serials]
    return holders[-1] if holders else None
