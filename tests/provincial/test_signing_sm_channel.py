"""NHSA channel scheme (reference §4.2): sign text, wire format checked independently, client ↔
platform round trips, and every tampering rejected with SignatureError."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from yibao_sdk.adapters.provincial.signing import (
    MemoryNonceCache,
    SignatureError,
    SignedReply,
    SignedRequest,
    SigningConfigError,
    Sm2PrivateKey,
    SmChannelCodec,
    SmChannelConfig,
    SmChannelPlatform,
    SmChannelSigner,
    derive_channel_key,
    dumps_compact,
    sign_text,
)

APP_ID = "1G5PJ8S4N0A1B2C3D4E5F6"
APP_SECRET = "9A8B7C6D5E4F3A2B1C0D"
NOW = 1_700_000_000.0
URL = "https://prov.example/fsi/api/rsfComIfsService/callService"
ENVELOPE = {
    "infno": "2207",
    "msgid": "H44010100001202311150000000001",
    "input": {"data": {"psn_no": "44000000000000000001", "medfee_sumamt": Decimal("35.00"),
                       "psn_name": "张三", "ipt_otp_no": "", "dise_codg": None}},
}


@pytest.fixture(scope="module")
def channel_key() -> Sm2PrivateKey:
    return Sm2PrivateKey.generate()


@pytest.fixture(scope="module")
def platform_key() -> Sm2PrivateKey:
    return Sm2PrivateKey.generate()


Pair = tuple[SmChannelSigner, SmChannelPlatform]


@pytest.fixture
def make_pair(channel_key: Sm2PrivateKey, platform_key: Sm2PrivateKey) -> Callable[..., Pair]:
    def make(config: SmChannelConfig | None = None, clock: float = NOW,
             platform_clock: float | None = None) -> Pair:
        config = config or SmChannelConfig()
        client = SmChannelCodec(app_id=APP_ID, app_secret=APP_SECRET, private_key=channel_key,
                                peer_public_key=platform_key.public_key, config=config,
                                clock=lambda: clock)
        server = SmChannelCodec(app_id=APP_ID, app_secret=APP_SECRET, private_key=platform_key,
                                peer_public_key=channel_key.public_key, config=config,
                                clock=lambda: NOW if platform_clock is None else platform_clock)
        return SmChannelSigner(client), SmChannelPlatform(server, nonce_cache=MemoryNonceCache())

    return make


def _request(body: Any = ENVELOPE) -> SignedRequest:
    return SignedRequest("POST", URL, {"Content-Type": "application/json"}, dumps_compact(body))


def _edit(request: SignedRequest, change: Callable[[dict[str, Any]], None]) -> SignedRequest:
    obj = json.loads(request.body)
    change(obj)
    return request.with_body(json.dumps(obj).encode())


# --- sign text -----------------------------------------------------------------------------------
def test_sign_text_follows_reference_recipe() -> None:
    message = {
        "version": "1.0.0", "timestamp": 1700000000000, "signType": "SM2", "encType": "SM4",
        "appId": "A1", "signData": "dropped", "encData": "dropped", "extra": {"x": 1},
        "empty": "", "none": None,
        "data": {"b": [3, {"z": None, "y": True}, []], "a": Decimal("35.00"), "c": "中",
                 "e": {}, "d": ""},
    }
    assert sign_text(message, "S3cr3t") == (
        'appId=A1&data={"a":"35.00","b":["3",{"y":"true"}],"c":"中"}&encType=SM4'
        "&signType=SM2&timestamp=1700000000000&version=1.0.0&key=S3cr3t"
    )


def test_sign_text_options_order_and_unquoted_scalars() -> None:
    message = {"b": 1, "B": 2, "a": {"Y": False, "x": 1.5}}
    assert sign_text(message, "k") == 'B=2&a={"Y":"false","x":"1.5"}&b=1&key=k'
    assert sign_text(message, "k", order="case_insensitive", quote_scalars=False) == (
        'a={"x":1.5,"Y":false}&B=2&b=1&key=k'
    )


# --- wire format, checked without the codec ------------------------------------------------------
def test_sealed_request_matches_the_reference_wire_format(
    make_pair: Callable[..., Pair], channel_key: Sm2PrivateKey
) -> None:
    signer, _ = make_pair()
    sealed = json.loads(signer.sign(_request()).body)
    assert set(sealed) == {"appId", "encType", "signType", "timestamp", "version", "encData",
                           "signData"}
    assert (sealed["appId"], sealed["encType"], sealed["signType"]) == (APP_ID, "SM4", "SM2")
    assert sealed["timestamp"] == 1_700_000_000_000 and sealed["version"] == "1.0.0"
    assert sealed["encData"] == sealed["encData"].upper()
    # Decrypt with the key derived by hand and plain cryptography.
    key = derive_channel_key(APP_ID, APP_SECRET)
    decryptor = Cipher(algorithms.SM4(key), modes.ECB()).decryptor()
    padded = decryptor.update(bytes.fromhex(sealed["encData"])) + decryptor.finalize()
    plaintext = json.loads(padded[: -padded[-1]], parse_float=Decimal)
    assert plaintext == json.loads(dumps_compact(ENVELOPE), parse_float=Decimal)
    # The signature is raw r||s over the hand-built sign text, user id = appSecret.
    signature = base64.b64decode(sealed["signData"])
    assert len(signature) == 64
    members = {k: v for k, v in sealed.items() if k not in ("encData", "signData")}
    text = sign_text({**members, "data": plaintext}, APP_SECRET).encode()
    assert channel_key.public_key.verify(text, signature, uid=APP_SECRET.encode())


# --- round trips ---------------------------------------------------------------------------------
@pytest.mark.parametrize("layout", ["flat", "nested"])
def test_request_and_reply_round_trip(make_pair: Callable[..., Pair], layout: str) -> None:
    signer, platform = make_pair(SmChannelConfig(enc_layout=layout))  # type: ignore[arg-type]
    received = platform.verify_request(signer.sign(_request()))
    assert received.body == dumps_compact(ENVELOPE)
    assert b"35.00" in received.body  # money text survives
    reply_body = {"infcode": 0, "output": {"setlinfo": {"setl_id": "S1", "fund_pay": "20.5"}}}
    sealed = platform.sign_reply(SignedReply(200, {}, dumps_compact(reply_body)))
    assert b"setl_id" not in sealed.body
    opened = signer.verify_reply(sealed).json()
    assert opened["data"] == reply_body
    assert opened["appId"] == APP_ID


def test_e_prescription_layout_seals_only_input_and_output(
    make_pair: Callable[..., Pair],
) -> None:
    signer, platform = make_pair(SmChannelConfig.e_prescription())
    wire = json.loads(signer.sign(_request()).body)
    assert wire["infno"] == "2207" and wire["msgid"] == ENVELOPE["msgid"]
    assert set(wire["input"]) == {"appid", "encType", "signType", "timestamp", "encData",
                                  "signData"}
    assert wire["input"]["timestamp"] == "20231115061320"  # NOW = 2023-11-14 22:13:20 UTC
    assert platform.verify_request(signer.sign(_request())).body == dumps_compact(ENVELOPE)
    reply = {"infcode": 0, "err_msg": "", "output": {"rxTraceCode": "T1"}}
    sealed = platform.sign_reply(SignedReply(200, {}, dumps_compact(reply)))
    opened = signer.verify_reply(sealed).json()
    assert opened["infcode"] == 0
    assert opened["output"]["data"] == {"rxTraceCode": "T1"}


# --- tampering -----------------------------------------------------------------------------------
def _flip_hex(value: str) -> str:
    return ("0" if value[0] != "0" else "1") + value[1:]


TAMPERS: dict[str, Callable[[dict[str, Any]], None]] = {
    "encData first block": lambda o: o.update(encData=_flip_hex(o["encData"])),
    "encData last byte": lambda o: o.update(encData=o["encData"][:-1] + "0"),
    "encData truncated": lambda o: o.update(encData=o["encData"][:-32]),
    "signData": lambda o: o.update(signData=base64.b64encode(
        bytes([base64.b64decode(o["signData"])[0] ^ 1]) + base64.b64decode(o["signData"])[1:]
    ).decode()),
    "timestamp within tolerance": lambda o: o.update(timestamp=o["timestamp"] + 1000),
    "version": lambda o: o.update(version="2.0.1"),
    "extra member": lambda o: o.update(psn_no="44000000000000000002"),
}


@pytest.mark.parametrize("tamper", list(TAMPERS))
def test_tampered_request_is_rejected(make_pair: Callable[..., Pair], tamper: str) -> None:
    signer, platform = make_pair()
    with pytest.raises(SignatureError, match="signData does not verify"):
        platform.verify_request(_edit(signer.sign(_request()), TAMPERS[tamper]))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda o: o.pop("signData"), "missing signData"),
        (lambda o: o.update(signData="not base64!"), "malformed signData"),
        (lambda o: o.update(signData=base64.b64encode(b"x" * 70).decode()), "64-byte"),
        (lambda o: o.pop("encData"), "missing encData"),
        (lambda o: o.update(appId="ANOTHERAPPID0000"), "appId is not"),
        (lambda o: o.pop("appId"), "missing appId"),
        (lambda o: o.pop("timestamp"), "missing timestamp"),
        (lambda o: o.update(timestamp="17000x"), "malformed timestamp"),
        (lambda o: o.update(encType="AES"), "unsupported encType"),
    ],
)
def test_malformed_request_is_rejected_with_a_clear_message(
    make_pair: Callable[..., Pair], change: Callable[[dict[str, Any]], None], message: str
) -> None:
    signer, platform = make_pair()
    with pytest.raises(SignatureError, match=message):
        platform.verify_request(_edit(signer.sign(_request()), change))


@pytest.mark.parametrize("skew", [-301.0, 301.0])
def test_stale_or_future_timestamp_is_rejected(
    make_pair: Callable[..., Pair], skew: float
) -> None:
    signer, platform = make_pair(platform_clock=NOW + skew)
    with pytest.raises(SignatureError, match="tolerance 300 s"):
        platform.verify_request(signer.sign(_request()))
    signer, platform = make_pair(platform_clock=NOW + skew * 0.99)
    platform.verify_request(signer.sign(_request()))


def test_replayed_request_is_rejected(make_pair: Callable[..., Pair]) -> None:
    signer, platform = make_pair()
    sealed = signer.sign(_request())
    platform.verify_request(sealed)
    with pytest.raises(SignatureError, match="already used"):
        platform.verify_request(sealed)


def test_replay_with_a_respelled_base64_signature_is_rejected(
    make_pair: Callable[..., Pair],
) -> None:
    signer, platform = make_pair()
    sealed = signer.sign(_request())
    platform.verify_request(sealed)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

    def respell(o: dict[str, Any]) -> None:
        text = o["signData"]  # 64 bytes: "...X==", X carries 4 unused low bits
        last = alphabet[alphabet.index(text[-3]) ^ 1]
        o["signData"] = text[:-3] + last + "=="

    respelled = _edit(sealed, respell)
    assert json.loads(respelled.body)["signData"] != json.loads(sealed.body)["signData"]
    with pytest.raises(SignatureError, match="already used"):
        platform.verify_request(respelled)


def test_request_signed_by_another_channel_key_is_rejected(
    make_pair: Callable[..., Pair], platform_key: Sm2PrivateKey
) -> None:
    _, platform = make_pair()
    intruder = SmChannelSigner(SmChannelCodec(
        app_id=APP_ID, app_secret=APP_SECRET, private_key=Sm2PrivateKey.generate(),
        peer_public_key=platform_key.public_key, clock=lambda: NOW))
    with pytest.raises(SignatureError, match="signData does not verify"):
        platform.verify_request(intruder.sign(_request()))


def test_tampered_forged_or_unsigned_reply_is_rejected(make_pair: Callable[..., Pair]) -> None:
    signer, platform = make_pair()
    sealed = platform.sign_reply(SignedReply(200, {}, b'{"infcode":0,"output":{"a":"1"}}'))
    obj = json.loads(sealed.body)
    obj["encData"] = _flip_hex(obj["encData"])
    with pytest.raises(SignatureError, match="signData does not verify"):
        signer.verify_reply(sealed.with_body(json.dumps(obj).encode()))
    forged, _ = make_pair()  # the client's own key is not the platform's
    with pytest.raises(SignatureError, match="signData does not verify"):
        signer.verify_reply(sealed.with_body(forged.sign(_request()).body))
    gateway_error = SignedReply(502, {}, b'{"code":502,"message":"bad gateway"}')
    with pytest.raises(SignatureError, match="no signData"):
        signer.verify_reply(gateway_error)
    with pytest.raises(SignatureError, match="not UTF-8 JSON"):
        signer.verify_reply(SignedReply(502, {}, b"<html>bad gateway</html>"))
    lenient, _ = make_pair(SmChannelConfig(require_reply_signature=False))
    assert lenient.verify_reply(gateway_error) == gateway_error


def test_stale_reply_is_rejected(make_pair: Callable[..., Pair]) -> None:
    signer, _ = make_pair(clock=NOW + 3600)
    _, platform = make_pair()
    sealed = platform.sign_reply(SignedReply(200, {}, b'{"infcode":0}'))
    with pytest.raises(SignatureError, match="tolerance"):
        signer.verify_reply(sealed)


def test_decryption_and_signature_failures_read_the_same(make_pair: Callable[..., Pair]) -> None:
    """No padding oracle: a ciphertext that does not decrypt and a signature that does not
    verify produce the same message."""
    signer, platform = make_pair()
    messages = set()
    for tamper in ("encData last byte", "signData"):
        with pytest.raises(SignatureError) as info:
            platform.verify_request(_edit(signer.sign(_request()), TAMPERS[tamper]))
        messages.add(str(info.value))
    assert len(messages) == 1


def test_configuration_errors(channel_key: Sm2PrivateKey) -> None:
    common: dict[str, Any] = {"private_key": channel_key,
                              "peer_public_key": channel_key.public_key}
    with pytest.raises(SigningConfigError):
        SmChannelCodec(app_id="", app_secret=APP_SECRET, **common)
    with pytest.raises(SigningConfigError):
        SmChannelCodec(app_id=APP_ID, app_secret="", **common)
    with pytest.raises(SigningConfigError, match="first 16"):
        SmChannelCodec(app_id="SHORT", app_secret=APP_SECRET, **common)
    with pytest.raises(SigningConfigError):
        SmChannelCodec(app_id=APP_ID, app_secret=APP_SECRET, sm4_key=b"short", **common)


def test_explicit_key_cbc_and_default_user_id_options(make_pair: Callable[..., Pair]) -> None:
    config = replace(SmChannelConfig(), sm4_iv=bytes(16), user_id=b"1234567812345678",
                     timestamp_format="s", app_id_field="appCode", version="2.0.1")
    signer, platform = make_pair(config)
    sealed = json.loads(signer.sign(_request()).body)
    assert sealed["appCode"] == APP_ID and sealed["timestamp"] == 1_700_000_000
    assert platform.verify_request(signer.sign(_request())).body == dumps_compact(ENVELOPE)
