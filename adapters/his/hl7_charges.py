"""DFT^P03 → charges (费用明细), one per FT1 of type charge or credit, with implant UDIs.

==========================  ==================================================================
Charge                      HL7 v2
==========================  ==================================================================
charge_id                   FT1-2.1 transaction id, else ``<MSH-10>-<FT1-1 set id>``
charged_at                  FT1-4.1 transaction date (start of the DR range in v2.5+)
(line kind)                 FT1-6 transaction type: ``HisOptions.charge_types`` (CG) are
                            charges, ``credit_types`` (CR, CD) refunds; other types (PY
                            payment, AJ adjustment, CO co-payment) are not billed lines: skipped
item_code,                  FT1-7 transaction code (CWE): national when its coding system is
hospital_item_code, name    national (or it has a national shape), else resolved with
                            ``resolve(code, category or "other", source)``. A code nothing
                            resolves stays in both ``item_code`` (required by Charge) and
                            ``hospital_item_code``. Name: FT1-7.2, else FT1-8 description
category                    ``HisOptions.category_map`` by item code, else the national
                            code's prefix (``category_prefixes``), else ``other``
quantity                    FT1-10 (required); negative on credit lines
unit_price, amount          FT1-12.1 unit amount and FT1-11.1 extended amount (MO quantity);
                            either may be left out; both given must agree within 0.01
                            (amount = quantity × unit price); credit lines negate the amount
ordering/performing         FT1-21.1 ordered by / FT1-20.1 performed by
order_id                    FT1-23.1 filler order number
refund_of                   credit lines only: ``HisOptions.refund_of_path`` (FT1-31
                            transaction reference key) read within the FT1 group
udis                        in the order sent, per FT1 group: v2.7+ PRT device segments
                            (PRT-10.1 participation device = the full UDI carrier, else a
                            GS1 string built from PRT-16 DI, 17 manufacture date (11), 18
                            expiry date (17), 19 lot (10) and 20 serial (21)); in any version
                            the Z-segment ``HisOptions.udi_segment`` (``ZUD|n|UDI|barcode``)
==========================  ==================================================================

FT1-13 department has no place in the core Charge and is not read. PRT segments in a message
older than v2.7 are not read (the segment did not exist); use the Z-segment there.
"""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from yibao_sdk.hl7v2.fields import (
    MISSING,
    build,
    coded,
    decimal,
    fail,
    group_text,
    item,
    text,
    timestamp,
)
from yibao_sdk.hl7v2.mapped import ItemResolver, Mapped
from yibao_sdk.hl7v2.message import Group, Message
from yibao_sdk.hl7v2.segment import Segment
from yibao_sdk.models import Charge, ChargeCategory
from yibao_sdk.models.charge import AMOUNT_TOLERANCE

from .hl7_adt import patient_of, visit_id_of

if TYPE_CHECKING:
    from .hl7 import HisOptions

__all__ = ["FT1_MEMBERS", "map_charges", "prt_udi"]

FT1_MEMBERS = ("NTE", "PRT", "PR1", "ROL", "Z*")
"""Segments that belong to the FT1 before them."""
_FOUR = Decimal("0.0001")
_PRT_FROM = (2, 7)


def map_charges(message: Message, trigger: str, options: HisOptions,
                resolve: ItemResolver | None = None) -> Mapped:
    """Charges of a DFT^P03 message."""
    visit_id = visit_id_of(message, options)
    groups = message.groups("FT1", FT1_MEMBERS)
    if not groups:
        fail(message.header, 9, "the message has no FT1 segment", MISSING)
    prt = _version(message.version) >= _PRT_FROM
    found = (_charge(g, n, message, options, resolve=resolve, prt=prt)
             for n, g in enumerate(groups, 1))
    code, _, _ = message.message_type
    return Mapped(source=options.source, message_type=f"{code}^{trigger}",
                  control_id=message.control_id, visit_id=visit_id,
                  patient=patient_of(message, options),
                  charges=tuple(c for c in found if c is not None))


def _version(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split(".")[:2] if p.isdigit())


