"""How busy the rest of the machine was while a suite ran (a shared 2-core box is noisy).

:func:`mark` reads the machine's busy CPU time (``/proc/stat``) and this process's own CPU
time, children included (``os.times``: spawned servers count once they have been joined);
:func:`others` turns two marks into the average number of cores *other* processes kept busy in
between. Linux only; elsewhere the figure is ``None``.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

__all__ = ["CpuMark", "mark", "others"]

_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


@dataclass(frozen=True, slots=True)
class CpuMark:
    """Busy CPU seconds of the machine and of this process tree, at a wall-clock time."""

    machine: float | None
    ours: float
    wall: float


def _machine_busy() -> float | None:
    try:
        with open("/proc/stat", encoding="ascii") as fh:
            fields = [int(v) for v in fh.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    busy = sum(fields[:8]) - idle  # user nice system idle iowait irq softirq steal
    return busy / _TICKS


def mark() -> CpuMark:
    """The current mark."""
    t = os.times()
    return CpuMark(_machine_busy(), t.user + t.system + t.children_user + t.children_system,
                   time.perf_counter())


def others(start: CpuMark, end: CpuMark) -> float | None:
    """Average cores kept busy by other processes between ``start`` and ``end``."""
    if start.machine is None or end.machine is None or end.wall <= start.wall:
        return None
    theirs = (end.machine - start.machine) - (end.ours - start.ours)
    return max(0.0, theirs) / (end.wall - start.wall)
