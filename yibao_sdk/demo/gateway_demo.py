"""The gateway section: the sample HL7 stay over MLLP and one FHIR Bundle, through the rules.

Starts the real gateway on loopback (HIS, LIS and PACS MLLP listeners and the FHIR endpoint,
each on a free port) with the built-in rules and the demo catalogue and staff, sends the
messages of ``demo/hl7`` in the order of its README over one MLLP connection per sender, prints
each ACK (MSA-1 and the ERR rule ids and messages), then POSTs a demo visit as a FHIR Bundle.
Stores (``messages.sqlite3``, ``visits.sqlite3``) go to ``OUT/gateway``; every listener is
stopped and every store closed, also when something fails.
"""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from yibao_sdk.cases import Case
from yibao_sdk.demo.knowledge import CATALOG, HOSPITAL_CODES, PRACTITIONERS, VIOLATIONS
from yibao_sdk.demo.output import Printer
from yibao_sdk.fhir import bundle_from_visit, dumps
from yibao_sdk.gateway import (
    FhirEndpoint,
    Gateway,
    GatewayConfig,
    GatewayServer,
    GatewayService,
    load_routers,
    open_gateway,
)
from yibao_sdk.hl7v2 import Message, parse_message
from yibao_sdk.hl7v2.mllp_client import MllpClient
from yibao_sdk.rules import Engine, hookimpl
from yibao_sdk.rules.engine import AuditSink
from yibao_sdk.rules.loading import builtin_plugins
from yibao_sdk.rules.stores import Catalog, Practitioners

__all__ = ["FHIR_VISIT", "SAMPLES", "STAY", "AckRow", "GatewayResult", "run_gateway"]

SAMPLES = Path(__file__).with_name("hl7")
"""The sample messages (see their README)."""
STAY: tuple[tuple[str, str], ...] = (
    ("his_adt_a01_admit", "his"), ("his_rde_o11_second_line", "his"),
    ("his_dft_p03_charges", "his"), ("his_dft_p03_gb18030", "his"), ("his_dft_p03_teg", "his"),
    ("lis_oml_o21_teg", "lis"), ("lis_mdm_t02_preop", "lis"), ("lis_oru_r01_lab", "lis"),
    ("pacs_omi_o23_mri_1", "pacs"), ("pacs_omi_o23_mri_2", "pacs"),
    ("pacs_oru_r01_report", "pacs"), ("emr_mdm_t02_surgery", "his"),
)
"""(file stem, MLLP listener) in the order the stay happened."""
FHIR_VISIT = "V-PRICE"
"""The demo visit POSTed as a FHIR Bundle."""
RULES_NOW = datetime(2026, 3, 3, 12, 0)
""""Now" for the gateway's rules: the day after admission."""
_ROUTES = ("his", "lis", "pacs")
_TIMEOUT = 10.0


@dataclass(frozen=True, slots=True)
class AckRow:
    """One message and the ACK the gateway answered."""

    name: str
    route: str
    message_type: str
    control_id: str
    code: str
    errors: tuple[tuple[str, str, str], ...]
    """(severity, rule id, message) per ERR."""


@dataclass
class GatewayResult:
    """What the gateway answered."""

    acks: list[AckRow] = field(default_factory=list)
    fhir_status: int = 0
    fhir_verdict: str = ""
    fhir_issues: list[tuple[str, str, str]] = field(default_factory=list)
    """(severity, rule id, diagnostics) per finding issue."""
    stored: int = 0
    store: Path = Path()

    def refused(self, rule_id: str) -> list[AckRow]:
        """ACKs with code AE carrying an error of ``rule_id``."""
        return [row for row in self.acks
                if row.code == "AE" and any(rule == rule_id for _, rule, _ in row.errors)]


class HospitalCodes:
    """The hospital's code table (``HIS-…``, ``LIS-…`` → national codes)."""

    @hookimpl
    def yibao_resolve_item_code(self, hospital_item_code: str, kind: str,
                                source: str) -> str | None:
        return HOSPITAL_CODES.get(hospital_item_code)


def run_gateway(out: Path, cases: Sequence[Case], *, show: Printer,
                audit_log: AuditSink | None = None) -> GatewayResult:
    """Start the gateway under ``out/gateway``, send the stay and one Bundle, stop it."""
    folder = out / "gateway"
    for name in ("messages.sqlite3", "visits.sqlite3"):
        _remove_db(folder / name)
    hospital = next(c.hospital for c in cases if c.hospital is not None)
    engine = Engine(hospital=hospital, catalog=Catalog(CATALOG),
                    practitioners=Practitioners(PRACTITIONERS, VIOLATIONS),
                    plugins=(*builtin_plugins(), HospitalCodes()), entry_points=False,
                    audit_log=audit_log, clock=lambda: RULES_NOW)
    config = GatewayConfig()
    gateway = open_gateway(folder, engine, load_routers(_ROUTES, engine), config)
    result = GatewayResult(store=folder / "messages.sqlite3")
    try:
        visit = next(c.visit for c in cases if c.visit.visit_id == FHIR_VISIT)
        asyncio.run(_serve(gateway, config, dumps(bundle_from_visit(visit)).encode(), result,
                           show))
        result.stored = len(gateway.messages.list())
    finally:
        gateway.messages.close()
        gateway.visits.close()
    show(f"   stores: {result.store} ({result.stored} messages: {len(STAY)} HL7 + 1 Bundle, "
         f"each stored before its answer) and {folder / 'visits.sqlite3'}")
    return result


