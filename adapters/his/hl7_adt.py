"""ADT^A01/A03/A04/A08 → patient and visit (入院/出院/挂号/更新), and what every HIS message shares.

=================  ==========================================================================
core               HL7 v2 (first non-empty wins)
=================  ==========================================================================
patient            PID (see :func:`yibao_sdk.hl7v2.fields.read_patient`): PID-3 of type MR,
                   else PI, else the first id that is not an ID card, else PID-2; PID-5 legal
                   name; PID-7 birth date as written; PID-8 sex; ID card from PID-3 of type
                   NNCHN/ID, else PID-19 (never logged)
visit_id           ``HisOptions.visit_id_paths``: PV1-19.1 visit number, else PID-18.1
visit_type         A01: inpatient; others: PV1-2 through ``HisOptions.patient_classes``
admitted_at        PV1-44; A01/A04 only: else EVN-6, else EVN-2 (the event is the admission)
discharged_at      PV1-45; A03 only: else EVN-6, else EVN-2 (the event is the discharge)
department         PV1-3.1 point of care (科室/病区), else PV1-10 hospital service
attending_id       PV1-7.1
diagnoses          DG1-3.1 code, DG1-3.2 else DG1-4 name; main: DG1-15 = 1 or DG1-6 in
                   ``HisOptions.main_diagnosis_types`` (the first such only)
=================  ==========================================================================
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from yibao_sdk.hl7v2.fields import (
    MISSING,
    UNKNOWN,
    build,
    coded,
    fail,
    first_of,
    read_patient,
    required,
    text,
    timestamp,
)
from yibao_sdk.hl7v2.mapped import ItemResolver, Mapped
from yibao_sdk.hl7v2.message import Message
from yibao_sdk.hl7v2.segment import Segment
from yibao_sdk.models import Diagnosis, Patient, Visit, VisitType

if TYPE_CHECKING:
    from .hl7 import HisOptions

__all__ = ["map_adt", "patient_of", "visit_id_of"]


def patient_of(message: Message, options: HisOptions) -> Patient | None:
    """The patient of the message's PID, ``None`` when it has none."""
    pid = message.segment("PID")
    if pid is None:
        return None
    return read_patient(pid, id_types=options.patient_id_types,
                        id_card_types=options.id_card_types)


def visit_id_of(message: Message, options: HisOptions) -> str:
    """The visit number (就诊号) by ``options.visit_id_paths``; raises naming the first path."""
    return first_of(message, options.visit_id_paths, "visit number")


def map_adt(message: Message, trigger: str, options: HisOptions,
            resolve: ItemResolver | None = None) -> Mapped:
    """Patient and visit of an ADT^A01/A03/A04/A08 message."""
    pv1 = required(message, "PV1")
    patient = read_patient(required(message, "PID"), id_types=options.patient_id_types,
                           id_card_types=options.id_card_types)
    visit_id = visit_id_of(message, options)
    admitted, discharged = _times(message, pv1, trigger)
    data = {
        "visit_id": visit_id, "patient": patient, "visit_type": _visit_type(pv1, trigger, options),
        "admitted_at": admitted, "discharged_at": discharged,
        "department": text(pv1, 3) or text(pv1, 10), "attending_id": text(pv1, 7),
        "diagnoses": _diagnoses(message, options),
    }
    visit = build(Visit, data, pv1, {
        "visit_id": (pv1, 19), "admitted_at": (pv1, 44), "discharged_at": (pv1, 45),
        "department": (pv1, 3), "attending_id": (pv1, 7)})
    code, _, _ = message.message_type
    return Mapped(source=options.source, message_type=f"{code}^{trigger}",
                  control_id=message.control_id, visit_id=visit_id, patient=patient, visit=visit)


def _visit_type(pv1: Segment, trigger: str, options: HisOptions) -> VisitType:
    if trigger == "A01":
        return VisitType.INPATIENT
    cls = text(pv1, 2).upper()
    found = options.patient_classes.get(cls)
    if found is None:
        fail(pv1, 2, f"unknown patient class {cls!r}" if cls else "patient class is missing",
             UNKNOWN if cls else MISSING)
    return found


def _event_time(message: Message) -> datetime | None:
    evn = message.segment("EVN")
    return timestamp(evn, 6, "event occurred") or timestamp(evn, 2, "recorded date/time")


def _times(message: Message, pv1: Segment,
           trigger: str) -> tuple[datetime, datetime | None]:
    admitted = timestamp(pv1, 44, "admit date/time")
    if admitted is None and trigger in ("A01", "A04"):
        admitted = _event_time(message)
    if admitted is None:
        fail(pv1, 44, "admit date/time is missing", MISSING)
    discharged = timestamp(pv1, 45, "discharge date/time")
    if discharged is None and trigger == "A03":
        discharged = _event_time(message)
        if discharged is None:
            fail(pv1, 45, "discharge date/time is missing", MISSING)
    if discharged is not None and discharged < admitted:
        fail(pv1, 45, "discharge date/time is before the admit date/time (PV1-44)")
    return admitted, discharged


def _diagnoses(message: Message, options: HisOptions) -> tuple[Diagnosis, ...]:
    out: list[Diagnosis] = []
    for dg1 in message.all("DG1"):
        code = coded(dg1, 3)
        if not code.code:
            fail(dg1, 3, "diagnosis code is missing", MISSING)
        main = text(dg1, 15) == "1" or text(dg1, 6).upper() in options.main_diagnosis_types
        data = {"code": code.code, "name": code.text or text(dg1, 4),
                "main": main and not any(d.main for d in out)}
        out.append(build(Diagnosis, data, dg1, {"code": (dg1, 3), "name": (dg1, 3)}))
    return tuple(out)
