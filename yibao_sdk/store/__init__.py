"""Persistent stores: the hash-chained audit log (the provincial journal follows)."""

from yibao_sdk.store.auditlog import AuditEntry, AuditLog

__all__ = ["AuditEntry", "AuditLog"]
