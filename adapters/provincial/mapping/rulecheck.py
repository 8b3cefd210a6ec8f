"""Visits ↔ 3101/3102 明细审核 requests (``patient_dtos`` → ``fsi_encounter_dtos`` →
diagnoses / orders / operations).

Orders become ``fsi_order_dtos`` rows (``rx_id`` = order id, ``hilist_type`` 101 drug,
301 consumable, 201 service; ``chrg_type`` 03 imaging, 04 lab); with ``include_charges`` the
visit's charges are sent as priced rows too (``rx_id`` = charge id, ``sumamt`` set), which is
how :func:`visit_from_rule_check` tells them apart. ``curr_drord_flag`` marks the items under
check now (``current_ids``; all of them by default).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from yibao_sdk.models.charge import Charge
from yibao_sdk.models.order import (
    ConsumableOrder,
    DrugOrder,
    ImagingOrder,
    LabOrder,
    Order,
    ProcedureOrder,
)
from yibao_sdk.models.patient import Hospital, Patient
from yibao_sdk.models.practitioner import Practitioner
from yibao_sdk.models.record import SurgeryRecord
from yibao_sdk.models.visit import Visit, VisitType

from ..wire.audit import EncounterDto, InputRuleCheck, OrderDto, PatientDto
from ..wire.codes import InoutDiseType, MedMdtrtType, TrigScen
from .common import MED_CHRGITM_TYPE, PROFTTL_CODE, build, category_of, practitioner_code, staff_id

__all__ = ["HILIST_TYPE", "rule_check_input", "visit_from_rule_check"]

HILIST_TYPE = {"drug": "101", "consumable": "301", "lab": "201", "imaging": "201",
               "procedure": "201"}
"""Order kind → 目录类别 ``hilist_type``."""
_ORDER_CHRG_TYPE = {"lab": "04", "imaging": "03", "procedure": "05"}
_KINDS: dict[str, type[Order]] = {"101": DrugOrder, "102": DrugOrder, "301": ConsumableOrder}
_BY_CHRG_TYPE: dict[str, type[Order]] = {"03": ImagingOrder, "04": LabOrder}


def rule_check_input(
    visit: Visit,
    *,
    hospital: Hospital,
    trig_scen: TrigScen | str,
    task_id: str,
    mdtrt_id: str | None = None,
    syscode: str = "YIBAO",
    practitioners: Mapping[str, Practitioner] | None = None,
    current_ids: Collection[str] | None = None,
    include_charges: bool = False,
) -> InputRuleCheck:
    """3101 (``trig_scen`` 1–5) or 3102 (6–10) input for ``visit``.

    :param mdtrt_id: the platform's visit id (default: the visit id).
    :param current_ids: order/charge ids under check now (``curr_drord_flag`` 1); ``None``: all.
    """
    known = practitioners or {}
    mdtrt = mdtrt_id or visit.visit_id
    rows = [_order_row(o, known, current_ids) for o in visit.orders]
    if include_charges:
        rows += [_charge_row(c, known, current_ids) for c in visit.charges]
    patient = visit.patient
    data = {
        "syscode": syscode, "task_id": task_id, "trig_scen": str(trig_scen),
        "patient_dtos": [{
            "patn_id": patient.psn_no or patient.patient_id, "patn_name": patient.name,
            "gend": patient.sex.value, "brdy": patient.birth_date,
            "poolarea": patient.insured_region, "curr_mdtrt_id": mdtrt,
            "fsi_encounter_dtos": [{**_encounter(visit, hospital, mdtrt, known),
                                    "fsi_order_dtos": rows}],
        }],
    }
    return build(InputRuleCheck, {"data": data}, where=f"3101/3102 visit {visit.visit_id}")


def _encounter(visit: Visit, hospital: Hospital, mdtrt_id: str,
               known: Mapping[str, Practitioner]) -> dict[str, Any]:
    main = visit.main_diagnosis
    inpatient = visit.visit_type is VisitType.INPATIENT
    inout = InoutDiseType.DISCHARGE if visit.discharged_at else InoutDiseType.ADMISSION
    total = sum((c.amount for c in visit.charges), Decimal(0)) if visit.charges else None
    return {
        "mdtrt_id": mdtrt_id, "medins_id": hospital.code, "medins_name": hospital.name,
        "medins_admdvs": hospital.region or None, "medins_lv": hospital.level.value,
        "adm_date": visit.admitted_at, "dscg_date": visit.discharged_at,
        "dscg_main_dise_codg": main.code if main else None,
        "dscg_main_dise_name": main.name if main else None,
        "dr_codg": practitioner_code(known, visit.attending_id) or None,
        "adm_dept_codg": visit.department or None,
        "med_mdtrt_type": MedMdtrtType.INPATIENT if inpatient else MedMdtrtType.OUTPATIENT,
        "medfee_sumamt": total, "insutype": visit.patient.insurance_type,
        "fsi_diagnose_dtos": [
            {"dise_id": f"{visit.visit_id}-D{number}", "inout_dise_type": inout,
             "maindise_flag": "1" if d.main else "0", "dias_srt_no": number,
             "dise_codg": d.code, "dise_name": d.name, "dise_date": visit.admitted_at}
            for number, d in enumerate(visit.diagnoses, start=1)
        ],
        "fsi_operation_dtos": [
            {"setl_list_oprn_id": f"{record.record_id}-{number}", "oprn_code": op.code,
             "oprn_name": op.name, "main_oprn_flag": "1" if op.main else "0",
             "oprn_date": record.recorded_at,
             "oper_dr_code": practitioner_code(known, record.surgeon_id) or None}
            for record in visit.records if isinstance(record, SurgeryRecord)
            for number, op in enumerate(record.operations, start=1)
        ],
    }


def _doctor(known: Mapping[str, Practitioner], staff: str) -> dict[str, Any]:
    person = known.get(staff)
    return {"drord_dr_codg": practitioner_code(known, staff),
            "drord_dr_name": person.name if person else None,
            "drord_dr_profttl": PROFTTL_CODE[person.title] if person else None}


def _current(ident: str, current_ids: Collection[str] | None) -> str:
    return "1" if current_ids is None or ident in current_ids else "0"


def _order_row(order: Order, known: Mapping[str, Practitioner],
               current_ids: Collection[str] | None) -> dict[str, Any]:
    return {
        "rx_id": order.order_id, "hilist_type": HILIST_TYPE[order.kind],
        "chrg_type": _ORDER_CHRG_TYPE.get(order.kind), "hilist_code": order.item_code or None,
        "hilist_name": order.name or None, "hosplist_code": order.hospital_item_code or None,
        "hosplist_name": order.name or None, "cnt": order.quantity,
        "drord_begn_date": order.ordered_at, "drord_dept_codg": order.department or None,
        **_doctor(known, order.practitioner_id),
        "curr_drord_flag": _current(order.order_id, current_ids),
    }


def _charge_row(charge: Charge, known: Mapping[str, Practitioner],
                current_ids: Collection[str] | None) -> dict[str, Any]:
    chrg_type = MED_CHRGITM_TYPE[charge.category]
    hilist_type = {"08": "301", "09": "101", "10": "102", "11": "101"}.get(chrg_type, "201")
    return {
        "rx_id": charge.charge_id, "hilist_type": hilist_type, "chrg_type": chrg_type,
        "hilist_code": charge.item_code, "hosplist_code": charge.hospital_item_code or None,
        "hosplist_name": charge.name or None, "cnt": charge.quantity, "pric": charge.unit_price,
        "sumamt": charge.amount, "drord_begn_date": charge.charged_at,
        **_doctor(known, charge.ordering_practitioner_id),
        "curr_drord_flag": _current(charge.charge_id, current_ids),
    }


def visit_from_rule_check(
    data: InputRuleCheck, *, practitioners: Mapping[str, Practitioner] | None = None
) -> Visit:
    """The core visit a 3101/3102 request describes (first patient, first encounter), so the
    mock platform can run the SDK's rules on it. Priced rows (``sumamt``) become charges."""
    dto = data.data.patient_dtos[0]
    encounter = dto.fsi_encounter_dtos[0]
    known = practitioners or {}
    inpatient = encounter.med_mdtrt_type == MedMdtrtType.INPATIENT
    return build(Visit, {
        "visit_id": encounter.mdtrt_id, "patient": _patient(dto),
        "visit_type": VisitType.INPATIENT if inpatient else VisitType.OUTPATIENT,
        "admitted_at": encounter.adm_date, "discharged_at": encounter.dscg_date,
        "department": encounter.adm_dept_codg or "",
        "attending_id": staff_id(known, encounter.dr_codg),
        "diagnoses": [{"code": d.dise_codg, "name": d.dise_name, "main": d.maindise_flag == "1"}
                      for d in sorted(encounter.fsi_diagnose_dtos, key=lambda d: d.dias_srt_no)],
        "orders": [_order(row, encounter, known) for row in encounter.fsi_order_dtos
                   if row.sumamt is None],
        "charges": [_charge(row, encounter, known) for row in encounter.fsi_order_dtos
                    if row.sumamt is not None],
    }, where=f"3101/3102 task {data.data.task_id}")


