"""The gateway (网关): HL7 v2 over MLLP and FHIR Bundles in, stored, merged, checked, answered.

::

    MLLP frame ─► parse ─► store (committed) ─► [AA: after_store] ─► route ─► merge ─► rules
                                                                              └─► [ACK: after_rules]
    POST /fhir/Bundle ─► store ─► map ─► merge ─► rules ─► OperationOutcome

The pieces: :class:`Gateway` (the pipeline), :class:`AckPolicy` (per-route ACK modes),
:class:`VisitStore` (the kept visits), :class:`GatewayService` (one worker thread behind the
network), :class:`GatewayServer` (MLLP listeners and the FHIR endpoint), :func:`replay`
(stored messages through a newer rule pack). ``yibao serve`` and ``yibao replay`` are
:func:`yibao_sdk.gateway.cli.serve_main` and :func:`~yibao_sdk.gateway.cli.replay_main`.
"""

from yibao_sdk.gateway.config import GatewayConfig, RouteSettings, load_gateway_config
from yibao_sdk.gateway.fhir import RULE_SYSTEM, handle_bundle, verdict_outcome
from yibao_sdk.gateway.http import FhirEndpoint
from yibao_sdk.gateway.pipeline import AfterVerdicts, Gateway, Receipt
from yibao_sdk.gateway.policy import AckMode, AckPlan, AckPolicy, RoutePolicy, plan_for_verdicts
from yibao_sdk.gateway.replay import ReplayReport, replay
from yibao_sdk.gateway.serve import GatewayServer, load_routers, open_gateway, run_until_signal
from yibao_sdk.gateway.service import GatewayService
from yibao_sdk.gateway.summary import Change
from yibao_sdk.gateway.visits import VisitStore, VisitStoreError

__all__ = [
    "RULE_SYSTEM",
    "AckMode",
    "AckPlan",
    "AckPolicy",
    "AfterVerdicts",
    "Change",
    "FhirEndpoint",
    "Gateway",
    "GatewayConfig",
    "GatewayServer",
    "GatewayService",
    "Receipt",
    "ReplayReport",
    "RoutePolicy",
    "RouteSettings",
    "VisitStore",
    "VisitStoreError",
    "handle_bundle",
    "load_gateway_config",
    "load_routers",
    "open_gateway",
    "plan_for_verdicts",
    "replay",
    "run_until_signal",
    "verdict_outcome",
]
