"""Tests of the ``yibao`` command line through ``main([...])``: output, exit codes, errors."""

from __future__ import annotations

import json
import re
import sqlite3
import sys
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import pytest

from yibao_sdk.cases import Case
from yibao_sdk.cli import main
from yibao_sdk.testing import factories as f

NAME, ID_CARD = "张三丰", "11010519491231002X"

LIGHT_PLUGIN = '''
"""Test rules: an order named "red"/"yellow" gets a block/warn finding."""

from yibao_sdk import Param, RuleSpec, Severity, Stage, hookimpl
from yibao_sdk.rules import subject_of


@hookimpl
def yibao_register_rules(register):
    register(RuleSpec(rule_id="TEST-LIGHT", name="测试红绿灯", category="测试",
                      stages=frozenset({Stage.PRE}), default_severity=Severity.WARN,
                      parameters=(Param("limit", int, 3, "上限"),)))
    register(RuleSpec(rule_id="TEST-AUDIT", name="测试事后", category="测试",
                      stages=frozenset({Stage.POST}), default_severity=Severity.INFO))


@hookimpl
def yibao_check_order(order, context):
    if order.name in ("red", "yellow"):
        severity = Severity.BLOCK if order.name == "red" else Severity.WARN
        # A careless rule that leaks personal data: the CLI must still mask it.
        message = f"{context.patient.name}({context.patient.id_card})的医嘱为{order.name}"
        yield context.finding("TEST-LIGHT", subject_of(order), message, severity=severity)


@hookimpl
def yibao_audit_visit(visit, context):
    if visit.department == "audit":
        yield context.finding("TEST-AUDIT", subject_of(visit.charges[0]), "事后抽查")
'''

BROKEN_PLUGIN = '''
from yibao_sdk import RuleSpec, Severity, Stage, hookimpl


@hookimpl
def yibao_register_rules(register):
    register(RuleSpec(rule_id="TEST-BUG", name="有缺陷", category="测试",
                      stages=frozenset({Stage.PRE}), default_severity=Severity.WARN))


@hookimpl
def yibao_check_order(order, context):
    yield 1 / 0
'''


