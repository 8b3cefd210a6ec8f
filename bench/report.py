"""The console table and ``bench/RESULTS.md``: machine, command, figures, goals."""

from __future__ import annotations

import os
import platform
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bench.latency import LatencyResult
from bench.throughput import AuditRun, MemoryRun
from bench.timing import Summary

__all__ = ["LATENCY_GOAL_US", "RESULTS", "THROUGHPUT_GOAL", "Report", "machine"]

LATENCY_GOAL_US = 1000.0
"""事前 goal: p99 of ``check_order`` at most 1 ms."""
THROUGHPUT_GOAL = 20_000.0
"""事后 goal: at least 20,000 charge lines audited per second on one core."""
MEMORY_SLACK = 1.25
"""Memory counts as bounded when the peak for 2N lines is within 25 % of the peak for N."""
RESULTS = Path(__file__).with_name("RESULTS.md")
_MIB = 1024 * 1024


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


def _met(ok: bool) -> str:
    return "met" if ok else "NOT met"


def _fired(counts: Counter[str]) -> str:
    return ", ".join(f"{rule} {n:,}" for rule, n in sorted(counts.items())) or "none"


@dataclass(frozen=True, slots=True)
class Report:
    """Everything one ``make bench`` run measured."""

    latency: LatencyResult
    audit: AuditRun
    memory: tuple[MemoryRun, MemoryRun]
    plugins: tuple[str, ...]
    knowledge: str
    """What the engine was loaded with, in words."""
    seconds: float
    when: datetime
    load: float
    """1-minute load average when the run started (other work on the machine adds noise)."""

    @property
    def latency_ok(self) -> bool:
        """p99 within the goal."""
        return self.latency.check.p99_us <= LATENCY_GOAL_US

    @property
    def throughput_ok(self) -> bool:
        """Lines per second within the goal."""
        return self.audit.lines_per_s >= THROUGHPUT_GOAL

    @property
    def memory_ok(self) -> bool:
        """The 2N peak is about the N peak."""
        small, large = self.memory
        return large.peak_bytes <= small.peak_bytes * MEMORY_SLACK

    def _latency_rows(self) -> list[tuple[str, ...]]:
        check = self.latency.check
        rows: list[tuple[str, ...]] = []
        for s in (check, self.latency.ingest, self.latency.engine_floor,
                  self.latency.dispatch_floor):
            ratio = "" if s is check else (
                f"{_ratio(check.p50_us / s.p50_us)} / {_ratio(check.p99_us / s.p99_us)}")
            rows.append((s.label, f"{s.p50_us:,.1f}", f"{s.p99_us:,.1f}", f"{s.max_us:,.1f}",
                         ratio))
        return rows

    def _audit_rows(self) -> list[tuple[str, ...]]:
        a = self.audit
        return [
            ("audit_visit, built-in pack", f"{a.audit_ns / 1e9:.2f}", f"{a.lines_per_s:,.0f}", ""),
            ("construct: Visit.model_validate", f"{a.build_ns / 1e9:.2f}",
             f"{a.build_lines_per_s:,.0f}", _ratio(a.audit_ns / a.build_ns)),
            ("engine floor: audit_visit, 10 no-ops", f"{a.floor_ns / 1e9:.2f}",
             f"{a.floor_lines_per_s:,.0f}", _ratio(a.audit_ns / a.floor_ns)),
        ]

    def _memory_line(self) -> str:
        small, large = self.memory
        a = self.audit
        return (f"tracemalloc peak {small.peak_bytes / _MIB:.1f} MiB for {small.lines:,} lines, "
                f"{large.peak_bytes / _MIB:.1f} MiB for {large.lines:,} lines "
                f"(×{large.peak_bytes / small.peak_bytes:.2f}); RSS {a.rss_half / _MIB:.0f} MiB "
                f"at half the timed run, {a.rss_end / _MIB:.0f} MiB at its end")

    def _goal_lines(self) -> list[str]:
        lat, a = self.latency.check, self.audit
        return [
            f"事前 p99 ≤ 1 ms: {lat.p99_us:,.1f} µs — {_met(self.latency_ok)}",
            f"事后 ≥ 20,000 lines/s: {a.lines_per_s:,.0f} lines/s — {_met(self.throughput_ok)}",
            f"memory bounded (2N peak ≤ {MEMORY_SLACK}× N peak): {_met(self.memory_ok)}",
        ]

    def console(self) -> str:
        """The compact table printed at the end of the run."""
        lat, a = self.latency, self.audit
        out = [f"yibao-sdk bench — {self.when:%Y-%m-%d %H:%M} — {machine()}; "
               f"load average {self.load:.2f} at start",
               f"pack: {len(self.plugins)} plugins; {self.knowledge}", "",
               f"事前 check_order: {lat.visit_shape}; {lat.check.calls:,} calls each",
               _table(("", "p50 µs", "p99 µs", "max µs", "check÷this p50/p99"),
                      self._latency_rows()),
               _table(("probe order", "p50 µs", "p99 µs", "max µs"),
                      [(s.label, f"{s.p50_us:,.1f}", f"{s.p99_us:,.1f}", f"{s.max_us:,.1f}")
                       for s in lat.per_probe]), "",
               f"事后 audit_visit: {a.visits:,} visits, {a.lines:,} charge lines, one core",
               _table(("", "seconds", "lines/s", "audit÷this"), self._audit_rows()),
               f"per visit: {_pcts(a.per_visit())}; red visits {a.red_visits / a.visits:.0%}",
               f"findings: {_fired(a.fired)}", f"memory: {self._memory_line()}", "",
               *self._goal_lines(), f"(whole run {self.seconds:.0f} s)"]
        return "\n".join(out)

    def markdown(self) -> str:
        """The text of ``bench/RESULTS.md``."""
        lat, a = self.latency, self.audit
        return "\n".join([
            "# Benchmark results", "",
            f"- **Date:** {self.when:%Y-%m-%d %H:%M}",
            f"- **Machine:** {machine()}; 1-minute load average {self.load:.2f} at start",
            "- **Command:** `make bench` (runs `.venv/bin/python -m bench`; "
            f"whole run {self.seconds:.0f} s)",
            f"- **Pack:** `f.engine()`, {len(self.plugins)} plugins "
            f"({', '.join(p.rsplit('.', 1)[-1] for p in self.plugins)}); "
            f"{self.knowledge}",
            "- **Data:** seeded synthetic visits (`bench/synth.py`), mostly clean lines with "
            "a few findings per visit", "",
            "## Goals", "", *(f"- {g}" for g in self._goal_lines()), "",
            "## 事前: per-order check latency", "",
            f"Visit: {lat.visit_shape}. {lat.check.calls:,} timed calls of each, after "
            "warm-up, `time.perf_counter_ns` around every call, GC on.", "",
            _md(("", "p50 µs", "p99 µs", "max µs", "check ÷ this (p50 / p99)"),
                self._latency_rows()), "",
            _md(("probe order", "p50 µs", "p99 µs", "max µs"),
                [(s.label, f"{s.p50_us:,.1f}", f"{s.p99_us:,.1f}", f"{s.max_us:,.1f}")
                 for s in lat.per_probe]), "",
            f"Findings on the probe orders (one pass): {_fired(lat.fired)}.", "",
            "## 事后: batch audit throughput", "",
            f"{a.visits:,} visits, {a.lines:,} charge lines (20–40 a visit), generated, built "
            "and audited in chunks of 100 visits; only `audit_visit` is in the figure.", "",
            _md(("", "seconds", "lines/s", "audit ÷ this"), self._audit_rows()), "",
            f"- Per visit: {_pcts(a.per_visit())}; red visits {a.red_visits / a.visits:.0%}.",
            f"- Findings: {_fired(a.fired)}.",
            f"- Memory: {self._memory_line()}.", "",
        ])


def _ratio(r: float) -> str:
    return f"{r:.2f}×" if r < 10 else f"{r:.1f}×"


def _pcts(s: Summary) -> str:
    return f"p50 {s.p50_us:,.0f} µs, p99 {s.p99_us:,.0f} µs, max {s.max_us:,.0f} µs"


def _table(head: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(r[i]) for r in (head, *rows)) for i in range(len(head))]
    lines = [head, *rows]
    return "\n".join("  " + "  ".join(
        c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))
    ).rstrip() for r in lines)


def _md(head: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    sep = tuple("---" if i == 0 else "---:" for i in range(len(head)))
    return "\n".join("| " + " | ".join(r) + " |" for r in (head, sep, *rows))
