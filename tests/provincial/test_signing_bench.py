"""The SM2 throughput benchmark runs and reports every figure (numbers themselves are for
``python -m yibao_sdk.adapters.provincial.signing.bench``, not for CI)."""

from __future__ import annotations

from yibao_sdk.adapters.provincial.signing.bench import sm2_throughput


def test_sm2_throughput_reports_all_rates() -> None:
    figures = sm2_throughput(seconds=0.0)
    for name in ("sm2_sign_per_s", "sm2_verify_per_s", "channel_seal_per_s",
                 "channel_open_per_s"):
        assert figures[name] > 0
    assert figures["message_bytes"] == 512
