"""The provincial sections: client overhead, mock platform throughput, SM2 speed.

Each function runs its suite with the ``make bench`` parameters (or small ones when ``quick``)
and returns a :class:`~bench.results.Section`.
"""

from __future__ import annotations

from bench.results import Goal, Section, md_table, ratio, table

__all__ = ["mock_section", "provincial_section", "sm2_section"]

_CALLS = (("query", "1101 person query (safe, not journalled)"),
          ("journal", "2204 fee upload, 4 lines (check, journalled)"))


def provincial_section(quick: bool = False) -> Section:
    """``bench.bench_provincial``: ``ProvincialClient.call`` vs a raw post of the same body."""
    from bench.bench_provincial import GOAL_JOURNAL_RATIO, GOAL_QUERY_RATIO, run

    rounds, calls = (3, 30) if quick else (9, 120)
    f = run(rounds=rounds, calls=calls, warmup=10 if quick else 30)
    limits = {"query": GOAL_QUERY_RATIO, "journal": GOAL_JOURNAL_RATIO}
    head = ("call", "raw post µs", "Transport.send µs", "client.call µs", "client ÷ raw",
            "rounds min–max", "goal")
    rows = [(label, f"{f[f'raw_{k}_us']:,.0f}", f"{f[f'transport_{k}_us']:,.0f}",
             f"{f[f'client_{k}_us']:,.0f}", ratio(f[f"ratio_{k}"]),
             f"{f[f'ratio_{k}_min']:.2f}–{f[f'ratio_{k}_max']:.2f}", f"≤ {limits[k]}×")
            for k, label in _CALLS]
    goals = tuple(Goal(f"provincial client, {label.split(' (')[0]}",
                       f"client ÷ raw requests.post ≤ {limits[k]}×", ratio(f[f"ratio_{k}"]),
                       f[f"ratio_{k}"] <= limits[k]) for k, label in _CALLS)
    body = [
        "The mock platform (`start_mock(NATIONAL, port=0)` on 127.0.0.1) runs in a spawned "
        "process of its own, so client and mock have a core each; this process holds one "
        "`requests.Session` (keep-alive, one connection) for every side. Calls: **1101** "
        "人员信息获取 and **2204** 门诊费用明细上传 with the four lines of the mock's worked "
        "example (a new 2201 visit every round).", "",
        "- **client.call:** `ProvincialClient.call(infno, input, operator)`, SQLite journal in a "
        "temporary directory, signed in during the warm-up: envelope built and validated, a "
        "msgid from the journal file, for 2204 the journal row written before sending and "
        "advanced after (`synchronous=NORMAL`; only settlements and reversals use `FULL`), "
        "the reply parsed into its wire model.",
        "- **Transport.send:** the client's own transport on a prebuilt request (post, verify, "
        "parse into the wire model): the layer between, to show which layer costs what.",
        "- **raw post:** `session.post(url, data=body, headers=…, timeout=…)` of bytes built "
        "beforehand with the committed `EnvelopeBuilder` (same sign_no, a fresh msgid per call "
        "from the same sequence, so the mock never answers \"duplicate\"); only "
        "`\"infcode\":0` is checked.",
        f"- Each round times a block of {calls} calls per side back to back, the first side "
        f"rotating; a figure is the median over {rounds} rounds of the mean µs per call, the "
        "ratio is client ÷ raw of those medians, the spread that of the per-round ratios.", "",
        md_table(head, rows), "",
        f"Journal rows left unresolved after the run: {f['unresolved']:.0f}.",
    ]
    if not all(g.met for g in goals):
        body += ["", *_breakdown(40 if quick else 200)]
    return Section("provincial", "Provincial client: overhead per call vs raw requests",
                   ".venv/bin/python -m bench.bench_provincial", goals, table(head, rows),
                   "\n".join(body))


def _breakdown(calls: int) -> list[str]:
    """The cProfile phase table, written when a goal is not met."""
    from bench.provincial_profile import breakdown

    out = ["**Where the client's time goes** (a goal is not met, so the client side was "
           f"profiled: cProfile over {calls} calls of each kind; cumulative µs per client call "
           "*under the profiler*, which inflates Python code more than socket waits: read them "
           "as shares. Phases nest. Full profiles: `.venv/bin/python -m bench.bench_provincial "
           "--profile`.)", ""]
    for kind, rows in breakdown(calls).items():
        label = dict(_CALLS)[kind]
        out += [md_table((f"{label}: phase", "calls per call", "µs per call"),
                         [(name, f"{n:.1f}", f"{us:,.0f}") for name, n, us in rows]), ""]
    return out


def mock_section(quick: bool = False) -> Section:
    """The mock platform's own throughput (``adapters/provincial/mock/bench.py``)."""
    from bench.provincial_names import mock_throughput

    seconds = 0.5 if quick else 3.0
    rate = mock_throughput(seconds)
    head = ("mock platform, 1101 over loopback", "calls/s", "µs/call")
    rows = [("one client thread, keep-alive, http.client", f"{rate:,.0f}", f"{1e6 / rate:,.0f}")]
    what = ("`mock_throughput`: the mock (`start_mock(NATIONAL)`, in this process, a thread per "
            "connection) answers one prebuilt 1101 body posted with `http.client` on one "
            "keep-alive connection, each reply checked for `infcode` 0; signed in once. The figure "
            "is the mock's cost per call (routing, envelope and sign-in checks, the lookup, the "
            f"reply) plus a minimal HTTP round trip, over {seconds:g} s. Issue 3 asks for the "
            "figure and sets no number.")
    return Section("mock", "Mock provincial platform throughput",
                   ".venv/bin/python -m yibao_sdk.adapters.provincial.mock.bench",
                   (Goal("mock platform (1101, loopback)", "", f"{rate:,.0f} calls/s", None),),
                   table(head, rows), "\n".join([what, "", md_table(head, rows)]))


def sm2_section(quick: bool = False) -> Section:
    """SM2 signatures and verifications per second (``signing/bench.py``)."""
    from bench.provincial_names import sm2_throughput

    seconds = 0.2 if quick else 1.0
    f = sm2_throughput(seconds)
    head = ("operation, one core", "per second", "ms each")
    rows = [(label, f"{f[key]:,.1f}", f"{1000 / f[key]:,.1f}") for key, label in (
        ("sm2_sign_per_s", f"SM3withSM2 sign, {f['message_bytes']:.0f}-byte message"),
        ("sm2_verify_per_s", "SM3withSM2 verify, same message"),
        ("channel_seal_per_s", f"SM channel seal (SM4 + sign), "
                               f"{f['channel_plaintext_bytes']:.0f}-byte JSON"),
        ("channel_open_per_s", "SM channel open (verify + SM4 decrypt)"),
    )]
    goals = (Goal("SM2 sign", "", f"{f['sm2_sign_per_s']:,.1f}/s", None),
             Goal("SM2 verify", "", f"{f['sm2_verify_per_s']:,.1f}/s", None))
    what = ("`sm2_throughput`: fresh keys, each operation repeated for at least "
            f"{seconds:g} s. SM2 comes from `gmalg` (pure Python: see "
            "`adapters/provincial/signing/sm2.py`). Issue 3 asks for signatures per second "
            "and sets no number; a signing profile pays one seal per request and one open per "
            "reply.")
    return Section("sm2", "SM2 signatures and verifications per second",
                   ".venv/bin/python -m yibao_sdk.adapters.provincial.signing.bench", goals,
                   table(head, rows), "\n".join([what, "", md_table(head, rows)]))
