"""Secrets stay secret: ``repr`` of every signer, verifier, codec and key is masked, and no error
message carries a secret, a private key or an expected signature. Key sources read env/files."""

from __future__ import annotations

import base64
import json
import os
import pickle
from collections.abc import Callable
from pathlib import Path

import pytest

from yibao_sdk.adapters.provincial.signing import (
    HmacPlatform,
    HmacSigner,
    KeySource,
    MemoryNonceCache,
    Secret,
    SignatureError,
    SignedReply,
    SignedRequest,
    SignerAuth,
    SigningConfigError,
    SigningError,
    Sm2PrivateKey,
    SmChannelCodec,
    SmChannelPlatform,
    SmChannelSigner,
    XTifPlatform,
    XTifSigner,
    load_secret,
    verify_headers,
    verify_hmac_request,
    xtif_signature,
)
from yibao_sdk.errors import ConfigError, YibaoError

SECRET = "TopSecret-9f8e7d6c5b4a"
APP_ID = "CHANNEL000000001"
REQUEST = SignedRequest("POST", "https://p.example/x", {}, b'{"infno":"1101","input":{}}')


@pytest.fixture(scope="module")
def keys() -> tuple[Sm2PrivateKey, Sm2PrivateKey]:
    return Sm2PrivateKey.generate(), Sm2PrivateKey.generate()


def _forbidden(keys: tuple[Sm2PrivateKey, Sm2PrivateKey]) -> list[str]:
    out = [SECRET]
    for key in keys:
        d = key.private_bytes()
        out += [d.hex(), d.hex().upper(), base64.b64encode(d).decode()]
    return out


def _codecs(keys: tuple[Sm2PrivateKey, Sm2PrivateKey]) -> tuple[SmChannelCodec, SmChannelCodec]:
    channel, platform = keys
    return (
        SmChannelCodec(app_id=APP_ID, app_secret=SECRET, private_key=channel,
                       peer_public_key=platform.public_key),
        SmChannelCodec(app_id=APP_ID, app_secret=SECRET, private_key=platform,
                       peer_public_key=channel.public_key),
    )


def test_reprs_are_masked(keys: tuple[Sm2PrivateKey, Sm2PrivateKey]) -> None:
    client, server = _codecs(keys)
    objects: list[object] = [
        Secret(SECRET), XTifSigner("paas", SECRET), XTifPlatform({"paas": SECRET}),
        HmacSigner("AK", SECRET), HmacPlatform({"AK": SECRET}), client, server,
        SmChannelSigner(client), SmChannelPlatform(server), SignerAuth(XTifSigner("p", SECRET)),
        keys[0], keys[0].public_key,
    ]
    for obj in objects:
        text = repr(obj) + str(obj) + f"{obj}"
        for secret in _forbidden(keys):
            assert secret not in text, type(obj).__name__
    assert "paas" in repr(objects[1])  # ids stay visible: they are not secret


def test_secret_refuses_pickling() -> None:
    with pytest.raises(TypeError):
        pickle.dumps(Secret(SECRET))
    assert Secret(SECRET).reveal() == SECRET


def _errors(keys: tuple[Sm2PrivateKey, Sm2PrivateKey]) -> list[Callable[[], object]]:
    client, server = _codecs(keys)
    signer, platform = SmChannelSigner(client), SmChannelPlatform(server)
    sealed = json.loads(signer.sign(REQUEST).body)
    bad_sig = dict(sealed, signData=base64.b64encode(bytes(64)).decode())
    bad_enc = dict(sealed, encData=sealed["encData"][:-2] + "00")
    xtif = dict(XTifSigner("paas", SECRET).sign(REQUEST).headers)
    hmac_signed = HmacSigner("AK", SECRET).sign(REQUEST)
    return [
        lambda: verify_headers(dict(xtif, **{"x-tif-signature": "0" * 64}), SECRET,
                               now=float(xtif["x-tif-timestamp"])),
        lambda: verify_headers(xtif, SECRET, now=0),
        lambda: verify_hmac_request(hmac_signed.with_body(b"{}"), {"AK": SECRET},
                                    now=float(hmac_signed.header("_api_timestamp") or 0) / 1000),
        lambda: platform.verify_request(REQUEST.with_body(json.dumps(bad_sig).encode())),
        lambda: platform.verify_request(REQUEST.with_body(json.dumps(bad_enc).encode())),
        lambda: signer.verify_reply(SignedReply(200, {}, json.dumps(bad_sig).encode())),
        lambda: SmChannelCodec(app_id="short", app_secret=SECRET, private_key=keys[0],
                               peer_public_key=keys[1].public_key),
        lambda: XTifSigner("", SECRET),
    ]


