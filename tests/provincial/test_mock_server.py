"""The server itself: attributes and stopping, a file database surviving a restart, the CLI
in the foreground, HTTP-level answers, and the throughput function."""

from __future__ import annotations

import os
import select
import signal
import socket
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
import requests

from yibao_sdk.adapters.provincial.builtin_profiles import NATIONAL
from yibao_sdk.adapters.provincial.mock import MockPlatform, start_mock
from yibao_sdk.adapters.provincial.mock.bench import mock_throughput
from yibao_sdk.adapters.provincial.mock.cli import main
from yibao_sdk.adapters.provincial.mock.harness import MockClient
from yibao_sdk.adapters.provincial.mock.samples import EMPLOYEE, open_outpatient, settle_input
from yibao_sdk.adapters.provincial.reply import Reply

GZ = "440100"


def test_attributes_and_idempotent_stop() -> None:
    mock = start_mock(NATIONAL)
    try:
        assert mock.host == "127.0.0.1" and mock.port > 0
        assert mock.url == f"http://127.0.0.1:{mock.port}"
        assert mock.client_profile.base_url == f"{mock.url}/fsi/api/rsfComIfsService/callService"
        assert repr(mock) == f"MockPlatform('national', url='{mock.url}')"
    finally:
        mock.stop()
    mock.stop()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", mock.port), timeout=1).close()


def test_stop_ends_idle_keep_alive_connections() -> None:
    mock = start_mock(NATIONAL)
    with MockClient(mock) as client:
        client.sign_in()  # leaves a keep-alive connection open in the pool
        assert len(mock.connections) == 1
        started = time.monotonic()
        mock.stop()
        assert time.monotonic() - started < 2 and len(mock.connections) == 0
        with pytest.raises(requests.ConnectionError):
            client.sign_in()


def test_a_file_database_survives_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "mock.sqlite3"
    with start_mock(NATIONAL, db=db) as mock, MockClient(mock) as client:
        sign_no = client.sign_in()
        mdtrt_id, total = open_outpatient(client)
        settle = client.build("2207", settle_input(EMPLOYEE, mdtrt_id, total),
                              insuplc_admdvs=GZ)
        first = client.send(settle)
    assert isinstance(first, Reply)
    with start_mock(NATIONAL, db=db) as again, MockClient(again) as client:
        client.sign_no = sign_no  # still valid
        assert again.state.balance(EMPLOYEE.psn_no) == Decimal("0.00")  # not re-seeded
        same = client.build("2207", settle_input(EMPLOYEE, mdtrt_id, total),
                            insuplc_admdvs=GZ, msgid=settle.msgid)  # the new port's URL
        replay = client.send(same)
        assert isinstance(replay, Reply) and "duplicate msgid" in replay.warn_msg
        assert replay.output.setlinfo.setl_id == first.output.setlinfo.setl_id
        assert len(again.state.settlements()) == 1
        assert again.state.query("PRAGMA journal_mode") == [{"journal_mode": "wal"}]


def test_http_level_answers(tmp_path: Path) -> None:
    with start_mock(NATIONAL) as mock:
        with socket.create_connection(("127.0.0.1", mock.port), timeout=5) as sock:
            sock.sendall(b"POST /fsi/api/rsfComIfsService/callService HTTP/1.1\r\n"
                         b"Host: x\r\nConnection: close\r\n\r\n")
            answer = sock.recv(4096)
        assert answer.startswith(b"HTTP/1.1 411 ") and b'"code":"411"' in answer


def test_cli_runs_in_the_foreground_until_interrupted() -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "yibao_sdk.adapters.provincial.mock", "--port", "0",
               "--profile", "national", "--level", "2"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                          text=True, env=env) as process:
        try:
            assert process.stdout is not None
            ready, _, _ = select.select([process.stdout], [], [], 20)
            assert ready, "the CLI did not announce its URL within 20 s"
            line = process.stdout.readline()
            assert "mock provincial platform (national) on http://127.0.0.1:" in line
            base = line.split("base URL ")[1].split(". ")[0]
            profile = NATIONAL.model_copy(update={"base_url": base})
            with MockClient(profile) as client:
                client.sign_in()
                mdtrt_id, total = open_outpatient(client)
                reply = client.call("2206", settle_input(EMPLOYEE, mdtrt_id, total),
                                    insuplc_admdvs=GZ)
                assert reply.output.setlinfo.pool_prop_selfpay == Decimal("0.85")  # level 2
            process.send_signal(signal.SIGINT)
            assert process.wait(timeout=10) == 0
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)


def test_cli_stops_on_sigterm() -> None:
    command = [sys.executable, "-m", "yibao_sdk.adapters.provincial.mock", "--port", "0"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                          text=True) as process:
        try:
            assert process.stdout is not None
            ready, _, _ = select.select([process.stdout], [], [], 20)
            assert ready and "on http://127.0.0.1:" in process.stdout.readline()
            process.terminate()
            assert process.wait(timeout=10) == 0
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)


def test_cli_configuration_errors(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["--profile", str(tmp_path / "nope.toml"), "--port", "0"]) == 2
    assert "cannot read" in capsys.readouterr().err
    assert main(["--profile", "guangdong", "--port", "0"]) == 2  # no x-tif secret set
    assert "YIBAO_TIF" in capsys.readouterr().err


def test_throughput_function() -> None:
    assert mock_throughput(0.3) > 50


def test_platform_without_start_can_be_stopped() -> None:
    platform = MockPlatform(NATIONAL)
    platform.stop()
