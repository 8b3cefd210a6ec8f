"""The pytest plugin (entry point ``pytest11``) shipped to rule authors: three fixtures."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pytest

# pytest loads this module in every run once yibao-sdk is installed, so the SDK is imported
# inside the fixtures: collection stays fast and coverage sees the SDK's module bodies.

if TYPE_CHECKING:
    from yibao_sdk.rules.engine import Engine
    from yibao_sdk.testing.assertions import YibaoAssert

__all__ = ["yibao_assert", "yibao_engine", "yibao_factories"]


@pytest.fixture
def yibao_factories() -> ModuleType:
    """The :mod:`yibao_sdk.testing.factories` module: terse builders of visits and orders.

    ``f.visit(orders=[f.imaging_order(modality="CT")])``, ``f.charge("code", unit_price="12")``,
    ``f.practitioner(title=...)``, ``f.catalog_item(code)`` …; times default to ``f.T0``.

    Example::

        def test_night_ct(yibao_engine, yibao_factories, yibao_assert):
            f = yibao_factories
            order = f.imaging_order(modality="CT", at=f.T0.replace(hour=23))
            verdict = yibao_engine("yibao_night_ct").check_order(order, f.visit())
            yibao_assert.finding(verdict, "HOSP-NIGHT-CT", severity="warn")
    """
    from yibao_sdk.testing import factories

    return factories


@pytest.fixture
def yibao_engine() -> Callable[..., Engine]:
    """Build an engine: ``yibao_engine(*plugins, **kwargs)`` calls ``factories.engine``.

    ``plugins`` are plugin objects or module names (none: the built-ins); entry points are not
    loaded, so a test sees only the plugins it names. Keywords: ``catalog``,
    ``practitioners``, ``violations``, ``history``, ``rules`` (per-rule settings as in the
    TOML ``[rules.<id>]`` tables), ``level`` and ``clock`` (a fixed ``datetime``). Every call
    makes a fresh engine with its own plugin manager.
    """
    from yibao_sdk.testing import factories

    def build(*plugins: object | str, **kwargs: Any) -> Engine:
        return factories.engine(*plugins, **kwargs)

    return build


@pytest.fixture
def yibao_assert() -> YibaoAssert:
    """Rule assertions that list the findings present when they fail.

    ``yibao_assert.finding(checked, rule_id, severity=None, count=None, subject_id=None)``
    returns the matching findings; ``yibao_assert.no_finding(checked, rule_id)`` checks that a
    rule stayed silent. ``checked`` is a ``Verdict``, a ``VisitReport`` or a list of verdicts.
    """
    from yibao_sdk.testing.assertions import YibaoAssert

    return YibaoAssert()
