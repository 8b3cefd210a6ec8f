"""The transaction table: every infno of reference §2.1 with its models and retry class.

Adding a transaction is one :class:`Transaction` row (plus its wire models, if typed): pass
extra rows to :meth:`TransactionTable.with_rows`. A row without an input model takes a plain
``dict`` (validated as JSON-ready data by the envelope builder); one without an output model
hands the decoded ``output`` back as a ``dict``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel

from .errors import UnknownTransactionError
from .wire import (
    audit,
    audit_result,
    fees,
    files,
    inpatient,
    outpatient,
    person,
    reconcile,
    setllist,
    settlement,
    signin,
)

__all__ = ["NATIONAL_TRANSACTIONS", "RetryClass", "Transaction", "TransactionTable"]


class RetryClass(StrEnum):
    """What may be done when a transaction's outcome is unknown (reference §2 legend).

    The retry policy needs nothing else to decide whether a call may be sent again.
    """

    SAFE = "safe"
    """Read-only or stateless: resend with a **new** msgid."""
    CHECK = "check"
    """Changes state: before any retry, ask :attr:`Transaction.check_with` (or undo with
    :attr:`Transaction.undo_with`). With neither named, never resend automatically: the call
    is left ``unknown`` for the operator."""
    REVERSE = "reverse"
    """Moves money: **never resent**. Reverse with 2601 (``omsgid`` = the original msgid) or
    confirm with :attr:`Transaction.check_with` (5203), then redo."""


@dataclass(frozen=True, slots=True)
class Transaction:
    """One row of the table."""

    infno: str
    """交易编号, e.g. ``2207`` or ``4101A``."""
    name: str
    """交易名称 (Chinese, as in the national list)."""
    retry: RetryClass
    """Retry class (profiles may promote more rows to ``reverse``)."""
    input_model: type[BaseModel] | None = None
    """Wire model of ``input``; ``None``: a validated ``dict`` passes through."""
    output_model: type[BaseModel] | None = None
    """Wire model of ``output``; ``None``: the ``dict`` as decoded."""
    check_with: tuple[str, ...] = ()
    """Queries that tell whether an unknown call took effect (e.g. 5203 for 2207)."""
    undo_with: tuple[str, ...] = ()
    """Transactions that undo it (e.g. 2601 for 2207, 2205 for 2204)."""
    psn_routed: bool = False
    """``input`` carries ``psn_no``: look up ``insuplc_admdvs`` (1101) before building."""
    binary_reply: bool = False
    """The reply is a file (9102: a ZIP), not a JSON envelope."""
    file_service: bool = False
    """Sent to the profile's file-service base URL (9101/9102)."""


class TransactionTable(Mapping[str, Transaction]):
    """The rows by infno; looking up a missing infno raises :class:`UnknownTransactionError`."""

    def __init__(self, rows: Iterable[Transaction]) -> None:
        self._rows = {row.infno: row for row in rows}

    def __getitem__(self, infno: str) -> Transaction:
        try:
            return self._rows[infno]
        except KeyError:
            raise UnknownTransactionError(
                f"no transaction {infno!r} in the table", infno=infno
            ) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)

    def with_rows(self, *rows: Transaction) -> TransactionTable:
        """A new table with ``rows`` added (a row with a known infno replaces it)."""
        return TransactionTable([*self._rows.values(), *rows])


_S, _C, _R = RetryClass.SAFE, RetryClass.CHECK, RetryClass.REVERSE
_Model = type[BaseModel] | None


def _each(
    codes: Iterable[str],
    name: str,
    retry: RetryClass,
    inp: _Model = None,
    out: _Model = None,
    *,
    check: tuple[str, ...] = (),
    undo: tuple[str, ...] = (),
    psn: bool = False,
) -> list[Transaction]:
    return [Transaction(code, name, retry, inp, out, check, undo, psn) for code in codes]


