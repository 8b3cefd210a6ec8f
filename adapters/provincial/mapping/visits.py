"""Visits ↔ 2201 门诊挂号 and 2401 入院办理.

Registration and admission take what the core :class:`~yibao_sdk.models.Visit` knows (visit
number, time, department, attending doctor, diagnoses) plus what it does not: the
:class:`~.common.Credential`, the doctor's name and, where needed, department names.
"""

from __future__ import annotations

from collections.abc import Mapping

from yibao_sdk.models.patient import Patient
from yibao_sdk.models.practitioner import Practitioner
from yibao_sdk.models.visit import Diagnosis, Visit, VisitType

from ..wire.codes import DiagType, MedType
from ..wire.inpatient import Input2401
from ..wire.outpatient import Input2201, Registration
from .common import Credential, build, practitioner_code, required, staff_id

__all__ = [
    "admission_input",
    "registration_input",
    "visit_from_admission",
    "visit_from_registration",
]


def registration_input(
    visit: Visit,
    *,
    credential: Credential,
    dr_name: str = "",
    dept_name: str | None = None,
    caty: str = "",
    practitioners: Mapping[str, Practitioner] | None = None,
) -> Input2201:
    """2201 ``data`` for an outpatient or emergency visit.

    ``ipt_otp_no`` is the visit id, ``begntime`` the registration time, ``atddr_no`` the
    attending doctor's 医保医师代码 (staff number if unknown), ``dept_code`` the department.

    :raises InputError: the patient has no ``psn_no`` or ``insurance_type``.
    """
    where = f"2201 visit {visit.visit_id}"
    patient = visit.patient
    data = {
        "psn_no": required(patient.psn_no, "patient.psn_no", where=where),
        "insutype": required(patient.insurance_type, "patient.insurance_type", where=where),
        "begntime": visit.admitted_at,
        "mdtrt_cert_type": credential.cert_type, "mdtrt_cert_no": credential.cert_no,
        "ipt_otp_no": visit.visit_id,
        "atddr_no": practitioner_code(practitioners or {}, visit.attending_id),
        "dr_name": dr_name, "dept_code": visit.department,
        "dept_name": visit.department if dept_name is None else dept_name, "caty": caty,
    }
    return build(Input2201, {"data": data}, where=where)


def visit_from_registration(
    data: Registration,
    patient: Patient,
    *,
    visit_type: VisitType = VisitType.OUTPATIENT,
    practitioners: Mapping[str, Practitioner] | None = None,
) -> Visit:
    """The core visit a 2201 ``data`` registers (no diagnoses, orders or charges yet)."""
    return Visit(
        visit_id=data.ipt_otp_no, patient=patient, visit_type=visit_type,
        admitted_at=data.begntime, department=data.dept_code,
        attending_id=staff_id(practitioners or {}, data.atddr_no),
    )


def admission_input(
    visit: Visit,
    *,
    credential: Credential,
    med_type: str = MedType.INPATIENT,
    dr_name: str = "",
    dept_name: str | None = None,
    bed: str | None = None,
    practitioners: Mapping[str, Practitioner] | None = None,
) -> Input2401:
    """2401 ``mdtrtinfo`` + ``diseinfo[]`` for an inpatient visit.

    ``ipt_otp_no`` is the visit id, ``begntime`` the admission time; diagnoses become Western
    (``diag_type`` 1) rows in order, the main one flagged ``maindiag_flag`` 1.

    :raises InputError: the patient has no ``psn_no`` or ``insurance_type``.
    """
    where = f"2401 visit {visit.visit_id}"
    patient = visit.patient
    psn_no = required(patient.psn_no, "patient.psn_no", where=where)
    doctor = practitioner_code(practitioners or {}, visit.attending_id)
    department = visit.department if dept_name is None else dept_name
    main = visit.main_diagnosis
    info = {
        "psn_no": psn_no,
        "insutype": required(patient.insurance_type, "patient.insurance_type", where=where),
        "begntime": visit.admitted_at, "mdtrt_cert_type": credential.cert_type,
        "mdtrt_cert_no": credential.cert_no, "med_type": med_type, "ipt_otp_no": visit.visit_id,
        "atddr_no": doctor or None, "chfpdr_name": dr_name or None,
        "adm_dept_codg": visit.department or None, "adm_dept_name": department or None,
        "adm_bed": bed, "adm_diag_dscr": main.name if main else None,
        "dscg_maindiag_code": main.code if main else None,
        "dscg_maindiag_name": main.name if main else None,
    }
    rows = [
        {"psn_no": psn_no, "diag_type": DiagType.WESTERN, "maindiag_flag": "1" if d.main else "0",
         "diag_srt_no": number, "diag_code": d.code, "diag_name": d.name or d.code,
         "diag_dept": visit.department or None, "dise_dor_no": doctor or None,
         "dise_dor_name": dr_name or None, "diag_time": visit.admitted_at}
        for number, d in enumerate(visit.diagnoses, start=1)
    ]
    return build(Input2401, {"mdtrtinfo": info, "diseinfo": rows}, where=where)


def visit_from_admission(
    data: Input2401,
    patient: Patient,
    *,
    practitioners: Mapping[str, Practitioner] | None = None,
) -> Visit:
    """The core inpatient visit a 2401 input admits, with its admission diagnoses."""
    info = data.mdtrtinfo
    rows = sorted(data.diseinfo, key=lambda row: row.diag_srt_no)
    return Visit(
        visit_id=info.ipt_otp_no, patient=patient, visit_type=VisitType.INPATIENT,
        admitted_at=info.begntime, department=info.adm_dept_codg or "",
        attending_id=staff_id(practitioners or {}, info.atddr_no),
        diagnoses=tuple(
            Diagnosis(code=row.diag_code, name=row.diag_name, main=row.maindiag_flag == "1")
            for row in rows
        ),
    )
