"""Provincial client overhead per call, beside a raw ``requests`` post of the same body.

Run alone with ``.venv/bin/python -m bench.bench_provincial`` (``--profile`` prints where the
client's time goes); :func:`run` returns the figures for ``make bench``.

The mock platform (``start_mock(NATIONAL, port=0)``) runs in a process of its own, spawned the
way :mod:`bench.bench_mllp` spawns its servers, so the client and the mock have a core each
and the client's work is not blurred by the mock's threads taking the GIL. In this process
one ``requests.Session`` (keep-alive, one connection) serves every side:

* **client**: ``ProvincialClient.call`` on the mock's ``client_profile``, SQLite journal in a
  temporary directory: role check (none configured), sign-in cache, envelope built and
  validated, a fresh msgid from the journal file, the journal written before sending for a
  ``check``-class call, the POST, the reply parsed into its wire model, the journal advanced.
* **raw**: ``session.post(url, data=body, headers=headers, timeout=…)`` of a body built
  beforehand (outside the timing) with the committed ``EnvelopeBuilder``, the same sign_no and a
  fresh msgid per call from the same msgid sequence; the reply is only checked for
  ``"infcode":0``.
* **transport** (a layer between, for the reader): the client's own ``Transport.send`` of a
  prebuilt request (signer hook, post, reply verified and parsed into its wire model), without
  the envelope, msgid, journal or retry machinery of ``call``.

Two calls: **1101** 人员信息获取 (``safe``: never journalled), and **2204** 门诊费用明细上传
with the four lines of the mock's worked example (``check``: journalled; a ``check`` row is
committed with ``synchronous=NORMAL``, only settlements and reversals use ``FULL``). Each
round times a block of calls of every side back to back (who goes first rotates every round)
after a warm-up; the figure of each side is the median over the rounds of its
mean time per call. Goals (issue 3, item 11): client ÷ raw at most 1.3 for queries and 2 for
journalled calls.
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import requests

from bench.provincial_names import (
    CLIENT_TRANSACTIONS,
    DEFAULT_INSTITUTION,
    DEFAULT_OPERATOR,
    EMPLOYEE,
    WORKED_EXAMPLE,
    EnvelopeBuilder,
    MsgidSource,
    OutboundRequest,
    ProvinceProfile,
    ProvincialClient,
    SignInDetails,
    fee_rows,
    registration_input,
)
from yibao_sdk.store.journal import SqliteJournal

__all__ = ["GOAL_JOURNAL_RATIO", "GOAL_QUERY_RATIO", "KINDS", "SIDES", "Rig", "main", "measure",
           "mock_process", "rig", "run"]

GOAL_QUERY_RATIO = 1.3
GOAL_JOURNAL_RATIO = 2.0
KINDS = ("query", "journal")
"""``query``: 1101 (safe); ``journal``: 2204 (check, journalled)."""
SIDES = ("client", "transport", "raw")
"""``client``: ``ProvincialClient.call``; ``transport``: the client's ``Transport.send`` of a
prebuilt request; ``raw``: ``session.post`` of prebuilt bytes."""

_REGION = EMPLOYEE.insuplc_admdvs
_QUERY: dict[str, Any] = {"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": EMPLOYEE.certno,
                                   "psn_cert_type": "01"}}
_TIMEOUT = (2.0, 10.0)
_Raw = tuple[str, bytes, dict[str, str]]


def _serve(pipe: Connection) -> None:
    """The mock's process: start it, hand over its client profile, wait to be told to stop."""
    from bench.provincial_names import NATIONAL, start_mock

    with start_mock(NATIONAL, port=0) as mock:
        pipe.send(mock.client_profile)
        pipe.recv()
    pipe.send("stopped")


@contextmanager
def mock_process() -> Iterator[ProvinceProfile]:
    """A mock platform (national profile, 127.0.0.1, a free port) in a spawned process."""
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    process = context.Process(target=_serve, args=(theirs,), daemon=True)
    process.start()
    try:
        if not ours.poll(60):
            raise RuntimeError("the mock platform did not start within 60 s")
        profile = ours.recv()
        if not isinstance(profile, ProvinceProfile):
            raise TypeError(f"the mock sent {type(profile).__name__}, not a profile")
        yield profile
    finally:
        with suppress(OSError, ValueError):
            ours.send("stop")
            ours.poll(10)  # "stopped": the server is shut down and its state closed
        process.join(timeout=10)
        if process.is_alive():
            process.kill()
            process.join(timeout=5)
        ours.close()


