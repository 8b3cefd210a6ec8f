"""HTTP plumbing of the mock platform: the threading server, the request handler, writing a
reply in one piece, resetting a connection, and the open-connection registry.

The handler hands every POST to a :class:`Service` (the :class:`~.server.MockPlatform`);
replies are written as one ``send`` (status line, headers, body) on a ``TCP_NODELAY`` socket,
so keep-alive round trips are not held up by Nagle's algorithm.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import struct
import threading
from email.utils import formatdate
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Protocol
from urllib.parse import quote

from .. import jsonwire
from .dispatch import Outgoing

__all__ = ["Connections", "MockHTTPServer", "MockRequestHandler", "Service", "gateway_reply",
           "html_reply", "reset", "send"]

_log = logging.getLogger(__name__)
_HTML = "<html><head><title>{0}</title></head><body><h1>{0}</h1></body></html>"


class Connections:
    """Open client sockets, so that a stopping server can end keep-alive threads."""

    def __init__(self) -> None:
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._open)

    def add(self, sock: socket.socket) -> None:
        """Register a connection."""
        with self._lock:
            self._open.add(sock)

    def discard(self, sock: socket.socket) -> None:
        """Forget a connection."""
        with self._lock:
            self._open.discard(sock)

    def close_all(self) -> None:
        """Shut every open connection down (their threads then end)."""
        with self._lock:
            open_now, self._open = list(self._open), set()
        for sock in open_now:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class Service(Protocol):
    """What the request handler needs from the platform."""

    connections: Connections

    def serve(self, h: MockRequestHandler) -> None:
        """Answer one POST."""
        ...


class MockHTTPServer(ThreadingHTTPServer):
    """One daemon thread per connection; IPv4 or IPv6 by the address given."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], service: Service) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.service = service
        super().__init__(address, MockRequestHandler)


class MockRequestHandler(BaseHTTPRequestHandler):
    """HTTP/1.1 with keep-alive; POST goes to the service, GET is refused."""

    protocol_version = "HTTP/1.1"
    server_version = "yibao-mock-province"
    timeout = 30  # an idle keep-alive connection is closed after this many seconds
    server: MockHTTPServer

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.service.connections.add(self.connection)

    def finish(self) -> None:
        self.server.service.connections.discard(self.connection)
        with contextlib.suppress(OSError):  # the connection may have been reset on purpose
            super().finish()

    def do_POST(self) -> None:
        self.server.service.serve(self)

    def do_GET(self) -> None:
        send(self, gateway_reply(HTTPStatus.METHOD_NOT_ALLOWED, "POST only"))

    def log_message(self, format: str, *args: object) -> None:
        _log.debug("%s " + format, self.address_string(), *args)


def gateway_reply(status: HTTPStatus, message: str) -> Outgoing:
    """A gateway-style error (``{"code", "type", "message"}``), not an envelope."""
    body = {"code": str(status.value), "type": "error", "message": message}
    return Outgoing(status.value, jsonwire.dumps(body))


def html_reply(status: HTTPStatus) -> Outgoing:
    """The HTML error page a front-end proxy shows on a 5xx."""
    page = _HTML.format(f"{status.value} {status.phrase}").encode("utf-8")
    return Outgoing(status.value, page, "text/html;charset=UTF-8")


def send(h: MockRequestHandler, reply: Outgoing) -> None:
    """Write ``reply`` in one piece; honours ``Connection: close``."""
    status = HTTPStatus(reply.status)
    headers = {"Server": h.version_string(), "Date": formatdate(usegmt=True),
               "Content-Type": reply.content_type, "Content-Length": str(len(reply.body)),
               **reply.headers}
    if h.close_connection or h.headers.get("Connection", "").lower() == "close":
        h.close_connection = True
        headers["Connection"] = "close"
    head = f"HTTP/1.1 {status.value} {status.phrase}\r\n" + "".join(
        f"{name}: {_latin1(value)}\r\n" for name, value in headers.items())
    try:
        h.wfile.write(head.encode("latin-1") + b"\r\n" + reply.body)
    except OSError:
        h.close_connection = True  # the client went away


def reset(h: MockRequestHandler) -> None:
    """Close the connection with a TCP reset (RST), whatever is left unread."""
    h.close_connection = True
    h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    h.rfile.close()
    h.connection.close()


def _latin1(value: str) -> str:
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        return quote(value, safe=" ;=\"/")
    return value
