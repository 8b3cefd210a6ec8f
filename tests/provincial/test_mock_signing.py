"""Signature verification per profile: the Guangdong x-tif profile (suffix URLs, renamed
settlement node) accepts well-signed requests and refuses bad, missing or replayed signatures;
the HMAC scheme covers the body; the SM2/SM4 channel decrypts requests and seals replies."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal

import pytest

from yibao_sdk.adapters.provincial import jsonwire
from yibao_sdk.adapters.provincial.builtin_profiles import GUANGDONG, HEBEI
from yibao_sdk.adapters.provincial.errors import GatewayError, PlatformError
from yibao_sdk.adapters.provincial.mock import MockConfig, MockPlatform, start_mock
from yibao_sdk.adapters.provincial.mock.harness import MockClient
from yibao_sdk.adapters.provincial.mock.samples import (
    EMPLOYEE,
    open_outpatient,
    settle_input,
    settle_outpatient,
)
from yibao_sdk.adapters.provincial.profiles import ProvinceProfile, profile_from_dict
from yibao_sdk.adapters.provincial.reply import parse_reply
from yibao_sdk.adapters.provincial.signing import (
    SignedRequest,
    Sm2PrivateKey,
    XTifSigner,
    build_signer,
)

GZ = "440100"
ENV = {"YIBAO_TIF_PAASID": "paas-gz-hosp", "YIBAO_TIF_SECRET": "tif-secret-of-the-hospital",
       "HMAC_AK": "AK-H44010600001", "HMAC_SK": "hmac-secret"}
QUERY = {"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": EMPLOYEE.psn_no,
                  "psn_cert_type": "01"}}
NOW = datetime(2026, 3, 2, 9, 0)


@pytest.fixture
def guangdong() -> Iterator[MockPlatform]:
    with start_mock(GUANGDONG, environ=ENV, clock=lambda: NOW) as platform:
        yield platform


def _xtif(secret: str | None = None) -> XTifSigner:
    signer = build_signer("x-tif", GUANGDONG.signer.settings, environ=ENV)
    assert isinstance(signer, XTifSigner)
    return signer if secret is None else XTifSigner(signer.paas_id, secret)


def test_guangdong_x_tif_signed_flow(guangdong: MockPlatform) -> None:
    with MockClient(guangdong, signer=_xtif()) as client:
        client.sign_in()
        request = client.build("1101", QUERY)
        assert request.url == f"{guangdong.url}/fsi/api/rsfComIfsService/callService/1101"
        assert client.send(request).envelope.infcode == 0
        mdtrt_id, total = open_outpatient(client)
        settle = client.build("2207", settle_input(EMPLOYEE, mdtrt_id, total),
                              insuplc_admdvs=GZ)
        assert "mdtrtinfo" in settle.body["input"] and settle.body["infver"] == "1.0.0"
        setl = client.send(settle)
        assert setl.output.setlinfo.hifp_pay == Decimal("280.01")  # type: ignore[union-attr]


def test_guangdong_refuses_a_bad_signature(guangdong: MockPlatform) -> None:
    with MockClient(guangdong, signer=_xtif("not-the-secret")) as client:
        with pytest.raises(PlatformError) as caught:
            client.sign_in()
        assert caught.value.infcode == -1
        assert "签名验证失败" in caught.value.err_msg
        assert "x-tif-signature does not match" in caught.value.err_msg
    with MockClient(guangdong) as unsigned, pytest.raises(PlatformError,
                                                          match="unknown x-tif-paasid"):
        unsigned.sign_in()
    assert guangdong.state.query("SELECT * FROM sign_ins") == []


def test_guangdong_refuses_a_replayed_request(guangdong: MockPlatform) -> None:
    with MockClient(guangdong, signer=_xtif()) as client:
        client.sign_in()
        request = client.build("1101", QUERY)
        signed = _xtif().sign(SignedRequest("POST", request.url, request.headers,
                                            request.content()))
        first = client.session.post(request.url, data=signed.body, headers=dict(signed.headers))
        assert jsonwire.loads(first.content)["infcode"] == 0
        second = client.session.post(request.url, data=signed.body, headers=dict(signed.headers))
        assert "was already used: replayed request" in jsonwire.loads(second.content)["err_msg"]


def test_a_signer_that_cannot_be_built_stops_the_start() -> None:
    with pytest.raises(Exception, match="YIBAO_TIF_SECRET"):
        start_mock(GUANGDONG, environ={"YIBAO_TIF_PAASID": "x"})


def test_hebei_per_path_routes() -> None:
    config = MockConfig(verify_signatures=False)
    with start_mock(HEBEI, config=config) as mock, MockClient(mock) as client:
        client.sign_in()
        reply = settle_outpatient(client)
        assert reply.output.setlinfo.psn_cash_pay == Decimal("60.00")
        request = client.build("1101", QUERY)
        assert request.url.endswith("/ebus/rio_fsi/fsi/api/fsiPsnInfoService/queryPsnInfo")
        assert request.body["input"]["data"]["card_sn"] == ""  # zero_or_empty null policy
        wrong = client.session.post(client.profile.url_for("5203"), data=request.content(),
                                    headers=request.headers)
        assert "does not match 5203 in the URL" in jsonwire.loads(wrong.content)["err_msg"]
        nowhere = client.session.post(f"{mock.url}/ebus/rio_fsi/fsi/api/nothing",
                                      data=request.content(), headers=request.headers)
        with pytest.raises(GatewayError, match="gateway code 404"):
            parse_reply(nowhere.content, transaction=request.transaction,
                        msgid=request.msgid, profile=client.profile, status=nowhere.status_code)
        assert client.session.get(request.url).status_code == 405


def _profile(name: str, signer: dict[str, object]) -> ProvinceProfile:
    return profile_from_dict({"based_on": "national", "name": name, "signer": signer})


def test_hmac_profile_covers_the_body() -> None:
    settings = {"access_key_env": "HMAC_AK", "secret_env": "HMAC_SK"}
    profile = _profile("hmac", {"scheme": "api-hmac", "settings": settings})
    signer = build_signer("api-hmac", settings, environ=ENV)
    with start_mock(profile, environ=ENV) as mock, MockClient(mock, signer=signer) as client:
        client.sign_in()
        assert client.call("1101", QUERY).output.baseinfo.psn_no == EMPLOYEE.psn_no
        request = client.build("1101", QUERY)
        signed = signer.sign(SignedRequest("POST", request.url, request.headers,
                                           request.content()))
        tampered = signed.body.replace(EMPLOYEE.psn_no.encode(), b"44010099000000000002")
        response = client.session.post(request.url, data=tampered, headers=dict(signed.headers))
        assert "_api_signature does not match" in jsonwire.loads(response.content)["err_msg"]


def test_sm2_sm4_channel_decrypts_requests_and_seals_replies() -> None:
    channel, platform = Sm2PrivateKey.generate(), Sm2PrivateKey.generate()
    env = {"SM_SECRET": "sm-app-secret", "SM_KEY": channel.private_bytes().hex(),
           "SM_PLATFORM_PUB": platform.public_key.to_bytes().hex(),
           "SM_PLATFORM_KEY": platform.private_bytes().hex(),
           "SM_CHANNEL_PUB": channel.public_key.to_bytes().hex()}
    settings = {"app_id": "CHANNEL000000001", "app_secret_env": "SM_SECRET",
                "private_key_env": "SM_KEY", "platform_public_key_env": "SM_PLATFORM_PUB",
                "platform_private_key_env": "SM_PLATFORM_KEY",
                "channel_public_key_env": "SM_CHANNEL_PUB"}
    profile = _profile("sm", {"scheme": "sm2-sm4", "settings": settings})
    signer = build_signer("sm2-sm4", settings, environ=env)
    with start_mock(profile, environ=env) as mock, MockClient(mock, signer=signer) as client:
        client.sign_in()
        request = client.build("1101", QUERY)
        response = client.post(request)
        sealed = jsonwire.loads(response.content)
        assert set(sealed) >= {"appId", "encData", "signData"} and "infcode" not in sealed
        reply = client.parse(request, response)
        assert reply.output.baseinfo.psn_no == EMPLOYEE.psn_no  # type: ignore[union-attr]
        assert settle_outpatient(client).output.setlinfo.acct_pay == Decimal("300.00")
        plain = client.session.post(request.url, data=request.content(),
                                    headers=request.headers)
        with pytest.raises(PlatformError, match="签名验证失败"):
            client.parse(request, plain)  # refused, and the refusal itself is sealed
