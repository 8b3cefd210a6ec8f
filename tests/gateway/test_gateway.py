"""The gateway pipeline: store, route, merge, rules, and the ACK each policy gives."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from test_gateway_support import (
    ADT,
    DFT,
    T0,
    GatewayRules,
    adt,
    dft,
    engine,
    make_gateway,
    msa,
    router,
)

from yibao_sdk.gateway import (
    AckMode,
    AckPolicy,
    Gateway,
    GatewayService,
    RoutePolicy,
    VisitStore,
)
from yibao_sdk.hl7v2 import Hl7Error, Mapped, Message, parse_message
from yibao_sdk.hl7v2.mllp import Frame
from yibao_sdk.hl7v2.mllp_server import Peer
from yibao_sdk.models import Charge
from yibao_sdk.rules import Context, Finding, Verdict, hookimpl
from yibao_sdk.store.messages import MessageState, MessageStore
from yibao_sdk.testing import factories as f

RED = dft(("C010", "X0001", 1, "50"), ("C011", "001102000030000", 9, "2"), control_id="RED1")
YELLOW = dft(("C020", "001102000030000", 9, "2"), control_id="YEL1")


def policy(mode: AckMode = AckMode.AFTER_RULES, **kw: Any) -> AckPolicy:
    return AckPolicy(RoutePolicy(ack=mode, **kw))


def admitted(**kw: Any) -> Gateway:
    gateway = make_gateway(**kw)
    assert msa(gateway.handle(ADT, "10.0.0.1:5000", "his"))[0] == "AA"
    return gateway


def test_gateway_green_charge_is_accepted_and_merged() -> None:
    gateway = admitted()
    assert msa(gateway.handle(DFT, "p", "his")) == ("AA", "DFT0001", [])
    visit = gateway.visits.get("ZY001")
    assert visit is not None and [c.charge_id for c in visit.charges] == ["C001"]
    row = gateway.messages.list()[-1]
    assert row.state is MessageState.PROCESSED and row.ack_code == "AA"
    assert row.summary is not None and row.summary["colour"] == "green"


def test_gateway_red_finding_gives_ae_with_the_rule_id_and_chinese_message() -> None:
    gateway = admitted()
    code, ctrl, errs = msa(gateway.handle(RED, "p", "his"))
    assert (code, ctrl) == ("AE", "RED1")
    ack = parse_message(gateway.handle(RED, "p", "his"))
    blocking = [e for e in ack.all("ERR") if e.value(4) == "E"]
    assert blocking[0].value(5) == "T-BLOCK"
    assert "项目X0001不予医保支付" in blocking[0].value(8)
    assert any(e.value(4) == "W" and e.value(5) == "T-QTY" for e in ack.all("ERR"))
    visit = gateway.visits.get("ZY001")
    assert visit is not None and visit.charges == ()  # refused as a whole: nothing applied
    row = gateway.messages.list()[-1]
    assert row.summary is not None and row.summary["applied"] is False
    assert row.summary["verdicts"][0] == {"subject": "charge:C010", "colour": "red",
                                          "findings": ["T-BLOCK:block"]}
    assert len(errs) == 2


def test_gateway_yellow_gives_aa_with_a_warning_err_or_msa3_text() -> None:
    gateway = admitted()
    code, _, errs = msa(gateway.handle(YELLOW, "p", "his"))
    assert code == "AA" and len(errs) == 1 and "|W|T-QTY|" in errs[0]
    texts = admitted(policy=policy(yellow="text"))
    ack = parse_message(texts.handle(YELLOW, "p", "his"))
    assert ack["MSA-1"] == "AA" and ack.all("ERR") == []
    assert ack["MSA-3"].startswith("T-QTY: 数量9超过上限")


def test_gateway_after_store_acks_at_once_and_runs_the_rules_after() -> None:
    gateway = admitted(policy=policy(AckMode.AFTER_STORE))
    receipt = gateway.receive(RED, peer="p", listener="his")
    assert receipt.ack is not None and msa(receipt.ack) == ("AA", "RED1", [])
    assert gateway.messages.get(receipt.message_id).state is MessageState.RECEIVED  # type: ignore[union-attr]
    assert gateway.process(receipt, ack=False) is None
    row = gateway.messages.get(receipt.message_id)
    assert row is not None and row.state is MessageState.PROCESSED
    assert row.summary is not None and row.summary["colour"] == "red" and row.ack_code == "AA"
    visit = gateway.visits.get("ZY001")
    assert visit is not None and len(visit.charges) == 2  # the sender was told AA: kept


def test_gateway_malformed_message_is_stored_as_failed_and_rejected() -> None:
    gateway = make_gateway()
    bad = b"MSH|^~\\&|HIS|H|YBGW|YB|20260302||DFT^P03|BAD1|P|9.9\rPID|1"
    code, ctrl, errs = msa(gateway.handle(bad, "p", "his"))
    assert (code, ctrl) == ("AR", "BAD1") and "MSH^1^12" in errs[0] and "9.9" in errs[0]
    code, ctrl, errs = msa(gateway.handle(b"not hl7 at all", "p", "his"))
    assert code == "AR" and "expected the message to start with MSH" in errs[0]
    rows = gateway.messages.list()
    assert [r.state for r in rows] == [MessageState.FAILED] * 2
    assert rows[0].raw == bad and rows[0].summary is not None
    assert rows[0].summary["error"] == "Hl7VersionError" and rows[0].ack_code == "AR"
    ae = make_gateway(policy=policy(reject="AE"))
    assert msa(ae.handle(bad, "p", "his"))[0] == "AE"


def test_gateway_unknown_visit_gives_ae_naming_pv1_19() -> None:
    gateway = make_gateway()
    code, _, errs = msa(gateway.handle(dft(("C1", "001", 1, "1"), visit_id="NOPE"), "p", "his"))
    assert code == "AE" and "PV1^1^19" in errs[0] and "NOPE" in errs[0] and "|204^" in errs[0]
    assert gateway.messages.list()[0].state is MessageState.FAILED


def test_gateway_route_without_router_and_a_failing_router() -> None:
    gateway = admitted()
    code, _, errs = msa(gateway.handle(DFT, "p", "pacs"))
    assert code == "AR" and "no router for route 'pacs'" in errs[0]

    def broken(message: Message) -> Mapped:
        raise KeyError("bug")
    crashing = Gateway(engine(), {"his": broken}, VisitStore(), MessageStore(":memory:"))
    code, _, errs = msa(crashing.handle(DFT, "p", "his"))
    assert code == "AE" and "application internal error" in errs[0]

    def refusing(message: Message) -> Mapped:
        raise Hl7Error("FT1-7 is empty", segment="FT1", field=7, code=101)
    mapped_badly = Gateway(engine(), {"his": refusing}, VisitStore(), MessageStore(":memory:"))
    code, _, errs = msa(mapped_badly.handle(DFT, "p", "his"))
    assert code == "AR" and "FT1^1^7" in errs[0] and "FT1-7 is empty" in errs[0]


def test_gateway_msh5_receiving_application_selects_the_route() -> None:
    seen: list[str] = []

    def lis(message: Message) -> Mapped:
        seen.append("lis")
        return router(message)
    gateway = Gateway(engine(), {"his": router, "lis": lis}, VisitStore(),
                      MessageStore(":memory:"),
                      AckPolicy(receivers={"YBGW": "lis"}))
    gateway.handle(ADT, "p", "his")  # MSH-5 is YBGW: taken on route lis
    assert seen == ["lis"] and gateway.messages.list()[0].route == "lis"


def test_gateway_merge_replaces_items_of_the_same_id_and_adt_keeps_them() -> None:
    gateway = admitted()
    gateway.handle(dft(("C1", "001", 1, "1"), ("C2", "002", 1, "1")), "p", "his")
    gateway.handle(dft(("C1", "001", 3, "1"), control_id="D2"), "p", "his")
    gateway.handle(adt(control_id="ADT0002"), "p", "his")  # an A08-like update
    visit = gateway.visits.get("ZY001")
    assert visit is not None and [(c.charge_id, c.quantity) for c in visit.charges] == [
        ("C1", 3), ("C2", 1)]


def test_gateway_rules_failure_accepts_visibly_unchecked() -> None:
    class Broken(GatewayRules):
        @hookimpl
        def yibao_check_charge(self, charge: Charge, context: Context) -> Iterator[Finding]:
            raise RuntimeError("plugin bug")
    gateway = Gateway(f.engine(Broken(), clock=T0), {"his": router}, VisitStore(),
                      MessageStore(":memory:"))
    gateway.handle(ADT, "p", "his")
    code, _, errs = msa(gateway.handle(DFT, "p", "his"))
    assert code == "AA" and "|W|" in errs[0] and "未经审核" in errs[0]
    assert gateway.messages.list()[-1].state is MessageState.FAILED


def test_gateway_after_verdicts_seam_is_called_and_cannot_change_the_ack() -> None:
    calls: list[tuple[int, str, int]] = []

    def seam(ident: int, mapped: Mapped, verdicts: Sequence[Verdict]) -> None:
        calls.append((ident, mapped.control_id, len(verdicts)))
        raise RuntimeError("province down")
    gateway = admitted()
    gateway.after_verdicts = seam
    assert msa(gateway.handle(RED, "p", "his"))[0] == "AE"
    assert calls == [(2, "RED1", 2)]


def test_gateway_recover_processes_what_a_crash_left_received(tmp_path: Path) -> None:
    gateway = admitted()
    receipt = gateway.receive(DFT, peer="p", listener="his")
    assert gateway.messages.pending() != ()
    assert gateway.recover() == 1
    assert gateway.messages.get(receipt.message_id).state is MessageState.PROCESSED  # type: ignore[union-attr]
    assert gateway.recover() == 0


def test_gateway_peer_default_charset_and_gb18030_ack() -> None:
    gateway = make_gateway(policy=policy(encoding="GB18030"))
    raw = ADT.decode().replace("|CHN|UNICODE UTF-8", "|CHN|").encode("gb18030")
    ack = gateway.handle(raw, "p", "his")  # answered in the peer's charset: 医保网关 in GB18030
    assert "医保网关".encode("gb18030") in ack
    assert parse_message(ack, encoding="GB18030")["MSA-1"] == "AA"
    visit = gateway.visits.get("ZY001")
    assert visit is not None
    refused = gateway.handle(dft(("C9", "X9", 1, "1")).decode().replace(
        "|CHN|UNICODE UTF-8", "|CHN|GB18030").encode("gb18030"), "p", "his")
    assert "不予医保支付".encode("gb18030") in refused


def test_gateway_service_answers_oversize_with_ar_and_stores_the_head() -> None:
    gateway = make_gateway()
    service = GatewayService(gateway, max_message_bytes=100)
    ack = service.on_frame(Frame(ADT[:100], 5000, oversize=True), Peer("h", 1, "his"))
    assert ack is not None
    code, ctrl, errs = msa(ack)
    assert (code, ctrl) == ("AR", "ADT0001") and "5000 bytes exceeds the limit of 100" in errs[0]
    row = gateway.messages.list()[0]
    assert row.truncated and row.size == 5000 and row.state is MessageState.FAILED


def test_gateway_service_after_store_processes_after_the_ack() -> None:
    gateway = admitted(policy=policy(AckMode.AFTER_STORE))
    service = GatewayService(gateway, max_message_bytes=1 << 20)

    async def body() -> tuple[MessageState, MessageState]:
        service.bind(asyncio.get_running_loop())
        ack = service.on_frame(Frame(RED, len(RED)), Peer("h", 1, "his"))
        assert ack is not None and msa(ack)[0] == "AA"
        before = gateway.messages.list()[-1].state
        await asyncio.sleep(0)  # the queued processing runs on the next loop turn
        return before, gateway.messages.list()[-1].state
    assert asyncio.run(body()) == (MessageState.RECEIVED, MessageState.PROCESSED)
    service.close()
