"""Calling check hooks: collecting findings and turning plugin crashes into PluginError."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from yibao_sdk.errors import PluginError
from yibao_sdk.rules.findings import Finding

__all__ = ["call_hook", "flatten_findings"]


def call_hook(hook: Any, **kwargs: Any) -> Any:
    """Call a hook; a plugin that raises (rather than yields) is a :class:`PluginError`."""
    try:
        results = hook(**kwargs)
    except PluginError:
        raise
    except Exception as exc:
        tb = exc.__traceback__
        while tb is not None and tb.tb_next is not None:
            tb = tb.tb_next
        where = tb.tb_frame.f_code.co_filename if tb is not None else hook.name
        raise PluginError(f"rule plugin {where} raised {exc!r} in {hook.name}") from exc
    return results


def flatten_findings(results: Iterable[Any]) -> Iterable[Finding]:
    """Every finding of every plugin's result; a crash while iterating names the plugin file."""
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


