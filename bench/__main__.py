"""``make bench``: every benchmark side by side with its baseline, then one RESULTS.md.

Suites, in order: rules (事前 latency, 事后 throughput), hl7, mllp, fhir, provincial (client
overhead), mock (platform throughput), sm2. ``--only rules,hl7`` runs a subset; a full run
writes ``bench/RESULTS.md``, a subset or ``--quick`` run only prints (unless ``--write``).
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from datetime import datetime

from bench.noise import mark, others
from bench.results import RESULTS, Run
from bench.suites import SUITES, Options, run_suite

_FULL = "`make bench` (runs `.venv/bin/python -m bench`)"


def _keys(text: str | None) -> list[str]:
    if text is None:
        return list(SUITES)
    keys = [k.strip() for k in text.split(",") if k.strip()]
    unknown = [k for k in keys if k not in SUITES]
    if unknown or not keys:
        raise SystemExit(f"--only: unknown suite(s) {', '.join(unknown) or '(none given)'}; "
                         f"choose from {','.join(SUITES)}")
    return [k for k in SUITES if k in keys]


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", metavar="SUITES",
                        help=f"comma-separated subset of {','.join(SUITES)}")
    parser.add_argument("--quick", action="store_true",
                        help="small sizes everywhere (a smoke test; figures not kept)")
    parser.add_argument("--calls", type=int, default=5000, help="rules: timed check_order calls")
    parser.add_argument("--lines", type=int, default=100_000, help="rules: charge lines to audit")
    parser.add_argument("--memory-lines", type=int, default=10_000,
                        help="rules: N for the tracemalloc N / 2N comparison")
    parser.add_argument("--profile", action="store_true",
                        help="rules: print cProfile hot spots of both calls instead of "
                             "benchmarking (the provincial client: python -m "
                             "bench.bench_provincial --profile)")
    written = parser.add_mutually_exclusive_group()
    written.add_argument("--no-write", action="store_true", help="never write bench/RESULTS.md")
    written.add_argument("--write", action="store_true",
                         help="write bench/RESULTS.md for a subset or --quick run too")
    return parser.parse_args()


def _profile() -> None:
    from bench.engines import make_bench
    from bench.profile import profile_audit, profile_check

    bench = make_bench()
    print(profile_check(bench))
    print(profile_audit(bench))


def main() -> int:
    """Run the chosen suites, print each table and the goals, write ``bench/RESULTS.md``."""
    args = _args()
    if args.profile:
        _profile()
        return 0
    keys = _keys(args.only)
    options = Options(args.calls, args.lines, args.memory_lines, args.quick)
    full = args.only is None and not args.quick and (args.calls, args.lines,
                                                     args.memory_lines) == (5000, 100_000, 10_000)
    command = _FULL if full else f"`.venv/bin/python -m bench {shlex.join(sys.argv[1:])}`"
    started, when, load = mark(), datetime.now(), os.getloadavg()[0]
    sections = []
    for key in keys:
        print(f"== {key} ==", flush=True)
        section = run_suite(key, options)
        print(section.console if not section.error else f"FAILED: {section.error}",
              f"({section.seconds:.0f} s{section.noise.replace('**', '')})", "",
              sep="\n", flush=True)
        sections.append(section)
    ended = mark()
    run = Run(tuple(sections), command, when, load, ended.wall - started.wall,
              others(started, ended))
    print(run.header())
    print(run.console_summary())
    if (full or args.write) and not args.no_write:
        RESULTS.write_text(run.markdown(), encoding="utf-8")
        print(f"wrote {RESULTS}")
    return 1 if any(s.error for s in sections) else 0


if __name__ == "__main__":
    sys.exit(main())
