"""Visits ↔ 3101/3102 requests, results ↔ core findings, overrides → 3103 feedback."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from yibao_sdk.adapters.provincial.mapping import (
    PlatformFinding,
    feedback_input,
    findings_from_output,
    output_from_findings,
    rule_check_input,
    visit_from_rule_check,
)
from yibao_sdk.adapters.provincial.mapping.findings import PLATFORM_POLICY
from yibao_sdk.adapters.provincial.wire import audit_result
from yibao_sdk.adapters.provincial.wire.base import to_wire
from yibao_sdk.adapters.provincial.wire.codes import TrigScen, WarnType
from yibao_sdk.errors import ModelInputError
from yibao_sdk.models import (
    Charge,
    ChargeCategory,
    Diagnosis,
    DrugOrder,
    Hospital,
    HospitalLevel,
    ImagingOrder,
    LabOrder,
    Operation,
    Patient,
    Practitioner,
    ProfessionalTitle,
    Sex,
    SurgeryRecord,
    Visit,
    VisitType,
)
from yibao_sdk.rules import Finding, Override, Severity, Subject, SubjectKind

T = datetime(2026, 3, 2, 9, 0)
HOSPITAL = Hospital(code="H44010600001", name="广州市示例医院", level=HospitalLevel.LEVEL3,
                    region="440100")
PATIENT = Patient(patient_id="44000011000000000001", name="张三", sex=Sex.MALE,
                  birth_date=datetime(1986, 1, 1), psn_no="44000011000000000001",
                  insurance_type="310", insured_region="440100")
DOCTORS = {"D001": Practitioner(practitioner_id="D001", name="李医生",
                                title=ProfessionalTitle.ASSOCIATE_CHIEF,
                                national_code="D440100000001")}
DRUG = DrugOrder(order_id="O0001", ordered_at=T, practitioner_id="D001",
                 item_code="XA11DAW036A001010104127", hospital_item_code="YP0001",
                 name="阿莫西林胶囊", quantity=Decimal("2"), department="A07")
MRI = ImagingOrder(order_id="O0002", ordered_at=T, practitioner_id="D001",
                   item_code="002203000010000", name="MRI 平扫+增强")
LAB = LabOrder(order_id="O0003", ordered_at=T, practitioner_id="D001", item_code="250101001")
CHARGE = Charge(charge_id="F0001", item_code="XA11DAW036A001010104127",
                hospital_item_code="YP0001", name="阿莫西林胶囊",
                category=ChargeCategory.WESTERN_DRUG, quantity=Decimal("2"),
                unit_price=Decimal("17.55"), amount=Decimal("35.10"), charged_at=T,
                ordering_practitioner_id="D001")
VISIT = Visit(
    visit_id="ZY20260302001", patient=PATIENT, visit_type=VisitType.INPATIENT, admitted_at=T,
    department="A07", attending_id="D001",
    diagnoses=(Diagnosis(code="S72.000", name="股骨颈骨折", main=True),
               Diagnosis(code="I10.x00", name="高血压")),
    orders=(DRUG, MRI, LAB), charges=(CHARGE,),
    records=(SurgeryRecord(record_id="R1", recorded_at=T, surgeon_id="D001",
                           operations=(Operation(code="81.5100", name="全髋关节置换",
                                                 main=True),)),),
)


def test_3101_request_tree() -> None:
    wire = to_wire(rule_check_input(VISIT, hospital=HOSPITAL, trig_scen=TrigScen.ADMISSION,
                                    task_id="T0001", mdtrt_id="440100G0000000000001",
                                    practitioners=DOCTORS, current_ids={"O0002"}))
    data = wire["data"]
    assert data["trig_scen"] == "3" and data["syscode"] == "YIBAO" and data["task_id"] == "T0001"
    patient = data["patient_dtos"][0]
    assert patient["patn_id"] == "44000011000000000001" and patient["gend"] == "1"
    assert patient["brdy"] == "1986-01-01" and patient["poolarea"] == "440100"
    assert patient["curr_mdtrt_id"] == "440100G0000000000001"
    encounter = patient["fsi_encounter_dtos"][0]
    assert encounter["medins_id"] == "H44010600001" and encounter["medins_lv"] == "3"
    assert encounter["med_mdtrt_type"] == "2" and encounter["adm_date"] == "2026-03-02 09:00:00"
    assert encounter["dscg_main_dise_codg"] == "S72.000"
    assert encounter["dr_codg"] == "D440100000001"
    assert [(d["dise_codg"], d["maindise_flag"], d["inout_dise_type"])
            for d in encounter["fsi_diagnose_dtos"]] == [("S72.000", "1", "1"),
                                                        ("I10.x00", "0", "1")]
    orders = encounter["fsi_order_dtos"]
    assert [(o["rx_id"], o["hilist_type"], o.get("chrg_type"), o["curr_drord_flag"])
            for o in orders] == [("O0001", "101", None, "0"), ("O0002", "201", "03", "1"),
                                 ("O0003", "201", "04", "0")]
    assert orders[0]["drord_dr_codg"] == "D440100000001"
    assert orders[0]["drord_dr_profttl"] == "232"
    assert encounter["fsi_operation_dtos"][0]["oprn_code"] == "81.5100"


def test_3102_request_with_charges_round_trips_to_a_visit() -> None:
    wire = rule_check_input(VISIT, hospital=HOSPITAL, trig_scen=TrigScen.INPATIENT_SETTLEMENT,
                            task_id="T0002", practitioners=DOCTORS, include_charges=True)
    rows = wire.data.patient_dtos[0].fsi_encounter_dtos[0].fsi_order_dtos
    charge_row = rows[-1]
    assert (charge_row.rx_id, charge_row.chrg_type, charge_row.sumamt) == (
        "F0001", "09", Decimal("35.10"))
    back = visit_from_rule_check(wire, practitioners=DOCTORS)
    assert back.visit_id == VISIT.visit_id and back.visit_type is VisitType.INPATIENT
    assert back.diagnoses == VISIT.diagnoses
    assert back.charges == (CHARGE,)
    assert back.patient.psn_no == PATIENT.psn_no and back.patient.sex is Sex.MALE
    assert [(type(o).__name__, o.order_id, o.item_code) for o in back.orders] == [
        ("DrugOrder", "O0001", DRUG.item_code), ("ImagingOrder", "O0002", MRI.item_code),
        ("LabOrder", "O0003", LAB.item_code)]
    assert back.orders[0].quantity == Decimal("2") and back.orders[0].practitioner_id == "D001"


def _finding(rule: str, severity: Severity, subject: Subject, **kw: object) -> Finding:
    data: dict[str, object] = {"rule_id": rule, "severity": severity, "subject": subject,
                               "message": f"{rule}: 违规内容", "policy": PLATFORM_POLICY, **kw}
    return Finding.model_validate(data)


def test_platform_results_become_findings() -> None:
    output = audit_result.OutputRuleCheck.model_validate({"result": [{
        "jr_id": "JR0001", "rule_id": "R01", "rule_name": "限定支付范围",
        "vola_cont": "阿莫西林胶囊超限定支付范围", "patn_id": "44000011000000000001",
        "mdtrt_id": "ZY20260302001", "vola_amt": Decimal("35.10"), "sev_deg": "1",
        "vola_evid": "医保药品目录限定支付", "task_id": "T0001",
        "judge_result_detail_dtos": [
            {"jrd_id": "1", "rx_id": "O0001", "vola_item_type": "1", "vola_amt": 35.1},
            {"jrd_id": "2", "rx_id": "F0001", "vola_item_type": "2"}],
    }, {"jr_id": "JR0002", "sev_deg": "9", "vola_cont": "住院天数异常"}]})
    found = findings_from_output(output, visit=VISIT)
    first, second = found[0].finding, found[1].finding
    assert found[0].jr_id == "JR0001"
    assert first.rule_id == "R01" and first.severity is Severity.BLOCK
    assert first.message == "阿莫西林胶囊超限定支付范围"
    assert first.subject == Subject(kind=SubjectKind.ORDER, id="O0001", at=T)
    assert first.related == (Subject(kind=SubjectKind.CHARGE, id="F0001", at=T),)
    assert first.amount == Decimal("35.10") and first.evidence == "医保药品目录限定支付"
    assert first.policy.reason_required
    assert second.severity is Severity.WARN  # unknown sev_deg: yellow
    assert second.rule_id == "JR0002"
    assert second.subject == Subject(kind=SubjectKind.VISIT, id="ZY20260302001")


def test_no_violation_means_no_findings() -> None:
    assert findings_from_output(audit_result.OutputRuleCheck.model_validate({})) == ()


def test_findings_round_trip_through_the_output() -> None:
    findings = [
        _finding("YB-MRI-24H", Severity.WARN, Subject(kind=SubjectKind.ORDER, id="O0002", at=T),
                 amount=Decimal("680.00"), evidence="24小时内重复MRI",
                 related=(Subject(kind=SubjectKind.ORDER, id="O0001", at=T),)),
        _finding("YB-SEX-AGE", Severity.BLOCK, Subject(kind=SubjectKind.CHARGE, id="F0001", at=T)),
        _finding("YB-SPLIT", Severity.WARN, Subject(kind=SubjectKind.VISIT, id="ZY20260302001")),
    ]
    info = _finding("YB-NOTE", Severity.INFO, Subject(kind=SubjectKind.VISIT, id="ZY20260302001"))
    output = output_from_findings([*findings, info], patn_id="44000011000000000001",
                                  mdtrt_id="ZY20260302001", task_id="T0001")
    assert [r.sev_deg for r in output.result] == ["2", "1", "2"]
    assert output.result[0].jr_id == findings[0].finding_id
    back = findings_from_output(output, visit=VISIT)
    assert [pf.finding for pf in back] == findings
    assert [pf.jr_id for pf in back] == [f.finding_id for f in findings]


def test_3103_feedback_from_overrides() -> None:
    found = (PlatformFinding("JR0001", _finding("R01", Severity.WARN,
                                               Subject(kind=SubjectKind.ORDER, id="O0001"))),
             PlatformFinding("JR0002", _finding("R02", Severity.BLOCK,
                                               Subject(kind=SubjectKind.ORDER, id="O0002"))))
    override = Override(finding_id=found[0].finding.finding_id, reason="急诊抢救，临床必需",
                        recorded_at=T)
    wire = to_wire(feedback_input(found, [override], warn_type=WarnType.PRE_EVENT))
    assert wire == {"data": {"warn_type": "1", "warns": [
        {"warn_rslt_id": "JR0001", "dspo_way": "1", "dspo_way_rea": "急诊抢救，临床必需"},
        {"warn_rslt_id": "JR0002", "dspo_way": "2"}]}}


def test_3103_override_without_a_reason_is_refused() -> None:
    found = (PlatformFinding("JR0001", _finding("R01", Severity.WARN,
                                               Subject(kind=SubjectKind.ORDER, id="O0001"))),)
    silent = Override(finding_id=found[0].finding.finding_id, recorded_at=T)
    with pytest.raises(ModelInputError, match="dspo_way_rea"):
        feedback_input(found, [silent], warn_type="2")
    with pytest.raises(ModelInputError, match="warns"):
        feedback_input((), [], warn_type="2")
