"""Seeded synthetic visits as plain dicts (what an adapter hands to ``Visit.model_validate``).

Mostly clean traffic with a few findings per visit: lines priced at or under their cap, a small
share over it; emergency monitoring billed with the consultation it includes; an implant line
now and then without its UDI; TEG without a pre-op form; repeated MRI; refunds.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from bench.knowledge import CONSULT_ER, MONITOR_ER, MRI, TEG, Knowledge, udi_text
from yibao_sdk.models import CatalogItem, ChargeCategory, HospitalLevel, Sex, VisitType
from yibao_sdk.models.patient import age_on

__all__ = ["PATIENTS", "Dict", "history_dicts", "patient_dict", "visit_dict", "visit_dicts"]

Dict = dict[str, Any]
PATIENTS = 500
"""Size of the patient pool visits are drawn from."""

_START = datetime(2026, 1, 5, 8, 0)
_DIAGNOSES = ("I10.x00", "J18.900", "K80.100", "M17.100", "S72.000", "C34.900", "E11.900",
              "N18.500", "I63.900", "Z51.100")
_MIX: tuple[tuple[ChargeCategory | str, int], ...] = (
    (ChargeCategory.NURSING, 8), (ChargeCategory.CONSULTATION, 6), (ChargeCategory.LAB, 14),
    (ChargeCategory.EXAMINATION, 8), (ChargeCategory.TREATMENT, 12), ("drug", 36),
    (ChargeCategory.CONSUMABLE, 10), (ChargeCategory.GENERAL, 6),
)
_LEVEL = HospitalLevel.LEVEL3
_CENT = Decimal("0.01")


def patient_dict(n: int) -> Dict:
    """Patient ``n`` of the pool: alternating sex, ages from newborn to 90."""
    rng = random.Random(n)
    born = date(1936, 1, 1) + timedelta(days=rng.randint(0, 90 * 365))
    return {"patient_id": f"P{n:05d}", "name": f"患者{n}", "birth_date": born,
            "sex": Sex.MALE if n % 2 else Sex.FEMALE}


class _Builder:
    """Builds one visit dict; ``rng`` is seeded by the visit index, so output is chunk-proof."""

    def __init__(self, k: Knowledge, rng: random.Random, visit_id: str, patient: Dict) -> None:
        self.k, self.rng, self.visit_id, self.patient = k, rng, visit_id, patient
        self.charges: list[Dict] = []
        self.orders: list[Dict] = []
        self.records: list[Dict] = []
        self.serial = 0
        self.serial_base = int(visit_id[1:]) * 10  # UDI serials unique across all visits

    def pick(self, pool: tuple[CatalogItem, ...], at: datetime) -> CatalogItem:
        """An item of ``pool``; one restricted to another sex or age only 3 % of the time."""
        item = pool[self.rng.randrange(len(pool))]
        while not self.fits(item, at) and self.rng.random() < 0.97:
            item = pool[self.rng.randrange(len(pool))]
        return item

    def fits(self, item: CatalogItem, at: datetime) -> bool:
        if item.sex is not None and item.sex != self.patient["sex"]:
            return False
        return item.age is None or item.age.allows(age_on(self.patient["birth_date"], at.date()))

    def price(self, item: CatalogItem) -> Decimal:
        cap = item.cap_for(_LEVEL, _START.date())
        if cap is None:
            return Decimal(self.rng.randint(100, 30000)) / 100
        if self.rng.random() < 0.005:  # over the cap: a price-cap finding
            return (cap.price * Decimal("1.2")).quantize(_CENT)
        if self.rng.random() < 0.6:
            return cap.price
        return (cap.price * Decimal("0.9")).quantize(_CENT)

    def doctor(self) -> str:
        return self.k.doctors[self.rng.randrange(len(self.k.doctors))]

    def charge(self, item: CatalogItem, at: datetime, **extra: Any) -> Dict:
        qty = Decimal(extra.pop("quantity", self.rng.choice((1, 1, 1, 2, 3))))
        price = extra.pop("unit_price", None) or self.price(item)
        line = {"charge_id": f"{self.visit_id}-C{len(self.charges) + 1:03d}",
                "item_code": item.code, "name": item.name, "category": item.category,
                "quantity": qty, "unit_price": price, "amount": qty * price, "charged_at": at,
                "ordering_practitioner_id": extra.pop("doctor", None) or self.doctor(), **extra}
        self.charges.append(line)
        return line

    def order(self, kind: str, item: CatalogItem, at: datetime, by: str, **extra: Any) -> str:
        order_id = f"{self.visit_id}-O{len(self.orders) + 1:03d}"
        signers = (by, *extra.pop("cosigners", ()))
        sigs = [{"practitioner_id": p, "signed_at": at} for p in signers]
        self.orders.append({"kind": kind, "order_id": order_id, "ordered_at": at,
                            "practitioner_id": by, "item_code": item.code,
                            "signatures": sigs, **extra})
        return order_id

    def drug(self, at: datetime) -> None:
        second = self.rng.random() < 0.08
        item = self.pick(self.k.second_line if second else self.k.drugs, at)
        by = self.doctor()
        seniors = self.rng.sample(self.k.seniors, 2)
        cosigners = seniors if second and self.rng.random() < 0.95 else ()  # 5 %: one signature
        oid = self.order("drug", item, at, by, cosigners=cosigners, frequency="bid")
        self.charge(item, at + timedelta(minutes=30), doctor=by, order_id=oid)

    def implant(self, at: datetime) -> None:
        item = self.pick(self.k.implants, at)
        by = self.doctor()
        oid = self.order("consumable", item, at - timedelta(hours=2), by)
        udi = udi_text(self.serial_base + self.serial)
        self.serial += 1
        scanned = (udi,) if self.rng.random() < 0.9 else ()  # 10 %: UDI missing on the line
        self.charge(item, at, quantity=1, doctor=by, order_id=oid, udis=scanned)
        implant = {"name": item.name, "udi": udi, "charge_code": item.code,
                   "barcode": f"B{self.serial_base + self.serial}"}
        self.records.append({"kind": "surgery", "record_id": self.record_id(), "recorded_at": at,
                             "surgeon_id": by, "author_id": by, "implants": [implant]})

    def form(self, at: datetime) -> None:
        self.records.append({"kind": "form", "record_id": self.record_id(), "recorded_at": at,
                             "form_type": "preop_assessment"})

    def record_id(self) -> str:
        return f"{self.visit_id}-R{len(self.records) + 1}"

    def mri(self, at: datetime, repeat: bool) -> None:
        item = self.k.by_code(MRI)
        by = self.doctor()
        for hours in (0, 20) if repeat else (0,):
            when = at + timedelta(hours=hours)
            oid = self.order("imaging", item, when, by, modality="MR", scope="plain+enhanced")
            self.charge(item, when + timedelta(hours=1), quantity=1, doctor=by, order_id=oid)

    def line(self, at: datetime) -> None:
        kind = self.rng.choices([c for c, _ in _MIX], [w for _, w in _MIX])[0]
        if kind == "drug":
            self.drug(at)
            return
        pool = self.k.consumables if kind is ChargeCategory.CONSUMABLE else tuple(
            s for s in self.k.services if s.category is kind)
        self.charge(self.pick(pool, at), at)


def _type(rng: random.Random) -> VisitType:
    roll = rng.random()
    if roll < 0.75:
        return VisitType.INPATIENT
    return VisitType.EMERGENCY if roll < 0.87 else VisitType.OUTPATIENT


def _specials(b: _Builder, vtype: VisitType, admitted: datetime, rich: bool) -> None:
    """The lines that give the rules something to find (or to clear); all of them if ``rich``."""
    rng = b.rng
    if vtype is VisitType.EMERGENCY and rng.random() < 0.3:
        b.charge(b.k.by_code(MONITOR_ER), admitted + timedelta(minutes=20), quantity=1)
        b.charge(b.k.by_code(CONSULT_ER), admitted + timedelta(hours=2), quantity=1)
    if rich or (vtype is VisitType.INPATIENT and rng.random() < 0.3):
        surgery = admitted + timedelta(days=1, hours=2)
        if rich or rng.random() < 0.9:
            b.form(surgery - timedelta(hours=18))
        b.implant(surgery)
        if rich or rng.random() < 0.5:
            b.charge(b.k.by_code(TEG), surgery - timedelta(hours=12), quantity=1)
    if rich or rng.random() < 0.1:
        b.mri(admitted + timedelta(hours=5), repeat=rng.random() < 0.2)


def _refund(b: _Builder) -> None:
    """Refund (退费) an earlier line in full."""
    line = b.charges[b.rng.randrange(len(b.charges))]
    qty = -line["quantity"]
    at = line["charged_at"] + timedelta(hours=1)
    b.charges.append({**line, "charge_id": f"{b.visit_id}-C{len(b.charges) + 1:03d}",
                      "quantity": qty, "amount": qty * line["unit_price"], "charged_at": at,
                      "order_id": None})


def visit_dict(k: Knowledge, index: int, *, lines: int | None = None, seed: int = 1) -> Dict:
    """Synthetic visit ``index``: 20–40 charge lines across the categories.

    With ``lines``: an inpatient stay of exactly that many lines that has every special line
    (pre-op form, surgery with an implant, TEG, MRI), for the per-order latency run.
    """
    rng = random.Random(seed * 1_000_003 + index)
    vid = f"V{index:07d}"
    b = _Builder(k, rng, vid, patient_dict(rng.randrange(PATIENTS)))
    vtype = VisitType.INPATIENT if lines is not None else _type(rng)
    admitted = _START + timedelta(days=index % 170, minutes=rng.randint(0, 600))
    stay = rng.randint(2, 9) if vtype is VisitType.INPATIENT else 0
    _specials(b, vtype, admitted, rich=lines is not None)
    target = lines if lines is not None else rng.randint(20, 40)
    while len(b.charges) < target - 1:
        day = rng.randint(0, stay)
        b.line(admitted + timedelta(days=day, minutes=rng.randint(30, 600)))
    if rng.random() < 0.3:
        _refund(b)
    while len(b.charges) < target:
        b.line(admitted + timedelta(minutes=rng.randint(30, 600)))
    dx = rng.choice(_DIAGNOSES)
    return {
        "visit_id": vid,
        "patient": b.patient,
        "visit_type": vtype,
        "admitted_at": admitted,
        "discharged_at": admitted + timedelta(days=stay, hours=4),
        "department": "骨科" if b.records else "内科",
        "attending_id": b.doctor(),
        "diagnoses": [{"code": dx, "main": True}],
        "orders": b.orders,
        "charges": b.charges[:target],
        "records": b.records,
    }


def visit_dicts(k: Knowledge, start: int, count: int, *, seed: int = 1) -> Iterator[Dict]:
    """Visits ``start`` … ``start + count - 1``."""
    for index in range(start, start + count):
        yield visit_dict(k, index, seed=seed)


def history_dicts(k: Knowledge, *, seed: int = 7) -> Iterator[Dict]:
    """Two earlier inpatient stays for every third patient, spread over the visits' months."""
    rng = random.Random(seed)
    for n in range(0, PATIENTS * 2, 3):
        admitted = _START + timedelta(days=rng.randint(-40, 170), hours=rng.randint(0, 12))
        b = _Builder(k, rng, f"H{n:06d}", patient_dict(n % PATIENTS))
        for _ in range(6):
            b.line(admitted + timedelta(hours=rng.randint(1, 72)))
        b.serial_base = 10_000_000 + n * 10
        b.implant(admitted + timedelta(days=1))
        yield {"visit_id": b.visit_id, "patient": b.patient,
               "visit_type": VisitType.INPATIENT, "admitted_at": admitted,
               "discharged_at": admitted + timedelta(days=4),
               "diagnoses": [{"code": rng.choice(_DIAGNOSES), "main": True}],
               "orders": b.orders, "charges": b.charges, "records": b.records}
