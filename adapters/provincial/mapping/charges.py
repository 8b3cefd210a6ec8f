"""Charges ↔ fee-detail rows: 2204 门诊 and 2301 住院 ``feedetail``.

Each core :class:`~yibao_sdk.models.Charge` becomes one row: ``feedetl_sn`` = charge id,
national and hospital item codes, ``det_item_fee_sumamt`` rounded to 分, ``cnt``/``pric`` as
given, the ordering doctor as 医保医师代码 (``bilg_dr_codg``), the performing one as
``orders_dr_code``, the order link (2204 ``rxno``, 2301 ``drord_no``) and, on a refund,
``init_feedetl_sn`` = ``refund_of``. A charge the patient pays in full (``self_pay``) is sent
with ``hosp_appr_flag`` 2 (审批不通过); others with ``approval_flag`` (default 1; the
dictionary is [U]).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP
from typing import Any

from yibao_sdk.models.charge import Charge, ChargeCategory
from yibao_sdk.models.practitioner import Practitioner

from ..wire.codes import MedType
from ..wire.fees import FeeDetail, InpatientFeeDetail, Input2204, Input2301
from .common import build, practitioner_code, staff_id, to_cents

__all__ = ["SELF_PAY_FLAG", "charges_from_fee_details", "inpatient_fee_input",
           "outpatient_fee_input"]

SELF_PAY_FLAG = "2"
"""``hosp_appr_flag`` of a line the patient pays in full."""


def _row(
    charge: Charge,
    *,
    mdtrt_id: str,
    psn_no: str,
    practitioners: Mapping[str, Practitioner],
    dept_code: str,
    dept_name: str,
    approval_flag: str,
    rounding: str,
) -> dict[str, Any]:
    doctor = practitioners.get(charge.ordering_practitioner_id)
    performer = charge.performing_practitioner_id
    return {
        "feedetl_sn": charge.charge_id, "init_feedetl_sn": charge.refund_of,
        "mdtrt_id": mdtrt_id, "psn_no": psn_no, "fee_ocur_time": charge.charged_at,
        "med_list_codg": charge.item_code,
        "medins_list_codg": charge.hospital_item_code or charge.item_code,
        "det_item_fee_sumamt": to_cents(charge.amount, rounding), "cnt": charge.quantity,
        "pric": charge.unit_price,
        "bilg_dept_codg": dept_code or (doctor.department if doctor else ""),
        "bilg_dept_name": dept_name or dept_code or (doctor.department if doctor else ""),
        "bilg_dr_codg": practitioner_code(practitioners, charge.ordering_practitioner_id),
        "bilg_dr_name": doctor.name if doctor else "",
        "orders_dr_code": practitioner_code(practitioners, performer) if performer else None,
        "hosp_appr_flag": SELF_PAY_FLAG if charge.self_pay else approval_flag,
    }


def outpatient_fee_input(
    charges: Iterable[Charge],
    *,
    mdtrt_id: str,
    psn_no: str,
    chrg_bchno: str,
    practitioners: Mapping[str, Practitioner] | None = None,
    dept_code: str = "",
    dept_name: str = "",
    approval_flag: str = "1",
    rounding: str = ROUND_HALF_UP,
) -> Input2204:
    """2204 input: one ``feedetail`` row per charge, all in batch ``chrg_bchno``."""
    rows = [
        {**_row(charge, mdtrt_id=mdtrt_id, psn_no=psn_no, practitioners=practitioners or {},
                dept_code=dept_code, dept_name=dept_name, approval_flag=approval_flag,
                rounding=rounding),
         "chrg_bchno": chrg_bchno, "rxno": charge.order_id}
        for charge in charges
    ]
    return build(Input2204, {"feedetail": rows}, where=f"2204 visit {mdtrt_id}")


def inpatient_fee_input(
    charges: Iterable[Charge],
    *,
    mdtrt_id: str,
    psn_no: str,
    med_type: str = MedType.INPATIENT,
    practitioners: Mapping[str, Practitioner] | None = None,
    dept_code: str = "",
    dept_name: str = "",
    approval_flag: str = "1",
    rounding: str = ROUND_HALF_UP,
) -> Input2301:
    """2301 input: one ``feedetail`` row per charge; refunds carry ``init_feedetl_sn``."""
    rows = [
        {**_row(charge, mdtrt_id=mdtrt_id, psn_no=psn_no, practitioners=practitioners or {},
                dept_code=dept_code, dept_name=dept_name, approval_flag=approval_flag,
                rounding=rounding),
         "drord_no": charge.order_id, "med_type": med_type,
         "medins_list_name": charge.name or None}
        for charge in charges
    ]
    return build(Input2301, {"feedetail": rows}, where=f"2301 visit {mdtrt_id}")


def charges_from_fee_details(
    rows: Sequence[FeeDetail | InpatientFeeDetail],
    *,
    practitioners: Mapping[str, Practitioner] | None = None,
    categories: Mapping[str, ChargeCategory] | None = None,
) -> tuple[Charge, ...]:
    """Core charges from uploaded rows (what the mock platform keeps).

    The rows carry no 收费类别: ``categories`` maps ``feedetl_sn`` to one (``OTHER`` by
    default). Names come from 2301 ``medins_list_name``; 2204 rows have none.
    """
    known = practitioners or {}
    return tuple(
        Charge(
            charge_id=row.feedetl_sn, item_code=row.med_list_codg,
            hospital_item_code=row.medins_list_codg,
            name=getattr(row, "medins_list_name", None) or "",
            category=(categories or {}).get(row.feedetl_sn, ChargeCategory.OTHER),
            quantity=row.cnt, unit_price=row.pric, amount=row.det_item_fee_sumamt,
            charged_at=row.fee_ocur_time,
            ordering_practitioner_id=staff_id(known, row.bilg_dr_codg),
            performing_practitioner_id=staff_id(known, row.orders_dr_code),
            order_id=row.rxno if isinstance(row, FeeDetail) else row.drord_no,
            refund_of=row.init_feedetl_sn, self_pay=row.hosp_appr_flag == SELF_PAY_FLAG,
        )
        for row in rows
    )
