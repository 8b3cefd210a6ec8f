"""The transport on real sockets (a tiny ``http.server`` on 127.0.0.1): finite timeouts, TLS
verification on, no urllib3 retries, and what ``sent`` says for each way a call can fail."""

from __future__ import annotations

import io
import json
import socket
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests
import responses
from test_client_helpers import CASHIER, ID_CARD, Platform, make_client, serve

from yibao_sdk.adapters.provincial.builtin_profiles import NATIONAL
from yibao_sdk.adapters.provincial.client import ProvincialClient
from yibao_sdk.adapters.provincial.errors import ProvincialError
from yibao_sdk.adapters.provincial.profiles import SignInPolicy
from yibao_sdk.adapters.provincial.signin import SignInFailedError
from yibao_sdk.adapters.provincial.transport import (
    ConnectError,
    ConnectionLostError,
    ReadTimeoutError,
    Transport,
)

LOOKUP = {"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": ID_CARD, "psn_cert_type": "01"}}
Behaviour = Callable[[BaseHTTPRequestHandler, dict[str, Any]], None]


def _answer(handler: BaseHTTPRequestHandler, body: bytes, kind: str = "application/json") -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", kind)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def sign_in_then(behaviour: Behaviour) -> Behaviour:
    """Answer 9001 normally and every other request with ``behaviour``."""

    def act(handler: BaseHTTPRequestHandler, body: dict[str, Any]) -> None:
        if body["infno"] == "9001":
            reply = {"infcode": 0, "output": {"signinoutb": {"sign_no": "SN1"}}}
            _answer(handler, json.dumps(reply).encode())
        else:
            behaviour(handler, body)

    return act


class Server:
    """A loopback HTTP server whose behaviour a test sets."""

    def __init__(self) -> None:
        self.behaviour: Behaviour = lambda handler, body: None
        self.bodies: list[dict[str, Any]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                body = json.loads(self.rfile.read(length))
                outer.bodies.append(body)
                outer.behaviour(self, body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/fsi/api/callService"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server() -> Iterator[Server]:
    running = Server()
    yield running
    running.close()


def _client(tmp_path: Path, url: str, **kw: Any) -> ProvincialClient:
    profile = NATIONAL.model_copy(update={"base_url": url})
    return make_client(tmp_path, profile, **kw)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_refused_connection_was_never_sent(tmp_path: Path) -> None:
    profile = NATIONAL.model_copy(update={
        "base_url": f"http://127.0.0.1:{_free_port()}/x",
        "sign_in": SignInPolicy(required=False)})
    with pytest.raises(ConnectError) as caught:
        make_client(tmp_path, profile).call("1101", LOOKUP, CASHIER)
    assert caught.value.sent is False and caught.value.outcome_unknown is False
    with pytest.raises(SignInFailedError) as failed:  # the sign-in meets the same fate
        _client(tmp_path, profile.base_url).call("1101", LOOKUP, CASHIER)
    assert isinstance(failed.value.__cause__, ConnectError)


def test_a_connection_closed_after_sending_is_lost_with_unknown_outcome(
        tmp_path: Path, server: Server) -> None:
    def hang_up(handler: BaseHTTPRequestHandler, body: dict[str, Any]) -> None:
        handler.close_connection = True
        handler.connection.shutdown(socket.SHUT_RDWR)

    server.behaviour = sign_in_then(hang_up)
    with pytest.raises(ConnectionLostError) as caught:
        _client(tmp_path, server.url).call("1101", LOOKUP, CASHIER)
    assert caught.value.sent is None and caught.value.outcome_unknown
    assert [b["infno"] for b in server.bodies] == ["9001", "1101", "1101", "1101"]


def test_a_slow_platform_times_out_after_the_read_timeout(tmp_path: Path,
                                                          server: Server) -> None:
    def slow(handler: BaseHTTPRequestHandler, body: dict[str, Any]) -> None:
        time.sleep(0.5)

    server.behaviour = sign_in_then(slow)
    client = _client(tmp_path, server.url, timeout=(1.0, 0.1))
    started = time.monotonic()
    with pytest.raises(ReadTimeoutError) as caught:
        client.call("1101", LOOKUP, CASHIER)
    assert caught.value.sent is None
    assert time.monotonic() - started < 3


def test_a_9102_file_comes_back_as_bytes(tmp_path: Path, server: Server) -> None:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("result.txt", "setl_id\tmsgid\n")

    def file(handler: BaseHTTPRequestHandler, body: dict[str, Any]) -> None:
        _answer(handler, archive.getvalue(), "application/zip")

    server.behaviour = sign_in_then(file)
    client = _client(tmp_path, server.url)
    reply = client.fetch_file({"fsDownloadIn": {"file_qury_no": "F1", "filename": "r.zip",
                                                "fixmedins_code": "H44010600001"}}, CASHIER)
    assert reply.members() == {"result.txt": b"setl_id\tmsgid\n"}
    with pytest.raises(ProvincialError, match="fetch_file"):
        client.call("9102", {}, CASHIER)


def test_timeouts_are_finite_and_urllib3_never_retries(tmp_path: Path) -> None:
    client = _client(tmp_path, "http://127.0.0.1:9/x")
    assert client.transport.timeout == (10.0, 60.0)
    for prefix in ("http://", "https://"):
        adapter = client.transport.session.get_adapter(prefix)
        assert adapter.max_retries.total == 0  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="finite"):
        Transport(NATIONAL, timeout=(10.0, float("inf")))
    own = requests.Session()
    Transport(NATIONAL, session=own)
    assert own.get_adapter("https://").max_retries.total == 0  # type: ignore[attr-defined]


class Recording(requests.Session):
    """A session that remembers the keyword arguments of each request."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[dict[str, Any]] = []

    def request(self, method: str | bytes, url: str | bytes, *args: Any,
                **kwargs: Any) -> requests.Response:
        self.seen.append(kwargs)
        return super().request(method, url, *args, **kwargs)


@responses.activate
def test_every_request_verifies_tls_with_finite_timeouts_and_no_redirects(
        tmp_path: Path) -> None:
    serve(Platform())
    session = Recording()
    make_client(tmp_path, session=session).call("1101", LOOKUP, CASHIER)
    assert [(k["verify"], k["timeout"], k["allow_redirects"]) for k in session.seen] == [
        (True, (10.0, 60.0), False)] * 2
