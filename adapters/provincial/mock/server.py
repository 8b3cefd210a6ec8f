"""The HTTP server: :class:`MockPlatform` and :func:`start_mock`.

A :class:`http.server.ThreadingHTTPServer` (HTTP/1.1, keep-alive, one thread per connection)
routes each POST by the profile's URL style, draws faults at their three points (before the
body is read, before processing, after the commit; see :mod:`.faults`) and otherwise answers
what :class:`~.dispatch.Dispatcher` says. An unknown path is answered 404 with a gateway-style
``{"code", "type", "message"}`` body; a GET with 405. ::

    with start_mock(NATIONAL) as mock:              # 127.0.0.1, a free port
        profile = mock.client_profile               # the profile's URLs moved to mock.url
        mock.faults.next("2207", FaultKind.REPLY_LOST)
        ...
        assert len(mock.state.settlements()) == 1
"""

from __future__ import annotations

import ipaddress
import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from http import HTTPStatus
from pathlib import Path
from types import TracebackType
from typing import Any

from yibao_sdk.models.base import CHINA

from ..profiles import ProvinceProfile
from ..signing.base import PlatformSigner
from ..signing.registry import NoSigner, build_platform_signer
from .config import MockConfig
from .dispatch import Dispatcher, Incoming, Outgoing
from .faults import FaultKind, FaultPlan, FaultRule, FaultStage
from .handlers import MockEnv
from .routing import NoRoute, Router
from .seed import Person, coerce_persons
from .state import State
from .transport import (
    Connections,
    MockHTTPServer,
    MockRequestHandler,
    gateway_reply,
    html_reply,
    reset,
    send,
)

__all__ = ["MAX_BODY", "MockPlatform", "start_mock"]

MAX_BODY = 64 * 1024 * 1024
"""Largest request body accepted (bytes)."""
_log = logging.getLogger(__name__)


def _china_now() -> datetime:
    return datetime.now(CHINA).replace(tzinfo=None)


