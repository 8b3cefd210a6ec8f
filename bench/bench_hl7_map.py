"""DFT^P03 parse + map into core ``Charge`` models, beside hl7apy ``parse_message``.

Run alone with ``.venv/bin/python -m bench.bench_hl7_map``; :func:`run` returns the figures for
``make bench``. Each sample (the demo DFT^P03 with 10 FT1 in UTF-8, and the GB18030 demo) is
timed through ``route(parse_message(raw))`` (tokenise, then map to validated pydantic models:
patient, visit number, every charge) and through hl7apy's ``parse_message`` on the same bytes in
the same process, one core, GC on. hl7apy's side includes decoding the bytes (it takes only
text) and only parses: it maps nothing. Goals (issue 4, item 7): at least 10,000 messages/s and
200 times hl7apy.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from adapters.his.hl7 import route
from yibao_sdk.hl7v2 import parse_message

__all__ = ["GOAL_MSGS_PER_S", "GOAL_RATIO", "SAMPLES", "main", "map_once", "run"]

GOAL_MSGS_PER_S = 10_000
GOAL_RATIO = 200

_DEMO = Path(__file__).resolve().parents[1] / "yibao_sdk" / "demo" / "hl7"
SAMPLES: dict[str, tuple[Path, str]] = {
    "utf8": (_DEMO / "his_dft_p03_charges.hl7", "utf-8"),
    "gb18030": (_DEMO / "his_dft_p03_gb18030.hl7", "gb18030"),
}
"""Label → (sample file, the codec hl7apy's side decodes it with)."""


def map_once(data: bytes) -> int:
    """Parse and map one DFT^P03; returns the number of charges."""
    return len(route(parse_message(data)).charges)


def _rate(call: Callable[[], object], *, seconds: float, batch: int) -> float:
    """Calls per second of ``call``: the median over batches of ``batch`` calls.

    Batches run until ``seconds`` have passed (at least five); the median keeps a neighbour's
    burst on this shared machine from deciding the figure.
    """
    call()  # warm caches and imports
    gc.collect()
    rates: list[float] = []
    deadline = time.perf_counter() + seconds
    while len(rates) < 5 or time.perf_counter() < deadline:
        started = time.perf_counter()
        for _ in range(batch):
            call()
        rates.append(batch / (time.perf_counter() - started))
    return statistics.median(rates)


def _hl7apy(data: bytes, codec: str) -> Callable[[], object]:
    from hl7apy.parser import parse_message as hl7apy_parse

    return lambda: hl7apy_parse(data.decode(codec))


def run(*, seconds: float = 2.0, hl7apy_batch: int = 4) -> dict[str, float]:
    """Time parse + map and hl7apy on each sample.

    :param seconds: minimum timing per measurement (at least five batches each).
    :param hl7apy_batch: hl7apy parses per batch (it manages a few dozen a second here).
    :return: per label (``utf8``, ``gb18030``), named as in :mod:`bench.bench_hl7v2`:
        ``ours_<label>_msgs_per_s`` (parse + map), ``us_per_msg_<label>``,
        ``hl7apy_<label>_msgs_per_s``, ``ratio_<label>`` (ours ÷ hl7apy), and
        ``charges_<label>`` (charges mapped per message) and ``message_bytes_<label>``.
    """
    out: dict[str, float] = {}
    for label, (path, codec) in SAMPLES.items():
        data = path.read_bytes()
        ours = _rate(partial(map_once, data), seconds=seconds, batch=500)
        theirs = _rate(_hl7apy(data, codec), seconds=seconds, batch=hl7apy_batch)
        out[f"ours_{label}_msgs_per_s"] = ours
        out[f"us_per_msg_{label}"] = 1e6 / ours
        out[f"hl7apy_{label}_msgs_per_s"] = theirs
        out[f"ratio_{label}"] = ours / theirs
        out[f"charges_{label}"] = float(map_once(data))
        out[f"message_bytes_{label}"] = float(len(data))
    return out


def main() -> None:
    """Print the figures and whether the goals are met."""
    parser = argparse.ArgumentParser(prog="python -m bench.bench_hl7_map", description=__doc__)
    parser.add_argument("--seconds", type=float, default=2.0, help="timing per measurement")
    args = parser.parse_args()
    figures = run(seconds=args.seconds)
    print("DFT^P03 parse + map to core models (route(parse_message(raw))) vs hl7apy "
          "parse_message, same bytes, same process")
    for label, (path, _) in SAMPLES.items():
        ours, theirs = figures[f"ours_{label}_msgs_per_s"], figures[f"hl7apy_{label}_msgs_per_s"]
        ratio = figures[f"ratio_{label}"]
        met = ours >= GOAL_MSGS_PER_S and ratio >= GOAL_RATIO
        print(f"  {label:8} {path.name:26} {figures[f'charges_{label}']:3.0f} charges  "
              f"ours {ours:9,.0f} msg/s ({figures[f'us_per_msg_{label}']:6.1f} µs)   "
              f"hl7apy {theirs:6.1f} msg/s   ratio {ratio:6,.0f}×   "
              f"goal {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
