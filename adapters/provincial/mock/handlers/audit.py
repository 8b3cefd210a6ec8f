"""3101 明细审核事前分析 / 3102 事中分析, answered by the SDK's own rule engine.

The request becomes a core visit (:func:`~...mapping.visit_from_rule_check`: first patient,
first encounter; priced rows are charges, the others orders). An :class:`~yibao_sdk.rules.Engine`
with the built-in rules (``entry_points=False``) and the mock's catalogue, for the encounter's
hospital (``medins_id``, level ``medins_lv`` or the configured one), replays the visit
(事前 checks of orders, 事中 checks of charges and records; no 事后 audit) and the findings are
answered with :func:`~...mapping.output_from_findings` (``sev_deg`` per the profile). 3101
takes ``trig_scen`` 1–5 and 3102 6–10. Engines are cached per hospital and used under a lock.
"""

from __future__ import annotations

from typing import Any

from yibao_sdk.errors import InputError
from yibao_sdk.models.patient import Hospital, HospitalLevel
from yibao_sdk.rules.engine import Engine

from ...mapping import output_from_findings, visit_from_rule_check
from ...wire.audit import EncounterDto, InputRuleCheck
from ...wire.base import NullPolicy, to_wire
from ...wire.codes import TrigScen
from ..protocol import Refusal
from .base import Call, MockEnv, Output

__all__ = ["rule_check"]

_LEVELS = {level.value for level in HospitalLevel}


def rule_check(call: Call) -> Output:
    """3101/3102."""
    parsed = call.parse(InputRuleCheck)
    request = parsed.data
    scene = TrigScen(request.trig_scen)
    if scene.pre_event != (call.infno == "3101"):
        raise Refusal(f"trig_scen {scene.value} belongs to "
                      f"{'3101 (事前)' if scene.pre_event else '3102 (事中)'}, not {call.infno}")
    try:
        visit = visit_from_rule_check(parsed)
    except InputError as exc:
        raise Refusal(f"the request does not describe a valid visit: {exc}") from exc
    patient = request.patient_dtos[0]
    encounter = patient.fsi_encounter_dtos[0]
    engine = _engine(call.env, encounter, call.level)
    with call.env.engine_lock:
        report = engine.check_visit(visit)
    findings = [finding for verdict in report.verdicts for finding in verdict.findings]
    output = output_from_findings(findings, patn_id=patient.patn_id,
                                  mdtrt_id=patient.curr_mdtrt_id, task_id=request.task_id,
                                  severities=call.env.profile.sev_deg)
    wire: dict[str, Any] = to_wire(output, policy=NullPolicy.NULL)
    return wire


def _engine(env: MockEnv, encounter: EncounterDto, default_level: str) -> Engine:
    level = encounter.medins_lv if encounter.medins_lv in _LEVELS else default_level
    key = (encounter.medins_id, level)
    with env.engine_lock:
        engine = env.engines.get(key)
        if engine is None:
            hospital = Hospital(code=encounter.medins_id,
                                name=encounter.medins_name or encounter.medins_id,
                                level=HospitalLevel(level),
                                region=encounter.medins_admdvs or "")
            engine = Engine(hospital=hospital, catalog=env.catalogue, entry_points=False,
                            clock=env.clock)
            env.engines[key] = engine
    return engine
