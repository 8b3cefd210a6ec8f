"""4101A 结算清单信息上传（新）: accepted when basic settlement-list checks pass.

The list must name a valid settlement (``setl_id``) of its ``mdtrt_id``/``psn_no`` at the
sending institution, and:

* exactly one main diagnosis (``maindiag_flag`` 1) in ``diseinfo`` (an outpatient chronic list
  may instead carry ``opspdiseinfo``); every ``diag_code`` in ICD-10 医保版 2.0 format;
* every ``oprn_oprt_code`` in ICD-9-CM-3 医保版 2.0 format;
* ``adm_time`` on the visit's admission date, ``dscg_time`` on its discharge date (and only
  once discharged), operations and ``setl_begn_date``/``setl_end_date`` within the stay;
* totals match the settlement: the fee lines it settled still add up to its
  ``medfee_sumamt`` (4101A carries no money: the platform derives it from ``setl_id``).

Every failed check is listed in one ``err_msg``. The answer is ``setl_list_id`` (the same id
when a list is uploaded again for the same settlement).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from yibao_sdk.codes.icd import validate_icd9cm3, validate_icd10
from yibao_sdk.errors import CodeFormatError, InputError

from ...mapping import settlement_list_from_input
from ...wire.setllist import Input4101A
from ..protocol import Refusal
from ..state import Row, money
from .base import Call, Output, new_id

__all__ = ["upload_settlement_list"]


def upload_settlement_list(call: Call) -> Output:
    """4101A."""
    data = call.parse(Input4101A)
    settlement = _settlement(call, data)
    visit = call.tx.one("SELECT * FROM visits WHERE mdtrt_id = ?", settlement["mdtrt_id"])
    if visit is None:
        raise Refusal(f"the visit of settlement {settlement['setl_id']} is gone")
    errors = [*_codes(data), *_dates(data, visit), *_totals(call, settlement)]
    if not errors:
        try:
            settlement_list_from_input(data, visit_id=visit["mdtrt_id"],
                                       total=money(settlement, "medfee_sumamt"))
        except InputError as exc:
            errors.append(str(exc))
    if errors:
        raise Refusal("4101A 结算清单校验不通过: " + "; ".join(errors))
    known = call.tx.one("SELECT * FROM setl_lists WHERE setl_id = ?", settlement["setl_id"])
    list_id = known["setl_list_id"] if known else new_id(call, "setl_list", "L")
    call.tx.run("INSERT OR REPLACE INTO setl_lists VALUES (?, ?, ?, ?)",
                settlement["setl_id"], list_id, call.msgid, call.now)
    return {"setl_list_id": list_id}


def _settlement(call: Call, data: Input4101A) -> Row:
    info = data.setlinfo
    row = call.tx.one("SELECT * FROM settlements WHERE setl_id = ? AND kind = 'settle'",
                      info.setl_id)
    if row is None or row["fixmedins_code"] != call.fixmedins_code:
        raise Refusal(f"结算ID {info.setl_id} 不存在 (no such settlement at this institution)")
    if (row["mdtrt_id"], row["psn_no"]) != (info.mdtrt_id, info.psn_no):
        raise Refusal(f"settlement {info.setl_id} is not of visit {info.mdtrt_id} / psn_no "
                      f"{info.psn_no}")
    if row["status"] != "valid":
        raise Refusal(f"settlement {info.setl_id} is {row['status']}: no list for it")
    return row


def _codes(data: Input4101A) -> list[str]:
    errors = []
    mains = sum(1 for d in data.diseinfo if d.maindiag_flag == "1")
    if data.diseinfo and mains != 1:
        errors.append(f"diseinfo has {mains} main diagnoses (maindiag_flag 1); exactly one")
    if not data.diseinfo and not data.opspdiseinfo:
        errors.append("no diagnosis: diseinfo (with a main diagnosis) is required")
    for index, disease in enumerate(data.diseinfo):
        errors += _format(validate_icd10, disease.diag_code, f"diseinfo[{index}].diag_code")
    for index, op in enumerate(data.oprninfo):
        errors += _format(validate_icd9cm3, op.oprn_oprt_code,
                          f"oprninfo[{index}].oprn_oprt_code")
    return errors


def _format(check: Callable[[str], str], code: str, where: str) -> list[str]:
    try:
        check(code)
    except CodeFormatError as exc:
        return [f"{where}: {exc}"]
    return []


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text[:10]) if text else None


def _dates(data: Input4101A, visit: Row) -> list[str]:
    info, errors = data.setlinfo, []
    admitted, discharged = _day(visit["begntime"]), _day(visit["endtime"])
    if info.adm_time is not None and info.adm_time != admitted:
        errors.append(f"adm_time {info.adm_time} is not the admission date {admitted}")
    if info.dscg_time is not None and info.dscg_time != discharged:
        errors.append(f"dscg_time {info.dscg_time} is not the discharge date "
                      f"{discharged or '(not discharged: 2402 first)'}")
    end = discharged or date.max
    checks = [(f"oprninfo[{i}].oprn_oprt_begntime", op.oprn_oprt_begntime.date())
              for i, op in enumerate(data.oprninfo)]
    checks += [(name, value) for name, value in (("setl_begn_date", info.setl_begn_date),
                                                 ("setl_end_date", info.setl_end_date))
               if value is not None]
    errors += [f"{name} {value} is outside the stay {admitted}..{discharged or ''}"
               for name, value in checks if admitted is not None
               and not admitted <= value <= end]
    return errors


def _totals(call: Call, settlement: Row) -> list[str]:
    lines = call.tx.all("SELECT amount FROM fee_lines WHERE setl_id = ?", settlement["setl_id"])
    total = sum((money(line, "amount") for line in lines), Decimal("0.00"))
    expected = money(settlement, "medfee_sumamt")
    if total != expected:
        return [f"the settlement's details total {total}, not its medfee_sumamt {expected}"]
    return []
