"""Persistent stores: the hash-chained audit log (the provincial journal follows)."""

from yibao_sdk.store.auditlog import GENESIS, HMAC_SHA256, SHA256, AuditEntry, AuditLog

__all__ = ["GENESIS", "HMAC_SHA256", "SHA256", "AuditEntry", "AuditLog"]
