"""HIS HL7 v2 router: ADT, pharmacy orders (RDE/OMP), charges (DFT) and EMR documents (MDM).

:func:`route` maps one parsed message to a :class:`~yibao_sdk.hl7v2.Mapped`; it is pure (no
I/O, no logging) and raises only :class:`~yibao_sdk.hl7v2.Hl7Error` subclasses:

=============  ===============================================================================
MSH-9          maps to
=============  ===============================================================================
ADT^A01        patient + inpatient visit (admission, 入院登记)
ADT^A04        patient + visit whose type PV1-2 gives (O/E/I; 门急诊挂号)
ADT^A03        patient + visit with ``discharged_at`` (PV1-45; 出院)
ADT^A08        patient + visit as updated (信息更新)
RDE^O11        drug orders from ORC + RXE (RXO when no RXE) (药品医嘱)
OMP^O09        drug orders from ORC + RXO
DFT^P03        charges from FT1, UDIs from PRT (v2.7+) or a Z-segment (费用明细)
MDM^T02        a surgery record with implants, or a form, from TXA + OBX (手术记录/表单)
=============  ===============================================================================

Field-by-field conventions are in :mod:`adapters.his.hl7_adt`, ``hl7_orders``, ``hl7_charges``
and ``hl7_records``; :class:`HisOptions` holds everything a hospital may configure.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from yibao_sdk.hl7v2.fields import (
    NATIONAL_SYSTEMS,
    Hl7MappingError,
    Hl7UnsupportedError,
)
from yibao_sdk.hl7v2.mapped import ItemResolver, Mapped
from yibao_sdk.hl7v2.message import Message
from yibao_sdk.models import ChargeCategory, VisitType

from .hl7_adt import map_adt
from .hl7_charges import map_charges
from .hl7_orders import map_drug_orders
from .hl7_records import map_document

__all__ = ["DEFAULT_CATEGORY_PREFIXES", "SUPPORTED", "HisOptions", "route"]

_CLASSES = MappingProxyType({
    "I": VisitType.INPATIENT, "O": VisitType.OUTPATIENT, "E": VisitType.EMERGENCY,
    "P": VisitType.INPATIENT, "B": VisitType.INPATIENT, "R": VisitType.OUTPATIENT,
})

DEFAULT_CATEGORY_PREFIXES: tuple[tuple[str, ChargeCategory], ...] = (
    ("001102", ChargeCategory.CONSULTATION), ("001109", ChargeCategory.BED),
    ("0011", ChargeCategory.GENERAL), ("0021", ChargeCategory.EXAMINATION),
    ("0022", ChargeCategory.EXAMINATION), ("0023", ChargeCategory.EXAMINATION),
    ("0025", ChargeCategory.LAB), ("0027", ChargeCategory.EXAMINATION),
    ("0033", ChargeCategory.SURGERY), ("003", ChargeCategory.TREATMENT),
    ("004", ChargeCategory.TREATMENT), ("X", ChargeCategory.WESTERN_DRUG),
    ("Z", ChargeCategory.PATENT_DRUG), ("T", ChargeCategory.HERBAL),
    ("C", ChargeCategory.CONSUMABLE),
)
"""National code prefixes → 收费类别 (longest first wins): service-code chapters (0011 综合,
0021–0027 医技/检验, 0033 手术, 003/004 临床), drug codes X 西药 / Z 中成药 / T 饮片, C 耗材."""


@dataclass(frozen=True, slots=True)
class HisOptions:
    """What a hospital may configure about its HIS messages; the defaults are documented."""

    source: str = "his"
    """``Mapped.source`` and the ``source`` handed to the item resolver."""
    visit_id_paths: tuple[str, ...] = ("PV1-19", "PID-18")
    """Where the visit number is read, first non-empty wins (PID-18 account number fallback)."""
    patient_id_types: tuple[str, ...] = ("MR", "PI")
    """PID-3 identifier types (CX-5) preferred for the patient id (medical record first)."""
    id_card_types: tuple[str, ...] = ("NNCHN", "ID")
    """PID-3 identifier types carrying the ID-card number (else PID-19)."""
    patient_classes: Mapping[str, VisitType] = field(default_factory=lambda: _CLASSES)
    """PV1-2 patient class → visit type (A01 is always inpatient)."""
    main_diagnosis_types: frozenset[str] = frozenset()
    """DG1-6 codes that mark the main diagnosis besides DG1-15 priority ``1``."""
    national_systems: frozenset[str] = NATIONAL_SYSTEMS
    """CWE coding systems of national 医保 codes."""
    ordering_provider_paths: tuple[str, ...] = ("ORC-12", "RXE-13", "RXO-14")
    """Where in an order group the ordering provider (开单医师) is read, first wins."""
    cosigner_paths: tuple[str, ...] = ()
    """Order-group fields whose XCN repetitions co-sign, e.g. ``("ORC-11",)``."""
    cosigner_roles: frozenset[str] = frozenset({"VP", "COSIGN", "CS"})
    """ROL-3 / PRT-4 role codes of co-signers (VP verifying provider)."""
    charge_types: frozenset[str] = frozenset({"CG"})
    """FT1-6 transaction types of charge lines."""
    credit_types: frozenset[str] = frozenset({"CR", "CD"})
    """FT1-6 types of credit (refund) lines: negative quantity and amount."""
    refund_of_path: str = "FT1-31"
    """Where a credit line names the charge it reverses (FT1-31 transaction reference key)."""
    udi_segment: str = "ZUD"
    """Z-segment carrying implant UDIs after an FT1: ``ZUD|set id|UDI|barcode``."""
    category_map: Mapping[str, ChargeCategory] = field(default_factory=dict)
    """Item code (hospital or national) → 收费类别, consulted before the prefixes."""
    category_prefixes: tuple[tuple[str, ChargeCategory], ...] = DEFAULT_CATEGORY_PREFIXES
    """National code prefixes → 收费类别."""
    document_types: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({
        "OP": "surgery", "SURG": "surgery", "PREOP": "preop_assessment"}))
    """MDM TXA-2 document type → ``surgery`` (a SurgeryRecord) or a form type."""


_Handler = Callable[[Message, str, HisOptions, ItemResolver | None], Mapped]
_ROUTES: dict[tuple[str, str], _Handler] = {
    ("ADT", "A01"): map_adt, ("ADT", "A04"): map_adt, ("ADT", "A03"): map_adt,
    ("ADT", "A08"): map_adt, ("RDE", "O11"): map_drug_orders, ("OMP", "O09"): map_drug_orders,
    ("DFT", "P03"): map_charges, ("MDM", "T02"): map_document,
}
SUPPORTED = frozenset(f"{code}^{trigger}" for code, trigger in _ROUTES)
"""Message types :func:`route` maps."""


_DEFAULT_OPTIONS = HisOptions()
"""Used when a caller passes none (built once: options are frozen)."""


def route(message: Message, *, resolve: ItemResolver | None = None,
          options: HisOptions | None = None) -> Mapped:
    """Map one HIS message to the core.

    :param message: a message from :func:`yibao_sdk.hl7v2.parse_message`.
    :param resolve: hospital item code → national code, e.g. ``engine.resolve_item_code``.
    :param options: the hospital's conventions; :class:`HisOptions` defaults otherwise.
    :raises Hl7UnsupportedError: for a message type not in :data:`SUPPORTED` (names MSH-9).
    :raises Hl7MappingError: for a missing or malformed value (names segment and field).
    """
    code, trigger, _ = message.message_type
    handler = _ROUTES.get((code.strip().upper(), trigger.strip().upper()))
    if handler is None:
        raise Hl7UnsupportedError.for_message(message, "HIS", SUPPORTED)
    try:
        return handler(message, trigger.strip().upper(), options or _DEFAULT_OPTIONS, resolve)
    except Hl7MappingError as exc:
        raise exc.within(message) from exc.__cause__

