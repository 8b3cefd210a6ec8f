"""The suites ``make bench`` runs, in order, by their ``--only`` names.

A suite is a function of the run's options returning a :class:`~bench.results.Section`; each
imports what it measures only when it runs, so ``--only rules`` loads neither hl7apy nor the
mock platform.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from dataclasses import dataclass, replace

from bench.noise import mark, others
from bench.results import Section
from bench.sections_his import fhir_section, hl7_section, mllp_section
from bench.sections_provincial import mock_section, provincial_section, sm2_section

__all__ = ["SUITES", "Options", "run_suite"]


@dataclass(frozen=True, slots=True)
class Options:
    """What the command line sets for the suites."""

    calls: int = 5000
    """Timed ``check_order`` calls (rules)."""
    lines: int = 100_000
    """Charge lines to audit (rules)."""
    memory_lines: int = 10_000
    """N of the tracemalloc N / 2N comparison (rules)."""
    quick: bool = False
    """Small sizes everywhere: a smoke test, not figures to keep."""


def _rules(options: Options) -> Section:
    from bench.engines import Bench, make_bench
    from bench.latency import run_latency
    from bench.report import Report
    from bench.throughput import run_memory, run_throughput

    def knowledge(bench: Bench) -> str:
        k = bench.knowledge
        grey = len({v.practitioner_id for v in k.violations})
        return (f"catalogue of {len(k.catalog)} items ({len(k.capped)} with price caps), "
                f"{len(k.practitioners)} practitioners ({grey} with violations), "
                f"{bench.history_visits} earlier stays in the history store")

    calls, lines, memory_lines = ((500, 10_000, 2_000) if options.quick else
                                  (options.calls, options.lines, options.memory_lines))
    bench = make_bench()
    latency = run_latency(bench, calls=calls)
    audit = run_throughput(bench, lines=lines)
    memory = (run_memory(bench, memory_lines), run_memory(bench, 2 * memory_lines))
    return Report(latency, audit, memory, tuple(bench.engine.plugin_names),
                  knowledge(bench)).section()


def _quick(section: Callable[[bool], Section]) -> Callable[[Options], Section]:
    return lambda options: section(options.quick)


SUITES: dict[str, Callable[[Options], Section]] = {
    "rules": _rules,
    "hl7": _quick(hl7_section),
    "mllp": _quick(mllp_section),
    "fhir": _quick(fhir_section),
    "provincial": _quick(provincial_section),
    "mock": _quick(mock_section),
    "sm2": _quick(sm2_section),
}
"""Every suite, in the order ``make bench`` runs them."""

_TITLES = {"rules": "Rules engine", "hl7": "HL7 v2", "mllp": "MLLP", "fhir": "FHIR",
           "provincial": "Provincial client", "mock": "Mock provincial platform", "sm2": "SM2"}


def run_suite(key: str, options: Options) -> Section:
    """Run suite ``key``; a failure becomes a section that says so (the run goes on)."""
    started = mark()
    try:
        section = SUITES[key](options)
    except Exception as exc:  # one broken suite must not cost the figures of the others
        traceback.print_exc()
        section = Section(key, _TITLES.get(key, key), f".venv/bin/python -m bench --only {key}",
                          (), "", "", error=f"{type(exc).__name__}: {exc}")
    ended = mark()
    return replace(section, seconds=ended.wall - started.wall, others=others(started, ended))
