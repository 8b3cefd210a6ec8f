"""3201 对总账 and 3202 对明细账 (reference §3.6) over the platform's settlement rows.

**Rows**: each 2207/2304 settlement is a forward row (``refd_setl_flag`` 0, positive amounts);
each 2208/2305 cancellation is a reverse row with its own ``setl_id`` (``refd_setl_flag`` 1,
negative amounts); both are dated by their ``setl_time``. A settlement reversed by 2601 never
happened and is no row. Only the sending institution's rows count, with ``setl_time``'s date
within ``stmt_begndate``..``stmt_enddate``; 3201 also filters by ``insutype``, ``clr_type``
(11 outpatient, 21 inpatient) and ``setl_optins`` (the person's 参保地区划); 3202 by
``setl_optins``/``clr_type`` when given.

**3201** answers ``stmtinfo``: ``stmt_rslt`` ``0`` (平) when ``medfee_sumamt``,
``fund_pay_sumamt``, ``acct_pay`` and ``fixmedins_setl_cnt`` (rows, forward and reverse) all
equal the platform's, else ``1`` with ``stmt_rslt_dscr`` naming each difference; the
platform's own figures are added under the same names.

**3202** reads the detail file uploaded with 9101: a ZIP holding one UTF-8 ``.txt``, one
tab-separated row per settlement row, no header, ``null`` or empty for none::

    setl_id  mdtrt_id  psn_no  medfee_sumamt  fund_pay_sumamt  acct_pay  refd_setl_flag

and writes a result file (ZIP, UTF-8 ``.txt``, fetched with 9102 using the ticket it answers)::

    psn_no  mdtrt_id  setl_id  msgid  stmt_rslt  refd_setl_flag  memo  fund_pay_sumamt  acct_pay

with ``stmt_rslt`` 0 一致, 1 金额不符, 2 医院有平台无, 3 平台有医院无 (result codes are [U]:
this mock's own). The ticket also carries the overall ``stmt_rslt``/``stmt_rslt_dscr``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from ...wire.reconcile import Input3201, Input3202
from ..protocol import Refusal
from ..state import Row, money
from .base import Call, Output
from .files import store_file, unzip_text, zip_text

__all__ = ["DETAIL_COLUMNS", "RESULT_COLUMNS", "detail_reconciliation", "total_reconciliation"]

DETAIL_COLUMNS = ("setl_id", "mdtrt_id", "psn_no", "medfee_sumamt", "fund_pay_sumamt",
                  "acct_pay", "refd_setl_flag")
"""Columns of the hospital's detail file."""
RESULT_COLUMNS = ("psn_no", "mdtrt_id", "setl_id", "msgid", "stmt_rslt", "refd_setl_flag",
                  "memo", "fund_pay_sumamt", "acct_pay")
"""Columns of the result file."""
_AMOUNTS = ("medfee_sumamt", "fund_pay_sumamt", "acct_pay")


@dataclass(frozen=True, slots=True)
class _Totals:
    medfee_sumamt: Decimal
    fund_pay_sumamt: Decimal
    acct_pay: Decimal
    cash_payamt: Decimal
    fixmedins_setl_cnt: int


def _rows(call: Call, begin: date, end: date, **filters: str | None) -> list[Row]:
    sql = ("SELECT * FROM settlements WHERE fixmedins_code = ? AND status != 'reversed' "
           "AND substr(setl_time, 1, 10) BETWEEN ? AND ?")
    params: list[Any] = [call.fixmedins_code, begin.isoformat(), end.isoformat()]
    for column, value in filters.items():
        if value:
            sql += f" AND {column} = ?"
            params.append(value)
    return call.tx.all(sql + " ORDER BY rowid", *params)


def _totals(rows: list[Row]) -> _Totals:
    def total(name: str) -> Decimal:
        return sum((money(row, name) for row in rows), Decimal("0.00"))

    return _Totals(total("medfee_sumamt"), total("fund_pay_sumamt"), total("acct_pay"),
                   total("psn_cash_pay"), len(rows))


def _differences(theirs: dict[str, Any], ours: _Totals) -> list[str]:
    return [f"{name} 医院 {value} 平台 {getattr(ours, name)}" for name, value in theirs.items()
            if value != getattr(ours, name)]


