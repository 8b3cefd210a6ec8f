"""Replay: stored messages through a newer rule pack, reporting the verdicts that changed."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from test_gateway_support import ADT, dft, engine, make_gateway, router

from yibao_sdk.gateway import load_gateway_config, replay
from yibao_sdk.gateway.cli import replay_main
from yibao_sdk.gateway.pipeline import Gateway
from yibao_sdk.gateway.visits import VisitStore
from yibao_sdk.models.base import CHINA
from yibao_sdk.rules import Engine
from yibao_sdk.store.messages import MessageStore

YELLOW = dft(("C020", "001102000030000", 9, "2"), control_id="YEL1")
GREEN = dft(("C021", "001102000030000", 1, "2"), control_id="GRN1")

PLUGIN = '''
from yibao_sdk.rules import RuleSpec, Param, Severity, Stage, hookimpl, subject_of

@hookimpl
def yibao_register_rules(register):
    register(RuleSpec(rule_id="T-QTY", name="数量上限", category="测试",
                      stages=frozenset(Stage), default_severity=Severity.WARN,
                      parameters=(Param("limit", int, 5, "上限"),)))

@hookimpl
def yibao_check_charge(charge, context):
    if charge.quantity > context.params("T-QTY")["limit"]:
        yield context.finding("T-QTY", subject_of(charge), f"数量{charge.quantity}超过上限")
'''


def test_replay_reports_a_verdict_changed_by_the_configuration(tmp_path: Path) -> None:
    gateway = make_gateway(tmp_path)
    for raw in (ADT, YELLOW, GREEN):
        gateway.handle(raw, "10.0.0.1:5000", "his")
    stricter = engine({"T-QTY": {"severity": "block"}})
    report = replay(gateway.messages, stricter, {"his": router}, since=date(2020, 1, 1))
    assert report.compared == 3 and report.replayed == 3 and report.skipped == 0
    assert [(c.control_id, c.subject, c.before, c.after) for c in report.changes] == [
        ("YEL1", "charge:C020", "yellow T-QTY:warn", "red T-QTY:block")]
    assert report.rule_pack == stricter.rule_pack != gateway.engine.rule_pack
    assert "YEL1 charge:C020: yellow T-QTY:warn → red T-QTY:block" in str(report.changes[0])
    same = replay(gateway.messages, engine(), {"his": router}, since=date(2020, 1, 1))
    assert same.changes == ()
    assert gateway.visits.get("ZY001") is not None  # the real visits are untouched


def test_replay_runs_earlier_messages_of_the_same_visit_without_comparing_them(
        tmp_path: Path) -> None:
    now = [datetime(2026, 3, 1, 9, tzinfo=CHINA)]
    gateway = make_gateway(tmp_path, clock=lambda: now[0])
    gateway.handle(ADT, "p", "his")  # 1 March: registers ZY001
    gateway.handle(dft(("C9", "001", 1, "1"), visit_id="OTHER", control_id="LOST"), "p", "his")
    now[0] = datetime(2026, 3, 5, 9, tzinfo=CHINA)
    gateway.handle(YELLOW, "p", "his")
    stricter = engine({"T-QTY": {"severity": "block"}})
    report = replay(gateway.messages, stricter, {"his": router}, since=date(2026, 3, 3))
    assert (report.compared, report.replayed) == (1, 2)  # the ADT ran again, uncompared
    assert [c.control_id for c in report.changes] == ["YEL1"]


def _config(folder: Path, severity: str) -> Path:
    (folder / "rules").mkdir(exist_ok=True)
    (folder / "rules" / "gw_rules.py").write_text(PLUGIN, encoding="utf-8")
    path = folder / f"hospital-{severity}.toml"
    path.write_text(f'''
[hospital]
code = "H44010600001"
name = "示例医院"
level = "3"

[engine]
plugin_dir = "rules"
entry_points = false

[rules."T-QTY"]
severity = "{severity}"

[gateway]
ack = "after_rules"
''', encoding="utf-8")
    return path


def test_replay_main_prints_changes_and_exits_1(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    engine_config, gateway_config = load_gateway_config(_config(tmp_path, "warn"))
    messages = MessageStore(tmp_path / "messages.sqlite3")
    gateway = Gateway(Engine(config=engine_config), {"his": router}, VisitStore(), messages,
                      gateway_config.policy())
    for raw in (ADT, YELLOW):
        gateway.handle(raw, "p", "his")
    messages.close()
    argv = ["--db", str(tmp_path), "--since", "2020-01-01"]
    assert replay_main([*argv, "--config", str(_config(tmp_path, "block"))],
                       routers={"his": router}) == 1
    out = capsys.readouterr().out
    assert "charge:C020: yellow T-QTY:warn → red T-QTY:block" in out
    assert "2 messages since 2020-01-01 compared" in out and "1 changed verdicts" in out
    assert replay_main([*argv, "--config", str(_config(tmp_path, "warn"))],
                       routers={"his": router}) == 0


def test_replay_main_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert replay_main(["--db", str(tmp_path / "none.sqlite3"), "--since", "2020-01-01"]) == 74
    assert "no message store" in capsys.readouterr().err
    assert replay_main(["--db", str(tmp_path), "--since", "yesterday"]) == 64
    MessageStore(tmp_path / "messages.sqlite3").close()
    bad = tmp_path / "bad.toml"
    bad.write_text("[gateway]\nack = 'sometimes'\n", encoding="utf-8")
    assert replay_main(["--db", str(tmp_path), "--since", "2020-01-01",
                        "--config", str(bad)]) == 78
    assert "gateway.ack" in capsys.readouterr().err
