"""Rule metadata: what a plugin registers through ``yibao_register_rules``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any, Literal, get_args, get_origin

from pydantic import PydanticUserError, TypeAdapter, ValidationError

from yibao_sdk.errors import PluginError
from yibao_sdk.rules.findings import OverridePolicy, Severity, Stage

__all__ = ["Param", "RegisteredRule", "RuleRegistrar", "RuleSpec"]


@dataclass(frozen=True, slots=True)
class Param:
    """A rule parameter a hospital may change in its TOML configuration.

    :param name: key in the ``[rules.<id>]`` table.
    :param type: a Python type or annotation (``int``, ``Decimal``, ``tuple[str, ...]``, …);
        configured values are validated against it.
    :param default: value used when the hospital sets none; must validate as ``type``.
    :param description: one line shown by ``yibao rules list``.
    """

    name: str
    type: Any
    default: Any
    description: str = ""

    def validate(self, value: Any) -> Any:
        """Return ``value`` converted to :attr:`type`; raises pydantic's ``ValidationError``."""
        return TypeAdapter(self.type).validate_python(value)

    @property
    def type_name(self) -> str:
        """Readable name of :attr:`type`, e.g. ``tuple[str, ...]`` or ``'category' | 'exact'``."""
        return _type_name(self.type)


def _type_name(tp: Any) -> str:
    origin, args = get_origin(tp), get_args(tp)
    if origin is Annotated:
        return _type_name(args[0])
    if origin is Literal:
        return " | ".join(repr(a) for a in args)
    if origin is not None:
        inner = ", ".join("..." if a is Ellipsis else _type_name(a) for a in args)
        return f"{getattr(origin, '__name__', str(origin))}[{inner}]"
    return getattr(tp, "__name__", None) or str(tp)


@dataclass(frozen=True, slots=True)
class RuleSpec:
    """Metadata of one rule.

    :param rule_id: stable id (national ``GZ…`` code where one exists, else ``YB-…``).
    :param name: Chinese name (规则名称).
    :param category: tier-2 category, e.g. ``医疗服务项目政策限定``.
    :param stages: stages the rule runs in.
    :param default_severity: severity of its findings unless the hospital config changes it.
    :param parameters: configurable parameters with defaults.
    :param effective_from: first **service date** the rule applies to (None: always).
    :param effective_to: last service date it applies to (None: open-ended).
    :param override: default override policy of its findings.
    :param description: what it checks, for ``yibao rules list`` and the docs.
    :param validate: optional check of the resolved parameters taken together (e.g. a warning
        threshold below the blocking one); raise ``ValueError`` to refuse the configuration,
        which the engine reports as a :class:`~yibao_sdk.errors.ConfigError` when it is built.
    """

    rule_id: str
    name: str
    category: str
    stages: frozenset[Stage]
    default_severity: Severity
    parameters: tuple[Param, ...] = ()
    effective_from: date | None = None
    effective_to: date | None = None
    override: OverridePolicy = field(default_factory=OverridePolicy)
    description: str = ""
    validate: Callable[[Mapping[str, Any]], None] | None = None

    def __post_init__(self) -> None:
        if not self.rule_id or not self.name:
            raise PluginError("a rule needs a rule_id and a name")
        for param in self.parameters:
            try:
                param.validate(param.default)
            except ValidationError as exc:
                raise PluginError(
                    f"rule {self.rule_id}: default of parameter {param.name!r} is not a "
                    f"{param.type_name}: {exc.errors()[0]['msg']}"
                ) from exc
            except PydanticUserError as exc:
                raise PluginError(
                    f"rule {self.rule_id}: parameter {param.name!r} has a type pydantic cannot "
                    f"validate ({param.type_name}): {exc}"
                ) from exc
        if self.validate is not None:
            try:
                self.validate(self.default_params())
            except ValueError as exc:
                raise PluginError(f"rule {self.rule_id}: defaults refused: {exc}") from exc

    def effective_on(self, day: date) -> bool:
        """True if the rule applies to services on ``day``."""
        return (self.effective_from is None or day >= self.effective_from) and (
            self.effective_to is None or day <= self.effective_to
        )

    def default_params(self) -> dict[str, Any]:
        """Parameter defaults by name."""
        return {p.name: p.default for p in self.parameters}


@dataclass(frozen=True, slots=True)
class RegisteredRule:
    """A rule as loaded: its spec, the plugin that registered it and the resolved config."""

    spec: RuleSpec
    plugin: str
    enabled: bool
    severity: Severity | None
    params: Mapping[str, Any]


class RuleRegistrar:
    """The ``register`` callable handed to ``yibao_register_rules``."""

    def __init__(self, sink: Callable[[RuleSpec, str], None], plugin: str) -> None:
        self._sink = sink
        self._plugin = plugin

    def __call__(self, spec: RuleSpec) -> None:
        """Register ``spec`` on behalf of the calling plugin."""
        if not isinstance(spec, RuleSpec):
            raise PluginError(f"plugin {self._plugin} registered {spec!r}, not a RuleSpec")
        self._sink(spec, self._plugin)
