"""x-tif headers (reference §4.1): known answers computed independently with hashlib, header
names, and gateway-side verification (constant time, tolerance, replay)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest

from yibao_sdk.adapters.provincial.signing import (
    MemoryNonceCache,
    SignatureError,
    SignedReply,
    SignedRequest,
    SigningConfigError,
    XTifHeaderNames,
    XTifPlatform,
    XTifSigner,
    verify_headers,
    xtif_signature,
)

TIMESTAMP = "1700000000"
NONCE = "0123456789abcdef0123456789abcdef"
SECRET = "paas-secret-值"
PAAS_ID = "hosp_440101"
REQUEST = SignedRequest("POST", "https://gd.example/fsi/api/callService/2207", {}, b'{"a":1}')


def _documented(timestamp: str, secret: str, nonce: str) -> str:
    """Reference §4.1 literally: lowercase hex SHA-256 of UTF-8(ts + secret + nonce + ts)."""
    return hashlib.sha256((timestamp + secret + nonce + timestamp).encode("utf-8")).hexdigest()


def _nonces() -> Iterator[str]:
    yield NONCE
    yield "fedcba9876543210fedcba9876543210"


def _signer(**kwargs: object) -> XTifSigner:
    nonces = _nonces()
    return XTifSigner(PAAS_ID, SECRET, clock=lambda: 1_700_000_000.9,
                      nonce_factory=lambda: next(nonces), **kwargs)  # type: ignore[arg-type]


def test_known_answer_for_fixed_timestamp_nonce_and_secret() -> None:
    expected = _documented(TIMESTAMP, SECRET, NONCE)
    assert expected == "36337c58796cca9192e823563f7a865d58fb943f6ed7746f25c4496bdb492957"
    assert xtif_signature(TIMESTAMP, SECRET, NONCE) == expected


def test_signer_adds_the_four_headers_and_leaves_the_body() -> None:
    signed = _signer().sign(REQUEST)
    assert dict(signed.headers) == {
        "x-tif-paasid": PAAS_ID,
        "x-tif-timestamp": TIMESTAMP,  # whole seconds, truncated
        "x-tif-nonce": NONCE,
        "x-tif-signature": _documented(TIMESTAMP, SECRET, NONCE),
    }
    assert signed.body == REQUEST.body


def test_each_request_gets_a_new_nonce_and_signature() -> None:
    signer = _signer()
    first, second = signer.sign(REQUEST), signer.sign(REQUEST)
    assert first.header("x-tif-nonce") != second.header("x-tif-nonce")
    assert first.header("x-tif-signature") != second.header("x-tif-signature")
    default = XTifSigner(PAAS_ID, SECRET)
    nonces = {default.sign(REQUEST).header("x-tif-nonce") for _ in range(200)}
    assert len(nonces) == 200
    assert all(n is not None and len(n) == 32 for n in nonces)


def test_header_names_and_service_id_are_configurable() -> None:
    names = XTifHeaderNames(paasid="x-tif-paasId")
    signed = _signer(names=names, service_id="svc-1").sign(
        REQUEST.with_headers({"X-TIF-PAASID": "stale"})
    )
    assert signed.headers["x-tif-paasId"] == PAAS_ID
    assert "X-TIF-PAASID" not in signed.headers  # replaced whatever its case
    assert signed.headers["x-tif-serviceId"] == "svc-1"


def test_replies_pass_through() -> None:
    reply = SignedReply(200, {}, b"{}")
    assert _signer().verify_reply(reply) is reply


def _headers(**override: str) -> dict[str, str]:
    headers = dict(_signer().sign(REQUEST).headers)
    headers.update(override)
    return headers


def test_verify_accepts_good_headers_in_any_case() -> None:
    upper = {k.upper(): v for k, v in _headers().items()}
    claims = verify_headers(upper, SECRET, now=1_700_000_100)
    assert (claims.paas_id, claims.timestamp, claims.nonce) == (PAAS_ID, 1_700_000_000, NONCE)


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"x-tif-signature": _documented(TIMESTAMP, "wrong", NONCE)}, "does not match"),
        ({"x-tif-signature": _documented(TIMESTAMP, SECRET, NONCE).upper()}, None),
        ({"x-tif-nonce": "ffffffffffffffffffffffffffffffff"}, "does not match"),
        ({"x-tif-timestamp": "1700000001"}, "does not match"),
        ({"x-tif-signature": "abc"}, "malformed x-tif-signature"),
        ({"x-tif-timestamp": "1700000000000"}, "malformed x-tif-timestamp"),
        ({"x-tif-timestamp": " 1700000000"}, "malformed x-tif-timestamp"),
        ({"x-tif-nonce": "short"}, "malformed x-tif-nonce"),
        ({"x-tif-nonce": ""}, "missing x-tif-nonce"),
    ],
)
def test_verify_rejects_wrong_or_malformed_headers(
    override: dict[str, str], message: str | None
) -> None:
    headers = _headers(**override)
    if message is None:  # hex case does not matter
        verify_headers(headers, SECRET, now=1_700_000_000)
        return
    with pytest.raises(SignatureError, match=message):
        verify_headers(headers, SECRET, now=1_700_000_000)


def test_verify_rejects_missing_header() -> None:
    headers = _headers()
    del headers["x-tif-signature"]
    with pytest.raises(SignatureError, match="missing x-tif-signature"):
        verify_headers(headers, SECRET, now=1_700_000_000)


@pytest.mark.parametrize(("now", "ok"), [(1_700_000_300, True), (1_700_000_301, False),
                                          (1_699_999_700, True), (1_699_999_699, False)])
def test_timestamp_tolerance_both_ways(now: float, ok: bool) -> None:
    if ok:
        verify_headers(_headers(), SECRET, now=now, tolerance_s=300)
    else:
        with pytest.raises(SignatureError, match="tolerance 300 s"):
            verify_headers(_headers(), SECRET, now=now, tolerance_s=300)


def test_replayed_nonce_is_rejected_but_only_after_a_valid_signature() -> None:
    cache = MemoryNonceCache()
    headers = _headers()
    forged = dict(headers, **{"x-tif-signature": "0" * 64})
    with pytest.raises(SignatureError, match="does not match"):
        verify_headers(forged, SECRET, now=1_700_000_000, nonce_cache=cache)
    assert len(cache) == 0  # a forgery does not burn the nonce
    verify_headers(headers, SECRET, now=1_700_000_000, nonce_cache=cache)
    with pytest.raises(SignatureError, match="already used"):
        verify_headers(headers, SECRET, now=1_700_000_001, nonce_cache=cache)


def test_uses_constant_time_comparison(monkeypatch: pytest.MonkeyPatch) -> None:
    import hmac

    from yibao_sdk.adapters.provincial.signing import replay

    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(replay.hmac, "compare_digest", spy)
    verify_headers(_headers(), SECRET, now=1_700_000_000)
    assert any(len(a) == 64 for a, _ in calls)


def test_platform_verifies_per_paas_id_and_refuses_unknown_ones() -> None:
    platform = XTifPlatform({PAAS_ID: SECRET, "other": "x"}, clock=lambda: 1_700_000_010,
                            nonce_cache=MemoryNonceCache())
    signed = _signer().sign(REQUEST)
    assert platform.verify_request(signed) is signed
    with pytest.raises(SignatureError, match="already used"):
        platform.verify_request(signed)
    stranger = XTifSigner("nobody", SECRET, clock=lambda: 1_700_000_010).sign(REQUEST)
    with pytest.raises(SignatureError, match="unknown x-tif-paasid"):
        platform.verify_request(stranger)
    impostor = XTifSigner("other", SECRET, clock=lambda: 1_700_000_010).sign(REQUEST)
    with pytest.raises(SignatureError, match="does not match"):
        platform.verify_request(impostor)
    with pytest.raises(SignatureError, match="not the one"):
        verify_headers(_headers(), SECRET, now=1_700_000_000, expected_paas_id="other")


def test_configuration_errors() -> None:
    with pytest.raises(SigningConfigError):
        XTifSigner("", SECRET)
    with pytest.raises(SigningConfigError):
        XTifSigner(PAAS_ID, "")
    with pytest.raises(SigningConfigError):
        XTifPlatform({})
    with pytest.raises(SigningConfigError):
        XTifPlatform({PAAS_ID: ""})
    with pytest.raises(SigningConfigError):  # an empty secret would let anyone sign
        verify_headers(XTifSigner(PAAS_ID, "x").sign(REQUEST).headers, "", now=0)
