"""PACS/RIS HL7 v2 router: imaging orders (OMI^O23, ORM^O01) and imaging reports (ORU^R01).

:func:`route` is pure and raises only :class:`~yibao_sdk.hl7v2.Hl7Error` subclasses. Reports
are described in :mod:`adapters.pacs.hl7_reports`; orders, one per ORC group, field by field
(first non-empty wins):

=================  ==========================================================================
ImagingOrder       HL7 v2
=================  ==========================================================================
order_id           ORC-2.1, else OBR-2.1, else ORC-3.1 / OBR-3.1
ordered_at         ORC-9, else OBR-6 requested date/time, else TQ1-7, else OBR-7, else MSH-7
practitioner_id    ORC-12.1, else OBR-16.1 ordering provider
item_code, name    OBR-4 universal service id: national by coding system or shape, else
                   ``resolve(code, "imaging", source)``; the code sent stays in
                   hospital_item_code
modality           IPC-5.1 (OMI), else OBR-24 diagnostic service section, each through
                   ``PacsOptions.modality_codes`` (table 0074 NMR → MR …); else the first
                   ``modality_keywords`` match in the OBR-4 text and code (磁共振/MRI → MR …)
body_part          ``PacsOptions.body_part_path`` when set, else OBR-15.4 body site (v2.3–2.6
                   SPS), else the OBR-4 text without its modality and scope words
                   (头颅MRI平扫+增强 → 头颅, "CT Head" → Head)
scope              the first ``scope_rules`` keyword found in the OBR-4 text and code:
                   平扫+增强 / 平扫加增强 / W/WO … → plain+enhanced, 增强 … → enhanced, else plain
urgent             TQ1-9.1, OBR-5, ORC-7.6 or OBR-27.6 priority S or A
department         ORC-17.1, else PV1-3.1
signatures         the ordering provider at ``ordered_at``
=================  ==========================================================================
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

from yibao_sdk.hl7v2.fields import (
    MISSING,
    NATIONAL_SYSTEMS,
    Hl7MappingError,
    Hl7UnsupportedError,
    build,
    coded,
    fail,
    first_of,
    group_text,
    item,
    read_patient,
    text,
    timestamp,
)
from yibao_sdk.hl7v2.mapped import ItemResolver, Mapped
from yibao_sdk.hl7v2.message import Group, Message
from yibao_sdk.hl7v2.segment import Segment
from yibao_sdk.models import ImagingOrder, ImagingScope, Signature

from .hl7_reports import FINDINGS_CODES, IMPRESSION_CODES, imaging_reports, modality_of

__all__ = ["SUPPORTED", "PacsOptions", "modality_of", "route", "scope_of"]

_MODALITY_CODES = MappingProxyType({
    "MR": "MR", "MRI": "MR", "NMR": "MR", "CT": "CT", "US": "US", "RUS": "US", "CUS": "US",
    "OUS": "US", "VUS": "US", "DX": "DX", "DR": "DX", "CR": "CR", "XA": "XA", "MG": "MG",
    "NM": "NM", "NMS": "NM", "PT": "PT", "RF": "RF",
})
_MODALITY_WORDS: tuple[tuple[str, str], ...] = (
    ("PET", "PT"), ("磁共振", "MR"), ("核磁", "MR"), ("MRI", "MR"), ("MRA", "MR"), ("MR", "MR"),
    ("CTA", "CT"), ("CT", "CT"), ("彩超", "US"), ("B超", "US"), ("超声", "US"), ("钼靶", "MG"),
    ("DR", "DX"), ("X线", "DX"), ("X光", "DX"), ("平片", "DX"),
)
_SCOPE_WORDS: tuple[tuple[str, ImagingScope], ...] = tuple(
    [(w, ImagingScope.PLAIN_AND_ENHANCED) for w in (
        "平扫+增强", "平扫＋增强", "平扫加增强", "平扫及增强", "平扫和增强", "W/WO",
        "WITH AND WITHOUT CONTRAST")]
    + [(w, ImagingScope.ENHANCED) for w in ("增强", "WITH CONTRAST", "W/ CONTRAST",
                                             "ENHANCED")])
_ORDER_MEMBERS = ("TQ1", "TQ2", "OBR", "NTE", "CTD", "DG1", "OBX", "IPC", "PRT", "ROL", "BLG",
                  "FT1", "Z*")
_URGENT = ("S", "A")
_TRIM = " -_/()（）·,，"


@dataclass(frozen=True, slots=True)
class PacsOptions:
    """What a hospital may configure about its PACS/RIS messages."""

    source: str = "pacs"
    """``Mapped.source`` and the ``source`` handed to the item resolver."""
    visit_id_paths: tuple[str, ...] = ("PV1-19", "PID-18")
    """Where the visit number is read, first non-empty wins."""
    patient_id_types: tuple[str, ...] = ("MR", "PI")
    """PID-3 identifier types preferred for the patient id."""
    id_card_types: tuple[str, ...] = ("NNCHN", "ID")
    """PID-3 identifier types carrying the ID-card number (else PID-19)."""
    national_systems: frozenset[str] = NATIONAL_SYSTEMS
    """CWE coding systems of national 医保 codes."""
    modality_codes: Mapping[str, str] = field(default_factory=lambda: _MODALITY_CODES)
    """IPC-5 / OBR-24 codes → DICOM modality."""
    modality_keywords: tuple[tuple[str, str], ...] = _MODALITY_WORDS
    """Words of the service text or code → modality, the first found wins."""
    scope_rules: tuple[tuple[str, ImagingScope], ...] = _SCOPE_WORDS
    """Words of the service text or code → scope, the first found wins (else plain)."""
    body_part_path: str = ""
    """Order-group path of the body part (e.g. ``"OBR-46"``); empty: OBR-15.4, then text."""
    findings_codes: frozenset[str] = FINDINGS_CODES
    """ORU OBX-3.1/3.2 identifiers of findings (检查所见)."""
    impression_codes: frozenset[str] = IMPRESSION_CODES
    """ORU OBX-3.1/3.2 identifiers of the conclusion (诊断意见)."""


_ROUTES = {("OMI", "O23"), ("ORM", "O01"), ("ORU", "R01")}
SUPPORTED = frozenset(f"{code}^{trigger}" for code, trigger in _ROUTES)
"""Message types :func:`route` maps."""


def route(message: Message, *, resolve: ItemResolver | None = None,
          options: PacsOptions | None = None) -> Mapped:
    """Map one PACS/RIS message to the core.

    :param resolve: hospital item code → national code, e.g. ``engine.resolve_item_code``.
    :param options: the hospital's conventions; :class:`PacsOptions` defaults otherwise.
    :raises Hl7UnsupportedError: for a message type not in :data:`SUPPORTED` (names MSH-9).
    :raises Hl7MappingError: for a missing or malformed value (names segment and field).
    """
    code, trigger, _ = message.message_type
    key = (code.strip().upper(), trigger.strip().upper())
    if key not in _ROUTES:
        raise Hl7UnsupportedError.for_message(message, "PACS", SUPPORTED)
    opts = options or PacsOptions()
    try:
        visit_id = first_of(message, opts.visit_id_paths, "visit number")
        pid = message.segment("PID")
        patient = None if pid is None else read_patient(
            pid, id_types=opts.patient_id_types, id_card_types=opts.id_card_types)
        if key[0] == "ORU":
            return Mapped(source=opts.source, message_type="ORU^R01",
                          control_id=message.control_id, visit_id=visit_id, patient=patient,
                          records=imaging_reports(message, opts))
        orders = tuple(_order(g, message, opts, resolve) for g in _groups(message))
    except Hl7MappingError as exc:
        raise exc.within(message) from exc.__cause__
    return Mapped(source=opts.source, message_type="^".join(key), control_id=message.control_id,
                  visit_id=visit_id, patient=patient, orders=orders)


def _groups(message: Message) -> list[Group]:
    groups = message.groups("ORC", _ORDER_MEMBERS)
    if not groups:
        fail(message.header, 9, "the message has no ORC order group", MISSING)
    return groups


def scope_of(words: str, options: PacsOptions) -> ImagingScope:
    """平扫/增强/平扫+增强 by the first ``scope_rules`` keyword in ``words`` (else plain)."""
    upper = words.upper()
    return next((s for w, s in options.scope_rules if w.upper() in upper), ImagingScope.PLAIN)


def _body_part(group: Group, service: str, options: PacsOptions) -> str:
    obr = group.segment("OBR")
    found = (group_text(group, options.body_part_path) if options.body_part_path else "") or (
        text(obr, 15, 4, 2) or text(obr, 15, 4))
    if found:
        return found
    rest = service
    for word, _ in (*options.scope_rules, *options.modality_keywords, ("平扫", "")):
        rest = re.sub(re.escape(word), " ", rest, flags=re.IGNORECASE) if word.isascii() \
            else rest.replace(word, " ")
    return " ".join(rest.split()).strip(_TRIM)


def _order(group: Group, message: Message, options: PacsOptions,
           resolve: ItemResolver | None) -> ImagingOrder:
    orc, obr, tq1 = group.head, group.segment("OBR"), group.segment("TQ1")
    if obr is None:
        fail(orc, 1, "the order group has no OBR", MISSING)
    service = coded(obr, 4)
    found = item(service, "imaging", options.source, resolve, options.national_systems)
    if not (found.code or found.hospital_code):
        fail(obr, 4, "universal service id is missing", MISSING)
    words = f"{service.label} {service.code} {service.alt_code}"
    ordered_at = _ordered_at(orc, obr, tq1, message)
    practitioner = text(orc, 12) or text(obr, 16)
    if not practitioner:
        fail(orc, 12, "ordering provider is missing", MISSING)
    data = {
        "order_id": text(orc, 2) or text(obr, 2) or text(orc, 3) or text(obr, 3),
        "ordered_at": ordered_at, "practitioner_id": practitioner, "item_code": found.code,
        "hospital_item_code": found.hospital_code, "name": found.name,
        "modality": modality_of((text(group.segment("IPC"), 5), text(obr, 24)), words, options),
        "body_part": _body_part(group, service.label, options),
        "scope": scope_of(words, options),
        "urgent": any(v.upper() in _URGENT for v in (
            text(tq1, 9), text(obr, 5), text(orc, 7, 6), text(obr, 27, 6)) if v),
        "department": text(orc, 17) or text(message.segment("PV1"), 3),
        "signatures": (build(Signature, {"practitioner_id": practitioner,
                                         "signed_at": ordered_at}, orc,
                             {"practitioner_id": (orc, 12)}),),
    }
    return build(ImagingOrder, data, orc, {
        "order_id": (orc, 2), "ordered_at": (orc, 9), "practitioner_id": (orc, 12),
        "item_code": (obr, 4), "hospital_item_code": (obr, 4), "name": (obr, 4),
        "modality": (obr, 24), "body_part": (obr, 15), "department": (orc, 17)})


def _ordered_at(orc: Segment, obr: Segment, tq1: Segment | None, message: Message) -> datetime:
    when = (timestamp(orc, 9, "transaction date/time")
            or timestamp(obr, 6, "requested date/time") or timestamp(tq1, 7, "start date/time")
            or timestamp(obr, 7, "observation date/time")
            or timestamp(message.header, 7, "message date/time"))
    if when is None:
        fail(orc, 9, "order date/time is missing", MISSING)
    return when
