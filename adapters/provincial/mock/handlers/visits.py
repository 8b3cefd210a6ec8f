"""Visits: 2201 门诊挂号, 2202 挂号撤销, 2203/2203A 就诊信息上传 (outpatient) and 2401 入院,
2402 出院, 2403 入院信息变更, 2404 入院撤销, 2405 出院撤销 (inpatient).

The platform assigns ``mdtrt_id`` = division + ``M`` (outpatient) or ``Z`` (inpatient) + a
12-digit serial. It refuses a second active visit with the same ``ipt_otp_no``, a second
admission of someone already in hospital, an ``insutype`` the person is not insured under,
and a cancellation while fee details or a valid settlement remain.
"""

from __future__ import annotations

from typing import Any

from ...wire.inpatient import Input2401, Input2402, Input2403, InputStayCancel
from ...wire.outpatient import Input2201, Input2202, Input2203
from ..protocol import Refusal
from ..state import Row
from .base import Call, Output, new_id, person_of, visit_of

__all__ = ["admit", "cancel_admission", "cancel_discharge", "cancel_registration",
           "change_admission", "discharge", "register", "undo_visit", "upload_visit_info"]


def _open_visit(call: Call, *, psn_no: str, insutype: str, ipt_otp_no: str, kind: str,
                begntime: Any, med_type: str, info: dict[str, Any]) -> Output:
    person = person_of(call, psn_no)
    if insutype != person["insutype"]:
        raise Refusal(f"psn_no {psn_no} is not insured under insutype {insutype} "
                      f"(参保险种 {person['insutype']})")
    clash = call.tx.one("SELECT mdtrt_id FROM visits WHERE fixmedins_code = ? AND kind = ? AND "
                        "ipt_otp_no = ? AND status != 'cancelled'", call.fixmedins_code, kind,
                        ipt_otp_no)
    if clash is not None:
        raise Refusal(f"ipt_otp_no {ipt_otp_no} is already registered as mdtrt_id "
                      f"{clash['mdtrt_id']}")
    mdtrt_id = new_id(call, "visit", "M" if kind == "outpatient" else "Z")
    call.tx.insert("visits", {
        "mdtrt_id": mdtrt_id, "psn_no": psn_no, "fixmedins_code": call.fixmedins_code,
        "kind": kind, "insutype": insutype, "med_type": med_type, "ipt_otp_no": ipt_otp_no,
        "begntime": begntime, "status": "active",
        "insuplc_admdvs": person["insuplc_admdvs"], "msgid": call.msgid, "info": info,
    })
    call.effect = {"mdtrt_id": mdtrt_id}
    return {"data": {"mdtrt_id": mdtrt_id, "psn_no": psn_no, "ipt_otp_no": ipt_otp_no}}


def register(call: Call) -> Output:
    """2201: a new outpatient visit."""
    data = call.parse(Input2201).data
    info = {"dept_code": data.dept_code, "atddr_no": data.atddr_no, "caty": data.caty}
    return _open_visit(call, psn_no=data.psn_no, insutype=data.insutype,
                       ipt_otp_no=data.ipt_otp_no, kind="outpatient", begntime=data.begntime,
                       med_type="11", info=info)


def admit(call: Call) -> Output:
    """2401: a new inpatient stay."""
    data = call.parse(Input2401)
    info = data.mdtrtinfo
    inside = call.tx.one("SELECT mdtrt_id FROM visits WHERE fixmedins_code = ? AND psn_no = ? "
                         "AND kind = 'inpatient' AND status = 'active'", call.fixmedins_code,
                         info.psn_no)
    if inside is not None:
        raise Refusal(f"psn_no {info.psn_no} is already in hospital (mdtrt_id "
                      f"{inside['mdtrt_id']}): discharge first")
    diseases = [{"diag_code": d.diag_code, "maindiag_flag": d.maindiag_flag}
                for d in data.diseinfo]
    return _open_visit(call, psn_no=info.psn_no, insutype=info.insutype,
                       ipt_otp_no=info.ipt_otp_no, kind="inpatient", begntime=info.begntime,
                       med_type=info.med_type,
                       info={"dept_code": info.adm_dept_codg, "diseinfo": diseases})


