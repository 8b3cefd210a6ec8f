"""Implant ↔ FHIR Device: the UDI in ``udiCarrier`` (deviceIdentifier + carrierHRF or AIDC)."""

from __future__ import annotations

import base64
import binascii

from yibao_sdk.codes import parse_udi
from yibao_sdk.errors import CodeFormatError
from yibao_sdk.fhir.codec import Json, ResourceInput
from yibao_sdk.fhir.datatypes import (
    coding,
    concept,
    concept_codes,
    extension,
    identifier,
    identifier_value,
)
from yibao_sdk.fhir.mapping import WriteContext, build, standalone
from yibao_sdk.fhir.node import Node
from yibao_sdk.fhir.systems import (
    CS_NHSA_ITEM,
    EXT_IMPLANT_QUANTITY,
    GS1_DI,
    HIBCC_DI,
    SID_BARCODE,
)
from yibao_sdk.fhir.version import DEFAULT_VERSION
from yibao_sdk.models import Implant

__all__ = ["carrier_text", "device_to_fhir", "implant_from_device", "read_implant"]


def read_implant(device: Node) -> Implant:
    """An Implant from a Device: UDI from ``udiCarrier`` (HRF, else AIDC, else the DI)."""
    names = [n.text("value") or n.text("name")
             for n in device.children("name") + device.children("deviceName")]
    types = [code for kind in device.children("type") for code in concept_codes(kind, CS_NHSA_ITEM)]
    qty = device.extension(EXT_IMPLANT_QUANTITY)
    udis = [text for text in (carrier_text(c) for c in device.children("udiCarrier")) if text]
    data = {"name": next((n for n in names if n), "") or device.text("displayName"),
            "udi": udis[0] if udis else None,
            "barcode": identifier_value(device, SID_BARCODE) or None,
            "charge_code": types[0] if types else None,
            "quantity": (qty.integer("valueInteger") if qty is not None else None) or 1}
    return build(Implant, data, device, {"udi": "udiCarrier", "name": "name",
                                         "quantity": "extension", "barcode": "identifier"})


def carrier_text(carrier: Node) -> str:
    """The UDI of one ``udiCarrier``: carrierHRF, else decoded carrierAIDC, else the DI."""
    if carrier.text("carrierHRF"):
        return carrier.text("carrierHRF")
    try:
        aidc = base64.b64decode(carrier.text("carrierAIDC"), validate=True).decode("latin-1")
    except binascii.Error:
        carrier.fail("carrierAIDC is not base64", key="carrierAIDC", code="value")
    return aidc or carrier.text("deviceIdentifier")


def _carrier(raw: str) -> Json:
    try:
        parsed = parse_udi(raw)
        di, issuer = parsed.di, GS1_DI if parsed.scheme == "GS1" else HIBCC_DI
    except CodeFormatError:  # kept as sent: the implant-UDI rule must see it and refuse it
        di = "".join(ch for ch in raw if ch >= " ") or "unknown"
        issuer = HIBCC_DI if raw.startswith("+") else GS1_DI
    out: Json = {"deviceIdentifier": di, "issuer": issuer}
    if all(ch >= " " for ch in raw):
        out["carrierHRF"] = raw
    else:  # GS separators are not allowed in FHIR strings; AIDC is base64
        out["carrierAIDC"] = base64.b64encode(raw.encode("latin-1")).decode("ascii")
    return out


def device_to_fhir(implant: Implant, ctx: WriteContext) -> Json:
    """A Device for an implant (R5 ``name``, R4B ``deviceName`` and ``patient``)."""
    out: Json = {"resourceType": "Device"}
    if implant.quantity != 1:
        out["extension"] = [extension(EXT_IMPLANT_QUANTITY, valueInteger=implant.quantity)]
    if implant.barcode:
        out["identifier"] = [identifier(SID_BARCODE, implant.barcode)]
    if implant.udi:
        out["udiCarrier"] = [_carrier(implant.udi)]
    if implant.name:
        out.update({"name": [{"value": implant.name, "type": "user-friendly-name"}]} if ctx.r5
                   else {"deviceName": [{"name": implant.name, "type": "user-friendly-name"}]})
    if implant.charge_code:
        kind = concept(coding(CS_NHSA_ITEM, implant.charge_code))
        out["type"] = [kind] if ctx.r5 else kind
    if not ctx.r5:
        out["patient"] = ctx.patient_ref
    return out


def implant_from_device(resource: ResourceInput, *, version: str = DEFAULT_VERSION) -> Implant:
    """Map one Device to an Implant."""
    node, _ = standalone(resource, "Device", version=version)
    return read_implant(node)
