"""The example package yibao-night-ct: entry-point discovery, its rule, and the guide's snippets."""

from __future__ import annotations

import contextlib
import io
import re
import shlex
from dataclasses import dataclass
from datetime import datetime
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import pytest

from yibao_sdk.cli import main
from yibao_sdk.rules import Engine, Verdict
from yibao_sdk.rules.config import config_from_dict
from yibao_sdk.testing import factories as f
from yibao_sdk.testing.assertions import assert_finding, assert_no_finding

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "yibao-night-ct"
GUIDE = ROOT / "docs" / "writing-rules.md"
RULE = "HOSP-NIGHT-CT"
INSTALL_HINT = "install the example: .venv/bin/pip install -e examples/yibao-night-ct"


def _engine(**kw: Any) -> Engine:
    """Only what the ``yibao`` entry-point group brings: no built-ins."""
    return Engine(hospital=f.hospital(), plugins=[], entry_points=True, clock=lambda: f.T0, **kw)


def _check_ct(hour: int, minute: int = 0, **order: Any) -> Verdict:
    ct = f.imaging_order(modality=order.pop("modality", "CT"),
                         at=datetime(2026, 3, 2, hour, minute), **order)
    return _engine().check_order(ct, f.visit())


def test_entry_point_is_declared_and_loads_the_module() -> None:
    found = {ep.name: ep for ep in entry_points(group="yibao")}
    assert "night_ct" in found, INSTALL_HINT
    assert found["night_ct"].value == "yibao_night_ct"
    assert found["night_ct"].load().RULE_ID == RULE


def test_engine_discovers_the_rule_through_the_entry_point() -> None:
    engine = _engine()
    assert RULE in engine.rules, INSTALL_HINT
    assert "night_ct" in engine.plugin_names
    rule = engine.rules[RULE]
    assert (rule.plugin, rule.enabled, dict(rule.params)) == (
        "yibao_night_ct", True, {"night_start": 22, "night_end": 6})
    absent = Engine(hospital=f.hospital(), plugins=[], entry_points=False)
    assert RULE not in absent.rules


def test_a_hospital_can_block_the_plugin_or_turn_entry_points_off() -> None:
    for raw in ({"engine": {"disable_plugins": ["night_ct"]}},
                {"engine": {"entry_points": False}}):
        config = config_from_dict(raw, source="h.toml", base=Path("."))
        engine = Engine(hospital=f.hospital(), config=config, plugins=[])
        assert RULE not in engine.rules


@pytest.mark.parametrize(("hour", "minute"), [(22, 0), (23, 10), (0, 0), (3, 0), (5, 59)])
def test_fires_for_a_ct_at_night(hour: int, minute: int) -> None:
    verdict = _check_ct(hour, minute)
    [finding] = assert_finding(verdict, RULE, severity="warn", count=1)
    assert finding.message == f"夜间CT检查({hour:02d}:{minute:02d})未标记急诊，请确认急诊指征"
    assert verdict.colour == "yellow"


@pytest.mark.parametrize(("hour", "minute"), [(6, 0), (6, 1), (9, 0), (21, 59)])
def test_silent_by_day(hour: int, minute: int) -> None:
    verdict = _check_ct(hour, minute)
    assert_no_finding(verdict, RULE)
    assert verdict.colour == "green"


def test_silent_for_urgent_ct_and_for_other_modalities() -> None:
    assert_no_finding(_check_ct(23, urgent=True), RULE)
    assert_no_finding(_check_ct(23, modality="MR"), RULE)
    assert_finding(_check_ct(23, modality="ct"), RULE)
    drug = f.drug_order(at=datetime(2026, 3, 2, 23, 0))
    assert_no_finding(_engine().check_order(drug, f.visit()), RULE)


