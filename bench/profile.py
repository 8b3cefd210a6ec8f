"""``python -m bench --profile``: cProfile of the two measured calls, top functions by own time."""

from __future__ import annotations

import cProfile
import io
import pstats

from bench.engines import Bench
from bench.latency import latency_visit, probe_orders
from bench.synth import visit_dicts
from yibao_sdk.models import Visit

__all__ = ["profile_audit", "profile_check"]


def _top(prof: cProfile.Profile, limit: int) -> str:
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out)
    stats.sort_stats("tottime").print_stats(limit)
    stats.sort_stats("cumulative").print_stats(limit)
    return out.getvalue()


def profile_check(bench: Bench, *, calls: int = 2000, limit: int = 25) -> str:
    """Profile ``check_order`` over the probe orders on the 50-line visit."""
    visit = latency_visit(bench.knowledge)
    orders = [o for _, o in probe_orders(bench.knowledge, visit)]
    prof = cProfile.Profile()
    prof.enable()
    for i in range(calls):
        bench.engine.check_order(orders[i % len(orders)], visit)
    prof.disable()
    return _top(prof, limit)


def profile_audit(bench: Bench, *, visits: int = 600, limit: int = 25) -> str:
    """Profile ``audit_visit`` over ``visits`` synthetic visits."""
    built = [Visit.model_validate(d) for d in visit_dicts(bench.knowledge, 0, visits)]
    prof = cProfile.Profile()
    prof.enable()
    for visit in built:
        bench.engine.audit_visit(visit)
    prof.disable()
    return _top(prof, limit)
