"""The ``yibao audit-log`` commands (``verify``, ``head``) and opening the audit log of ``check``.

The audit-log key comes from the settings (``YIBAO_AUDIT_KEY`` or ``YIBAO_AUDIT_KEY_FILE``),
never from a command-line option (it would show in the process list and the shell history).
"""

from __future__ import annotations

import argparse
import re
from contextlib import closing
from pathlib import Path
from typing import TypeVar

from yibao_sdk.errors import AuditLogError
from yibao_sdk.settings import Settings
from yibao_sdk.store.auditlog import AuditLog

__all__ = ["CommandFailed", "add_audit_commands", "open_audit_log"]

_P = TypeVar("_P", bound=argparse.ArgumentParser)
_HEAD = re.compile(r"([0-9]+):([0-9a-fA-F]{64})")


class CommandFailed(Exception):
    """A command failed with its own exit status; ``main`` prints the message as an error.

    :param message: the error, one line.
    :param status: the exit status.
    """

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def add_audit_commands(commands: argparse._SubParsersAction[_P]) -> None:
    """Add ``audit-log verify`` and ``audit-log head`` to the ``yibao`` sub-commands.

    :param commands: the object ``ArgumentParser.add_subparsers`` returned.
    """
    audit = commands.add_parser("audit-log", help="audit-log tools")
    audit_cmds = audit.add_subparsers(dest="audit_command", required=True, metavar="COMMAND")
    verify = audit_cmds.add_parser("verify", help="verify the hash chain (read-only)")
    _db_option(verify)
    verify.add_argument(
        "--expect-head",
        type=_head_arg,
        metavar="SEQ:HASH",
        help="a head recorded earlier (`yibao audit-log head`): detects a truncated log",
    )
    verify.set_defaults(handler=_verify)
    head = audit_cmds.add_parser("head", help="print SEQ:HASH of the verified last entry")
    _db_option(head)
    head.set_defaults(handler=_head, expect_head=None)


def open_audit_log(path: Path, settings: Settings) -> AuditLog:
    """The audit log ``check`` appends to, keyed when a key is configured.

    :raises ConfigError: the configured key cannot be read.
    :raises AuditLogError: the log cannot be opened, or uses the other scheme.
    """
    return AuditLog(path, settings.audit_key_bytes(), timeout=settings.audit_timeout)


def _db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db", type=Path, metavar="PATH", help="audit-log database (default: YIBAO_AUDIT_DB)"
    )


def _head_arg(text: str) -> tuple[int, str]:
    match = _HEAD.fullmatch(text.strip())
    if match is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not SEQ:HASH (HASH: 64 hex digits)")
    return int(match[1]), match[2].lower()


def _verify(args: argparse.Namespace, settings: Settings) -> int:
    seq, digest = _verified_head(args, settings)
    print(f"OK: {seq} entries, head {seq}:{digest}")
    return 0


def _head(args: argparse.Namespace, settings: Settings) -> int:
    # verified first: anchoring the head of a log that was already tampered with would
    # vouch for the tampering
    seq, digest = _verified_head(args, settings)
    print(f"{seq}:{digest}")
    return 0


def _verified_head(args: argparse.Namespace, settings: Settings) -> tuple[int, str]:
    """Open the log read-only and verify it; exit status 1 when it does not verify."""
    path: Path = args.db or settings.audit_db
    key = settings.audit_key_bytes()
    try:
        log = AuditLog(path, key, read_only=True, timeout=settings.audit_timeout)
        with closing(log):
            return log.verify_head(args.expect_head)
    except AuditLogError as exc:
        message = str(exc)
        if str(path) not in message:
            message = f"audit log {path}: {message}"
        raise CommandFailed(message, 1) from exc
