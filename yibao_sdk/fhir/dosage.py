"""Drug order dose, frequency and days ↔ FHIR Dosage and dispenseRequest.expectedSupplyDuration."""

from __future__ import annotations

import re
from decimal import Decimal

from yibao_sdk.fhir.codec import Json
from yibao_sdk.fhir.datatypes import coding, concept, concept_codes, concept_text
from yibao_sdk.fhir.node import Node
from yibao_sdk.fhir.systems import CS_FREQUENCY, UCUM

__all__ = ["dosage_to_fhir", "read_days", "read_dose", "read_frequency", "supply_duration"]

# "0.5g", "10mg", "1片": a number without leading zeros then a unit, so it reads back identically
_DOSE = re.compile(r"^((?:0|[1-9]\d*)(?:\.\d+)?)([^\d.\s]\S*)?$")
_DAYS = {"d": 1, "day": 1, "days": 1, "天": 1, "wk": 7, "week": 7, "weeks": 7, "周": 7}


def read_dose(dosage: Node | None) -> str:
    """单次剂量: the first doseQuantity as value+unit (``0.5g``), else the dosage text."""
    if dosage is None:
        return ""
    for rate in dosage.children("doseAndRate"):
        dose = rate.child("doseQuantity")
        value = dose.number("value") if dose is not None else None
        if dose is not None and value is not None:
            return f"{value}{dose.text('unit')}"
    return dosage.text("text")


def read_frequency(dosage: Node | None) -> str:
    """频次: the timing code (yibao frequency system first), else its text."""
    code = dosage.walk("timing", "code") if dosage is not None else None
    codes = concept_codes(code, CS_FREQUENCY) or concept_codes(code)
    return codes[0] if codes else concept_text(code)


def read_days(dispense: Node | None) -> int | None:
    """用药天数 from ``expectedSupplyDuration`` in days or weeks (other units: unknown)."""
    duration = dispense.child("expectedSupplyDuration") if dispense is not None else None
    value = duration.number("value") if duration is not None else None
    if duration is None or value is None:
        return None
    factor = _DAYS.get(duration.text("code") or duration.text("unit"))
    return int(value * factor) if factor is not None else None


def dosage_to_fhir(dose: str, frequency: str) -> Json | None:
    """A Dosage: ``0.5g`` as doseQuantity, any other dose as text; frequency as timing code."""
    dosage: Json = {}
    match = _DOSE.match(dose)
    if match:
        quantity: Json = {"value": Decimal(match.group(1))}
        if match.group(2):
            quantity["unit"] = match.group(2)
        dosage["doseAndRate"] = [{"doseQuantity": quantity}]
    elif dose:
        dosage["text"] = dose
    if frequency:
        dosage["timing"] = {"code": concept(coding(CS_FREQUENCY, frequency))}
    return dosage or None


def supply_duration(days: int) -> Json:
    """``expectedSupplyDuration`` of ``days`` days (UCUM ``d``)."""
    return {"value": days, "unit": "d", "system": UCUM, "code": "d"}
