"""HMAC header scheme (reference §4.3 ``_api_*``): known answers computed independently, body
and header binding, tolerance, replay, and the HSAF preset."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest

from yibao_sdk.adapters.provincial.signing import (
    HmacPlatform,
    HmacScheme,
    HmacSigner,
    MemoryNonceCache,
    SignatureError,
    SignedReply,
    SignedRequest,
    SigningConfigError,
    verify_hmac_request,
)

NOW = 1_700_000_000.25
SECRET = "hmac-secret-密钥"
BODY = b'{"infno":"2207","msgid":"M1","input":{}}'
REQUEST = SignedRequest("post", "https://jx.example/fsi/api/rsfComIfsService/callService?x=1",
                        {"Content-Type": "application/json"}, BODY)


def _signer(scheme: HmacScheme | None = None) -> HmacSigner:
    return HmacSigner("AK1", SECRET, scheme=scheme or HmacScheme(), clock=lambda: NOW,
                      nonce_factory=lambda: "nonce-0001")


def test_canonical_request_known_answer() -> None:
    signed = _signer().sign(REQUEST)
    text = "\n".join([
        "POST", "/fsi/api/rsfComIfsService/callService?x=1", "1700000000250", "nonce-0001", "AK1",
        "2207", "1.0.0", hashlib.sha256(BODY).hexdigest(),
    ])
    expected = base64.b64encode(
        hmac.new(SECRET.encode(), text.encode(), hashlib.sha256).digest()
    ).decode()
    assert dict(signed.headers) == {
        "Content-Type": "application/json",
        "_api_access_key": "AK1",
        "_api_timestamp": "1700000000250",
        "_api_name": "2207",
        "_api_version": "1.0.0",
        "_api_nonce": "nonce-0001",
        "_api_signature": expected,
    }


def test_hsaf_preset_known_answer() -> None:
    signed = _signer(HmacScheme.hsaf()).sign(REQUEST)
    text = "_api_access_key=AK1&_api_name=2207&_api_timestamp=1700000000250&_api_version=1.0.0"
    expected = base64.b64encode(hmac.new(SECRET.encode(), text.encode(), hashlib.sha1).digest())
    assert signed.header("_api_signature") == expected.decode()
    assert signed.header("_api_nonce") is None


def test_hex_encoding_and_seconds_option() -> None:
    scheme = HmacScheme(encoding="hex", timestamp_unit="s")
    signed = _signer(scheme).sign(REQUEST)
    assert signed.header("_api_timestamp") == "1700000000"
    signature = signed.header("_api_signature")
    assert signature is not None and len(signature) == 64
    verify_hmac_request(signed, {"AK1": SECRET}, now=NOW, scheme=scheme)


def test_verify_round_trip_and_what_the_signature_covers() -> None:
    signed = _signer().sign(REQUEST)
    assert verify_hmac_request(signed, {"AK1": SECRET}, now=NOW) == "AK1"
    tampered = [
        signed.with_body(BODY.replace(b"M1", b"M2")),
        signed.with_headers({"_api_name": "2208"}),
        signed.with_headers({"_api_nonce": "nonce-0002"}),
        signed.with_headers({"_api_timestamp": "1700000000251"}),
        SignedRequest("POST", REQUEST.url.replace("x=1", "x=2"), signed.headers, BODY),
        SignedRequest("GET", REQUEST.url, signed.headers, BODY),
    ]
    for request in tampered:
        with pytest.raises(SignatureError, match="_api_signature does not match"):
            verify_hmac_request(request, {"AK1": SECRET}, now=NOW)


def test_verify_rejects_unknown_key_missing_headers_and_stale_timestamps() -> None:
    signed = _signer().sign(REQUEST)
    with pytest.raises(SignatureError, match="unknown _api_access_key"):
        verify_hmac_request(signed, {"AK2": SECRET}, now=NOW)
    with pytest.raises(SignatureError, match="missing _api_signature"):
        verify_hmac_request(signed.with_headers({"_api_signature": ""}), {"AK1": SECRET}, now=NOW)
    with pytest.raises(SignatureError, match="malformed _api_timestamp"):
        verify_hmac_request(signed.with_headers({"_api_timestamp": "-1"}), {"AK1": SECRET},
                            now=NOW)
    with pytest.raises(SignatureError, match="tolerance 60 s"):
        verify_hmac_request(signed, {"AK1": SECRET}, now=NOW + 61, tolerance_s=60)


def test_replay_is_rejected_with_and_without_a_nonce_header() -> None:
    for scheme in (HmacScheme(), HmacScheme.hsaf()):
        platform = HmacPlatform({"AK1": SECRET}, scheme=scheme, clock=lambda: NOW,
                                nonce_cache=MemoryNonceCache())
        signed = _signer(scheme).sign(REQUEST)
        assert platform.verify_request(signed) is signed
        with pytest.raises(SignatureError, match="already used"):
            platform.verify_request(signed)


def test_api_name_is_pluggable_and_replies_pass_through() -> None:
    signer = HmacSigner("AK1", SECRET, api_name=lambda r: "custom")
    assert signer.sign(REQUEST).header("_api_name") == "custom"
    assert _signer().sign(REQUEST.with_body(b"not json")).header("_api_name") == ""
    reply = SignedReply(200, {}, b"{}")
    assert signer.verify_reply(reply) is reply
    assert HmacPlatform({"AK1": SECRET}).sign_reply(reply) is reply


def test_configuration_errors() -> None:
    with pytest.raises(SigningConfigError):
        HmacSigner("", SECRET)
    with pytest.raises(SigningConfigError):
        HmacSigner("AK1", "")
    with pytest.raises(SigningConfigError):
        HmacPlatform({})
    with pytest.raises(SigningConfigError):
        HmacPlatform({"AK1": ""})
    with pytest.raises(SigningConfigError):
        verify_hmac_request(_signer().sign(REQUEST), {"AK1": ""}, now=NOW)
