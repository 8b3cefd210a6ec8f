"""Timing helpers: per-call samples in nanoseconds and their percentiles."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

__all__ = ["Summary", "sample", "summarise"]


@dataclass(frozen=True, slots=True)
class Summary:
    """Percentiles of per-call times, in microseconds."""

    label: str
    calls: int
    p50_us: float
    p99_us: float
    max_us: float
    mean_us: float


def summarise(label: str, samples_ns: Sequence[int]) -> Summary:
    """Nearest-rank p50/p99, max and mean of ``samples_ns``."""
    ordered = sorted(samples_ns)
    n = len(ordered)

    def rank(q: float) -> float:
        return ordered[min(n - 1, max(0, round(q * n) - 1))] / 1000

    return Summary(label, n, rank(0.50), rank(0.99), ordered[-1] / 1000, sum(ordered) / n / 1000)


def sample(call: Callable[[int], object], calls: int, *, warmup: int) -> list[int]:
    """Time ``call(i)`` for ``i`` in ``range(calls)`` after ``warmup`` untimed calls.

    The garbage collector stays on (its pauses are part of real latency), but a full
    collection runs first so that one from the set-up is not billed to the first calls.
    """
    for i in range(warmup):
        call(i)
    gc.collect()
    clock = time.perf_counter_ns
    out = [0] * calls
    for i in range(calls):
        start = clock()
        call(i)
        out[i] = clock() - start
    return out
