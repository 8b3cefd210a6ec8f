"""Terse builders of core objects and engines, for rule tests (ours and plugin authors')."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from yibao_sdk.models import (
    CatalogItem,
    Charge,
    ChargeCategory,
    DrugOrder,
    FormRecord,
    Hospital,
    HospitalLevel,
    ImagingOrder,
    Implant,
    Patient,
    Practitioner,
    ProfessionalTitle,
    Settlement,
    Sex,
    Signature,
    SurgeryRecord,
    Violation,
    Visit,
    VisitType,
)
from yibao_sdk.rules.config import EngineConfig, config_from_dict
from yibao_sdk.rules.engine import AuditSink, Engine
from yibao_sdk.rules.stores import Catalog, InMemoryHistory, Practitioners

__all__ = [
    "T0",
    "catalog_item",
    "charge",
    "drug_order",
    "engine",
    "form",
    "hospital",
    "imaging_order",
    "implant",
    "patient",
    "practitioner",
    "settlement",
    "signature",
    "surgery",
    "violation",
    "visit",
]

T0 = datetime(2026, 3, 2, 9, 0)
"""Default service time: Monday 2 March 2026, 09:00."""

_ids = itertools.count(1)


def _next(prefix: str) -> str:
    return f"{prefix}{next(_ids):05d}"


def hospital(level: str | HospitalLevel = HospitalLevel.LEVEL3, **kw: Any) -> Hospital:
    """A hospital of ``level`` (default level 3)."""
    data = {"code": "H44010600001", "name": "示例医院", "level": HospitalLevel(level), **kw}
    return Hospital.model_validate(data)


def patient(**kw: Any) -> Patient:
    """A 40-year-old male patient unless told otherwise (``sex=Sex.FEMALE``, ``birth_date``)."""
    data = {"patient_id": "P0001", "name": "张三", "sex": Sex.MALE, "birth_date": date(1986, 1, 1)}
    return Patient.model_validate({**data, **kw})


def visit(*, orders: Iterable[Any] = (), charges: Iterable[Charge] = (),
          records: Iterable[Any] = (), **kw: Any) -> Visit:
    """An inpatient visit admitted at :data:`T0` unless told otherwise."""
    data: dict[str, Any] = {
        "visit_id": kw.pop("visit_id", None) or _next("V"),
        "patient": kw.pop("patient", None) or patient(),
        "visit_type": VisitType.INPATIENT,
        "admitted_at": T0,
        "department": "骨科",
    }
    data.update(kw)
    return Visit(**data, orders=tuple(orders), charges=tuple(charges), records=tuple(records))


def charge(item_code: str = "001102000030000", *, unit_price: Decimal | str | int = "10",
           quantity: Decimal | str | int = 1, at: datetime = T0,
           category: ChargeCategory = ChargeCategory.TREATMENT, **kw: Any) -> Charge:
    """A charge line; ``amount`` is computed from ``quantity`` × ``unit_price``."""
    qty, price = Decimal(str(quantity)), Decimal(str(unit_price))
    data = {"charge_id": kw.pop("charge_id", None) or _next("C"), "item_code": item_code,
            "category": category, "quantity": qty, "unit_price": price,
            "amount": qty * price, "charged_at": at, "ordering_practitioner_id": "D001"}
    return Charge.model_validate({**data, **kw})


def drug_order(item_code: str = "XA11DAW036A001010104127", *, at: datetime = T0,
               by: str = "D001", cosigners: Iterable[str] = (), **kw: Any) -> DrugOrder:
    """A drug order by ``by``, signed by ``by`` and each of ``cosigners``."""
    sigs = tuple(signature(p, at) for p in (by, *cosigners))
    data = {"order_id": kw.pop("order_id", None) or _next("O"), "ordered_at": at,
            "practitioner_id": by, "item_code": item_code, "signatures": sigs}
    return DrugOrder.model_validate({**data, **kw})


def imaging_order(item_code: str = "002203000010000", *, at: datetime = T0, by: str = "D001",
                  modality: str = "MR", scope: str = "plain+enhanced", **kw: Any) -> ImagingOrder:
    """An imaging order (MRI plain+enhanced by default)."""
    data = {"order_id": kw.pop("order_id", None) or _next("O"), "ordered_at": at,
            "practitioner_id": by, "item_code": item_code, "modality": modality, "scope": scope,
            "signatures": (signature(by, at),)}
    return ImagingOrder.model_validate({**data, **kw})


def settlement(visit_: Visit, *, at: datetime | None = None, pre: bool = False,
               **kw: Any) -> Settlement:
    """A (pre-)settlement of all of ``visit_``'s charges, at discharge or admission time."""
    when = at or visit_.discharged_at or visit_.admitted_at
    total = sum((c.amount for c in visit_.charges), Decimal(0))
    data = {"settlement_id": kw.pop("settlement_id", None) or _next("S"),
            "visit_id": visit_.visit_id, "requested_at": when, "total": total,
            "pre_settlement": pre}
    return Settlement.model_validate({**data, **kw})


