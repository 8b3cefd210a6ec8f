"""事前 per-order latency: ``engine.check_order`` on a 50-line visit, with two baselines."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import TypeAdapter

from bench.engines import Bench
from bench.knowledge import MRI, TEG, Knowledge
from bench.noop import noop_plugins
from bench.synth import visit_dict
from bench.timing import Summary, sample, summarise
from yibao_sdk.models import Order, Visit
from yibao_sdk.rules import Context, Engine, Stage
from yibao_sdk.rules.loading import make_plugin_manager
from yibao_sdk.testing import factories as f

__all__ = ["LatencyResult", "latency_visit", "probe_orders", "run_latency"]

PRIOR_CHARGES = 50
LATENCY_INDEX = 9_000_000
"""Visit index of the latency visit (its own UDI serial range)."""
_ORDER = TypeAdapter(Order)


@dataclass(frozen=True, slots=True)
class LatencyResult:
    """Per-call summaries of the check and its baselines."""

    check: Summary
    per_probe: tuple[Summary, ...]
    ingest: Summary
    engine_floor: Summary
    dispatch_floor: Summary
    visit_shape: str
    fired: Counter[str]


def latency_visit(k: Knowledge) -> Visit:
    """An inpatient stay with 50 prior charges, its orders, a pre-op form and a surgery."""
    return Visit.model_validate(visit_dict(k, LATENCY_INDEX, lines=PRIOR_CHARGES))


def _order(kind: str, name: str, code: str, at: datetime, by: str, **extra: Any) -> Order:
    sigs = [{"practitioner_id": p, "signed_at": at} for p in (by, *extra.pop("cosigners", ()))]
    return _ORDER.validate_python({"kind": kind, "order_id": f"PROBE-{name}", "ordered_at": at,
                                   "practitioner_id": by, "item_code": code, "signatures": sigs,
                                   **extra})


def probe_orders(k: Knowledge, visit: Visit) -> list[tuple[str, Order]]:
    """New orders of every kind, entered after the visit's last charge; a few should fire.

    The last one is a changed order already in the visit (the engine then copies the visit
    without it).
    """
    at = max(c.charged_at for c in visit.charges) + timedelta(minutes=10)
    doc, seniors, suspended = "D002", k.seniors[:2], "D019"
    second = k.second_line[0].code
    return [
        ("drug", _order("drug", "drug", k.drugs[3].code, at, doc)),
        ("drug 2-line signed", _order("drug", "2line", second, at, doc, cosigners=seniors)),
        ("drug 2-line unsigned", _order("drug", "2line-x", second, at, doc)),
        ("drug, suspended dr", _order("drug", "grey", k.drugs[5].code, at, suspended)),
        ("imaging MRI", _order("imaging", "mri", MRI, at, doc, modality="MR",
                               scope="plain+enhanced")),
        ("lab TEG", _order("lab", "teg", TEG, at, doc)),
        ("consumable implant", _order("consumable", "impl", k.implants[1].code, at, doc)),
        ("procedure", _order("procedure", "proc", k.services[20].code, at, doc)),
        ("drug, changed (in visit)", next(o for o in visit.orders if o.kind == "drug")),
    ]


def run_latency(bench: Bench, *, calls: int = 5000, warmup: int = 500) -> LatencyResult:
    """Time the check and the baselines, ``calls`` each, interleaving the probe orders."""
    visit = latency_visit(bench.knowledge)
    probes = probe_orders(bench.knowledge, visit)
    orders = [o for _, o in probes]
    n = len(orders)
    engine = bench.engine
    fired = Counter(x.rule_id for o in orders for x in engine.check_order(o, visit).findings)

    check = sample(lambda i: engine.check_order(orders[i % n], visit), calls, warmup=warmup)
    per_probe = tuple(summarise(label, check[j::n]) for j, (label, _) in enumerate(probes))
    raw = visit.model_dump_json().encode()
    ingest = sample(lambda i: Visit.model_validate_json(raw), calls, warmup=warmup)
    noop = bench.noop
    floor = sample(lambda i: noop.check_order(orders[i % n], visit), calls, warmup=warmup)
    hook = make_plugin_manager(noop_plugins()).hook.yibao_check_order
    ctx = _context(engine, visit)
    bare = sample(lambda i: hook(order=orders[i % n], context=ctx), calls, warmup=warmup)
    shape = (f"{len(visit.charges)} charges, {len(visit.orders)} orders, "
             f"{len(visit.records)} records, {len(raw):,} B of JSON; {n} probe orders")
    return LatencyResult(
        check=summarise("check_order, built-in pack", check),
        per_probe=per_probe,
        ingest=summarise("ingest: Visit.model_validate_json", ingest),
        engine_floor=summarise("engine floor: check_order, 10 no-ops", floor),
        dispatch_floor=summarise("dispatch floor: pluggy hook, 10 no-ops", bare),
        visit_shape=shape,
        fired=fired,
    )


def _context(engine: Engine, visit: Visit) -> Context:
    return Context(visit=visit, hospital=engine.hospital, catalog=engine.catalog,
                   practitioners=engine.practitioners, history=engine.history,
                   stage=Stage.PRE, rules=engine.rules, clock=lambda: f.T0)
