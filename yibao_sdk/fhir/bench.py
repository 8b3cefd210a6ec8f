"""FHIR throughput: a 20-entry transaction Bundle → core Visit (python -m yibao_sdk.fhir.bench)."""

from __future__ import annotations

import argparse
import time
from datetime import date, datetime, timedelta
from decimal import Decimal

from yibao_sdk.fhir.codec import dumps
from yibao_sdk.fhir.visit import bundle_from_visit, visit_from_bundle
from yibao_sdk.models import (
    Charge,
    ChargeCategory,
    Diagnosis,
    DrugOrder,
    LabOrder,
    LabReport,
    LabResult,
    Patient,
    Sex,
    Signature,
    Visit,
    VisitType,
)

__all__ = ["ENTRIES", "bundle_throughput", "run", "sample_bundle", "sample_visit"]

ENTRIES = 20
"""Entries in the benchmark bundle."""

_T0 = datetime(2026, 3, 2, 9, 0)


def sample_visit() -> Visit:
    """An inpatient visit whose Bundle has exactly :data:`ENTRIES` entries: patient, coverage,
    encounter, 2 conditions, 3 signed drug orders (+3 Provenance), a lab order, 6 charges and a
    lab report with one Observation."""
    patient = Patient(patient_id="P0001", name="张三", sex=Sex.MALE, birth_date=date(1980, 5, 1),
                      psn_no="44010000000000000001", insurance_type="310",
                      insured_region="440100")
    drugs = [DrugOrder(order_id=f"O{i}", ordered_at=_T0, practitioner_id="D001",
                       item_code=f"XA01{i:04d}", name=f"药品{i}", quantity=Decimal("2"),
                       dose="0.5g", frequency="bid", days=3,
                       signatures=(Signature(practitioner_id="D001", signed_at=_T0),))
             for i in range(3)]
    lab = LabOrder(order_id="L1", ordered_at=_T0, practitioner_id="D001", item_code="250101",
                   specimen="血清")
    charges = [Charge(charge_id=f"C{i}", item_code=f"0011020000{i:05d}", name=f"项目{i}",
                      category=ChargeCategory.TREATMENT, quantity=Decimal(i + 1),
                      unit_price=Decimal("12.345"), amount=Decimal("12.345") * (i + 1),
                      charged_at=_T0 + timedelta(hours=i), ordering_practitioner_id="D001",
                      order_id="O0")
               for i in range(6)]
    report = LabReport(record_id="R1", recorded_at=_T0 + timedelta(hours=8), order_id="L1",
                       results=(LabResult(code="GLU", name="葡萄糖", value="5.6",
                                          unit="mmol/L"),))
    return Visit(visit_id="V0001", patient=patient, visit_type=VisitType.INPATIENT,
                 admitted_at=_T0, department="内科", attending_id="D001",
                 diagnoses=(Diagnosis(code="E11.900", name="2型糖尿病", main=True),
                            Diagnosis(code="I10.x00", name="高血压")),
                 orders=(*drugs, lab), charges=tuple(charges), records=(report,))


def sample_bundle(version: str = "R5") -> str:
    """The benchmark Bundle as JSON text."""
    return dumps(bundle_from_visit(sample_visit(), version=version))


def bundle_throughput(n: int, *, version: str = "R5", validate: bool = True) -> float:
    """Bundles per second for ``n`` Bundle → Visit mappings of the 20-entry bundle (JSON text
    in; parse, fhir.resources validation when ``validate``, reference resolution, mapping)."""
    text = sample_bundle(version)
    visit_from_bundle(text, version=version, validate=validate)  # warm caches and imports
    start = time.perf_counter()
    for _ in range(n):
        visit_from_bundle(text, version=version, validate=validate)
    return n / (time.perf_counter() - start)


def _outbound(n: int, version: str) -> float:
    visit = sample_visit()
    dumps(bundle_from_visit(visit, version=version))
    start = time.perf_counter()
    for _ in range(n):
        dumps(bundle_from_visit(visit, version=version))
    return n / (time.perf_counter() - start)


def run(n: int = 200) -> dict[str, float]:
    """Every figure, in bundles per second, keyed for ``bench/RESULTS.md``."""
    return {
        "fhir_r5_bundle_to_visit_per_s": bundle_throughput(n),
        "fhir_r5_bundle_to_visit_unvalidated_per_s": bundle_throughput(n, validate=False),
        "fhir_r4b_bundle_to_visit_per_s": bundle_throughput(n, version="R4B"),
        "fhir_r5_visit_to_bundle_per_s": _outbound(n, "R5"),
    }


def main() -> None:
    """Print :func:`run`'s figures."""
    parser = argparse.ArgumentParser(prog="python -m yibao_sdk.fhir.bench", description=__doc__)
    parser.add_argument("-n", type=int, default=200, help="bundles per figure")
    for name, value in run(parser.parse_args().n).items():
        print(f"{name:45s} {value:10.1f}")


if __name__ == "__main__":
    main()
