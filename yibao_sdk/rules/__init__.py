"""The rule engine: hooks, findings, verdicts, context, configuration and loading."""

from yibao_sdk.rules.config import EngineConfig, RuleConfig, load_config
from yibao_sdk.rules.context import Context
from yibao_sdk.rules.engine import AuditSink, Engine
from yibao_sdk.rules.findings import (
    Colour,
    Finding,
    Override,
    OverridePolicy,
    Severity,
    Stage,
    Subject,
    SubjectKind,
    Verdict,
)
from yibao_sdk.rules.hookspecs import hookimpl
from yibao_sdk.rules.loading import ENTRY_POINT_GROUP
from yibao_sdk.rules.replay import VisitReport, replay_visit
from yibao_sdk.rules.spec import Param, RegisteredRule, RuleRegistrar, RuleSpec
from yibao_sdk.rules.stores import (
    Catalog,
    CatalogLookup,
    HistoryStore,
    InMemoryHistory,
    PractitionerRegistry,
    Practitioners,
    UdiUse,
    udi_key,
)
from yibao_sdk.rules.subjects import subject_of
from yibao_sdk.rules.tiers import GREYLIST_RULE_ID, TierThresholds, tier_for_points

__all__ = [
    "ENTRY_POINT_GROUP",
    "GREYLIST_RULE_ID",
    "AuditSink",
    "Catalog",
    "CatalogLookup",
    "Colour",
    "Context",
    "Engine",
    "EngineConfig",
    "Finding",
    "HistoryStore",
    "InMemoryHistory",
    "Override",
    "OverridePolicy",
    "Param",
    "PractitionerRegistry",
    "Practitioners",
    "RegisteredRule",
    "RuleConfig",
    "RuleRegistrar",
    "RuleSpec",
    "Severity",
    "Stage",
    "Subject",
    "SubjectKind",
    "TierThresholds",
    "UdiUse",
    "Verdict",
    "VisitReport",
    "hookimpl",
    "load_config",
    "replay_visit",
    "subject_of",
    "tier_for_points",
    "udi_key",
]
