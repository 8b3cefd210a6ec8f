"""Persistent stores: the hash-chained audit log and the provincial call journal."""

from yibao_sdk.store.auditlog import GENESIS, HMAC_SHA256, SHA256, AuditEntry, AuditLog
from yibao_sdk.store.journal import (
    Journal,
    JournalEntry,
    JournalError,
    JournalState,
    JournalTransitionError,
    SettlementInFlightError,
    SqliteJournal,
)

__all__ = [
    "GENESIS",
    "HMAC_SHA256",
    "SHA256",
    "AuditEntry",
    "AuditLog",
    "Journal",
    "JournalEntry",
    "JournalError",
    "JournalState",
    "JournalTransitionError",
    "SettlementInFlightError",
    "SqliteJournal",
]