def upload_visit_info(call: Call) -> Output:
    """2203/2203A: accepted for an active outpatient visit (``med_type`` is kept)."""
    info = call.parse(Input2203).mdtrtinfo
    visit_of(call, info.mdtrt_id, info.psn_no, kind="outpatient")
    call.tx.update("visits", {"mdtrt_id": info.mdtrt_id}, {"med_type": info.med_type})
    return {}


def _closable(call: Call, visit: Row) -> None:
    """Refuse unless the visit has no fee details and no valid settlement."""
    if call.tx.one("SELECT 1 FROM fee_lines WHERE mdtrt_id = ?", visit["mdtrt_id"]):
        raise Refusal(f"visit {visit['mdtrt_id']} has fee details: cancel them first")
    if call.tx.one("SELECT 1 FROM settlements WHERE mdtrt_id = ? AND kind = 'settle' AND "
                   "status = 'valid'", visit["mdtrt_id"]):
        raise Refusal(f"visit {visit['mdtrt_id']} has a valid settlement: cancel it first")


def cancel_registration(call: Call) -> Output:
    """2202."""
    data = call.parse(Input2202).data
    visit = visit_of(call, data.mdtrt_id, data.psn_no, kind="outpatient")
    _closable(call, visit)
    call.tx.update("visits", {"mdtrt_id": data.mdtrt_id}, {"status": "cancelled"})
    return {}


def discharge(call: Call) -> Output:
    """2402: the stay ends at ``endtime``."""
    info = call.parse(Input2402).dscginfo
    visit = visit_of(call, info.mdtrt_id, info.psn_no, kind="inpatient")
    if visit["status"] == "discharged":
        raise Refusal(f"visit {info.mdtrt_id} is already discharged")
    if info.endtime.strftime("%Y-%m-%d %H:%M:%S") < visit["begntime"]:
        raise Refusal(f"endtime {info.endtime} is before the admission {visit['begntime']}")
    call.tx.update("visits", {"mdtrt_id": info.mdtrt_id},
                   {"status": "discharged", "endtime": info.endtime})
    return {}


def change_admission(call: Call) -> Output:
    """2403: a new admission time or ``med_type``."""
    info = call.parse(Input2403).adminfo
    visit_of(call, info.mdtrt_id, info.psn_no, kind="inpatient")
    changes = {"begntime": info.begntime, "med_type": info.med_type}
    changes = {key: value for key, value in changes.items() if value is not None}
    if changes:
        call.tx.update("visits", {"mdtrt_id": info.mdtrt_id}, changes)
    return {}


def cancel_admission(call: Call) -> Output:
    """2404: only before any fee detail or settlement, and before discharge."""
    data = call.parse(InputStayCancel).data
    visit = visit_of(call, data.mdtrt_id, data.psn_no, kind="inpatient")
    if visit["status"] == "discharged":
        raise Refusal(f"visit {data.mdtrt_id} is discharged: cancel the discharge (2405) first")
    _closable(call, visit)
    call.tx.update("visits", {"mdtrt_id": data.mdtrt_id}, {"status": "cancelled"})
    return {}


def cancel_discharge(call: Call) -> Output:
    """2405: back in hospital."""
    data = call.parse(InputStayCancel).data
    visit = visit_of(call, data.mdtrt_id, data.psn_no, kind="inpatient")
    if visit["status"] != "discharged":
        raise Refusal(f"visit {data.mdtrt_id} is not discharged")
    call.tx.update("visits", {"mdtrt_id": data.mdtrt_id}, {"status": "active", "endtime": None})
    return {}


def undo_visit(call: Call, effect: dict[str, Any]) -> None:
    """2601 of a 2201/2401: the visit is cancelled (refused while it has details)."""
    visit = call.tx.one("SELECT * FROM visits WHERE mdtrt_id = ?", effect["mdtrt_id"])
    if visit is None or visit["status"] == "cancelled":
        return
    _closable(call, visit)
    call.tx.update("visits", {"mdtrt_id": visit["mdtrt_id"]}, {"status": "cancelled"})
