"""Core models: JSON round-trip, Decimal money, frozen, clear errors."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from yibao_sdk import ModelInputError
from yibao_sdk.models import (
    AgeLimit,
    AgeUnit,
    CatalogItem,
    ChargeCategory,
    FundPayment,
    HospitalLevel,
    ImagingReport,
    LabReport,
    LabResult,
    Operation,
    PriceCap,
    ProcedureOrder,
    ProfessionalTitle,
    Settlement,
    SettlementList,
    SettlementResult,
    Visit,
    YibaoModel,
)
from yibao_sdk.models.order import ConsumableOrder, LabOrder
from yibao_sdk.testing import factories as f

T = datetime(2026, 3, 2, 9, 0)


def _result(**kw: Any) -> SettlementResult:
    data: dict[str, Any] = {
        "settlement_id": "S1", "visit_id": "V1", "settled_at": T, "total": Decimal("100.00"),
        "fund_total": Decimal("70.00"), "pooled_fund": Decimal("70.00"),
        "personal_account": Decimal("10.00"), "cash": Decimal("20.00"),
        "fund_payments": [{"fund_type": "310100", "name": "统筹基金", "amount": "70.00"}],
    }
    return SettlementResult.model_validate({**data, **kw})


def _settlement_list(**kw: Any) -> SettlementList:
    data: dict[str, Any] = {
        "settlement_id": "S1", "visit_id": "V1", "admitted_on": date(2026, 3, 1),
        "discharged_on": date(2026, 3, 9), "total": "12000.50",
        "diagnoses": [{"code": "K80.100", "name": "胆囊结石伴胆囊炎", "main": True},
                      {"code": "E14.900x001", "name": "糖尿病"}],
        "operations": [{"code": "51.2300", "name": "腹腔镜胆囊切除术", "main": True,
                        "operated_on": date(2026, 3, 3)}],
    }
    return SettlementList.model_validate({**data, **kw})


SAMPLES: list[YibaoModel] = [
    f.patient(id_card="11010519491231002X", psn_no="44000000000000000001"),
    f.hospital(),
    f.practitioner(title=ProfessionalTitle.CHIEF),
    f.violation(),
    f.drug_order(cosigners=["D002"]),
    f.imaging_order(),
    LabOrder(order_id="L1", ordered_at=T, practitioner_id="D001", specimen="血"),
    ProcedureOrder(order_id="P1", ordered_at=T, practitioner_id="D001"),
    ConsumableOrder(order_id="CO1", ordered_at=T, practitioner_id="D001", quantity=Decimal(2)),
    f.charge(unit_price="12.35", quantity=3, udis=("(01)06901234567892(21)S1",)),
    f.surgery(f.implant(), operations=(Operation(code="81.5100x001", main=True),)),
    f.form(fields={"评估结论": "可手术"}),
    LabReport(record_id="LR1", recorded_at=T, results=(LabResult(code="HGB", value="120"),)),
    ImagingReport(record_id="IR1", recorded_at=T, modality="MR", conclusion="未见异常"),
    f.catalog_item("X1", second_line=True, age=AgeLimit(maximum=17),
                   price_caps=(PriceCap(level=HospitalLevel.LEVEL3, price=Decimal("80.5"),
                                        valid_from=date(2026, 1, 1)),)),
    Settlement(settlement_id="S1", visit_id="V1", requested_at=T, total=Decimal("100.00")),
    FundPayment(fund_type="310100", amount=Decimal("70")),
    _result(),
    _settlement_list(),
    f.visit(orders=[f.drug_order(), f.imaging_order()], charges=[f.charge()],
            records=[f.surgery(f.implant()), f.form()]),
]


@pytest.mark.parametrize("model", SAMPLES, ids=lambda m: type(m).__name__)
def test_every_model_round_trips_through_json(model: YibaoModel) -> None:
    again = type(model).model_validate_json(model.model_dump_json())
    assert again == model


def test_money_stays_decimal_and_is_written_as_a_string() -> None:
    charge = f.charge(unit_price="0.10", quantity=3)
    assert charge.amount == Decimal("0.30") and isinstance(charge.amount, Decimal)
    assert '"amount":"0.30"' in charge.model_dump_json()


def test_models_are_frozen() -> None:
    charge = f.charge()
    with pytest.raises(ValidationError):
        charge.quantity = Decimal(5)  # type: ignore[misc]


def test_unknown_field_is_rejected_with_its_name() -> None:
    data = f.charge().model_dump(mode="json") | {"colour": "red"}
    with pytest.raises(ModelInputError, match="colour"):
        type(f.charge()).parse(data, where="charge.json")


def test_amount_must_match_quantity_times_price() -> None:
    data = f.charge(unit_price="10", quantity=2).model_dump(mode="json") | {"amount": "25"}
    with pytest.raises(ModelInputError) as err:
        type(f.charge()).parse(data, where="line 3")
    assert "line 3" in str(err.value) and "quantity 2" in str(err.value)


def test_amount_within_one_fen_is_accepted() -> None:
    data = f.charge(unit_price="3.333", quantity=3).model_dump(mode="json") | {"amount": "10.00"}
    assert type(f.charge()).parse(data).amount == Decimal("10.00")


def test_visit_parse_names_the_nested_field() -> None:
    data = f.visit(charges=[f.charge()]).model_dump(mode="json")
    del data["charges"][0]["category"]
    with pytest.raises(ModelInputError, match=r"charges\.0\.category"):
        Visit.parse(data)


def test_visit_rejects_two_main_diagnoses_and_discharge_before_admission() -> None:
    two = [{"code": "K80.100", "main": True}, {"code": "K81.000", "main": True}]
    with pytest.raises(ModelInputError, match="main diagnosis"):
        Visit.parse(f.visit().model_dump(mode="json") | {"diagnoses": two})
    with pytest.raises(ModelInputError, match="before admitted_at"):
        Visit.parse(f.visit().model_dump(mode="json") | {"discharged_at": "2026-03-01T00:00:00"})


def test_main_diagnosis_falls_back_to_the_first() -> None:
    data = f.visit().model_dump(mode="json")
    visit = Visit.parse(data | {"diagnoses": [{"code": "A"}, {"code": "B"}]})
    assert visit.main_diagnosis is not None and visit.main_diagnosis.code == "A"


def test_settlement_result_must_balance() -> None:
    assert _result().total == Decimal("100.00")
    with pytest.raises(ValidationError, match="!= total"):
        _result(cash=Decimal("19.99"))
    with pytest.raises(ValidationError, match="fund_payments"):
        _result(fund_payments=[{"fund_type": "310100", "amount": "60"}])


def test_settlement_list_requires_insurance_coding_and_one_main_diagnosis() -> None:
    with pytest.raises(ValidationError, match="ICD-10"):
        _settlement_list(diagnoses=[{"code": "K80.1", "name": "x", "main": True}])
    with pytest.raises(ValidationError, match="exactly one main"):
        _settlement_list(diagnoses=[{"code": "K80.100", "name": "x"}])
    with pytest.raises(ValidationError, match="outside the stay"):
        _settlement_list(operations=[{"code": "51.2300", "name": "x",
                                      "operated_on": date(2026, 3, 10)}])


@pytest.mark.parametrize(
    ("birth", "day", "unit", "age"),
    [
        (date(2008, 3, 2), date(2026, 3, 2), AgeUnit.YEAR, 18),  # the birthday itself
        (date(2008, 3, 2), date(2026, 3, 1), AgeUnit.YEAR, 17),  # the day before
        (date(2026, 2, 2), date(2026, 3, 2), AgeUnit.DAY, 28),
        (date(2024, 2, 29), date(2025, 2, 28), AgeUnit.YEAR, 0),
        (date(2025, 1, 31), date(2025, 2, 28), AgeUnit.MONTH, 0),
    ],
)
def test_age_is_counted_in_completed_units(birth: date, day: date, unit: AgeUnit, age: int) -> None:
    assert f.patient(birth_date=birth).age_on(day, unit) == age


def test_age_limit_is_inclusive_at_both_ends() -> None:
    limit = AgeLimit(minimum=1, maximum=14)
    assert [limit.allows(a) for a in (0, 1, 14, 15)] == [False, True, True, False]


def test_price_cap_in_force_on_service_date() -> None:
    cap = PriceCap(level=HospitalLevel.LEVEL2, price=Decimal(5), valid_from=date(2026, 1, 1),
                   valid_to=date(2026, 6, 30))
    item = CatalogItem(code="X", category=ChargeCategory.LAB, price_caps=(cap,))
    assert item.cap_for(HospitalLevel.LEVEL2, date(2026, 6, 30)) == cap
    assert item.cap_for(HospitalLevel.LEVEL2, date(2026, 7, 1)) is None
    assert item.cap_for(HospitalLevel.LEVEL3, date(2026, 3, 1)) is None


@pytest.mark.parametrize(("code", "title"), [("231", "主任医师"), ("4", "副主任医师"),
                                             ("主治医师", "主治医师")])
def test_titles_accept_national_and_integration_codes(code: str, title: str) -> None:
    assert ProfessionalTitle.from_code(code) == ProfessionalTitle(title)


def test_title_order() -> None:
    assert ProfessionalTitle.CHIEF.at_least(ProfessionalTitle.ASSOCIATE_CHIEF)
    assert not ProfessionalTitle.ATTENDING.at_least(ProfessionalTitle.ASSOCIATE_CHIEF)


def test_personal_data_is_kept_out_of_repr() -> None:
    patient = f.patient(name="王小明", id_card="11010519491231002X")
    assert "王小明" not in repr(patient) and "11010519491231002X" not in repr(patient)


def test_aware_times_become_china_local_and_mix_with_naive_ones() -> None:
    data = f.visit().model_dump(mode="json") | {
        "admitted_at": "2026-03-02T09:00:00", "discharged_at": "2026-03-05T02:00:00Z"}
    visit = Visit.parse(data)
    assert visit.discharged_at == datetime(2026, 3, 5, 10, 0) and visit.discharged_at.tzinfo is None
    order = f.drug_order(at=datetime(2026, 3, 2, 1, 0, tzinfo=UTC))
    assert order.ordered_at == datetime(2026, 3, 2, 9, 0)


@pytest.mark.parametrize("field", ["orders", "charges", "records"])
def test_repeated_ids_in_a_visit_are_refused(field: str) -> None:
    make = {"orders": f.drug_order, "charges": f.charge, "records": f.form}[field]
    one = make()
    data = f.visit().model_dump(mode="json") | {field: [one.model_dump(mode="json")] * 2}
    with pytest.raises(ModelInputError, match="occurs more than once"):
        Visit.parse(data)
