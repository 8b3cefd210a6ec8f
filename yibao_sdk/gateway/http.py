"""The FHIR HTTP endpoint: ``POST /fhir/Bundle`` on a stdlib server in a background thread.

Answers are ``application/fhir+json`` OperationOutcomes (shape in :mod:`yibao_sdk.gateway.fhir`):
200 after the rules, 400 for a Bundle that does not map, 404 for another path, 405 for another
method, 411/413 for a missing or too large body, 500 (an ``exception`` issue, no internals) when
the gateway fails. Logs name the peer and the status, never the body.
"""

from __future__ import annotations

import json
import logging
import ssl as _ssl
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from yibao_sdk.gateway.fhir import colour_of

__all__ = ["BundleHandler", "FhirEndpoint"]

log = logging.getLogger("yibao_sdk.gateway.http")

BundleHandler = Callable[[bytes, str], tuple[int, dict[str, Any]]]
"""``(body, peer) -> (status, OperationOutcome)``."""
PATH = "/fhir/Bundle"


def _outcome(code: str, text: str, severity: str = "error") -> dict[str, Any]:
    return {"resourceType": "OperationOutcome",
            "issue": [{"severity": severity, "code": code, "diagnostics": text}]}


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        if self.path.split("?", 1)[0].rstrip("/") != PATH:
            self._answer(404, _outcome("not-found", f"only POST {PATH} is served"))
            return
        length = self.headers.get("Content-Length")
        if length is None or not length.isdigit():
            self._answer(411, _outcome("structure", "Content-Length required"))
            return
        if int(length) > self.server.max_body:
            self._answer(413, _outcome("too-costly", f"body over {self.server.max_body} bytes"))
            self.close_connection = True
            return
        body = self.rfile.read(int(length))
        try:
            status, outcome = self.server.bundles(body, f"{self.client_address[0]}:"
                                                        f"{self.client_address[1]}")
        except Exception as exc:
            log.error("FHIR endpoint failed (%s)", type(exc).__name__)
            status, outcome = 500, _outcome("exception", "internal error", "fatal")
        self._answer(status, outcome)

    def do_GET(self) -> None:
        self._answer(405, _outcome("not-supported", f"only POST {PATH} is served"))

    do_PUT = do_DELETE = do_PATCH = do_GET

    def _answer(self, status: int, outcome: dict[str, Any]) -> None:
        data = json.dumps(outcome, ensure_ascii=False, default=str).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/fhir+json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        colour = colour_of(outcome) if status == 200 else ""
        if colour:
            self.send_header("X-Yibao-Verdict", colour)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        log.info("%s %s", self.address_string(), format % args)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], bundles: BundleHandler,
                 max_body: int) -> None:
        super().__init__(address, _Handler)
        self.bundles = bundles
        self.max_body = max_body


class FhirEndpoint:
    """``POST /fhir/Bundle`` served from a background thread.

    :param bundles: does the work (see :meth:`GatewayService.fhir_bundle`).
    :param host: address to bind; loopback by default.
    :param port: port to bind; ``0`` picks a free one (see :attr:`port`).
    :param ssl: a server :class:`ssl.SSLContext` for HTTPS, or ``None``.
    :param max_body: largest body accepted, in bytes.
    """

    def __init__(self, bundles: BundleHandler, *, host: str = "127.0.0.1", port: int = 0,
                 ssl: _ssl.SSLContext | None = None, max_body: int = 8 * 1024 * 1024) -> None:
        self._server = _Server((host, port), bundles, max_body)
        if ssl is not None:
            self._server.socket = ssl.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        name="yibao-fhir-http", daemon=True)

    @property
    def port(self) -> int:
        """The bound port."""
        return int(self._server.server_address[1])

    def start(self) -> None:
        """Start serving in the background."""
        self._thread.start()
        log.info("FHIR endpoint on port %d", self.port)

    def stop(self) -> None:
        """Stop accepting and close the socket (a Bundle already handed to the gateway is still
        finished by its worker thread; see :meth:`GatewayService.close`). Safe before
        :meth:`start` (``shutdown`` would wait forever for a loop that never ran)."""
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join(timeout=10)
        self._server.server_close()
