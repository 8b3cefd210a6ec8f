"""make demo: every built-in rule fires and one visit is green; the sample HL7 stay goes through
the real gateway (an implant with an invalid UDI refused with AE); the released visits settle
with the mock platform, each fund breakdown balancing; a lost reply ends in exactly one
settlement; a physician's 2207 is refused before sending; servers stop, also on error."""

from __future__ import annotations

import re
import socket
import threading
from pathlib import Path
from typing import Any

import pytest

from yibao_sdk.cli import main as cli_main
from yibao_sdk.demo import gateway_demo, settle_demo
from yibao_sdk.demo.cases import build_cases
from yibao_sdk.demo.output import Printer
from yibao_sdk.demo.provincial import FaultKind, MockPlatform
from yibao_sdk.demo.run import DemoResult, builtin_rule_ids, main, run_demo
from yibao_sdk.gateway import GatewayServer
from yibao_sdk.rules import Colour
from yibao_sdk.store import AuditLog

EXIT = {Colour.GREEN: 0, Colour.YELLOW: 1, Colour.RED: 2}
#: MSA-1 and ERR rule ids per sample message (demo/hl7/README.md).
ACKS = {
    "his_adt_a01_admit": ("AA", set()), "his_rde_o11_second_line": ("AE", {"YB-SECOND-LINE"}),
    "his_dft_p03_charges": ("AE", {"YB-IMPLANT-UDI"}), "his_dft_p03_gb18030": ("AA", set()),
    "his_dft_p03_teg": ("AE", {"YB-TEG-PREOP"}), "lis_oml_o21_teg": ("AA", set()),
    "lis_mdm_t02_preop": ("AA", set()), "lis_oru_r01_lab": ("AA", set()),
    "pacs_omi_o23_mri_1": ("AA", set()), "pacs_omi_o23_mri_2": ("AE", {"YB-MRI-24H"}),
    "pacs_oru_r01_report": ("AA", set()), "emr_mdm_t02_surgery": ("AA", set()),
}
ID_CARD = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
SERVER_THREADS = ("mock-province-", "yibao-fhir-http")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DemoResult]:
    out = tmp_path_factory.mktemp("demo")
    return out, run_demo(out, colour=False)


def _servers() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith(SERVER_THREADS)]


