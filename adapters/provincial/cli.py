"""``yibao province call``, ``yibao journal`` and ``yibao reconcile``: the operator's commands.

They read a ``[province]`` table from the hospital TOML (``--config`` or ``YIBAO_CONFIG``)::

    [province]
    profile = "national"              # a built-in profile, or a profile TOML file
    base_url = "http://127.0.0.1:8097/fsi/api/rsfComIfsService/callService"   # optional
    journal = "journal.sqlite3"       # relative to the TOML file
    roles = "roles.toml"              # optional: RolePolicy file (else no role checks)
    audit_db = "audit.sqlite3"        # optional: refusals are written here

    [province.institution]
    fixmedins_code = "H44010600001"
    fixmedins_name = "示例医院"
    mdtrtarea_admvs = "440106"

Signer secrets come only from the environment variables the profile names.
"""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from yibao_sdk.cli_parser import Parser
from yibao_sdk.errors import ConfigError, InputError, YibaoError
from yibao_sdk.privacy import scrub
from yibao_sdk.store import AuditLog, SqliteJournal

from .builtin_profiles import BUILTIN_PROFILES
from .client import ProvincialClient
from .envelope import Institution, Operator
from .profiles import ProvinceProfile, load_profile
from .reconcile import reconcile_day
from .roles import RolePolicy

__all__ = ["journal_main", "province_main", "reconcile_main"]


class _InstitutionTable(BaseModel):
    model_config = ConfigDict(extra="forbid")
    fixmedins_code: str
    fixmedins_name: str
    mdtrtarea_admvs: str


class _ProvinceTable(BaseModel):
    model_config = ConfigDict(extra="forbid")
    profile: str = "national"
    base_url: str | None = None
    journal: str = "journal.sqlite3"
    roles: str | None = None
    audit_db: str | None = None
    institution: _InstitutionTable


@dataclass(frozen=True, slots=True)
class ProvinceSettings:
    """The ``[province]`` table, resolved against the TOML file's folder."""

    profile: ProvinceProfile
    institution: Institution
    journal: Path
    roles: RolePolicy | None
    audit_db: Path | None


