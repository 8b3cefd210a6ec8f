"""The demo's sample visits: one green visit and at least one visit per built-in rule."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from yibao_sdk.cases import Case
from yibao_sdk.demo.knowledge import CATALOG, CODES, PRACTITIONERS, VIOLATIONS
from yibao_sdk.models import ChargeCategory, Diagnosis, Sex, VisitType
from yibao_sdk.testing import factories as f

__all__ = ["CASES", "build_cases"]

T = datetime(2026, 3, 2, 9, 0)
HOUR = timedelta(hours=1)
CAT = ChargeCategory


def _case(description: str, visit: Any, **kw: Any) -> Case:
    return Case(description=description, hospital=f.hospital(), visit=visit, catalog=CATALOG,
                practitioners=PRACTITIONERS, violations=VIOLATIONS, **kw)


def green() -> Case:
    """An ordinary outpatient visit: nothing to find."""
    visit = f.visit(
        visit_id="V-GREEN", visit_type=VisitType.OUTPATIENT, department="内科",
        orders=[f.drug_order(CODES["vitamin_b1"], order_id="O-B1", name="维生素B1片")],
        charges=[f.charge(CODES["consult"], unit_price="10", category=CAT.CONSULTATION),
                 f.charge(CODES["vitamin_b1"], unit_price="0.50", quantity=20, at=T + HOUR,
                          category=CAT.WESTERN_DRUG, name="维生素B1片")],
    )
    return _case("门诊普通就诊：应为绿灯", visit)


def implant_udi() -> Case:
    """Surgery record with an implant lacking its UDI, another with a wrong check digit."""
    bad_check = "(01)06901234567891(17)271231(10)B2401(21)SN0002"
    record = f.surgery(f.implant(None), f.implant(bad_check), record_id="R-OP1", at=T)
    line = f.charge(CODES["implant"], unit_price="3200", quantity=2, at=T + HOUR,
                    category=CAT.CONSUMABLE, name="锁定接骨板",
                    udis=("(01)06901234567892(17)271231(10)B2401(21)SN0001",))
    visit = f.visit(visit_id="V-UDI", records=[record], charges=[line],
                    diagnoses=[Diagnosis(code="S72.000", name="股骨颈骨折", main=True)])
    return _case("植入物：手术记录缺UDI、UDI校验位错误、计费数量多于UDI", visit)


def teg_without_form() -> Case:
    """Thromboelastography billed with no pre-op assessment form in the visit."""
    line = f.charge(CODES["teg"], unit_price="180", category=CAT.LAB, name="血栓弹力图试验")
    return _case("血栓弹力图无术前评估表", f.visit(visit_id="V-TEG", charges=[line]))


def suspended_doctor() -> Case:
    """Orders by a practitioner with 9 points this year; an emergency one only warns."""
    orders = [f.drug_order(CODES["vitamin_b1"], order_id="O-SUSP", by="D009"),
              f.drug_order(CODES["vitamin_b1"], order_id="O-URGENT", by="D009", urgent=True,
                           at=T + HOUR)]
    return _case("灰名单：医保支付资格暂停的医师开具医嘱（急诊抢救仅提示）",
                 f.visit(visit_id="V-GREY", orders=orders))


def second_line_one_signature() -> Case:
    """A second-line antibiotic signed by one 副主任医师 only (and the six vials it billed)."""
    order = f.drug_order(CODES["meropenem"], order_id="O-MERO", by="D002", name="注射用美罗培南")
    line = f.charge(CODES["meropenem"], unit_price="68.50", quantity=6, at=T + HOUR,
                    category=CAT.WESTERN_DRUG, name="注射用美罗培南", order_id="O-MERO",
                    ordering_practitioner_id="D002")
    return _case("二线药品仅一名副主任医师签字",
                 f.visit(visit_id="V-2ND", orders=[order], charges=[line]))


def mri_twice() -> Case:
    """MRI plain+enhanced ordered twice ten hours apart."""
    orders = [f.imaging_order(CODES["mri_plus"], order_id="O-MR1", body_part="头颅"),
              f.imaging_order(CODES["mri_plus"], order_id="O-MR2", body_part="腰椎",
                              at=T + 10 * HOUR)]
    return _case("MRI平扫+增强24小时内开具两次", f.visit(visit_id="V-MRI", orders=orders))


def duplicate_charge() -> Case:
    """Emergency monitoring and emergency consultation billed the same day."""
    charges = [f.charge(CODES["er_monitor"], unit_price="60", category=CAT.TREATMENT,
                        name="急诊监护费"),
               f.charge(CODES["er_consult"], unit_price="15", at=T + 2 * HOUR,
                        category=CAT.CONSULTATION, name="急诊诊查费")]
    visit = f.visit(visit_id="V-DUP", visit_type=VisitType.EMERGENCY, charges=charges)
    return _case("重复收费：急诊监护费已含急诊诊查费", visit)


def split_stay() -> Case:
    """Readmitted ten days after discharge with the same main diagnosis category."""
    patient = f.patient(patient_id="P-SPLIT")
    earlier = f.visit(visit_id="V-STAY1", patient=patient, admitted_at=T - timedelta(days=20),
                      discharged_at=T - timedelta(days=10),
                      diagnoses=[Diagnosis(code="I63.900", name="脑梗死", main=True)])
    current = f.visit(visit_id="V-STAY2", patient=patient, admitted_at=T,
                      discharged_at=T + timedelta(days=7),
                      diagnoses=[Diagnosis(code="I63.901", name="脑梗死", main=True)],
                      charges=[f.charge(CODES["bed"], unit_price="50", quantity=7,
                                        category=CAT.BED, name="床位费")])
    return _case("分解住院：出院10天后以同一主诊断类目再入院", current, history=(earlier,))


def price_cap() -> Case:
    """HbA1c billed above the level-3 cap in force on the service date."""
    line = f.charge(CODES["hba1c"], unit_price="75", category=CAT.LAB, name="糖化血红蛋白测定")
    return _case("超限价收费：三级医院限价60元", f.visit(visit_id="V-PRICE", charges=[line]))


def sex_and_age() -> Case:
    """A male adult billed a female-only exam and a children-only treatment."""
    charges = [f.charge(CODES["tv_ultrasound"], unit_price="90", category=CAT.EXAMINATION,
                        name="经阴道B超检查"),
               f.charge(CODES["child_massage"], unit_price="30", category=CAT.TREATMENT,
                        at=T + HOUR, name="小儿捏脊治疗")]
    visit = f.visit(visit_id="V-SEXAGE", visit_type=VisitType.OUTPATIENT,
                    patient=f.patient(patient_id="P-MALE", sex=Sex.MALE,
                                      birth_date=date(1980, 5, 1)), charges=charges)
    return _case("限性别/限年龄：成年男性计经阴道B超、小儿捏脊", visit)


def consumable_share() -> Case:
    """Consumables make half of the bill; the attending doctor is on the watch list."""
    charges = [f.charge(CODES["dressing"], unit_price="25", quantity=20, category=CAT.CONSUMABLE,
                        name="医用敷料"),
               f.charge(CODES["bed"], unit_price="50", quantity=10, at=T + HOUR,
                        category=CAT.BED, name="床位费")]
    visit = f.visit(visit_id="V-SHARE", attending_id="D004", charges=charges,
                    discharged_at=T + timedelta(days=10))
    return _case("耗材占比50%（黄灯；主管医师在观察名单，须填写理由）", visit)


def night_ct() -> Case:
    """A CT at 23:00 without the urgent flag: the example hospital plugin's rule."""
    order = f.imaging_order("002201000010000", order_id="O-CT", modality="CT", scope="plain",
                            at=T.replace(hour=23))
    return _case("本院插件（yibao-night-ct）：夜间CT无急诊标记", f.visit(visit_id="V-CT",
                                                                         orders=[order]))


CASES: tuple[Callable[[], Case], ...] = (
    green, implant_udi, teg_without_form, suspended_doctor, second_line_one_signature,
    mri_twice, duplicate_charge, split_stay, price_cap, sex_and_age, consumable_share, night_ct,
)
"""Case builders in the order the demo shows them."""


def build_cases() -> list[Case]:
    """Every demo case."""
    return [make() for make in CASES]
