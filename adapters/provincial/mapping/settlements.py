"""Settlements ↔ 2206/2207 门诊(预)结算, 2303/2304 住院(预)结算 and their output.

Requests take the core :class:`~yibao_sdk.models.Settlement` plus :class:`SettleArgs`
(person, platform visit id, credential, settlement options). Replies become a
:class:`~yibao_sdk.models.SettlementResult`:

==========================  =============================================================
core                        wire (``setlinfo``)
==========================  =============================================================
``settlement_id``           ``setl_id``
``total``                   ``medfee_sumamt``
``full_self_pay``           ``fulamt_ownpay_amt``
``over_limit_self_pay``     ``overlmt_selfpay``
``preselfpay``              ``preselfpay_amt``
``fund_total``              ``fund_pay_sumamt``
``pooled_fund``             ``hifp_pay``
``personal_account``        ``acct_pay``
``mutual_aid``              ``acct_mulaid_pay`` (family account, 共济)
``cash``                    ``psn_cash_pay``
``hospital_part``           ``hosp_part_amt``
``fund_payments``           ``setldetail[]`` (``fund_pay_type``, ``fund_payamt``)
==========================  =============================================================

``setldetail`` sometimes lists the personal account as well (reference §3.3): when the rows do
not add up to ``fund_pay_sumamt``, rows of ``account_fund_types`` are left out.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from yibao_sdk.errors import InputError
from yibao_sdk.models.settlement import FundPayment, Settlement, SettlementResult

from ..wire.settlement import (
    InpatientSettle,
    InputInpatientSettle,
    InputOutpatientSettle,
    OutpatientSettle,
    OutputSettlement,
    SetlDetail,
)
from .common import Credential, build, to_cents

__all__ = [
    "ACCOUNT_FUND_TYPES",
    "SettleArgs",
    "inpatient_settle_input",
    "outpatient_settle_input",
    "settle_infno",
    "settlement_from_input",
    "settlement_output",
    "settlement_result",
]

ACCOUNT_FUND_TYPES = frozenset({"310200"})
"""``fund_pay_type`` values that are personal-account money, not a fund (310200 职工基本医疗
保险个人账户基金)."""
_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class SettleArgs:
    """What a (pre-)settlement needs beyond the core settlement."""

    psn_no: str
    """人员编号."""
    mdtrt_id: str
    """就诊ID assigned by the platform (2201/2401)."""
    credential: Credential
    """就诊凭证."""
    chrg_bchno: str = ""
    """收费批次号 (outpatient)."""
    psn_setlway: str = "01"
    """个人结算方式 (01 按项目; values [U])."""
    use_account: bool = False
    """个人账户使用标志: pay from the personal account (the patient's choice)."""
    invono: str | None = None
    """发票号."""
    mid_settlement: bool = False
    """中途结算标志 (inpatient)."""
    pre: SettlementResult | None = None
    """The pre-settlement's result: 2207/2304 repeat its self-pay amounts."""
    rounding: str = ROUND_HALF_UP
    """Rounding of amounts to 分 (the profile's; [U])."""


def settle_infno(settlement: Settlement, *, inpatient: bool) -> str:
    """2206/2207 (outpatient) or 2303/2304 (inpatient) for ``settlement``."""
    if inpatient:
        return "2303" if settlement.pre_settlement else "2304"
    return "2206" if settlement.pre_settlement else "2207"


def _common(settlement: Settlement, args: SettleArgs) -> dict[str, Any]:
    data: dict[str, Any] = {
        "psn_no": args.psn_no, "mdtrt_cert_type": args.credential.cert_type,
        "mdtrt_cert_no": args.credential.cert_no,
        "medfee_sumamt": to_cents(settlement.total, args.rounding),
        "psn_setlway": args.psn_setlway, "mdtrt_id": args.mdtrt_id,
        "insutype": settlement.insurance_type or None,
        "acct_used_flag": "1" if args.use_account else "0", "invono": args.invono,
    }
    if args.pre is not None and not settlement.pre_settlement:
        data.update(
            fulamt_ownpay_amt=args.pre.full_self_pay, overlmt_selfpay=args.pre.over_limit_self_pay,
            preselfpay_amt=args.pre.preselfpay,
        )
    return data


def outpatient_settle_input(settlement: Settlement, args: SettleArgs) -> InputOutpatientSettle:
    """2206 (``pre_settlement``) or 2207 ``data``.

    :raises InputError: no ``medical_type`` or no ``chrg_bchno``.
    """
    where = f"{settle_infno(settlement, inpatient=False)} settlement {settlement.settlement_id}"
    if not settlement.medical_type or not args.chrg_bchno:
        raise InputError("an outpatient settlement needs medical_type and chrg_bchno", where=where)
    data = {**_common(settlement, args), "med_type": settlement.medical_type,
            "chrg_bchno": args.chrg_bchno}
    return build(InputOutpatientSettle, {"data": data}, where=where)


def inpatient_settle_input(settlement: Settlement, args: SettleArgs) -> InputInpatientSettle:
    """2303 (``pre_settlement``) or 2304 ``data``."""
    where = f"{settle_infno(settlement, inpatient=True)} settlement {settlement.settlement_id}"
    data = {**_common(settlement, args), "mid_setl_flag": "1" if args.mid_settlement else "0"}
    return build(InputInpatientSettle, {"data": data}, where=where)


def settlement_from_input(
    data: OutpatientSettle | InpatientSettle,
    *,
    settlement_id: str,
    visit_id: str,
    requested_at: datetime,
    pre_settlement: bool,
) -> Settlement:
    """The core settlement a 2206/2207/2303/2304 ``data`` asks for (the mock's view)."""
    return Settlement(
        settlement_id=settlement_id, visit_id=visit_id, requested_at=requested_at,
        total=data.medfee_sumamt, pre_settlement=pre_settlement,
        insurance_type=data.insutype or "",
        medical_type=data.med_type if isinstance(data, OutpatientSettle) else "",
    )


def _amount(value: Decimal | None) -> Decimal:
    return _ZERO if value is None else value


def _fund_payments(
    rows: list[SetlDetail], fund_total: Decimal, account_types: Collection[str]
) -> tuple[FundPayment, ...]:
    payments = [
        FundPayment(fund_type=row.fund_pay_type, name=row.fund_pay_type_name or "",
                    amount=_amount(row.fund_payamt))
        for row in rows
    ]
    if sum((p.amount for p in payments), _ZERO) != fund_total:
        payments = [p for p in payments if p.fund_type not in account_types]
    return tuple(payments)


def settlement_result(
    output: OutputSettlement,
    *,
    settlement_id: str | None = None,
    visit_id: str | None = None,
    settled_at: datetime | None = None,
    account_fund_types: Collection[str] = ACCOUNT_FUND_TYPES,
) -> SettlementResult:
    """The core result of a (pre-)settlement reply.

    :param settlement_id: used when ``setl_id`` is absent (a pre-settlement has none).
    :param visit_id: the core visit id (default: ``setlinfo.mdtrt_id``).
    :param settled_at: used when ``setl_time`` is absent.
    :raises InputError: no settlement id, visit id or time, a missing total, or amounts that
        do not balance (:class:`~yibao_sdk.errors.ModelInputError`).
    """
    info = output.setlinfo
    where = f"settlement {info.setl_id or settlement_id}"
    fund_total = _amount(info.fund_pay_sumamt)
    data = {
        "settlement_id": info.setl_id or settlement_id, "visit_id": visit_id or info.mdtrt_id,
        "settled_at": info.setl_time or settled_at, "total": info.medfee_sumamt,
        "full_self_pay": _amount(info.fulamt_ownpay_amt),
        "over_limit_self_pay": _amount(info.overlmt_selfpay),
        "preselfpay": _amount(info.preselfpay_amt), "fund_total": fund_total,
        "pooled_fund": _amount(info.hifp_pay),
        "personal_account": _amount(info.acct_pay),
        "mutual_aid": _amount(info.acct_mulaid_pay),
        "cash": _amount(info.psn_cash_pay), "hospital_part": _amount(info.hosp_part_amt),
        "fund_payments": _fund_payments(output.setldetail, fund_total, account_fund_types),
    }
    return build(SettlementResult, data, where=where)


def settlement_output(
    result: SettlementResult,
    *,
    psn_no: str,
    mdtrt_id: str | None = None,
    medins_setl_id: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> OutputSettlement:
    """The 2207/2304 output for a core result (what the mock platform answers).

    :param medins_setl_id: the request's msgid, echoed as the platform does.
    :param extra: more ``setlinfo`` members (e.g. ``insutype``, ``balc``).
    """
    info = {
        "mdtrt_id": mdtrt_id or result.visit_id, "setl_id": result.settlement_id,
        "psn_no": psn_no, "setl_time": result.settled_at, "medfee_sumamt": result.total,
        "fulamt_ownpay_amt": result.full_self_pay, "overlmt_selfpay": result.over_limit_self_pay,
        "preselfpay_amt": result.preselfpay, "fund_pay_sumamt": result.fund_total,
        "hifp_pay": result.pooled_fund, "acct_pay": result.personal_account,
        "psn_cash_pay": result.cash,
        "psn_part_amt": result.personal_account + result.mutual_aid + result.cash,
        "hosp_part_amt": result.hospital_part, "acct_mulaid_pay": result.mutual_aid,
        "medins_setl_id": medins_setl_id, **(extra or {}),
    }
    details = [
        {"fund_pay_type": p.fund_type, "fund_pay_type_name": p.name or None,
         "fund_payamt": p.amount}
        for p in result.fund_payments
    ]
    return build(OutputSettlement, {"setlinfo": info, "setldetail": details},
                 where=f"settlement {result.settlement_id}")