@dataclass(slots=True)
class Rig:
    """Both sides of the comparison, sharing one session and one msgid sequence."""

    client: ProvincialClient
    session: requests.Session
    builder: EnvelopeBuilder
    """The raw side's builder (same profile, institution, table; msgids from the journal file)."""
    sign_no: str
    mdtrt_id: str = ""
    """The visit 2204 uploads to (a new one every round)."""
    _serial: int = 0
    """Numbers visits and blocks of fee lines (the mock refuses a repeated ``feedetl_sn``)."""

    def new_visit(self) -> None:
        """Register a new outpatient visit (2201) for the next 2204 blocks."""
        self._serial += 1
        number = f"MZBENCH{self._serial:06d}"
        reply = self.client.call("2201", registration_input(EMPLOYEE, number), DEFAULT_OPERATOR,
                                 insuplc_admdvs=_REGION)
        self.mdtrt_id = str(reply.output.data.mdtrt_id)

    def fee_inputs(self, count: int) -> list[dict[str, Any]]:
        """``count`` 2204 inputs, each with new ``feedetl_sn``\\ s."""
        self._serial += 1
        block = self._serial
        return [{"feedetail": fee_rows(self.mdtrt_id, EMPLOYEE, WORKED_EXAMPLE,
                                       prefix=f"B{block:04d}N{i:05d}S")} for i in range(count)]

    def client_calls(self, kind: str, count: int) -> tuple[Callable[[Any], object], list[Any]]:
        """The client's call for ``kind`` and ``count`` inputs for it."""
        client = self.client
        if kind == "query":
            return (lambda data: client.call("1101", data, DEFAULT_OPERATOR)), [_QUERY] * count
        return (lambda data: client.call("2204", data, DEFAULT_OPERATOR,
                                         insuplc_admdvs=_REGION)), self.fee_inputs(count)

    def requests_for(self, kind: str, count: int) -> list[OutboundRequest]:
        """``count`` requests for ``kind``, built now (fresh msgid each, this client's sign_no)."""
        if kind == "query":
            return [self.builder.build("1101", _QUERY, DEFAULT_OPERATOR, sign_no=self.sign_no)
                    for _ in range(count)]
        return [self.builder.build("2204", data, DEFAULT_OPERATOR, sign_no=self.sign_no,
                                   insuplc_admdvs=_REGION) for data in self.fee_inputs(count)]

    def raw_calls(self, kind: str, count: int) -> tuple[Callable[[_Raw], object], list[_Raw]]:
        """A raw post and ``count`` prebuilt bodies for ``kind``."""
        return self.post, [(r.url, r.content(), r.headers)
                           for r in self.requests_for(kind, count)]

    def transport_calls(self, kind: str, count: int
                        ) -> tuple[Callable[[OutboundRequest], object], list[OutboundRequest]]:
        """The client's own ``Transport.send`` (sign, post, verify, parse; no envelope, msgid,
        journal or retry) and ``count`` prebuilt requests for ``kind``."""
        return self.client.transport.send, self.requests_for(kind, count)

    def post(self, raw: _Raw) -> bytes:
        """POST one prebuilt body; the reply must be a success envelope."""
        url, body, headers = raw
        response = self.session.post(url, data=body, headers=headers, timeout=_TIMEOUT)
        content = response.content
        if response.status_code != 200 or b'"infcode":0' not in content:
            raise RuntimeError(f"raw post failed: HTTP {response.status_code} {content[:200]!r}")
        return content


@contextmanager
def rig(profile: ProvinceProfile, folder: Path) -> Iterator[Rig]:
    """A signed-in client on a fresh journal in ``folder``, and the raw side beside it."""
    session = requests.Session()
    journal = SqliteJournal(folder / "journal.sqlite3")
    client = ProvincialClient(profile, DEFAULT_INSTITUTION, journal=journal, session=session,
                              sign_in=SignInDetails("00-00-00-00-00-00", "127.0.0.1"),
                              timeout=_TIMEOUT)
    msgids = MsgidSource(journal.path, DEFAULT_INSTITUTION.fixmedins_code)
    try:
        sign_no = client.exchange.sign_no(DEFAULT_OPERATOR, "1101")
        if sign_no is None:
            raise RuntimeError("the national profile signs in; no sign_no came back")
        builder = EnvelopeBuilder(profile, DEFAULT_INSTITUTION, msgids=msgids,
                                  table=CLIENT_TRANSACTIONS)
        bench_rig = Rig(client, session, builder, sign_no)
        bench_rig.new_visit()
        yield bench_rig
    finally:
        msgids.close()
        client.close()
        session.close()
        journal.close()


def _block_us(call: Callable[[Any], object], inputs: Sequence[Any]) -> float:
    """Mean microseconds per ``call(item)`` over ``inputs`` (GC on, collected first)."""
    gc.collect()
    started = time.perf_counter()
    for item in inputs:
        call(item)
    return (time.perf_counter() - started) / len(inputs) * 1e6


