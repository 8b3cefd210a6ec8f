"""The FHIR layer's public surface, its import boundary, its options and its benchmark."""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path

import fhir.resources
import pytest
from fhir.resources.chargeitem import ChargeItem

import yibao_sdk.fhir
from yibao_sdk.adapters.lis.fhir import form_from_fhir
from yibao_sdk.fhir import (
    DEFAULT_MAPPINGS,
    FhirError,
    FhirOptions,
    bundle_from_visit,
    part_from_fhir,
    part_to_bundle,
    visit_from_bundle,
)
from yibao_sdk.fhir import systems as fs
from yibao_sdk.fhir.bench import ENTRIES, bundle_throughput, run, sample_bundle
from yibao_sdk.fhir.bundle import BundleIndex
from yibao_sdk.fhir.node import Node
from yibao_sdk.fhir.version import model_class
from yibao_sdk.testing import factories as f

ROOT = Path(__file__).resolve().parents[2]
_IMPORT = re.compile(r"^\s*(?:from|import)\s+(fhir\.resources|fhir_core|fhir)\b", re.M)


def _isort_key(name: str) -> tuple[int, list[int | str]]:
    group = 0 if name.isupper() else 1 if name[:1].isupper() else 2
    return group, [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name)]


def test_all_is_sorted_and_importable() -> None:
    names = list(yibao_sdk.fhir.__all__)
    assert names == sorted(names, key=_isort_key)
    assert all(hasattr(yibao_sdk.fhir, name) for name in names)


def test_fhir_resources_is_imported_only_in_the_fhir_modules() -> None:
    allowed = {ROOT / "yibao_sdk" / "fhir"}
    offenders = []
    for top in ("yibao_sdk", "plugins", "adapters", "bench"):
        for path in (ROOT / top).rglob("*.py"):
            inside = path.parent in allowed or path.name == "fhir.py"
            if not inside and _IMPORT.search(path.read_text(encoding="utf-8")):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_installed_fhir_resources_offers_r5_and_r4b() -> None:
    assert int(fhir.resources.__version__.split(".")[0]) >= 8
    assert model_class("ChargeItem", "R5").__module__ == "fhir.resources.chargeitem"
    assert model_class("ChargeItem", "R4B").__module__ == "fhir.resources.R4B.chargeitem"
    with pytest.raises(FhirError):
        model_class("Identifier", "R5")  # a datatype, not a resource


@pytest.mark.parametrize("name", DEFAULT_MAPPINGS)
def test_default_mappings_offer_the_protocol(name: str) -> None:
    module = importlib.import_module(name)
    assert callable(module.read_resource) and callable(module.write_part)


def test_mappings_are_pluggable() -> None:
    visit = f.visit(orders=(f.drug_order(),), charges=(f.charge(),))
    bundle = bundle_from_visit(visit)
    lis_only = [importlib.import_module("yibao_sdk.adapters.lis.fhir")]
    mapped = visit_from_bundle(bundle, mappings=lis_only)
    assert mapped.orders == () and mapped.charges == ()  # no mapping claimed them
    with pytest.raises(FhirError) as caught:
        bundle_from_visit(visit, mappings=lis_only)
    assert caught.value.issues[0].code == "not-supported"


def test_nothing_maps_from_an_organization() -> None:
    with pytest.raises(FhirError) as caught:
        part_from_fhir({"resourceType": "Organization", "name": "某医院"})
    assert caught.value.issues[0].code == "not-supported"


def test_questionnaire_to_form_type_is_configurable() -> None:
    options = FhirOptions(questionnaires={"https://his.example.cn/Questionnaire/teg-v2":
                                          "preop_assessment"})
    form = f.form(record_id="R1")
    bundle = part_to_bundle(form, patient_id="P", visit_id="V", options=options)
    resource = bundle["entry"][0]["resource"]
    assert resource["questionnaire"] == "https://his.example.cn/Questionnaire/teg-v2"
    assert form_from_fhir(resource, options=options) == form
    resource["questionnaire"] += "|2.1"  # versioned canonicals map the same
    assert form_from_fhir(resource, options=options).form_type == "preop_assessment"
    default = part_to_bundle(form, patient_id="P", visit_id="V")["entry"][0]["resource"]
    assert default["questionnaire"] == fs.Q_TEG_PREOP


def test_bench_bundle_has_twenty_entries_and_runs() -> None:
    assert len(json.loads(sample_bundle())["entry"]) == ENTRIES == 20
    assert len(json.loads(sample_bundle("R4B"))["entry"]) == ENTRIES
    assert bundle_throughput(2) > 0
    figures = run(2)
    assert set(figures) == {"fhir_r5_bundle_to_visit_per_s",
                            "fhir_r5_bundle_to_visit_unvalidated_per_s",
                            "fhir_r4b_bundle_to_visit_per_s", "fhir_r5_visit_to_bundle_per_s"}
    assert all(value > 0 for value in figures.values())


def _bundle(*entries: tuple[str, dict[str, object]]) -> Node:
    data = {"resourceType": "Bundle", "type": "collection",
            "entry": [{"fullUrl": url, "resource": res} if url else {"resource": res}
                      for url, res in entries]}
    return Node(data, "Bundle")


def test_references_resolve_in_every_style() -> None:
    device = {"resourceType": "Device", "id": "d1"}
    medication = {"resourceType": "Medication", "id": "m1"}
    patient = {"resourceType": "Patient", "id": "p1", "contained": [medication]}
    practitioner = {"resourceType": "Practitioner"}
    index = BundleIndex.of_bundle(_bundle(
        ("https://his.example.cn/fhir/Device/d1", device), ("", patient),
        ("urn:uuid:0b5a4b1e-0000-4000-8000-000000000001", practitioner)))
    holder = index.resources[1]

    def resolve(reference: str) -> object:
        found = index.resolve(Node({"reference": reference}, "ref"), within=holder)
        return found.data if found is not None else None

    assert resolve("https://his.example.cn/fhir/Device/d1") is device  # fullUrl
    assert resolve("Device/d1") is device  # Type/id against an absolute fullUrl
    assert resolve("Device/d1/_history/3") is device  # versioned
    assert resolve("Patient/p1") is patient  # Type/id from the resource id
    assert resolve("urn:uuid:0b5a4b1e-0000-4000-8000-000000000001") is practitioner
    assert resolve("#m1") is medication
    assert resolve("Device/other") is None and resolve("") is None


def test_coded_reasons_stand_in_for_missing_diagnoses() -> None:
    visit = f.visit()
    bundle = bundle_from_visit(visit)
    encounter = next(e["resource"] for e in bundle["entry"]
                     if e["resource"]["resourceType"] == "Encounter")
    encounter["reason"] = [{"value": [{"concept": {"coding": [
        {"system": fs.CS_ICD10, "code": "R50.900", "display": "发热"}]}}]},
        {"value": [{"concept": {"text": "uncoded complaint"}}]}]
    mapped = visit_from_bundle(bundle)
    assert [(d.code, d.name, d.main) for d in mapped.diagnoses] == [("R50.900", "发热", False)]


def test_a_fhir_resources_model_is_accepted_with_exact_decimals() -> None:
    charge = f.charge(charge_id="C1", unit_price="12.345", quantity="1.10")
    resource = part_to_bundle(charge, patient_id="P", visit_id="V")["entry"][0]["resource"]
    model = ChargeItem.model_validate(resource)
    assert part_from_fhir(model) == charge
