"""Crash recovery: rows a killed process left ``pending`` or ``sent`` are resolved by a new
client's ``recover()``; an operator's reversal; the per-profile resolution order."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
import responses
from test_client_helpers import (
    ARGS,
    CASHIER,
    ID_CARD,
    MDTRT,
    PSN,
    SETTLEMENT,
    VISIT,
    Platform,
    fail,
    http,
    make_client,
    ok,
    record,
    refuse,
    serve,
)

from yibao_sdk.adapters.provincial.client import ProvincialClient
from yibao_sdk.adapters.provincial.envelope import Operator
from yibao_sdk.adapters.provincial.errors import ProvincialError
from yibao_sdk.adapters.provincial.mapping import Credential
from yibao_sdk.adapters.provincial.recovery import RecoveryPolicy, RecoveryStep
from yibao_sdk.adapters.provincial.roles import PermissionDeniedError, RolePolicy
from yibao_sdk.store.journal import JournalState

S = JournalState
TIMEOUT = fail(requests.ReadTimeout("read timed out"))


class Killed(BaseException):
    """The process dies (nothing after this point runs)."""


def _kill(action: Any) -> Any:
    """Let the platform run ``action``, then kill the client before it reads the answer."""

    def killed(body: dict[str, Any]) -> Any:
        action(body)
        raise Killed

    return killed


def _settle(client: ProvincialClient) -> Any:
    return client.settle(SETTLEMENT, VISIT, CASHIER, args=ARGS)


def _states(client: ProvincialClient, infno: str, platform: Platform) -> list[JournalState]:
    return [client.journal.by_msgid(b["msgid"]).state  # type: ignore[union-attr]
            for b in platform.sent(infno)]


@responses.activate
def test_killed_after_sending_a_settlement_the_new_client_confirms_it(tmp_path: Path) -> None:
    platform = Platform()
    platform.on("2207", _kill(ok())).on(
        "5203", ok(lambda body: record(platform.sent("2207")[0]["msgid"])))
    serve(platform)
    with pytest.raises(Killed):
        _settle(make_client(tmp_path))
    assert _states(make_client(tmp_path), "2207", platform) == [S.SENT]
    restarted = make_client(tmp_path)
    (result,) = restarted.recover()
    assert (result.infno, result.state) == ("2207", S.CONFIRMED_BY_QUERY)
    assert len(platform.sent("2207")) == 1 and not platform.sent("2601")
    assert restarted.recover() == ()


@responses.activate
def test_killed_before_sending_the_row_is_pending_and_resolved_as_not_done(
        tmp_path: Path) -> None:
    platform = Platform().on("5203", ok({"setlinfo": {}})).on("2601", ok({}))
    serve(platform)

    class Dies:
        def yibao_before_send(self, *, infno: str, message: Any) -> None:
            if infno == "2207":
                raise Killed

        def yibao_after_reply(self, **kw: Any) -> None:
            pass

    with pytest.raises(Killed):
        _settle(make_client(tmp_path, hooks=Dies()))
    client = make_client(tmp_path)
    (pending,) = client.journal.unresolved()
    assert pending.state is S.PENDING and not platform.sent("2207")
    (result,) = client.recover()
    assert result.state is S.REVERSED  # 5203 found nothing; 2601 fences it: settle again
    assert _settle(client).settlement_id == "440100S0000000000001"


@responses.activate
def test_killed_during_the_reversal_recovery_finishes_the_reversal(tmp_path: Path) -> None:
    platform = Platform().on("2207", TIMEOUT).on("5203", *[http(502)] * 3) \
        .on("2601", _kill(refuse("系统繁忙")))
    serve(platform)
    with pytest.raises(Killed):
        _settle(make_client(tmp_path))
    client = make_client(tmp_path)
    assert [e.state for e in client.journal.unresolved()] == [S.UNKNOWN, S.SENT]
    results = client.recover()
    assert [(r.infno, r.state) for r in results] == [("2207", S.REVERSED)]
    assert len(platform.sent("5203")) == 3  # no new query once a reversal was sent
    assert _states(client, "2601", platform) == [S.CONFIRMED_BY_QUERY, S.CONFIRMED]
    assert client.journal.unresolved() == ()


@responses.activate
@pytest.mark.parametrize(("found", "state"), [
    ({"data": [{"mdtrt_id": MDTRT, "ipt_otp_no": VISIT.visit_id}]}, S.CONFIRMED_BY_QUERY),
    ({"data": []}, S.FAILED),
])
def test_a_registration_left_sent_is_resolved_by_its_query(
        tmp_path: Path, found: dict[str, Any], state: JournalState) -> None:
    platform = Platform().on("2201", _kill(ok())).on("5201", ok(found))
    serve(platform)
    with pytest.raises(Killed):
        make_client(tmp_path).register(VISIT, CASHIER, credential=Credential("02", ID_CARD))
    (result,) = make_client(tmp_path).recover()
    assert (result.infno, result.state) == ("2201", state)
    assert len(platform.sent("2201")) == 1  # recovery never resends


@responses.activate
def test_an_operator_reverses_a_confirmed_settlement(tmp_path: Path) -> None:
    platform = Platform()
    serve(platform)
    roles = RolePolicy().with_operator("0007", "cashier").with_operator("D001", "physician")
    client = make_client(tmp_path, roles=roles)
    _settle(client)
    msgid = platform.sent("2207")[0]["msgid"]
    with pytest.raises(PermissionDeniedError):
        client.reverse(msgid, "2207", operator=Operator("D001", "李医生"))
    result = client.reverse(msgid, "2207", operator=CASHIER)
    assert result.state is S.REVERSED
    assert platform.sent("2601")[0]["input"]["data"] == {"psn_no": PSN, "omsgid": msgid,
                                                         "oinfno": "2207"}
    with pytest.raises(ProvincialError, match="cannot reverse a call that is reversed"):
        client.reverse(msgid)
    with pytest.raises(ProvincialError, match="not in the journal"):
        client.reverse("H44010600001202603020930150099")


@responses.activate
def test_reverse_first_order_skips_the_query(tmp_path: Path) -> None:
    platform = Platform().on("2207", TIMEOUT)
    serve(platform)
    client = make_client(tmp_path, recovery=RecoveryPolicy(order=(RecoveryStep.REVERSE,),
                                                           settle_delay_s=0))
    with pytest.raises(ProvincialError):
        _settle(client)
    assert not platform.sent("5203") and len(platform.sent("2601")) == 1


@responses.activate
def test_query_only_order_leaves_what_the_query_cannot_tell(tmp_path: Path) -> None:
    platform = Platform().on("2207", TIMEOUT).on("5203", refuse("系统繁忙"))
    serve(platform)
    client = make_client(tmp_path, recovery=RecoveryPolicy(order=(RecoveryStep.QUERY,),
                                                           settle_delay_s=0))
    with pytest.raises(ProvincialError):
        _settle(client)
    assert not platform.sent("2601")
    assert client.journal.in_flight(MDTRT) is not None


def test_a_recovery_order_must_name_each_step_once() -> None:
    with pytest.raises(ValueError, match="each step once"):
        RecoveryPolicy(order=())
    with pytest.raises(ValueError, match="each step once"):
        RecoveryPolicy(order=(RecoveryStep.QUERY, RecoveryStep.QUERY))


@responses.activate
def test_recover_leaves_calls_in_progress_and_recent_rows_of_other_instances(
        tmp_path: Path) -> None:
    platform = Platform()
    serve(platform)
    client = make_client(tmp_path)
    seen: list[Any] = []

    def settle_while_recovering(body: dict[str, Any]) -> Any:
        seen.append(client.recover())  # the 2207 on the wire is this client's own
        return ok(lambda b: {"setlinfo": {"setl_id": "S1", "medins_setl_id": b["msgid"]}})(body)

    platform.on("2207", settle_while_recovering, _kill(refuse("系统繁忙"))) \
        .on("5203", ok({"setlinfo": {}})).on("2601", ok({}))
    client.call("2207", _settle_input(), CASHIER, insuplc_admdvs="440100")
    assert seen == [()]
    with pytest.raises(Killed):
        client.call("2207", _settle_input("440100G0000000000002"), CASHIER,
                    insuplc_admdvs="440100")
    other = make_client(tmp_path)
    assert other.recover(older_than=timedelta(hours=1)) == ()  # maybe still on the wire
    assert [r.state for r in other.recover()] == [S.REVERSED]  # nothing found, fenced
    assert platform.sent("5203")[0]["input"]["data"]["mdtrt_id"] == "440100G0000000000002"


def _settle_input(mdtrt_id: str = MDTRT) -> dict[str, Any]:
    return {"data": {"psn_no": PSN, "mdtrt_cert_type": "02", "mdtrt_cert_no": ID_CARD,
                     "medfee_sumamt": 35, "psn_setlway": "01", "mdtrt_id": mdtrt_id,
                     "acct_used_flag": "0", "med_type": "11", "chrg_bchno": "B0001"}}