def _refused(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return True
    return False


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


def test_every_self_check_passes(demo: tuple[Path, DemoResult]) -> None:
    _, result = demo
    assert [text for ok, text in result.checks() if not ok] == []
    assert result.passed and not result.failures
    assert _servers() == []


def test_released_visits_are_the_green_the_overridden_and_the_reasoned(
        demo: tuple[Path, DemoResult]) -> None:
    _, result = demo
    assert result.released == {
        "V-GREEN": "green", "V-2ND": "red, released by a signed override",
        "V-STAY2": "yellow, reason recorded", "V-SHARE": "yellow, reason recorded",
        "V-CT": "yellow"}


def test_the_gateway_answers_the_stay_as_its_readme_says(demo: tuple[Path, DemoResult]) -> None:
    _, result = demo
    gateway = result.gateway
    assert gateway is not None
    found = {row.name: (row.code, {rule for _, rule, _ in row.errors}) for row in gateway.acks}
    assert found == ACKS
    assert [row.route for row in gateway.acks] == [route for _, route in gateway_demo.STAY]
    (udi,) = gateway.refused("YB-IMPLANT-UDI")
    assert (udi.message_type, udi.control_id) == ("DFT^P03", "DFT20260303001")
    assert any("校验位错误" in text for _, _, text in udi.errors)
    assert (gateway.fhir_status, gateway.fhir_verdict) == (200, "red")
    assert [rule for _, rule, _ in gateway.fhir_issues] == ["YB-PRICE-CAP"]
    assert gateway.stored == len(ACKS) + 1 and gateway.store.is_file()


def test_released_visits_settle_and_every_breakdown_balances(
        demo: tuple[Path, DemoResult]) -> None:
    _, result = demo
    settlement = result.settlement
    assert settlement is not None
    totals = {s.visit_id: (s.infno, str(s.result.total)) for s in settlement.settled}
    assert totals == {"V-2ND": ("2304", "411.00"), "V-STAY2": ("2304", "350.00"),
                      "V-SHARE": ("2304", "1000.00"), "V-GREEN": ("2207", "20.00")}
    for settled in settlement.settled:
        r = settled.result
        assert settled.balances, settled.visit_id
        assert r.fund_total + r.personal_account + r.mutual_aid + r.cash + r.hospital_part \
            == r.total
        assert settled.ledger == (r.total, r.fund_total, r.personal_account, r.cash)
    results = [s.result for s in settlement.settled]
    assert any(r.pooled_fund for r in results) and any(r.personal_account for r in results)
    assert any(r.cash for r in results) and any(r.preselfpay for r in results)
    assert settlement.skipped["V-UDI"] == "red, no accepted override"
    assert settlement.skipped["V-CT"] == "nothing billed"
    assert settlement.journal.is_file() and settlement.mock_db.is_file()


def test_the_lost_reply_is_resolved_without_settling_twice(
        demo: tuple[Path, DemoResult]) -> None:
    _, result = demo
    assert result.settlement is not None
    fault = result.settlement.fault
    assert fault is not None and fault.visit_id == settle_demo.FAULTED
    assert fault.settled_once and fault.platform_settlements == 1
    assert fault.wire[0] == "2207" and fault.wire.count("2207") == 1
    assert "5203" in fault.wire or "2601" in fault.wire
    assert [(infno, state) for _, infno, state, _ in fault.journal] == [
        ("2207", "confirmed_by_query")]


def test_the_physician_is_refused_before_sending_and_audited(
        demo: tuple[Path, DemoResult]) -> None:
    out, result = demo
    assert result.settlement is not None
    refusal = result.settlement.refusal
    assert refusal is not None and refusal.before_sending
    assert (refusal.operator, refusal.infno, refusal.sent) == ("D001", "2207", 0)
    assert "may not send 2207" in refusal.error
    log = AuditLog(out / "audit.sqlite3")
    try:
        denied = [e.data() for e in log.entries() if e.kind == "provincial.permission_denied"]
    finally:
        log.close()
    assert denied == [{"opter": "D001", "roles": ["physician"], "infno": "2207"}]


def test_when_5203_cannot_answer_the_settlement_is_reversed_then_settled_once(
        demo: tuple[Path, DemoResult], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    _, first = demo
    start = settle_demo.start_mock

    def failing_queries(*args: Any, **kwargs: Any) -> MockPlatform:
        mock = start(*args, **kwargs)
        mock.faults.next("5203", FaultKind.HTTP_5XX, times=5)
        return mock

    monkeypatch.setattr(settle_demo, "start_mock", failing_queries)
    log = AuditLog(tmp_path / "audit.sqlite3")
    try:
        result = settle_demo.run_settlements(tmp_path, build_cases(), first.released,
                                             audit_log=log, show=Printer())
    finally:
        log.close()
    fault = result.fault
    assert fault is not None and fault.settled_once
    assert fault.wire.count("2207") == 2 and fault.wire.count("2601") == 1
    assert [(infno, state) for _, infno, state, _ in fault.journal] == [
        ("2207", "reversed"), ("2601", "confirmed"), ("2207", "confirmed")]
    assert all(s.balances for s in result.settled)
    assert "reversed by 2601" in capsys.readouterr().out
    assert _servers() == []


def test_main_prints_every_section_plainly_and_exits_zero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--out", str(tmp_path)]) == 0  # captured stdout is no tty: no colour
    printed = capsys.readouterr().out
    for heading in ("== 1. Rules", "== 2. Gateway", "== 3. Settlement", "== 4. Self-check"):
        assert heading in printed
    assert "built-in rules that fired: 11/11" in printed
    assert "override signed by D002 + D003: accepted, order allowed" in printed
    assert "reason recorded for YB-SPLIT-STAY" in printed
    assert re.search(r"his_dft_p03_charges\.hl7 +DFT\^P03 +DFT20260303001 +AE  YB-IMPLANT-UDI",
                     printed)
    assert "POST /fhir/Bundle" in printed and "X-Yibao-Verdict red" in printed
    assert "total 411.00 = fund" in printed and "pre-self-pay 41.10" in printed
    assert "2207: refused before sending" in printed
    assert "settled exactly once" in printed
    assert f"provincial journal → {tmp_path / 'provincial-journal.sqlite3'}" in printed
    assert f"→ {tmp_path / 'audit.sqlite3'}" in printed
    assert "demo self-check passed" in printed and "✗" not in printed
    assert "\033[" not in printed
    log = (tmp_path / "demo.log").read_text(encoding="utf-8")
    assert "confirmed_by_query" in log
    for text in (printed, log):
        assert not ID_CARD.search(text) and "张三" not in text and "测试甲" not in text


def test_a_failing_settlement_stops_the_platform_and_fails_the_demo(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    started: list[MockPlatform] = []
    start = settle_demo.start_mock

    def recorded(*args: Any, **kwargs: Any) -> MockPlatform:
        started.append(start(*args, **kwargs))
        return started[-1]

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the cashier's terminal crashed")

    monkeypatch.setattr(settle_demo, "start_mock", recorded)
    monkeypatch.setattr(settle_demo.Flow, "settle_with_fault", broken)
    assert main(["--out", str(tmp_path), "--no-color"]) == 1
    printed = capsys.readouterr().out
    assert "section failed — settlement: RuntimeError: the cashier's terminal crashed" in printed
    assert "✗ the settlement whose reply was lost" in printed
    assert "demo self-check FAILED" in printed
    assert len(started) == 1 and _refused(started[0].port)
    assert _servers() == []


def test_a_failing_gateway_stops_its_listeners_and_fails_the_demo(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    bound: list[dict[str, int]] = []

    class RecordedServer(GatewayServer):
        async def start(self) -> None:
            await super().start()
            bound.append(dict(self.ports))

    class DroppingClient(gateway_demo.MllpClient):
        async def send(self, message: bytes | str, *, encoding: str = "utf-8") -> bytes:
            raise ConnectionResetError("peer went away")

    monkeypatch.setattr(gateway_demo, "GatewayServer", RecordedServer)
    monkeypatch.setattr(gateway_demo, "MllpClient", DroppingClient)
    result = run_demo(tmp_path, colour=False)
    assert result.gateway is None and not result.passed
    assert result.failures[0].startswith("gateway: ConnectionResetError: peer went away")
    assert result.settlement is not None  # the next section still ran
    (ports,) = bound
    assert set(ports) == {"his", "lis", "pacs"}
    assert all(_refused(port) for port in ports.values())
    assert _servers() == []
    assert "section failed — gateway" in capsys.readouterr().out