class MockPlatform:
    """A running mock provincial platform (see :func:`start_mock` for the parameters).

    :ivar state: the :class:`~.state.State` (persons, visits, settlements, …).
    :ivar faults: the :class:`~.faults.FaultPlan`; tests change it at runtime.
    :ivar profile: the profile it serves (URLs as configured).
    """

    def __init__(
        self,
        profile: ProvinceProfile,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        faults: FaultPlan | Mapping[str, Any] | None = None,
        persons: Iterable[Person] | Path | str | None = None,
        db: Path | str | None = None,
        config: MockConfig | None = None,
        signer: PlatformSigner | None = None,
        environ: Mapping[str, str] | None = None,
        clock: Callable[[], datetime] = _china_now,
    ) -> None:
        self.profile = profile
        self.config = config or MockConfig()
        self.faults = faults if isinstance(faults, FaultPlan) else \
            FaultPlan.from_mapping(faults or {})
        self.router = Router(profile)
        if signer is None:
            signer = build_platform_signer(profile.signer.scheme, profile.signer.settings,
                                           environ=environ) \
                if self.config.verify_signatures else NoSigner()
        seeded = coerce_persons(persons)  # a bad fixture fails before anything is opened
        self.state = State(db)
        self.env = MockEnv(profile, self.config, self.state, clock)
        self.dispatcher = Dispatcher(self.env, signer, self.router)
        self.connections = Connections()
        try:
            self.state.seed(seeded)
            self._server = MockHTTPServer((host, port), self)
        except BaseException:
            self.state.close()
            raise
        self._thread: threading.Thread | None = None
        if not ipaddress.ip_address(self.host).is_loopback:
            _log.warning("mock platform listening on %s, which is not a loopback address",
                         self.host)

    def __repr__(self) -> str:
        return f"MockPlatform({self.profile.name!r}, url={self.url!r})"

    @property
    def host(self) -> str:
        """The address listened on."""
        return str(self._server.server_address[0])

    @property
    def port(self) -> int:
        """The port listened on (the one the OS chose for port 0)."""
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """``http://host:port``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def client_profile(self) -> ProvinceProfile:
        """The profile with its base URLs pointing at this server."""
        return self.router.client_profile(self.url)

    def start(self) -> MockPlatform:
        """Serve in a background thread; returns ``self``."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._server.serve_forever,
                                            kwargs={"poll_interval": 0.05},
                                            name=f"mock-province-{self.port}", daemon=True)
            self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in this thread until :meth:`stop` (or KeyboardInterrupt)."""
        self._server.serve_forever(poll_interval=0.2)

    def stop(self) -> None:
        """Stop serving, end open connections and close the state (idempotent)."""
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self.connections.close_all()
        self._server.server_close()
        self.state.close()

    def __enter__(self) -> MockPlatform:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    # One request.

    def serve(self, h: MockRequestHandler) -> None:
        """Answer one POST (called by the request handler)."""
        try:
            path_infno = self.router.infno_of(h.path)
        except NoRoute as exc:
            self._body(h)
            send(h, gateway_reply(HTTPStatus.NOT_FOUND, str(exc)))
            return
        if self._inject(h, FaultStage.BEFORE_READ, path_infno, None):
            return
        body = self._body(h)
        if body is None:
            return
        prepared = self.dispatcher.prepare(Incoming(h.path, dict(h.headers), body), path_infno)
        if isinstance(prepared, Outgoing):
            send(h, prepared)
            return
        infno, msgid = prepared.infno, prepared.msgid
        if path_infno is None and self._inject(h, FaultStage.BEFORE_READ, infno, msgid,
                                               deferred=True):
            return
        if self._inject(h, FaultStage.BEFORE_PROCESS, infno, msgid):
            return
        reply = self.dispatcher.execute(prepared)
        if not self._inject(h, FaultStage.AFTER_COMMIT, infno, msgid, reply=reply):
            send(h, reply)

    @staticmethod
    def _body(h: MockRequestHandler) -> bytes | None:
        length = h.headers.get("Content-Length")
        if length is None or not length.isdigit() or int(length) > MAX_BODY:
            h.close_connection = True
            status = HTTPStatus.LENGTH_REQUIRED if length is None or not length.isdigit() \
                else HTTPStatus.REQUEST_ENTITY_TOO_LARGE
            send(h, gateway_reply(status, f"a Content-Length of at most {MAX_BODY} bytes is "
                                          "required"))
            return None
        return h.rfile.read(int(length))

    def _inject(self, h: MockRequestHandler, stage: FaultStage, infno: str | None,
                msgid: str | None, *, deferred: bool = False,
                reply: Outgoing | None = None) -> bool:
        """Apply the faults that fire here; True when the call ended."""
        for rule in self.faults.draw(stage, infno, msgid, deferred=deferred):
            if rule.kind is FaultKind.LATENCY:
                time.sleep(rule.delay)
            else:
                self._end(h, rule, reply)
                return True
        return False

    @staticmethod
    def _end(h: MockRequestHandler, rule: FaultRule, reply: Outgoing | None) -> None:
        if rule.kind is FaultKind.HTTP_5XX:
            send(h, html_reply(HTTPStatus(rule.status)))
        elif rule.kind is FaultKind.MALFORMED and reply is not None:
            send(h, Outgoing(200, reply.body[: max(1, len(reply.body) // 2)],
                             reply.content_type))
        elif rule.kind is FaultKind.REQUEST_LOST:
            reset(h)
        else:  # REPLY_LOST: committed, then the connection closes without an answer
            h.close_connection = True


def start_mock(
    profile: ProvinceProfile,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    faults: FaultPlan | Mapping[str, Any] | None = None,
    persons: Iterable[Person] | Path | str | None = None,
    db: Path | str | None = None,
    config: MockConfig | None = None,
    signer: PlatformSigner | None = None,
    environ: Mapping[str, str] | None = None,
    clock: Callable[[], datetime] = _china_now,
) -> MockPlatform:
    """Start a mock provincial platform in a background thread (stop it, or use ``with``).

    :param profile: the province profile whose URL style, names and signer it serves.
    :param host: address to listen on (loopback by default).
    :param port: port; 0 lets the OS choose (read :attr:`MockPlatform.port`).
    :param faults: a fault plan, or its mapping form (:meth:`~.faults.FaultPlan.from_mapping`);
        empty by default. :attr:`MockPlatform.faults` stays mutable.
    :param persons: persons to seed: objects, a fixture file, or ``None`` for the bundled one.
    :param db: SQLite file for the state (WAL); ``None`` keeps it in memory.
    :param config: behaviour beyond the profile (:class:`~.config.MockConfig`).
    :param signer: the platform side of the signer; default: built from the profile's
        ``[signer]`` with secrets from ``environ`` (none when signatures are not verified).
    :param environ: environment for ``*_env`` signer settings (default :data:`os.environ`).
    :param clock: China-local time now (settlement times, years, sign-in expiry).
    :raises SigningConfigError: the profile's signer cannot be built (a missing secret).
    :raises ValueError: the persons fixture is invalid.
    :raises OSError: the address cannot be bound.
    """
    platform = MockPlatform(profile, host=host, port=port, faults=faults, persons=persons,
                            db=db, config=config, signer=signer, environ=environ, clock=clock)
    return platform.start()