def total_reconciliation(call: Call) -> Output:
    """3201."""
    data = call.parse(Input3201).data
    ours = _totals(_rows(call, data.stmt_begndate, data.stmt_enddate, insutype=data.insutype,
                         clr_type=data.clr_type, setl_optins=data.setl_optins))
    diffs = _differences({"medfee_sumamt": data.medfee_sumamt,
                          "fund_pay_sumamt": data.fund_pay_sumamt, "acct_pay": data.acct_pay,
                          "fixmedins_setl_cnt": data.fixmedins_setl_cnt}, ours)
    return {"stmtinfo": {
        "setl_optins": data.setl_optins, "stmt_rslt": "1" if diffs else "0",
        "stmt_rslt_dscr": "不平: " + "; ".join(diffs) if diffs else "平",
        "medfee_sumamt": ours.medfee_sumamt, "fund_pay_sumamt": ours.fund_pay_sumamt,
        "acct_pay": ours.acct_pay, "fixmedins_setl_cnt": ours.fixmedins_setl_cnt,
    }}


def _detail(text: str) -> dict[str, dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        cells = [None if c in ("", "null") else c for c in line.rstrip("\r").split("\t")]
        if len(cells) != len(DETAIL_COLUMNS) or not cells[0]:
            raise Refusal(f"detail file line {number}: expected {len(DETAIL_COLUMNS)} "
                          f"tab-separated columns ({', '.join(DETAIL_COLUMNS)})")
        row: dict[str, Any] = dict(zip(DETAIL_COLUMNS, cells, strict=True))
        try:
            for name in _AMOUNTS:
                row[name] = Decimal(row[name] or "0")
        except InvalidOperation:
            raise Refusal(f"detail file line {number}: an amount is not a number") from None
        rows[str(row["setl_id"])] = row
    return rows


def _compare(ours: Row, theirs: dict[str, Any] | None) -> tuple[str, str]:
    if theirs is None:
        return "3", "平台有医院无"
    diffs = [name for name in _AMOUNTS if theirs[name] != money(ours, name)]
    return ("1", "金额不符: " + ", ".join(diffs)) if diffs else ("0", "一致")


def _line(*cells: Any) -> str:
    return "\t".join("null" if c in (None, "") else str(c) for c in cells)


def detail_reconciliation(call: Call) -> Output:
    """3202: compare the uploaded detail file row by row; the result file's ticket."""
    data = call.parse(Input3202).data
    upload = call.tx.one("SELECT * FROM files WHERE file_qury_no = ?", data.file_qury_no)
    if upload is None or upload["fixmedins_code"] != call.fixmedins_code:
        raise Refusal(f"file_qury_no {data.file_qury_no} 不存在: upload the detail file (9101)")
    name, text = unzip_text(bytes(upload["content"]))
    theirs = _detail(text)
    rows = _rows(call, data.stmt_begndate, data.stmt_enddate, clr_type=data.clr_type,
                 setl_optins=data.setl_optins)
    lines, worst = [], "0"
    for row in rows:
        code, memo = _compare(row, theirs.pop(row["setl_id"], None))
        worst = max(worst, code)
        lines.append(_line(row["psn_no"], row["mdtrt_id"], row["setl_id"], row["msgid"], code,
                           "1" if row["kind"] == "cancel" else "0", memo,
                           row["fund_pay_sumamt"], row["acct_pay"]))
    for setl_id, extra in theirs.items():
        worst = max(worst, "2")
        lines.append(_line(extra["psn_no"], extra["mdtrt_id"], setl_id, None, "2",
                           extra["refd_setl_flag"], "医院有平台无", extra["fund_pay_sumamt"],
                           extra["acct_pay"]))
    stem = name.rsplit(".", 1)[0]
    content = zip_text(f"{stem}_result.txt", "\n".join(lines) + "\n" if lines else "")
    ticket = store_file(call, content, f"{stem}_result.zip")
    ours = _totals(rows)
    diffs = _differences({"medfee_sumamt": data.medfee_sumamt,
                          "fund_pay_sumamt": data.fund_pay_sumamt,
                          "cash_payamt": data.cash_payamt,
                          "fixmedins_setl_cnt": data.fixmedins_setl_cnt}, ours)
    overall = "1" if diffs or worst != "0" else "0"
    summary = "; ".join(diffs) or ("明细不符, see the result file" if worst != "0" else "平")
    return {**ticket, "stmt_rslt": overall, "stmt_rslt_dscr": summary}
