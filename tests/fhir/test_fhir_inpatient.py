"""A hand-built Chinese inpatient Bundle maps to a Visit that the built-in rules then judge."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from fhir_samples import BAD_UDI, GOOD_UDI, ID_CARD, TEG_CODE, inpatient_bundle

from yibao_sdk.fhir import dumps, practitioners_from_bundle, visit_from_bundle
from yibao_sdk.models import (
    ChargeCategory,
    Diagnosis,
    DrugOrder,
    FormRecord,
    ImagingOrder,
    ImagingScope,
    LabOrder,
    LabReport,
    ProfessionalTitle,
    Sex,
    SurgeryRecord,
    Visit,
    VisitType,
)
from yibao_sdk.rules import Colour
from yibao_sdk.testing.factories import engine


@pytest.fixture(scope="module")
def visit() -> Visit:
    return visit_from_bundle(inpatient_bundle())


def test_patient_and_coverage(visit: Visit) -> None:
    patient = visit.patient
    assert patient.patient_id == "ZY2026030001"  # the MR-typed identifier
    assert patient.name == "王秀英"  # family + given, no space for 中文
    assert patient.sex is Sex.FEMALE and patient.birth_date == date(1958, 4, 12)
    assert patient.id_card == ID_CARD
    assert (patient.psn_no, patient.insurance_type, patient.insured_region) == (
        "44010000000000123456", "310", "440100")


def test_encounter(visit: Visit) -> None:
    assert visit.visit_id == "ZY0001" and visit.visit_type is VisitType.INPATIENT
    assert visit.admitted_at == datetime(2026, 3, 2, 8, 30)
    assert visit.discharged_at == datetime(2026, 3, 9, 10, 0)
    assert visit.department == "骨科"
    assert visit.attending_id == "D1001"  # Practitioner/d1001 → its staff identifier
    assert visit.diagnoses == (Diagnosis(code="M17.100", name="单侧原发性膝关节病", main=True),
                               Diagnosis(code="I10.x00", name="高血压"))


def test_orders(visit: Visit) -> None:
    drug, celecoxib, teg, mri = visit.orders
    assert isinstance(drug, DrugOrder) and isinstance(celecoxib, DrugOrder)
    assert (drug.order_id, drug.practitioner_id, drug.dose, drug.frequency, drug.days) == (
        "YZ001", "D1002", "1.5g", "bid", 3)
    assert drug.signatures[0].practitioner_id == "D1002"
    assert drug.signatures[0].token == "CA-SIGNATURE-001"
    assert drug.signatures[0].signed_at == datetime(2026, 3, 2, 10, 0, 5)
    assert celecoxib.signatures == ()
    assert isinstance(teg, LabOrder) and teg.item_code == TEG_CODE and teg.specimen == "全血"
    assert isinstance(mri, ImagingOrder)
    assert (mri.modality, mri.scope, mri.body_part) == ("MR", ImagingScope.PLAIN_AND_ENHANCED,
                                                         "左膝")


def test_charges(visit: Visit) -> None:
    drug, teg, mri, implant = visit.charges
    assert drug.unit_price == Decimal("12.345") and drug.amount == Decimal("74.07")
    assert drug.order_id == "YZ001" and drug.ordering_practitioner_id == "D1001"
    assert teg.item_code == TEG_CODE and teg.order_id == "YZ003"
    assert teg.category is ChargeCategory.LAB
    assert mri.order_id == "YZ004" and mri.category is ChargeCategory.EXAMINATION
    assert implant.category is ChargeCategory.CONSUMABLE
    assert implant.udis == (GOOD_UDI,)  # from the Device the line's product references


def test_records(visit: Visit) -> None:
    form, surgery, report = visit.records
    assert isinstance(form, FormRecord) and form.form_type == "preop_assessment"
    assert form.fields == {"planned_surgery": "左全膝关节置换术", "bleeding_risk": "moderate",
                           "anticoagulant": "false"}
    assert isinstance(surgery, SurgeryRecord)
    assert (surgery.surgeon_id, surgery.author_id) == ("D1001", "D1002")
    assert [i.udi for i in surgery.implants] == [GOOD_UDI, BAD_UDI]
    assert [i.barcode for i in surgery.implants] == ["TM0001", "TM0002"]
    assert {i.charge_code for i in surgery.implants} == {"C0302010010000100001"}
    assert isinstance(report, LabReport) and report.order_id == "YZ003"
    assert report.results[0].value == "5.2" and report.results[0].unit == "min"


def test_practitioner_registry_from_the_same_bundle() -> None:
    doctors = {p.practitioner_id: p for p in practitioners_from_bundle(inpatient_bundle())}
    assert doctors["D1001"].title is ProfessionalTitle.CHIEF
    assert doctors["D1001"].department == "骨科" and doctors["D1001"].name == "张伟"
    assert doctors["N2001"].title is ProfessionalTitle.RESIDENT


def test_built_in_rules_refuse_the_bad_udi_and_accept_the_teg_form(visit: Visit) -> None:
    rules = engine(practitioners=practitioners_from_bundle(inpatient_bundle()))
    verdict = rules.audit_visit(visit)
    assert verdict.colour is Colour.RED
    fired = {finding.rule_id for finding in verdict.findings}
    assert "YB-IMPLANT-UDI" in fired
    assert "YB-TEG-PREOP" not in fired  # the TEG form was recorded 1 h before the charge
    udi = [f for f in verdict.findings if f.rule_id == "YB-IMPLANT-UDI"]
    assert len(udi) == 1 and "胫骨平台" in udi[0].message and "06901234567891" in udi[0].message


def test_without_the_teg_form_the_teg_charge_is_refused() -> None:
    visit = visit_from_bundle(inpatient_bundle(without=("form",)))
    findings = engine().audit_visit(visit).findings
    teg = [f for f in findings if f.rule_id == "YB-TEG-PREOP"]
    assert len(teg) == 1 and teg[0].subject.id == "FY002"


def test_bundle_as_json_text_maps_the_same(visit: Visit) -> None:
    assert visit_from_bundle(dumps(inpatient_bundle()).encode("utf-8")) == visit


@pytest.mark.parametrize("status", ["entered-in-error", "cancelled"])
def test_withdrawn_orders_and_charges_are_not_part_of_the_visit(status: str) -> None:
    bundle = inpatient_bundle()
    for entry in bundle["entry"]:
        resource = entry["resource"]
        if resource.get("identifier", [{}])[0].get("value") in ("YZ002", "FY003"):
            resource["status"] = status if resource["resourceType"] != "ChargeItem" else "aborted"
    visit = visit_from_bundle(bundle)
    assert [o.order_id for o in visit.orders] == ["YZ001", "YZ003", "YZ004"]
    assert [c.charge_id for c in visit.charges] == ["FY001", "FY002", "FY004"]
