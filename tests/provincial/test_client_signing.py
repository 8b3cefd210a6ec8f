"""Signed exchanges: Guangdong x-tif headers on every attempt (each re-signed, so the gateway's
replay cache accepts resends), the SM3 ``cainfo``; a tampered signed reply is never read and
counts as an unknown outcome for 2207 (resolved by 5203, not resent)."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import requests
import responses
from requests.models import PreparedRequest
from test_client_helpers import (
    ARGS,
    CASHIER,
    ID_CARD,
    SETTLEMENT,
    VISIT,
    Platform,
    fail,
    make_client,
    ok,
    record,
)

from yibao_sdk.adapters.provincial import jsonwire
from yibao_sdk.adapters.provincial.builtin_profiles import GUANGDONG, NATIONAL
from yibao_sdk.adapters.provincial.errors import PlatformError
from yibao_sdk.adapters.provincial.signin import SignInFailedError
from yibao_sdk.adapters.provincial.signing import (
    MemoryNonceCache,
    PlatformSigner,
    SignatureError,
    SignedReply,
    Sm2PrivateKey,
    SmChannelCodec,
    SmChannelPlatform,
    SmChannelSigner,
    XTifPlatform,
    request_from_prepared,
    sm3,
)
from yibao_sdk.store.journal import JournalState

LOOKUP = {"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": ID_CARD, "psn_cert_type": "01"}}
ENV = {"YIBAO_TIF_PAASID": "paas1", "YIBAO_TIF_SECRET": "s3cret"}
APP_ID, APP_SECRET = "APPID00000000001X", "app-secret"


def _gateway(platform: Platform, gate: PlatformSigner, tamper: set[str] | None = None) -> Any:
    """The platform behind a signing gateway: verify the request, sign the reply (and break
    the signature of replies to the infnos in ``tamper``)."""

    def callback(request: PreparedRequest) -> tuple[int, dict[str, str], bytes]:
        try:
            verified = gate.verify_request(request_from_prepared(request))
        except SignatureError as exc:
            return 401, {}, json.dumps({"infcode": -1, "err_msg": str(exc)}).encode()
        plain = SimpleNamespace(body=verified.body, headers=request.headers)
        status, headers, body = platform(plain)  # type: ignore[arg-type]
        signed = gate.sign_reply(SignedReply(status, headers, body))
        out = signed.body
        if json.loads(verified.body)["infno"] in (tamper or set()):
            sealed = json.loads(out)
            raw = bytearray(base64.b64decode(sealed["signData"]))
            raw[5] ^= 0x01
            out = json.dumps({**sealed, "signData": base64.b64encode(raw).decode()}).encode()
        return signed.status, dict(signed.headers), out

    return callback


@responses.activate
def test_guangdong_requests_carry_fresh_x_tif_headers_on_every_attempt(tmp_path: Path) -> None:
    platform = Platform().on("1101", fail(requests.ReadTimeout("slow")))
    gate = XTifPlatform({"paas1": "s3cret"}, nonce_cache=MemoryNonceCache())
    responses.add_callback(responses.POST, f"{GUANGDONG.base_url}/9001",
                           callback=_gateway(platform, gate))
    responses.add_callback(responses.POST, f"{GUANGDONG.base_url}/1101",
                           callback=_gateway(platform, gate))
    client = make_client(tmp_path, GUANGDONG, environ=ENV)
    assert client.call("1101", LOOKUP, CASHIER).output is not None
    assert [b["infno"] for b in platform.requests] == ["9001", "1101", "1101"]
    nonces = [h["x-tif-nonce"] for h in platform.headers]
    assert len(set(nonces)) == 3  # each attempt signed anew: the replay cache accepts all
    assert all(h["x-tif-paasid"] == "paas1" and len(h["x-tif-signature"]) == 64
               for h in platform.headers)
    body = platform.sent("1101")[0]
    assert (body["signtype"], body["infver"], body["recer_admdvs"]) == ("SM3", "1.0.0", "440100")
    assert body["cainfo"] == sm3(jsonwire.dumps(body["input"])).hex().upper()


@responses.activate
def test_a_wrong_secret_is_refused_by_the_gateway(tmp_path: Path) -> None:
    platform = Platform()
    gate = XTifPlatform({"paas1": "another"}, nonce_cache=MemoryNonceCache())
    responses.add_callback(responses.POST, f"{GUANGDONG.base_url}/9001",
                           callback=_gateway(platform, gate))
    client = make_client(tmp_path, GUANGDONG, environ=ENV)
    with pytest.raises(SignInFailedError) as caught:
        client.call("1101", LOOKUP, CASHIER)
    assert isinstance(caught.value.__cause__, PlatformError)
    assert "x-tif-signature does not match" in str(caught.value.__cause__)
    assert platform.requests == []


def _sm_pair() -> tuple[SmChannelSigner, SmChannelPlatform]:
    channel, platform = Sm2PrivateKey.generate(), Sm2PrivateKey.generate()
    client = SmChannelCodec(app_id=APP_ID, app_secret=APP_SECRET, private_key=channel,
                            peer_public_key=platform.public_key)
    server = SmChannelCodec(app_id=APP_ID, app_secret=APP_SECRET, private_key=platform,
                            peer_public_key=channel.public_key)
    return SmChannelSigner(client), SmChannelPlatform(server, nonce_cache=MemoryNonceCache())


@responses.activate
def test_a_tampered_settlement_reply_is_unknown_and_resolved_by_5203(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    signer, gate = _sm_pair()
    platform = Platform()
    platform.on("5203", ok(lambda body: record(platform.sent("2207")[0]["msgid"])))
    responses.add_callback(responses.POST, NATIONAL.base_url,
                           callback=_gateway(platform, gate, tamper={"2207"}))
    client = make_client(tmp_path, signer=signer)
    result = client.settle(SETTLEMENT, VISIT, CASHIER, args=ARGS)
    assert result.settlement_id == "440100S0000000000001"
    assert len(platform.sent("2207")) == 1 and not platform.sent("2601")
    entry = client.journal.by_msgid(platform.sent("2207")[0]["msgid"])
    assert entry is not None and entry.state is JournalState.CONFIRMED_BY_QUERY
    assert "2207 attempt 1 (reverse): UnverifiedReplyError sent=True → recover" in caplog.text


@responses.activate
def test_a_tampered_reply_to_a_query_is_not_read_and_the_query_is_resent(
        tmp_path: Path) -> None:
    signer, gate = _sm_pair()
    platform = Platform()
    tampered = {"1101"}
    callback = _gateway(platform, gate, tamper=tampered)

    def once(request: PreparedRequest) -> tuple[int, dict[str, str], bytes]:
        answer = callback(request)
        if platform.requests[-1]["infno"] == "1101":
            tampered.clear()  # only the first answer is tampered with
        return answer  # type: ignore[no-any-return]

    responses.add_callback(responses.POST, NATIONAL.base_url, callback=once)
    client = make_client(tmp_path, signer=signer)
    assert client.call("1101", LOOKUP, CASHIER).output is not None
    assert len(platform.sent("1101")) == 2
