"""Reply parsing: infcode as number or text, gateway wrappers, HTML/empty bodies, 9102 files."""

from __future__ import annotations

import io
import json
import zipfile
from decimal import Decimal
from typing import Any

import pytest

from yibao_sdk.adapters.provincial.builtin_profiles import NATIONAL
from yibao_sdk.adapters.provincial.errors import (
    GatewayError,
    MalformedReplyError,
    OutputValidationError,
    PlatformError,
    ReplyError,
    SignInExpiredError,
)
from yibao_sdk.adapters.provincial.profiles import ProvinceProfile
from yibao_sdk.adapters.provincial.reply import (
    FileReply,
    Reply,
    as_list,
    parse_infcode,
    parse_reply,
)
from yibao_sdk.adapters.provincial.transactions import NATIONAL_TRANSACTIONS
from yibao_sdk.adapters.provincial.wire.person import Output1101
from yibao_sdk.adapters.provincial.wire.settlement import OutputSettlement

MSGID = "H44010600001202603020930150001"
REFMSGID = "440100202603020930160000514555"

# A 2207 reply shaped like the public samples: setldetail as a list, money as JSON numbers.
SETTLED_2207 = """{"infcode": 0, "inf_refmsgid": "440100202603020930160000514555",
 "refmsg_time": "20260302093016123", "respond_time": "20260302093016456",
 "err_msg": null, "output": {
  "setlinfo": {"mdtrt_id": "440100G0000000000001", "setl_id": "440100S0000000000001",
   "psn_no": "44000011000000000001", "setl_time": "2026-03-02 09:30:16",
   "medfee_sumamt": 35.10, "fulamt_ownpay_amt": 0.00, "overlmt_selfpay": 0,
   "preselfpay_amt": 1.76, "inscp_scp_amt": 35.10, "act_pay_dedc": 0, "hifp_pay": 20.0,
   "pool_prop_selfpay": 0.6, "fund_pay_sumamt": 20.00, "psn_part_amt": 15.10,
   "acct_pay": 15.10, "psn_cash_pay": 0.00, "hosp_part_amt": 0, "balc": 984.9,
   "acct_mulaid_pay": 0, "medins_setl_id": "H44010600001202603020930150001"},
  "setldetail": [{"fund_pay_type": "310100", "fund_payamt": 20.00,
                  "fund_pay_type_name": "职工基本医疗保险统筹基金"}],
  "expContent": null}}""".encode()


def _parse(body: bytes | str, infno: str = "2207", *, status: int = 200,
           headers: dict[str, str] | None = None,
           profile: ProvinceProfile = NATIONAL) -> Reply | FileReply:
    raw = body.encode() if isinstance(body, str) else body
    return parse_reply(raw, transaction=NATIONAL_TRANSACTIONS[infno], msgid=MSGID,
                       profile=profile, status=status, headers=headers)


def _envelope(infcode: Any, **kw: Any) -> str:
    return json.dumps({"infcode": infcode, "inf_refmsgid": REFMSGID, **kw}, ensure_ascii=False)


def test_success_with_a_typed_output_and_exact_money() -> None:
    reply = _parse(SETTLED_2207)
    assert isinstance(reply, Reply)
    assert reply.inf_refmsgid == REFMSGID
    output = reply.output_as(OutputSettlement)
    info = output.setlinfo
    assert info.setl_id == "440100S0000000000001"
    assert info.medfee_sumamt == Decimal("35.10") and type(info.medfee_sumamt) is Decimal
    assert info.pool_prop_selfpay == Decimal("0.6")
    assert info.medins_setl_id == MSGID
    assert output.setldetail[0].fund_payamt == Decimal("20.00")
    assert output.model_extra == {"expContent": None}
    with pytest.raises(TypeError, match="not Output1101"):
        reply.output_as(Output1101)


@pytest.mark.parametrize("infcode", [0, "0", " 0 "])
def test_infcode_zero_as_number_or_text_is_success(infcode: Any) -> None:
    reply = _parse(_envelope(infcode, output={"signinoutb": {"sign_no": "S1"}}), "9001")
    assert isinstance(reply, Reply) and reply.envelope.infcode == 0


