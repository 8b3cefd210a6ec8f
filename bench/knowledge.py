"""Synthetic knowledge for the benchmarks: catalogue, practitioners and their violations.

Codes follow the national formats (15-digit service items, ``X`` + 22 drug codes, ``C`` + 19
consumable codes) and include the built-in plugins' default codes, so every rule has work to do.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from yibao_sdk.codes import gs1_check_digit
from yibao_sdk.models import (
    AgeLimit,
    CatalogItem,
    ChargeCategory,
    HospitalLevel,
    Practitioner,
    PriceCap,
    ProfessionalTitle,
    Sex,
    Violation,
)
from yibao_sdk.testing import factories as f

__all__ = [
    "CONSULT_ER",
    "ECG",
    "ECG_MONITOR",
    "MONITOR_ER",
    "MRI",
    "TEG",
    "Knowledge",
    "build_knowledge",
    "udi_text",
]

MONITOR_ER = "001103000010000"
"""急诊监护费: main item of the default duplicate-charge pairs."""
CONSULT_ER = "001102000030000"
"""急诊诊查费: included in 急诊监护费 on the same day."""
ECG_MONITOR = "003107010080000"
"""心电监测."""
ECG = "003107010010000"
"""常规心电图检查."""
MRI = "002102000020000"
"""磁共振平扫+增强 (the MRI rule's default item code)."""
TEG = "002502030660000"
"""血栓弹力图 (TEG; the TEG rule's default item code)."""
FEMALE_ONLY = "002202020010000"
"""经阴道B超检查 (female only)."""
CHILD_ONLY = "004500000100000"
"""小儿捏脊治疗 (children only)."""

_SERVICE_CATEGORIES = (
    ChargeCategory.BED,
    ChargeCategory.CONSULTATION,
    ChargeCategory.EXAMINATION,
    ChargeCategory.LAB,
    ChargeCategory.TREATMENT,
    ChargeCategory.NURSING,
    ChargeCategory.SURGERY,
    ChargeCategory.GENERAL,
)
_SINCE = date(2025, 1, 1)


@dataclass(frozen=True, slots=True)
class Knowledge:
    """Everything the engine is loaded with, plus code pools the visit generator draws from."""

    catalog: tuple[CatalogItem, ...]
    named: tuple[CatalogItem, ...]
    """The plugins' default codes: billed only where the generator means to (never at random)."""
    practitioners: tuple[Practitioner, ...]
    violations: tuple[Violation, ...]
    services: tuple[CatalogItem, ...]
    """Service items drawn at random (the named ones excluded)."""
    drugs: tuple[CatalogItem, ...]
    second_line: tuple[CatalogItem, ...]
    consumables: tuple[CatalogItem, ...]
    implants: tuple[CatalogItem, ...]
    capped: tuple[CatalogItem, ...]
    doctors: tuple[str, ...]
    seniors: tuple[str, ...]

    def by_code(self, code: str) -> CatalogItem:
        """The named catalogue item with ``code`` (a KeyError means a bug in the generator)."""
        for item in self.named:
            if item.code == code:
                return item
        raise KeyError(code)


def _caps(base: Decimal) -> tuple[PriceCap, ...]:
    """Caps for all three levels, level 3 the dearest; the list price is ``base``."""
    return tuple(
        PriceCap(level=level, price=(base * factor).quantize(Decimal("0.01")), valid_from=_SINCE)
        for level, factor in (
            (HospitalLevel.LEVEL1, Decimal("1.00")),
            (HospitalLevel.LEVEL2, Decimal("1.10")),
            (HospitalLevel.LEVEL3, Decimal("1.25")),
        )
    )


def _price(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randint(low * 100, high * 100)) / 100


def _named_services() -> list[CatalogItem]:
    """The plugins' default codes, with the restrictions their rules look at."""
    teen = AgeLimit(maximum=14)
    return [
        f.catalog_item(MONITOR_ER, price_caps=_caps(Decimal(120))),
        f.catalog_item(CONSULT_ER, ChargeCategory.CONSULTATION, price_caps=_caps(Decimal(25))),
        f.catalog_item("001104000020000", ChargeCategory.NURSING, price_caps=_caps(Decimal(40))),
        f.catalog_item("003301000150000", price_caps=_caps(Decimal(60))),
        f.catalog_item(ECG_MONITOR, price_caps=_caps(Decimal(8))),
        f.catalog_item(ECG, ChargeCategory.EXAMINATION, price_caps=_caps(Decimal(20))),
        f.catalog_item(MRI, ChargeCategory.EXAMINATION, price_caps=_caps(Decimal(900))),
        f.catalog_item(TEG, ChargeCategory.LAB, price_caps=_caps(Decimal(200))),
        f.catalog_item(FEMALE_ONLY, ChargeCategory.EXAMINATION, sex=Sex.FEMALE,
                       price_caps=_caps(Decimal(80))),
        f.catalog_item(CHILD_ONLY, age=teen, price_caps=_caps(Decimal(30))),
    ]


def _services(rng: random.Random, count: int) -> list[CatalogItem]:
    items = []
    for n in range(count):
        category = _SERVICE_CATEGORIES[n % len(_SERVICE_CATEGORIES)]
        base = _price(rng, 5, 400)
        caps = _caps(base) if rng.random() < 0.7 else ()
        sex = (Sex.FEMALE, Sex.MALE)[n % 2] if n % 37 == 0 else None
        age = AgeLimit(maximum=17) if n % 41 == 0 else None
        items.append(f.catalog_item(f"00{n % 9 + 1}{n:012d}", category, price_caps=caps,
                                    sex=sex, age=age))
    return items


def _drugs(rng: random.Random, count: int) -> list[CatalogItem]:
    items = []
    for n in range(count):
        category = ChargeCategory.WESTERN_DRUG if n % 4 else ChargeCategory.PATENT_DRUG
        prefix = "X" if category is ChargeCategory.WESTERN_DRUG else "Z"
        code = f"{prefix}J01DDA{n:03d}A001010104{n:03d}"
        caps = _caps(_price(rng, 2, 300)) if n % 3 == 0 else ()
        items.append(f.catalog_item(code, category, second_line=n % 10 == 0, price_caps=caps,
                                    sex=Sex.FEMALE if n % 53 == 0 else None))
    return items


def _consumables(rng: random.Random, count: int) -> list[CatalogItem]:
    items = []
    for n in range(count):
        implant = n % 5 == 0
        caps = _caps(_price(rng, 1000, 9000) if implant else _price(rng, 1, 200))
        items.append(f.catalog_item(f"C030201001{n:010d}", ChargeCategory.CONSUMABLE,
                                    implant=implant, high_value=implant or n % 7 == 0,
                                    price_caps=caps))
    return items


def _people(rng: random.Random, count: int) -> tuple[list[Practitioner], list[Violation]]:
    titles = tuple(ProfessionalTitle)
    people = [f.practitioner(f"D{n:03d}", titles[n % len(titles)], name=f"医生{n}")
              for n in range(1, count + 1)]
    violations = []
    # A handful on the grey list: 3+ points = watch, 6+ restricted, 9+ suspended.
    for n, points in ((3, 3), (7, 4), (11, 6), (19, 9)):
        for half in (points // 2, points - points // 2):
            day = date(2026, 1, 1 + rng.randint(0, 27))
            violations.append(f.violation(f"D{n:03d}", half, on=day))
    return people, violations


def build_knowledge(seed: int = 20260302) -> Knowledge:
    """A catalogue of ~300 items, 40 practitioners and a few violations, all seeded."""
    rng = random.Random(seed)
    named = _named_services()
    services = _services(rng, 160)
    drugs = _drugs(rng, 90)
    consumables = _consumables(rng, 40)
    people, violations = _people(rng, 40)
    catalog = (*named, *services, *drugs, *consumables)
    senior = (ProfessionalTitle.CHIEF, ProfessionalTitle.ASSOCIATE_CHIEF)
    return Knowledge(
        catalog=catalog,
        named=tuple(named),
        practitioners=tuple(people),
        violations=tuple(violations),
        services=tuple(services),
        drugs=tuple(d for d in drugs if not d.second_line),
        second_line=tuple(d for d in drugs if d.second_line),
        consumables=tuple(c for c in consumables if not c.implant),
        implants=tuple(c for c in consumables if c.implant),
        capped=tuple(i for i in catalog if i.price_caps),
        doctors=tuple(p.practitioner_id for p in people),
        seniors=tuple(p.practitioner_id for p in people if p.title in senior),
    )


def udi_text(n: int) -> str:
    """A valid GS1 UDI (GTIN-14 with check digit, expiry, lot) with serial number ``n``."""
    body = f"0690{n % 1000:03d}{n % 997:06d}"
    gtin = f"{body}{gs1_check_digit(body)}"
    return f"(01){gtin}(17)281231(10)B{n % 50:04d}(21)SN{n:08d}"
