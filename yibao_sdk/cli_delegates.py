"""``yibao`` subcommands that live with their subsystem and parse their own arguments."""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple, cast

from yibao_sdk.cli_parser import UsageExit

__all__ = ["DELEGATES", "add_delegate_help", "run_delegate"]


class Delegate(NamedTuple):
    """Where a subcommand's ``main(argv) -> int`` lives, and its one-line help."""

    module: str
    function: str
    help: str


DELEGATES: dict[str, Delegate] = {
    "serve": Delegate("yibao_sdk.gateway.cli", "serve_main",
                      "run the gateway: MLLP listeners (HIS/LIS/PACS) and the FHIR endpoint"),
    "replay": Delegate("yibao_sdk.gateway.cli", "replay_main",
                       "re-run stored HL7 messages through the current rules, list changes"),
    "province": Delegate("yibao_sdk.adapters.provincial.cli", "province_main",
                         "call a provincial transaction: province call INFNO --input FILE"),
    "journal": Delegate("yibao_sdk.adapters.provincial.cli", "journal_main",
                        "the provincial call journal: list, unknown, recover"),
    "reconcile": Delegate("yibao_sdk.adapters.provincial.cli", "reconcile_main",
                          "reconcile a day's settlements with the platform (3201/3202)"),
    "mock-province": Delegate("yibao_sdk.adapters.provincial.mock.cli", "main",
                              "run the mock provincial platform (for tests and demos)"),
}
"""Subcommand name → implementation; each parses its own options (``yibao NAME --help``)."""


def add_delegate_help(commands: argparse._SubParsersAction[Any]) -> None:
    """List the delegated subcommands in ``yibao --help`` (they never parse here)."""
    for name, delegate in DELEGATES.items():
        commands.add_parser(name, help=delegate.help, add_help=False)


def run_delegate(name: str, argv: Sequence[str]) -> int:
    """Run subcommand ``name`` with ``argv`` (the arguments after the subcommand)."""
    delegate = DELEGATES[name]
    module = importlib.import_module(delegate.module)
    entry = cast(Callable[[list[str]], int], getattr(module, delegate.function))
    try:
        return entry(list(argv))
    except UsageExit as exc:  # the subcommand's parser: --help (0) or a usage error (64)
        return exc.status
    except SystemExit as exc:  # argparse in the subcommand (``--help``, usage errors)
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 64)
