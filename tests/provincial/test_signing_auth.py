"""SignerAuth on real ``requests`` calls (mocked with ``responses``): what leaves is signed the
way the platform-side verifiers accept, and replies are verified (and decrypted) by the helper."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
import responses
from requests.models import PreparedRequest

from yibao_sdk.adapters.provincial.signing import (
    HmacPlatform,
    HmacSigner,
    MemoryNonceCache,
    PlatformSigner,
    SignatureError,
    SignedReply,
    Signer,
    SignerAuth,
    SigningError,
    Sm2PrivateKey,
    SmChannelCodec,
    SmChannelPlatform,
    SmChannelSigner,
    XTifPlatform,
    XTifSigner,
    request_from_prepared,
)

URL = "https://prov.example/fsi/api/rsfComIfsService/callService"
ENVELOPE = {"infno": "1101", "msgid": "M1", "input": {"data": {"psn_no": "P1"}}}
APP_ID, APP_SECRET = "APPID00000000001X", "app-secret"


def _serve(platform: PlatformSigner, seen: list[Any]) -> Any:
    """A ``responses`` callback acting as the provincial platform."""

    def callback(request: PreparedRequest) -> tuple[int, dict[str, str], bytes]:
        try:
            verified = platform.verify_request(request_from_prepared(request))
        except SignatureError as exc:
            return 401, {}, json.dumps({"infcode": -1, "err_msg": str(exc)}).encode()
        seen.append(verified.json())
        reply = SignedReply(200, {"Content-Type": "application/json"},
                            b'{"infcode":0,"output":{"baseinfo":{"psn_no":"P1"}}}')
        signed = platform.sign_reply(reply)
        return signed.status, dict(signed.headers), signed.body

    return callback


def _sm_pair() -> tuple[Signer, PlatformSigner]:
    channel, platform = Sm2PrivateKey.generate(), Sm2PrivateKey.generate()
    client = SmChannelCodec(app_id=APP_ID, app_secret=APP_SECRET, private_key=channel,
                            peer_public_key=platform.public_key)
    server = SmChannelCodec(app_id=APP_ID, app_secret=APP_SECRET, private_key=platform,
                            peer_public_key=channel.public_key)
    return SmChannelSigner(client), SmChannelPlatform(server, nonce_cache=MemoryNonceCache())


def _pairs() -> dict[str, tuple[Signer, PlatformSigner]]:
    return {
        "x-tif": (XTifSigner("paas1", "s3cret"),
                  XTifPlatform({"paas1": "s3cret"}, nonce_cache=MemoryNonceCache())),
        "hmac": (HmacSigner("AK1", "s3cret"),
                 HmacPlatform({"AK1": "s3cret"}, nonce_cache=MemoryNonceCache())),
        "sm": _sm_pair(),
    }


@pytest.mark.parametrize("scheme", ["x-tif", "hmac", "sm"])
@responses.activate
def test_signed_requests_pass_the_platform_and_replies_verify(scheme: str) -> None:
    signer, platform = _pairs()[scheme]
    seen: list[Any] = []
    responses.add_callback(responses.POST, URL, callback=_serve(platform, seen))
    auth = SignerAuth(signer)
    with requests.Session() as session:
        for _ in range(2):  # a fresh nonce/timestamp each time: no replay refusal
            response = session.post(URL, json=ENVELOPE, auth=auth, timeout=(5, 5))
            assert response.status_code == 200, response.text
            reply = auth.verify_response(response).json()
            output = reply["data"]["output"] if scheme == "sm" else reply["output"]
            assert output == {"baseinfo": {"psn_no": "P1"}}
    assert seen == [ENVELOPE, ENVELOPE]
    sent = responses.calls[0].request
    assert sent.headers["Content-Length"] == str(len(sent.body))


@responses.activate
def test_resending_a_signed_prepared_request_is_refused_as_a_replay() -> None:
    signer, platform = _pairs()["x-tif"]
    responses.add_callback(responses.POST, URL, callback=_serve(platform, []))
    with requests.Session() as session:
        prepared = session.prepare_request(
            requests.Request("POST", URL, json=ENVELOPE, auth=SignerAuth(signer)))
        assert session.send(prepared, timeout=5).status_code == 200
        again = session.send(prepared, timeout=5)
    assert again.status_code == 401
    assert "already used" in again.json()["err_msg"]


@responses.activate
def test_tampered_sm_reply_raises_signature_error() -> None:
    signer, platform = _sm_pair()
    seen: list[Any] = []
    serve = _serve(platform, seen)

    def tampering(request: PreparedRequest) -> tuple[int, dict[str, str], bytes]:
        status, headers, body = serve(request)
        obj = json.loads(body)
        obj["timestamp"] += 1  # signed member changed in transit
        return status, headers, json.dumps(obj).encode()

    responses.add_callback(responses.POST, URL, callback=tampering)
    auth = SignerAuth(signer)
    response = requests.post(URL, json=ENVELOPE, auth=auth, timeout=5)
    with pytest.raises(SignatureError, match="signData does not verify"):
        auth.verify_response(response)


def test_streamed_bodies_cannot_be_signed() -> None:
    prepared = requests.Request("POST", URL, data=iter([b"a", b"b"])).prepare()
    with pytest.raises(SigningError, match="streamed"):
        SignerAuth(XTifSigner("paas1", "s3cret"))(prepared)


def test_signers_satisfy_the_protocols() -> None:
    for signer, platform in _pairs().values():
        assert isinstance(signer, Signer)
        assert isinstance(platform, PlatformSigner)