@pytest.mark.parametrize(("infcode", "expected"), [(-1, -1), ("-1", -1), ("999", 999), (-2, -2)])
def test_any_other_infcode_is_a_platform_error(infcode: Any, expected: int) -> None:
    body = _envelope(infcode, err_msg="参保人员在其他医院有未结算的就诊信息", warn_msg="w")
    with pytest.raises(PlatformError) as caught:
        _parse(body)
    error = caught.value
    assert error.infcode == expected
    assert error.err_msg == "参保人员在其他医院有未结算的就诊信息"
    assert error.warn_msg == "w"
    assert (error.infno, error.msgid, error.inf_refmsgid) == ("2207", MSGID, REFMSGID)
    assert str(error).startswith(f"{MSGID} 2207: infcode {expected}: 参保人员")
    assert not error.outcome_unknown


def test_sign_in_refusals_ask_for_a_new_sign_in() -> None:
    with pytest.raises(SignInExpiredError) as caught:
        _parse(_envelope(-1, err_msg="操作员未签到或签到已过期"))
    assert isinstance(caught.value, PlatformError)


def test_old_format_wrapper_is_unwrapped() -> None:
    inner = json.loads(SETTLED_2207)
    body = json.dumps({"code": 0, "type": "success", "message": "成功", "data": inner})
    reply = _parse(body)
    assert isinstance(reply, Reply)
    assert reply.output.setlinfo.setl_id == "440100S0000000000001"
    as_text = json.dumps({"code": 0, "type": "success", "data": json.dumps(inner)})
    assert isinstance(_parse(as_text), Reply)


def test_old_format_wrapper_without_an_envelope_is_a_gateway_error() -> None:
    body = json.dumps({"code": -1, "type": "error", "message": "签名校验失败", "data": None},
                      ensure_ascii=False)
    with pytest.raises(GatewayError, match="签名校验失败") as caught:
        _parse(body)
    assert caught.value.code == "-1"
    assert caught.value.outcome_unknown


def test_code_999_wrapper_is_a_gateway_error() -> None:
    with pytest.raises(GatewayError, match="gateway code 999: 服务繁忙") as caught:
        _parse(json.dumps({"code": "999", "msg": "服务繁忙"}, ensure_ascii=False), status=200)
    assert caught.value.code == "999"
    assert str(caught.value).startswith(MSGID)


@pytest.mark.parametrize(("status", "body", "match"), [
    (502, "<html><body><h1>502 Bad Gateway</h1></body></html>", "HTML"),
    (503, "", "empty body"),
    (504, "   \n", "empty body"),
    (500, "Internal Server Error", "not JSON"),
])
def test_5xx_html_or_empty_bodies_are_gateway_errors(status: int, body: str, match: str) -> None:
    with pytest.raises(GatewayError, match=match) as caught:
        _parse(body, status=status)
    assert caught.value.status == status
    assert f"HTTP {status}" in str(caught.value)


def test_an_envelope_on_a_5xx_is_still_read() -> None:
    with pytest.raises(PlatformError, match="系统繁忙"):
        _parse(_envelope("-1", err_msg="系统繁忙"), status=500)


@pytest.mark.parametrize(("body", "match"), [
    ('{"infcode": 0, "output": ', "not JSON"),
    ('{"output": {}}', "no infcode"),
    ('[{"infcode": 0}]', "instead of an envelope"),
    ('{"infcode": "E01"}', "not a number"),
    ('{"infcode": true}', "not a number"),
    ('{"infcode": 0, "err_msg": {"x": 1}}', "envelope does not validate"),
])
def test_unreadable_replies_are_malformed(body: str, match: str) -> None:
    with pytest.raises(MalformedReplyError, match=match) as caught:
        _parse(body)
    assert caught.value.outcome_unknown


def test_success_with_an_unreadable_output_keeps_the_envelope() -> None:
    body = _envelope(0, output={"setldetail": []})
    with pytest.raises(OutputValidationError, match="succeeded") as caught:
        _parse(body)
    error = caught.value
    assert not error.outcome_unknown
    assert error.envelope["infcode"] == 0
    assert error.inf_refmsgid == REFMSGID
    assert ("setlinfo", "Field required") in error.errors


