"""FHIR transaction Bundles through the gateway: store → map → merge → rules → OperationOutcome.

``POST /fhir/Bundle`` (see :mod:`yibao_sdk.gateway.http`) answers:

* **400** with the OperationOutcome of the :class:`~yibao_sdk.fhir.FhirError` when the body is
  not a Bundle that maps to a visit (each issue names the FHIRPath of the bad element);
* **200** with an OperationOutcome summarising the verdicts: a first ``information`` issue
  (``code`` ``informational``) reading ``verdict <colour>: …`` and telling whether the visit
  was updated, then one issue per finding — ``severity`` ``error`` (红, block), ``warning``
  (黄, warn) or ``information``; ``code`` ``business-rule``; ``details.coding`` the rule id
  (system :data:`RULE_SYSTEM`); ``details.text`` the Chinese message; ``diagnostics``
  ``"<subject kind> <id>: <message>"``. The colour is also in the ``X-Yibao-Verdict`` header;
* **500** with one ``exception`` issue (no internals) when the rules failed; the Bundle stays
  in the store as failed, for a replay.

Bundles follow the ``after_rules`` policy: a red verdict leaves the kept visit unchanged. Every
body is stored in the message store (route ``fhir``) before it is answered.
"""

from __future__ import annotations

import json
import logging
from decimal import Decimal
from typing import Any

from yibao_sdk.fhir import FhirError, visit_from_bundle
from yibao_sdk.gateway.pipeline import Gateway
from yibao_sdk.gateway.summary import failure, summarise
from yibao_sdk.hl7v2 import Hl7Error, Mapped
from yibao_sdk.models.visit import Visit
from yibao_sdk.rules.findings import Colour, Severity, Verdict
from yibao_sdk.store.messages import MessageState

__all__ = ["ROUTE", "RULE_SYSTEM", "colour_of", "handle_bundle", "mapped_from_visit",
           "process_bundle", "verdict_outcome"]

log = logging.getLogger("yibao_sdk.gateway")

ROUTE = "fhir"
"""The route Bundles are stored under."""

RULE_SYSTEM = "urn:yibao-sdk:rule"
"""``details.coding.system`` of a finding's issue: the code is the rule id."""
_SEVERITY = {Severity.BLOCK: "error", Severity.WARN: "warning", Severity.INFO: "information"}


def mapped_from_visit(visit: Visit, control_id: str) -> Mapped:
    """A Bundle's visit as the gateway's :class:`~yibao_sdk.hl7v2.Mapped`."""
    header = visit.model_copy(update={"orders": (), "charges": (), "records": ()})
    return Mapped(source="fhir", message_type="Bundle", control_id=control_id,
                  visit_id=visit.visit_id, patient=visit.patient, visit=header,
                  orders=visit.orders, charges=visit.charges, records=visit.records)


def _parse(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError) as exc:
        raise FhirError.at("Bundle", f"not valid JSON: {exc}", code="structure") from exc
    if not isinstance(data, dict):
        raise FhirError.at("Bundle", "expected a Bundle (a JSON object)", code="structure")
    return data


def handle_bundle(gateway: Gateway, body: bytes, *, peer: str) -> tuple[int, dict[str, Any]]:
    """Store, map and check one Bundle; return the HTTP status and the OperationOutcome."""
    ident = gateway.messages.receive(body, peer=peer, route=ROUTE, message_type="Bundle")
    return process_bundle(gateway, ident, body)


def process_bundle(gateway: Gateway, ident: int, body: bytes) -> tuple[int, dict[str, Any]]:
    """Map and check the stored Bundle ``ident`` and record the outcome (also on recovery)."""
    try:
        data = _parse(body)
        visit = visit_from_bundle(data)
        mapped = mapped_from_visit(visit, str(data.get("id", "")))
        verdicts, applied = gateway.apply(mapped, hold_red=True)
    except (FhirError, Hl7Error) as exc:
        gateway.messages.finish(ident, MessageState.FAILED, summary=failure(exc, "400"))
        outcome = exc.outcome if isinstance(exc, FhirError) else FhirError.at(
            "Bundle", exc.reason, code="not-found").outcome
        return 400, outcome
    except Exception as exc:  # the rules failed: say so, keep the Bundle for a replay
        log.error("message %d: Bundle failed (%s)", ident, type(exc).__name__)
        gateway.messages.finish(ident, MessageState.FAILED, summary=failure(exc, "500"))
        text = f"rule check failed ({type(exc).__name__}); the Bundle is kept for a replay"
        return 500, {"resourceType": "OperationOutcome",
                     "issue": [{"severity": "fatal", "code": "exception", "diagnostics": text}]}
    summary = summarise(mapped.visit_id, "200", verdicts, rule_pack=gateway.engine.rule_pack,
                        applied=applied)
    gateway.messages.finish(ident, MessageState.PROCESSED, ack_code="200", summary=summary)
    return 200, verdict_outcome(verdicts, applied=applied)


def verdict_outcome(verdicts: list[Verdict], *, applied: bool) -> dict[str, Any]:
    """The OperationOutcome summarising ``verdicts`` (shape in the module docstring)."""
    colours = {v.colour for v in verdicts}
    colour = next((c for c in (Colour.RED, Colour.YELLOW) if c in colours), Colour.GREEN)
    findings = [(v, f) for v in verdicts for f in v.findings]
    head = (f"verdict {colour.value}: {len(findings)} finding(s) over {len(verdicts)} item(s); "
            f"visit {'updated' if applied else 'not updated'}")
    issues: list[dict[str, Any]] = [{"severity": "information", "code": "informational",
                                     "diagnostics": head}]
    for verdict, finding in findings:
        subject = f"{verdict.subject.kind} {verdict.subject.id}"
        issues.append({
            "severity": _SEVERITY[finding.severity], "code": "business-rule",
            "details": {"coding": [{"system": RULE_SYSTEM, "code": finding.rule_id}],
                        "text": finding.message},
            "diagnostics": f"{subject}: {finding.message}"})
    return {"resourceType": "OperationOutcome", "issue": issues}


def colour_of(outcome: dict[str, Any]) -> str:
    """The verdict colour written in the first issue of :func:`verdict_outcome`'s result."""
    text = str(outcome.get("issue", [{}])[0].get("diagnostics", ""))
    return text.split(":", 1)[0].removeprefix("verdict ") if text.startswith("verdict ") else ""
