"""Visits ↔ 2201 registration and 2401 admission: concrete members and round trips."""

from __future__ import annotations

from datetime import datetime

import pytest

from yibao_sdk.adapters.provincial.mapping import (
    Credential,
    admission_input,
    registration_input,
    visit_from_admission,
    visit_from_registration,
)
from yibao_sdk.adapters.provincial.wire.base import to_wire
from yibao_sdk.errors import InputError, ModelInputError
from yibao_sdk.models import (
    Diagnosis,
    Patient,
    Practitioner,
    ProfessionalTitle,
    Sex,
    Visit,
    VisitType,
)

T = datetime(2026, 3, 2, 9, 30)
PATIENT = Patient(patient_id="P0001", name="张三", sex=Sex.MALE, birth_date=datetime(1986, 1, 1),
                  psn_no="44000011000000000001", insurance_type="310", insured_region="440100")
CARD = Credential("02", "110101199003078515")
DOCTORS = {"D001": Practitioner(practitioner_id="D001", name="李医生",
                                title=ProfessionalTitle.ATTENDING, national_code="D440100000001")}


def _outpatient() -> Visit:
    return Visit(visit_id="MZ20260302001", patient=PATIENT, visit_type=VisitType.OUTPATIENT,
                 admitted_at=T, department="A03", attending_id="D001")


def _inpatient() -> Visit:
    return Visit(
        visit_id="ZY20260302001", patient=PATIENT, visit_type=VisitType.INPATIENT,
        admitted_at=T, department="A07", attending_id="D001",
        diagnoses=(Diagnosis(code="S72.001", name="股骨颈骨折", main=True),
                   Diagnosis(code="I10.x00", name="高血压")),
    )


def test_registration_members() -> None:
    data = registration_input(_outpatient(), credential=CARD, dr_name="李医生",
                              dept_name="内科", caty="A03", practitioners=DOCTORS).data
    assert to_wire(data) == {
        "psn_no": "44000011000000000001", "insutype": "310", "begntime": "2026-03-02 09:30:00",
        "mdtrt_cert_type": "02", "mdtrt_cert_no": "110101199003078515",
        "ipt_otp_no": "MZ20260302001", "atddr_no": "D440100000001", "dr_name": "李医生",
        "dept_code": "A03", "dept_name": "内科", "caty": "A03",
    }


def test_registration_round_trip() -> None:
    visit = _outpatient()
    wire = registration_input(visit, credential=CARD, practitioners=DOCTORS)
    assert visit_from_registration(wire.data, PATIENT, practitioners=DOCTORS) == visit


def test_registration_needs_the_insurance_identity() -> None:
    anonymous = _outpatient().model_copy(update={"patient": PATIENT.model_copy(
        update={"psn_no": None})})
    with pytest.raises(InputError, match=r"patient\.psn_no is required"):
        registration_input(anonymous, credential=CARD)


def test_admission_members() -> None:
    wire = admission_input(_inpatient(), credential=CARD, dr_name="李医生", dept_name="骨科",
                           bed="12", practitioners=DOCTORS)
    info = to_wire(wire.mdtrtinfo)
    assert info["med_type"] == "21" and info["ipt_otp_no"] == "ZY20260302001"
    assert info["adm_dept_codg"] == "A07" and info["adm_dept_name"] == "骨科"
    assert info["dscg_maindiag_code"] == "S72.001" and info["adm_bed"] == "12"
    assert info["atddr_no"] == "D440100000001" and info["chfpdr_name"] == "李医生"
    rows = [to_wire(row) for row in wire.diseinfo]
    assert [(r["diag_srt_no"], r["diag_code"], r["maindiag_flag"], r["diag_type"])
            for r in rows] == [(1, "S72.001", "1", "1"), (2, "I10.x00", "0", "1")]
    assert rows[0]["psn_no"] == "44000011000000000001"
    assert rows[0]["diag_time"] == "2026-03-02 09:30:00"


def test_admission_round_trip() -> None:
    visit = _inpatient()
    wire = admission_input(visit, credential=CARD, practitioners=DOCTORS)
    assert visit_from_admission(wire, PATIENT, practitioners=DOCTORS) == visit


def test_wire_limits_surface_as_model_input_errors() -> None:
    long_id = _outpatient().model_copy(update={"visit_id": "M" * 40})
    with pytest.raises(ModelInputError, match=r"data\.ipt_otp_no"):
        registration_input(long_id, credential=CARD)