def test_window_parameters_from_config() -> None:
    config = config_from_dict({"rules": {RULE: {"night_start": 1, "night_end": 5}}},
                              source="h.toml", base=Path("."))
    engine = _engine(config=config)
    hits = [hour for hour in range(24) if engine.check_order(
        f.imaging_order(modality="CT", at=datetime(2026, 3, 2, hour)), f.visit()).findings]
    assert hits == [1, 2, 3, 4]


def test_the_example_package_tests_pass(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest(str(EXAMPLE / "tests"), "-p", "no:cacheprovider")
    assert result.ret == 0, result.stdout.str()
    assert result.parseoutcomes()["passed"] >= 10


# --- every code block of docs/writing-rules.md works -------------------------------------


@dataclass(frozen=True)
class Block:
    """A fenced block of the guide with its ``<!-- doctest: KIND ARG -->`` marker."""

    kind: str
    arg: str
    body: str
    line: int


_MARKER = re.compile(r"<!-- doctest: (\S+) ?(.*?) -->")


def guide_blocks() -> list[Block]:
    lines = GUIDE.read_text(encoding="utf-8").splitlines(keepends=True)
    blocks, i = [], 0
    while i < len(lines):
        if lines[i].startswith("```"):
            end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith("```"))
            marker = _MARKER.fullmatch(lines[i - 1].strip()) if i else None
            kind, arg = marker.groups() if marker else ("", "")
            blocks.append(Block(kind, arg, "".join(lines[i + 1 : end]), i + 1))
            i = end
        i += 1
    return blocks


def test_every_guide_block_is_checked() -> None:
    blocks = guide_blocks()
    kinds = {"same-as", "excerpt-of", "write", "python", "pytest", "sh", "output-of"}
    unmarked = [b.line for b in blocks if b.kind not in kinds]
    assert not unmarked, f"{GUIDE.name}: blocks without a doctest marker at lines {unmarked}"
    assert len(blocks) >= 10


def _run(command: str) -> tuple[int, str]:
    argv = shlex.split(command)
    assert argv[0] == "yibao", command
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv[1:])
    assert "Traceback" not in err.getvalue()
    return code, out.getvalue() + err.getvalue()


def _commands(block: Block) -> None:
    for line in block.body.splitlines():
        command, _, comment = line.partition("#")
        expected = re.fullmatch(r"\s*exit (\d+)\s*", comment)
        assert expected, f"line {block.line}: say the exit code: {line!r}"
        code, output = _run(command)
        assert code == int(expected.group(1)), f"{command} → {code}\n{output}"


def _output(block: Block) -> None:
    code, output = _run(block.arg)
    assert code in (0, 1, 2), output
    actual = re.sub(r"rule pack (\S+)\+[0-9a-f]{12}", r"rule pack \1+…", output)
    assert actual == block.body, f"line {block.line}: {block.arg} printed:\n{actual}"


def _check_block(block: Block, pytester: pytest.Pytester, namespace: dict[str, Any]) -> None:
    where = f"{GUIDE.name}:{block.line}"
    if block.kind == "same-as":
        assert block.body == (ROOT / block.arg).read_text(encoding="utf-8"), where
    elif block.kind == "excerpt-of":
        assert block.body in (ROOT / block.arg).read_text(encoding="utf-8"), where
    elif block.kind == "write":
        target = pytester.path / block.arg
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(block.body, encoding="utf-8")
    elif block.kind == "python":
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(block.body, where, "exec"), namespace)
    elif block.kind == "pytest":
        path = pytester.makepyfile(**{f"test_guide_{block.line}": block.body})
        result = pytester.runpytest(str(path), "-p", "no:cacheprovider")
        assert result.ret == 0, f"{where}\n{result.stdout.str()}"
    elif block.kind == "sh":
        _commands(block)
    else:
        _output(block)


def test_every_guide_block_works(pytester: pytest.Pytester,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NO_COLOR", "YIBAO_CONFIG", "YIBAO_AUDIT_DB", "YIBAO_NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    namespace: dict[str, Any] = {"__name__": "guide"}
    for block in guide_blocks():
        _check_block(block, pytester, namespace)
