"""3101/3102 answered by the SDK's rule engine: a price above the cap and a sex-limited item
come back as violations that map to core findings; trig_scen must match the transaction."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal

import pytest

from yibao_sdk.adapters.provincial.builtin_profiles import NATIONAL
from yibao_sdk.adapters.provincial.errors import PlatformError
from yibao_sdk.adapters.provincial.mapping import findings_from_output, rule_check_input
from yibao_sdk.adapters.provincial.mock import start_mock
from yibao_sdk.adapters.provincial.mock.harness import MockClient
from yibao_sdk.adapters.provincial.wire.audit_result import OutputRuleCheck
from yibao_sdk.adapters.provincial.wire.codes import TrigScen
from yibao_sdk.models import (
    Charge,
    ChargeCategory,
    Diagnosis,
    Hospital,
    HospitalLevel,
    LabOrder,
    Patient,
    Sex,
    Visit,
    VisitType,
)
from yibao_sdk.rules import Severity, SubjectKind

T = datetime(2026, 3, 2, 9, 0)
HOSPITAL = Hospital(code="H44010600001", name="测试医院(模拟)", level=HospitalLevel.LEVEL3,
                    region="440100")


def _patient(sex: Sex) -> Patient:
    return Patient(patient_id="44010099000000000001", name="测试甲", sex=sex,
                   birth_date=date(1980, 5, 12), psn_no="44010099000000000001",
                   insurance_type="310", insured_region="440100")


def _charge(charge_id: str, code: str, price: str,
            category: ChargeCategory = ChargeCategory.EXAMINATION) -> Charge:
    return Charge(charge_id=charge_id, item_code=code, category=category,
                  quantity=Decimal(1), unit_price=Decimal(price), amount=Decimal(price),
                  charged_at=T, ordering_practitioner_id="D001")


def _visit(sex: Sex, **items: object) -> Visit:
    return Visit(visit_id="440100M000000000001", patient=_patient(sex),
                 visit_type=VisitType.OUTPATIENT, admitted_at=T,
                 diagnoses=(Diagnosis(code="N40.x00", name="前列腺增生", main=True),),
                 **items)


@pytest.fixture
def client() -> Iterator[MockClient]:
    with start_mock(NATIONAL) as mock, MockClient(mock) as caller:
        caller.sign_in()
        yield caller


def _check(client: MockClient, infno: str, visit: Visit, scene: TrigScen,
           **kw: bool) -> OutputRuleCheck:
    data = rule_check_input(visit, hospital=HOSPITAL, trig_scen=scene, task_id="T0001", **kw)
    return client.call(infno, data).output_as(OutputRuleCheck)


def test_3102_price_cap_and_sex_limit_from_the_rule_engine(client: MockClient) -> None:
    visit = _visit(Sex.MALE, charges=(
        _charge("C1", "002203000010000", "600.00"),                   # cap 500 at level 3
        _charge("C2", "003111010010000", "20.00", ChargeCategory.LAB),  # female only
        _charge("C3", "001101000010000", "25.00", ChargeCategory.CONSULTATION),  # fine
    ))
    output = _check(client, "3102", visit, TrigScen.OUTPATIENT_SETTLEMENT,
                    include_charges=True)
    by_rule = {row.rule_id: row for row in output.result}
    assert set(by_rule) == {"YB-PRICE-CAP", "YB-SEX-LIMIT"}
    cap = by_rule["YB-PRICE-CAP"]
    assert cap.vola_amt == Decimal("100.00") and cap.sev_deg == "1" and cap.task_id == "T0001"
    assert cap.patn_id == visit.patient.psn_no and cap.mdtrt_id == visit.visit_id
    assert [(d.rx_id, d.vola_item_type) for d in cap.judge_result_detail_dtos] == [("C1", "1")]
    assert "限女性" in str(by_rule["YB-SEX-LIMIT"].vola_cont)
    findings = {pf.finding.rule_id: pf.finding
                for pf in findings_from_output(output, visit=visit)}
    assert findings["YB-PRICE-CAP"].severity is Severity.BLOCK
    assert findings["YB-SEX-LIMIT"].subject.kind is SubjectKind.CHARGE
    assert findings["YB-SEX-LIMIT"].subject.id == "C2"


def test_3101_checks_orders_before_the_event(client: MockClient) -> None:
    order = LabOrder(order_id="O1", ordered_at=T, practitioner_id="D001",
                     item_code="003107010010000", name="前列腺特异性抗原测定")  # male only
    female = _check(client, "3101", _visit(Sex.FEMALE, orders=(order,)),
                    TrigScen.OUTPATIENT_REGISTRATION)
    assert [(r.rule_id, r.judge_result_detail_dtos[0].rx_id) for r in female.result] == [
        ("YB-SEX-LIMIT", "O1")]
    male = _check(client, "3101", _visit(Sex.MALE, orders=(order,)),
                  TrigScen.OUTPATIENT_REGISTRATION)
    assert male.result == []  # no violation: an empty result


def test_trig_scen_must_match_the_transaction(client: MockClient) -> None:
    visit = _visit(Sex.MALE)
    with pytest.raises(PlatformError, match="trig_scen 6 belongs to 3102"):
        _check(client, "3101", visit, TrigScen.OUTPATIENT_SETTLEMENT)
    with pytest.raises(PlatformError, match="trig_scen 1 belongs to 3101"):
        _check(client, "3102", visit, TrigScen.OUTPATIENT_REGISTRATION)


def test_a_level_1_hospital_uses_its_own_cap(client: MockClient) -> None:
    visit = _visit(Sex.MALE, charges=(_charge("C1", "002203000010000", "450.00"),))
    level1 = HOSPITAL.model_copy(update={"level": HospitalLevel.LEVEL1, "code": "H44010600009"})
    data = rule_check_input(visit, hospital=level1, trig_scen=TrigScen.OUTPATIENT_SETTLEMENT,
                            task_id="T0002", include_charges=True)
    output = client.call("3102", data).output_as(OutputRuleCheck)
    assert [(r.rule_id, r.vola_amt) for r in output.result] == [("YB-PRICE-CAP",
                                                                 Decimal("50.00"))]
