"""What the gateway, MLLP and message-store tests share: messages, a router, rules, a gateway.

Imported by the other test modules (this one holds no tests). The router stands in for the
adapters' routers (``adapters/*/hl7.py``), which the lead wires: ADT registers the visit, DFT
carries FT1 charges. The rules: ``T-BLOCK`` (red) refuses item codes starting with ``X``;
``T-QTY`` (yellow) warns above ``limit`` units.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from yibao_sdk.gateway import AckPolicy, Gateway, VisitStore
from yibao_sdk.hl7v2 import Mapped, Message, parse_message
from yibao_sdk.models import Charge, ChargeCategory
from yibao_sdk.rules import (
    Context,
    Engine,
    Finding,
    Param,
    RuleSpec,
    Severity,
    Stage,
    hookimpl,
    subject_of,
)
from yibao_sdk.store.messages import MessageStore
from yibao_sdk.testing import factories as f

__all__ = [
    "ADT",
    "DFT",
    "GatewayRules",
    "adt",
    "dft",
    "engine",
    "make_gateway",
    "msa",
    "router",
    "run",
]

_T = TypeVar("_T")
T0 = datetime(2026, 3, 2, 9, 0)


def _msh(kind: str, control_id: str, version: str = "2.5") -> str:
    return (f"MSH|^~\\&|HIS|市第一人民医院|YBGW|医保网关|20260302090000||{kind}|{control_id}|P|"
            f"{version}|||AL|NE|CHN|UNICODE UTF-8")


def _pv1(visit_id: str) -> str:
    fields = ["PV1", "1", "I", "0301^0312^02"] + [""] * 16
    fields[7], fields[19] = "D001^李^明远", visit_id
    return "|".join(fields)


def adt(visit_id: str = "ZY001", control_id: str = "ADT0001") -> bytes:
    """An ADT^A01 registering ``visit_id``."""
    return "\r".join([_msh("ADT^A01^ADT_A01", control_id), "EVN|A01|20260302090000",
                      "PID|1||P0001^^^HIS^PI||张^三||19860101|M", _pv1(visit_id)]).encode()


def dft(*lines: tuple[str, str, int, str], visit_id: str = "ZY001",
        control_id: str = "DFT0001") -> bytes:
    """A DFT^P03 with one FT1 per ``(charge id, item code, quantity, unit price)``."""
    ft1 = [f"FT1|{i}|{cid}||20260302100000||CG|{code}^项目{i}^YBXM|||{qty}|"
           f"{Decimal(price) * qty}|{price}" for i, (cid, code, qty, price) in enumerate(lines, 1)]
    return "\r".join([_msh("DFT^P03^DFT_P03", control_id), "EVN|P03|20260302100000",
                      "PID|1||P0001^^^HIS^PI||张^三||19860101|M", _pv1(visit_id), *ft1]).encode()


ADT = adt()
DFT = dft(("C001", "001102000030000", 1, "10"))


def _charge(segment: Any) -> Charge:
    return f.charge(segment.value(7), charge_id=segment.value(2), quantity=segment.value(10),
                    unit_price=segment.value(12), at=T0, category=ChargeCategory.TREATMENT,
                    hospital_item_code=segment.value(7))


def router(message: Message) -> Mapped:
    """A small HIS router: ADT → patient and visit; anything else → FT1 charges."""
    code, trigger, _ = message.message_type
    visit_id = message["PV1-19"]
    kind = f"{code}^{trigger}"
    if code == "ADT":
        patient = f.patient(patient_id=message["PID-3.1"])
        visit = f.visit(visit_id=visit_id, patient=patient, admitted_at=T0)
        return Mapped("his", kind, message.control_id, visit_id, patient=patient, visit=visit)
    charges = tuple(_charge(s) for s in message.all("FT1"))
    return Mapped("his", kind, message.control_id, visit_id, charges=charges)


class GatewayRules:
    """``T-BLOCK`` (block) on item codes starting with X; ``T-QTY`` (warn) above ``limit``."""

    @hookimpl
    def yibao_register_rules(self, register: Any) -> None:
        stages = frozenset(Stage)
        register(RuleSpec(rule_id="T-BLOCK", name="禁用项目", category="测试", stages=stages,
                          default_severity=Severity.BLOCK))
        register(RuleSpec(rule_id="T-QTY", name="数量上限", category="测试", stages=stages,
                          default_severity=Severity.WARN,
                          parameters=(Param("limit", int, 5, "上限"),)))

    @hookimpl
    def yibao_check_charge(self, charge: Charge, context: Context) -> Iterator[Finding]:
        if charge.item_code.startswith("X"):
            yield context.finding("T-BLOCK", subject_of(charge),
                                  f"项目{charge.item_code}不予医保支付")
        if charge.quantity > context.params("T-QTY")["limit"]:
            yield context.finding("T-QTY", subject_of(charge), f"数量{charge.quantity}超过上限")


def engine(rules: dict[str, Any] | None = None) -> Engine:
    """An engine with only :class:`GatewayRules`."""
    return f.engine(GatewayRules(), rules=rules, clock=T0)


def make_gateway(tmp: Path | None = None, *, policy: AckPolicy | None = None,
                 rules: dict[str, Any] | None = None, **store: Any) -> Gateway:
    """A gateway with the test router on route ``his``, stores in ``tmp`` (or in memory)."""
    path = tmp / "messages.sqlite3" if tmp is not None else ":memory:"
    return Gateway(engine(rules), {"his": router}, VisitStore(), MessageStore(path, **store),
                   policy)


def msa(ack: bytes) -> tuple[str, str, list[str]]:
    """MSA-1, MSA-2 and the ERR segments of an ACK."""
    message = parse_message(ack)
    errs = [s.raw for s in message.all("ERR")]
    return message["MSA-1"], message["MSA-2"], errs


def run(coro: Callable[[], Awaitable[_T]], timeout: float = 30.0) -> _T:
    """Run an async test body with a hard time limit."""
    async def bounded() -> _T:
        return await asyncio.wait_for(coro(), timeout)
    return asyncio.run(bounded())