def signature(practitioner_id: str, at: datetime = T0) -> Signature:
    """A signature by ``practitioner_id`` at ``at``."""
    return Signature(practitioner_id=practitioner_id, signed_at=at)


def implant(udi: str | None = "(01)06901234567892(17)271231(10)B2401(21)SN0001",
            *, charge_code: str | None = "C0302010010000100001", **kw: Any) -> Implant:
    """An implant with a valid GS1 UDI unless told otherwise."""
    data = {"name": "骨科植入物", "udi": udi, "barcode": "B0001", "charge_code": charge_code}
    return Implant.model_validate({**data, **kw})


def surgery(*implants: Implant, at: datetime = T0, **kw: Any) -> SurgeryRecord:
    """A surgery record dated ``at`` with ``implants``."""
    data = {"record_id": kw.pop("record_id", None) or _next("R"), "recorded_at": at,
            "surgeon_id": "D001", "implants": implants}
    return SurgeryRecord.model_validate({**data, **kw})


def form(form_type: str = "preop_assessment", *, at: datetime = T0, **kw: Any) -> FormRecord:
    """A form record (the pre-op assessment by default)."""
    data = {"record_id": kw.pop("record_id", None) or _next("R"), "recorded_at": at,
            "form_type": form_type}
    return FormRecord.model_validate({**data, **kw})


def practitioner(practitioner_id: str = "D001",
                 title: ProfessionalTitle = ProfessionalTitle.ATTENDING, **kw: Any) -> Practitioner:
    """A practitioner (主治医师 by default)."""
    data = {"practitioner_id": practitioner_id, "name": "李医生", "title": title}
    return Practitioner.model_validate({**data, **kw})


def violation(practitioner_id: str = "D001", points: int = 3,
              on: date = date(2026, 1, 15), **kw: Any) -> Violation:
    """A confirmed violation scoring ``points``."""
    data = {"practitioner_id": practitioner_id, "occurred_on": on, "points": points}
    return Violation.model_validate({**data, **kw})


def catalog_item(code: str, category: ChargeCategory = ChargeCategory.TREATMENT,
                 **kw: Any) -> CatalogItem:
    """A catalogue item."""
    return CatalogItem.model_validate({"code": code, "category": category, "name": code, **kw})


def engine(*plugins: object | str, catalog: Iterable[CatalogItem] = (),
           practitioners: Iterable[Practitioner] = (), violations: Iterable[Violation] = (),
           history: Iterable[Visit] = (), rules: Mapping[str, Mapping[str, Any]] | None = None,
           level: str | HospitalLevel = HospitalLevel.LEVEL3, clock: datetime = T0,
           audit_log: AuditSink | None = None) -> Engine:
    """An engine with only ``plugins`` (default: all built-ins) and the given knowledge.

    :param rules: per-rule configuration as in the TOML ``[rules.<id>]`` tables.
    """
    config: EngineConfig = config_from_dict(
        {"rules": dict(rules or {})}, source="<test config>", base=Path(".")
    )
    return Engine(
        hospital=hospital(level),
        config=config,
        catalog=Catalog(catalog),
        practitioners=Practitioners(practitioners, violations),
        history=InMemoryHistory(history),
        plugins=plugins or None,
        entry_points=False,
        clock=lambda: clock,
        audit_log=audit_log,
    )
