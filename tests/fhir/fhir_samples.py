"""FHIR samples for tests/fhir: corpus paths and a hand-built Chinese inpatient Bundle.

The inpatient Bundle is written the way a HIS would send it, not by our own writer: absolute
``fullUrl``s with ``Type/id`` references for practitioners and devices, ``urn:uuid`` for the
rest, a Practitioner registry, a Provenance signature, R5 CodeableReferences.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from yibao_sdk.fhir import systems as fs

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "fhir" / "public"
"""The public FHIR examples (see shared/corpus/SOURCES.md)."""

ID_CARD = "110105195804120020"
"""A synthetic resident ID (valid check character) that must never appear in an error."""

GOOD_UDI = "(01)06901234567892(17)281231(10)KNEE01(21)SN7001"
BAD_UDI = "(01)06901234567891(17)281231(21)SN7002"  # wrong GTIN check digit
TEG_CODE = "002502030660000"
"""The TEG (血栓弹力图) service code the YB-TEG-PREOP rule watches by default."""

HIS = "https://his.example-hospital.cn/fhir"

_REFS = {
    "patient": "urn:uuid:7d0a4d0e-7b1c-4b8e-9a51-0c6f3f7f0001",
    "encounter": "urn:uuid:7d0a4d0e-7b1c-4b8e-9a51-0c6f3f7f0002",
    "cond1": "urn:uuid:7d0a4d0e-7b1c-4b8e-9a51-0c6f3f7f0003",
    "cond2": "urn:uuid:7d0a4d0e-7b1c-4b8e-9a51-0c6f3f7f0004",
    "med1": "urn:uuid:7d0a4d0e-7b1c-4b8e-9a51-0c6f3f7f0005",
    "med2": "urn:uuid:7d0a4d0e-7b1c-4b8e-9a51-0c6f3f7f0006",
    "teg": "urn:uuid:7d0a4d0e-7b1c-4b8e-9a51-0c6f3f7f0007",
    "mri": "urn:uuid:7d0a4d0e-7b1c-4b8e-9a51-0c6f3f7f0008",
    "form": "urn:uuid:7d0a4d0e-7b1c-4b8e-9a51-0c6f3f7f0009",
    "surgery": "urn:uuid:7d0a4d0e-7b1c-4b8e-9a51-0c6f3f7f0010",
    "report": "urn:uuid:7d0a4d0e-7b1c-4b8e-9a51-0c6f3f7f0011",
    "obs": "urn:uuid:7d0a4d0e-7b1c-4b8e-9a51-0c6f3f7f0012",
    "coverage": "urn:uuid:7d0a4d0e-7b1c-4b8e-9a51-0c6f3f7f0013",
}


def _code(system: str, code: str, display: str = "") -> dict[str, Any]:
    coding: dict[str, Any] = {"system": system, "code": code}
    if display:
        coding["display"] = display
    return {"coding": [coding]}


def _item(code: str, name: str) -> dict[str, Any]:
    return {**_code(fs.CS_NHSA_ITEM, code), "text": name}


def _money(value: str) -> dict[str, Any]:
    return {"value": float(value), "currency": "CNY"}  # floats, as most JSON libraries send


def _subject() -> dict[str, Any]:
    return {"subject": {"reference": _REFS["patient"]},
            "encounter": {"reference": _REFS["encounter"]}}


def _practitioners() -> list[dict[str, Any]]:
    people = [("d1001", "张伟", "231", "主任医师", "骨科"),
              ("d1002", "李娜", "233", "主治医师", "骨科"),
              ("n2001", "王芳", "234", "住院医师", "检验科")]
    entries = []
    for pid, name, code, label, dept in people:
        entries.append({"fullUrl": f"{HIS}/Practitioner/{pid}", "resource": {
            "resourceType": "Practitioner", "id": pid,
            "identifier": [{"system": fs.SID_PRACTITIONER, "value": pid.upper()}],
            "name": [{"family": name[0], "given": [name[1:]]}],
            "qualification": [{"code": {**_code(fs.CS_TITLE, code, label), "text": label}}]}})
        entries.append({"fullUrl": f"{HIS}/PractitionerRole/r-{pid}", "resource": {
            "resourceType": "PractitionerRole", "id": f"r-{pid}",
            "practitioner": {"reference": f"Practitioner/{pid}"},
            "specialty": [{"text": dept}]}})
    return entries


def _clinical() -> list[dict[str, Any]]:
    patient = {
        "resourceType": "Patient",
        "identifier": [
            {"system": f"{HIS}/sid/mrn", "value": "ZY2026030001",
             "type": _code(fs.V2_0203, "MR")},
            {"system": fs.SID_ID_CARD, "value": ID_CARD, "type": _code(fs.V2_0203, "NNCHN")}],
        "name": [{"family": "王", "given": ["秀英"]}],
        "gender": "female", "birthDate": "1958-04-12"}
    coverage = {
        "resourceType": "Coverage", "status": "active", "kind": "insurance",
        "subscriberId": [{"system": fs.SID_PSN_NO, "value": "44010000000000123456"}],
        "type": _code(fs.CS_INSUTYPE, "310", "职工基本医疗保险"),
        "beneficiary": {"reference": _REFS["patient"]},
        "insurer": {"identifier": {"system": fs.SID_ADMDVS, "value": "440100"}}}
    encounter = {
        "resourceType": "Encounter", "identifier": [{"system": fs.SID_VISIT, "value": "ZY0001"}],
        "status": "completed", "class": [_code(fs.V3_ACT_CODE, "IMP")],
        "subject": {"reference": _REFS["patient"]},
        "actualPeriod": {"start": "2026-03-02T08:30:00+08:00", "end": "2026-03-09T10:00:00+08:00"},
        "serviceType": [{"concept": {"text": "骨科"}}],
        "participant": [{"type": [_code(fs.V3_PARTICIPATION, "ATND")],
                         "actor": {"reference": "Practitioner/d1001"}}],
        "diagnosis": [
            {"condition": [{"reference": {"reference": _REFS["cond1"]}}],
             "use": [_code(fs.CS_DIAGNOSIS_ROLE, "main")]},
            {"condition": [{"reference": {"reference": _REFS["cond2"]}}]}]}
    conditions = [
        {"resourceType": "Condition", "clinicalStatus": _code(fs.CONDITION_CLINICAL, "active"),
         "code": _code(fs.CS_ICD10, code, name), "subject": {"reference": _REFS["patient"]}}
        for code, name in (("M17.100", "单侧原发性膝关节病"), ("I10.x00", "高血压"))]
    return [("patient", patient), ("coverage", coverage), ("encounter", encounter),
            ("cond1", conditions[0]), ("cond2", conditions[1])]


def _orders() -> list[tuple[str, dict[str, Any]]]:
    def med(order_id: str, code: str, name: str, *, dose: str, unit: str, freq: str,
            qty: int) -> dict[str, Any]:
        return {"resourceType": "MedicationRequest",
                "identifier": [{"system": fs.SID_ORDER, "value": order_id}],
                "status": "active", "intent": "order", **_subject(),
                "medication": {"concept": _item(code, name)},
                "authoredOn": "2026-03-02T10:00:00+08:00",
                "requester": {"reference": "Practitioner/d1002"},
                "dosageInstruction": [{"timing": {"code": _code(fs.CS_FREQUENCY, freq)},
                                       "doseAndRate": [{"doseQuantity": {"value": float(dose),
                                                                          "unit": unit}}]}],
                "dispenseRequest": {"quantity": {"value": qty}, "expectedSupplyDuration": {
                    "value": 3, "unit": "d", "system": fs.UCUM, "code": "d"}}}

    def service(order_id: str, kind: str, code: str, name: str, at: str) -> dict[str, Any]:
        return {"resourceType": "ServiceRequest",
                "identifier": [{"system": fs.SID_ORDER, "value": order_id}],
                "status": "active", "intent": "order", **_subject(),
                "category": [_code(fs.CS_ORDER_KIND, kind)],
                "code": {"concept": _item(code, name)}, "authoredOn": at,
                "requester": {"reference": "Practitioner/d1001"}}

    teg = service("YZ003", "lab", TEG_CODE, "血栓弹力图试验", "2026-03-03T07:30:00+08:00")
    teg["specimen"] = [{"display": "全血"}]
    mri = service("YZ004", "imaging", "002203000010000", "膝关节磁共振平扫+增强",
                  "2026-03-02T11:00:00+08:00")
    mri["orderDetail"] = [{"parameter": [
        {"code": _code(fs.CS_ORDER_DETAIL, "scope"),
         "valueCodeableConcept": _code(fs.CS_IMAGING_SCOPE, "plain+enhanced")},
        {"code": _code(fs.CS_ORDER_DETAIL, "modality"),
         "valueCodeableConcept": _code(fs.DICOM_DCM, "MR")}]}]
    mri["bodySite"] = [{"text": "左膝"}]
    return [("med1", med("YZ001", "XJ01DCF066A001010100973", "注射用头孢呋辛钠", dose="1.5",
                         unit="g", freq="bid", qty=6)),
            ("med2", med("YZ002", "XM01AHS030E001010100127", "塞来昔布胶囊", dose="0.2",
                         unit="g", freq="qd", qty=3)),
            ("teg", teg), ("mri", mri)]


def _charge(charge_id: str, code: str, name: str, *, category: str, qty: str, price: str,
            at: str, service: str | None = None, **extra: Any) -> dict[str, Any]:
    amount = f"{float(qty) * float(price):.2f}"
    item: dict[str, Any] = {
        "resourceType": "ChargeItem",
        "extension": [{"url": fs.EXT_CHARGE_CATEGORY, "valueCode": category}],
        "identifier": [{"system": fs.SID_CHARGE, "value": charge_id}], "status": "billable",
        "code": _item(code, name), **_subject(), "occurrenceDateTime": at,
        "performer": [{"function": _code(fs.CS_CHARGE_ROLE, "ordering"),
                       "actor": {"reference": "Practitioner/d1001"}}],
        "quantity": {"value": float(qty)},
        "unitPriceComponent": {"type": "base", "amount": _money(price)},
        "totalPriceComponent": {"type": "base", "amount": _money(amount)}, **extra}
    if service is not None:
        item["service"] = [{"reference": {"reference": service}}]
    return item


def _charges() -> list[tuple[str, dict[str, Any]]]:
    return [
        ("c1", _charge("FY001", "XJ01DCF066A001010100973", "注射用头孢呋辛钠",
                       category="western_drug", qty="6", price="12.345",
                       at="2026-03-02T12:00:00+08:00", service=_REFS["med1"])),
        ("c2", _charge("FY002", TEG_CODE, "血栓弹力图试验", category="lab", qty="1",
                       price="300.00", at="2026-03-03T09:00:00+08:00", service=_REFS["teg"])),
        ("c3", _charge("FY003", "002203000010000", "膝关节磁共振平扫+增强",
                       category="examination", qty="1", price="680.00",
                       at="2026-03-02T15:00:00+08:00", service=_REFS["mri"])),
        ("c4", _charge("FY004", "C0302010010000100001", "人工膝关节假体", category="consumable",
                       qty="1", price="15800.00", at="2026-03-04T13:00:00+08:00",
                       product=[{"reference": {"reference": "Device/knee-1"}}])),
    ]


def _records() -> list[tuple[str, dict[str, Any]]]:
    form = {"resourceType": "QuestionnaireResponse",
            "identifier": [{"system": fs.SID_RECORD, "value": "BD001"}],
            "questionnaire": f"{fs.Q_TEG_PREOP}|1.0", "status": "completed", **_subject(),
            "authored": "2026-03-03T08:00:00+08:00",
            "author": {"reference": "Practitioner/d1001"},
            "item": [{"linkId": "planned_surgery", "answer": [{"valueString": "左全膝关节置换术"}]},
                     {"linkId": "bleeding_risk", "answer": [{"valueCoding": {
                         "system": f"{HIS}/CodeSystem/risk", "code": "moderate"}}]},
                     {"linkId": "anticoagulant", "answer": [{"valueBoolean": False}]}]}
    surgery = {"resourceType": "Procedure",
               "identifier": [{"system": fs.SID_RECORD, "value": "SS001"}],
               "status": "completed", **_subject(),
               "code": _code(fs.CS_ICD9CM3, "81.5400", "全膝关节置换"),
               "occurrenceDateTime": "2026-03-04T09:00:00+08:00",
               "recorder": {"reference": "Practitioner/d1002"},
               "performer": [{"function": _code(fs.V3_PARTICIPATION, "PPRF"),
                              "actor": {"reference": "Practitioner/d1001"}}],
               "focalDevice": [{"manipulated": {"reference": "Device/knee-1"}},
                               {"manipulated": {"reference": "Device/knee-2"}}]}
    report = {"resourceType": "DiagnosticReport",
              "identifier": [{"system": fs.SID_RECORD, "value": "JY001"}], "status": "final",
              "category": [_code(fs.V2_0074, "HM")], "code": _code(fs.LOINC, "11502-2"),
              **_subject(), "issued": "2026-03-03T11:00:00+08:00",
              "performer": [{"reference": "Practitioner/n2001"}],
              "basedOn": [{"reference": _REFS["teg"]}], "result": [{"reference": _REFS["obs"]}]}
    obs = {"resourceType": "Observation", "status": "final",
           "code": _code(fs.CS_LAB_ITEM, "TEG-R", "R时间"), **_subject(),
           "valueQuantity": {"value": 5.2, "unit": "min"},
           "interpretation": [_code(fs.V3_INTERPRETATION, "N")]}
    return [("form", form), ("surgery", surgery), ("report", report), ("obs", obs)]


def _devices() -> list[dict[str, Any]]:
    def device(did: str, udi: str, barcode: str, name: str) -> dict[str, Any]:
        return {"fullUrl": f"{HIS}/Device/{did}", "resource": {
            "resourceType": "Device", "id": did,
            "identifier": [{"system": fs.SID_BARCODE, "value": barcode}],
            "udiCarrier": [{"deviceIdentifier": udi[4:18], "issuer": fs.GS1_DI,
                            "carrierHRF": udi}],
            "name": [{"value": name, "type": "user-friendly-name"}],
            "type": [_code(fs.CS_NHSA_ITEM, "C0302010010000100001")]}}
    return [device("knee-1", GOOD_UDI, "TM0001", "人工膝关节股骨髁假体"),
            device("knee-2", BAD_UDI, "TM0002", "人工膝关节胫骨平台假体")]


def _provenance() -> dict[str, Any]:
    return {"fullUrl": "urn:uuid:7d0a4d0e-7b1c-4b8e-9a51-0c6f3f7f0099", "resource": {
        "resourceType": "Provenance", "target": [{"reference": _REFS["med1"]}],
        "recorded": "2026-03-02T10:00:05+08:00",
        "agent": [{"who": {"reference": "Practitioner/d1002"}}],
        "signature": [{"type": [{"system": fs.SIGNATURE_TYPE, "code": "1.2.840.10065.1.12.1.1"}],
                       "when": "2026-03-02T10:00:05+08:00",
                       "who": {"reference": "Practitioner/d1002"},
                       "data": "Q0EtU0lHTkFUVVJFLTAwMQ=="}]}}


def inpatient_bundle(*, without: tuple[str, ...] = ()) -> dict[str, Any]:
    """A realistic R5 transaction Bundle of one knee-replacement stay (住院), as a HIS sends it.

    :param without: keys of entries to leave out (e.g. ``("form",)``).
    """
    keyed = [*_clinical(), *_orders(), *_charges(), *_records()]
    entries: list[dict[str, Any]] = []
    for key, resource in keyed:
        if key in without:
            continue
        url = _REFS.get(key, f"urn:uuid:7d0a4d0e-7b1c-4b8e-9a51-0c6f3f7f01{len(entries):02d}")
        entries.append({"fullUrl": url, "resource": copy.deepcopy(resource)})
    entries += [*_practitioners(), *_devices(), _provenance()]
    for entry in entries:
        entry["request"] = {"method": "POST", "url": entry["resource"]["resourceType"]}
    return {"resourceType": "Bundle", "type": "transaction", "entry": entries}


def entry_index(bundle: dict[str, Any], resource_type: str, nth: int = 0) -> int:
    """Position in ``bundle`` of the ``nth`` entry of ``resource_type``."""
    found = [i for i, e in enumerate(bundle["entry"])
             if e["resource"]["resourceType"] == resource_type]
    return found[nth]
