"""2204/2301 费用明细上传 and 2205/2302 撤销: fee lines priced against the catalogue.

Each row is split by :func:`~..funds.assess_line` (class A/B/C → ``chrgitm_lv``, 全自费,
超限价, 先行自付, 政策范围) and stored unsettled. A ``feedetl_sn`` already uploaded for the visit
is refused (reference §3.2: cancel, then upload again); all rows of one ``chrg_bchno`` must
carry the same ``dise_codg``; a refund row's ``init_feedetl_sn`` must name an uploaded row.
Settled rows cannot be cancelled (cancel the settlement first).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ...mapping.common import MED_CHRGITM_TYPE
from ...wire.fees import FeeDetail, InpatientFeeDetail, Input2204, Input2205, Input2301, Input2302
from ..funds import LineAssessment, assess_line
from ..protocol import Refusal
from ..state import Row, money
from .base import Call, Output, visit_of

__all__ = ["assessment_of", "cancel_inpatient", "cancel_outpatient", "undo_fees",
           "upload_inpatient", "upload_outpatient"]

_ALL = "0000"
_OTHER = "14"


def upload_outpatient(call: Call) -> Output:
    """2204."""
    rows = call.parse(Input2204).feedetail
    diseases: dict[str, str | None] = {}
    for row in rows:
        if diseases.setdefault(row.chrg_bchno, row.dise_codg) != row.dise_codg:
            raise Refusal(f"chrg_bchno {row.chrg_bchno}: all rows of a batch must carry the same "
                          "dise_codg")
    return _upload(call, rows, "outpatient")


def upload_inpatient(call: Call) -> Output:
    """2301."""
    return _upload(call, call.parse(Input2301).feedetail, "inpatient")


def _upload(call: Call, rows: Sequence[FeeDetail | InpatientFeeDetail], kind: str) -> Output:
    seen: dict[tuple[str, str], None] = {}
    results = []
    for row in rows:
        key = (row.mdtrt_id, row.feedetl_sn)
        visit_of(call, row.mdtrt_id, row.psn_no, kind=kind)
        if key in seen or call.tx.one("SELECT 1 FROM fee_lines WHERE mdtrt_id = ? AND "
                                      "feedetl_sn = ?", *key):
            raise Refusal(f"feedetl_sn {row.feedetl_sn} 已上传 (already uploaded for visit "
                          f"{row.mdtrt_id}; cancel it first)")
        if row.init_feedetl_sn and not call.tx.one(
                "SELECT 1 FROM fee_lines WHERE mdtrt_id = ? AND feedetl_sn = ?", row.mdtrt_id,
                row.init_feedetl_sn):
            raise Refusal(f"feedetl_sn {row.feedetl_sn}: init_feedetl_sn {row.init_feedetl_sn} "
                          "was never uploaded")
        seen[key] = None
        results.append(_store(call, row))
    call.effect = {"fees": [list(key) for key in seen]}
    return {"result": results}


def _store(call: Call, row: FeeDetail | InpatientFeeDetail) -> dict[str, Any]:
    item = call.env.catalogue.get(row.med_list_codg)
    line = assess_line(item, pric=row.pric, cnt=row.cnt, amount=row.det_item_fee_sumamt,
                       level=call.level, day=row.fee_ocur_time.date(),
                       hosp_appr_flag=row.hosp_appr_flag,
                       rounding=call.env.config.funds.rounding)
    kind = MED_CHRGITM_TYPE[item.category] if item is not None else _OTHER
    call.tx.insert("fee_lines", {
        "mdtrt_id": row.mdtrt_id, "feedetl_sn": row.feedetl_sn,
        "chrg_bchno": row.chrg_bchno if isinstance(row, FeeDetail) else None,
        "psn_no": row.psn_no, "med_list_codg": row.med_list_codg, "med_chrgitm_type": kind,
        "fee_ocur_time": row.fee_ocur_time, "pric": row.pric, "cnt": row.cnt,
        "amount": line.amount, "fulamt_ownpay_amt": line.fulamt_ownpay_amt,
        "overlmt_amt": line.overlmt_amt, "preselfpay_amt": line.preselfpay_amt,
        "inscp_scp_amt": line.inscp_scp_amt, "chrgitm_lv": line.chrgitm_lv, "msgid": call.msgid,
    })
    return {
        "feedetl_sn": row.feedetl_sn, "det_item_fee_sumamt": line.amount, "cnt": row.cnt,
        "pric": row.pric, "pric_uplmt_amt": line.pric_uplmt_amt,
        "selfpay_prop": line.selfpay_prop, "fulamt_ownpay_amt": line.fulamt_ownpay_amt,
        "overlmt_amt": line.overlmt_amt, "preselfpay_amt": line.preselfpay_amt,
        "inscp_scp_amt": line.inscp_scp_amt, "chrgitm_lv": line.chrgitm_lv,
        "med_chrgitm_type": kind, "bas_medn_flag": "0", "hi_nego_drug_flag": "0",
        "chld_medc_flag": "0", "list_sp_item_flag": "0", "lmt_used_flag": "0",
        "drt_reim_flag": "0", "memo": line.memo or None,
    }


def assessment_of(row: Row) -> LineAssessment:
    """A stored fee line's split."""
    return LineAssessment(
        money(row, "amount"), fulamt_ownpay_amt=money(row, "fulamt_ownpay_amt"),
        overlmt_amt=money(row, "overlmt_amt"), preselfpay_amt=money(row, "preselfpay_amt"),
        inscp_scp_amt=money(row, "inscp_scp_amt"), chrgitm_lv=row["chrgitm_lv"],
    )


