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

from pydantic import ValidationError

from yibao_sdk.hl7v2.fields import (
    MISSING,
    Coded,
    Item,
    build,
    decimal,
    fail,
    group_text,
    item,
    parse_number,
    text,
    timestamp,
)
from yibao_sdk.hl7v2.fields_fast import reader
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
# The FT1 values a charge reads, in one batch, as (field, width): 1 set id, 2 transaction id,
# 4 transaction date, 6 type, 7 transaction code (the six parts of a CWE), 8 description,
# 10 quantity, 11 extended and 12 unit amount, 20 performed by, 21 ordered by, 23 filler order.
_READS = ((1, 1), (2, 1), (4, 1), (6, 1), (7, 6), (8, 1), (10, 1), (11, 1), (12, 1), (20, 1),
          (21, 1), (23, 1))
# National code prefixes → category, by prefix length, longest first.
_Prefixes = tuple[tuple[int, dict[str, ChargeCategory]], ...]
# Charge attribute → the FT1 field a refusal names.
_FIELDS = {"charge_id": 2, "item_code": 7, "hospital_item_code": 7, "name": 7, "quantity": 10,
           "unit_price": 12, "amount": 11, "ordering_practitioner_id": 21,
           "performing_practitioner_id": 20, "order_id": 23, "refund_of": 31}


def map_charges(message: Message, trigger: str, options: HisOptions,
                resolve: ItemResolver | None = None) -> Mapped:
    """Charges of a DFT^P03 message."""
    visit_id = visit_id_of(message, options)
    groups = message.groups("FT1", FT1_MEMBERS)
    if not groups:
        fail(message.header, 9, "the message has no FT1 segment", MISSING)
    lines = _Lines(message, options, resolve)
    found = (lines.charge(g, n) for n, g in enumerate(groups, 1))
    code, _, _ = message.message_type
    return Mapped(source=options.source, message_type=f"{code}^{trigger}",
                  control_id=message.control_id, visit_id=visit_id,
                  patient=patient_of(message, options),
                  charges=tuple(c for c in found if c is not None))


def _version(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split(".")[:2] if p.isdigit())


class _Lines:
    """The FT1 lines of one message: what they share, and what one line already worked out.

    Within the message each transaction code (FT1-7 as sent) is classified and resolved once,
    and each quantity, amount or date string parsed once; nothing outlives the message.
    """

    __slots__ = ("codes", "message", "moments", "numbers", "options", "prefixes", "prt", "read",
                 "resolve")

    def __init__(self, message: Message, options: HisOptions,
                 resolve: ItemResolver | None) -> None:
        self.message, self.options, self.resolve = message, options, resolve
        self.prt = _version(message.version) >= _PRT_FROM
        self.read = reader(message.delimiters, _READS)
        self.prefixes: _Prefixes | None = None
        self.codes: dict[tuple[str, ...], tuple[Item, ChargeCategory]] = {}
        self.numbers: dict[str, Decimal] = {}
        self.moments: dict[str, datetime] = {}

    def charge(self, group: Group, n: int) -> Charge | None:
        """The charge of one FT1 group; ``None`` for a line that is not billed."""
        ft1, options = group.segments[0], self.options
        (set_id, line_id, when, kind, c1, c2, c3, c4, c5, c6, desc, qty, amount, price, performed,
         ordered, order) = self.read(ft1)
        cwe = (c1, c2, c3, c4, c5, c6)
        kind = kind.upper()
        if not kind:
            fail(ft1, 6, "transaction type is missing", MISSING)
        credit = kind in options.credit_types
        if not credit and kind not in options.charge_types:
            return None
        (national, hospital, name), category = self.codes.get(cwe) or self._code(cwe)
        if not (national or hospital):
            fail(ft1, 7, "transaction code is missing", MISSING)
        quantity, unit_price, total = self._money(ft1, credit, qty, price, amount)
        data: dict[str, Any] = {
            "charge_id": line_id or f"{self.message.control_id}-{set_id or n}",
            "item_code": national or hospital, "hospital_item_code": hospital,
            "name": name or desc,
            "category": category, "quantity": quantity, "unit_price": unit_price,
            "amount": total, "charged_at": self.moments.get(when) or self._charged_at(ft1, when),
            "ordering_practitioner_id": ordered, "performing_practitioner_id": performed,
            "order_id": order or None,
            "refund_of": (group_text(group, options.refund_of_path) or None) if quantity < 0
            else None,
            "udis": _udis(group, options, self.prt) if len(group.segments) > 1 else (),
        }
        try:
            line: Charge = Charge.__pydantic_validator__.validate_python(data)
        except ValidationError:  # validate again through build(), which names the FT1 field
            return build(Charge, data, ft1, {a: (ft1, f) for a, f in _FIELDS.items()})
        return line

    def _code(self, cwe: tuple[str, ...]) -> tuple[Item, ChargeCategory]:
        """FT1-7 (its six parts) as (item, category), remembered for the rest of the message."""
        options = self.options
        raw = Coded(*cwe)
        hint = options.category_map.get(raw.code) or options.category_map.get(raw.alt_code)
        found = item(raw, hint.value if hint else "other", options.source, self.resolve,
                     options.national_systems)
        if not hint and self.prefixes is None:
            self.prefixes = _by_length(options.category_prefixes)
        self.codes[cwe] = found, hint or _category(found.code, self.prefixes or ())
        return self.codes[cwe]

    def _charged_at(self, ft1: Segment, value: str) -> datetime:
        when = timestamp(ft1, 4, "transaction date", value=value)
        if when is None:
            fail(ft1, 4, "transaction date is missing", MISSING)
        self.moments[value] = when
        return when

    def _number(self, ft1: Segment, n: int, value: str, what: str) -> Decimal | None:
        if not value:
            return None
        try:
            found = self.numbers[value] = parse_number(value)
        except ValueError:  # decimal() raises the error that names the field
            return decimal(ft1, n, what, value=value)
        return found

    def _money(self, ft1: Segment, credit: bool, qty: str, price_text: str,
               amount_text: str) -> tuple[Decimal, Decimal, Decimal]:
        """(quantity, unit price, amount) from FT1-10, 12 and 11, checked: amount = quantity ×
        unit price."""
        known = self.numbers
        quantity = known.get(qty) or self._number(ft1, 10, qty, "quantity")
        if quantity is None:
            fail(ft1, 10, "quantity is missing", MISSING)
        price = known.get(price_text) or self._number(ft1, 12, price_text, "unit amount")
        amount = known.get(amount_text) or self._number(ft1, 11, amount_text, "extended amount")
        return _checked(ft1, credit, quantity, price, amount)


def _checked(ft1: Segment, credit: bool, quantity: Decimal, price: Decimal | None,
             amount: Decimal | None) -> tuple[Decimal, Decimal, Decimal]:
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


def _category(national: str, prefixes: _Prefixes) -> ChargeCategory:
    if national:
        for size, table in prefixes:
            found = table.get(national[:size])
            if found is not None:
                return found
    return ChargeCategory.OTHER


@lru_cache(maxsize=8)
def _by_length(prefixes: tuple[tuple[str, ChargeCategory], ...]) -> _Prefixes:
    """The prefixes by length, longest first (the first of two equal prefixes wins)."""
    tables: dict[int, dict[str, ChargeCategory]] = {}
    for prefix, category in prefixes:
        tables.setdefault(len(prefix), {}).setdefault(prefix, category)
    return tuple(sorted(tables.items(), key=lambda st: -st[0]))


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
