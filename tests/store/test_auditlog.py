"""The hash-chained audit log detects altered, deleted, inserted and reordered entries."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from yibao_sdk import AuditChainError, AuditLog, AuditLogError


def _log(tmp_path: Path, n: int = 3) -> AuditLog:
    log = AuditLog(tmp_path / "audit.sqlite3")
    for i in range(n):
        log.append("verdict", {"i": i, "colour": "green"})
    return log


def _sql(log: AuditLog, statement: str) -> None:
    with sqlite3.connect(log.path) as db:
        db.execute(statement)


def test_intact_chain_verifies_and_survives_reopening(tmp_path: Path) -> None:
    log = _log(tmp_path)
    assert log.verify() == 3
    log.close()
    again = AuditLog(tmp_path / "audit.sqlite3")
    again.append("override", {"x": 1})
    assert again.verify() == 4
    assert [e.data() for e in again.entries()][-1] == {"x": 1}


def test_empty_log_verifies(tmp_path: Path) -> None:
    assert AuditLog(tmp_path / "a.sqlite3").verify() == 0


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        ("""UPDATE audit_log SET payload = '{"i": 1, "colour": "red"}' WHERE seq = 2""",
         "entry 2: content"),
        ("DELETE FROM audit_log WHERE seq = 2", "entry 2 is missing"),
        ("UPDATE audit_log SET kind = 'override' WHERE seq = 3", "entry 3: content"),
        ("UPDATE audit_log SET prev_hash = hash WHERE seq = 1", "entry 1: prev_hash"),
    ],
)
def test_tampering_is_detected(tmp_path: Path, statement: str, message: str) -> None:
    log = _log(tmp_path)
    _sql(log, statement)
    with pytest.raises(AuditChainError, match=message):
        log.verify()


def test_rewriting_a_row_with_a_fresh_hash_breaks_the_next_link(tmp_path: Path) -> None:
    log = _log(tmp_path)
    forged = AuditLog(tmp_path / "other.sqlite3")
    forged.append("verdict", {"i": 0, "colour": "red"})
    entry = next(forged.entries())
    _sql(log, f"UPDATE audit_log SET payload = '{entry.payload}', hash = '{entry.hash}', "
              f"recorded_at = '{entry.recorded_at}' WHERE seq = 1")
    with pytest.raises(AuditChainError, match="entry 2: prev_hash"):
        log.verify()


def test_concurrent_appends_keep_one_chain(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.sqlite3")

    def work(k: int) -> None:
        for i in range(25):
            log.append("verdict", {"thread": k, "i": i})

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert log.verify() == 100


def test_unopenable_path_is_an_audit_log_error(tmp_path: Path) -> None:
    with pytest.raises(AuditLogError, match="cannot open"):
        AuditLog(tmp_path / "no" / "such" / "dir" / "a.sqlite3")


def test_a_foreign_table_is_an_audit_log_error(tmp_path: Path) -> None:
    path = tmp_path / "foreign.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE audit_log (seq INTEGER PRIMARY KEY, other TEXT)")
    with pytest.raises(AuditLogError, match="cannot read"):
        AuditLog(path).verify()
