"""Shared pieces of the client tests: a scripted fake platform behind ``responses``, sample
visit/settlement data and a client factory (the helpers are checked by the tests below)."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import requests
import responses
from requests.models import PreparedRequest

from yibao_sdk.adapters.provincial.builtin_profiles import NATIONAL
from yibao_sdk.adapters.provincial.client import ProvincialClient
from yibao_sdk.adapters.provincial.envelope import Institution, Operator
from yibao_sdk.adapters.provincial.mapping import Credential, SettleArgs
from yibao_sdk.adapters.provincial.profiles import ProvinceProfile
from yibao_sdk.adapters.provincial.recovery import RecoveryPolicy
from yibao_sdk.adapters.provincial.retry import RetryLimits, RetryPolicy
from yibao_sdk.adapters.provincial.signin import SignInDetails
from yibao_sdk.models import Patient, Settlement, Sex, Visit, VisitType
from yibao_sdk.store.journal import SqliteJournal

T = datetime(2026, 3, 2, 9, 30, 15)
HOSPITAL = Institution("H44010600001", "广州市示例医院", "440100")
CASHIER = Operator("0007", "王收费")
PSN, MDTRT = "44000011000000000001", "440100G0000000000001"
NAME, ID_CARD, PHONE = "张三丰", "110101199003078515", "13812345678"
PATIENT = Patient(patient_id="P0001", name=NAME, sex=Sex.MALE, birth_date=date(1990, 3, 7),
                  id_card=ID_CARD, psn_no=PSN, insurance_type="310", insured_region="440100")
VISIT = Visit(visit_id="MZ20260302001", patient=PATIENT, visit_type=VisitType.OUTPATIENT,
              admitted_at=T, department="A03", attending_id="D001")
SETTLEMENT = Settlement(settlement_id="JS0001", visit_id=VISIT.visit_id, requested_at=T,
                        total=Decimal("35.10"), insurance_type="310", medical_type="11")
ARGS = SettleArgs(psn_no=PSN, mdtrt_id=MDTRT, credential=Credential("02", ID_CARD),
                  chrg_bchno="B0001", use_account=True)

Body = dict[str, Any]
Action = Callable[[Body], tuple[int, dict[str, str], bytes]]


def envelope(output: Any = None, *, infcode: int = 0, err_msg: str | None = None) -> bytes:
    """A reply envelope as the platform writes it."""
    data = {"infcode": infcode, "inf_refmsgid": "440100202603020930150000000001",
            "err_msg": err_msg, "output": output}
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def ok(output: Any = None) -> Action:
    """Answer success; ``output`` may be a function of the request body."""
    return lambda body: (200, {"Content-Type": "application/json"},
                         envelope(output(body) if callable(output) else output))


def refuse(err_msg: str, infcode: int = -1) -> Action:
    """Answer a refusal."""
    return lambda body: (200, {"Content-Type": "application/json"},
                         envelope(infcode=infcode, err_msg=err_msg))


def http(status: int, text: str = "<html>Bad Gateway</html>") -> Action:
    """Answer an HTTP status with a non-envelope body."""
    return lambda body: (status, {"Content-Type": "text/html"}, text.encode())


def fail(exc: Exception) -> Action:
    """Fail at the transport (timeout, refused connection, reset)."""

    def action(body: Body) -> tuple[int, dict[str, str], bytes]:
        raise exc

    return action


def settled(body: Body, setl_id: str = "440100S0000000000001") -> dict[str, Any]:
    """A 2207 output for ``body`` (``medins_setl_id`` echoes the msgid, as the platform does)."""
    return {"setlinfo": {
        "mdtrt_id": MDTRT, "setl_id": setl_id, "psn_no": PSN, "psn_name": NAME, "certno": ID_CARD,
        "setl_time": "2026-03-02 09:31:00", "medfee_sumamt": 35.10, "fund_pay_sumamt": 20.00,
        "hifp_pay": 20.00, "acct_pay": 10.00, "psn_cash_pay": 5.10, "psn_part_amt": 15.10,
        "medins_setl_id": body["msgid"]},
        "setldetail": [{"fund_pay_type": "310100", "fund_payamt": 20.00}]}


def record(msgid: str, setl_id: str = "440100S0000000000001") -> dict[str, Any]:
    """A 5203 output for the settlement sent as ``msgid`` (5203's own member names)."""
    info = settled({"msgid": msgid}, setl_id)["setlinfo"]
    info.pop("psn_part_amt")
    info.pop("psn_cash_pay")
    return {"setlinfo": {**info, "psn_pay": 15.10, "cash_payamt": 5.10},
            "setldetail": [{"fund_pay_type": "310100", "fund_payamt": 20.00}]}


class Platform:
    """A scripted platform: per infno, a queue of actions; defaults answer success."""

    def __init__(self) -> None:
        self.requests: list[Body] = []
        self.headers: list[dict[str, str]] = []
        self.scripts: dict[str, list[Action]] = {}
        self._sign_nos = itertools.count(1)

    def on(self, infno: str, *actions: Action) -> Platform:
        """Queue ``actions`` for the next requests of ``infno``."""
        self.scripts.setdefault(infno, []).extend(actions)
        return self

    def sent(self, infno: str) -> list[Body]:
        """Bodies received for ``infno``, in order."""
        return [body for body in self.requests if body["infno"] == infno]

    def default(self, infno: str) -> Action:
        if infno == "9001":
            return ok(lambda body: {"signinoutb": {"sign_no": f"SN{next(self._sign_nos):04d}",
                                                   "sign_time": "2026-03-02 09:30:00"}})
        outputs: dict[str, Any] = {
            "2201": {"data": {"mdtrt_id": MDTRT, "psn_no": PSN, "ipt_otp_no": VISIT.visit_id}},
            "2207": settled, "2304": settled, "1101": {"baseinfo": {"psn_no": PSN}},
            "2204": {"result": []},
        }
        return ok(outputs.get(infno))

    def __call__(self, request: PreparedRequest) -> tuple[int, dict[str, str], bytes]:
        assert isinstance(request.body, bytes)
        body = json.loads(request.body)
        self.requests.append(body)
        self.headers.append(dict(request.headers))
        script = self.scripts.get(body["infno"])
        action = script.pop(0) if script else self.default(body["infno"])
        return action(body)


def serve(platform: Platform, base: str = NATIONAL.base_url) -> None:
    """Route every POST under ``base`` to ``platform`` (inside ``responses.activate``)."""
    responses.add_callback(responses.POST, re.compile(re.escape(base) + ".*"),
                           callback=platform)


def make_client(tmp_path: Path, profile: ProvinceProfile = NATIONAL, **kw: Any
                ) -> ProvincialClient:
    """A client on a fresh journal, with no waiting between attempts."""
    options: dict[str, Any] = {
        "retry": RetryPolicy(RetryLimits(max_attempts=3), sleep=lambda s: None),
        "recovery": RecoveryPolicy(settle_delay_s=0),
        "sign_in": SignInDetails("AA-BB-CC-DD-EE-FF", "10.1.2.3"),
        "clock": lambda: T, **kw,
    }
    return ProvincialClient(profile, HOSPITAL, journal=SqliteJournal(tmp_path / "j.sqlite3"),
                            **options)


@responses.activate
def test_the_fake_platform_answers_sign_in_and_scripts(tmp_path: Path) -> None:
    platform = Platform().on("1101", fail(requests.ReadTimeout("slow")))
    serve(platform)
    client = make_client(tmp_path)
    reply = client.call("1101", {"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": ID_CARD,
                                          "psn_cert_type": "01"}}, CASHIER)
    assert reply.output.baseinfo.psn_no == PSN
    assert [b["infno"] for b in platform.requests] == ["9001", "1101", "1101"]
    assert {b["sign_no"] for b in platform.sent("1101")} == {"SN0001"}
