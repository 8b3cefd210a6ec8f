"""``serve_main``: listeners from the command line, a clean stop on SIGTERM, configuration."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap
import urllib.request
from pathlib import Path

import pytest
from test_gateway_support import ADT, dft, engine, msa, run

from yibao_sdk.errors import ConfigError
from yibao_sdk.fhir import bundle_from_visit, dumps
from yibao_sdk.gateway import AckMode, load_gateway_config, load_routers
from yibao_sdk.gateway.cli import serve_main
from yibao_sdk.hl7v2.mllp_client import MllpClient
from yibao_sdk.store.messages import MessageState, MessageStore
from yibao_sdk.testing import factories as f

HERE = Path(__file__).resolve().parent
CONFIG = """
[hospital]
code = "H44010600001"
name = "示例医院"
level = "3"

[engine]
entry_points = false
plugin_dir = "rules"

[gateway]
ack = "after_rules"
idle_timeout = 30
retention_days = 90

[gateway.routes.lis]
ack = "after_store"
encoding = "GB18030"

[gateway.receivers]
"YBGW-LIS" = "lis"
"""
PLUGIN = """
from yibao_sdk.rules import RuleSpec, Severity, Stage, hookimpl, subject_of

@hookimpl
def yibao_register_rules(register):
    register(RuleSpec(rule_id="T-BLOCK", name="禁用项目", category="测试",
                      stages=frozenset(Stage), default_severity=Severity.BLOCK))

@hookimpl
def yibao_check_charge(charge, context):
    if charge.item_code.startswith("X"):
        yield context.finding("T-BLOCK", subject_of(charge), "项目不予医保支付")
"""
SERVE = textwrap.dedent("""
    import sys
    sys.path.insert(0, sys.argv[1])
    from test_gateway_support import router
    from yibao_sdk.gateway.cli import serve_main
    sys.exit(serve_main(sys.argv[2:], routers={"his": router}))
""")


def write_config(folder: Path) -> Path:
    (folder / "rules").mkdir()
    (folder / "rules" / "serve_rules.py").write_text(PLUGIN, encoding="utf-8")
    path = folder / "hospital.toml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


def test_serve_config_builds_the_policy(tmp_path: Path) -> None:
    path = write_config(tmp_path)
    engine_config, config = load_gateway_config(path)
    assert engine_config.hospital is not None and engine_config.hospital.code == "H44010600001"
    policy = config.policy()
    assert policy.for_route("his").ack is AckMode.AFTER_RULES
    lis = policy.for_route("lis")
    assert lis.ack is AckMode.AFTER_STORE and lis.encoding == "GB18030" and lis.reject == "AR"
    assert policy.route_for("his", "YBGW-LIS") == "lis" and policy.route_for("his") == "his"
    assert config.mllp().idle_timeout == 30 and config.ssl_context() is None
    assert load_gateway_config(None)[1].durable is True


def test_serve_config_errors(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("[gateway]\nmax_message_bytes = -1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"gateway\.max_message_bytes"):
        load_gateway_config(path)
    path.write_text("[gateway]\ntls_cert = 'missing.pem'\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="cannot load"):
        load_gateway_config(path)[1].ssl_context()
    with pytest.raises(ConfigError, match="no HL7 adapter for route 'ris'"):
        load_routers(["ris"], engine())


def test_serve_main_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert serve_main(["--his", "99999", "--db", str(tmp_path)]) == 64
    assert serve_main(["--db", str(tmp_path)]) == 64
    assert "at least one of" in capsys.readouterr().err
    assert serve_main(["--fhir", "0", "--db", str(tmp_path)], routers={}) == 78  # no hospital


def test_serve_main_serves_mllp_and_fhir_until_sigterm(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    db = tmp_path / "db"
    process = subprocess.Popen(
        [sys.executable, "-c", SERVE, str(HERE), "--his", "0", "--fhir", "0", "--db", str(db),
         "--config", str(config)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("yibao serve: listening "), line + process.stderr.read()
        ports = dict(p.split("=") for p in line.split("listening ")[1].split())
        acks = run(lambda: _send(int(ports["his"])))
        assert [a[:2] for a in acks] == [("AA", "ADT0001"), ("AE", "RED1")]
        body = dumps(bundle_from_visit(f.visit(visit_id="FV9"))).encode()
        request = urllib.request.Request(f"http://127.0.0.1:{ports['fhir']}/fhir/Bundle",
                                         data=body, method="POST")
        with urllib.request.urlopen(request, timeout=20) as answer:
            assert answer.status == 200
            assert json.loads(answer.read())["issue"][0]["diagnostics"].startswith(
                "verdict green")
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    store = MessageStore(db / "messages.sqlite3")
    assert [r.state for r in store.list()] == [MessageState.PROCESSED] * 3
    assert [r.route for r in store.list()] == ["his", "his", "fhir"]


async def _send(port: int) -> list[tuple[str, str, list[str]]]:
    async with MllpClient("127.0.0.1", port, timeout=20) as client:
        red = dft(("C1", "X1", 1, "1"), control_id="RED1")
        return [msa(await client.send(raw)) for raw in (ADT, red)]


def test_serve_main_stops_on_sigint_with_no_traffic(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    process = subprocess.Popen(
        [sys.executable, "-c", SERVE, str(HERE), "--his", "0", "--db", str(tmp_path / "db"),
         "--config", str(config)], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        assert process.stdout.readline().startswith("yibao serve: listening his=")
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=20) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