def _sides(bench_rig: Rig, kind: str, count: int
           ) -> list[tuple[str, tuple[Callable[[Any], object], Sequence[Any]]]]:
    return [("client", bench_rig.client_calls(kind, count)),
            ("transport", bench_rig.transport_calls(kind, count)),
            ("raw", bench_rig.raw_calls(kind, count))]


def measure(bench_rig: Rig, *, rounds: int, calls: int, warmup: int) -> dict[str, list[float]]:
    """Per-round mean µs per call of ``<side>_<kind>`` for every side of :data:`SIDES`."""
    for kind in KINDS:
        for _, (call, inputs) in _sides(bench_rig, kind, warmup):
            for item in inputs:
                call(item)
    found: dict[str, list[float]] = {f"{side}_{kind}": [] for kind in KINDS for side in SIDES}
    for index in range(rounds):
        bench_rig.new_visit()
        for kind in KINDS:
            sides = _sides(bench_rig, kind, calls)
            turn = index % len(sides)  # who goes first rotates, so drift hits every side alike
            for side, (call, inputs) in sides[turn:] + sides[:turn]:
                found[f"{side}_{kind}"].append(_block_us(call, inputs))
    return found


def run(*, rounds: int = 9, calls: int = 120, warmup: int = 30) -> dict[str, float]:
    """Measure both kinds of call on every side against one mock.

    :param rounds: timed rounds (each: one block per side and kind).
    :param calls: calls per block.
    :param warmup: untimed calls of each kind and side first (sign-in, connection, caches).
    :return: ``<side>_<kind>_us`` (median over the rounds of the mean µs per call),
        ``ratio_<kind>`` (client ÷ raw), ``ratio_<kind>_min``/``_max`` (the spread of the
        per-round quotients), ``transport_ratio_<kind>`` (transport ÷ raw), ``unresolved``
        journal rows at the end (must be 0), ``rounds`` and ``calls``.
    """
    with mock_process() as profile, tempfile.TemporaryDirectory(prefix="yibao-bench-") as tmp, \
            rig(profile, Path(tmp)) as bench_rig:
        found = measure(bench_rig, rounds=rounds, calls=calls, warmup=warmup)
        unresolved = len(bench_rig.client.journal.unresolved())
    out: dict[str, float] = {}
    for kind in KINDS:
        for side in SIDES:
            out[f"{side}_{kind}_us"] = statistics.median(found[f"{side}_{kind}"])
        per_round = [c / r for c, r in zip(found[f"client_{kind}"], found[f"raw_{kind}"],
                                           strict=True)]
        out[f"ratio_{kind}"] = out[f"client_{kind}_us"] / out[f"raw_{kind}_us"]
        out[f"ratio_{kind}_min"], out[f"ratio_{kind}_max"] = min(per_round), max(per_round)
        out[f"transport_ratio_{kind}"] = out[f"transport_{kind}_us"] / out[f"raw_{kind}_us"]
    out.update(unresolved=float(unresolved), rounds=float(rounds), calls=float(calls))
    return out


def main() -> None:
    """Print the figures and whether the goals are met (or, with ``--profile``, hot spots)."""
    parser = argparse.ArgumentParser(prog="python -m bench.bench_provincial",
                                     description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=9, help="timed rounds (median)")
    parser.add_argument("--calls", type=int, default=120, help="calls per block")
    parser.add_argument("--profile", action="store_true",
                        help="print cProfile of the client side of both calls instead")
    args = parser.parse_args()
    if args.profile:
        from bench.provincial_profile import profile_report

        print(profile_report())
        return
    figures = run(rounds=args.rounds, calls=args.calls)
    print(f"provincial client vs raw requests.post, mock on loopback (own process), "
          f"median of {args.rounds} rounds of {args.calls} calls")
    for kind, goal, label in (("query", GOAL_QUERY_RATIO, "1101 query (safe)"),
                              ("journal", GOAL_JOURNAL_RATIO, "2204 upload (journalled)")):
        ratio = figures[f"ratio_{kind}"]
        print(f"  {label:25} client {figures[f'client_{kind}_us']:7,.0f} µs   raw "
              f"{figures[f'raw_{kind}_us']:7,.0f} µs   ratio {ratio:.2f}× (rounds "
              f"{figures[f'ratio_{kind}_min']:.2f}–{figures[f'ratio_{kind}_max']:.2f})   "
              f"goal ≤ {goal}× {'met' if ratio <= goal else 'NOT met'}")
    print(f"  journal rows left unresolved: {figures['unresolved']:.0f}")


if __name__ == "__main__":
    main()
