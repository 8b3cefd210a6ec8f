"""Invalid FHIR input raises FhirError whose OperationOutcome names the FHIRPath of the element."""

from __future__ import annotations

from typing import Any

import pytest
from fhir_samples import ID_CARD, entry_index, inpatient_bundle
from pydantic import ValidationError

from yibao_sdk.errors import InputError, ModelInputError, YibaoError
from yibao_sdk.fhir import (
    FhirError,
    Issue,
    fhir_version,
    operation_outcome,
    patient_from_fhir,
    visit_from_bundle,
)
from yibao_sdk.fhir import systems as fs


def _fail(bundle: Any, **kw: Any) -> FhirError:
    with pytest.raises(FhirError) as caught:
        visit_from_bundle(bundle, **kw)
    return caught.value


def _resource(bundle: dict[str, Any], kind: str, nth: int = 0) -> tuple[int, dict[str, Any]]:
    i = entry_index(bundle, kind, nth)
    return i, bundle["entry"][i]["resource"]


@pytest.mark.parametrize("validate", [True, False])
def test_bad_quantity_names_its_path(validate: bool) -> None:
    bundle = inpatient_bundle()
    i, charge = _resource(bundle, "ChargeItem", 1)
    charge["quantity"]["value"] = "abc"
    error = _fail(bundle, validate=validate)
    assert error.expression == f"Bundle.entry[{i}].resource.quantity.value"
    issue = error.outcome["issue"][0]
    assert issue["expression"] == [f"Bundle.entry[{i}].resource.quantity.value"]
    assert issue["severity"] == "error" and issue["code"] == "value"
    assert error.outcome["resourceType"] == "OperationOutcome"


def test_fhir_resources_errors_are_wrapped_at_the_boundary() -> None:
    bundle = inpatient_bundle()
    _, charge = _resource(bundle, "ChargeItem")
    del charge["subject"]
    error = _fail(bundle)
    assert isinstance(error.__cause__, ValidationError)
    assert isinstance(error, InputError) and isinstance(error, YibaoError)
    assert error.issues[0].code == "required"
    assert error.where == error.expression


def test_missing_unit_price() -> None:
    bundle = inpatient_bundle()
    i, charge = _resource(bundle, "ChargeItem")
    del charge["unitPriceComponent"]
    error = _fail(bundle)
    assert error.expression == f"Bundle.entry[{i}].resource.unitPriceComponent.amount"
    assert error.issues[0].code == "required"


def test_total_that_does_not_match_quantity_times_price() -> None:
    bundle = inpatient_bundle()
    i, charge = _resource(bundle, "ChargeItem")
    charge["totalPriceComponent"]["amount"]["value"] = 99
    error = _fail(bundle)
    assert error.expression == f"Bundle.entry[{i}].resource"
    assert error.issues[0].code == "business-rule"
    assert "amount 99" in error.issues[0].diagnostics


def test_other_currency_is_refused() -> None:
    bundle = inpatient_bundle()
    i, charge = _resource(bundle, "ChargeItem")
    charge["unitPriceComponent"]["amount"]["currency"] = "USD"
    error = _fail(bundle)
    assert error.expression == f"Bundle.entry[{i}].resource.unitPriceComponent.amount.currency"
    assert error.issues[0].code == "not-supported"


def test_unknown_charge_category() -> None:
    bundle = inpatient_bundle()
    i, charge = _resource(bundle, "ChargeItem")
    charge["extension"][0]["valueCode"] = "misc"
    assert _fail(bundle).expression == f"Bundle.entry[{i}].resource.extension[0].valueCode"


def test_unknown_imaging_scope() -> None:
    bundle = inpatient_bundle()
    i, request = _resource(bundle, "ServiceRequest", 1)
    request["orderDetail"][0]["parameter"][0]["valueCodeableConcept"]["coding"][0]["code"] = "x"
    assert _fail(bundle).expression == f"Bundle.entry[{i}].resource.orderDetail"


def test_not_json() -> None:
    error = _fail(b'{"resourceType": "Bundle", ')
    assert error.issues[0].code == "structure"
    assert "not valid JSON" in str(error)


def test_not_a_bundle() -> None:
    error = _fail({"resourceType": "Patient"})
    assert (error.expression, error.issues[0].code) == ("Bundle", "structure")


def test_no_encounter() -> None:
    bundle = inpatient_bundle()
    i, _ = _resource(bundle, "Encounter")
    del bundle["entry"][i]
    error = _fail(bundle)
    assert (error.expression, error.issues[0].code) == ("Bundle.entry", "required")


