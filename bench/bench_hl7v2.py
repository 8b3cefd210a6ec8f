"""DFT^P03 with 10 FT1: our parse + a charge mapper's reads, beside hl7apy ``parse_message``."""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from collections.abc import Callable

from yibao_sdk.hl7v2 import Message, parse_message

__all__ = ["FT1_READS", "dft_p03", "main", "read_charges", "run"]

# Run alone with ``.venv/bin/python -m bench.bench_hl7v2``; :func:`run` returns the figures for
# ``make bench``. Both parsers get the same bytes in the same process, one core, GC on; hl7apy's
# side includes decoding the bytes (it takes only text), ours finding MSH-18 and decoding.
# Goals (issue 4): at least 10,000 messages/s and 200 times hl7apy.
GOAL_MSGS_PER_S = 10_000
GOAL_RATIO = 200

_ITEMS = (
    ("310100001", "一般诊疗费", "6.00", "1"), ("250101001", "血常规（五分类）", "25.00", "1"),
    ("250301002", "肝功能十二项", "68.00", "1"), ("XC01DAT030A001010104386", "硝酸甘油片",
                                                   "12.50", "2"),
    ("330100005", "静脉输液（第一组）", "8.00", "3"), ("C14020301800000305030000",
                                                   "一次性使用输液器", "3.20", "3"),
    ("210300001", "胸部CT平扫", "180.00", "1"), ("XJ01DDA063B002010100962", "头孢曲松钠注射剂",
                                               "45.60", "2"),
    ("311201001", "心电监护（每小时）", "5.00", "24"), ("C03160107200000102180000",
                                                    "冠脉药物洗脱支架", "5880.00", "1"),
)

#: (field, component, subcomponent) of every FT1 value the charge mapper reads into a core
#: ``Charge``: 2 charge id, 4 charged at, 6 transaction type (refund?), 7.1/7.2/7.3 hospital item
#: code, name and coding system, 10 quantity, 11.1.1 amount, 12.1.1 unit price, 13.1 department,
#: 20.1 performing and 21.1 ordering practitioner, 23.1 order id, 25.1 national item code,
#: 31 the line a refund reverses.
FT1_READS = (
    (2, 1, 1), (4, 1, 1), (6, 1, 1), (7, 1, 1), (7, 2, 1), (7, 3, 1), (10, 1, 1), (11, 1, 1),
    (12, 1, 1), (13, 1, 1), (20, 1, 1), (21, 1, 1), (23, 1, 1), (25, 1, 1), (31, 1, 1),
)


def _ft1(i: int, code: str, name: str, price: str, qty: str) -> str:
    amount = f"{float(price) * float(qty):.2f}"
    return (f"FT1|{i}|TX2025030100{i:02d}|B20250301|20250301093{i % 10}00|20250301100000|CG|"
            f"{code}^{name}^YBXM|{name}||{qty}|{amount}&CNY|{price}&CNY|0301^心血管内科|"
            f"310^职工基本医疗保险|||||I10.x00^原发性高血压^ICD10|D0123^李^明远|D0456^王^建国||"
            f"ORD20250301{i:03d}^HIS||{code}^{name}^YBXM")


def dft_p03(charset: str = "UTF-8", *, ft1_count: int = 10) -> bytes:
    """A realistic DFT^P03 (v2.5) with ``ft1_count`` FT1, encoded in ``charset``.

    :param charset: ``"UTF-8"`` or ``"GB18030"``; written to MSH-18 as well.
    """
    msh18 = "UNICODE UTF-8" if charset.upper() == "UTF-8" else "GB18030"
    segments = [
        "MSH|^~\\&|HIS|市第一人民医院|YBGW|医保网关|20250301100000+0800||DFT^P03^DFT_P03|"
        f"DFT2025030100001|P|2.5|||AL|NE|CHN|{msh18}",
        "EVN|P03|20250301100000",
        "PID|1||0001234567^^^HIS^PI~110101199003077777^^^CHN^NNCHN||张^伟||19900307|M|||"
        "东城区和平里街道1号^^北京市^^100010^CHN||13800000000",
        "PV1|1|I|0301^0312^02^市第一人民医院||||D0123^李^明远^^^^主任医师||||||||||||"
        "ZY20250301001|310",
        "DG1|1||I10.x00^原发性高血压^ICD10||20250301|A",
    ]
    segments += [_ft1(i, *_ITEMS[(i - 1) % len(_ITEMS)]) for i in range(1, ft1_count + 1)]
    segments.append("IN1|1|310^职工基本医疗保险|110000^北京市医疗保障局")
    return "\r".join(segments).encode("utf-8" if msh18.startswith("UNICODE") else "gb18030")


