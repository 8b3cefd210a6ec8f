"""1101 人员信息获取: the person and insurance lookup, from the seeded persons.

``mdtrt_cert_no`` (and ``certno``, if given) is matched against both the ID number and the
``psn_no``, whatever ``mdtrt_cert_type`` says, so a test can look a person up either way.
Refusals never repeat the number asked for.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from yibao_sdk.codes.idcard import parse_id_card
from yibao_sdk.models.patient import age_on

from ...wire.person import Input1101
from ..protocol import Refusal
from ..state import Row, money
from .base import Call, Output

__all__ = ["person_info", "person_output"]


def person_info(call: Call) -> Output:
    """1101: ``baseinfo``, one ``insuinfo`` row, no ``idetinfo``."""
    query = call.parse(Input1101).data
    row = None
    for key in (query.mdtrt_cert_no, query.certno):
        if key and row is None:
            row = call.tx.one("SELECT * FROM persons WHERE psn_no = ? OR certno = ?", key,
                              key.upper())
    if row is None:
        raise Refusal("未查询到人员信息 (no insured person with that credential)")
    if query.psn_name and query.psn_name != row["psn_name"]:
        raise Refusal("人员姓名与证件不符 (psn_name does not match the credential)")
    return person_output(row, call.now.date())


def person_output(row: Row, today: date) -> dict[str, Any]:
    """1101 ``output`` for a person row."""
    card = parse_id_card(row["certno"], today=today)
    base = {
        "psn_no": row["psn_no"], "psn_cert_type": row["psn_cert_type"],
        "certno": row["certno"], "psn_name": row["psn_name"], "gend": card.gend,
        "naty": row["naty"], "brdy": card.birth, "age": Decimal(age_on(card.birth, today)),
    }
    insurance = {
        "balc": money(row, "balc"), "insutype": row["insutype"], "psn_type": row["psn_type"],
        "psn_insu_stas": "1", "psn_insu_date": row["psn_insu_date"], "paus_insu_date": None,
        "cvlserv_flag": "0", "insuplc_admdvs": row["insuplc_admdvs"],
        "emp_name": row["emp_name"] or None,
    }
    return {"baseinfo": base, "insuinfo": [insurance], "idetinfo": []}
