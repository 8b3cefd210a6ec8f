"""What one inbound HL7 message means for the core: the contract between adapters and gateway."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from yibao_sdk.hl7v2.message import Message
from yibao_sdk.models.charge import Charge
from yibao_sdk.models.order import Order
from yibao_sdk.models.patient import Patient
from yibao_sdk.models.record import Record
from yibao_sdk.models.visit import Visit

__all__ = ["ItemResolver", "Mapped", "Router"]

ItemResolver = Callable[[str, str, str], "str | None"]
"""``(hospital_item_code, kind, source) -> national code | None``, e.g.
:meth:`yibao_sdk.rules.Engine.resolve_item_code` (the ``yibao_resolve_item_code`` hook)."""


@dataclass(frozen=True, slots=True)
class Mapped:
    """The core content of one message, for the visit it concerns.

    An ADT message carries ``patient`` and ``visit`` (the visit as registered, updated or
    discharged, without orders/charges/records); order, charge and result messages carry the
    new ``orders``, ``charges`` and ``records`` for ``visit_id``. The gateway merges them into
    the visit it keeps and runs the rules on what is new.
    """

    source: str
    """Sending system: ``his``, ``lis``, ``pacs`` or ``emr``."""
    message_type: str
    """``CODE^TRIGGER`` as received, e.g. ``DFT^P03``."""
    control_id: str
    """MSH-10, echoed in the ACK."""
    visit_id: str
    """The visit (就诊) the content belongs to (PV1-19 visit number)."""
    patient: Patient | None = None
    """The patient, when the message carries PID."""
    visit: Visit | None = None
    """The visit itself, for ADT messages."""
    orders: tuple[Order, ...] = ()
    """New or changed orders."""
    charges: tuple[Charge, ...] = ()
    """New charge lines (refunds have negative quantity and ``refund_of``)."""
    records: tuple[Record, ...] = ()
    """New records: surgery records with implants, forms, lab and imaging reports."""


Router = Callable[[Message], Mapped]
"""Maps a parsed message to :class:`Mapped`; raises an ``Hl7Error`` for what it cannot map."""