LEAKY_PLUGIN = f'''
from yibao_sdk import hookimpl


@hookimpl
def yibao_check_order(order, context):
    raise KeyError({ID_CARD!r})
'''


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("NO_COLOR", "YIBAO_CONFIG", "YIBAO_AUDIT_DB", "YIBAO_NO_COLOR", "YIBAO_DEBUG",
                 "YIBAO_AUDIT_KEY", "YIBAO_AUDIT_KEY_FILE", "YIBAO_AUDIT_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def light(tmp_path: Path) -> str:
    path = tmp_path / "light_rules.py"
    path.write_text(LIGHT_PLUGIN, encoding="utf-8")
    return str(path)


def write_case(tmp_path: Path, *names: str, department: str = "骨科",
               bare: bool = False, name: str = "case.json") -> Path:
    orders = [f.drug_order(order_id=f"O{i}", name=n) for i, n in enumerate(names, 1)]
    patient = f.patient(name=NAME, id_card=ID_CARD)
    visit = f.visit(visit_id="V1", orders=orders, charges=[f.charge(charge_id="C1")],
                    patient=patient, department=department)
    path = tmp_path / name
    text = visit.model_dump_json() if bare else Case(
        visit=visit, hospital=f.hospital(), description=f"{NAME}的病例").model_dump_json()
    path.write_text(text, encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


@pytest.mark.parametrize(
    ("names", "code"), [((), 0), (("ok", "yellow"), 1), (("yellow", "red"), 2)]
)
def test_check_exit_code_is_the_colour(tmp_path, capsys, light, names, code) -> None:
    assert run(capsys, "check", write_case(tmp_path, *names), "--plugin", light)[0] == code


def test_check_prints_verdicts_findings_and_summary(tmp_path, capsys, light) -> None:
    code, out, err = run(capsys, "check", write_case(tmp_path, "yellow", "red"), "--plugin", light)
    assert (code, err) == (2, "")
    lines = out.splitlines()
    assert lines[0] == "visit V1 · inpatient · 骨科 · patient 张**"
    assert "● yellow order  O1  2026-03-02 09:00" in lines
    assert "● red    order  O2  2026-03-02 09:00" in lines
    assert "● green  charge C1  2026-03-02 09:00" in lines
    assert any(line.startswith("    warn  TEST-LIGHT  ") for line in lines)
    assert any("block TEST-LIGHT" in line and "副主任医师" in line for line in lines)
    assert "● green  事后 audit of visit V1" in lines
    assert lines[-1].startswith("● red: 3 checked (1 green, 1 yellow, 1 red), 2 finding(s)")
    assert "rule pack 0.1.0+" in lines[-1]
    assert "\033[" not in out


def test_audit_findings_name_their_subject(tmp_path, capsys, light) -> None:
    code, out, _ = run(capsys, "check", write_case(tmp_path, department="audit"),
                       "--plugin", light)
    assert code == 0
    assert "    info  TEST-AUDIT  charge C1: 事后抽查" in out.splitlines()


@pytest.mark.parametrize("extra", [[], ["--json"]])
def test_patient_name_and_id_number_never_appear(tmp_path, capsys, light, extra) -> None:
    code, out, err = run(capsys, "check", write_case(tmp_path, "red"), "--plugin", light, *extra)
    assert code == 2
    for secret in (NAME, ID_CARD, "三丰"):
        assert secret not in out + err
    assert "张**" in out
    assert "110*************2X" in out


def test_json_report(tmp_path, capsys, light) -> None:
    code, out, _ = run(capsys, "check", write_case(tmp_path, "yellow"), "--plugin", light,
                       "--json")
    data = json.loads(out)
    assert code == 1
    assert (data["visit_id"], data["colour"]) == ("V1", "yellow")
    assert data["rule_pack"].startswith("0.1.0+")
    assert [v["subject"]["id"] for v in data["verdicts"]] == ["O1", "C1"]
    [finding] = data["verdicts"][0]["findings"]
    assert (finding["rule_id"], finding["severity"]) == ("TEST-LIGHT", "warn")
    assert data["audit"]["subject"] == {"kind": "visit", "id": "V1", "at": "2026-03-02T09:00:00"}


def test_colour_on_a_terminal_and_off_by_flag_or_env(tmp_path, capsys, light, monkeypatch):
    case = write_case(tmp_path, "yellow")
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    assert "\033[33m● yellow\033[0m" in run(capsys, "check", case, "--plugin", light)[1]
    assert "\033[" not in run(capsys, "check", case, "--plugin", light, "--no-color")[1]
    monkeypatch.setenv("YIBAO_NO_COLOR", "1")
    assert "\033[" not in run(capsys, "check", case, "--plugin", light)[1]
    monkeypatch.delenv("YIBAO_NO_COLOR")
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\033[" not in run(capsys, "check", case, "--plugin", light)[1]


def test_bad_json_is_a_data_error_with_position(tmp_path, capsys) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"visit": {\n  "visit_id": "V1"\n  "x": 1}}', encoding="utf-8")
    code, out, err = run(capsys, "check", bad)
    assert (code, out) == (65, "")
    assert err == f"yibao: error: {bad}:3:3: not valid JSON: Expecting ',' delimiter\n"


def test_missing_field_is_a_data_error_naming_the_path(tmp_path, capsys, light) -> None:
    path = write_case(tmp_path, "ok")
    data = json.loads(path.read_text(encoding="utf-8"))
    del data["visit"]["orders"][0]["ordered_at"]
    path.write_text(json.dumps(data), encoding="utf-8")
    code, _, err = run(capsys, "check", path, "--plugin", light)
    assert code == 65
    assert err.startswith(f"yibao: error: {path}: invalid Case: ")
    assert "visit.orders.0.drug.ordered_at: Field required" in err
    assert err.count("\n") == 1


def test_unreadable_case_file(tmp_path, capsys) -> None:
    code, _, err = run(capsys, "check", tmp_path / "absent.json")
    assert code == 65
    assert "absent.json: cannot read" in err


def test_bare_visit_with_hospital_from_config(tmp_path, capsys, light, monkeypatch) -> None:
    case = write_case(tmp_path, "yellow", bare=True)
    toml = tmp_path / "h.toml"
    toml.write_text('[hospital]\ncode = "H1"\nname = "医院"\nlevel = "2"\n', encoding="utf-8")
    assert run(capsys, "check", case, "--plugin", light, "--config", toml)[0] == 1
    monkeypatch.setenv("YIBAO_CONFIG", str(toml))
    assert run(capsys, "check", case, "--plugin", light)[0] == 1
    monkeypatch.delenv("YIBAO_CONFIG")
    code, _, err = run(capsys, "check", case, "--plugin", light)
    assert code == 78
    assert "no hospital" in err


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[rules\n", "not valid TOML"),
        ('[rules."NOPE"]\nenabled = false\n', "rules.NOPE: no loaded rule has this id"),
        ('[rules."TEST-LIGHT"]\nlimit = "many"\n', "rules.TEST-LIGHT.limit: expected int"),
        ("[surprise]\n", "unknown section"),
    ],
)
def test_bad_config_exits_78(tmp_path, capsys, light, toml, message) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(toml, encoding="utf-8")
    for argv in (["check", write_case(tmp_path, "ok")], ["rules", "list"]):
        code, _, err = run(capsys, *argv, "--plugin", light, "--config", path)
        assert code == 78
        assert err.startswith(f"yibao: error: {path}: ")
        assert message in err


def test_configured_severity_and_disabling_apply(tmp_path, capsys, light) -> None:
    toml = tmp_path / "h.toml"
    toml.write_text('[rules."TEST-LIGHT"]\nseverity = "block"\n', encoding="utf-8")
    case = write_case(tmp_path, "yellow")
    assert run(capsys, "check", case, "--plugin", light, "--config", toml)[0] == 2
    toml.write_text('[rules."TEST-LIGHT"]\nenabled = false\n', encoding="utf-8")
    assert run(capsys, "check", case, "--plugin", light, "--config", toml)[0] == 0


def test_bad_environment_exits_78(tmp_path, capsys, light, monkeypatch) -> None:
    monkeypatch.setenv("YIBAO_NO_COLOR", "perhaps")
    code, _, err = run(capsys, "check", write_case(tmp_path), "--plugin", light)
    assert code == 78
    assert err.startswith("yibao: error: environment: YIBAO_NO_COLOR: ")


@pytest.mark.parametrize(
    "argv",
    [[], ["check"], ["check", "a.json", "--bogus"], ["rules"], ["frobnicate"], ["audit-log"]],
)
def test_usage_errors_exit_64(capsys, argv) -> None:
    code, out, err = run(capsys, *argv)
    assert (code, out) == (64, "")
    assert "usage: yibao" in err
    assert "error:" in err


def test_help_and_version_exit_0(capsys) -> None:
    assert run(capsys, "--help")[0] == 0
    code, out, _ = run(capsys, "--version")
    assert (code, out) == (0, "yibao 0.1.0\n")


def test_plugin_failures_exit_70(tmp_path, capsys) -> None:
    broken = tmp_path / "broken.py"
    broken.write_text(BROKEN_PLUGIN, encoding="utf-8")
    case = write_case(tmp_path, "ok")
    code, _, err = run(capsys, "check", case, "--plugin", broken)
    assert code == 70
    assert "ZeroDivisionError" in err
    for bad in ("no_such_module_xyz", str(tmp_path / "absent.py")):
        code, _, err = run(capsys, "check", case, "--plugin", bad)
        assert code == 70
        assert err.startswith("yibao: error: ")
    (tmp_path / "syntax.py").write_text("def (:\n", encoding="utf-8")
    assert run(capsys, "check", case, "--plugin", tmp_path / "syntax.py")[0] == 70


def test_an_id_number_in_a_plugin_error_is_masked(tmp_path, capsys) -> None:
    leaky = tmp_path / "leaky.py"
    leaky.write_text(LEAKY_PLUGIN, encoding="utf-8")
    code, _, err = run(capsys, "check", write_case(tmp_path, "ok"), "--plugin", leaky)
    assert code == 70
    assert "KeyError('110*************2X')" in err
    assert ID_CARD not in err
    assert err.count("\n") == 1


def test_absurdly_nested_json_is_one_line_not_a_traceback(tmp_path, capsys) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    code, out, err = run(capsys, "check", deep)
    assert (code, out) == (65, "")
    assert err == f"yibao: error: {deep}: nested too deeply\n"


def test_an_unexpected_exception_is_an_internal_error(tmp_path, capsys, monkeypatch) -> None:
    def buggy(path: Path) -> None:
        raise TypeError(f"cannot add {ID_CARD} and 1\nsecond line")

    monkeypatch.setattr("yibao_sdk.cli.load_case", buggy)
    code, out, err = run(capsys, "check", write_case(tmp_path))
    assert (code, out) == (70, "")
    assert err == ("yibao: internal error: TypeError: cannot add 110*************2X and 1 second "
                   "line (set YIBAO_DEBUG=1 for the traceback)\n")
    monkeypatch.setenv("YIBAO_DEBUG", "1")
    with pytest.raises(TypeError, match="cannot add"):
        main(["check", str(write_case(tmp_path))])


def test_usage_errors_are_scrubbed_too(capsys) -> None:
    code, _, err = run(capsys, "rules", ID_CARD)
    assert code == 64
    assert "110*************2X" in err
    assert ID_CARD not in err


def test_plugin_by_module_name(tmp_path, capsys, light, monkeypatch) -> None:
    monkeypatch.syspath_prepend(str(tmp_path))
    assert run(capsys, "check", write_case(tmp_path, "red"), "--plugin", "light_rules")[0] == 2


def test_default_loads_builtins_and_entry_points(tmp_path, capsys, light, monkeypatch) -> None:
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr("yibao_sdk.rules.engine.builtin_plugins", lambda: ("light_rules",))
    code, out, _ = run(capsys, "rules", "list")
    assert code == 0
    assert "TEST-LIGHT" in out
    installed = [ep.module for ep in entry_points(group="yibao")]
    for module in installed:
        assert f"  {module}  " in out
    assert run(capsys, "check", write_case(tmp_path, "red"))[0] == 2
    toml = tmp_path / "h.toml"
    toml.write_text("[engine]\nentry_points = false\n", encoding="utf-8")
    code, out, _ = run(capsys, "rules", "list", "--json", "--config", toml)
    assert {r["plugin"] for r in json.loads(out)} == {"light_rules"}


def test_rules_list_table(tmp_path, capsys, light) -> None:
    toml = tmp_path / "h.toml"
    toml.write_text('[rules."TEST-LIGHT"]\nlimit = 5\nseverity = "block"\n'
                    '[rules."TEST-AUDIT"]\nenabled = false\n', encoding="utf-8")
    code, out, _ = run(capsys, "rules", "list", "--plugin", light, "--config", toml)
    lines = out.splitlines()
    assert code == 0
    assert lines[0].split() == ["ID", "NAME", "PLUGIN", "STAGES", "SEVERITY", "ENABLED",
                                "EFFECTIVE"]
    assert lines[1].split() == ["TEST-AUDIT", "测试事后", "yibao_local_plugins.light_rules",
                                "post", "info", "no", "always"]
    assert lines[2].split()[:6] == ["TEST-LIGHT", "测试红绿灯", "yibao_local_plugins.light_rules",
                                    "pre", "block", "(default"]
    assert lines[3].strip() == "limit: int = 5 (default 3)  上限"
    assert lines[-1] == "2 rule(s)"
    # CJK names take two columns: the PLUGIN column lines up on screen.
    assert lines[1].index("yibao_local") - lines[2].index("yibao_local") == 1


def test_rules_list_json(capsys, light) -> None:
    code, out, _ = run(capsys, "rules", "list", "--plugin", light, "--json")
    data: list[dict[str, Any]] = json.loads(out)
    assert code == 0
    assert [r["rule_id"] for r in data] == ["TEST-AUDIT", "TEST-LIGHT"]
    light_rule = data[1]
    assert (light_rule["plugin"], light_rule["stages"], light_rule["severity"]) == (
        "yibao_local_plugins.light_rules", ["pre"], "warn")
    assert light_rule["parameters"] == [
        {"name": "limit", "type": "int", "value": 3, "default": 3, "description": "上限"}
    ]


def test_audit_log_verify_then_tampered(tmp_path, capsys, light) -> None:
    db = tmp_path / "audit.sqlite3"
    case = write_case(tmp_path, "yellow")
    assert run(capsys, "check", case, "--plugin", light, "--audit-db", db)[0] == 1
    code, out, err = run(capsys, "audit-log", "verify", "--db", db)
    assert (code, err) == (0, "")
    assert re.fullmatch(r"OK: 3 entries, head 3:[0-9a-f]{64}\n", out)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE audit_log SET payload = '{}' WHERE seq = 2")
    conn.close()
    code, out, err = run(capsys, "audit-log", "verify", "--db", db)
    assert (code, out) == (1, "")
    assert err == f"yibao: error: audit log {db}: entry 2: content does not match its hash\n"


def test_audit_db_from_environment(tmp_path, capsys, light, monkeypatch) -> None:
    db = tmp_path / "env.sqlite3"
    monkeypatch.setenv("YIBAO_AUDIT_DB", str(db))
    run(capsys, "check", write_case(tmp_path, "ok"), "--plugin", light)
    assert run(capsys, "audit-log", "verify")[1].startswith("OK: 3 entries, head 3:")


def test_no_audit_log_unless_asked(tmp_path, capsys, light) -> None:
    run(capsys, "check", write_case(tmp_path, "ok"), "--plugin", light)
    assert not (tmp_path / "yibao-audit.sqlite3").exists()
    code, _, err = run(capsys, "audit-log", "verify")
    assert code == 1
    assert err == "yibao: error: yibao-audit.sqlite3 is not an audit log: no such file\n"
    assert not (tmp_path / "yibao-audit.sqlite3").exists()


def test_verify_rejects_a_file_that_is_not_a_database(tmp_path, capsys) -> None:
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database" * 100)
    code, _, err = run(capsys, "audit-log", "verify", "--db", junk)
    assert code == 1
    assert err == f"yibao: error: {junk} is not an audit log: file is not a database\n"


def test_unwritable_audit_db_exits_74(tmp_path, capsys, light) -> None:
    db = tmp_path / "missing-dir" / "audit.sqlite3"
    code, out, err = run(capsys, "check", write_case(tmp_path), "--plugin", light,
                         "--audit-db", db)
    assert (code, out) == (74, "")
    assert err.startswith(f"yibao: error: cannot open audit log {db}: ")


def test_parameter_types_and_values_read_like_the_toml() -> None:
    from decimal import Decimal
    from enum import StrEnum
    from typing import Annotated, Literal

    from pydantic import Field, PositiveInt

    from yibao_sdk.cli_render import toml_value, type_label

    class Window(StrEnum):
        DAY = "day"

    assert type_label(PositiveInt) == "int (>0)"
    assert type_label(Annotated[Decimal, Field(ge=0, le=1)]) == "Decimal (≥0, ≤1)"
    assert type_label(Annotated[str, "no bounds"]) == "str"
    assert type_label(tuple[tuple[str, Window], ...]) == "tuple[tuple[str, Window], ...]"
    assert type_label(Literal["category", "exact"]) == '"category" | "exact"'
    assert toml_value((("A", Window.DAY),)) == '[["A", "day"]]'
    assert toml_value(True) == "true"
    assert toml_value(Decimal("0.40")) == "0.40"
    assert toml_value({"k": [1, "副主任医师"]}) == '{ k = [1, "副主任医师"] }'


def test_delegated_commands_are_listed_and_parse_their_own_options(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--help"]) == 0
    listed = capsys.readouterr().out
    assert all(name in listed for name in ("serve", "replay", "mock-province"))
    assert main(["serve", "--help"]) == 0
    assert "--his" in capsys.readouterr().out
    assert main(["mock-province", "--help"]) == 0
    assert "--profile" in capsys.readouterr().out
