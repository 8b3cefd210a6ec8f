"""The rules engine's section of ``bench/RESULTS.md``: 事前 latency, 事后 throughput, memory."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from bench.latency import LatencyResult
from bench.results import RESULTS, Goal, Section, machine, md_table, ratio, table
from bench.throughput import AuditRun, MemoryRun
from bench.timing import Summary

__all__ = ["LATENCY_GOAL_US", "RESULTS", "THROUGHPUT_GOAL", "Report", "machine"]

LATENCY_GOAL_US = 1000.0
"""事前 goal: p99 of ``check_order`` at most 1 ms."""
THROUGHPUT_GOAL = 20_000.0
"""事后 goal: at least 20,000 charge lines audited per second on one core."""
MEMORY_SLACK = 1.25
"""Memory counts as bounded when the peak for 2N lines is within 25 % of the peak for N."""
_MIB = 1024 * 1024


def _fired(counts: Counter[str]) -> str:
    return ", ".join(f"{rule} {n:,}" for rule, n in sorted(counts.items())) or "none"


@dataclass(frozen=True, slots=True)
class Report:
    """Everything the rules suite measured."""

    latency: LatencyResult
    audit: AuditRun
    memory: tuple[MemoryRun, MemoryRun]
    plugins: tuple[str, ...]
    knowledge: str
    """What the engine was loaded with, in words."""

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
            versus = "" if s is check else (
                f"{ratio(check.p50_us / s.p50_us)} / {ratio(check.p99_us / s.p99_us)}")
            rows.append((s.label, f"{s.p50_us:,.1f}", f"{s.p99_us:,.1f}", f"{s.max_us:,.1f}",
                         versus))
        return rows

    def _audit_rows(self) -> list[tuple[str, ...]]:
        a = self.audit
        return [
            ("audit_visit, built-in pack", f"{a.audit_ns / 1e9:.2f}", f"{a.lines_per_s:,.0f}", ""),
            ("construct: Visit.model_validate", f"{a.build_ns / 1e9:.2f}",
             f"{a.build_lines_per_s:,.0f}", ratio(a.audit_ns / a.build_ns)),
            ("engine floor: audit_visit, 10 no-ops", f"{a.floor_ns / 1e9:.2f}",
             f"{a.floor_lines_per_s:,.0f}", ratio(a.audit_ns / a.floor_ns)),
        ]

    def _memory_line(self) -> str:
        small, large = self.memory
        a = self.audit
        return (f"tracemalloc peak {small.peak_bytes / _MIB:.1f} MiB for {small.lines:,} lines, "
                f"{large.peak_bytes / _MIB:.1f} MiB for {large.lines:,} lines "
                f"(×{large.peak_bytes / small.peak_bytes:.2f}); RSS {a.rss_half / _MIB:.0f} MiB "
                f"at half the timed run, {a.rss_end / _MIB:.0f} MiB at its end")

    def goals(self) -> tuple[Goal, ...]:
        """The three goals of the rules suite."""
        lat, a = self.latency.check, self.audit
        small, large = self.memory
        return (
            Goal("事前 check_order", "p99 ≤ 1 ms", f"p99 {lat.p99_us:,.1f} µs", self.latency_ok),
            Goal("事后 audit_visit", "≥ 20,000 lines/s, one core", f"{a.lines_per_s:,.0f} lines/s",
                 self.throughput_ok),
            Goal("事后 memory", f"2N-line peak ≤ {MEMORY_SLACK}× N-line peak",
                 f"×{large.peak_bytes / small.peak_bytes:.2f}", self.memory_ok),
        )

    def console(self) -> str:
        """The tables printed when the suite ends."""
        lat, a = self.latency, self.audit
        out = [f"pack: {len(self.plugins)} plugins; {self.knowledge}", "",
               f"事前 check_order: {lat.visit_shape}; {lat.check.calls:,} calls each",
               table(("", "p50 µs", "p99 µs", "max µs", "check÷this p50/p99"),
                     self._latency_rows()),
               table(("probe order", "p50 µs", "p99 µs", "max µs"),
                     [(s.label, f"{s.p50_us:,.1f}", f"{s.p99_us:,.1f}", f"{s.max_us:,.1f}")
                      for s in lat.per_probe]), "",
               f"事后 audit_visit: {a.visits:,} visits, {a.lines:,} charge lines, one core",
               table(("", "seconds", "lines/s", "audit÷this"), self._audit_rows()),
               f"per visit: {_pcts(a.per_visit())}; red visits {a.red_visits / a.visits:.0%}",
               f"findings: {_fired(a.fired)}", f"memory: {self._memory_line()}"]
        return "\n".join(out)

    def markdown(self) -> str:
        """The body of the rules section of ``bench/RESULTS.md``."""
        lat, a = self.latency, self.audit
        return "\n".join([
            f"- **Pack:** `f.engine()`, {len(self.plugins)} plugins "
            f"({', '.join(p.rsplit('.', 1)[-1] for p in self.plugins)}); "
            f"{self.knowledge}",
            "- **Data:** seeded synthetic visits (`bench/synth.py`), mostly clean lines with "
            "a few findings per visit", "",
            "### 事前: per-order check latency", "",
            f"Visit: {lat.visit_shape}. {lat.check.calls:,} timed calls of each, after "
            "warm-up, `time.perf_counter_ns` around every call, GC on.", "",
            md_table(("", "p50 µs", "p99 µs", "max µs", "check ÷ this (p50 / p99)"),
                     self._latency_rows()), "",
            md_table(("probe order", "p50 µs", "p99 µs", "max µs"),
                     [(s.label, f"{s.p50_us:,.1f}", f"{s.p99_us:,.1f}", f"{s.max_us:,.1f}")
                      for s in lat.per_probe]), "",
            f"Findings on the probe orders (one pass): {_fired(lat.fired)}.", "",
            "### 事后: batch audit throughput", "",
            f"{a.visits:,} visits, {a.lines:,} charge lines (20–40 a visit), generated, built "
            "and audited in chunks of 100 visits; only `audit_visit` is in the figure.", "",
            md_table(("", "seconds", "lines/s", "audit ÷ this"), self._audit_rows()), "",
            f"- Per visit: {_pcts(a.per_visit())}; red visits {a.red_visits / a.visits:.0%}.",
            f"- Findings: {_fired(a.fired)}.",
            f"- Memory: {self._memory_line()}.",
        ])

    def section(self) -> Section:
        """The rules suite's :class:`~bench.results.Section`."""
        return Section("rules", "Rules engine: 事前 latency and 事后 throughput",
                       ".venv/bin/python -m bench --only rules", self.goals(), self.console(),
                       self.markdown())


def _pcts(s: Summary) -> str:
    return f"p50 {s.p50_us:,.0f} µs, p99 {s.p99_us:,.0f} µs, max {s.max_us:,.0f} µs"
