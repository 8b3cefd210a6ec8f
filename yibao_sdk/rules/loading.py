"""Plugin loading: built-ins, the ``yibao`` entry-point group and a local plugin directory."""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType

import pluggy

from yibao_sdk.errors import ConfigError, PluginError
from yibao_sdk.rules import hookspecs
from yibao_sdk.rules.spec import RuleRegistrar, RuleSpec

__all__ = [
    "ENTRY_POINT_GROUP",
    "builtin_plugins",
    "collect_rules",
    "load_plugin_file",
    "make_plugin_manager",
    "plugin_label",
]

ENTRY_POINT_GROUP = "yibao"
"""Entry-point group a hospital's plugin package declares its plugin module under."""


def builtin_plugins() -> tuple[str, ...]:
    """Module names of the built-in rule plugins (``yibao_sdk.plugins.DEFAULT_PLUGINS``)."""
    module = importlib.import_module("yibao_sdk.plugins")
    names: tuple[str, ...] = module.DEFAULT_PLUGINS
    return names


def make_plugin_manager(
    plugins: Iterable[object | str],
    *,
    entry_points: bool = False,
    plugin_dir: Path | None = None,
    blocked: Iterable[str] = (),
) -> pluggy.PluginManager:
    """A fresh plugin manager with ``plugins`` (objects or module names) and the extras.

    Registration order matters: pluggy calls later registrations first, and built-ins mark
    their implementations ``trylast``, so hospital plugins always run before built-ins.
    """
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    for name in blocked:
        pm.set_blocked(name)
    for plugin in plugins:
        _register(pm, plugin)
    if entry_points:
        try:
            pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
        except Exception as exc:
            raise PluginError(f"loading entry-point group {ENTRY_POINT_GROUP!r}: {exc}") from exc
    if plugin_dir is not None:
        for module in _load_dir(plugin_dir):
            _register(pm, module)
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise PluginError(f"plugin {exc.plugin!r} implements an unknown hook: {exc}") from exc
    return pm


def _register(pm: pluggy.PluginManager, plugin: object | str) -> None:
    name: str | None = None
    if isinstance(plugin, str):
        name = plugin
        if pm.is_blocked(name):
            return
        try:
            plugin = importlib.import_module(plugin)
        except ImportError as exc:
            raise PluginError(f"cannot import plugin module {name!r}: {exc}") from exc
    elif isinstance(plugin, ModuleType):
        name = plugin.__name__
        if pm.is_blocked(name):
            return
    try:
        pm.register(plugin, name=name)
    except (ValueError, pluggy.PluginValidationError) as exc:
        raise PluginError(f"cannot register plugin {name or plugin!r}: {exc}") from exc


def _load_dir(directory: Path) -> list[ModuleType]:
    if not directory.is_dir():
        raise ConfigError(f"engine.plugin_dir {directory} does not exist")
    paths = sorted(directory.glob("*.py"))
    return [load_plugin_file(path) for path in paths if not path.name.startswith("_")]


def load_plugin_file(path: Path) -> ModuleType:
    """Import a local plugin file as module ``yibao_local_plugins.<stem>``."""
    name = f"yibao_local_plugins.{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    if not path.is_file() or spec is None or spec.loader is None:
        raise PluginError(f"cannot load local plugin {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        raise PluginError(f"local plugin {path} failed to import: {exc}") from exc
    return module


def collect_rules(pm: pluggy.PluginManager) -> dict[str, tuple[RuleSpec, str]]:
    """Call every ``yibao_register_rules`` and return ``{rule_id: (spec, plugin name)}``."""
    found: dict[str, tuple[RuleSpec, str]] = {}

    def sink(spec: RuleSpec, plugin: str) -> None:
        if spec.rule_id in found:
            other = found[spec.rule_id][1]
            raise PluginError(f"rule {spec.rule_id} registered by both {other} and {plugin}")
        found[spec.rule_id] = (spec, plugin)

    for impl in pm.hook.yibao_register_rules.get_hookimpls():
        label = plugin_label(impl.plugin)
        try:
            impl.function(register=RuleRegistrar(sink, label))
        except PluginError:
            raise
        except Exception as exc:
            raise PluginError(f"plugin {label}: yibao_register_rules raised {exc!r}") from exc
    return found


def plugin_label(plugin: object) -> str:
    """A stable name for a plugin: its module name, or ``module.Class`` for an object."""
    if isinstance(plugin, ModuleType):
        return plugin.__name__
    kind = type(plugin)
    return f"{kind.__module__}.{kind.__qualname__}"