_CATALOG_FILES = {
    "1301": "西药中成药目录下载", "1302": "中药饮片目录下载", "1303": "医疗机构制剂目录下载",
    "1305": "医疗服务项目目录下载", "1306": "医用耗材目录下载", "1307": "疾病与诊断目录下载",
    "1308": "手术操作目录下载", "1309": "门诊慢特病种目录下载", "1310": "按病种付费病种目录下载",
    "1311": "日间手术治疗病种目录下载", "1313": "肿瘤形态学目录下载", "1314": "中医疾病目录下载",
    "1315": "中医证候目录下载", "1320": "中药配方颗粒目录下载",
    "1321": "医疗服务项目（新）目录下载",
}
_CATALOG_QUERIES = {
    "1304": "民族药品目录查询", "1316": "医疗目录与医保目录匹配信息查询",
    "1317": "医药机构目录匹配信息查询", "1318": "医保目录限价信息查询",
    "1319": "医保目录先自付比例信息查询",
}
_SAFE_QUERIES = {
    "1201": "医药机构信息获取", "1901": "字典表查询", "2407": "就医特殊属性查询",
    "3211": "日对账", "3212": "日对账结果查询", "3260": "提取异地清分明细",
    "4103": "结算清单信息查询", "4104": "结算清单质控问题查询", "5101": "科室信息查询",
    "5102": "医执人员信息查询", "5265": "结算单下载", "5269": "结算单下载", "5270": "结算单下载",
}
_PERSON_QUERIES = {
    "2001": "人员待遇享受检查", "2101": "药店预结算", "5201": "就诊信息查询",
    "5202": "诊断信息查询", "5204": "费用明细查询", "5205": "人员慢特病用药记录查询",
    "5206": "人员累计信息查询", "5301": "人员慢特病备案查询", "5302": "人员定点信息查询",
    "5303": "在院信息查询", "5304": "转院信息查询",
}
_PERSON_CHANGES = {
    "2103": "药店结算撤销", "2501": "转院备案", "2502": "转院备案撤销", "2503": "人员慢特病备案",
    "2504": "人员慢特病备案撤销", "2505": "人员定点备案", "2506": "人员定点备案撤销",
    "4101": "结算清单信息上传",
}
_OTHER_CHANGES = {
    "2406": "就医特殊属性上传", "3203": "清算申请", "3204": "清算申请撤销",
    "3301": "目录对照上传", "3302": "目录对照撤销", "3401": "科室信息上传",
    "3401A": "批量科室信息上传", "3402": "科室信息变更", "3403": "科室信息撤销",
    "3501": "商品盘存上传", "3502": "商品信息变更", "3503": "商品采购", "3504": "商品采购退货",
    "3505": "商品销售", "3506": "商品销售退货", "3507": "商品信息删除",
    "4102": "结算清单状态修改", "4301": "门急诊诊疗记录", "4302": "急诊留观",
    "4401": "住院病案首页", "4402": "住院病案首页", "4501": "检查报告", "4502": "检验报告",
    "4503": "细菌培养报告", "4504": "药敏报告", "4505": "病理报告", "4701": "电子病历上传",
    "7101": "电子处方上传",
    **dict.fromkeys(("4201A", "4202", "4203", "4204", "4205", "4261", "4262", "4263"),
                    "自费病人信息上传"),
}
# Their nature is [U] ("varies", or queries whose names are unknown): CHECK with nothing to
# check with, so they are never resent automatically.
_UNKNOWN_NATURE = {
    **dict.fromkeys(("6201", "6203", "6301", "6401"), "线上/移动支付"),
    **dict.fromkeys(("7102", "7104", "7202", "7203", "7801", "7802", "7803", "7804", "7805",
                     "7806"), "电子处方流转"),
}

_IN_SETL, _OUT_SETL = settlement.InputInpatientSettle, settlement.OutputSettlement
_CHECK_IN, _CHECK_OUT = audit.InputRuleCheck, audit_result.OutputRuleCheck
_OUT_SETTLE = settlement.InputOutpatientSettle


