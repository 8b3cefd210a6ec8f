"""HIS FHIR mappings: MedicationRequest, procedure/consumable ServiceRequest and ChargeItem."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from yibao_sdk.fhir import systems as fs
from yibao_sdk.fhir.codec import Json, ResourceInput
from yibao_sdk.fhir.datatypes import (
    as_reference,
    coding,
    concept,
    concept_codes,
    extension,
    fhir_datetime,
    identifier,
    item_concept,
    money,
    read_item,
)
from yibao_sdk.fhir.device import carrier_text
from yibao_sdk.fhir.dosage import (
    dosage_to_fhir,
    read_days,
    read_dose,
    read_frequency,
    supply_duration,
)
from yibao_sdk.fhir.mapping import (
    Entry,
    FhirOptions,
    Part,
    ReadContext,
    WriteContext,
    build,
    resource_id,
    standalone,
)
from yibao_sdk.fhir.node import Node
from yibao_sdk.fhir.orders import (
    ORDER_WHERE,
    read_order_header,
    read_service_request,
    service_request,
    service_request_kind,
    signature_entries,
    write_order_header,
)
from yibao_sdk.fhir.version import DEFAULT_VERSION
from yibao_sdk.models import (
    Charge,
    ChargeCategory,
    ConsumableOrder,
    DrugOrder,
    ProcedureOrder,
)

__all__ = [
    "charge_from_fhir",
    "drug_order_from_fhir",
    "read_charge",
    "read_drug_order",
    "read_resource",
    "write_part",
]

_PERFORMER = concept(coding(fs.V3_PARTICIPATION, "PRF", "performer"))
_ORDERING = concept(coding(fs.CS_CHARGE_ROLE, "ordering", "开单医师"))
_SERVICE_CATEGORIES = {
    "MedicationRequest": ChargeCategory.WESTERN_DRUG, "Procedure": ChargeCategory.TREATMENT,
    "lab": ChargeCategory.LAB, "imaging": ChargeCategory.EXAMINATION,
    "procedure": ChargeCategory.TREATMENT, "consumable": ChargeCategory.CONSUMABLE,
}


def read_resource(node: Node, ctx: ReadContext) -> Part | None:
    """The HIS part a resource maps to (``None``: not a HIS resource)."""
    kind = node.resource_type
    if kind == "MedicationRequest":
        return read_drug_order(node, ctx)
    if kind == "ChargeItem":
        return read_charge(node, ctx)
    if kind == "ServiceRequest":
        family = service_request_kind(node)
        where = {**ORDER_WHERE, "quantity": "quantityQuantity"}
        if family == "procedure":
            return build(ProcedureOrder, read_service_request(node, ctx), node, where)
        if family == "consumable":
            return build(ConsumableOrder, read_service_request(node, ctx), node, where)
    return None


def write_part(part: Part, ctx: WriteContext) -> list[Entry] | None:
    """The resources a HIS part maps to (``None``: not a HIS part)."""
    if isinstance(part, DrugOrder):
        return _drug_entries(part, ctx)
    if isinstance(part, ProcedureOrder | ConsumableOrder):
        url = ctx.urn("order", part.order_id)
        resource = service_request(part, ctx, part.kind)
        return [(url, resource), *signature_entries(part, ctx, url)]
    if isinstance(part, Charge):
        return [(ctx.urn("charge", part.charge_id), _charge_item(part, ctx))]
    return None


# MedicationRequest <-> DrugOrder ------------------------------------------------------------

def read_drug_order(node: Node, ctx: ReadContext) -> DrugOrder:
    """A DrugOrder from a MedicationRequest (R5 ``medication``, R4B ``medication[x]``)."""
    dispense = node.child("dispenseRequest")
    amount = dispense.child("quantity") if dispense is not None else None
    data = read_order_header(node, ctx, code=_medication(node, ctx),
                             quantity=amount.number("value") if amount is not None else None)
    dosage = node.child("dosageInstruction")
    data.update(dose=read_dose(dosage), frequency=read_frequency(dosage), days=read_days(dispense))
    medication = "medication" if ctx.r5 else "medicationCodeableConcept"
    return build(DrugOrder, data, node, {
        **ORDER_WHERE, "item_code": medication, "name": medication,
        "quantity": "dispenseRequest.quantity", "dose": "dosageInstruction",
        "frequency": "dosageInstruction", "days": "dispenseRequest.expectedSupplyDuration"})


def _medication(node: Node, ctx: ReadContext) -> Node | None:
    med = node.child("medication")
    if med is not None and med.has("concept"):
        return med.child("concept")
    if med is None and node.has("medicationCodeableConcept"):
        return node.child("medicationCodeableConcept")
    ref = med.child("reference") if med is not None else node.child("medicationReference")
    target = ctx.resolve(ref, node)
    return target.child("code") if target is not None else None


def _drug_entries(order: DrugOrder, ctx: WriteContext) -> list[Entry]:
    url = ctx.urn("order", order.order_id)
    out = write_order_header(order, ctx, "MedicationRequest")
    item = item_concept(order.item_code, order.hospital_item_code, order.name)
    out.update({"medication": {"concept": item}} if ctx.r5 else
               {"medicationCodeableConcept": item})
    dosage = dosage_to_fhir(order.dose, order.frequency)
    if dosage is not None:
        out["dosageInstruction"] = [dosage]
    dispense: Json = {"quantity": {"value": order.quantity}}
    if order.days is not None:
        dispense["expectedSupplyDuration"] = supply_duration(order.days)
    out["dispenseRequest"] = dispense
    return [(url, out), *signature_entries(order, ctx, url)]


# ChargeItem <-> Charge ---------------------------------------------------------------------

def read_charge(node: Node, ctx: ReadContext) -> Charge:
    """A Charge from a ChargeItem: R5 price components, R4B ``priceOverride`` as unit price."""
    counted = node.child("quantity")
    value = counted.number("value") if counted is not None else None
    quantity = Decimal(1) if value is None else value  # FHIR: no quantity means one
    price_key = "unitPriceComponent.amount" if ctx.r5 else "priceOverride"
    unit = ctx.money(node.walk("unitPriceComponent", "amount") or node.child("priceOverride"))
    if unit is None:
        node.fail("a charge needs a unit price", key=price_key, code="required")
    services = node.children("service") or node.children("supportingInformation")
    item_code, hospital_code, name = read_item(node.child("code"))
    ordering, performing = _performers(node, ctx)
    refund = node.extension(fs.EXT_REFUND_OF)
    data: dict[str, Any] = {
        "charge_id": resource_id(node, fs.SID_CHARGE), "item_code": item_code,
        "hospital_item_code": hospital_code, "name": name,
        "category": _category(node, ctx, services), "quantity": quantity, "unit_price": unit,
        "amount": _total(node, ctx, quantity * unit), "charged_at": _occurrence(node),
        "ordering_practitioner_id": ordering, "performing_practitioner_id": performing,
        "order_id": _order_id(services, node, ctx),
        "refund_of": ctx.charge_id(refund.child("valueReference")) if refund else None,
        "self_pay": any(e.flag("valueBoolean") for e in node.extensions(fs.EXT_SELF_PAY)),
        "udis": tuple(dict.fromkeys(_udis(node, ctx))),
    }
    return build(Charge, data, node, {
        "charge_id": "identifier", "item_code": "code", "name": "code", "category": "extension",
        "quantity": "quantity.value", "unit_price": f"{price_key}.value",
        "amount": "totalPriceComponent" if ctx.r5 else "extension", "charged_at": "occurrence",
        "order_id": "service", "refund_of": "extension"})


def _occurrence(node: Node) -> datetime | None:
    period = node.child("occurrencePeriod")
    when = node.moment("occurrenceDateTime") or (period.moment("start") if period else None)
    return when or node.moment("enteredDate")


def _total(node: Node, ctx: ReadContext, product: Decimal) -> Decimal:
    """The line total as sent; else quantity × unit price (to 4 places, as core Money holds)."""
    ext = node.extension(fs.EXT_TOTAL_PRICE)
    total = ctx.money(node.walk("totalPriceComponent", "amount")
                      or (ext.child("valueMoney") if ext is not None else None))
    if total is not None:
        return total
    exponent = product.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= -4:
        return product
    return product.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def _performers(node: Node, ctx: ReadContext) -> tuple[str, str]:
    ordering, performing, others = "", "", []
    for performer in node.children("performer"):
        who = ctx.practitioner_id(performer.child("actor"), node)
        roles = concept_codes(performer.child("function"))
        if "ordering" in roles:
            ordering = ordering or who
        elif "PRF" in roles or "performing" in roles:
            performing = performing or who
        else:
            others.append(who)
    return ordering, performing or next(iter(others), "")


def _order_id(services: list[Node], node: Node, ctx: ReadContext) -> str | None:
    for service in services:
        order_id = ctx.order_id(as_reference(service), node)
        if order_id:
            return order_id
    return None


def _category(node: Node, ctx: ReadContext, services: list[Node]) -> ChargeCategory:
    ext = node.extension(fs.EXT_CHARGE_CATEGORY)
    if ext is not None:
        code = ext.text("valueCode")
        if code not in ChargeCategory._value2member_map_:
            ext.fail(f"unknown charge category {code!r}", key="valueCode", code="value")
        return ChargeCategory(code)
    for service in services:
        ref = as_reference(service)
        target = ctx.resolve(ref, node)
        kind = target.resource_type if target is not None else ref.text("reference").split("/")[0]
        if kind == "ServiceRequest" and target is not None:
            kind = service_request_kind(target)
        if kind in _SERVICE_CATEGORIES:
            return _SERVICE_CATEGORIES[kind]
    return ChargeCategory.OTHER


def _udis(node: Node, ctx: ReadContext) -> list[str]:
    found = [ext.text("valueString") for ext in node.extensions(fs.EXT_SCANNED_UDI)]
    products = [as_reference(p) for p in node.children("product")]
    for ref in products + node.children("productReference"):
        device = ctx.resolve(ref, node)
        if device is not None and device.resource_type == "Device":
            found += [carrier_text(c) for c in device.children("udiCarrier")]
    return [udi for udi in found if udi]


def _charge_item(charge: Charge, ctx: WriteContext) -> Json:
    exts = [extension(fs.EXT_CHARGE_CATEGORY, valueCode=charge.category.value)]
    if charge.self_pay:
        exts.append(extension(fs.EXT_SELF_PAY, valueBoolean=True))
    if charge.refund_of:
        ref = ctx.ref("charge", charge.refund_of, "ChargeItem", fs.SID_CHARGE)
        exts.append(extension(fs.EXT_REFUND_OF, valueReference=ref))
    exts += [extension(fs.EXT_SCANNED_UDI, valueString=udi) for udi in charge.udis]
    out: Json = {
        "resourceType": "ChargeItem", "extension": exts,
        "identifier": [identifier(fs.SID_CHARGE, charge.charge_id)], "status": "billable",
        "code": item_concept(charge.item_code, charge.hospital_item_code, charge.name),
        "subject": ctx.patient_ref, "encounter" if ctx.r5 else "context": ctx.encounter_ref,
        "occurrenceDateTime": fhir_datetime(charge.charged_at),
        "quantity": {"value": charge.quantity},
    }
    performers = [{"function": role, "actor": ctx.practitioner(who)} for role, who in (
        (_ORDERING, charge.ordering_practitioner_id),
        (_PERFORMER, charge.performing_practitioner_id)) if who]
    if performers:
        out["performer"] = performers
    if ctx.r5:
        out["unitPriceComponent"] = {"type": "base", "amount": money(charge.unit_price)}
        out["totalPriceComponent"] = {"type": "base", "amount": money(charge.amount)}
    else:
        out["priceOverride"] = money(charge.unit_price)
        exts.append(extension(fs.EXT_TOTAL_PRICE, valueMoney=money(charge.amount)))
    if charge.order_id:
        ref = ctx.ref("order", charge.order_id, "", fs.SID_ORDER)
        # R4B's ChargeItem.service may not target requests; supportingInformation may
        out.update({"service": [{"reference": ref}]} if ctx.r5 else
                   {"supportingInformation": [ref]})
    return out


# standalone helpers ---------------------------------------------------------------------------

def drug_order_from_fhir(resource: ResourceInput, *, version: str = DEFAULT_VERSION,
                         options: FhirOptions | None = None) -> DrugOrder:
    """Map one MedicationRequest (contained Medication and Provenance resolve)."""
    node, ctx = standalone(resource, "MedicationRequest", version=version, options=options)
    return read_drug_order(node, ctx)


def charge_from_fhir(resource: ResourceInput, *, version: str = DEFAULT_VERSION,
                     options: FhirOptions | None = None) -> Charge:
    """Map one ChargeItem; a ``service`` reference outside a bundle gives its id as order id."""
    node, ctx = standalone(resource, "ChargeItem", version=version, options=options)
    return read_charge(node, ctx)
