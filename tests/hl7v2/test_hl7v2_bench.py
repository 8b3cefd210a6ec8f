"""The DFT^P03 benchmark measures what it says: a valid message, the reads, both parsers."""

from __future__ import annotations

import sys

import pytest
from hl7apy.parser import parse_message as hl7apy_parse
from hl7v2_samples import ROOT

from yibao_sdk.hl7v2 import parse_message

if str(ROOT) not in sys.path:  # bench/ is a top-level folder, not an installed package
    sys.path.insert(0, str(ROOT))

from bench.bench_hl7v2 import FT1_READS, dft_p03, read_charges, run


@pytest.mark.parametrize(("charset", "codec"), [("UTF-8", "utf-8"), ("GB18030", "gb18030")])
def test_hl7v2_bench_message_is_a_ten_line_dft(charset: str, codec: str) -> None:
    data = dft_p03(charset)
    message = parse_message(data)
    assert message.charset == codec and message.message_type == ("DFT", "P03", "DFT_P03")
    ft1s = message.all("FT1")
    assert len(ft1s) == 10 and ft1s[9]["FT1-7.2"] == "冠脉药物洗脱支架"
    assert ft1s[0]["FT1-11.1.1"] == "6.00" and ft1s[3]["FT1-10"] == "2"
    assert read_charges(message) > 0 and len(FT1_READS) >= 15
    theirs = hl7apy_parse(data.decode(codec))
    assert len(theirs.children) >= 5  # hl7apy reads it too (into its groups)


def test_hl7v2_bench_run_reports_every_figure() -> None:
    figures = run(seconds=0.0, hl7apy_batch=1)
    for label in ("utf8", "gb18030"):
        assert figures[f"ours_{label}_msgs_per_s"] > figures[f"hl7apy_{label}_msgs_per_s"] > 0
        assert figures[f"ratio_{label}"] > 1
