"""(Pre-)settlement 2206/2207 (outpatient) and 2303/2304 (inpatient), cancellation 2208/2305,
and the undo of a 2601 reversal.

A (pre-)settlement takes the visit's unsettled fee lines (2206/2207: those of ``chrg_bchno``;
``0000`` or inpatient: all), refuses unless ``medfee_sumamt`` equals their total, and splits it
with :func:`~..funds.calculate`. The pre-settlement stores nothing. The settlement marks the
lines settled, takes the account payment from the balance, adds 起付线 and 统筹 to the
person's year-to-date figures and stores the reply (5203 answers from it); if the request
repeats the pre-settlement's 全自费/超限价/先行自付/政策范围 amounts they must match.

A cancellation (2208/2305) gives all of that back and stores a *cancellation row*: a new
``setl_id`` with negated amounts and ``init_setl_id`` = the original (its reply). A 2601
reversal of a settlement gives it back too but leaves no row: the settlement never happened.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from yibao_sdk.models.settlement import FundPayment, SettlementResult

from ... import jsonwire
from ...mapping.settlements import settlement_output
from ...wire.base import NullPolicy, to_wire
from ...wire.settlement import (
    InpatientSettle,
    InputInpatientSettle,
    InputOutpatientSettle,
    InputSettleCancel,
    OutpatientSettle,
)
from ..funds import Breakdown, FundRequest, YearToDate, calculate, sum_lines
from ..protocol import Refusal
from ..state import Row, Tx, money
from .base import Call, Output, new_id, person_of, visit_of
from .fees import assessment_of
from .person import person_output

__all__ = ["cancel", "pre_settle", "settle", "undo_settlement"]

_CLR_TYPE = {"outpatient": "11", "inpatient": "21"}
_SETTLED_BY = {"outpatient": ("2207", "2207A"), "inpatient": ("2304",)}
_NEGATED = ("medfee_sumamt", "fulamt_ownpay_amt", "overlmt_selfpay", "preselfpay_amt",
            "inscp_scp_amt", "act_pay_dedc", "hifp_pay", "cvlserv_pay", "hifes_pay", "hifmi_pay",
            "hifob_pay", "maf_pay", "oth_pay", "fund_pay_sumamt", "psn_part_amt", "acct_pay",
            "psn_cash_pay", "hosp_part_amt", "acct_mulaid_pay")
_STORED = ("medfee_sumamt", "fund_pay_sumamt", "acct_pay", "psn_cash_pay", "act_pay_dedc",
           "hifp_pay")
_ZERO = Decimal("0.00")
Data = OutpatientSettle | InpatientSettle


def _kind(infno: str) -> str:
    return "outpatient" if infno.startswith("22") else "inpatient"


def _data(call: Call) -> Data:
    if _kind(call.infno) == "outpatient":
        return call.parse(InputOutpatientSettle).data
    return call.parse(InputInpatientSettle).data


def pre_settle(call: Call) -> Output:
    """2206/2206A/2303: the breakdown, nothing stored."""
    data = _data(call)
    visit, person, _, breakdown = _compute(call, data)
    return _output(call, data, visit, person, breakdown, setl_id=None)


def settle(call: Call) -> Output:
    """2207/2207A/2304: settle and store (idempotency by msgid is the dispatcher's)."""
    data = _data(call)
    visit, person, lines, breakdown = _compute(call, data)
    _check_repeated(call, data, breakdown)
    setl_id = new_id(call, "setl", "S")
    output = _output(call, data, visit, person, breakdown, setl_id=setl_id)
    _store(call, visit, person, setl_id, output)
    for line in lines:
        call.tx.update("fee_lines", {"mdtrt_id": line["mdtrt_id"],
                                     "feedetl_sn": line["feedetl_sn"]}, {"setl_id": setl_id})
    call.tx.update("persons", {"psn_no": person["psn_no"]}, {"balc": breakdown.balc})
    _add_year(call.tx, (person["psn_no"], call.now.year, visit["insutype"]),
              breakdown.act_pay_dedc, breakdown.hifp_pay)
    if isinstance(data, OutpatientSettle):
        call.tx.update("visits", {"mdtrt_id": visit["mdtrt_id"]}, {"med_type": data.med_type})
    call.effect = {"setl_id": setl_id}
    return output


def _compute(call: Call, data: Data) -> tuple[Row, Row, list[Row], Breakdown]:
    person = person_of(call, data.psn_no)
    visit = visit_of(call, data.mdtrt_id, data.psn_no, kind=_kind(call.infno))
    insutype = visit["insutype"]
    if data.insutype and data.insutype != insutype:
        raise Refusal(f"insutype {data.insutype} differs from the visit's {insutype}")
    batch = data.chrg_bchno if isinstance(data, OutpatientSettle) else "0000"
    lines = [line for line in call.tx.all("SELECT * FROM fee_lines WHERE mdtrt_id = ? AND "
                                          "setl_id IS NULL ORDER BY rowid", data.mdtrt_id)
             if batch == "0000" or line["chrg_bchno"] == batch]
    if not lines:
        raise Refusal(f"no unsettled fee details for visit {data.mdtrt_id} (batch {batch})")
    sums = sum_lines(assessment_of(line) for line in lines)
    if data.medfee_sumamt != sums.amount:
        raise Refusal(f"medfee_sumamt {data.medfee_sumamt} != {sums.amount}, the total of the "
                      f"{len(lines)} uploaded details")
    request = FundRequest(insutype, call.level, sums,
                          _year(call.tx, person["psn_no"], call.now.year, insutype),
                          data.acct_used_flag == "1", money(person, "balc"))
    try:
        return visit, person, lines, calculate(request, call.env.config.funds)
    except ValueError as exc:
        raise Refusal(str(exc)) from exc


def _check_repeated(call: Call, data: Data, b: Breakdown) -> None:
    if not call.env.config.check_settle_amounts or call.zero_for_absent:
        return
    pairs = (("fulamt_ownpay_amt", data.fulamt_ownpay_amt, b.fulamt_ownpay_amt),
             ("overlmt_selfpay", data.overlmt_selfpay, b.overlmt_selfpay),
             ("preselfpay_amt", data.preselfpay_amt, b.preselfpay_amt),
             ("inscp_scp_amt", data.inscp_scp_amt, b.inscp_scp_amt))
    diffs = [f"{name} {given} != {expected}" for name, given, expected in pairs
             if given is not None and given != expected]
    if diffs:
        raise Refusal("amounts differ from the uploaded details (pre-settle again): "
                      + "; ".join(diffs))


def _output(call: Call, data: Data, visit: Row, person: Row, b: Breakdown, *,
            setl_id: str | None) -> dict[str, Any]:
    params = call.env.config.funds
    code, name = params.fund_pay_type.get(visit["insutype"], ("", ""))
    payments = (FundPayment(fund_type=code, name=name, amount=b.hifp_pay),) \
        if b.hifp_pay and code else ()
    result = SettlementResult(
        settlement_id=setl_id or "pre-settlement", visit_id=visit["mdtrt_id"],
        settled_at=call.now, total=b.medfee_sumamt, full_self_pay=b.fulamt_ownpay_amt,
        over_limit_self_pay=b.overlmt_selfpay, preselfpay=b.preselfpay_amt,
        fund_total=b.fund_pay_sumamt, pooled_fund=b.hifp_pay, personal_account=b.acct_pay,
        mutual_aid=b.acct_mulaid_pay, cash=b.psn_cash_pay, hospital_part=b.hosp_part_amt,
        fund_payments=payments,
    )
    base = person_output(person, call.now.date())["baseinfo"]
    extra = {
        **{key: base[key] for key in ("psn_name", "psn_cert_type", "certno", "gend", "naty",
                                      "brdy", "age")},
        "setl_id": setl_id, "setl_time": call.now if setl_id else None,
        "insutype": visit["insutype"], "psn_type": person["psn_type"], "cvlserv_flag": "0",
        "mdtrt_cert_type": data.mdtrt_cert_type,
        "med_type": data.med_type if isinstance(data, OutpatientSettle) else "21",
        "inscp_scp_amt": b.inscp_scp_amt, "act_pay_dedc": b.act_pay_dedc,
        "pool_prop_selfpay": b.pool_prop_selfpay,
        **dict.fromkeys(("cvlserv_pay", "hifes_pay", "hifmi_pay", "hifob_pay", "maf_pay",
                         "oth_pay"), _ZERO),
        "balc": b.balc, "clr_optins": person["insuplc_admdvs"], "clr_way": "1",
        "clr_type": _CLR_TYPE[visit["kind"]],
    }
    output = settlement_output(result, psn_no=person["psn_no"], mdtrt_id=visit["mdtrt_id"],
                               medins_setl_id=call.msgid if setl_id else None, extra=extra)
    wire: dict[str, Any] = to_wire(output, policy=NullPolicy.NULL)
    return wire


def _store(call: Call, visit: Row, person: Row, setl_id: str, output: dict[str, Any], *,
           kind: str = "settle", init: str | None = None) -> None:
    info = output["setlinfo"]
    amounts = {name: Decimal(str(info[name])) for name in _STORED}
    call.tx.insert("settlements", {
        "setl_id": setl_id, "kind": kind, "init_setl_id": init, "mdtrt_id": visit["mdtrt_id"],
        "psn_no": person["psn_no"], "fixmedins_code": call.fixmedins_code, "infno": call.infno,
        "msgid": call.msgid, "insutype": visit["insutype"],
        "clr_type": _CLR_TYPE[visit["kind"]], "setl_optins": person["insuplc_admdvs"],
        "setl_time": call.now, "year": call.now.year, "status": "valid", **amounts,
        "output": output,
    })


def _year(tx: Tx, psn_no: str, year: int, insutype: str) -> YearToDate:
    row = tx.one("SELECT * FROM year_to_date WHERE psn_no = ? AND year = ? AND insutype = ?",
                 psn_no, year, insutype)
    if row is None:
        return YearToDate()
    return YearToDate(money(row, "deductible_paid"), money(row, "pooled_paid"))


def _add_year(tx: Tx, key: tuple[str, int, str], deductible: Decimal, pooled: Decimal) -> None:
    """Add to the year-to-date figures of ``key`` = (psn_no, year, insutype)."""
    now = _year(tx, *key)
    tx.run("INSERT OR REPLACE INTO year_to_date VALUES (?, ?, ?, ?, ?)", *key,
           now.deductible_paid + deductible, now.pooled_paid + pooled)


def _release(call: Call, row: Row, status: str) -> Decimal:
    """Give a settlement's money back; the balance afterwards."""
    if row["status"] != "valid":
        raise Refusal(f"settlement {row['setl_id']} is already {row['status']}")
    person = person_of(call, row["psn_no"])
    balance = money(person, "balc") + money(row, "acct_pay")
    call.tx.update("persons", {"psn_no": row["psn_no"]}, {"balc": balance})
    _add_year(call.tx, (row["psn_no"], row["year"], row["insutype"]),
              -money(row, "act_pay_dedc"), -money(row, "hifp_pay"))
    call.tx.run("UPDATE fee_lines SET setl_id = NULL WHERE setl_id = ?", row["setl_id"])
    call.tx.update("settlements", {"setl_id": row["setl_id"]}, {"status": status})
    return balance


def cancel(call: Call) -> Output:
    """2208/2305: cancel a settlement; the reply is the cancellation row (negative amounts)."""
    data = call.parse(InputSettleCancel).data
    kind = _kind(call.infno)
    row = call.tx.one("SELECT * FROM settlements WHERE setl_id = ? AND kind = 'settle'",
                      data.setl_id)
    if row is None or row["fixmedins_code"] != call.fixmedins_code:
        raise Refusal(f"结算ID {data.setl_id} 不存在 (no such settlement at this institution)")
    if (row["mdtrt_id"], row["psn_no"]) != (data.mdtrt_id, data.psn_no):
        raise Refusal(f"settlement {data.setl_id} is not of visit {data.mdtrt_id} / psn_no "
                      f"{data.psn_no}")
    if row["infno"] not in _SETTLED_BY[kind]:
        raise Refusal(f"settlement {data.setl_id} was made by {row['infno']}: cancel it with "
                      f"{'2208' if row['infno'].startswith('22') else '2305'}")
    balance = _release(call, row, "cancelled")
    cancel_id = new_id(call, "setl", "S")
    output = _negated(jsonwire.loads(row["output"]), cancel_id, call, balance, row["setl_id"])
    visit = visit_of(call, row["mdtrt_id"], row["psn_no"])
    _store(call, visit, person_of(call, row["psn_no"]), cancel_id, output, kind="cancel",
           init=row["setl_id"])
    call.effect = {"cancel_setl_id": cancel_id}
    return output


def _negated(output: dict[str, Any], setl_id: str, call: Call, balance: Decimal,
             init: str) -> dict[str, Any]:
    info = dict(output["setlinfo"])
    for name in _NEGATED:
        if info.get(name) is not None:
            info[name] = Decimal(0) - Decimal(info[name])
    info.update(setl_id=setl_id, setl_time=call.now.strftime("%Y-%m-%d %H:%M:%S"),
                medins_setl_id=call.msgid, balc=balance, init_setl_id=init)
    details = [{**d, "fund_payamt": Decimal(0) - Decimal(d["fund_payamt"])}
               for d in output.get("setldetail", [])]
    return {"setlinfo": info, "setldetail": details}


def undo_settlement(call: Call, effect: dict[str, Any]) -> None:
    """2601 of a 2207/2304: the settlement never happened (no cancellation row)."""
    row = call.tx.one("SELECT * FROM settlements WHERE setl_id = ?", effect["setl_id"])
    if row is None:
        raise Refusal(f"settlement {effect['setl_id']} is gone")
    _release(call, row, "reversed")
