"""Visits (就诊): outpatient, emergency or inpatient, with diagnoses and what happened so far."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Self

from pydantic import Field, model_validator

from yibao_sdk.models.base import LocalDateTime, YibaoModel
from yibao_sdk.models.charge import Charge
from yibao_sdk.models.order import Order
from yibao_sdk.models.patient import Patient
from yibao_sdk.models.record import Record

__all__ = ["Diagnosis", "Visit", "VisitType"]


class VisitType(StrEnum):
    """就诊类型 (med_mdtrt_type)."""

    OUTPATIENT = "outpatient"
    """门诊."""
    EMERGENCY = "emergency"
    """急诊."""
    INPATIENT = "inpatient"
    """住院."""


class Diagnosis(YibaoModel):
    """诊断 (ICD-10; 国临版 in the HIS, 医保版 on the settlement list)."""

    code: str = Field(min_length=1, max_length=20)
    """诊断代码 (dise_codg)."""
    name: str = Field(default="", max_length=200)
    """诊断名称."""
    main: bool = False
    """主诊断 (maindise_flag)."""


def _unique(kind: str, ids: list[str]) -> None:
    """Rules, netting and overrides key on these ids, so a repeated one would hide findings."""
    seen: set[str] = set()
    for ident in ids:
        if ident in seen:
            raise ValueError(f"{kind} {ident!r} occurs more than once in the visit")
        seen.add(ident)


class Visit(YibaoModel):
    """就诊: one encounter and everything recorded in it so far."""

    visit_id: str = Field(min_length=1, max_length=40)
    """就诊ID (mdtrt_id on the hospital side)."""
    patient: Patient
    """患者."""
    visit_type: VisitType
    """门诊/急诊/住院."""
    admitted_at: LocalDateTime
    """入院/挂号时间 (begntime)."""
    discharged_at: LocalDateTime | None = None
    """出院时间 (endtime); ``None`` while the stay goes on."""
    department: str = Field(default="", max_length=50)
    """科室."""
    attending_id: str = Field(default="", max_length=30)
    """主管医师工号."""
    diagnoses: tuple[Diagnosis, ...] = ()
    """诊断; at most one is main."""
    orders: tuple[Order, ...] = ()
    """医嘱."""
    charges: tuple[Charge, ...] = ()
    """费用明细."""
    records: tuple[Record, ...] = ()
    """病历文书."""

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.discharged_at is not None and self.discharged_at < self.admitted_at:
            raise ValueError("discharged_at is before admitted_at")
        if sum(1 for d in self.diagnoses if d.main) > 1:
            raise ValueError("more than one main diagnosis")
        for kind, ids in (
            ("order_id", [o.order_id for o in self.orders]),
            ("charge_id", [c.charge_id for c in self.charges]),
            ("record_id", [r.record_id for r in self.records]),
        ):
            _unique(kind, ids)
        return self

    @property
    def main_diagnosis(self) -> Diagnosis | None:
        """The main diagnosis, or the first one if none is flagged."""
        for diagnosis in self.diagnoses:
            if diagnosis.main:
                return diagnosis
        return self.diagnoses[0] if self.diagnoses else None

    @property
    def emergency(self) -> bool:
        """True for an emergency visit (急诊)."""
        return self.visit_type is VisitType.EMERGENCY

    @property
    def service_date(self) -> date:
        """The date a visit-level rule is dated by: discharge if known, else admission."""
        return (self.discharged_at or self.admitted_at).date()
