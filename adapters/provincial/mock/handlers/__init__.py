"""The mock platform's transactions, one module per family; :data:`HANDLERS` maps infno →
handler. A transaction of the national table without a handler is refused as not supported.

==============  ======================================================================
module          transactions
==============  ======================================================================
``signin``      9001 签到, 9002 签退 (and the ``sign_no`` check)
``person``      1101 人员信息获取
``visits``      2201/2202/2203/2203A 门诊挂号…, 2401/2402/2403/2404/2405 入出院
``fees``        2204/2205 门诊费用明细, 2301/2302 住院费用明细
``settle``      2206/2206A/2207/2207A/2208 门诊(预)结算/撤销, 2303/2304/2305 住院
``reversal``    2601 冲正, 5203 结算信息查询
``queries``     5201 就诊信息查询, 5303 在院信息查询
``audit``       3101/3102 明细审核 (the SDK's rule engine)
``reconcile``   3201/3202 对账
``files``       9101/9102 文件上传/下载
``setllist``    4101A 结算清单
==============  ======================================================================
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from . import (
    audit,
    fees,
    files,
    person,
    queries,
    reconcile,
    reversal,
    setllist,
    settle,
    signin,
    visits,
)
from .base import Call, FileOutput, Handler, MockEnv, Output

__all__ = ["HANDLERS", "Call", "FileOutput", "Handler", "MockEnv", "Output"]

HANDLERS: Mapping[str, Handler] = MappingProxyType({
    "9001": signin.sign_in, "9002": signin.sign_out,
    "1101": person.person_info,
    "2201": visits.register, "2202": visits.cancel_registration,
    "2203": visits.upload_visit_info, "2203A": visits.upload_visit_info,
    "2204": fees.upload_outpatient, "2205": fees.cancel_outpatient,
    "2206": settle.pre_settle, "2206A": settle.pre_settle,
    "2207": settle.settle, "2207A": settle.settle, "2208": settle.cancel,
    "2301": fees.upload_inpatient, "2302": fees.cancel_inpatient,
    "2303": settle.pre_settle, "2304": settle.settle, "2305": settle.cancel,
    "2401": visits.admit, "2402": visits.discharge, "2403": visits.change_admission,
    "2404": visits.cancel_admission, "2405": visits.cancel_discharge,
    "2601": reversal.reverse, "5203": reversal.query_settlement,
    "5201": queries.visits_of_person, "5303": queries.in_hospital,
    "3101": audit.rule_check, "3102": audit.rule_check,
    "3201": reconcile.total_reconciliation, "3202": reconcile.detail_reconciliation,
    "4101A": setllist.upload_settlement_list,
    "9101": files.upload, "9102": files.download,
})
"""infno → handler."""
