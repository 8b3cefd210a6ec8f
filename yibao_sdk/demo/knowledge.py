"""The demo hospital's knowledge: catalogue items and practitioners (with violation points)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from yibao_sdk.models import (
    AgeLimit,
    ChargeCategory,
    HospitalLevel,
    PriceCap,
    ProfessionalTitle,
    Sex,
)
from yibao_sdk.models.practitioner import Practitioner, Violation
from yibao_sdk.testing import factories as f

__all__ = ["CATALOG", "CODES", "HOSPITAL_CODES", "PRACTITIONERS", "VIOLATIONS"]

CODES = {
    "vitamin_b1": "XA11DAW036A001010104127",
    "meropenem": "XJ01DHM061B002010100123",
    "implant": "C0302010010000100001",
    "teg": "002502030660000",
    "mri_plus": "002102000020000",
    "er_monitor": "001103000010000",
    "er_consult": "001102000030000",
    "hba1c": "002503020030000",
    "tv_ultrasound": "002202020010000",
    "child_massage": "004500000100000",
    "consult": "001102000010000",
    "bed": "001109000010000",
    "dressing": "C1401010020000200002",
}
"""National codes the demo visits bill (names in :data:`CATALOG`)."""

HOSPITAL_CODES = {"LIS-TEG01": CODES["teg"], "HIS-HL001": "001105000010000"}
"""Hospital item codes in the HL7 samples (``demo/hl7``) → national codes, answered through
``yibao_resolve_item_code``."""

CATALOG = (
    f.catalog_item(CODES["vitamin_b1"], ChargeCategory.WESTERN_DRUG, name="维生素B1片"),
    f.catalog_item(CODES["meropenem"], ChargeCategory.WESTERN_DRUG, name="注射用美罗培南",
                   second_line=True),
    f.catalog_item(CODES["implant"], ChargeCategory.CONSUMABLE, name="锁定接骨板",
                   implant=True, high_value=True),
    f.catalog_item(CODES["teg"], ChargeCategory.LAB, name="血栓弹力图试验"),
    f.catalog_item(CODES["hba1c"], ChargeCategory.LAB, name="糖化血红蛋白测定",
                   price_caps=(PriceCap(level=HospitalLevel.LEVEL3, price=Decimal("60.00"),
                                        valid_from=date(2026, 1, 1)),)),
    f.catalog_item(CODES["tv_ultrasound"], ChargeCategory.EXAMINATION, name="经阴道B超检查",
                   sex=Sex.FEMALE),
    f.catalog_item(CODES["child_massage"], ChargeCategory.TREATMENT, name="小儿捏脊治疗",
                   age=AgeLimit(maximum=14)),
    f.catalog_item(CODES["dressing"], ChargeCategory.CONSUMABLE, name="医用敷料"),
)
"""The 医保 catalogue excerpt the demo rules look up."""

PRACTITIONERS: tuple[Practitioner, ...] = (
    f.practitioner("D001", ProfessionalTitle.ATTENDING, name="李主治"),
    f.practitioner("D002", ProfessionalTitle.ASSOCIATE_CHIEF, name="王副主任"),
    f.practitioner("D003", ProfessionalTitle.CHIEF, name="赵主任"),
    f.practitioner("D004", ProfessionalTitle.ATTENDING, name="陈观察"),
    f.practitioner("D009", ProfessionalTitle.RESIDENT, name="周暂停"),
)
"""Staff: D004 is on the watch list (3 points), D009 suspended (9 points) this year."""

VIOLATIONS: tuple[Violation, ...] = (
    f.violation("D004", 3, date(2026, 1, 20)),
    f.violation("D009", 6, date(2026, 1, 10)),
    f.violation("D009", 3, date(2026, 2, 3)),
    f.violation("D009", 9, date(2025, 11, 3)),  # last year's points no longer count
)
"""Confirmed violations (医保医师记分)."""
