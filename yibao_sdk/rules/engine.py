"""The rule engine: loads plugins, runs the check hooks and turns findings into verdicts."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any, Protocol

from yibao_sdk.errors import ConfigError, PluginError
from yibao_sdk.models.charge import Charge
from yibao_sdk.models.order import Order
from yibao_sdk.models.patient import Hospital
from yibao_sdk.models.practitioner import GreyListTier
from yibao_sdk.models.record import Record
from yibao_sdk.models.settlement import Settlement
from yibao_sdk.models.visit import Visit
from yibao_sdk.privacy import redact_data
from yibao_sdk.rules.config import EngineConfig, load_config, resolve_rules
from yibao_sdk.rules.context import Context
from yibao_sdk.rules.dispatch import call_hook, flatten_findings
from yibao_sdk.rules.findings import Finding, Override, Stage, Verdict
from yibao_sdk.rules.loading import builtin_plugins, collect_rules, make_plugin_manager
from yibao_sdk.rules.overrides import IssuedFindings, validate_override
from yibao_sdk.rules.pack import pack_version
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
from yibao_sdk.rules.subjects import Checkable, subject_of
from yibao_sdk.rules.tiers import effective_tier
from yibao_sdk.rules.watch import escalate_watch

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
        resolved = resolve_rules(collect_rules(self._pm), config)
        self.rules: Mapping[str, RegisteredRule] = MappingProxyType(resolved)
        self.rule_pack = pack_version(self.rules)
        self._issued = IssuedFindings()

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
        return self._verdict(order, ctx, call_hook(self._pm.hook.yibao_check_order, order=order,
                                               context=ctx))

    def check_charge(self, charge: Charge, visit: Visit) -> Verdict:
        """事中: run ``yibao_check_charge`` for ``charge``."""
        ctx = self._context(_without(visit, charge), Stage.MID)
        results = call_hook(self._pm.hook.yibao_check_charge, charge=charge, context=ctx)
        return self._verdict(charge, ctx, results)

    def check_record(self, record: Record, visit: Visit) -> Verdict:
        """事中: run ``yibao_check_record`` for ``record``."""
        ctx = self._context(_without(visit, record), Stage.MID)
        results = call_hook(self._pm.hook.yibao_check_record, record=record, context=ctx)
        return self._verdict(record, ctx, results)

    def check_settlement(self, settlement: Settlement, visit: Visit) -> Verdict:
        """事中: run ``yibao_check_settlement`` before a (pre-)settlement is sent."""
        ctx = self._context(visit, Stage.MID)
        hook = self._pm.hook.yibao_check_settlement
        results = call_hook(hook, settlement=settlement, context=ctx)
        return self._verdict(settlement, ctx, results)

    def audit_visit(self, visit: Visit) -> Verdict:
        """事后: run ``yibao_audit_visit`` over a finished visit."""
        ctx = self._context(visit, Stage.POST)
        return self._verdict(visit, ctx, call_hook(self._pm.hook.yibao_audit_visit, visit=visit,
                                               context=ctx))

    def resolve_item_code(self, hospital_item_code: str, kind: str, source: str) -> str | None:
        """The national code for a hospital item code, from ``yibao_resolve_item_code``."""
        hook = self._pm.hook.yibao_resolve_item_code
        found = call_hook(hook, hospital_item_code=hospital_item_code, kind=kind, source=source)
        return found if isinstance(found, str) and found else None

    def check_visit(self, visit: Visit) -> VisitReport:
        """Replay a whole visit in time order (see :func:`~yibao_sdk.rules.replay.replay_visit`)."""
        return replay_visit(self, visit)

    def override(self, verdict: Verdict, override: Override) -> Verdict:
        """Attach a validated override; raises :class:`OverrideError` if it is not enough."""
        finding = validate_override(
            verdict, override, self.practitioners, issued=self._issued, tier=self._tier
        )
        updated = verdict.model_copy(update={"overrides": (*verdict.overrides, override)})
        if self._audit is not None:
            record = {
                "override": override.model_dump(mode="json"),
                "finding": finding.model_dump(mode="json"),
                "rule_pack": verdict.rule_pack,
            }
            patient = self._issued.patient(finding.finding_id)
            self._audit.append("override", redact_data(record, patient))
        return updated

    def _tier(self, practitioner_id: str, day: date) -> GreyListTier:
        return effective_tier(self.practitioners, self.rules, practitioner_id, day)

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
        kept = (self._keep(f, ctx) for f in flatten_findings(results))
        findings = escalate_watch(tuple(f for f in kept if f is not None), item, ctx)
        self._issued.add(findings, ctx.patient)
        verdict = Verdict(
            subject=subject_of(item),
            stage=ctx.stage,
            findings=findings,
            rule_pack=self.rule_pack,
            checked_at=ctx.now(),
        )
        if self._audit is not None:
            self._audit.append("verdict", redact_data(verdict.model_dump(mode="json"), ctx.patient))
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