async def _serve(gateway: Gateway, config: GatewayConfig, bundle: bytes,
                 result: GatewayResult, show: Printer) -> None:
    service = GatewayService(gateway, max_message_bytes=config.max_message_bytes)
    # The FHIR endpoint runs beside the MLLP listeners on the same service (as GatewayServer
    # wires it), started first so that a failed start leaves nothing it cannot stop.
    fhir = FhirEndpoint(service.fhir_bundle, host="127.0.0.1", port=0)
    fhir.start()
    try:
        server = GatewayServer(service, dict.fromkeys(_ROUTES, 0), host="127.0.0.1",
                               mllp=config.mllp())
        try:
            await server.start()
            ports = {**server.ports, "fhir": fhir.port}
            show("   gateway on 127.0.0.1: " + ", ".join(f"{k}={v}" for k, v in ports.items())
                 + f"; {len(gateway.engine.rules)} built-in rules; ACK after the rules")
            show()
            await _send_stay(ports, result, show)
            show()
            await _post_bundle(ports["fhir"], bundle, result, show)
        finally:
            await server.stop()
    finally:
        await asyncio.to_thread(fhir.stop)


async def _send_stay(ports: dict[str, int], result: GatewayResult, show: Printer) -> None:
    clients: dict[str, MllpClient] = {}
    try:
        for name, route in STAY:
            raw = (SAMPLES / f"{name}.hl7").read_bytes()
            if route not in clients:
                clients[route] = MllpClient("127.0.0.1", ports[route], timeout=_TIMEOUT)
                await clients[route].connect()
            sent = parse_message(raw, where=name)
            ack = parse_message(await clients[route].send(raw), where=f"ACK of {name}")
            row = AckRow(name, route, "^".join(sent.message_type[:2]), sent.control_id,
                         ack["MSA-1"], _errors(ack))
            result.acks.append(row)
            _show_ack(row, show)
    finally:
        for client in clients.values():
            await client.close()


def _errors(ack: Message) -> tuple[tuple[str, str, str], ...]:
    """(severity, rule id, message) of each ERR (v2.5+: ERR-4/5/8; v2.3/2.4: ERR-1 ELD)."""
    found: list[tuple[str, str, str]] = []
    for err in ack.all("ERR"):
        if err.value(5) or err.value(8):
            rule = err.value(5)
            found.append((err.value(4) or "E", rule, err.value(8).removeprefix(f"{rule}: ")))
            continue
        for eld in err.repetitions(1):
            rule, text = eld.value(4, 4), eld.value(4, 5)
            found.append(("E", rule, text.removeprefix(f"{rule}: ")))
    return tuple(found)


def _show_ack(row: AckRow, show: Printer) -> None:
    head = f"   {row.route:<4} {row.name + '.hl7':<28} {row.message_type:<8} {row.control_id:<15}"
    rules = sorted({rule for _, rule, _ in row.errors if rule})
    show(f"{head} {show.ack(row.code)}  {' '.join(rules)}".rstrip())
    for severity, rule, text in row.errors:
        style = "red" if severity == "E" else "yellow"
        show(f"        {show.paint(severity, style)} {rule}: {text}")


async def _post_bundle(port: int, body: bytes, result: GatewayResult, show: Printer) -> None:
    status, headers, outcome = await asyncio.to_thread(_post, port, body)
    result.fhir_status, result.fhir_verdict = status, headers.get("X-Yibao-Verdict", "")
    issues = outcome.get("issue", [])
    head = issues[0].get("diagnostics", "") if issues else ""
    for issue in issues[1:]:
        codings = issue.get("details", {}).get("coding", [{}])
        result.fhir_issues.append((issue.get("severity", ""), codings[0].get("code", ""),
                                   issue.get("diagnostics", "")))
    verdict = show.paint(result.fhir_verdict or "-", {"green": "green", "yellow": "yellow"}
                         .get(result.fhir_verdict, "red"))
    show(f"   FHIR: visit {FHIR_VISIT} as a transaction Bundle (bundle_from_visit, "
         f"{len(body)} bytes) → POST /fhir/Bundle")
    show(f"   HTTP {status}, X-Yibao-Verdict {verdict} — {head}")
    for severity, rule, text in result.fhir_issues:
        show(f"        {severity} {rule}  {text}")


def _post(port: int, body: bytes) -> tuple[int, dict[str, str], dict[str, Any]]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/fhir/Bundle", data=body,
                                     method="POST",
                                     headers={"Content-Type": "application/fhir+json"})
    try:
        with urllib.request.urlopen(request, timeout=_TIMEOUT) as answer:
            return answer.status, dict(answer.headers), json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read() or b"{}")


def _remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