def cancel_outpatient(call: Call) -> Output:
    """2205: the unsettled rows of batch ``chrg_bchno`` (``0000``: of the whole visit)."""
    data = call.parse(Input2205).data
    visit_of(call, data.mdtrt_id, data.psn_no, kind="outpatient")
    lines = call.tx.all("SELECT * FROM fee_lines WHERE mdtrt_id = ?", data.mdtrt_id)
    if data.chrg_bchno != _ALL:
        lines = [line for line in lines if line["chrg_bchno"] == data.chrg_bchno]
        if any(line["setl_id"] for line in lines):
            raise Refusal(f"chrg_bchno {data.chrg_bchno} has settled rows: cancel the "
                          "settlement (2208) first")
    _delete(call, [line for line in lines if not line["setl_id"]], data.mdtrt_id)
    return {}


def cancel_inpatient(call: Call) -> Output:
    """2302: the listed rows (``feedetl_sn`` ``0000``: every unsettled row of the visit)."""
    for row in call.parse(Input2302).data:
        visit_of(call, row.mdtrt_id, row.psn_no, kind="inpatient")
        lines = call.tx.all("SELECT * FROM fee_lines WHERE mdtrt_id = ?", row.mdtrt_id)
        if row.feedetl_sn == _ALL:
            lines = [line for line in lines if not line["setl_id"]]
        else:
            lines = [line for line in lines if line["feedetl_sn"] == row.feedetl_sn]
            if lines and lines[0]["setl_id"]:
                raise Refusal(f"feedetl_sn {row.feedetl_sn} is settled: cancel the settlement "
                              "(2305) first")
        _delete(call, lines, row.mdtrt_id)
    return {}


def _delete(call: Call, lines: list[Row], mdtrt_id: str) -> None:
    if not lines:
        raise Refusal(f"no unsettled fee details to cancel for visit {mdtrt_id}")
    for line in lines:
        call.tx.run("DELETE FROM fee_lines WHERE mdtrt_id = ? AND feedetl_sn = ?",
                    line["mdtrt_id"], line["feedetl_sn"])


def undo_fees(call: Call, effect: dict[str, Any]) -> None:
    """2601 of a 2204/2301: delete its rows (rows cancelled since are skipped).

    :raises Refusal: a row has been settled.
    """
    for mdtrt_id, sn in effect.get("fees", []):
        line = call.tx.one("SELECT * FROM fee_lines WHERE mdtrt_id = ? AND feedetl_sn = ?",
                           mdtrt_id, sn)
        if line is not None and line["setl_id"]:
            raise Refusal(f"feedetl_sn {sn} is settled ({line['setl_id']}): cancel the "
                          "settlement first")
        call.tx.run("DELETE FROM fee_lines WHERE mdtrt_id = ? AND feedetl_sn = ?", mdtrt_id, sn)
