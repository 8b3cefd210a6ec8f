"""How the demo prints: numbered section headings, indented lines, colour only when asked."""

from __future__ import annotations

import sys
import unicodedata
from dataclasses import dataclass

__all__ = ["Printer"]

_ANSI = {"green": "32", "yellow": "33", "red": "31", "dim": "2", "bold": "1", "cyan": "36"}
_ACK_STYLE = {"AA": "green", "AE": "red", "AR": "red"}


@dataclass(frozen=True, slots=True)
class Printer:
    """Writes demo output to stdout.

    :param colour: ANSI colours (the caller decides: only on a terminal, never with
        ``--no-color``).
    """

    colour: bool = False

    def __call__(self, text: str = "") -> None:
        sys.stdout.write(text + "\n")

    def paint(self, text: str, style: str) -> str:
        """``text`` in ``style`` (a colour name, ``bold`` or ``dim``) when colour is on."""
        return f"\033[{_ANSI[style]}m{text}\033[0m" if self.colour else text

    def heading(self, title: str) -> None:
        """A section heading, after a blank line."""
        width = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in title)
        rule = "=" * max(4, 74 - width)
        self()
        self(self.paint(f"== {title} {rule}", "bold"))

    def subheading(self, title: str) -> None:
        """A heading inside a section."""
        self()
        self(self.paint(f"-- {title}", "bold"))

    def ack(self, code: str) -> str:
        """An HL7 ACK code coloured by outcome (AA green, AE/AR red)."""
        return self.paint(code, _ACK_STYLE.get(code, "yellow"))

    def mark(self, ok: bool) -> str:
        """A check mark or a cross."""
        return self.paint("✓", "green") if ok else self.paint("✗", "red")
