"""make demo: every built-in rule fires at least once, one visit is green, cases re-check."""

from __future__ import annotations

from pathlib import Path

import pytest

from yibao_sdk.cli import main as cli_main
from yibao_sdk.demo.run import DemoResult, builtin_rule_ids, main, run_demo
from yibao_sdk.rules import Colour

EXIT = {Colour.GREEN: 0, Colour.YELLOW: 1, Colour.RED: 2}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DemoResult]:
    out = tmp_path_factory.mktemp("demo")
    return out, run_demo(out, colour=False)


def test_every_builtin_rule_fires_and_one_visit_is_green(demo: tuple[Path, DemoResult]) -> None:
    _, result = demo
    assert result.missing(builtin_rule_ids()) == []
    assert Colour.GREEN in result.colours.values()
    assert len(builtin_rule_ids()) == 11


def test_the_audit_log_holds_every_verdict_and_verifies(demo: tuple[Path, DemoResult]) -> None:
    _, result = demo
    assert result.audit_entries > 20


def test_written_cases_give_the_same_colour_through_the_cli(
    demo: tuple[Path, DemoResult], capsys: pytest.CaptureFixture[str]
) -> None:
    out, result = demo
    files = sorted((out / "cases").glob("*.json"))
    assert len(files) == len(result.colours)
    for path in files:
        visit_id = path.stem.split("-", 1)[1].upper()
        expected = EXIT[result.colours[visit_id]]
        assert cli_main(["check", str(path), "--no-color"]) == expected, path.name
    assert "张三" not in capsys.readouterr().out


def test_main_exits_zero_and_prints_the_self_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--out", str(tmp_path), "--no-color"]) == 0
    printed = capsys.readouterr().out
    assert "built-in rules that fired: 11/11" in printed
    assert "override signed by D002 + D003: accepted, order allowed" in printed
    assert "refused" in printed
