"""The engines under test: the full built-in pack and a pack of ten no-ops, same knowledge."""

from __future__ import annotations

from dataclasses import dataclass

from bench.knowledge import Knowledge, build_knowledge
from bench.noop import noop_plugins
from bench.synth import history_dicts
from yibao_sdk.models import Visit
from yibao_sdk.rules import Engine
from yibao_sdk.testing import factories as f

__all__ = ["Bench", "make_bench"]


@dataclass(frozen=True, slots=True)
class Bench:
    """Knowledge plus the two engines built on it."""

    knowledge: Knowledge
    engine: Engine
    """``f.engine()``: every built-in plugin, catalogue, practitioners, violations, history."""
    noop: Engine
    """The same, with ten no-op plugins instead of the built-ins."""
    history_visits: int


def make_bench(seed: int = 20260302) -> Bench:
    """Build the knowledge and both engines (seeded, so every run sees the same data)."""
    k = build_knowledge(seed)
    history = [Visit.model_validate(d) for d in history_dicts(k)]

    def engine(*plugins: object) -> Engine:
        return f.engine(*plugins, catalog=k.catalog, practitioners=k.practitioners,
                        violations=k.violations, history=history)

    return Bench(k, engine(), engine(*noop_plugins()), len(history))
