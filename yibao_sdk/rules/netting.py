"""Refund netting (冲销): which charge lines are still billed after refund lines."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from yibao_sdk.models.charge import Charge

__all__ = ["live_quantities"]


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
