"""Ten no-op rule plugins: the floor that pluggy dispatch and the engine cost on their own."""

from __future__ import annotations

from collections.abc import Iterable

from yibao_sdk.models import Order, Visit
from yibao_sdk.rules import Context, Finding, hookimpl

__all__ = ["NoOpRule", "noop_plugins"]


class NoOpRule:
    """A built-in-shaped plugin (``trylast``) whose check hooks find nothing."""

    @hookimpl(trylast=True)
    def yibao_check_order(self, order: Order, context: Context) -> Iterable[Finding]:
        """事前: nothing to report."""
        return ()

    @hookimpl(trylast=True)
    def yibao_audit_visit(self, visit: Visit, context: Context) -> Iterable[Finding]:
        """事后: nothing to report."""
        return ()


def noop_plugins(count: int = 10) -> list[object]:
    """``count`` distinct no-op plugin objects (as many as the built-in pack has plugins)."""
    return [NoOpRule() for _ in range(count)]