def read_charges(message: Message) -> int:
    """Read what a DFT charge mapper reads; returns the number of characters seen."""
    seen = len(message.control_id) + len(message.message_type[0])
    pid, pv1 = message.segment("PID"), message.segment("PV1")
    if pid is not None:
        seen += len(pid.value(3)) + len(pid.value(3, repetition=2)) + len(pid.value(5))
    if pv1 is not None:
        seen += len(pv1.value(19)) + len(pv1.value(2)) + len(pv1.value(20))
    for ft1 in message.all("FT1"):
        for field, component, subcomponent in FT1_READS:
            seen += len(ft1.value(field, component, subcomponent))
    return seen


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


def _ours(data: bytes) -> Callable[[], object]:
    return lambda: read_charges(parse_message(data))


def _hl7apy(data: bytes, codec: str) -> Callable[[], object]:
    from hl7apy.parser import parse_message as hl7apy_parse

    return lambda: hl7apy_parse(data.decode(codec))


def run(*, seconds: float = 2.0, hl7apy_batch: int = 4) -> dict[str, float]:
    """Time both parsers on the UTF-8 and GB18030 variants.

    :param seconds: minimum timing per measurement (at least five batches each).
    :param hl7apy_batch: hl7apy parses per batch (it manages about 20 a second here).
    :return: ``ours_*`` and ``hl7apy_*`` messages/s, ``ratio_*`` and ``us_per_msg_*``.
    """
    out: dict[str, float] = {}
    for label, charset, codec in (("utf8", "UTF-8", "utf-8"), ("gb18030", "GB18030", "gb18030")):
        data = dft_p03(charset)
        ours = _rate(_ours(data), seconds=seconds, batch=500)
        theirs = _rate(_hl7apy(data, codec), seconds=seconds, batch=hl7apy_batch)
        out[f"ours_{label}_msgs_per_s"] = ours
        out[f"hl7apy_{label}_msgs_per_s"] = theirs
        out[f"ratio_{label}"] = ours / theirs
        out[f"us_per_msg_{label}"] = 1e6 / ours
    out["message_bytes_utf8"] = float(len(dft_p03("UTF-8")))
    return out


def main() -> None:
    """Print the figures and whether the goals are met."""
    parser = argparse.ArgumentParser(prog="python -m bench.bench_hl7v2", description=__doc__)
    parser.add_argument("--seconds", type=float, default=2.0, help="timing per measurement")
    args = parser.parse_args()
    figures = run(seconds=args.seconds)
    print(f"DFT^P03, 10 FT1, {figures['message_bytes_utf8']:.0f} bytes (UTF-8); "
          f"parse + {len(FT1_READS)} FT1 reads each vs hl7apy parse_message")
    for label in ("utf8", "gb18030"):
        ours, theirs = figures[f"ours_{label}_msgs_per_s"], figures[f"hl7apy_{label}_msgs_per_s"]
        ratio = figures[f"ratio_{label}"]
        met = ours >= GOAL_MSGS_PER_S and ratio >= GOAL_RATIO
        print(f"  {label:8} ours {ours:10,.0f} msg/s ({1e6 / ours:6.1f} µs)   hl7apy "
              f"{theirs:6.1f} msg/s   ratio {ratio:7,.0f}×   goal {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
