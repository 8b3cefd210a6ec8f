"""5201 就诊信息查询 and 5303 在院信息查询: how a client learns whether a 2201 registration or a
2401 admission with an unknown outcome took effect (look for its ``ipt_otp_no``).

Both take ``data.psn_no`` (required) and answer the person's visits at the sending institution
as a list of rows (``mdtrt_id``, ``psn_no``, ``ipt_otp_no``, ``med_type``, ``insutype``,
``begntime``, ``endtime``, ``fixmedins_code``); cancelled visits (2202/2404, or reversed by
2601) are never listed. 5201 (under ``mdtrtinfo``) lists outpatient and inpatient visits and
may be narrowed by ``mdtrt_id`` and ``med_type``; 5303 (under ``data``) lists the stays not yet
discharged. The national layouts of both are [U]: these are the mock's.
"""

from __future__ import annotations

from typing import Any

from ..protocol import Refusal
from ..state import Row
from .base import Call, Output

__all__ = ["in_hospital", "visits_of_person"]

_COLUMNS = ("mdtrt_id", "psn_no", "ipt_otp_no", "med_type", "insutype", "begntime", "endtime",
            "fixmedins_code")


def _query(call: Call) -> dict[str, Any]:
    data = call.input.get("data")
    if not isinstance(data, dict) or not data.get("psn_no"):
        raise Refusal(f"{call.infno} needs data.psn_no")
    return data


def _rows(call: Call, psn_no: str, extra: str = "", *params: Any) -> list[Row]:
    rows = call.tx.all("SELECT * FROM visits WHERE fixmedins_code = ? AND psn_no = ? AND "
                       f"status != 'cancelled'{extra} ORDER BY rowid", call.fixmedins_code,
                       psn_no, *params)
    return [{column: row[column] for column in _COLUMNS} for row in rows]


def visits_of_person(call: Call) -> Output:
    """5201."""
    data = _query(call)
    extra, params = "", []
    for column in ("mdtrt_id", "med_type"):
        if data.get(column):
            extra += f" AND {column} = ?"
            params.append(str(data[column]))
    return {"mdtrtinfo": _rows(call, str(data["psn_no"]), extra, *params)}


def in_hospital(call: Call) -> Output:
    """5303."""
    data = _query(call)
    return {"data": _rows(call, str(data["psn_no"]),
                          " AND kind = 'inpatient' AND status = 'active'")}
