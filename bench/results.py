"""One ``bench/RESULTS.md`` for every suite of a run, and the console tables.

Each suite hands back a :class:`Section` (its goals, its console table, its Markdown body);
:class:`Run` puts them together under the machine, the date and the command that produced them.
"""

from __future__ import annotations

import os
import platform
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

__all__ = ["BUSY", "RESULTS", "Goal", "Run", "Section", "machine", "md_table", "met", "ratio",
           "table"]

RESULTS = Path(__file__).with_name("RESULTS.md")
BUSY = 0.2
"""Other processes keeping more than this many cores busy during a suite are flagged."""


@dataclass(frozen=True, slots=True)
class Goal:
    """One line of the goals table."""

    area: str
    goal: str
    """The goal in words (``≥ 10,000 msg/s``); ``""`` when the issues set none."""
    figure: str
    """What this run measured, with its unit."""
    met: bool | None
    """``None``: no goal, the figure is reported only."""

    @property
    def verdict(self) -> str:
        """``met``, ``NOT met`` or ``—`` (no goal)."""
        return "—" if self.met is None else met(self.met)


@dataclass(frozen=True, slots=True)
class Section:
    """What one suite measured."""

    key: str
    """The ``--only`` name."""
    title: str
    alone: str
    """The command that runs this suite by itself."""
    goals: tuple[Goal, ...]
    console: str
    """The table printed when the suite ends."""
    markdown: str
    """The Markdown body (its heading is added by :class:`Run`)."""
    seconds: float = 0.0
    """Wall time of the suite in this run."""
    others: float | None = None
    """Average cores other processes kept busy while the suite ran (:mod:`bench.noise`)."""
    error: str = ""
    """Set when the suite failed; its figures are then missing."""

    @property
    def busy(self) -> bool:
        """Other processes kept more than :data:`BUSY` cores busy while it ran."""
        return self.others is not None and self.others > BUSY

    @property
    def noise(self) -> str:
        """`` · other processes …`` for the section's first line (empty when unknown)."""
        if self.others is None:
            return ""
        flag = " — **busy: these figures may be low**" if self.busy else ""
        return f" · other processes kept {self.others:.2f} of a core busy meanwhile{flag}"


@dataclass(frozen=True, slots=True)
class Run:
    """Every section of one run."""

    sections: tuple[Section, ...]
    command: str
    when: datetime
    load: float
    """1-minute load average when the run started (other work on the machine adds noise)."""
    seconds: float

    others: float | None = None
    """Average cores other processes kept busy during the whole run."""

    @property
    def goals(self) -> list[tuple[Goal, bool]]:
        """Every goal line with its section's :attr:`Section.busy`; a failed suite counts as
        a goal not met."""
        out: list[tuple[Goal, bool]] = []
        for s in self.sections:
            goals = s.goals if not s.error else (Goal(s.title, "runs", s.error, False),)
            out += [(g, s.busy) for g in goals]
        return out

    def _goal_rows(self, no_goal: str) -> list[tuple[str, str, str, str]]:
        return [(g.area, g.goal or no_goal, g.figure, g.verdict + (" (busy)" if busy else ""))
                for g, busy in self.goals]

    def header(self) -> str:
        """One console line: date, machine, load."""
        return (f"yibao-sdk bench — {self.when:%Y-%m-%d %H:%M} — {machine()}; "
                f"load average {self.load:.2f} at start")

    def console_summary(self) -> str:
        """The goals table printed at the end of the run."""
        rows = self._goal_rows("(no goal)")
        times = ", ".join(f"{s.key} {s.seconds:.0f} s" for s in self.sections)
        return "\n".join([f"goals — {self.command}", table(("", "goal", "measured", ""), rows),
                          f"(whole run {self.seconds:.0f} s: {times})"])

    def markdown(self) -> str:
        """The text of ``bench/RESULTS.md``."""
        keys = ",".join(s.key for s in self.sections)
        out = [
            "# Benchmark results", "",
            f"- **Date:** {self.when:%Y-%m-%d %H:%M}",
            f"- **Machine:** {machine()}; 1-minute load average {self.load:.2f} at start",
            f"- **Command:** {self.command}; whole run {self.seconds:.0f} s",
            f"- **Suites:** {keys} (a subset: `.venv/bin/python -m bench --only rules,hl7`; "
            "each section names the command that runs it alone)",
            "- Every figure below comes from this one run, each measured beside its baseline "
            "(same input, same run, the two taking turns where they can).",
            f"- **Noise:** {self._noise()}", "",
            "## Goals", "",
            md_table(("area", "goal", "measured", ""), self._goal_rows("no goal set"),
                     numbers=False),
            "",
        ]
        for s in self.sections:
            out += [f"## {s.title}", "",
                    f"*Alone:* `{s.alone}` · {s.seconds:.0f} s in this run{s.noise}.", ""]
            out += [f"**Failed:** {s.error}", ""] if s.error else [s.markdown.rstrip(), ""]
        return "\n".join(out)


    def _noise(self) -> str:
        if self.others is None:
            return "unknown (no /proc/stat)"
        busy = [s.key for s in self.sections if s.busy]
        return (f"other processes kept {self.others:.2f} of a core busy on average during the "
                "run" + (f"; busy during {', '.join(busy)} (marked \"busy\": figures may be "
                         "low)" if busy else "") + ".")


def machine() -> str:
    """``nproc``, CPU model and Python version, on one line."""
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            cpu = next((ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name")),
                       cpu)
    except OSError:
        pass
    return (f"nproc {os.cpu_count()}, {cpu}, Python {platform.python_version()} "
            f"({platform.python_implementation()}), {platform.system()} {platform.release()}")


def met(ok: bool) -> str:
    """``met`` or ``NOT met``."""
    return "met" if ok else "NOT met"


def ratio(r: float) -> str:
    """``1.23×`` below ten, ``12.3×`` up to a thousand, ``1,234×`` beyond."""
    if r < 10:
        return f"{r:.2f}×"
    return f"{r:.1f}×" if r < 1000 else f"{r:,.0f}×"


def table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A console table: first column left-aligned, the others right-aligned."""
    lines = [tuple(head), *(tuple(r) for r in rows)]
    widths = [max(len(r[i]) for r in lines) for i in range(len(head))]
    return "\n".join("  " + "  ".join(
        c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))
    ).rstrip() for r in lines)


def md_table(head: Sequence[str], rows: Sequence[Sequence[str]], *, numbers: bool = True) -> str:
    """A Markdown table: first column left-aligned, the others right-aligned (``numbers``) or
    left-aligned too."""
    sep = tuple("---" if i == 0 or not numbers else "---:" for i in range(len(head)))
    return "\n".join("| " + " | ".join(r) + " |" for r in (tuple(head), sep, *rows))
