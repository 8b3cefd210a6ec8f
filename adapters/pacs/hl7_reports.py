"""ORU^R01 → imaging reports (检查报告), one per OBR group; modality words shared with orders.

=================  ==========================================================================
ImagingReport      HL7 v2
=================  ==========================================================================
record_id          OBR-3.1 filler order number (accession), else OBR-2.1, else MSH-10-<n>
order_id           OBR-2.1 placer order number (the imaging order answered)
recorded_at        OBR-22 results report/status change, else OBR-7 observation, else MSH-7
author_id          OBR-32.1 principal result interpreter, else OBX-16.1 of the first OBX
modality           OBR-24 through ``modality_codes``, else the OBR-4 words (as for orders)
findings           OBX whose OBX-3.1 or OBX-3.2 is in ``findings_codes`` (FINDINGS, GDT,
                   DICOM 121071, LOINC 59776-5/18782-3, 检查所见, 影像所见); with none, every
                   text OBX (TX/FT/ST) that is not a conclusion; lines joined by newlines
conclusion         OBX whose OBX-3.1 or OBX-3.2 is in ``impression_codes`` (IMPRESSION, IMP,
                   CONCLUSION, DICOM 121073, LOINC 19005-8, 诊断意见, 检查结论, 印象)
=================  ==========================================================================
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING

from yibao_sdk.hl7v2.fields import (
    MISSING,
    build,
    coded,
    fail,
    observation,
    text,
    timestamp,
)
from yibao_sdk.hl7v2.message import Group, Message
from yibao_sdk.hl7v2.segment import Segment
from yibao_sdk.models import ImagingReport

if TYPE_CHECKING:
    from .hl7 import PacsOptions

__all__ = ["FINDINGS_CODES", "IMPRESSION_CODES", "REPORT_MEMBERS", "imaging_reports",
           "modality_of"]

FINDINGS_CODES = frozenset({"FINDINGS", "GDT", "121071", "59776-5", "18782-3", "检查所见",
                            "影像所见", "所见"})
"""Default OBX-3 identifiers of findings."""
IMPRESSION_CODES = frozenset({"IMPRESSION", "IMP", "CONCLUSION", "121073", "19005-8",
                              "诊断意见", "检查结论", "印象", "结论"})
"""Default OBX-3 identifiers of the conclusion."""
REPORT_MEMBERS = ("NTE", "TQ1", "CTD", "OBX", "SPM", "PRT", "ROL", "Z*")
"""Segments that belong to the OBR before them."""
_TEXT_TYPES = ("TX", "FT", "ST")


def modality_of(codes: tuple[str, ...], words: str, options: PacsOptions) -> str:
    """The DICOM modality from coded fields (IPC-5, OBR-24), else from the service words."""
    for code in codes:
        found = options.modality_codes.get(code.upper())
        if found:
            return found
    upper = words.upper()
    return next((m for w, m in options.modality_keywords if _has_word(upper, w.upper())), "")


def _has_word(text_: str, word: str) -> bool:
    """``word`` in ``text_``; a Latin word must not touch other Latin letters (CT ≠ OCT)."""
    if not word.isascii():
        return word in text_
    return re.search(rf"(?<![A-Z]){re.escape(word)}(?![A-Z])", text_) is not None


def imaging_reports(message: Message, options: PacsOptions) -> tuple[ImagingReport, ...]:
    """The imaging reports of an ORU^R01 message."""
    groups = message.groups("OBR", REPORT_MEMBERS)
    if not groups:
        fail(message.header, 9, "the message has no OBR segment", MISSING)
    return tuple(_report(g, n, message, options) for n, g in enumerate(groups, 1))


def _when(obr: Segment, message: Message) -> datetime:
    when = (timestamp(obr, 22, "results report date/time")
            or timestamp(obr, 7, "observation date/time")
            or timestamp(message.header, 7, "message date/time"))
    if when is None:
        fail(obr, 22, "report date/time is missing", MISSING)
    return when


def _report(group: Group, n: int, message: Message, options: PacsOptions) -> ImagingReport:
    obr = group.head
    findings: list[str] = []
    conclusion: list[str] = []
    loose: list[str] = []
    for obx in group.all("OBX"):
        ids = {text(obx, 3).upper(), text(obx, 3, 2).upper()} - {""}
        value = observation(obx)
        if ids & options.impression_codes:
            conclusion.append(value)
        elif ids & options.findings_codes:
            findings.append(value)
        elif text(obx, 2).upper() in _TEXT_TYPES:
            loose.append(value)
    service = coded(obr, 4)
    first = group.segment("OBX")
    data = {
        "record_id": text(obr, 3) or text(obr, 2) or f"{message.control_id}-{n}",
        "order_id": text(obr, 2) or None, "recorded_at": _when(obr, message),
        "author_id": text(obr, 32) or text(first, 16),
        "modality": modality_of((text(obr, 24),), f"{service.label} {service.code}", options),
        "findings": "\n".join(v for v in findings or loose if v),
        "conclusion": "\n".join(v for v in conclusion if v),
    }
    return build(ImagingReport, data, obr, {
        "record_id": (obr, 3), "order_id": (obr, 2), "author_id": (obr, 32),
        "modality": (obr, 24), "findings": (first, 5), "conclusion": (first, 5)})
