"""Settlement lists ↔ 4101A 结算清单信息上传（新）.

The platform fills money, insurance and person fields from ``setl_id``; the hospital sends the
identity, the stay, diagnoses (ICD-10 医保版) and operations (ICD-9-CM-3 医保版). The
``diag_type`` and ``oprn_oprt_type`` dictionaries are [U]: the defaults (1 for a Western
diagnosis; 1 main, 2 other operation) are parameters.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time
from decimal import Decimal
from typing import Any

from yibao_sdk.models.settlement import SettlementList

from ..wire.codes import DiagType
from ..wire.setllist import Input4101A
from .common import build

__all__ = ["MAIN_OPERATION", "OTHER_OPERATION", "settlement_list_from_input",
           "settlement_list_input"]

MAIN_OPERATION = "1"
"""``oprn_oprt_type`` of the main operation ([U])."""
OTHER_OPERATION = "2"
"""``oprn_oprt_type`` of any other operation ([U])."""


def settlement_list_input(
    slist: SettlementList,
    *,
    psn_no: str,
    mdtrt_id: str,
    medcasno: str,
    diag_type: str = DiagType.WESTERN,
    setlinfo: Mapping[str, Any] | None = None,
) -> Input4101A:
    """4101A input for a core settlement list.

    :param medcasno: 病案号 (required by the platform).
    :param setlinfo: further ``setlinfo`` members (nursing days, ``chfpdr_code``, …).
    """
    info = {
        "psn_no": psn_no, "mdtrt_id": mdtrt_id, "setl_id": slist.settlement_id,
        "medcasno": medcasno, "adm_time": slist.admitted_on, "dscg_time": slist.discharged_on,
        **(setlinfo or {}),
    }
    diagnoses = [
        {"diag_type": diag_type, "diag_code": d.code, "diag_name": d.name,
         "adm_cond_type": d.admission_condition or None, "maindiag_flag": "1" if d.main else "0"}
        for d in slist.diagnoses
    ]
    operations = [
        {"oprn_oprt_type": MAIN_OPERATION if op.main else OTHER_OPERATION,
         "oprn_oprt_name": op.name, "oprn_oprt_code": op.code,
         "oper_dr_code": op.surgeon_code or None,
         "oprn_oprt_begntime": datetime.combine(op.operated_on, time())}
        for op in slist.operations
    ]
    data = {"setlinfo": info, "diseinfo": diagnoses, "oprninfo": operations}
    return build(Input4101A, data, where=f"4101A settlement {slist.settlement_id}")


def settlement_list_from_input(
    data: Input4101A, *, visit_id: str, total: Decimal
) -> SettlementList:
    """The core settlement list a 4101A input describes.

    :param visit_id: the core visit id (the wire carries the platform's ``mdtrt_id``).
    :param total: 医疗费总额 (4101A carries no money).
    """
    info = data.setlinfo
    return build(SettlementList, {
        "settlement_id": info.setl_id, "visit_id": visit_id,
        "admitted_on": info.adm_time, "discharged_on": info.dscg_time, "total": total,
        "diagnoses": [
            {"code": d.diag_code, "name": d.diag_name, "main": d.maindiag_flag == "1",
             "admission_condition": d.adm_cond_type or ""}
            for d in data.diseinfo
        ],
        "operations": [
            {"code": op.oprn_oprt_code, "name": op.oprn_oprt_name,
             "main": op.oprn_oprt_type == MAIN_OPERATION,
             "operated_on": op.oprn_oprt_begntime.date(), "surgeon_code": op.oper_dr_code or ""}
            for op in data.oprninfo
        ],
    }, where=f"4101A settlement {info.setl_id}")
