"""``make bench``: 事前 per-order latency and 事后 batch-audit throughput, then RESULTS.md."""

from __future__ import annotations

import argparse
import os
import time
from datetime import datetime

from bench.engines import Bench, make_bench
from bench.latency import run_latency
from bench.profile import profile_audit, profile_check
from bench.report import RESULTS, Report
from bench.throughput import run_memory, run_throughput


def _knowledge(bench: Bench) -> str:
    k = bench.knowledge
    grey = len({v.practitioner_id for v in k.violations})
    return (f"catalogue of {len(k.catalog)} items ({len(k.capped)} with price caps), "
            f"{len(k.practitioners)} practitioners ({grey} with violations), "
            f"{bench.history_visits} earlier stays in the history store")


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--calls", type=int, default=5000, help="timed check_order calls")
    parser.add_argument("--lines", type=int, default=100_000, help="charge lines to audit")
    parser.add_argument("--memory-lines", type=int, default=10_000,
                        help="N for the tracemalloc N / 2N comparison")
    parser.add_argument("--profile", action="store_true",
                        help="print cProfile hot spots of both calls instead of benchmarking")
    parser.add_argument("--no-write", action="store_true", help="do not write bench/RESULTS.md")
    return parser.parse_args()


def main() -> None:
    """Run everything, print the table and write ``bench/RESULTS.md``."""
    args = _args()
    started, load = time.perf_counter(), os.getloadavg()[0]
    bench = make_bench()
    if args.profile:
        print(profile_check(bench))
        print(profile_audit(bench))
        return
    latency = run_latency(bench, calls=args.calls)
    audit = run_throughput(bench, lines=args.lines)
    memory = (run_memory(bench, args.memory_lines), run_memory(bench, 2 * args.memory_lines))
    report = Report(latency, audit, memory, tuple(bench.engine.plugin_names), _knowledge(bench),
                    time.perf_counter() - started, datetime.now(), load)
    print(report.console())
    if not args.no_write:
        RESULTS.write_text(report.markdown(), encoding="utf-8")
        print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
