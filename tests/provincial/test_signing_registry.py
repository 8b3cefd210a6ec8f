"""Signers built by scheme name from a profile's ``[signer]`` settings (secrets by ``_env`` /
``_file`` reference only), the client/platform pairs they make, and the public API."""

from __future__ import annotations

from pathlib import Path

import pytest

from yibao_sdk.adapters.provincial import signing
from yibao_sdk.adapters.provincial.signing import (
    SCHEMES,
    HmacSigner,
    NoSigner,
    SignatureError,
    SignedReply,
    SignedRequest,
    SigningConfigError,
    Sm2PrivateKey,
    SmChannelSigner,
    XTifSigner,
    build_platform_signer,
    build_signer,
)

NOW = 1_700_000_000.0
REQUEST = SignedRequest("POST", "https://p.example/callService", {},
                        b'{"infno":"1101","input":{"data":{"psn_no":"P1"}}}')
ENV = {"YIBAO_TIF_PAASID": "paas-gz", "YIBAO_TIF_SECRET": "tif-secret",
       "YIBAO_HMAC_AK": "AK1", "YIBAO_HMAC_SECRET": "hmac-secret",
       "YIBAO_SM_APP_SECRET": "sm-app-secret"}


def _round_trip(scheme: str, client_settings: dict[str, str],
                platform_settings: dict[str, str] | None = None, *,
                body_signed: bool = True) -> None:
    signer = build_signer(scheme, client_settings, environ=ENV, clock=lambda: NOW)
    platform = build_platform_signer(scheme, platform_settings or client_settings, environ=ENV,
                                     clock=lambda: NOW)
    received = platform.verify_request(signer.sign(REQUEST))
    assert received.json() == REQUEST.json()
    original = {"infcode": 0, "output": {"x": "1"}}
    sealed = platform.sign_reply(SignedReply(200, {}, b'{"infcode":0,"output":{"x":"1"}}'))
    got = signer.verify_reply(sealed).json()
    # plain (x-tif, hmac, none) | whole body sealed | only output sealed (e-prescription)
    output = got.get("output")
    unsealed_output = {**got, "output": output.get("data")} if isinstance(output, dict) else None
    assert original in (got, got.get("data"), unsealed_output)
    tampered = signer.sign(REQUEST).with_body(b'{"infno":"2207"}')
    if body_signed:
        with pytest.raises(SignatureError):
            platform.verify_request(tampered)
    else:  # the scheme does not cover the body (x-tif, none): documented, not a bug
        platform.verify_request(tampered)


def test_none_scheme_passes_everything() -> None:
    signer = build_signer("none", {})
    assert isinstance(signer, NoSigner)
    assert signer.sign(REQUEST) is REQUEST
    _round_trip("none", {}, body_signed=False)


def test_x_tif_from_the_guangdong_profile_settings() -> None:
    settings = {"paasid_env": "YIBAO_TIF_PAASID", "secret_env": "YIBAO_TIF_SECRET",
                "cainfo": "sm3-input"}  # cainfo belongs to the envelope, not the signer
    signer = build_signer("x-tif", settings, environ=ENV)
    assert isinstance(signer, XTifSigner) and signer.paas_id == "paas-gz"
    _round_trip("x-tif", settings, body_signed=False)
    _ = build_signer("x-tif", {"paasid": "inline-id", "secret_env": "YIBAO_TIF_SECRET",
                               "paasid_header": "x-tif-paasId"}, environ=ENV)


def test_x_tif_round_trip_without_body_tampering() -> None:
    settings = {"paasid": "paas-gz", "secret_env": "YIBAO_TIF_SECRET"}
    signer = build_signer("x-tif", settings, environ=ENV, clock=lambda: NOW)
    platform = build_platform_signer("x-tif", settings, environ=ENV, clock=lambda: NOW)
    signed = signer.sign(REQUEST)
    assert platform.verify_request(signed) is signed
    with pytest.raises(SignatureError, match="already used"):
        platform.verify_request(signed)


