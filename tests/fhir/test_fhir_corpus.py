"""Every public FHIR example in shared/corpus/fhir/public maps to core models with its values."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from fhir_samples import CORPUS

from yibao_sdk.adapters.his.fhir import charge_from_fhir, drug_order_from_fhir
from yibao_sdk.adapters.lis.fhir import form_from_fhir
from yibao_sdk.fhir import (
    FhirError,
    FhirOptions,
    coverage_from_fhir,
    implant_from_device,
    part_from_fhir,
    patient_from_fhir,
    resource_from_xml,
    result_from_claim_response,
    settlement_from_claim,
    surgery_from_fhir,
    visit_from_bundle,
)
from yibao_sdk.fhir.device import read_implant
from yibao_sdk.fhir.node import Node
from yibao_sdk.models import (
    ChargeCategory,
    Operation,
    ProcedureOrder,
    Sex,
    Signature,
    VisitType,
)

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="shared/corpus is not beside the repo")

ANY_CURRENCY = FhirOptions(currencies=None)
"""The corpus is in EUR/USD; the default options accept only CNY."""


def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((CORPUS / name).read_bytes(), parse_float=Decimal)
    return data


def test_every_corpus_file_is_covered_here() -> None:
    names = {p.name for p in CORPUS.iterdir() if p.suffix in (".json", ".xml")}
    covered = {"chargeitem-example.json", "claim-example-pharmacy-medication.json",
               "claimresponse-example.xml", "coverage-example.xml",
               "device-example-bpmonitor.json", "encounter-example-f201-20130404.json",
               "medicationrequestexample1.json", "patient-example-f001-pieter.json",
               "procedure-example-f001-heart.json", "questionnaireresponse-example-gcs.json",
               "servicerequest-example2.json"}
    assert names == covered


def test_patient_f001() -> None:
    patient = patient_from_fhir((CORPUS / "patient-example-f001-pieter.json").read_bytes(),
                                version="R4B")
    assert patient.patient_id == "f001"  # no MR identifier: the logical id
    assert patient.name == "Pieter van de Heuvel"
    assert patient.sex is Sex.MALE
    assert patient.birth_date == date(1944, 11, 17)
    assert patient.id_card is None and patient.psn_no is None


def test_encounter_f201_has_no_start_so_no_visit() -> None:
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [
        {"resource": _load("patient-example-f001-pieter.json")},
        {"resource": _load("encounter-example-f201-20130404.json")}]}
    with pytest.raises(FhirError) as caught:
        visit_from_bundle(bundle, version="R4B")
    assert caught.value.expression == "Bundle.entry[1].resource.period.start"
    assert caught.value.outcome["issue"][0]["code"] == "required"


def test_encounter_f201_with_a_period_maps_to_an_outpatient_visit() -> None:
    encounter = _load("encounter-example-f201-20130404.json")
    encounter["period"] = {"start": "2013-04-04T09:00:00+02:00"}
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [
        {"resource": _load("patient-example-f001-pieter.json")}, {"resource": encounter}]}
    visit = visit_from_bundle(bundle, version="R4B")
    assert visit.visit_id == "Encounter_Roel_20130404"
    assert visit.visit_type is VisitType.OUTPATIENT  # class AMB
    assert visit.attending_id == "f201"
    assert visit.admitted_at == datetime(2013, 4, 4, 15, 0)  # +02:00 → China time
    assert visit.patient.patient_id == "f001"  # Patient/f201 is absent: the only Patient
    assert visit.diagnoses == () and visit.orders == ()


def test_medication_request_with_contained_medication() -> None:
    order = drug_order_from_fhir((CORPUS / "medicationrequestexample1.json").read_bytes(),
                                 version="R4B")
    assert order.order_id == "12345689"
    assert order.item_code == "317935006"
    assert order.name == "Chlorthalidone 50mg tablet (product)"
    assert order.ordered_at == datetime(2015, 1, 15)
    assert order.practitioner_id == "f007"
    assert order.quantity == Decimal(30)
    assert (order.dose, order.frequency, order.days) == ("1TAB", "QD", 30)


def test_service_request_with_contained_provenance_signature() -> None:
    order = part_from_fhir((CORPUS / "servicerequest-example2.json").read_bytes(),
                           version="R4B")
    assert isinstance(order, ProcedureOrder)  # no category: a procedure order
    assert order.order_id == "20170201-0001"
    assert order.item_code == "34431008"
    assert order.name == "Physiotherapy of chest (regime/therapy)"
    assert order.ordered_at == datetime(2017, 2, 2, 1, 23, 7)  # 17:23:07Z
    assert order.practitioner_id == "example"
    assert order.signatures == (Signature(practitioner_id="example",
                                          signed_at=datetime(2017, 2, 2, 1, 23, 7),
                                          token="this blob is snipped"),)


def test_procedure_f001_heart() -> None:
    record = surgery_from_fhir((CORPUS / "procedure-example-f001-heart.json").read_bytes(),
                               version="R4B")
    assert record.record_id == "f001"
    assert record.recorded_at == datetime(2011, 6, 26)
    assert record.surgeon_id == "f002"
    assert record.operations == (Operation(code="34068001", name="Heart valve replacement",
                                           main=True),)
    assert record.implants == ()


def test_device_bpmonitor_udi_carrier() -> None:
    # An R5 ballot-era example: fhir.resources' R5 (5.0.0) rejects Device.definition as a
    # Reference (it became a CodeableReference), so the mapping reads it unvalidated.
    raw = (CORPUS / "device-example-bpmonitor.json").read_bytes()
    with pytest.raises(FhirError) as caught:
        implant_from_device(raw)
    assert caught.value.expression == "Device.definition.reference"
    implant = read_implant(Node(json.loads(raw), "Device"))
    assert implant.name == "MediTech Solutions MT-BP2000X"
    assert implant.udi == "(01)39183189818(21)5091100966"
    assert implant.barcode is None and implant.charge_code is None and implant.quantity == 1


def test_charge_item_in_euro() -> None:
    raw = (CORPUS / "chargeitem-example.json").read_bytes()
    with pytest.raises(FhirError) as caught:
        charge_from_fhir(raw, version="R4B")
    assert caught.value.expression == "ChargeItem.priceOverride.currency"
    charge = charge_from_fhir(raw, version="R4B", options=ANY_CURRENCY)
    assert charge.charge_id == "654321"
    assert charge.item_code == "01510"
    assert charge.name.startswith("Zusatzpauschale für Beobachtung")
    assert (charge.quantity, charge.unit_price, charge.amount) == (1, 40, 40)
    assert charge.charged_at == datetime(2017, 1, 25, 15, 0)  # 08:00+01:00
    assert charge.performing_practitioner_id == "example"
    assert charge.order_id == "example"  # service → Procedure/example
    assert charge.category is ChargeCategory.TREATMENT


def test_questionnaire_response_gcs() -> None:
    form = form_from_fhir((CORPUS / "questionnaireresponse-example-gcs.json").read_bytes(),
                          version="R4B")
    assert form.record_id == "gcs"
    assert form.form_type == "gcs"  # last segment of http://hl7.org/fhir/Questionnaire/gcs
    assert form.recorded_at == datetime(2014, 12, 11, 12, 44, 16)
    assert form.author_id == "f007"  # source is a Practitioner
    assert form.fields == {"1.1": "LA6560-2", "1.2": "LA6566-9", "1.3": "LA6556-0"}


def test_claim_pharmacy() -> None:
    settlement = settlement_from_claim(
        (CORPUS / "claim-example-pharmacy-medication.json").read_bytes(), version="R4B",
        options=ANY_CURRENCY, visit_id="V-760151")
    assert settlement.settlement_id == "7612345"
    assert settlement.total == Decimal("90")
    assert str(settlement.total) == "90.00"  # written 90.00 in the file, kept exactly
    assert settlement.requested_at == datetime(2014, 8, 16)
    assert settlement.pre_settlement is False
    assert settlement.visit_id == "V-760151"


def _xml(name: str) -> bytes:
    pytest.importorskip("lxml", reason="FHIR XML needs lxml (fhir.resources' xml extra)")
    return (CORPUS / name).read_bytes()


def test_claim_response_xml() -> None:
    data = resource_from_xml(_xml("claimresponse-example.xml"), "ClaimResponse", "R4B")
    result = result_from_claim_response(data, version="R4B", options=ANY_CURRENCY,
                                        visit_id="V1")
    assert result.settlement_id == "R3500"
    assert result.total == Decimal("135.57")
    assert result.fund_total == Decimal("90.47")  # the "benefit" total
    assert result.cash == Decimal("45.10")  # what the fund leaves to the patient
    assert result.settled_at == datetime(2014, 8, 16)


def test_coverage_xml() -> None:
    data = resource_from_xml(_xml("coverage-example.xml"), "Coverage", "R4B")
    info = coverage_from_fhir(data, version="R4B")
    assert info.psn_no == "12345"
    assert info.insurance_type == "EHCPOL"
    assert info.insured_region is None

