"""The engine: loading, filtering by config and service date, errors, rule-pack version."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from yibao_sdk import Charge, PluginError
from yibao_sdk.rules import (
    Colour,
    Context,
    Engine,
    EngineConfig,
    Finding,
    Param,
    RuleSpec,
    Severity,
    Stage,
    hookimpl,
    subject_of,
)
from yibao_sdk.rules.config import config_from_dict
from yibao_sdk.testing import factories as f

ALL = frozenset(Stage)


class QtyRule:
    """Warns on a quantity above ``limit``; effective from 2026-03-01."""

    def __init__(self, rule_id: str = "T-QTY", *, stages: frozenset[Stage] = ALL) -> None:
        self.rule_id = rule_id
        self.stages = stages
        self.seen: list[Any] = []

    @hookimpl
    def yibao_register_rules(self, register: Any) -> None:
        register(RuleSpec(rule_id=self.rule_id, name="数量上限", category="测试",
                          stages=self.stages, default_severity=Severity.WARN,
                          parameters=(Param("limit", int, 5, "上限"),),
                          effective_from=date(2026, 3, 1)))

    @hookimpl
    def yibao_check_charge(self, charge: Charge, context: Context) -> Iterator[Finding]:
        self.seen.append(context.visit)
        if charge.quantity > context.params(self.rule_id)["limit"]:
            yield context.finding(self.rule_id, subject_of(charge), f"数量{charge.quantity}")


def _engine(*plugins: object, rules: dict[str, Any] | None = None, **kw: Any) -> Engine:
    return f.engine(*plugins, rules=rules, **kw)


def test_finding_makes_the_verdict_yellow_and_records_the_pack() -> None:
    engine = _engine(QtyRule())
    verdict = engine.check_charge(f.charge(quantity=6), f.visit())
    assert verdict.colour is Colour.YELLOW
    assert verdict.rule_pack == engine.rule_pack and engine.rule_pack.startswith("0.1.0+")
    assert engine.check_charge(f.charge(quantity=5), f.visit()).colour is Colour.GREEN


def test_config_changes_parameters_severity_and_enabled() -> None:
    visit, line = f.visit(), f.charge(quantity=4)
    assert _engine(QtyRule(), rules={"T-QTY": {"limit": 3}}).check_charge(line, visit).findings
    red = _engine(QtyRule(), rules={"T-QTY": {"limit": 3, "severity": "block"}})
    assert red.check_charge(line, visit).colour is Colour.RED
    off = _engine(QtyRule(), rules={"T-QTY": {"limit": 3, "enabled": False}})
    assert off.check_charge(line, visit).colour is Colour.GREEN


def test_rule_pack_version_changes_with_configuration() -> None:
    tuned = _engine(QtyRule(), rules={"T-QTY": {"limit": 3}})
    assert _engine(QtyRule()).rule_pack != tuned.rule_pack
    assert _engine(QtyRule()).rule_pack == _engine(QtyRule()).rule_pack


def test_rules_are_dated_by_the_service_date_not_the_run_date() -> None:
    engine = _engine(QtyRule(), clock=datetime(2026, 12, 1))
    before = f.charge(quantity=9, at=datetime(2026, 2, 28, 23, 59))
    on = f.charge(quantity=9, at=datetime(2026, 3, 1, 0, 0))
    assert engine.check_charge(before, f.visit()).colour is Colour.GREEN
    assert engine.check_charge(on, f.visit()).colour is Colour.YELLOW


def test_subject_is_removed_from_the_visit_the_rule_sees() -> None:
    rule = QtyRule()
    line = f.charge()
    other = f.charge()
    _engine(rule).check_charge(line, f.visit(charges=[line, other]))
    assert [c.charge_id for c in rule.seen[0].charges] == [other.charge_id]


def test_hospital_plugin_runs_before_builtins() -> None:
    order: list[str] = []

    class Builtin:
        @hookimpl(trylast=True)
        def yibao_check_charge(self) -> None:
            order.append("builtin")

    class Hospital:
        @hookimpl
        def yibao_check_charge(self) -> None:
            order.append("hospital")

    _engine(Hospital(), Builtin()).check_charge(f.charge(), f.visit())
    assert order == ["hospital", "builtin"]


def test_unknown_hook_is_a_plugin_error() -> None:
    class Typo:
        @hookimpl
        def yibao_check_charges(self) -> None: ...

    with pytest.raises(PluginError, match="unknown hook"):
        _engine(Typo())


def test_same_rule_id_from_two_plugins_is_refused() -> None:
    with pytest.raises(PluginError, match="registered by both"):
        _engine(QtyRule(), QtyRule())


def test_finding_for_an_unregistered_rule_is_refused() -> None:
    class Rogue:
        @hookimpl
        def yibao_check_charge(self, charge: Charge, context: Context) -> Iterator[Finding]:
            yield Finding(rule_id="NOPE", severity=Severity.WARN, message="x",
                          subject=subject_of(charge))

    with pytest.raises(PluginError, match="unregistered rule 'NOPE'"):
        _engine(Rogue()).check_charge(f.charge(), f.visit())


def test_finding_outside_the_registered_stages_is_refused() -> None:
    with pytest.raises(PluginError, match="stage mid"):
        _engine(QtyRule(stages=frozenset({Stage.PRE}))).check_charge(f.charge(quantity=9),
                                                                      f.visit())


def test_a_crashing_rule_is_reported_with_its_file() -> None:
    class Crash:
        @hookimpl
        def yibao_check_charge(self) -> Iterator[Finding]:
            raise ZeroDivisionError("boom")
            yield  # pragma: no cover

    with pytest.raises(PluginError, match=r"test_engine\.py.*boom"):
        _engine(Crash()).check_charge(f.charge(), f.visit())


def test_a_rule_returning_something_else_is_refused() -> None:
    class Wrong:
        @hookimpl
        def yibao_check_charge(self) -> list[str]:
            return ["not a finding"]

    with pytest.raises(PluginError, match="not a Finding"):
        _engine(Wrong()).check_charge(f.charge(), f.visit())


def test_bad_parameter_default_is_refused_at_registration() -> None:
    with pytest.raises(PluginError, match="default of parameter 'limit'"):
        RuleSpec(rule_id="X", name="x", category="x", stages=ALL,
                 default_severity=Severity.INFO, parameters=(Param("limit", int, "many"),))


def test_local_plugin_directory_and_disabled_plugins(tmp_path: Path) -> None:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "local_rule.py").write_text(
        "from yibao_sdk.rules import hookimpl, RuleSpec, Stage, Severity, subject_of\n"
        "@hookimpl\n"
        "def yibao_register_rules(register):\n"
        "    register(RuleSpec(rule_id='LOCAL-1', name='本地', category='本院',\n"
        "                      stages=frozenset({Stage.MID}), default_severity=Severity.BLOCK))\n"
        "@hookimpl\n"
        "def yibao_check_charge(charge, context):\n"
        "    yield context.finding('LOCAL-1', subject_of(charge), '本地规则命中')\n",
        encoding="utf-8",
    )
    config = config_from_dict({"engine": {"plugin_dir": "rules"}}, source="t", base=tmp_path)
    engine = Engine(hospital=f.hospital(), config=config, plugins=[])
    assert engine.check_charge(f.charge(), f.visit()).colour is Colour.RED
    blocked = config_from_dict(
        {"engine": {"plugin_dir": "rules", "disable_plugins": ["yibao_local_plugins.local_rule"]}},
        source="t", base=tmp_path,
    )
    assert "LOCAL-1" not in Engine(hospital=f.hospital(), config=blocked, plugins=[]).rules


def test_missing_plugin_directory_is_a_config_error(tmp_path: Path) -> None:
    from yibao_sdk import ConfigError

    config = EngineConfig(plugin_dir=tmp_path / "nowhere")
    with pytest.raises(ConfigError, match=r"plugin_dir .*nowhere does not exist"):
        Engine(hospital=f.hospital(), config=config, plugins=[])


def test_unimportable_plugin_module_is_a_plugin_error() -> None:
    with pytest.raises(PluginError, match="cannot import plugin module"):
        _engine("yibao_sdk.plugins.no_such_rule")


def test_engine_without_hospital_is_a_config_error() -> None:
    from yibao_sdk import ConfigError

    with pytest.raises(ConfigError, match="hospital"):
        Engine(plugins=[])


def test_check_visit_replays_in_time_order_and_each_item_sees_only_the_past() -> None:
    rule = QtyRule()
    late = f.charge(quantity=9, at=f.T0 + timedelta(hours=2))
    early = f.charge(quantity=1, at=f.T0)
    report = _engine(rule).check_visit(f.visit(charges=[late, early]))
    assert [v.subject.id for v in report.verdicts] == [early.charge_id, late.charge_id]
    assert [len(v.charges) for v in rule.seen] == [0, 1]
    assert report.colour is Colour.YELLOW


def test_every_builtin_plugin_loads_and_registers_its_rules() -> None:
    engine = Engine(hospital=f.hospital(), entry_points=False)
    assert len(engine.plugin_names) == 10
    assert {r.plugin for r in engine.rules.values()} == set(engine.plugin_names)


def test_parameter_types_have_readable_names() -> None:
    from typing import Literal

    assert Param("a", tuple[str, ...], ()).type_name == "tuple[str, ...]"
    assert Param("b", Literal["x", "y"], "x").type_name == "'x' | 'y'"
    assert Param("c", int, 1).type_name == "int"


def test_cross_parameter_validation_runs_when_the_engine_is_built() -> None:
    from yibao_sdk import ConfigError

    def ordered(params: Any) -> None:
        if params["low"] >= params["high"]:
            raise ValueError("low must be below high")

    class Pair:
        @hookimpl
        def yibao_register_rules(self, register: Any) -> None:
            register(RuleSpec(rule_id="T-PAIR", name="区间", category="t", stages=ALL,
                              default_severity=Severity.WARN, validate=ordered,
                              parameters=(Param("low", int, 1), Param("high", int, 2))))

    assert _engine(Pair(), rules={"T-PAIR": {"low": 5, "high": 9}})
    with pytest.raises(ConfigError, match="T-PAIR: low must be below high"):
        _engine(Pair(), rules={"T-PAIR": {"low": 5}})


def test_configured_severity_replaces_only_the_default_severity() -> None:
    class Mixed:
        @hookimpl
        def yibao_register_rules(self, register: Any) -> None:
            register(RuleSpec(rule_id="T-MIX", name="混合", category="t", stages=ALL,
                              default_severity=Severity.WARN))

        @hookimpl
        def yibao_check_charge(self, charge: Charge, context: Context) -> Iterator[Finding]:
            yield context.finding("T-MIX", subject_of(charge), "默认级别")
            yield context.finding("T-MIX", subject_of(charge), "明确违规", severity=Severity.BLOCK)

    engine = _engine(Mixed(), rules={"T-MIX": {"severity": "info"}})
    found = {x.message: x.severity for x in engine.check_charge(f.charge(), f.visit()).findings}
    assert found == {"默认级别": Severity.INFO, "明确违规": Severity.BLOCK}


def test_a_rule_raising_before_yielding_is_reported_with_its_file() -> None:
    class Plain:
        @hookimpl
        def yibao_check_order(self) -> list[Finding]:
            raise KeyError("missing")

    with pytest.raises(PluginError, match=r"test_engine\.py.*KeyError.*yibao_check_order"):
        _engine(Plain()).check_order(f.drug_order(), f.visit())


def test_item_codes_resolve_through_the_first_plugin_that_knows_them() -> None:
    class Hospital:
        @hookimpl
        def yibao_resolve_item_code(self, hospital_item_code: str) -> str | None:
            return {"LIS-TEG01": "002502030660000"}.get(hospital_item_code)

    class Fallback:
        @hookimpl(trylast=True)
        def yibao_resolve_item_code(self, hospital_item_code: str, kind: str) -> str | None:
            return f"FALLBACK-{kind}"

    engine = _engine(Hospital(), Fallback())
    assert engine.resolve_item_code("LIS-TEG01", "lab", "lis") == "002502030660000"
    assert engine.resolve_item_code("OTHER", "lab", "lis") == "FALLBACK-lab"
    assert _engine(Hospital()).resolve_item_code("OTHER", "lab", "lis") is None
