"""Where the provincial client's time goes: cProfile of the client side, against the mock.

``python -m bench.bench_provincial --profile`` prints the full profiles; :func:`breakdown`
gives the per-call phase table that ``make bench`` writes under the overhead figures. Times
are cumulative microseconds per client call *under the profiler* (which inflates Python-heavy
code more than socket waits): read them as shares, not as latencies. Phases nest (the msgid is
taken inside the envelope build, bodies are encoded inside the journal write and the post).
"""

from __future__ import annotations

import cProfile
import io
import pstats
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.bench_provincial import KINDS, Rig, mock_process, rig

__all__ = ["PHASES", "Phase", "breakdown", "profile_report"]


@dataclass(frozen=True, slots=True)
class Phase:
    """One row of the breakdown: a function picked out of the profile."""

    label: str
    file_suffix: str
    function: str


_WHOLE = Phase("whole call: ProvincialClient.call", "adapters/provincial/client.py", "call")
PHASES = (
    Phase("envelope: EnvelopeBuilder.build", "adapters/provincial/envelope.py", "build"),
    Phase("· input → wire model (validate, to_wire)", "adapters/provincial/envelope.py",
          "wire_input"),
    Phase("· msgid: MsgidSource.next (SQLite commit)", "adapters/provincial/msgid.py", "next"),
    Phase("body → JSON bytes: jsonwire.dumps (all calls)", "adapters/provincial/jsonwire.py",
          "dumps"),
    Phase("journal: Exchange.begin (row + body)", "adapters/provincial/calls.py", "begin"),
    Phase("journal: SqliteJournal.advance (sent, confirmed)", "yibao_sdk/store/journal.py",
          "advance"),
    Phase("reply: parse_reply (envelope + output model)", "adapters/provincial/reply.py",
          "parse_reply"),
    Phase("after reply: Exchange.record_success", "adapters/provincial/calls.py",
          "record_success"),
)
"""The phases reported after the whole call, in order; a phase whose function is gone is
left out."""
_HTTP = Phase("HTTP: requests Session.request", "requests/sessions.py", "request")

_Key = tuple[str, int, str]


def _profile(call: Callable[[Any], object], inputs: list[Any]) -> cProfile.Profile:
    profiler = cProfile.Profile()
    profiler.enable()
    for item in inputs:
        call(item)
    profiler.disable()
    return profiler


def _stats(profiler: cProfile.Profile) -> dict[_Key, tuple[int, int, float, float, Any]]:
    stats = pstats.Stats(profiler)
    found: dict[_Key, tuple[int, int, float, float, Any]] = stats.stats  # type: ignore[attr-defined]
    return found


def _find(stats: dict[_Key, tuple[int, int, float, float, Any]], phase: Phase
          ) -> tuple[float, float] | None:
    """(calls, cumulative seconds) of ``phase`` in ``stats``; ``None`` if it is not there."""
    hits = [(nc, ct) for (path, _, name), (_, nc, _, ct, _) in stats.items()
            if name == phase.function and path.replace("\\", "/").endswith(phase.file_suffix)]
    return (sum(nc for nc, _ in hits), max(ct for _, ct in hits)) if hits else None


def _phase_rows(client: cProfile.Profile, raw: cProfile.Profile | None, calls: int
                ) -> list[tuple[str, float, float]]:
    """(label, calls per client call, cumulative µs per client call): the whole call, its
    HTTP part (and the raw side's, if given), the rest, then each phase of :data:`PHASES`."""
    stats = _stats(client)
    rows: list[tuple[str, float, float]] = []
    whole, http = _find(stats, _WHOLE), _find(stats, _HTTP)
    if whole is not None and http is not None:
        rows += [(_WHOLE.label, whole[0] / calls, whole[1] / calls * 1e6),
                 (f"· {_HTTP.label}", http[0] / calls, http[1] / calls * 1e6),
                 ("· the client's own work (whole call − HTTP)", 1.0,
                  (whole[1] - http[1]) / calls * 1e6)]
    raw_http = _find(_stats(raw), _HTTP) if raw is not None else None
    if raw_http is not None:
        rows.append(("raw side, for comparison: its Session.request", raw_http[0] / calls,
                     raw_http[1] / calls * 1e6))
    for phase in PHASES:
        found = _find(stats, phase)
        if found is not None:
            rows.append((phase.label, found[0] / calls, found[1] / calls * 1e6))
    return rows


def _profiles(calls: int) -> dict[str, tuple[cProfile.Profile, cProfile.Profile]]:
    """Client and raw profiles of ``calls`` calls of each kind (after a warm-up)."""
    out: dict[str, tuple[cProfile.Profile, cProfile.Profile]] = {}
    with mock_process() as profile, tempfile.TemporaryDirectory(prefix="yibao-bench-") as tmp, \
            rig(profile, Path(tmp)) as bench_rig:
        for kind in KINDS:
            _warm_kind(bench_rig, kind)
            client = _profile(*bench_rig.client_calls(kind, calls))
            raw_call, raw_inputs = bench_rig.raw_calls(kind, calls)
            out[kind] = (client, _profile(raw_call, list(raw_inputs)))
    return out


def _warm_kind(bench_rig: Rig, kind: str) -> None:
    call, inputs = bench_rig.client_calls(kind, 20)
    for item in inputs:
        call(item)


def breakdown(calls: int = 200) -> dict[str, list[tuple[str, float, float]]]:
    """Per kind: the phase rows of the client side, with the raw side's post beside them."""
    return {kind: _phase_rows(client, raw, calls)
            for kind, (client, raw) in _profiles(calls).items()}


def profile_report(calls: int = 300, limit: int = 30) -> str:
    """The client side's profile of each kind: top functions by own and cumulative time."""
    text = io.StringIO()
    for kind, (client, _) in _profiles(calls).items():
        text.write(f"==== {kind}: {calls} client calls ====\n")
        stats = pstats.Stats(client, stream=text)
        stats.sort_stats("tottime").print_stats(limit)
        stats.sort_stats("cumulative").print_stats(limit)
        text.write("phases (cumulative µs per call under cProfile):\n")
        for label, per_call, us in _phase_rows(client, None, calls):
            text.write(f"  {label:58} {per_call:5.1f}×  {us:8.1f} µs\n")
    return text.getvalue()
