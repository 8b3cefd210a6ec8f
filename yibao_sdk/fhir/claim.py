"""Settlement ↔ FHIR Claim; SettlementResult ↔ ClaimResponse (totals, payment, fund breakdown)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from yibao_sdk.fhir.codec import Json, ResourceInput
from yibao_sdk.fhir.datatypes import (
    as_reference,
    coding,
    concept,
    concept_codes,
    extension,
    fhir_date,
    fhir_datetime,
    ident_ref,
    identifier,
    money,
    reference_id,
)
from yibao_sdk.fhir.mapping import FhirOptions, ReadContext, build, resource_id, standalone
from yibao_sdk.fhir.node import Node
from yibao_sdk.fhir.systems import (
    ADJUDICATION,
    CLAIM_TYPE,
    CS_FUND_PAY_TYPE,
    CS_MED_TYPE,
    CS_SETL_AMOUNT,
    CS_SUPPORTING_INFO,
    EXT_INSUTYPE,
    PAYMENT_TYPE,
    PROCESS_PRIORITY,
    SID_CHARGE,
    SID_PATIENT,
    SID_SETTLEMENT,
    SID_VISIT,
    XVER_CLAIM_ENCOUNTER,
    XVER_CLAIMRESPONSE_ENCOUNTER,
)
from yibao_sdk.fhir.version import DEFAULT_VERSION, fhir_version
from yibao_sdk.models import FundPayment, Settlement, SettlementResult

__all__ = ["claim_from_settlement", "claim_response_from_result", "result_from_claim_response",
           "settlement_from_claim"]

_INSURER = {"display": "医疗保障经办机构"}
_INSTITUTIONAL = concept(coding(CLAIM_TYPE, "institutional"))
# SettlementResult field -> ClaimResponse.total category (standard adjudication codes first)
_TOTALS = {
    "total": (ADJUDICATION, "submitted"), "fund_total": (ADJUDICATION, "benefit"),
    "full_self_pay": (CS_SETL_AMOUNT, "fulamt_ownpay_amt"),
    "over_limit_self_pay": (CS_SETL_AMOUNT, "overlmt_selfpay"),
    "preselfpay": (CS_SETL_AMOUNT, "preselfpay_amt"), "pooled_fund": (CS_SETL_AMOUNT, "hifp_pay"),
    "personal_account": (CS_SETL_AMOUNT, "acct_pay"), "cash": (CS_SETL_AMOUNT, "psn_cash_pay"),
    "hospital_part": (CS_SETL_AMOUNT, "hosp_part_amt"),
}


def _encounter(visit_id: str, r5: bool, url: str) -> Json:
    ref = ident_ref("Encounter", SID_VISIT, visit_id)
    return {"encounter": [ref]} if r5 else {"extension": [extension(url, valueReference=ref)]}


def claim_from_settlement(settlement: Settlement, *, patient_id: str,
                          version: str = DEFAULT_VERSION) -> Json:
    """A Claim (``use`` claim, or predetermination for a 预结算) for a settlement request."""
    r5 = fhir_version(version) == "R5"
    out: Json = {
        "resourceType": "Claim",
        "identifier": [identifier(SID_SETTLEMENT, settlement.settlement_id)],
        "status": "active",
        "type": _INSTITUTIONAL,
        "use": "predetermination" if settlement.pre_settlement else "claim",
        "patient": ident_ref("Patient", SID_PATIENT, patient_id),
        "created": fhir_datetime(settlement.requested_at),
        "total": money(settlement.total),
        **_encounter(settlement.visit_id, r5, XVER_CLAIM_ENCOUNTER),
    }
    if settlement.medical_type:
        out["subType"] = concept(coding(CS_MED_TYPE, settlement.medical_type))
    if settlement.insurance_type:
        out.setdefault("extension", []).append(
            extension(EXT_INSUTYPE, valueCode=settlement.insurance_type))
    if not r5:
        out.update(provider={"display": "定点医疗机构"}, priority=concept(
            coding(PROCESS_PRIORITY, "normal")), insurance=[{
                "sequence": 1, "focal": True, "coverage": {"display": "基本医疗保险"}}])
    if settlement.charge_ids:
        out["supportingInfo"] = [_charge_info(i, cid) for i, cid in
                                 enumerate(settlement.charge_ids, 1)]
    return out


def _charge_info(sequence: int, charge_id: str) -> Json:
    return {"sequence": sequence,
            "category": concept(coding(CS_SUPPORTING_INFO, "feedetl", "费用明细")),
            "valueReference": ident_ref("ChargeItem", SID_CHARGE, charge_id)}


def settlement_from_claim(resource: ResourceInput, *, version: str = DEFAULT_VERSION,
                          options: FhirOptions | None = None, visit_id: str | None = None,
                          validate: bool = True) -> Settlement:
    """A core Settlement from a FHIR Claim.

    :param visit_id: used when the Claim names no encounter.
    """
    node, ctx = standalone(resource, "Claim", version=version, options=options,
                           validate=validate)
    insutype = node.extension(EXT_INSUTYPE)
    total = ctx.money(node.child("total"))
    data: dict[str, Any] = {
        "settlement_id": resource_id(node, SID_SETTLEMENT),
        "visit_id": _visit_id(node, visit_id, XVER_CLAIM_ENCOUNTER),
        "requested_at": node.moment("created"),
        "total": total if total is not None else _item_total(node, ctx),
        "pre_settlement": node.text("use") in ("predetermination", "preauthorization"),
        "charge_ids": tuple(_charge_ids(node)),
        "insurance_type": insutype.text("valueCode") if insutype is not None else "",
        "medical_type": next(iter(concept_codes(node.child("subType"), CS_MED_TYPE)), ""),
    }
    return build(Settlement, data, node, {"settlement_id": "identifier", "total": "total",
                                          "visit_id": "encounter", "requested_at": "created"})


def _item_total(node: Node, ctx: ReadContext) -> Decimal | None:
    nets = [ctx.money(item.child("net")) for item in node.children("item")]
    return sum((n for n in nets if n is not None), Decimal(0)) if nets else None


def _visit_id(node: Node, fallback: str | None, xver: str) -> str | None:
    refs = node.children("encounter") + [i.child("encounter") for i in node.children("item")
                                         if i.has("encounter")]
    ext = node.extension(xver)
    refs += [ext.child("valueReference")] if ext is not None else []
    for ref in refs:
        if ref is not None and reference_id(as_reference(ref)):
            return reference_id(as_reference(ref))
    return fallback


def _charge_ids(node: Node) -> list[str]:
    return [reference_id(info.child("valueReference")) for info in node.children("supportingInfo")
            if "feedetl" in concept_codes(info.child("category"), CS_SUPPORTING_INFO)]


def claim_response_from_result(result: SettlementResult, *, patient_id: str,
                               version: str = DEFAULT_VERSION) -> Json:
    """A ClaimResponse: amounts in ``total`` (national names), funds in ``adjudication``."""
    r5 = fhir_version(version) == "R5"
    totals = [{"category": concept(coding(system, code)),
               "amount": money(getattr(result, name))}
              for name, (system, code) in _TOTALS.items()]
    out: Json = {
        "resourceType": "ClaimResponse",
        "identifier": [identifier(SID_SETTLEMENT, result.settlement_id)],
        "status": "active", "type": _INSTITUTIONAL, "use": "claim",
        "patient": ident_ref("Patient", SID_PATIENT, patient_id),
        "created": fhir_datetime(result.settled_at),
        "insurer": _INSURER, "outcome": "complete",
        **_encounter(result.visit_id, r5, XVER_CLAIMRESPONSE_ENCOUNTER),
        "total": totals,
        "payment": {"type": concept(coding(PAYMENT_TYPE, "complete")),
                    "date": fhir_date(result.settled_at.date()),
                    "amount": money(result.fund_total)},
    }
    if result.fund_payments:
        out["adjudication"] = [_fund(payment) for payment in result.fund_payments]
    return out


def _fund(payment: FundPayment) -> Json:
    category = concept(coding(CS_FUND_PAY_TYPE, payment.fund_type, payment.name))
    return {"category": category, "amount": money(payment.amount)}


def result_from_claim_response(resource: ResourceInput, *, version: str = DEFAULT_VERSION,
                               options: FhirOptions | None = None, visit_id: str | None = None,
                               validate: bool = True) -> SettlementResult:
    """A core SettlementResult from a ClaimResponse.

    ``fund_total`` is the ``benefit`` total, else ``payment.amount``; ``cash`` (个人现金),
    when absent, is what the funds, the personal account and the hospital leave over.

    :param visit_id: used when the ClaimResponse names no encounter.
    """
    node, ctx = standalone(resource, "ClaimResponse", version=version, options=options,
                           validate=validate)
    amounts = _amounts(node, ctx)
    funds = _funds(node, ctx)
    fund_total = amounts.get("fund_total")
    if fund_total is None:
        payment = node.walk("payment", "amount")
        fund_total = ctx.money(payment) if payment is not None else None
    data: dict[str, Any] = {**amounts, "fund_total": fund_total, "fund_payments": funds,
                            "settlement_id": resource_id(node, SID_SETTLEMENT),
                            "visit_id": _visit_id(node, visit_id, XVER_CLAIMRESPONSE_ENCOUNTER),
                            "settled_at": node.moment("created")}
    if "cash" not in amounts and data.get("total") is not None and fund_total is not None:
        rest = data.get("personal_account", 0) + data.get("hospital_part", 0)
        data["cash"] = data["total"] - fund_total - rest
    return build(SettlementResult, data, node, {
        "total": "total", "fund_total": "total", "cash": "total", "settled_at": "created",
        "settlement_id": "identifier", "visit_id": "encounter", "fund_payments": "adjudication"})


def _amounts(node: Node, ctx: ReadContext) -> dict[str, Decimal]:
    by_code = {code: name for name, (_, code) in _TOTALS.items()}
    found: dict[str, Decimal] = {}
    for total in node.children("total"):
        value = ctx.money(total.child("amount"))
        for code in concept_codes(total.child("category")):
            if code in by_code and value is not None:
                found.setdefault(by_code[code], value)
    return found


def _funds(node: Node, ctx: ReadContext) -> tuple[FundPayment, ...]:
    """Top-level adjudications whose category is a 基金支付类型 (item-level ones are ignored)."""
    funds = []
    for adjudication in node.children("adjudication"):
        category = adjudication.child("category")
        fund = next((c for c in category.children("coding")
                     if c.text("system") == CS_FUND_PAY_TYPE), None) if category else None
        if category is None or fund is None:
            continue
        data = {"fund_type": fund.text("code"),
                "name": fund.text("display") or category.text("text"),
                "amount": ctx.money(adjudication.child("amount"))}
        funds.append(build(FundPayment, data, adjudication,
                           {"amount": "amount", "fund_type": "category"}))
    return tuple(funds)