def _patient(dto: PatientDto) -> Patient:
    return build(Patient, {
        "patient_id": dto.patn_id, "name": dto.patn_name or dto.patn_id, "sex": dto.gend or "0",
        "birth_date": dto.brdy, "psn_no": dto.patn_id, "insured_region": dto.poolarea,
    }, where=f"patient {dto.patn_id}")


def _when(row: OrderDto, encounter: EncounterDto) -> datetime:
    return row.drord_begn_date or encounter.adm_date


def _order(row: OrderDto, encounter: EncounterDto, known: Mapping[str, Practitioner]) -> Order:
    kind = _KINDS.get(row.hilist_type or "") or _BY_CHRG_TYPE.get(row.chrg_type or "",
                                                                   ProcedureOrder)
    return build(kind, {
        "order_id": row.rx_id, "ordered_at": _when(row, encounter),
        "practitioner_id": staff_id(known, row.drord_dr_codg) or "unknown",
        "item_code": row.hilist_code or "", "hospital_item_code": row.hosplist_code or "",
        "name": row.hosplist_name or row.hilist_name or "",
        "quantity": 1 if row.cnt is None else row.cnt, "department": row.drord_dept_codg or "",
    }, where=f"order {row.rx_id}")


def _charge(row: OrderDto, encounter: EncounterDto, known: Mapping[str, Practitioner]) -> Charge:
    return build(Charge, {
        "charge_id": row.rx_id, "item_code": row.hilist_code or row.hosplist_code,
        "hospital_item_code": row.hosplist_code or "", "name": row.hosplist_name or "",
        "category": category_of(row.chrg_type), "quantity": row.cnt, "unit_price": row.pric,
        "amount": row.sumamt, "charged_at": _when(row, encounter),
        "ordering_practitioner_id": staff_id(known, row.drord_dr_codg),
    }, where=f"charge {row.rx_id}")
