"""SM2 throughput: signatures and verifications per second, and a full SM channel round trip.

Run ``python -m yibao_sdk.adapters.provincial.signing.bench`` (prints JSON). Bounded by time,
loopback-free: it only computes.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from .canonical import dumps_compact
from .sm import SmChannelCodec
from .sm2 import Sm2PrivateKey

__all__ = ["sm2_throughput"]


def _rate(operation: Callable[[], object], seconds: float, minimum: int = 5) -> float:
    """Calls per second of ``operation`` over about ``seconds`` (at least ``minimum`` calls)."""
    count, start = 0, time.perf_counter()
    while True:
        operation()
        count += 1
        elapsed = time.perf_counter() - start
        if count >= minimum and elapsed >= seconds:
            return count / elapsed


def sm2_throughput(seconds: float = 1.0, message_bytes: int = 512) -> dict[str, float]:
    """Measure SM2 and the channel scheme on this machine, one core.

    :param seconds: time spent on each measurement.
    :param message_bytes: size of the signed message (a typical sign text is 0.3-2 KB).
    :returns: ``sm2_sign_per_s``, ``sm2_verify_per_s``, ``channel_seal_per_s`` (SM4 + sign),
        ``channel_open_per_s`` (decrypt + verify), and the sizes used.
    """
    key, peer = Sm2PrivateKey.generate(), Sm2PrivateKey.generate()
    message = b"m" * message_bytes
    signature = key.sign(message)
    public = key.public_key
    client = SmChannelCodec(app_id="BENCH00000000001", app_secret="bench-secret",
                            private_key=key, peer_public_key=peer.public_key)
    platform = SmChannelCodec(app_id="BENCH00000000001", app_secret="bench-secret",
                              private_key=peer, peer_public_key=key.public_key)
    data = {"infno": "2207", "input": {"data": {"psn_no": "x" * 30, "medfee_sumamt": "123.45"}}}
    sealed = client.seal(data)
    return {
        "sm2_sign_per_s": _rate(lambda: key.sign(message), seconds),
        "sm2_verify_per_s": _rate(lambda: public.verify(message, signature), seconds),
        "channel_seal_per_s": _rate(lambda: client.seal(data), seconds),
        "channel_open_per_s": _rate(lambda: platform.open(sealed), seconds),
        "message_bytes": float(message_bytes),
        "channel_plaintext_bytes": float(len(dumps_compact(data))),
    }


if __name__ == "__main__":
    print(json.dumps(sm2_throughput(), indent=2))