def load_province(path: Path) -> ProvinceSettings:
    """Read the ``[province]`` table of ``path``; :class:`ConfigError` names the key."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8")).get("province")
        table = _ProvinceTable.model_validate(raw or {})
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from exc
    except ValidationError as exc:
        where = ".".join(str(p) for p in exc.errors()[0]["loc"])
        raise ConfigError(f"{path}: province.{where}: {exc.errors()[0]['msg']}") from exc
    base = path.parent
    profile = BUILTIN_PROFILES.get(table.profile) or load_profile(base / table.profile)
    if table.base_url:
        profile = profile.model_copy(update={"base_url": table.base_url})
    inst = table.institution
    return ProvinceSettings(
        profile=profile,
        institution=Institution(inst.fixmedins_code, inst.fixmedins_name, inst.mdtrtarea_admvs),
        journal=base / table.journal,
        roles=RolePolicy.load(base / table.roles) if table.roles else None,
        audit_db=base / table.audit_db if table.audit_db else None,
    )


def make_client(settings: ProvinceSettings) -> ProvincialClient:
    """A client for ``settings`` (journal and audit log opened here)."""
    audit = AuditLog(settings.audit_db) if settings.audit_db else None
    return ProvincialClient(settings.profile, settings.institution,
                            journal=SqliteJournal(settings.journal), audit_log=audit,
                            roles=settings.roles)


def _config_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, required=True, metavar="TOML",
                        help="hospital TOML with a [province] table")


def province_main(argv: list[str] | None = None) -> int:
    """``yibao province call INFNO --input FILE --operator ID --operator-name NAME``."""
    parser = Parser(prog="yibao province", description="Call a provincial transaction.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    call = sub.add_parser("call", help="send one transaction and print its output")
    call.add_argument("infno", metavar="INFNO")
    call.add_argument("--input", type=Path, required=True, metavar="FILE",
                      help="JSON of the transaction's input (e.g. {\"data\": {...}})")
    call.add_argument("--operator", required=True, metavar="ID")
    call.add_argument("--operator-name", required=True, metavar="NAME")
    call.add_argument("--insuplc-admdvs", metavar="CODE", help="参保地区划 (input with psn_no)")
    _config_arg(call)
    args = parser.parse_args(argv)
    return _guarded(lambda: _call(args))


def _call(args: argparse.Namespace) -> int:
    data = _read_json(args.input)
    client = make_client(load_province(args.config))
    reply = client.call(args.infno, data, Operator(args.operator, args.operator_name),
                        insuplc_admdvs=args.insuplc_admdvs)
    output = reply.output
    if isinstance(output, BaseModel):
        output = output.model_dump(mode="json", by_alias=True)
    # the operator sees the answer, but ID-card and phone numbers stay masked on screen
    print(scrub(json.dumps(output, ensure_ascii=False, indent=2, default=str)))
    return 0


def journal_main(argv: list[str] | None = None) -> int:
    """``yibao journal list [--date D] | unknown | recover``."""
    parser = Parser(prog="yibao journal", description="The provincial call journal.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    listing = sub.add_parser("list", help="calls of a day (default: today)")
    listing.add_argument("--date", type=date.fromisoformat, metavar="YYYY-MM-DD")
    for name, text in (("unknown", "calls whose outcome is unknown"),
                       ("recover", "resolve unknown and crash-left calls (5203, then 2601)")):
        sub.add_parser(name, help=text)
    for command in sub.choices.values():
        _config_arg(command)
    args = parser.parse_args(argv)
    return _guarded(lambda: _journal(args))


def _journal(args: argparse.Namespace) -> int:
    settings = load_province(args.config)
    if args.command == "recover":
        for result in make_client(settings).recover():
            print(f"{result.msgid} {result.infno} {result.state}: {result.detail}")
        return 0
    journal = SqliteJournal(settings.journal)
    rows = journal.unknown() if args.command == "unknown" else journal.list(
        args.date or date.today())
    for row in rows:
        print(f"{row.created_at} {row.msgid} {row.infno} {row.state:<18} "
              f"visit={row.visit_id or '-'} setl_id={row.setl_id or '-'} {row.detail or ''}")
    return 1 if args.command == "unknown" and rows else 0


def reconcile_main(argv: list[str] | None = None) -> int:
    """``yibao reconcile --date D --operator ID --operator-name NAME``: exit 1 if unbalanced."""
    parser = Parser(prog="yibao reconcile", description="Reconcile a day with the platform.")
    parser.add_argument("--date", type=date.fromisoformat, required=True, metavar="YYYY-MM-DD")
    parser.add_argument("--operator", required=True, metavar="ID", help="医保办 auditor")
    parser.add_argument("--operator-name", required=True, metavar="NAME")
    parser.add_argument("--insutype", metavar="CODE")
    parser.add_argument("--clr-type", metavar="CODE", help="清算类别, e.g. 11 or 21")
    parser.add_argument("--setl-optins", metavar="CODE", help="结算经办机构")
    _config_arg(parser)
    args = parser.parse_args(argv)
    return _guarded(lambda: _reconcile(args))


def _reconcile(args: argparse.Namespace) -> int:
    client = make_client(load_province(args.config))
    report = reconcile_day(client, args.date, operator=Operator(args.operator, args.operator_name),
                           insutype=args.insutype, clr_type=args.clr_type,
                           setl_optins=args.setl_optins)
    print(report.summary())
    for diff in report.differences:
        print(f"  {diff.kind}: setl_id={diff.setl_id} mdtrt_id={diff.mdtrt_id or '-'} "
              f"msgid={diff.msgid or '-'} {diff.memo}")
    for msgid in report.unresolved_msgids:
        print(f"  unresolved call {msgid}: run `yibao journal recover` first")
    return 0 if report.balanced else 1


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", where=str(path)) from exc
    except json.JSONDecodeError as exc:
        raise InputError(f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
                         where=str(path)) from exc


def _guarded(run: Any) -> int:
    """Run a command; typed errors become one scrubbed line and an exit code."""
    try:
        status: int = run()
    except ConfigError as exc:
        return _fail(exc, 78)
    except InputError as exc:
        return _fail(exc, 65)
    except YibaoError as exc:
        return _fail(exc, 1)
    return status


def _fail(exc: Exception, status: int) -> int:
    print(f"yibao: error: {scrub(str(exc))}", file=sys.stderr)
    return status
