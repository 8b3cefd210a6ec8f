"""The argument parser every ``yibao`` command uses: usage errors exit 64, output scrubbed."""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

from yibao_sdk.privacy import scrub

__all__ = ["EX_USAGE", "Parser", "UsageExit"]

EX_USAGE = 64
"""Usage error (sysexits); 2, argparse's own code, means "red" for ``yibao check``."""


class UsageExit(Exception):
    """Raised instead of ``SystemExit``: ``--help`` (status 0) or a usage error (64)."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class Parser(argparse.ArgumentParser):
    """Returns control to the caller instead of exiting; messages are scrubbed of ID numbers."""

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if message:
            sys.stderr.write(scrub(message))
        raise UsageExit(status)

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EX_USAGE, f"{self.prog}: error: {message}\n")
