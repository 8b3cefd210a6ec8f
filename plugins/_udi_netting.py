"""UDI refund netting (冲销) for YB-IMPLANT-UDI; a helper module, not a plugin.

Which serials each billed line of a visit still uses once its refund lines are applied, and
how many units a line's scans account for (the billed-quantity check).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from yibao_sdk.codes import Udi
from yibao_sdk.models import Charge
from yibao_sdk.rules import subject_of
from yibao_sdk.rules.findings import Subject
from yibao_sdk.rules.netting import LiveLine

__all__ = ["billed_before", "unit_count"]


def billed_before(charge: Charge, lines: Sequence[LiveLine]) -> dict[str, list[Subject]]:
    """Serials still used by lines billed before ``charge`` (key → those lines).

    ``lines`` come from :func:`live_lines` over the visit's charges, with ``charge`` among
    them (事后) or not (事中); a line billed at the same instant counts as before only if it
    comes first in service order.
    """
    found: dict[str, list[Subject]] = defaultdict(list)
    for other, _, serials in lines:
        if other.charge_id == charge.charge_id or other.charged_at > charge.charged_at:
            break  # lines are in service order: the rest come after ``charge``
        for key in sorted(serials):
            found[key].append(subject_of(other))
    return found


def unit_count(parsed: Sequence[Udi]) -> tuple[int, int]:
    """(distinct serials, scans without a serial) among parsed UDIs; each is one unit.

    A serial-tracked UDI (GS1 AI 21, or a HIBCC serial) is one unit however often it was
    scanned; a UDI without a serial (lot or DI only) is one unit per scan.
    """
    serials = {(u.di, u.serial) for u in parsed if u.serial}
    return len(serials), sum(1 for u in parsed if not u.serial)
