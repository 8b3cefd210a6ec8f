"""Keeping personal data out of logs and output: scrub ID-card and phone numbers, mask names."""

from __future__ import annotations

import re
from typing import Any

from yibao_sdk.codes.masking import mask_id_card, mask_name, mask_phone
from yibao_sdk.models.patient import Patient

__all__ = ["redact", "redact_data", "scrub"]

# 18-character resident ID (GB 11643) and mainland mobile numbers, not inside longer digit runs
_ID_CARD = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def scrub(text: str) -> str:
    """Mask anything shaped like an ID-card or mobile number in ``text``.

    Used on every message that may leave the process (errors, logs, the audit log) when the
    person it concerns is not known.
    """
    text = _ID_CARD.sub(lambda m: mask_id_card(m.group()), text)
    return _MOBILE.sub(lambda m: mask_phone(m.group()), text)


def redact(text: str, patient: Patient | None) -> str:
    """:func:`scrub` ``text`` and mask the patient's name and ID number (any letter case)."""
    if patient is not None:
        if len(patient.name) > 1:
            text = text.replace(patient.name, mask_name(patient.name))
        if patient.id_card and len(patient.id_card) > 5:
            pattern = re.compile(re.escape(patient.id_card), re.IGNORECASE)
            text = pattern.sub(mask_id_card(patient.id_card), text)
    return scrub(text)


def redact_data(data: Any, patient: Patient | None) -> Any:
    """:func:`redact` every string inside a JSON-like structure (dicts, lists, strings)."""
    if isinstance(data, str):
        return redact(data, patient)
    if isinstance(data, dict):
        return {key: redact_data(value, patient) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [redact_data(value, patient) for value in data]
    return data
