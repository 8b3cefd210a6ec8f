"""``yibao serve``: MLLP listeners for HIS, LIS and PACS and the FHIR endpoint, until a signal.

Start-up: open the stores (``DIR/messages.sqlite3`` and ``DIR/visits.sqlite3``), process what a
crash left ``received``, purge by retention, then listen. Shutdown (SIGINT or SIGTERM): stop
accepting, answer every frame already read, finish the processing of acknowledged messages,
close the stores.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import importlib
import logging
import signal
import ssl as _ssl
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import cast

from yibao_sdk.errors import ConfigError
from yibao_sdk.gateway.config import GatewayConfig
from yibao_sdk.gateway.http import FhirEndpoint
from yibao_sdk.gateway.pipeline import Gateway
from yibao_sdk.gateway.service import GatewayService
from yibao_sdk.gateway.visits import VisitStore
from yibao_sdk.hl7v2 import Router
from yibao_sdk.hl7v2.mllp_server import MllpConfig, MllpServer
from yibao_sdk.rules.engine import Engine
from yibao_sdk.store.messages import MessageStore

__all__ = ["ADAPTERS", "GatewayServer", "load_routers", "open_gateway", "run_until_signal"]

log = logging.getLogger("yibao_sdk.gateway")

ADAPTERS = {"his": "yibao_sdk.adapters.his.hl7", "lis": "yibao_sdk.adapters.lis.hl7",
            "pacs": "yibao_sdk.adapters.pacs.hl7"}
"""Route name → the adapter module whose ``route(message, *, resolve=None)`` maps it."""
_DAY = 24 * 3600.0


def load_routers(names: Iterable[str], engine: Engine) -> dict[str, Router]:
    """The adapters' routers for ``names``, resolving item codes through ``engine``.

    :raises ConfigError: when an adapter is not installed.
    """
    routers: dict[str, Router] = {}
    for name in names:
        module_name = ADAPTERS.get(name)
        if module_name is None:
            raise ConfigError(f"no HL7 adapter for route {name!r} (known: {sorted(ADAPTERS)})")
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            raise ConfigError(f"the {name} HL7 adapter {module_name} cannot be loaded") from exc
        routers[name] = cast(Router, functools.partial(module.route,
                                                       resolve=engine.resolve_item_code))
    return routers


def open_gateway(db_dir: Path, engine: Engine, routers: Mapping[str, Router],
                 config: GatewayConfig) -> Gateway:
    """A gateway on the stores in ``db_dir`` (created ``0700`` if missing)."""
    db_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    messages = MessageStore(db_dir / "messages.sqlite3", durable=config.durable)
    visits = VisitStore(db_dir / "visits.sqlite3")
    return Gateway(engine, routers, visits, messages, config.policy())


class GatewayServer:
    """Every listener of one gateway.

    :param service: the gateway on its worker thread.
    :param listeners: MLLP route name → port (``0`` picks a free one).
    :param fhir_port: the FHIR endpoint's port, or ``None`` for none.
    :param host: listen address.
    :param ssl: TLS for every listener, or ``None``.
    :param mllp: MLLP limits.
    """

    def __init__(self, service: GatewayService, listeners: Mapping[str, int], *,
                 fhir_port: int | None = None, host: str = "127.0.0.1",
                 ssl: _ssl.SSLContext | None = None, mllp: MllpConfig | None = None) -> None:
        handler = service.mllp_handler()
        self.service = service
        self.mllp = [MllpServer(handler, host=host, port=port, ssl=ssl, config=mllp, name=name)
                     for name, port in listeners.items()]
        self.fhir = None if fhir_port is None else FhirEndpoint(
            service.fhir_bundle, host=host, port=fhir_port, ssl=ssl)

    @property
    def ports(self) -> dict[str, int]:
        """Listener name (and ``fhir``) → bound port."""
        found = {server.name: server.port for server in self.mllp}
        if self.fhir is not None:
            found["fhir"] = self.fhir.port
        return found

    async def start(self) -> None:
        """Start every listener."""
        self.service.bind(asyncio.get_running_loop())
        for server in self.mllp:
            await server.start()
        if self.fhir is not None:
            self.fhir.start()

    async def stop(self) -> None:
        """Stop listening, drain in-flight messages, finish queued processing."""
        await asyncio.gather(*(server.stop() for server in self.mllp))
        if self.fhir is not None:
            await asyncio.to_thread(self.fhir.stop)
        self.service.close()


async def _retention(service: GatewayService, days: int) -> None:
    while True:
        purged = service.gateway.messages.purge(days)
        log.info("retention: %d processed messages older than %d days purged", purged, days)
        await asyncio.sleep(_DAY)


async def run_until_signal(server: GatewayServer, *, retention_days: int | None = None,
                           ready: Callable[[dict[str, int]], None] | None = None) -> None:
    """Start ``server``, call ``ready`` with its ports, and stop it on SIGINT or SIGTERM."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await server.start()
    keeper = None
    if retention_days is not None:
        keeper = asyncio.create_task(_retention(server.service, retention_days))
    try:
        if ready is not None:
            ready(server.ports)
        await stop.wait()
        log.info("signal received: stopping")
    finally:
        if keeper is not None:
            keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keeper
        await server.stop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
