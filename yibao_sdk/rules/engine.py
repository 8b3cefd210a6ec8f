"""The rule engine: loads plugins, runs the check hooks and turns findings into verdicts."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from yibao_sdk._version import __version__
from yibao_sdk.errors import ConfigError, PluginError
from yibao_sdk.models.charge import Charge
from yibao_sdk.models.order import Order
from yibao_sdk.models.patient import Hospital
from yibao_sdk.models.practitioner import GreyListTier
from yibao_sdk.models.record import Record
from yibao_sdk.models.settlement import Settlement
from yibao_sdk.models.visit import Visit
from yibao_sdk.rules.config import EngineConfig, load_config, resolve_rules
from yibao_sdk.rules.context import Context
from yibao_sdk.rules.findings import Finding, Override, Severity, Stage, Verdict
from yibao_sdk.rules.loading import builtin_plugins, collect_rules, make_plugin_manager
from yibao_sdk.rules.overrides import validate_override
from yibao_sdk.rules.replay import VisitReport, replay_visit
from yibao_sdk.rules.spec import RegisteredRule
from yibao_sdk.rules.stores import (
    Catalog,
    CatalogLookup,
    HistoryStore,
    InMemoryHistory,
    PractitionerRegistry,
    Practitioners,
)
from yibao_sdk.rules.subjects import Checkable, practitioner_of, subject_of
from yibao_sdk.rules.tiers import GREYLIST_RULE_ID

__all__ = ["AuditSink", "Engine"]


class AuditSink(Protocol):
    """Where verdicts and overrides are appended (see :class:`yibao_sdk.store.AuditLog`)."""

    def append(self, kind: str, payload: Mapping[str, Any]) -> object:
        """Append one entry (the return value, if any, is ignored)."""
        ...


class Engine:
    """Runs rules. One plugin manager per engine; nothing global.

    :param hospital: the hospital (level selects price caps); defaults to the config's.
    :param config: hospital configuration (see :mod:`yibao_sdk.rules.config`).
    :param catalog: catalogue lookup; empty by default.
    :param practitioners: practitioner registry; empty by default.
    :param history: patient history store; empty in-memory by default.
    :param plugins: plugin objects or module names; ``None`` = the built-ins.
    :param entry_points: also load plugins of the ``yibao`` entry-point group; ``None`` = the
        config's ``[engine] entry_points`` (true by default).
    :param clock: returns "now" (for tests); defaults to :meth:`datetime.now`.
    :param audit_log: where every verdict and override is appended, if given.
    """

    def __init__(
        self,
        *,
        hospital: Hospital | None = None,
        config: EngineConfig | None = None,
        catalog: CatalogLookup | None = None,
        practitioners: PractitionerRegistry | None = None,
        history: HistoryStore | None = None,
        plugins: Iterable[object | str] | None = None,
        entry_points: bool | None = None,
        clock: Callable[[], datetime] = datetime.now,
        audit_log: AuditSink | None = None,
    ) -> None:
        config = config or EngineConfig()
        chosen = hospital or config.hospital
        if chosen is None:
            raise ConfigError(f"{config.source}: no [hospital] given")
        self.hospital = chosen
        self.catalog = catalog if catalog is not None else Catalog()
        self.practitioners = practitioners if practitioners is not None else Practitioners()
        self.history = history if history is not None else InMemoryHistory()
        self._clock = clock
        self._audit = audit_log
        self._pm = make_plugin_manager(
            builtin_plugins() if plugins is None else plugins,
            entry_points=config.entry_points if entry_points is None else entry_points,
            plugin_dir=config.plugin_dir,
            blocked=config.disable_plugins,
        )
        self.rules: Mapping[str, RegisteredRule] = resolve_rules(collect_rules(self._pm), config)
        self.rule_pack = _pack_version(self.rules)

    @classmethod
    def from_config_file(cls, path: Path | str, **kwargs: Any) -> Engine:
        """An engine configured from a TOML file (see :mod:`yibao_sdk.rules.config`)."""
        return cls(config=load_config(path), **kwargs)

    @property
    def plugin_names(self) -> list[str]:
        """Names of the registered plugins, in call order."""
        return [name for name, _ in self._pm.list_name_plugin()]

    def check_order(self, order: Order, visit: Visit) -> Verdict:
        """事前: run ``yibao_check_order`` for ``order`` against the visit so far."""
        ctx = self._context(_without(visit, order), Stage.PRE)
        return self._verdict(order, ctx, _call(self._pm.hook.yibao_check_order, order=order,
                                               context=ctx))

    def check_charge(self, charge: Charge, visit: Visit) -> Verdict:
        """事中: run ``yibao_check_charge`` for ``charge``."""
        ctx = self._context(_without(visit, charge), Stage.MID)
        results = _call(self._pm.hook.yibao_check_charge, charge=charge, context=ctx)
        return self._verdict(charge, ctx, results)

    def check_record(self, record: Record, visit: Visit) -> Verdict:
        """事中: run ``yibao_check_record`` for ``record``."""
        ctx = self._context(_without(visit, record), Stage.MID)
        results = _call(self._pm.hook.yibao_check_record, record=record, context=ctx)
        return self._verdict(record, ctx, results)

    def check_settlement(self, settlement: Settlement, visit: Visit) -> Verdict:
        """事中: run ``yibao_check_settlement`` before a (pre-)settlement is sent."""
        ctx = self._context(visit, Stage.MID)
        results = _call(self._pm.hook.yibao_check_settlement, settlement=settlement, context=ctx)
        return self._verdict(settlement, ctx, results)

    def audit_visit(self, visit: Visit) -> Verdict:
        """事后: run ``yibao_audit_visit`` over a finished visit."""
        ctx = self._context(visit, Stage.POST)
        return self._verdict(visit, ctx, _call(self._pm.hook.yibao_audit_visit, visit=visit,
                                               context=ctx))

    def check_visit(self, visit: Visit) -> VisitReport:
        """Replay a whole visit in time order (see :func:`~yibao_sdk.rules.replay.replay_visit`)."""
        return replay_visit(self, visit)

    def override(self, verdict: Verdict, override: Override) -> Verdict:
        """Attach a validated override; raises :class:`OverrideError` if it is not enough."""
        validate_override(verdict, override, self.practitioners)
        updated = verdict.model_copy(update={"overrides": (*verdict.overrides, override)})
        if self._audit is not None:
            self._audit.append("override", override.model_dump(mode="json"))
        return updated

    def _context(self, visit: Visit, stage: Stage) -> Context:
        return Context(
            visit=visit,
            hospital=self.hospital,
            catalog=self.catalog,
            practitioners=self.practitioners,
            history=self.history,
            stage=stage,
            rules=self.rules,
            clock=self._clock,
        )

    def _verdict(self, item: Checkable, ctx: Context, results: Iterable[Any]) -> Verdict:
        findings = tuple(self._keep(f, ctx) for f in _flatten(results))
        findings = _escalate_watch(tuple(f for f in findings if f is not None), item, ctx)
        verdict = Verdict(
            subject=subject_of(item),
            stage=ctx.stage,
            findings=findings,
            rule_pack=self.rule_pack,
            checked_at=ctx.now(),
        )
        if self._audit is not None:
            self._audit.append("verdict", verdict.model_dump(mode="json"))
        return verdict

    def _keep(self, finding: Finding, ctx: Context) -> Finding | None:
        rule = self.rules.get(finding.rule_id)
        if rule is None:
            raise PluginError(f"finding for unregistered rule {finding.rule_id!r}")
        if ctx.stage not in rule.spec.stages:
            raise PluginError(
                f"rule {finding.rule_id} reported at stage {ctx.stage} but registered "
                f"stages {sorted(rule.spec.stages)}"
            )
        when = finding.subject.at
        if not rule.enabled or (when is not None and not rule.spec.effective_on(when.date())):
            return None
        if rule.severity is not None and finding.severity is rule.spec.default_severity:
            return finding.model_copy(update={"severity": rule.severity})
        return finding


def _call(hook: Any, **kwargs: Any) -> list[Any]:
    """Call a check hook; a plugin that raises (rather than yields) is a :class:`PluginError`."""
    try:
        results: list[Any] = hook(**kwargs)
    except PluginError:
        raise
    except Exception as exc:
        tb = exc.__traceback__
        while tb is not None and tb.tb_next is not None:
            tb = tb.tb_next
        where = tb.tb_frame.f_code.co_filename if tb is not None else hook.name
        raise PluginError(f"rule plugin {where} raised {exc!r} in {hook.name}") from exc
    return results


def _flatten(results: Iterable[Any]) -> Iterable[Finding]:
    for result in results:
        if result is None:
            continue
        try:
            for finding in result:
                if not isinstance(finding, Finding):
                    raise PluginError(f"a check hook returned {finding!r}, not a Finding")
                yield finding
        except PluginError:
            raise
        except Exception as exc:
            code = getattr(result, "gi_code", None)
            where = code.co_filename if code is not None else repr(result)
            raise PluginError(f"rule plugin {where} raised {exc!r}") from exc


def _escalate_watch(
    findings: tuple[Finding, ...], item: Checkable, ctx: Context
) -> tuple[Finding, ...]:
    """Practitioners on the watch list (or worse) must give a reason for every yellow."""
    warns = [f for f in findings if f.severity is Severity.WARN and not f.policy.reason_required]
    who = practitioner_of(item)
    if not warns or not who or not ctx.active(GREYLIST_RULE_ID):
        return findings
    when = subject_of(item).at or ctx.now()
    if ctx.tier(who, when.date()) is GreyListTier.NORMAL:
        return findings
    return tuple(_needs_reason(f) if f in warns else f for f in findings)


def _needs_reason(finding: Finding) -> Finding:
    policy = finding.policy.model_copy(update={"reason_required": True})
    return finding.model_copy(update={"policy": policy})


def _without(visit: Visit, item: Order | Charge | Record) -> Visit:
    """The visit without ``item`` (rules compare a subject with the rest of the visit)."""
    if isinstance(item, Charge):
        kept_c = tuple(c for c in visit.charges if c.charge_id != item.charge_id)
        return visit if len(kept_c) == len(visit.charges) else _copy(visit, charges=kept_c)
    if item.kind in ("surgery", "form", "lab_report", "imaging_report"):
        rid = getattr(item, "record_id", "")
        kept_r = tuple(r for r in visit.records if r.record_id != rid)
        return visit if len(kept_r) == len(visit.records) else _copy(visit, records=kept_r)
    oid = getattr(item, "order_id", "")
    kept_o = tuple(o for o in visit.orders if o.order_id != oid)
    return visit if len(kept_o) == len(visit.orders) else _copy(visit, orders=kept_o)


def _copy(visit: Visit, **update: Any) -> Visit:
    return visit.model_copy(update=update)


def _pack_version(rules: Mapping[str, RegisteredRule]) -> str:
    """``<sdk version>+<digest>``: changes whenever a rule, its plugin or its settings change."""
    parts = []
    for rule_id in sorted(rules):
        r = rules[rule_id]
        spec = r.spec
        span = f"{spec.effective_from}..{spec.effective_to}"
        params = sorted((k, repr(v)) for k, v in r.params.items())
        parts.append(f"{rule_id}|{r.plugin}|{r.enabled}|{r.severity}|{span}|{params}")
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()[:12]
    return f"{__version__}+{digest}"
