"""Entry points of ``yibao serve`` and ``yibao replay`` (wired into :mod:`yibao_sdk.cli`).

Exit codes: 0 success (``replay``: no verdict changed), 1 ``replay`` found changed verdicts,
64 usage error, 65 bad data, 70 internal error, 74 a store cannot be opened or written, 78 bad
configuration. Errors are one ``yibao <command>: error: …`` line on stderr, scrubbed of ID-card
and phone numbers.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path

from yibao_sdk.cli_parser import Parser, UsageExit
from yibao_sdk.errors import ConfigError, InputError, YibaoError
from yibao_sdk.gateway.config import load_gateway_config
from yibao_sdk.gateway.replay import replay
from yibao_sdk.gateway.serve import GatewayServer, load_routers, open_gateway, run_until_signal
from yibao_sdk.gateway.service import GatewayService
from yibao_sdk.gateway.visits import VisitStoreError
from yibao_sdk.hl7v2 import Router
from yibao_sdk.privacy import scrub
from yibao_sdk.rules.engine import Engine
from yibao_sdk.settings import load_settings
from yibao_sdk.store.messages import MessageStore, MessageStoreError

__all__ = ["replay_main", "serve_main"]

EX_USAGE, EX_DATAERR, EX_SOFTWARE, EX_IOERR, EX_CONFIG = 64, 65, 70, 74, 78


def _port(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError("a port is 0 to 65535")
    return value


def _serve_parser() -> Parser:
    parser = Parser(prog="yibao serve", description="MLLP and FHIR gateway to the rules.")
    for name in ("his", "lis", "pacs"):
        parser.add_argument(f"--{name}", type=_port, metavar="PORT",
                            help=f"MLLP port for {name.upper()} (0: any free port)")
    parser.add_argument("--fhir", type=_port, metavar="PORT", help="FHIR HTTP port")
    parser.add_argument("--db", type=Path, required=True, metavar="DIR",
                        help="folder of messages.sqlite3 and visits.sqlite3")
    parser.add_argument("--config", type=Path, metavar="TOML",
                        help="hospital configuration with a [gateway] table "
                             "(default: YIBAO_CONFIG)")
    return parser


def _status(exc: YibaoError) -> int:
    if isinstance(exc, MessageStoreError | VisitStoreError):
        return EX_IOERR
    if isinstance(exc, ConfigError):
        return EX_CONFIG
    return EX_DATAERR if isinstance(exc, InputError) else EX_SOFTWARE


def _guard(prog: str, argv: Sequence[str] | None, run: _Runner) -> int:
    try:
        return run(list(sys.argv[1:] if argv is None else argv))
    except UsageExit as exc:
        return exc.status
    except YibaoError as exc:
        print(f"{prog}: error: " + " ".join(scrub(str(exc)).splitlines()), file=sys.stderr)
        return _status(exc)
    except KeyboardInterrupt:
        return 130


class _Runner:
    def __init__(self, command: str, routers: Mapping[str, Router] | None) -> None:
        self.command, self.routers = command, routers

    def __call__(self, argv: list[str]) -> int:
        return _serve(argv, self.routers) if self.command == "serve" else _replay(
            argv, self.routers)


def serve_main(argv: Sequence[str] | None = None, *,
               routers: Mapping[str, Router] | None = None) -> int:
    """``yibao serve --his PORT --lis PORT --pacs PORT --fhir PORT --db DIR --config TOML``.

    Runs until SIGINT or SIGTERM, then stops cleanly (exit 0). Once listening it prints one
    line, ``yibao serve: listening his=PORT … fhir=PORT``, on stdout.

    :param routers: route name → router; the HIS/LIS/PACS adapters by default.
    """
    return _guard("yibao serve", argv, _Runner("serve", routers))


def _config_path(given: Path | None) -> Path | None:
    return given if given is not None else load_settings().config


def _serve(argv: list[str], routers: Mapping[str, Router] | None) -> int:
    args = _serve_parser().parse_args(argv)
    engine_config, config = load_gateway_config(_config_path(args.config))
    listeners = {n: getattr(args, n) for n in ("his", "lis", "pacs")
                 if getattr(args, n) is not None}
    if not listeners and args.fhir is None:
        raise UsageExit(_usage("yibao serve", "give at least one of --his, --lis, --pacs, --fhir"))
    engine = Engine(config=engine_config)
    chosen = routers if routers is not None else load_routers(listeners, engine)
    gateway = open_gateway(args.db, engine, chosen, config)
    service = GatewayService(gateway, max_message_bytes=config.max_message_bytes)
    recovered = service.recover()
    if recovered:
        logging.getLogger("yibao_sdk.gateway").info("recovered %d messages", recovered)
    server = GatewayServer(service, listeners, fhir_port=args.fhir, host=config.host,
                           ssl=config.ssl_context(), mllp=config.mllp())
    try:
        asyncio.run(run_until_signal(server, retention_days=config.retention_days,
                                     ready=_announce))
    finally:
        gateway.messages.close()
        gateway.visits.close()
    return 0


def _announce(ports: dict[str, int]) -> None:
    listening = " ".join(f"{name}={port}" for name, port in ports.items())
    print(f"yibao serve: listening {listening}", flush=True)


def _usage(prog: str, message: str) -> int:
    print(f"{prog}: error: {message}", file=sys.stderr)
    return EX_USAGE


def replay_main(argv: Sequence[str] | None = None, *,
                routers: Mapping[str, Router] | None = None) -> int:
    """``yibao replay --db PATH --since DATE [--config TOML]``.

    Prints one line per changed verdict and a summary line; exit 0 when nothing changed, 1
    when something did.

    :param routers: route name → router; the HIS/LIS/PACS adapters by default.
    """
    return _guard("yibao replay", argv, _Runner("replay", routers))


def _replay(argv: list[str], routers: Mapping[str, Router] | None) -> int:
    parser = Parser(prog="yibao replay", description="Replay stored messages through the rules.")
    parser.add_argument("--db", type=Path, required=True, metavar="PATH",
                        help="the message store (a file, or the folder given to serve)")
    parser.add_argument("--since", type=date.fromisoformat, required=True, metavar="DATE",
                        help="replay messages received on or after DATE (YYYY-MM-DD)")
    parser.add_argument("--config", type=Path, metavar="TOML",
                        help="hospital configuration: the (newer) rules to replay with")
    args = parser.parse_args(argv)
    path = args.db / "messages.sqlite3" if args.db.is_dir() else args.db
    if not path.is_file():
        raise MessageStoreError(f"no message store at {path}")
    engine_config, config = load_gateway_config(_config_path(args.config))
    engine = Engine(config=engine_config)
    store = MessageStore(path)
    try:
        chosen = routers if routers is not None else load_routers(_routes(store), engine)
        report = replay(store, engine, chosen, since=args.since, policy=config.policy())
    finally:
        store.close()
    for change in report.changes:
        print(scrub(str(change)))
    print(f"yibao replay: {report.compared} messages since {args.since} compared "
          f"({report.replayed} replayed, {report.skipped} skipped) with rule pack "
          f"{report.rule_pack}: {len(report.changes)} changed verdicts")
    return 1 if report.changes else 0


def _routes(store: MessageStore) -> list[str]:
    return [route for route in store.routes() if route != "fhir"]