def test_output_may_come_as_json_text_or_be_missing() -> None:
    inner = json.loads(SETTLED_2207)["output"]
    reply = _parse(_envelope(0, output=json.dumps(inner)))
    assert isinstance(reply, Reply)
    assert reply.output.setlinfo.hifp_pay == Decimal("20.0")
    reversal = _parse(_envelope(0, output=None), "2601")
    assert isinstance(reversal, Reply) and reversal.output == {}
    untyped = _parse(_envelope(0, output={"data": [{"psn_no": "P1"}]}), "5201")
    assert untyped.output == {"data": [{"psn_no": "P1"}]}  # type: ignore[union-attr]


def test_list_or_object_tolerance_in_outputs() -> None:
    body = _envelope(0, output={"result": {"jr_id": "J1", "rule_id": "R01", "sev_deg": "1"}})
    reply = _parse(body, "3101")
    assert isinstance(reply, Reply)
    assert [r.jr_id for r in reply.output.result] == ["J1"]
    assert as_list({"x": 1}) == [{"x": 1}]


def test_profile_renames_output_members_back() -> None:
    profile = NATIONAL.model_copy(update={
        "output_node_names": {"5203": {"setl_info": "setlinfo"}},
        "field_names": {"5203": {"psn_cash_pay": "cash_pay"}},
    })
    body = _envelope(0, output={"setl_info": {"setl_id": "S1", "cash_pay": 3.5}})
    reply = _parse(body, "5203", profile=profile)
    assert isinstance(reply, Reply)
    assert reply.output.setlinfo.psn_cash_pay == Decimal("3.5")


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_9102_returns_the_zip_as_bytes() -> None:
    content = _zip({"1301.txt": "药品编码\t名称\n".encode()})
    reply = _parse(content, "9102", headers={
        "content-type": "application/octet-stream",
        "Content-Disposition": 'attachment; filename="1301_20260302.zip"'})
    assert isinstance(reply, FileReply)
    assert reply.content == content and reply.is_zip
    assert reply.filename == "1301_20260302.zip"
    assert reply.members() == {"1301.txt": "药品编码\t名称\n".encode()}


def test_9102_recognised_by_content_type_alone() -> None:
    reply = _parse(b"\x00\x01not-a-zip", "9102", headers={"Content-Type": "application/zip"})
    assert isinstance(reply, FileReply) and not reply.is_zip
    with pytest.raises(MalformedReplyError, match="not a readable ZIP"):
        reply.members()


def test_9102_error_envelope_is_a_platform_error() -> None:
    with pytest.raises(PlatformError, match="文件不存在"):
        _parse(_envelope(-1, err_msg="文件不存在"), "9102",
               headers={"Content-Type": "application/octet-stream"})


def test_binary_body_for_a_json_transaction_is_a_gateway_error() -> None:
    with pytest.raises(GatewayError, match="binary body"):
        _parse(_zip({"a": b"b"}), "2207")


def test_declared_charset_is_honoured() -> None:
    body = _envelope(-1, err_msg="医保目录不存在").encode("gbk")
    with pytest.raises(PlatformError, match="医保目录不存在"):
        _parse(body, headers={"Content-Type": "application/json;charset=GBK"})
    with pytest.raises(MalformedReplyError, match="declared charset"):
        _parse(body)


def test_parse_infcode() -> None:
    assert parse_infcode(0) == 0 and parse_infcode("-1") == -1 and parse_infcode(" 999") == 999
    with pytest.raises(ValueError, match="not a number"):
        parse_infcode("")


def test_reply_errors_share_one_base() -> None:
    for kind in (PlatformError, GatewayError, MalformedReplyError, OutputValidationError):
        assert issubclass(kind, ReplyError)


def test_warnings_travel_with_a_success() -> None:
    reply = _parse(_envelope(0, warn_msg="账户余额不足", output={"signinoutb": {"sign_no": "S"}}),
                   "9001")
    assert isinstance(reply, Reply) and reply.warn_msg == "账户余额不足"
