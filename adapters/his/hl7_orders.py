"""RDE^O11 / OMP^O09 → drug orders (药品医嘱), one per ORC group.

=================  ==========================================================================
DrugOrder          HL7 v2 (first non-empty wins; "give" is RXE, else RXO)
=================  ==========================================================================
order_id           ORC-2.1 placer order number, else ORC-3.1 filler order number
ordered_at         ORC-9 transaction date/time, else TQ1-7 start, else MSH-7
practitioner_id    ``HisOptions.ordering_provider_paths``: ORC-12.1, else RXE-13.1, else RXO-14.1
item_code,         RXE-2 give code / RXO-1 requested give code: national when its coding system
hospital_item_code is national (or it has a national shape), else resolved with
name               ``resolve(code, "drug", source)``; name CWE-2
dose               RXE-3[-RXE-4] + RXE-5 units / RXO-2[-RXO-3] + RXO-4 (units: CWE-1, or CWE-2
                   when CWE-1 is a bare number)
quantity           RXE-10 dispense amount / RXO-11 requested dispense amount, else 1
frequency          TQ1-3.1 repeat pattern, else ORC-7.2 (TQ interval, v2.3/2.4), else RXE-1.2
days               TQ1-6 service duration when its unit (CQ-2) is D/d/天
department         ORC-17.1 entering organization, else PV1-3.1
urgent             TQ1-9.1, ORC-7.6 or RXE-1.6 priority S (stat) or A (ASAP)
signatures         the ordering provider at ``ordered_at``, then co-signers: each XCN repetition
                   of ``HisOptions.cosigner_paths``, and ROL (ROL-3 role, ROL-4 person, ROL-5
                   time) and PRT (PRT-4, PRT-5, PRT-11) segments of the group whose role is in
                   ``HisOptions.cosigner_roles`` (default VP, COSIGN, CS); one per person
=================  ==========================================================================
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from yibao_sdk.hl7v2.fields import (
    MISSING,
    build,
    coded,
    decimal,
    fail,
    group_text,
    item,
    participants,
    text,
    timestamp,
)
from yibao_sdk.hl7v2.mapped import ItemResolver, Mapped
from yibao_sdk.hl7v2.message import Group, Message
from yibao_sdk.hl7v2.segment import Segment
from yibao_sdk.models import DrugOrder, Signature

from .hl7_adt import patient_of, visit_id_of

if TYPE_CHECKING:
    from .hl7 import HisOptions

__all__ = ["ORDER_MEMBERS", "map_drug_orders"]

ORDER_MEMBERS = ("TQ1", "TQ2", "RXO", "RXE", "RXR", "RXC", "RXD", "NTE", "ROL", "PRT", "OBX",
                 "CDO", "FT1", "BLG", "DG1", "Z*")
"""Segments that belong to the ORC group before them."""
_URGENT = ("S", "A")
# give segment → (code, dose min, dose max, units, quantity)
_GIVE = {"RXE": (2, 3, 4, 5, 10), "RXO": (1, 2, 3, 4, 11)}


def map_drug_orders(message: Message, trigger: str, options: HisOptions,
                    resolve: ItemResolver | None = None) -> Mapped:
    """Drug orders of an RDE^O11 or OMP^O09 message."""
    visit_id = visit_id_of(message, options)
    groups = message.groups("ORC", ORDER_MEMBERS)
    if not groups:
        fail(message.header, 9, "the message has no ORC order group", MISSING)
    orders = tuple(_order(g, message, options, resolve) for g in groups)
    code, _, _ = message.message_type
    return Mapped(source=options.source, message_type=f"{code}^{trigger}",
                  control_id=message.control_id, visit_id=visit_id,
                  patient=patient_of(message, options), orders=orders)


def _order(group: Group, message: Message, options: HisOptions,
           resolve: ItemResolver | None) -> DrugOrder:
    orc = group.head
    give = group.segment("RXE") or group.segment("RXO")
    if give is None:
        fail(orc, 1, "the order group has neither RXE nor RXO", MISSING)
    code_n, low_n, high_n, unit_n, qty_n = _GIVE[give.name]
    found = item(coded(give, code_n), "drug", options.source, resolve, options.national_systems)
    if not (found.code or found.hospital_code):
        fail(give, code_n, "give code is missing", MISSING)
    tq1 = group.segment("TQ1")
    ordered_at = _ordered_at(orc, tq1, message)
    practitioner = next((v for p in options.ordering_provider_paths
                         if (v := group_text(group, p))), "")
    if not practitioner:
        fail(orc, 12, "ordering provider is missing", MISSING)
    data: dict[str, Any] = {
        "order_id": text(orc, 2) or text(orc, 3), "ordered_at": ordered_at,
        "practitioner_id": practitioner, "item_code": found.code,
        "hospital_item_code": found.hospital_code, "name": found.name,
        "quantity": decimal(give, qty_n, "dispense amount") or Decimal(1),
        "dose": _dose(give, low_n, high_n, unit_n), "frequency": _frequency(orc, tq1, give),
        "days": _days(tq1), "department": text(orc, 17) or text(message.segment("PV1"), 3),
        "urgent": _urgent(orc, tq1, give),
        "signatures": _signatures(group, practitioner, ordered_at, options),
    }
    return build(DrugOrder, data, orc, {
        "order_id": (orc, 2), "ordered_at": (orc, 9), "practitioner_id": (orc, 12),
        "item_code": (give, code_n), "hospital_item_code": (give, code_n),
        "name": (give, code_n), "quantity": (give, qty_n), "dose": (give, low_n),
        "frequency": (tq1, 3), "days": (tq1, 6), "department": (orc, 17)})


def _ordered_at(orc: Segment, tq1: Segment | None, message: Message) -> datetime:
    when = (timestamp(orc, 9, "transaction date/time") or timestamp(tq1, 7, "start date/time")
            or timestamp(message.header, 7, "message date/time"))
    if when is None:
        fail(orc, 9, "order date/time is missing", MISSING)
    return when


def _dose(give: Segment, low: int, high: int, unit_n: int) -> str:
    amount = "-".join(v for v in (text(give, low), text(give, high)) if v)
    unit = coded(give, unit_n)
    label = unit.text if unit.code.replace(".", "").isdigit() else unit.code or unit.text
    return f"{amount}{label}" if amount else ""


def _frequency(orc: Segment, tq1: Segment | None, give: Segment) -> str:
    rxe_tq = text(give, 1, 2) if give.name == "RXE" else ""
    return text(tq1, 3) or text(orc, 7, 2) or rxe_tq


def _days(tq1: Segment | None) -> int | None:
    amount, unit = text(tq1, 6), text(tq1, 6, 2)
    if tq1 is None or not amount or unit not in ("D", "d", "天"):
        return None
    value = decimal(tq1, 6, "service duration")
    return int(value) if value is not None else None


def _urgent(orc: Segment, tq1: Segment | None, give: Segment) -> bool:
    rxe_tq = text(give, 1, 6) if give.name == "RXE" else ""
    return any(v.upper() in _URGENT for v in (text(tq1, 9), text(orc, 7, 6), rxe_tq) if v)


def _signatures(group: Group, ordering: str, at: datetime,
                options: HisOptions) -> tuple[Signature, ...]:
    people: dict[str, datetime] = {ordering: at}
    for path in options.cosigner_paths:
        name, _, rest = path.partition("-")
        for seg in group.all(name[:3]):
            for rep in seg.repetitions(int(rest.split(".")[0])):
                who = rep.value(1).strip()
                if who:
                    people.setdefault(who, at)
    for who, when in participants(group, options.cosigner_roles):
        people.setdefault(who, when or at)
    orc = group.head
    return tuple(build(Signature, {"practitioner_id": p, "signed_at": t}, orc,
                       {"practitioner_id": (orc, 12)}) for p, t in people.items())
