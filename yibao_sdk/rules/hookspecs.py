"""The plugin manual: every hook a yibao plugin may implement.

A plugin is any module or object with functions named after these hooks and decorated with
``@hookimpl`` (``from yibao_sdk.rules import hookimpl``). Hooks are called with keyword
arguments only; an implementation may accept any subset of a hook's parameters. Hooks only
ever gain parameters, so a plugin written today keeps working.

How results combine is told by the verb:

* ``register_*`` — the plugin calls a registrar; nothing is returned.
* ``check_*`` / ``audit_*`` — every plugin's findings are collected.
* ``resolve_*`` — ``firstresult``: the first plugin to return something other than None wins.
* ``before_*`` / ``after_*`` — notifications; return values are ignored.

Check hooks return an iterable of :class:`~yibao_sdk.rules.Finding` (an empty one when
nothing is wrong) built with :meth:`Context.finding`, and **never raise for a violation**:
an exception is a bug and the engine reports it as a :class:`~yibao_sdk.errors.PluginError`.
A finding of a rule that is disabled, or not effective on the subject's service date, is
dropped by the engine, so a rule need not check that itself (``context.active`` lets it skip
work early).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pluggy

from yibao_sdk.models.charge import Charge
from yibao_sdk.models.order import Order
from yibao_sdk.models.record import Record
from yibao_sdk.models.settlement import Settlement
from yibao_sdk.models.visit import Visit
from yibao_sdk.rules.context import Context
from yibao_sdk.rules.findings import Finding
from yibao_sdk.rules.spec import RuleRegistrar

PROJECT = "yibao"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)

__all__ = ["PROJECT", "hookimpl", "hookspec"]


@hookspec
def yibao_register_rules(register: RuleRegistrar) -> None:
    """Declare the rules this plugin implements.

    Called once, when the engine loads its plugins, before any check. Every rule id a plugin
    emits findings for must be registered here, with its parameters and their defaults; the
    hospital configuration can then enable, disable, re-parameterise or change the severity
    of each rule by id.

    :param register: call it with one :class:`~yibao_sdk.rules.RuleSpec` per rule.
    :return: nothing.

    Example::

        @hookimpl
        def yibao_register_rules(register):
            register(RuleSpec(rule_id="HOSP-001", name="夜间CT需急诊标记",
                              category="本院规则", stages=frozenset({Stage.PRE}),
                              default_severity=Severity.WARN,
                              parameters=(Param("night_start", int, 22, "夜间起始小时"),)))
    """


@hookspec
def yibao_check_order(order: Order, context: Context) -> Iterable[Finding] | None:
    """事前: check an order before it is signed (trig_scen 1–5).

    Called for each new or changed order, synchronously, while the doctor waits: keep it
    fast (dictionary lookups, no I/O beyond ``context``).

    :param order: the order under check (a ``DrugOrder``, ``LabOrder``, ``ImagingOrder``,
        ``ProcedureOrder`` or ``ConsumableOrder``; test ``order.kind``).
    :param context: the visit so far (without this order), history, catalogue, practitioners
        and this rule's parameters (``context.params(RULE_ID)``).
    :return: findings, possibly none.

    Example::

        @hookimpl
        def yibao_check_order(order, context):
            if order.kind == "imaging" and order.modality == "CT" and order.ordered_at.hour >= 22:
                yield context.finding("HOSP-001", subject_of(order), "夜间CT请确认急诊指征")
    """


@hookspec
def yibao_check_charge(charge: Charge, context: Context) -> Iterable[Finding] | None:
    """事中: check a charge line as it is entered or uploaded (trig_scen 2/4, 6–10).

    :param charge: the billed line under check.
    :param context: the visit so far (without this charge), history, catalogue, parameters.
    :return: findings, possibly none.

    Example::

        @hookimpl
        def yibao_check_charge(charge, context):
            if charge.quantity > 10:
                yield context.finding("HOSP-002", subject_of(charge), f"数量{charge.quantity}过大")
    """


@hookspec
def yibao_check_record(record: Record, context: Context) -> Iterable[Finding] | None:
    """事中: check a clinical record when it is submitted (e.g. a surgery record with implants).

    :param record: a ``SurgeryRecord``, ``FormRecord``, ``LabReport`` or ``ImagingReport``
        (test ``record.kind``).
    :param context: the visit so far (without this record), history, catalogue, parameters.
    :return: findings, possibly none; a red one stops the record from being submitted.

    Example::

        @hookimpl
        def yibao_check_record(record, context):
            if record.kind == "surgery" and not record.operations:
                yield context.finding("HOSP-003", subject_of(record), "手术记录缺少手术操作")
    """


@hookspec
def yibao_check_settlement(settlement: Settlement, context: Context) -> Iterable[Finding] | None:
    """事中: check a (pre-)settlement before it is sent (trig_scen 6–9).

    :param settlement: the settlement request.
    :param context: the whole visit with its charges, history, catalogue, parameters.
    :return: findings, possibly none.

    Example::

        @hookimpl
        def yibao_check_settlement(settlement, context):
            if settlement.total <= 0:
                yield context.finding("HOSP-004", subject_of(settlement), "结算总额为零")
    """


@hookspec
def yibao_audit_visit(visit: Visit, context: Context) -> Iterable[Finding] | None:
    """事后: audit a finished visit in a batch (no one is waiting; thoroughness over speed).

    :param visit: the complete visit (also available as ``context.visit``).
    :param context: history, catalogue, practitioners and parameters.
    :return: findings about any order, charge or record of the visit, or the visit itself.

    Example::

        @hookimpl
        def yibao_audit_visit(visit, context):
            for charge in visit.charges:
                if visit.discharged_at and charge.charged_at > visit.discharged_at:
                    yield context.finding("HOSP-005", subject_of(charge), "费用发生在出院后")
    """


@hookspec(firstresult=True)
def yibao_resolve_item_code(hospital_item_code: str, kind: str, source: str) -> str | None:
    """Map a hospital item code (院内项目编码) to the national 医保 code.

    Called by the adapters while mapping HL7 v2 or FHIR messages into core models, when a
    message carries only the hospital's own code. The first plugin that knows the code answers;
    hospital plugins run before the built-ins, so a hospital's own table wins.

    :param hospital_item_code: the code as the sending system wrote it.
    :param kind: what the item is: ``drug``, ``lab``, ``imaging``, ``procedure``,
        ``consumable`` or a charge category such as ``bed``.
    :param source: the sending system: ``his``, ``lis``, ``pacs`` or ``emr``.
    :return: the national code, or None to let the next plugin answer (None from every
        plugin leaves the national code empty, which rules then report).

    Example::

        TABLE = {"LIS-TEG01": "002502030660000"}

        @hookimpl
        def yibao_resolve_item_code(hospital_item_code, kind, source):
            return TABLE.get(hospital_item_code)
    """


@hookspec
def yibao_before_send(infno: str, message: Mapping[str, Any]) -> None:
    """Notification: a provincial transaction is about to be sent.

    Called by the provincial adapter after the message is journalled and before it leaves.
    Use it for logging or metrics; the message must not be changed.

    :param infno: the transaction code, e.g. ``"2207"``.
    :param message: the request envelope (personal data is present: mask before logging).
    :return: ignored.

    Example::

        @hookimpl
        def yibao_before_send(infno, message):
            metrics.counter("yibao_sent", infno=infno).inc()
    """


@hookspec
def yibao_after_reply(infno: str, message: Mapping[str, Any], reply: Mapping[str, Any]) -> None:
    """Notification: a provincial reply arrived and was journalled.

    :param infno: the transaction code.
    :param message: the request envelope that was sent.
    :param reply: the parsed reply envelope (``infcode``, ``output`` …).
    :return: ignored.

    Example::

        @hookimpl
        def yibao_after_reply(infno, message, reply):
            if str(reply.get("infcode")) != "0":
                alerts.notify(infno, reply.get("err_msg"))
    """
