"""The rule-pack version: what an appeal needs to replay a verdict with the same rules."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from functools import cache
from importlib import metadata

from yibao_sdk._version import __version__
from yibao_sdk.rules.spec import RegisteredRule

__all__ = ["pack_version", "plugin_version"]


@cache
def _distributions() -> Mapping[str, list[str]]:
    return metadata.packages_distributions()


def plugin_version(label: str) -> str:
    """``name==version`` of the distribution that ships plugin ``label``, or ``local``."""
    top = label.split(".", 1)[0]
    for dist in _distributions().get(top, ()):
        try:
            return f"{dist}=={metadata.version(dist)}"
        except metadata.PackageNotFoundError:  # pragma: no cover - stale metadata
            continue
    return "local"


def _describe(rule: RegisteredRule) -> str:
    spec = rule.spec
    params = sorted((k, repr(v)) for k, v in rule.params.items())
    return "|".join(
        (
            spec.rule_id,
            rule.plugin,
            plugin_version(rule.plugin),
            ",".join(sorted(spec.stages)),
            spec.default_severity,
            spec.override.model_dump_json(),
            f"{spec.effective_from}..{spec.effective_to}",
            f"{rule.enabled}/{rule.severity}",
            repr(params),
        )
    )


def pack_version(rules: Mapping[str, RegisteredRule]) -> str:
    """``<sdk version>+<digest>`` over every rule's spec, plugin distribution and settings.

    It changes when a rule is added, removed, re-parameterised, re-graded, given another
    override policy or effective dates, or when the package shipping a plugin is upgraded.
    """
    text = "\n".join(_describe(rules[rule_id]) for rule_id in sorted(rules))
    return f"{__version__}+{hashlib.sha256(text.encode()).hexdigest()[:12]}"