def test_two_encounters() -> None:
    bundle = inpatient_bundle()
    i, _ = _resource(bundle, "Encounter")
    bundle["entry"].append(dict(bundle["entry"][i], fullUrl="urn:uuid:0-0-0-0-1"))
    assert _fail(bundle).issues[0].code == "business-rule"


def test_patient_not_in_bundle() -> None:
    bundle = inpatient_bundle()
    p, _ = _resource(bundle, "Patient")
    del bundle["entry"][p]
    i, _ = _resource(bundle, "Encounter")
    error = _fail(bundle)
    assert (error.expression, error.issues[0].code) == (
        f"Bundle.entry[{i}].resource.subject", "not-found")


def test_unknown_encounter_class() -> None:
    bundle = inpatient_bundle()
    i, encounter = _resource(bundle, "Encounter")
    encounter["class"] = [{"coding": [{"system": fs.V3_ACT_CODE, "code": "XYZ"}]}]
    assert _fail(bundle).expression == f"Bundle.entry[{i}].resource.class"


def test_diagnosis_pointing_nowhere() -> None:
    bundle = inpatient_bundle()
    i, encounter = _resource(bundle, "Encounter")
    encounter["diagnosis"][1]["condition"][0]["reference"]["reference"] = "Condition/missing"
    error = _fail(bundle)
    assert error.expression == f"Bundle.entry[{i}].resource.diagnosis[1].condition[0]"
    assert error.issues[0].code == "not-found"


def test_report_result_pointing_nowhere() -> None:
    bundle = inpatient_bundle()
    i, report = _resource(bundle, "DiagnosticReport")
    report["result"][0]["reference"] = "Observation/gone"
    assert _fail(bundle).expression == f"Bundle.entry[{i}].resource.result[0]"


def test_r5_elements_in_an_r4b_bundle_are_named() -> None:
    error = _fail(inpatient_bundle(), version="R4B")
    expressions = {issue.expression for issue in error.issues}
    i, _ = _resource(inpatient_bundle(), "Encounter")
    assert f"Bundle.entry[{i}].resource.actualPeriod" in expressions
    assert len(error.outcome["issue"]) == len(error.issues) > 1


def test_core_errors_never_carry_the_id_card_or_name() -> None:
    bundle = inpatient_bundle()
    i, patient = _resource(bundle, "Patient")
    del patient["birthDate"]
    error = _fail(bundle)
    assert error.expression == f"Bundle.entry[{i}].resource.birthDate"
    text = str(error) + repr(error.outcome)
    assert ID_CARD not in text and "秀英" not in text


def test_diagnostics_are_scrubbed_of_id_numbers() -> None:
    error = FhirError([Issue(f"identifier {ID_CARD} is wrong", "Patient.identifier[1]")])
    assert ID_CARD not in str(error)
    assert ID_CARD not in error.outcome["issue"][0]["diagnostics"]


def test_standalone_resource_errors_use_the_resource_root() -> None:
    with pytest.raises(FhirError) as caught:
        patient_from_fhir({"resourceType": "Patient", "gender": "female"})
    assert caught.value.expression in {"Patient.identifier", "Patient.name",
                                       "Patient.birthDate"}
    with pytest.raises(FhirError) as wrong:
        patient_from_fhir({"resourceType": "Encounter"})
    assert wrong.value.expression == "Patient"


def test_versions() -> None:
    assert fhir_version("5.0.0") == "R5" and fhir_version("r4b") == "R4B"
    assert fhir_version("4.0.1") == "R4B"  # R4 JSON is read with the R4B models
    with pytest.raises(FhirError) as caught:
        fhir_version("STU3")
    assert caught.value.issues[0].code == "not-supported"


def test_operation_outcome_for_any_error() -> None:
    fhir = FhirError.at("Bundle.entry[0]", "bad")
    assert operation_outcome(fhir) == fhir.outcome
    plain = operation_outcome(ModelInputError("Charge", [("amount", "wrong")]))
    assert plain["issue"][0]["code"] == "invalid"
    crash = operation_outcome(RuntimeError(f"secret {ID_CARD}"))
    assert crash["issue"][0] == {"severity": "fatal", "code": "exception",
                                 "diagnostics": "internal error (RuntimeError)"}


def test_an_error_needs_an_issue() -> None:
    with pytest.raises(ValueError, match="at least one issue"):
        FhirError([])
