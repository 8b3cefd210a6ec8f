"""2601 冲正交易 and 5203 结算信息查询: how a client resolves an unknown outcome.

**2601** (``omsgid``, ``oinfno``, ``psn_no``; reference §2.2, §3.4):

* the original committed → its effect is undone (2207/2207A/2304: the settlement is released,
  no cancellation row; 2201/2401: the visit is cancelled; 2204/2301: its fee rows are deleted),
  and ``omsgid`` is marked ``reversed``;
* the original never arrived (or was refused) → success, and ``omsgid`` is remembered as
  ``reversed_unseen``: if it arrives later it is refused, never executed;
* already reversed → success again (idempotent); ``warn_msg`` says so.

Refused: ``oinfno`` not the original's infno, another person's or institution's msgid, an
infno this mock cannot reverse, or an effect that can no longer be undone (a settlement
cancelled by 2208, a visit with fee details).

**5203** (``psn_no``, ``mdtrt_id``, ``setl_id``) looks the settlement up by

1. ``setl_id`` (a settlement or a cancellation row), else
2. ``setl_id`` = the **msgid** of a 2207/2304 (``medins_setl_id``): how a client learns whether
   a settlement msgid committed, else
3. ``setl_id`` = ``0`` or left out (the national model requires it; clients that ask by visit
   do not know it): the visit's latest settlement.

The answer is the stored reply with 5203's names (``psn_pay``, ``cash_payamt``) plus
``vali_flag`` (1 valid; 0 cancelled or reversed), ``refd_setl_flag`` (1 for a cancellation
row) and ``memo``. A settlement that does not exist (never committed, or its msgid was
reversed before arriving) is refused with ``err_msg`` starting ``未找到结算信息``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from ... import jsonwire
from ...wire.settlement import InputReversal, InputSettlementQuery
from ..protocol import Refusal
from ..state import Row
from .base import Call, Output
from .fees import undo_fees
from .settle import undo_settlement
from .visits import undo_visit

__all__ = ["NOT_FOUND", "REVERSIBLE", "query_settlement", "reverse"]

NOT_FOUND = "未找到结算信息"
"""Start of the 5203 refusal for a settlement that does not exist."""
REVERSIBLE: Mapping[str, Callable[[Call, dict[str, Any]], None]] = MappingProxyType({
    "2207": undo_settlement, "2207A": undo_settlement, "2304": undo_settlement,
    "2201": undo_visit, "2401": undo_visit, "2204": undo_fees, "2301": undo_fees,
})
"""``oinfno`` values 2601 accepts, with what undoes them."""
_RENAMED = {"psn_part_amt": "psn_pay", "psn_cash_pay": "cash_payamt"}


def reverse(call: Call) -> Output:
    """2601: no output; ``infcode`` 0 is the success."""
    data = call.parse(InputReversal).data
    original = call.tx.one("SELECT * FROM messages WHERE msgid = ?", data.omsgid)
    if data.oinfno not in REVERSIBLE:
        raise Refusal(f"oinfno {data.oinfno} cannot be reversed here "
                      f"(reversible: {', '.join(REVERSIBLE)})")
    if original is None:
        call.tx.insert("messages", {
            "msgid": data.omsgid, "infno": data.oinfno, "fixmedins_code": call.fixmedins_code,
            "psn_no": data.psn_no, "status": "reversed_unseen", "at": call.now,
            "reversed_by": call.msgid})
        call.warn = f"原交易 {data.omsgid} 未到达平台: recorded as reversed, it will not execute"
        return {}
    _check_owner(call, original, data.oinfno, data.psn_no)
    if original["status"] != "committed":
        call.warn = f"原交易 {data.omsgid} 已冲正 (already reversed by {original['reversed_by']})"
        return {}
    REVERSIBLE[data.oinfno](call, jsonwire.loads(original["effect"] or "{}"))
    call.tx.update("messages", {"msgid": data.omsgid},
                   {"status": "reversed", "reversed_by": call.msgid})
    return {}


def _check_owner(call: Call, original: Row, oinfno: str, psn_no: str) -> None:
    if original["fixmedins_code"] != call.fixmedins_code:
        raise Refusal(f"omsgid {original['msgid']} was sent by another institution")
    if original["infno"] != oinfno:
        raise Refusal(f"omsgid {original['msgid']} is a {original['infno']}, not {oinfno}")
    if original["psn_no"] and original["psn_no"] != psn_no:
        raise Refusal(f"omsgid {original['msgid']} concerns another psn_no")


def query_settlement(call: Call) -> Output:
    """5203 (see the module docstring for the lookup)."""
    data = call.input.get("data")
    if isinstance(data, dict) and not data.get("setl_id"):
        data = {**data, "setl_id": "0"}  # asked by visit
    query = call.parse(InputSettlementQuery, {**call.input, "data": data}).data
    setl_id = query.setl_id or "0"
    row = _find(call, setl_id, query.mdtrt_id)
    if row is None or row["fixmedins_code"] != call.fixmedins_code:
        raise Refusal(f"{NOT_FOUND}: no settlement {setl_id} for visit {query.mdtrt_id}")
    if (row["mdtrt_id"], row["psn_no"]) != (query.mdtrt_id, query.psn_no):
        raise Refusal(f"settlement {row['setl_id']} is not of visit {query.mdtrt_id} / psn_no "
                      f"{query.psn_no}")
    output = jsonwire.loads(row["output"])
    info = {_RENAMED.get(key, key): value for key, value in output["setlinfo"].items()}
    info.update(vali_flag="1" if row["status"] == "valid" else "0",
                refd_setl_flag="1" if row["kind"] == "cancel" else "0", memo=_memo(row))
    return {"setlinfo": info, "setldetail": output.get("setldetail", [])}


def _find(call: Call, setl_id: str, mdtrt_id: str) -> Row | None:
    if setl_id == "0":
        return call.tx.one("SELECT * FROM settlements WHERE mdtrt_id = ? AND kind = 'settle' "
                           "ORDER BY rowid DESC", mdtrt_id)
    row = call.tx.one("SELECT * FROM settlements WHERE setl_id = ?", setl_id)
    if row is None:
        row = call.tx.one("SELECT * FROM settlements WHERE msgid = ? AND kind = 'settle'",
                          setl_id)
    return row


def _memo(row: Row) -> str:
    if row["status"] == "reversed":
        return "已冲正 (reversed by 2601)"
    if row["status"] == "cancelled":
        return "已撤销 (cancelled by 2208/2305)"
    return "正常"
