"""事后 batch-audit throughput: ``engine.audit_visit`` over synthetic visits made in chunks."""

from __future__ import annotations

import os
import time
import tracemalloc
from collections import Counter
from dataclasses import dataclass, field

from bench.engines import Bench
from bench.knowledge import Knowledge
from bench.synth import visit_dicts
from bench.timing import Summary, summarise
from yibao_sdk.models import Visit
from yibao_sdk.rules import Colour, Engine

__all__ = ["AuditRun", "MemoryRun", "run_memory", "run_throughput"]

CHUNK = 100
"""Visits generated, built and audited at a time; only one chunk is alive at once."""


@dataclass(slots=True)
class AuditRun:
    """Totals of one throughput run."""

    lines: int = 0
    visits: int = 0
    audit_ns: int = 0
    build_ns: int = 0
    floor_ns: int = 0
    per_visit_ns: list[int] = field(default_factory=list)
    fired: Counter[str] = field(default_factory=Counter)
    red_visits: int = 0
    rss_half: int = 0
    rss_end: int = 0

    @property
    def lines_per_s(self) -> float:
        """Charge lines audited per second (audit time only)."""
        return self.lines / (self.audit_ns / 1e9)

    @property
    def build_lines_per_s(self) -> float:
        """Charge lines per second of ``Visit.model_validate`` from dicts."""
        return self.lines / (self.build_ns / 1e9)

    @property
    def floor_lines_per_s(self) -> float:
        """Charge lines per second through an engine of ten no-op plugins."""
        return self.lines / (self.floor_ns / 1e9)

    def per_visit(self) -> Summary:
        """Per-visit audit latency."""
        return summarise("audit_visit per visit", self.per_visit_ns)


@dataclass(frozen=True, slots=True)
class MemoryRun:
    """tracemalloc peak above the starting point for a run of ``lines`` charge lines."""

    lines: int
    peak_bytes: int


def _rss() -> int:
    with open("/proc/self/statm", encoding="ascii") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _chunk(k: Knowledge, start: int) -> tuple[list[Visit], int]:
    """One chunk of visits built from dicts, and the build time in ns."""
    dicts = list(visit_dicts(k, start, CHUNK))
    t0 = time.perf_counter_ns()
    visits = [Visit.model_validate(d) for d in dicts]
    return visits, time.perf_counter_ns() - t0


def _audit(engine: Engine, noop: Engine, visits: list[Visit], run: AuditRun) -> None:
    clock = time.perf_counter_ns
    for visit in visits:
        t0 = clock()
        verdict = engine.audit_visit(visit)
        t1 = clock()
        noop.audit_visit(visit)
        t2 = clock()
        run.audit_ns += t1 - t0
        run.floor_ns += t2 - t1
        run.per_visit_ns.append(t1 - t0)
        run.fired.update(f.rule_id for f in verdict.findings)
        run.red_visits += verdict.colour is Colour.RED
        run.lines += len(visit.charges)
    run.visits += len(visits)


def run_throughput(bench: Bench, *, lines: int = 100_000) -> AuditRun:
    """Audit chunks of visits until at least ``lines`` charge lines have been audited."""
    run = AuditRun()
    _audit(bench.engine, bench.noop, _chunk(bench.knowledge, 0)[0], AuditRun())  # warm-up
    start = CHUNK  # the warm-up chunk is not counted
    while run.lines < lines:
        visits, build_ns = _chunk(bench.knowledge, start)
        run.build_ns += build_ns
        _audit(bench.engine, bench.noop, visits, run)
        start += CHUNK
        if not run.rss_half and run.lines >= lines // 2:
            run.rss_half = _rss()
    run.rss_end = _rss()
    return run


def run_memory(bench: Bench, lines: int) -> MemoryRun:
    """tracemalloc peak while building and auditing ``lines`` charge lines in chunks."""
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    done, start = 0, 10_000_000 // CHUNK * CHUNK  # visits not seen before
    while done < lines:
        visits = _chunk(bench.knowledge, start)[0]
        for visit in visits:
            bench.engine.audit_visit(visit)
            done += len(visit.charges)
        del visits
        start += CHUNK
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    return MemoryRun(lines, peak)
