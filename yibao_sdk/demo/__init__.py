"""``make demo``: sample visits through every built-in rule, an override and the audit log."""

from yibao_sdk.demo.run import main, run_demo

__all__ = ["main", "run_demo"]