@pytest.mark.parametrize("preset", ["request", "hsaf"])
def test_api_hmac(preset: str) -> None:
    settings = {"access_key_env": "YIBAO_HMAC_AK", "secret_env": "YIBAO_HMAC_SECRET",
                "preset": preset}
    assert isinstance(build_signer("api-hmac", settings, environ=ENV), HmacSigner)
    if preset == "request":
        _round_trip("api-hmac", settings)


@pytest.mark.parametrize("layout", ["body", "e-prescription"])
def test_sm2_sm4_from_key_files(tmp_path: Path, layout: str) -> None:
    channel, platform = Sm2PrivateKey.generate(), Sm2PrivateKey.generate()
    files = {
        "channel.key": channel.private_bytes().hex(),
        "channel.pub": channel.public_key.to_bytes().hex(),
        "platform.key": platform.private_bytes().hex(),
        "platform.pub": platform.public_key.to_bytes().hex(),
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text + "\n", encoding="ascii")
    common = {"app_id": "CHANNEL000000001", "app_secret_env": "YIBAO_SM_APP_SECRET",
              "layout": layout, "user_id": "default", "timestamp_format": "s"}
    client = {**common, "private_key_file": str(tmp_path / "channel.key"),
              "platform_public_key_file": str(tmp_path / "platform.pub")}
    server = {**common, "platform_private_key_file": str(tmp_path / "platform.key"),
              "channel_public_key_file": str(tmp_path / "channel.pub")}
    signer = build_signer("sm2-sm4", client, environ=ENV)
    assert isinstance(signer, SmChannelSigner)
    assert signer.codec.config.placement == ("input" if layout == "e-prescription" else "body")
    _round_trip("sm2-sm4", client, server)


@pytest.mark.parametrize(
    ("scheme", "settings", "message"),
    [
        ("rsa", {}, "unknown signer scheme 'rsa'"),
        ("x-tif", {"paasid": "p"}, "secret_env or secret_file is required"),
        ("x-tif", {"paasid": "p", "secret_env": "UNSET"}, "environment variable UNSET is not set"),
        ("x-tif", {"secret_env": "YIBAO_TIF_SECRET"}, "paasid_env or paasid_file"),
        ("api-hmac", {"access_key_env": "YIBAO_HMAC_AK", "secret_env": "YIBAO_HMAC_SECRET",
                      "preset": "md5"}, "preset 'md5'"),
        ("sm2-sm4", {"app_id": "CHANNEL000000001", "app_secret_env": "YIBAO_SM_APP_SECRET"},
         "private_key_env|_file"),
        ("sm2-sm4", {"layout": "soap"}, "layout 'soap'"),
    ],
)
def test_configuration_errors(scheme: str, settings: dict[str, str], message: str) -> None:
    with pytest.raises(SigningConfigError, match=message) as info:
        build_signer(scheme, settings, environ=ENV)
    for secret in ("tif-secret", "hmac-secret", "sm-app-secret"):
        assert secret not in str(info.value)


def test_schemes_match_the_profile_vocabulary() -> None:
    assert SCHEMES == ("none", "x-tif", "api-hmac", "sm2-sm4")


def test_public_api_is_exactly_this() -> None:
    assert set(signing.__all__) == {
        "DEFAULT_USER_ID", "SCHEMES", "HmacPlatform", "HmacScheme", "HmacSigner", "KeySource",
        "MemoryNonceCache", "NoSigner", "NonceCache", "PlatformSigner", "Secret",
        "SignatureError", "SignedReply", "SignedRequest", "Signer", "SignerAuth",
        "SigningConfigError", "SigningError", "Sm2PrivateKey", "Sm2PublicKey", "SmChannelCodec",
        "SmChannelConfig", "SmChannelPlatform", "SmChannelSigner", "XTifHeaderNames",
        "XTifPlatform", "XTifSigner", "build_platform_signer", "build_signer", "check_timestamp",
        "derive_channel_key", "dumps_compact", "load_secret", "load_sm2_private_key",
        "load_sm2_public_key", "parse_sm2_private_key", "parse_sm2_public_key", "random_nonce",
        "reply_from_response", "request_from_prepared", "sign_text", "sm3", "sm4_decrypt",
        "sm4_encrypt", "verify_headers", "verify_hmac_request", "xtif_signature",
    }
    assert all(hasattr(signing, name) for name in signing.__all__)