def test_error_messages_never_carry_secrets_or_expected_signatures(
    keys: tuple[Sm2PrivateKey, Sm2PrivateKey],
) -> None:
    headers = XTifSigner("paas", SECRET).sign(REQUEST).headers
    expected_xtif = xtif_signature(headers["x-tif-timestamp"], SECRET, headers["x-tif-nonce"])
    for trigger in _errors(keys):
        with pytest.raises(SigningError) as info:
            trigger()
        message = str(info.value) + repr(info.value)
        for secret in [*_forbidden(keys), expected_xtif]:
            assert secret not in message, message
        assert isinstance(info.value, YibaoError)


def test_error_tree() -> None:
    assert issubclass(SignatureError, SigningError)
    assert issubclass(SigningConfigError, SigningError)
    assert issubclass(SigningConfigError, ConfigError)


def test_key_source_reads_environment_and_files(tmp_path: Path) -> None:
    env = {"YIBAO_TIF_SECRET": f"  {SECRET}\n"}
    assert load_secret(KeySource.from_env("YIBAO_TIF_SECRET"), env).reveal() == SECRET
    path = tmp_path / "tif.secret"
    path.write_text(SECRET + "\n", encoding="utf-8")
    assert load_secret(KeySource.from_file(path)).reveal() == SECRET
    assert repr(KeySource.from_file(path)).startswith("KeySource(")
    assert SECRET not in repr(KeySource.from_file(path))


def test_key_source_uses_os_environ_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(os.environ, "YIBAO_TEST_SIGNING_SECRET", SECRET)
    assert load_secret(KeySource.from_env("YIBAO_TEST_SIGNING_SECRET")).reveal() == SECRET


def test_key_source_failures_name_the_source_only(tmp_path: Path) -> None:
    cases = [
        (KeySource.from_env("UNSET_VAR"), {}, "environment variable UNSET_VAR is not set"),
        (KeySource.from_env("BLANK"), {"BLANK": "  "}, "is not set"),
        (KeySource.from_file(tmp_path / "missing"), None, "cannot read key file"),
    ]
    empty = tmp_path / "empty"
    empty.write_bytes(b"\n")
    binary = tmp_path / "binary"
    binary.write_bytes(b"\xff\xfe" + SECRET.encode())
    cases += [(KeySource.from_file(empty), None, "is empty"),
              (KeySource.from_file(binary), None, "not UTF-8")]
    for source, env, message in cases:
        with pytest.raises(SigningConfigError, match=message) as info:
            load_secret(source, env)
        assert SECRET not in str(info.value)
    with pytest.raises(SigningConfigError):
        KeySource()
    with pytest.raises(SigningConfigError):
        KeySource(env="A", path=tmp_path)


def test_nonce_cache_fails_closed_when_full() -> None:
    cache = MemoryNonceCache(max_entries=2)
    assert cache.add_if_new("a", expires_at=10, now=0)
    assert cache.add_if_new("b", expires_at=10, now=0)
    assert not cache.add_if_new("c", expires_at=10, now=0)  # full: refuse, do not forget
    assert not cache.add_if_new("a", expires_at=10, now=1)  # replay
    assert cache.add_if_new("c", expires_at=30, now=11)  # expired entries make room
    assert cache.add_if_new("a", expires_at=30, now=11)  # an expired nonce may come back
