"""Tests of case files: loading (case or bare visit, errors with positions) and engine building."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from yibao_sdk.cases import Case, engine_for_case, load_case
from yibao_sdk.errors import ConfigError, InputError, ModelInputError
from yibao_sdk.models import GreyListTier
from yibao_sdk.rules import Stage, hookimpl
from yibao_sdk.rules.config import config_from_dict
from yibao_sdk.testing import factories as f


def _case(**kw: Any) -> Case:
    visit = f.visit(visit_id="V1", orders=[f.imaging_order(order_id="O1")],
                    charges=[f.charge(charge_id="C1")])
    return Case(visit=visit, **kw)


def _write(tmp_path: Path, data: Any, name: str = "case.json") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def _case_data(**kw: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(_case(**kw).model_dump_json())
    return data


def test_case_round_trips_through_a_file(tmp_path: Path) -> None:
    case = _case(hospital=f.hospital(), catalog=(f.catalog_item("X1"),),
                 practitioners=(f.practitioner(),), violations=(f.violation(),),
                 history=(f.visit(visit_id="V0"),), description="示例")
    path = _write(tmp_path, case.model_dump_json(indent=2))
    assert load_case(path) == case


def test_a_bare_visit_is_a_case_without_knowledge(tmp_path: Path) -> None:
    case = _case()
    path = _write(tmp_path, case.visit.model_dump_json())
    loaded = load_case(str(path))
    assert loaded.visit == case.visit
    assert (loaded.hospital, loaded.catalog, loaded.history, loaded.description) == (
        None, (), (), ""
    )


def test_bad_json_names_file_line_and_column(tmp_path: Path) -> None:
    path = _write(tmp_path, '{\n  "visit": {\n    "visit_id": "V1",,\n  }\n}')
    with pytest.raises(InputError) as info:
        load_case(path)
    assert info.value.where == f"{path}:3:22"
    assert str(info.value).startswith(f"{path}:3:22: not valid JSON")


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda d: d["visit"]["patient"].pop("sex"), "visit.patient.sex"),
        (lambda d: d["visit"]["charges"][0].update(amount="abc"), "visit.charges.0.amount"),
        (lambda d: d["visit"]["orders"][0].update(modality=5), "visit.orders.0.imaging.modality"),
        (lambda d: d.update(hospital={"code": "H1"}), "hospital.name"),
    ],
)
def test_invalid_fields_are_named_with_their_path(tmp_path: Path, mutate: Any, field: str) -> None:
    data = _case_data()
    mutate(data)
    path = _write(tmp_path, data)
    with pytest.raises(ModelInputError) as info:
        load_case(path)
    assert field in [p for p, _ in info.value.errors]
    assert str(info.value).startswith(f"{path}: invalid Case: ")
    assert field in str(info.value)


def test_bare_visit_errors_name_the_visit_fields(tmp_path: Path) -> None:
    data = _case_data()["visit"]
    del data["admitted_at"]
    with pytest.raises(ModelInputError, match=r"invalid Visit: admitted_at: Field required"):
        load_case(_write(tmp_path, data))


def test_a_json_array_is_not_a_case(tmp_path: Path) -> None:
    with pytest.raises(ModelInputError, match="<root>"):
        load_case(_write(tmp_path, "[1, 2]"))


def test_missing_and_undecodable_files_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nothing\.json: cannot read"):
        load_case(tmp_path / "nothing.json")
    latin = tmp_path / "latin.json"
    latin.write_bytes('{"name": "é"}'.encode("latin-1"))
    with pytest.raises(InputError, match=r"latin\.json: not UTF-8 text \(byte 10\)"):
        load_case(latin)


def test_a_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + _case().model_dump_json().encode())
    assert load_case(path).visit.visit_id == "V1"


def test_engine_gets_the_case_knowledge() -> None:
    case = _case(
        hospital=f.hospital("2"),
        catalog=(f.catalog_item("X1"),),
        practitioners=(f.practitioner("D9"),),
        violations=(f.violation("D9", points=3),),
        history=(f.visit(visit_id="V0"),),
    )
    engine = engine_for_case(case, plugins=["yibao_sdk.plugins.greylist"], entry_points=False)
    assert engine.hospital == case.hospital
    assert engine.catalog.get("X1") == case.catalog[0]
    assert engine.practitioners.get("D9") == case.practitioners[0]
    assert len(engine.practitioners.violations("D9", 2026)) == 1
    year = (datetime(2026, 1, 1), datetime(2026, 12, 31))
    earlier = engine.history.visits_overlapping("P0001", *year)
    assert [v.visit_id for v in earlier] == ["V0"]
    ctx = engine._context(case.visit, Stage.PRE)
    assert ctx.tier("D9", date(2026, 3, 2)) is GreyListTier.WATCH


def test_hospital_comes_from_the_config_when_the_case_has_none() -> None:
    config = config_from_dict(
        {"hospital": {"code": "H2", "name": "配置医院", "level": "1"}},
        source="h.toml", base=Path("."),
    )
    engine = engine_for_case(_case(), config=config, plugins=[], entry_points=False)
    assert engine.hospital.code == "H2"
    assert engine_for_case(_case(hospital=f.hospital()), config=config, plugins=[],
                           entry_points=False).hospital.code == "H44010600001"


def test_no_hospital_anywhere_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"no hospital.*--config"):
        engine_for_case(_case(), plugins=[], entry_points=False)


class _Recorder:
    """A plugin object that records the orders it saw."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    @hookimpl
    def yibao_check_order(self, order: Any) -> None:
        self.seen.append(order.order_id)


def test_clock_and_plugins_are_passed_through() -> None:
    plugin = _Recorder()
    moment = datetime(2026, 3, 2, 12, 0)
    case = _case(hospital=f.hospital())
    engine = engine_for_case(case, plugins=[plugin], entry_points=False, clock=lambda: moment)
    report = engine.check_visit(case.visit)
    assert report.audit.checked_at == moment
    assert plugin.seen == ["O1"]
