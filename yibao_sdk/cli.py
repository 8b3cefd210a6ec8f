"""The ``yibao`` command line: check a case file, list the loaded rules, verify the audit log."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from yibao_sdk._version import __version__
from yibao_sdk.cases import Case, engine_for_case, load_case
from yibao_sdk.cli_audit import CommandFailed, add_audit_commands, open_audit_log
from yibao_sdk.cli_delegates import DELEGATES, add_delegate_help, run_delegate
from yibao_sdk.cli_parser import Parser, UsageExit
from yibao_sdk.cli_render import render_report, render_rules, report_json, rules_json
from yibao_sdk.errors import (
    AuditLogError,
    ConfigError,
    InputError,
    RuleError,
    YibaoError,
)
from yibao_sdk.models.patient import Hospital, HospitalLevel
from yibao_sdk.privacy import scrub
from yibao_sdk.rules.config import EngineConfig, load_config
from yibao_sdk.rules.engine import Engine
from yibao_sdk.rules.findings import Colour
from yibao_sdk.rules.loading import load_plugin_file
from yibao_sdk.settings import Settings, load_settings
from yibao_sdk.store.auditlog import AuditLog

__all__ = ["EX_CONFIG", "EX_DATAERR", "EX_IOERR", "EX_SOFTWARE", "EX_USAGE", "main"]

EX_USAGE, EX_DATAERR, EX_SOFTWARE, EX_IOERR, EX_CONFIG = 64, 65, 70, 74, 78
_BY_COLOUR = {Colour.GREEN: 0, Colour.YELLOW: 1, Colour.RED: 2}
_BY_ERROR: tuple[tuple[type[YibaoError], int], ...] = (
    (InputError, EX_DATAERR),
    (ConfigError, EX_CONFIG),
    (AuditLogError, EX_IOERR),
    (RuleError, EX_SOFTWARE),
)
_LISTING_HOSPITAL = Hospital(code="-", name="(rules list)", level=HospitalLevel.LEVEL3)
"""Listing rules needs no real hospital; this stands in when the configuration has none."""


def main(argv: list[str] | None = None) -> int:
    """Run the ``yibao`` command with ``argv`` (default: ``sys.argv[1:]``); return the exit code.

    Exit codes (``sysexits.h`` where one fits; 1 and 2 are the verdict colours):

    * 0: green / OK;
    * 1: yellow (``check``); a broken, missing or unreadable audit log, or one that does not
      reach ``--expect-head`` (``audit-log verify`` and ``head``);
    * 2: red (``check``);
    * 64 (EX_USAGE): usage error;
    * 65 (EX_DATAERR): bad input data (unreadable file, bad JSON, invalid field);
    * 70 (EX_SOFTWARE): a rule plugin failed to load or to run; an internal error;
    * 74 (EX_IOERR): the audit log cannot be written;
    * 78 (EX_CONFIG): bad configuration or environment (e.g. an unreadable audit-log key file).

    Any :class:`YibaoError` is reported as one ``yibao: error: …`` line on stderr; any other
    exception as one ``yibao: internal error: …`` line (``YIBAO_DEBUG=1`` re-raises it, for the
    traceback). Every such line is :func:`~yibao_sdk.privacy.scrub`-bed of ID and phone numbers.
    """
    parser = _build_parser()
    argv = sys.argv[1:] if argv is None else argv
    try:
        status = _dispatch(parser, argv)
    except UsageExit as exc:
        return exc.status
    except CommandFailed as exc:
        _error(f"error: {exc}")
        return exc.status
    except YibaoError as exc:
        _error(f"error: {exc}")
        return next((code for kind, code in _BY_ERROR if isinstance(exc, kind)), EX_SOFTWARE)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        # last resort: a traceback here would also exit 1, which means "yellow"
        if _debug():
            raise
        what = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        _error(f"internal error: {what} (set YIBAO_DEBUG=1 for the traceback)")
        return EX_SOFTWARE
    return status


def _dispatch(parser: argparse.ArgumentParser, argv: list[str]) -> int:
    if argv and argv[0] in DELEGATES:
        return run_delegate(argv[0], argv[1:])
    args = parser.parse_args(argv)
    status: int = args.handler(args, load_settings())
    return status


def _error(message: str) -> None:
    """One ``yibao: …`` line on stderr, with ID-card and phone numbers masked."""
    print("yibao: " + " ".join(scrub(message).splitlines()), file=sys.stderr)


def _debug() -> bool:
    """``YIBAO_DEBUG`` is read here, not from the settings: it must work when they fail."""
    return os.environ.get("YIBAO_DEBUG", "").strip().lower() in {"1", "true", "yes", "on"}


def _build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="yibao", description="医保 rules and audit tools.")
    parser.add_argument("--version", action="version", version=f"yibao {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_delegate_help(commands)
    check = commands.add_parser("check", help="replay a case file through the rules")
    check.add_argument("file", type=Path, metavar="FILE", help="case or visit JSON")
    _common(check)
    check.add_argument("--audit-db", type=Path, metavar="PATH", help="append verdicts here")
    check.add_argument("--no-color", action="store_true", help="plain output")
    check.set_defaults(handler=_check)
    rules = commands.add_parser("rules", help="inspect the loaded rules")
    rules_cmds = rules.add_subparsers(dest="rules_command", required=True, metavar="COMMAND")
    listing = rules_cmds.add_parser("list", help="table of the loaded rules")
    _common(listing)
    listing.set_defaults(handler=_rules_list)
    add_audit_commands(commands)
    return parser


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, metavar="TOML", help="hospital configuration")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    # Hidden: only these plugin modules (names or .py files), no built-ins, no entry points.
    parser.add_argument("--plugin", action="append", default=[], help=argparse.SUPPRESS)


def _check(args: argparse.Namespace, settings: Settings) -> int:
    config = _config(args, settings)
    case = _load_case(args.file)
    audit = _audit_log(args, settings)
    try:
        plugins, entry_points = _loading(args)
        engine = engine_for_case(
            case, config=config, plugins=plugins, entry_points=entry_points, audit_log=audit
        )
        report = engine.check_visit(case.visit)
    finally:
        if audit is not None:
            audit.close()
    if args.json:
        print(report_json(report, case.visit))
    else:
        colour = _colour(args, settings)
        print(render_report(report, case.visit, colour=colour, title=case.description))
    return _BY_COLOUR[report.colour]


def _rules_list(args: argparse.Namespace, settings: Settings) -> int:
    config = _config(args, settings) or EngineConfig()
    hospital = config.hospital or _LISTING_HOSPITAL
    plugins, entry_points = _loading(args)
    engine = Engine(hospital=hospital, config=config, plugins=plugins, entry_points=entry_points)
    print(rules_json(engine.rules) if args.json else render_rules(engine.rules))
    return 0


def _load_case(path: Path) -> Case:
    try:
        return load_case(path)
    except RecursionError as exc:
        # json refuses absurdly nested input by running out of stack: bad data, not a bug
        raise InputError("nested too deeply", where=str(path)) from exc


def _config(args: argparse.Namespace, settings: Settings) -> EngineConfig | None:
    path: Path | None = args.config or settings.config
    return load_config(path) if path is not None else None


def _audit_log(args: argparse.Namespace, settings: Settings) -> AuditLog | None:
    """``--audit-db``, else ``YIBAO_AUDIT_DB`` when set; no audit log otherwise. Keyed when
    ``YIBAO_AUDIT_KEY`` or ``YIBAO_AUDIT_KEY_FILE`` is set."""
    path: Path | None = args.audit_db
    if path is None and "audit_db" in settings.model_fields_set:
        path = settings.audit_db
    return open_audit_log(path, settings) if path is not None else None


def _colour(args: argparse.Namespace, settings: Settings) -> bool:
    off = args.no_color or settings.no_color or bool(os.environ.get("NO_COLOR"))
    return not off and sys.stdout.isatty()


def _loading(args: argparse.Namespace) -> tuple[list[object] | None, bool | None]:
    """``(plugins, entry_points)``: built-ins + entry points (unless the config turns them
    off), or only the ``--plugin`` modules."""
    if not args.plugin:
        return None, None
    return [_plugin(name) for name in args.plugin], False


def _plugin(name: str) -> object:
    return load_plugin_file(Path(name)) if name.endswith(".py") else name