def _charge(group: Group, n: int, message: Message, options: HisOptions, *,
            resolve: ItemResolver | None, prt: bool) -> Charge | None:
    ft1 = group.head
    kind = text(ft1, 6).upper()
    if not kind:
        fail(ft1, 6, "transaction type is missing", MISSING)
    credit = kind in options.credit_types
    if not credit and kind not in options.charge_types:
        return None
    raw = coded(ft1, 7)
    hint = options.category_map.get(raw.code) or options.category_map.get(raw.alt_code)
    found = item(raw, hint.value if hint else "other", options.source, resolve,
                 options.national_systems)
    if not (found.code or found.hospital_code):
        fail(ft1, 7, "transaction code is missing", MISSING)
    quantity, price, amount = _money(ft1, credit)
    data: dict[str, Any] = {
        "charge_id": text(ft1, 2) or f"{message.control_id}-{text(ft1, 1) or n}",
        "item_code": found.code or found.hospital_code, "hospital_item_code": found.hospital_code,
        "name": found.name or text(ft1, 8),
        "category": hint or _category(found.code, options), "quantity": quantity,
        "unit_price": price, "amount": amount, "charged_at": _charged_at(ft1),
        "ordering_practitioner_id": text(ft1, 21), "performing_practitioner_id": text(ft1, 20),
        "order_id": text(ft1, 23) or None,
        "refund_of": (group_text(group, options.refund_of_path) or None) if quantity < 0
        else None,
        "udis": _udis(group, options, prt),
    }
    return build(Charge, data, ft1, {
        "charge_id": (ft1, 2), "item_code": (ft1, 7), "hospital_item_code": (ft1, 7),
        "name": (ft1, 7), "quantity": (ft1, 10), "unit_price": (ft1, 12), "amount": (ft1, 11),
        "ordering_practitioner_id": (ft1, 21), "performing_practitioner_id": (ft1, 20),
        "order_id": (ft1, 23), "refund_of": (ft1, 31)})


def _charged_at(ft1: Segment) -> datetime:
    when = timestamp(ft1, 4, "transaction date")
    if when is None:
        fail(ft1, 4, "transaction date is missing", MISSING)
    return when


def _money(ft1: Segment, credit: bool) -> tuple[Decimal, Decimal, Decimal]:
    """(quantity, unit price, amount), checked: amount = quantity × unit price."""
    quantity = decimal(ft1, 10, "quantity")
    if quantity is None:
        fail(ft1, 10, "quantity is missing", MISSING)
    price = decimal(ft1, 12, "unit amount")
    amount = decimal(ft1, 11, "extended amount")
    if credit:
        quantity = -abs(quantity)
        price = abs(price) if price is not None else None
        amount = -abs(amount) if amount is not None else None
    if price is None:
        if amount is None:
            fail(ft1, 12, "unit amount (and extended amount FT1-11) is missing", MISSING)
        if not quantity:
            fail(ft1, 12, "unit amount is missing and quantity is 0", MISSING)
        price = (amount / quantity).quantize(_FOUR, ROUND_HALF_UP)
    if amount is None:
        amount = (quantity * price).quantize(_FOUR, ROUND_HALF_UP)
    elif abs(quantity * price - amount) > AMOUNT_TOLERANCE:
        fail(ft1, 11, f"extended amount {amount} is not quantity {quantity} × unit amount "
                      f"{price} = {quantity * price}")
    return quantity, price, amount


def _category(national: str, options: HisOptions) -> ChargeCategory:
    if not national:
        return ChargeCategory.OTHER
    return next((c for p, c in _longest_first(options.category_prefixes)
                 if national.startswith(p)), ChargeCategory.OTHER)


@lru_cache(maxsize=8)
def _longest_first(prefixes: tuple[tuple[str, ChargeCategory], ...],
                   ) -> tuple[tuple[str, ChargeCategory], ...]:
    return tuple(sorted(prefixes, key=lambda pc: -len(pc[0])))


def _udis(group: Group, options: HisOptions, prt: bool) -> tuple[str, ...]:
    found = []
    for seg in group.segments[1:]:
        if seg.name == "PRT" and prt:
            found.append(prt_udi(seg))
        elif seg.name == options.udi_segment:
            found.append(text(seg, 2))
    return tuple(u for u in found if u)


def prt_udi(prt: Segment) -> str:
    """The UDI of a v2.7+ PRT device participation, ``""`` for a PRT naming no device.

    PRT-10.1 (participation device) is taken as the full carrier; without it a GS1 string is
    built from PRT-16 (DI, 14 digits) and PRT-17/18/19/20 (manufacture and expiry dates, lot,
    serial); a non-GS1 PRT-16 is returned alone.
    """
    carrier = text(prt, 10)
    if carrier:
        return carrier
    di = text(prt, 16)
    if not (di.isdigit() and len(di) == 14):
        return di
    parts = [f"(01){di}"]
    for ai, n in (("11", 17), ("17", 18)):
        value = text(prt, n)
        if value:
            parts.append(f"({ai}){value[2:8]}")
    for ai, n in (("10", 19), ("21", 20)):
        value = text(prt, n)
        if value:
            parts.append(f"({ai}){value}")
    return "".join(parts)