def _typed() -> list[Transaction]:
    """Rows with typed wire models, in the order of reference §2.1."""
    return [
        *_each(["9001"], "签到", _S, signin.Input9001, signin.Output9001),
        *_each(["1101"], "人员信息获取", _S, person.Input1101, person.Output1101),
        *_each(["1312"], "医保目录信息查询", _S, files.Input1312),
        *_each(["2201"], "门诊挂号", _C, outpatient.Input2201, outpatient.Output2201,
               check=("5201", "5303"), undo=("2202", "2601"), psn=True),
        *_each(["2202"], "门诊挂号撤销", _C, outpatient.Input2202, psn=True),
        *_each(["2203", "2203A"], "门诊就诊信息上传", _C, outpatient.Input2203, psn=True),
        *_each(["2204"], "门诊费用明细上传", _C, fees.Input2204, fees.OutputFeeUpload,
               undo=("2205",), psn=True),
        *_each(["2205"], "门诊费用明细撤销", _C, fees.Input2205, psn=True),
        *_each(["2206", "2206A"], "门诊预结算", _S, _OUT_SETTLE, _OUT_SETL, psn=True),
        *_each(["2207", "2207A"], "门诊结算", _R, _OUT_SETTLE, _OUT_SETL,
               check=("5203",), undo=("2601",), psn=True),
        # "REV/chk" in the reference: verified with 5203 before any retry; a profile may
        # promote them to ``reverse``.
        *_each(["2208"], "门诊结算撤销", _C, settlement.InputSettleCancel, _OUT_SETL,
               check=("5203",), psn=True),
        *_each(["2301"], "住院费用明细上传", _C, fees.Input2301, fees.OutputFeeUpload,
               undo=("2302",), psn=True),
        *_each(["2302"], "住院费用明细撤销", _C, fees.Input2302, psn=True),
        *_each(["2303"], "住院预结算", _S, _IN_SETL, _OUT_SETL, psn=True),
        *_each(["2304"], "住院结算", _R, _IN_SETL, _OUT_SETL,
               check=("5203",), undo=("2601",), psn=True),
        *_each(["2305"], "住院结算撤销", _C, settlement.InputSettleCancel, _OUT_SETL,
               check=("5203",), psn=True),
        *_each(["2401"], "入院办理", _C, inpatient.Input2401, inpatient.Output2401,
               check=("5303",), undo=("2404",), psn=True),
        *_each(["2402"], "出院办理", _C, inpatient.Input2402, undo=("2405",), psn=True),
        *_each(["2403"], "入院信息变更", _C, inpatient.Input2403, psn=True),
        *_each(["2404"], "入院撤销", _C, inpatient.InputStayCancel, psn=True),
        *_each(["2405"], "出院撤销", _C, inpatient.InputStayCancel, psn=True),
        # 2601 may be repeated for the same omsgid; 5203 (and 3201/3202) confirm it.
        *_each(["2601"], "冲正交易", _C, settlement.InputReversal, check=("5203",), psn=True),
        *_each(["3101"], "明细审核事前分析服务", _S, _CHECK_IN, _CHECK_OUT),
        *_each(["3102"], "明细审核事中分析服务", _S, _CHECK_IN, _CHECK_OUT),
        *_each(["3103"], "事前事中服务反馈", _C, audit_result.InputWarnFeedback),
        *_each(["3201"], "医药机构费用结算对总账", _S, reconcile.Input3201, reconcile.Output3201),
        *_each(["3202"], "医药机构费用结算对明细账", _S, reconcile.Input3202, files.FileTicket),
        *_each(["4101A"], "结算清单信息上传（新）", _C, setllist.Input4101A,
               setllist.Output4101A, psn=True),
        *_each(["5203"], "结算信息查询", _S, settlement.InputSettlementQuery,
               settlement.Output5203, psn=True),
    ]


def _untyped() -> list[Transaction]:
    """Rows whose ``input`` passes through as a validated ``dict``."""
    rows = [
        *_each(["9002"], "签退", _S),
        *_each(["1161", "1162"], "电子凭证/扫码", _S),
        *_each(["2102"], "药店结算", _R, check=("5203",), undo=("2601",), psn=True),
    ]
    groups: list[tuple[dict[str, str], RetryClass, bool]] = [
        (_CATALOG_QUERIES, _S, False), (_SAFE_QUERIES, _S, False), (_PERSON_QUERIES, _S, True),
        (_PERSON_CHANGES, _C, True), (_OTHER_CHANGES, _C, False), (_UNKNOWN_NATURE, _C, False),
    ]
    for names, retry, routed in groups:
        rows.extend(Transaction(code, name, retry, psn_routed=routed)
                    for code, name in names.items())
    return rows


def _files() -> list[Transaction]:
    catalog = [Transaction(code, name, _S, files.InputCatalog, files.FileTicket)
               for code, name in _CATALOG_FILES.items()]
    return [
        *catalog,
        Transaction("9101", "文件上传", _S, files.Input9101, files.FileTicket, file_service=True),
        Transaction("9102", "文件下载", _S, files.Input9102, binary_reply=True, file_service=True),
    ]


NATIONAL_TRANSACTIONS = TransactionTable([*_typed(), *_untyped(), *_files()])
"""Every transaction of reference §2.1 (the national default table)."""
