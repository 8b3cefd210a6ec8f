"""Core → FHIR → core gives back the original, per resource type and whole visits, R5 and R4B."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

from yibao_sdk.fhir import (
    bundle_from_visit,
    claim_from_settlement,
    claim_response_from_result,
    coverage_from_fhir,
    dumps,
    part_from_fhir,
    part_to_bundle,
    patient_from_fhir,
    patient_to_fhir,
    practitioner_from_fhir,
    practitioner_to_fhir,
    practitioners_from_bundle,
    result_from_claim_response,
    settlement_from_claim,
    visit_from_bundle,
)
from yibao_sdk.fhir import systems as fs
from yibao_sdk.fhir.mapping import Part, WriteContext
from yibao_sdk.fhir.patient import coverage_to_fhir
from yibao_sdk.models import (
    Charge,
    ChargeCategory,
    ConsumableOrder,
    Diagnosis,
    FundPayment,
    ImagingReport,
    ImagingScope,
    LabOrder,
    LabReport,
    LabResult,
    Operation,
    ProcedureOrder,
    ProfessionalTitle,
    Settlement,
    SettlementResult,
    Sex,
    Signature,
    Visit,
    VisitType,
)
from yibao_sdk.testing import factories as f

VERSIONS = ["R5", "R4B"]
T = datetime(2026, 3, 2, 9, 30, 15)


def _roundtrip(part: Part, version: str) -> Part:
    bundle = part_to_bundle(part, patient_id="P0001", visit_id="V0001", version=version)
    return part_from_fhir(dumps(bundle), version=version)


def _signed(by: str = "D001", token: str = "") -> tuple[Signature, ...]:
    return (Signature(practitioner_id=by, signed_at=T, token=token),)


PARTS: dict[str, Part] = {
    "drug": f.drug_order(order_id="O1", at=T, dose="0.5g", frequency="bid", days=7,
                         quantity=Decimal("14"), name="头孢呋辛酯片", hospital_item_code="H01",
                         department="呼吸内科", urgent=True, cosigners=("D009",)),
    "drug-text-dose": f.drug_order(order_id="O2", dose="1/2片", frequency="tid"),
    "drug-signed-token": f.drug_order(order_id="O3").model_copy(
        update={"signatures": _signed(token="CA-签名值-001")}),
    "lab": LabOrder(order_id="O4", ordered_at=T, practitioner_id="D001", item_code="250101001",
                    name="血常规", specimen="静脉血", quantity=Decimal("1.5")),
    "procedure": ProcedureOrder(order_id="O5", ordered_at=T, practitioner_id="D002",
                                item_code="331501010", signatures=_signed("D002")),
    "consumable": ConsumableOrder(order_id="O6", ordered_at=T, practitioner_id="D001",
                                  item_code="C0302010010000100001", quantity=Decimal(2)),
    "charge": f.charge(charge_id="C1", unit_price="12.345", quantity="3", order_id="O1",
                       name="头孢呋辛酯片", hospital_item_code="H01", at=T,
                       category=ChargeCategory.WESTERN_DRUG, performing_practitioner_id="N01"),
    "charge-refund": f.charge(charge_id="C2", quantity="-1", unit_price="15800",
                              refund_of="C1", self_pay=True, category=ChargeCategory.CONSUMABLE,
                              udis=("(01)06901234567892(17)271231(10)B2401(21)SN0001",
                                    "+H123PROD1/$$3271231LOT1/S1234")),
    "charge-zero": f.charge(charge_id="C3", quantity="0", unit_price="5"),
    "surgery": f.surgery(
        f.implant(),
        f.implant(udi="+H123PROD1/$$3271231LOT1/S1234", name="HIBCC 植入物", quantity=2),
        f.implant(udi="0106901234567892\x1d21SN9", barcode=None),  # GS separator → AIDC
        f.implant(udi="not-a-udi", charge_code=None),
        f.implant(udi=None, name=""),
        record_id="R1", at=T, author_id="D003",
        operations=(Operation(code="81.5401", name="全膝关节置换", main=False),
                    Operation(code="81.5402", name="髌骨置换", main=True))),
    "surgery-bare": f.surgery(record_id="R2", surgeon_id=""),
    "form": f.form(record_id="R3", at=T, author_id="D001",
                   fields={"bleeding_risk": "moderate", "note": "", "手术": "左膝"}),
    "form-other": f.form("anaesthesia_consent", record_id="R4"),
    "lab-report": LabReport(record_id="R5", recorded_at=T, author_id="N01", order_id="O4",
                            results=(LabResult(code="WBC", name="白细胞", value="6.50",
                                               unit="10^9/L", flag="N"),
                                     LabResult(code="HBsAg", name="乙肝表面抗原", value="阴性"),
                                     LabResult(code="ABO", value=""))),
    "imaging-report": ImagingReport(record_id="R6", recorded_at=T, author_id="D004",
                                    order_id="O7", modality="MR", findings="左膝内侧半月板后角撕裂",
                                    conclusion="半月板损伤"),
    "imaging-report-bare": ImagingReport(record_id="R7", recorded_at=T),
}
for scope in ImagingScope:
    PARTS[f"imaging-{scope.value}"] = f.imaging_order(order_id=f"I-{scope.name}", scope=scope,
                                                      body_part="左膝", at=T)
PARTS["imaging-no-modality"] = f.imaging_order(order_id="I9", modality="")


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("name", sorted(PARTS))
def test_part_round_trip(name: str, version: str) -> None:
    assert _roundtrip(PARTS[name], version) == PARTS[name]


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("sex", list(Sex))
def test_patient_round_trip(sex: Sex, version: str) -> None:
    patient = f.patient(sex=sex, id_card="110105195804120020", psn_no="44010000000000123456")
    assert patient_from_fhir(dumps(patient_to_fhir(patient)), version=version) == patient


@pytest.mark.parametrize("version", VERSIONS)
def test_coverage_round_trip(version: str) -> None:
    patient = f.patient(psn_no="44010000000000123456", insurance_type="390",
                        insured_region="440100")
    ctx = WriteContext.standalone(patient_id="P0001", visit_id="V1", version=version)
    coverage = coverage_to_fhir(patient, ctx)
    assert coverage is not None
    info = coverage_from_fhir(dumps(coverage), version=version)
    plain = patient.model_copy(update={"psn_no": None, "insurance_type": None,
                                       "insured_region": None})
    assert patient_from_fhir(patient_to_fhir(plain), version=version, coverage=info) == patient


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("department", ["骨科", ""])
def test_practitioner_round_trip(version: str, department: str) -> None:
    doctor = f.practitioner("D010", ProfessionalTitle.ASSOCIATE_CHIEF, national_code="D440100001",
                            department=department)
    resources = practitioner_to_fhir(doctor)
    role = resources[1] if department else None
    assert practitioner_from_fhir(resources[0], role=role, version=version) == doctor


def test_practitioners_from_bundle_joins_roles() -> None:
    doctor = f.practitioner("D010", department="骨科")
    practitioner, role = practitioner_to_fhir(doctor)
    practitioner["id"] = "d010"
    role["practitioner"] = {"reference": "Practitioner/d010"}
    bundle = {"resourceType": "Bundle", "type": "collection",
              "entry": [{"resource": practitioner}, {"resource": role}]}
    assert practitioners_from_bundle(bundle) == [doctor]


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("pre", [False, True])
def test_settlement_claim_round_trip(version: str, pre: bool) -> None:
    settlement = Settlement(settlement_id="S1", visit_id="V1", requested_at=T,
                            total=Decimal("16392.0700"), pre_settlement=pre,
                            charge_ids=("C1", "C2"), insurance_type="310", medical_type="21")
    claim = claim_from_settlement(settlement, patient_id="P1", version=version)
    assert settlement_from_claim(dumps(claim), version=version) == settlement


@pytest.mark.parametrize("version", VERSIONS)
def test_settlement_result_claim_response_round_trip(version: str) -> None:
    funds = (FundPayment(fund_type="310100", name="统筹基金", amount=Decimal("9800.00")),
             FundPayment(fund_type="330200", name="", amount=Decimal("1200.50")))
    result = SettlementResult(
        settlement_id="SETL1", visit_id="V1", settled_at=T, total=Decimal("16392.07"),
        full_self_pay=Decimal("300"), over_limit_self_pay=Decimal("12.5"),
        preselfpay=Decimal("88.8"), fund_total=Decimal("11000.50"),
        pooled_fund=Decimal("9800.00"), personal_account=Decimal("2000"),
        cash=Decimal("3391.57"), hospital_part=Decimal("0"), fund_payments=funds)
    response = claim_response_from_result(result, patient_id="P1", version=version)
    assert result_from_claim_response(dumps(response), version=version) == result


def _inpatient() -> Visit:
    patient = f.patient(patient_id="P77", name="欧阳娜娜", sex=Sex.FEMALE,
                        birth_date=date(1990, 2, 28), id_card="110105195804120020",
                        psn_no="44010000000000123456", insurance_type="310",
                        insured_region="440100")
    kinds = ("drug", "lab", "imaging", "procedure", "consumable")
    orders = tuple(p for p in PARTS.values() if getattr(p, "kind", "") in kinds)
    records = tuple(PARTS[k] for k in ("surgery", "form", "lab-report", "imaging-report"))
    charges = (PARTS["charge"], PARTS["charge-refund"])
    return f.visit(visit_id="ZY1", patient=patient, admitted_at=datetime(2026, 3, 1, 8, 0),
                   discharged_at=datetime(2026, 3, 9, 10, 0, 0, 250000), department="骨科",
                   attending_id="D001",
                   diagnoses=(Diagnosis(code="M17.100", name="膝关节病"),
                              Diagnosis(code="I10.x00", name="高血压", main=True)),
                   orders=orders, charges=charges, records=records)


@pytest.mark.parametrize("version", VERSIONS)
def test_whole_visit_round_trip(version: str) -> None:
    visit = _inpatient()
    bundle = bundle_from_visit(visit, version=version)
    assert bundle["type"] == "transaction"
    assert {e["request"]["method"] for e in bundle["entry"]} == {"POST"}
    assert all(e["fullUrl"].startswith("urn:uuid:") for e in bundle["entry"])
    assert visit_from_bundle(dumps(bundle), version=version) == visit


@pytest.mark.parametrize("kind", list(VisitType))
def test_visit_header_round_trip(kind: VisitType) -> None:
    visit = f.visit(visit_type=kind, department="", diagnoses=())
    assert visit_from_bundle(bundle_from_visit(visit)) == visit


def test_bundle_is_deterministic_and_conditional() -> None:
    visit = _inpatient()
    assert dumps(bundle_from_visit(visit)) == dumps(bundle_from_visit(visit))
    queries = [e["request"].get("ifNoneExist", "") for e in bundle_from_visit(visit)["entry"]]
    assert f"identifier={fs.SID_PATIENT}|P77" in queries
    assert f"identifier={fs.SID_VISIT}|ZY1" in queries
    assert not any("110105195804120020" in q for q in queries)  # never the ID card


@pytest.mark.parametrize("version", VERSIONS)
def test_unit_price_12_345_survives(version: str) -> None:
    charge = f.charge(charge_id="C9", unit_price="12.345", quantity="1.10")
    text = dumps(part_to_bundle(charge, patient_id="P", visit_id="V", version=version))
    assert str(charge.amount) == "13.57950"  # 1.10 × 12.345, as the factory computes it
    assert '"value":12.345' in text and '"value":1.10' in text and '"value":13.57950' in text
    back = part_from_fhir(text, version=version)
    assert isinstance(back, Charge)
    assert str(back.unit_price) == "12.345" and str(back.quantity) == "1.10"
    assert str(back.amount) == "13.57950"
    assert back == charge


def test_large_money_is_exact() -> None:
    amount = Decimal("123456789012.3456")
    charge = f.charge(charge_id="C10", unit_price=amount, quantity=1)
    text = dumps(part_to_bundle(charge, patient_id="P", visit_id="V"))
    assert "123456789012.3456" in text
    back = part_from_fhir(text)
    assert isinstance(back, Charge) and back.unit_price == amount


def test_floats_from_a_plain_json_library_read_as_their_repr() -> None:
    charge = f.charge(charge_id="C11", unit_price="0.1", quantity="3")
    data: dict[str, Any] = json.loads(dumps(part_to_bundle(charge, patient_id="P",
                                                           visit_id="V")))
    back = part_from_fhir(data)  # floats in the dict
    assert isinstance(back, Charge)
    assert back.unit_price == Decimal("0.1") and back.amount == Decimal("0.3")


def test_dumps_writes_decimals_exactly() -> None:
    assert dumps({"a": [Decimal("1.10"), Decimal("-0.005"), 2, True, None, "中"]}) == \
        '{"a":[1.10,-0.005,2,true,null,"中"]}'
