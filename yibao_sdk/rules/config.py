"""Hospital configuration in TOML: the hospital, plugin loading and per-rule settings.

Example::

    [hospital]
    code = "H44010600001"
    name = "示例市人民医院"
    level = "3"

    [engine]
    plugin_dir = "local_rules"            # optional, relative to this file
    entry_points = true                   # load installed packages' ``yibao`` entry points
    disable_plugins = []                  # plugin names to block

    [rules."YB-MRI-24H"]
    enabled = true                        # reserved key
    severity = "warn"                     # reserved: replaces the rule's default severity
                                          # (findings a rule raises at another level keep it)
    window_hours = 24                     # any other key is a rule parameter
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, ValidationError

from yibao_sdk.errors import ConfigError
from yibao_sdk.models.base import errors_of
from yibao_sdk.models.patient import Hospital
from yibao_sdk.rules.findings import Severity
from yibao_sdk.rules.spec import RegisteredRule, RuleSpec

__all__ = ["EngineConfig", "RuleConfig", "load_config", "resolve_rules"]

RESERVED = frozenset({"enabled", "severity"})


class RuleConfig(BaseModel):
    """One ``[rules.<id>]`` table: reserved keys plus parameters."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    enabled: StrictBool = True
    severity: Severity | None = None
    params: dict[str, Any] = Field(default_factory=dict)


class EngineConfig(BaseModel):
    """The whole hospital configuration."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    hospital: Hospital | None = None
    plugin_dir: Path | None = None
    entry_points: StrictBool = True
    disable_plugins: tuple[str, ...] = ()
    rules: dict[str, RuleConfig] = Field(default_factory=dict)
    source: str = "<defaults>"


def load_config(path: Path | str) -> EngineConfig:
    """Read and validate a TOML configuration file, raising :class:`ConfigError`."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    return config_from_dict(raw, source=str(path), base=path.parent)


def config_from_dict(raw: Mapping[str, Any], *, source: str, base: Path) -> EngineConfig:
    """Validate an already-parsed configuration mapping."""
    unknown = set(raw) - {"hospital", "engine", "rules"}
    if unknown:
        raise ConfigError(f"{source}: unknown section(s) {sorted(unknown)}")
    engine = dict(raw.get("engine", {}))
    plugin_dir = engine.get("plugin_dir")
    if plugin_dir is not None and not isinstance(plugin_dir, str):
        raise ConfigError(f"{source}: engine.plugin_dir must be a string path")
    if plugin_dir:
        engine["plugin_dir"] = base / plugin_dir
    rules = {rid: _split(table, source, rid) for rid, table in raw.get("rules", {}).items()}
    data = {**engine, "hospital": raw.get("hospital"), "rules": rules, "source": source}
    try:
        return EngineConfig.model_validate(data)
    except ValidationError as exc:
        detail = "; ".join(f"{p}: {m}" for p, m in errors_of(exc))
        raise ConfigError(f"{source}: {detail}") from exc


def _split(table: Any, source: str, rule_id: str) -> dict[str, Any]:
    if not isinstance(table, Mapping):
        raise ConfigError(f"{source}: rules.{rule_id} must be a table")
    reserved = {k: v for k, v in table.items() if k in RESERVED}
    return {**reserved, "params": {k: v for k, v in table.items() if k not in RESERVED}}


def resolve_rules(
    specs: Mapping[str, tuple[RuleSpec, str]], config: EngineConfig
) -> dict[str, RegisteredRule]:
    """Overlay the configuration on the registered specs; unknown ids or parameters fail."""
    unknown = sorted(set(config.rules) - set(specs))
    if unknown:
        raise ConfigError(
            f"{config.source}: rules.{unknown[0]}: no loaded rule has this id "
            f"(loaded: {', '.join(sorted(specs))})"
        )
    return {rid: _resolve(spec, plugin, config) for rid, (spec, plugin) in specs.items()}


def _resolve(spec: RuleSpec, plugin: str, config: EngineConfig) -> RegisteredRule:
    rule_cfg = config.rules.get(spec.rule_id, RuleConfig())
    params = spec.default_params()
    by_name = {p.name: p for p in spec.parameters}
    for name, value in rule_cfg.params.items():
        where = f"{config.source}: rules.{spec.rule_id}.{name}"
        if name not in by_name:
            known = ", ".join(sorted(by_name)) or "none"
            raise ConfigError(f"{where}: unknown parameter (parameters: {known})")
        try:
            params[name] = by_name[name].validate(value)
        except ValidationError as exc:
            msg = exc.errors()[0]["msg"]
            raise ConfigError(f"{where}: expected {by_name[name].type_name}: {msg}") from exc
    if spec.validate is not None and rule_cfg.enabled:
        try:
            spec.validate(params)
        except ValueError as exc:
            raise ConfigError(f"{config.source}: rules.{spec.rule_id}: {exc}") from exc
    frozen = MappingProxyType(params)  # rules read parameters; none may change another's
    return RegisteredRule(spec, plugin, rule_cfg.enabled, rule_cfg.severity, frozen)
