"""The hash-chained audit log detects altered, deleted, inserted and reordered entries; with a
key a full rewrite, against an anchored head a truncated tail; verifying is read-only."""

from __future__ import annotations

import hashlib
import hmac
import sqlite3
import threading
from pathlib import Path

import pytest

from yibao_sdk import AuditChainError, AuditLog, AuditLogError, InputError
from yibao_sdk.store import GENESIS


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


KEY = b"k" * 32


def _rehash_all(path: Path, key: bytes | None = None) -> None:
    """What an attacker with write access does: recompute every link after an edit."""
    with sqlite3.connect(path) as db:
        prev = GENESIS
        rows = db.execute("SELECT seq, kind, recorded_at, payload FROM audit_log ORDER BY seq")
        for seq, kind, recorded_at, payload in rows.fetchall():
            text = "\x1f".join((prev, str(seq), kind, recorded_at, payload)).encode()
            digest = (hashlib.sha256(text) if key is None
                      else hmac.new(key, text, hashlib.sha256)).hexdigest()
            db.execute("UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?",
                       (prev, digest, seq))
            prev = digest
    db.close()


def test_head_is_genesis_when_empty_then_the_last_entry(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "a.sqlite3")
    assert log.head() == (0, GENESIS)
    assert log.verify(expect_head=(0, GENESIS)) == 0
    last = [log.append("verdict", {"i": i}) for i in range(3)][-1]
    assert log.head() == (3, last.hash)
    assert log.verify_head() == (3, last.hash)


def test_truncated_tail_is_detected_against_the_anchored_head(tmp_path: Path) -> None:
    log = _log(tmp_path, 33)
    head = log.head()
    _sql(log, "DELETE FROM audit_log WHERE seq > 20")
    assert log.verify() == 20  # without an anchor a shorter chain is still a valid chain
    with pytest.raises(AuditChainError, match="entries after 20 are missing"):
        log.verify(expect_head=head)
    _sql(log, "DELETE FROM audit_log")
    with pytest.raises(AuditChainError, match="entries after 0 are missing"):
        log.verify(expect_head=head)


def test_an_anchored_log_may_grow(tmp_path: Path) -> None:
    log = _log(tmp_path, 3)
    seq, digest = log.head()
    log.append("verdict", {"i": 3})
    assert log.verify(expect_head=(seq, digest.upper())) == 4
    with pytest.raises(AuditChainError, match="head does not match: entry 3"):
        log.verify(expect_head=(3, "f" * 64))
    with pytest.raises(AuditChainError, match="head does not match: entry 0"):
        log.verify(expect_head=(0, "f" * 64))


@pytest.mark.parametrize("head", [(-1, GENESIS), (1, "abc"), (1, "g" * 64)])
def test_a_malformed_anchor_is_an_input_error(tmp_path: Path, head: tuple[int, str]) -> None:
    with pytest.raises(InputError, match="expected head"):
        _log(tmp_path, 1).verify(expect_head=head)


def test_unkeyed_rewrite_passes_unless_anchored(tmp_path: Path) -> None:
    log = _log(tmp_path, 5)
    head = log.head()
    _sql(log, """UPDATE audit_log SET payload = '{"i": 2, "colour": "red"}' WHERE seq = 3""")
    _rehash_all(log.path)
    assert log.verify() == 5  # documented: sha256 alone cannot detect a full rewrite
    with pytest.raises(AuditChainError, match="head does not match"):
        log.verify(expect_head=head)


@pytest.mark.parametrize("forger_key", [None, b"x" * 32])
def test_keyed_rewrite_is_detected(tmp_path: Path, forger_key: bytes | None) -> None:
    log = AuditLog(tmp_path / "audit.sqlite3", KEY)
    for i in range(5):
        log.append("verdict", {"i": i})
    assert log.verify() == 5
    _sql(log, """UPDATE audit_log SET payload = '{"i": 99}' WHERE seq = 3""")
    _rehash_all(log.path, forger_key)
    with pytest.raises(AuditChainError, match=r"entry 1: content does not match its hash"):
        log.verify()


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_meta SET value = 'sha256'", "DELETE FROM audit_meta", "DROP TABLE audit_meta"],
)
def test_keyed_log_downgraded_to_sha256_is_refused(tmp_path: Path, statement: str) -> None:
    log = AuditLog(tmp_path / "audit.sqlite3", KEY)
    log.append("verdict", {"i": 0})
    log.close()
    path = tmp_path / "audit.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute(statement)
    db.close()
    _rehash_all(path)
    assert AuditLog(path, read_only=True).verify() == 1  # without the key: looks fine
    for read_only in (False, True):
        with pytest.raises(AuditLogError, match=r"unkeyed audit log \(sha256\) but a key"):
            AuditLog(path, KEY, read_only=read_only)


def test_keyed_log_needs_its_key(tmp_path: Path) -> None:
    path = tmp_path / "audit.sqlite3"
    AuditLog(path, KEY).append("verdict", {"i": 0})
    for read_only in (False, True):
        with pytest.raises(AuditLogError, match=r"keyed audit log \(hmac-sha256\): open it with"):
            AuditLog(path, read_only=read_only)
    with pytest.raises(AuditChainError, match=r"entry 1: .* hash \(wrong key\?\)"):
        AuditLog(path, b"w" * 32, read_only=True).verify()
    assert AuditLog(path, KEY, read_only=True).verify() == 1


def test_keyed_hash_is_hmac_sha256_of_the_fields(tmp_path: Path) -> None:
    entry = AuditLog(tmp_path / "a.sqlite3", KEY).append("verdict", {"i": 0})
    text = "\x1f".join((GENESIS, "1", "verdict", entry.recorded_at, entry.payload)).encode()
    assert entry.hash == hmac.new(KEY, text, hashlib.sha256).hexdigest()
    with pytest.raises(AuditLogError, match="key is empty"):
        AuditLog(tmp_path / "b.sqlite3", b"")


def test_empty_keyed_log_is_claimed_on_creation(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite3"
    AuditLog(path, KEY).close()
    with pytest.raises(AuditLogError, match="keyed audit log"):
        AuditLog(path)


def test_unkeyed_log_refuses_a_key_and_an_unknown_scheme_is_refused(tmp_path: Path) -> None:
    log = _log(tmp_path, 1)
    with pytest.raises(AuditLogError, match="unkeyed audit log"):
        AuditLog(log.path, KEY)
    _sql(log, "UPDATE audit_meta SET value = 'md5'")
    with pytest.raises(AuditLogError, match="unknown scheme 'md5'"):
        log.verify()


def test_a_log_from_before_audit_meta_is_sha256(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    log = _log(tmp_path, 2)
    log.close()
    with sqlite3.connect(tmp_path / "audit.sqlite3") as db:
        db.execute("DROP TABLE audit_meta")
        db.execute("PRAGMA journal_mode=DELETE")
    db.close()
    (tmp_path / "audit.sqlite3").rename(path)
    before = path.read_bytes()
    assert AuditLog(path, read_only=True).verify() == 2
    assert path.read_bytes() == before  # verifying did not add audit_meta
    with pytest.raises(AuditLogError, match="unkeyed"):
        AuditLog(path, KEY)
    assert AuditLog(path).append("verdict", {"i": 2}).seq == 3


def test_read_only_verify_of_a_missing_file_creates_nothing(tmp_path: Path) -> None:
    path = tmp_path / "absent.sqlite3"
    with pytest.raises(AuditLogError, match="is not an audit log: no such file"):
        AuditLog(path, read_only=True)
    assert not path.exists()


@pytest.mark.parametrize("content", ["empty", "foreign", "junk"])
def test_read_only_verify_of_a_non_log_changes_nothing(tmp_path: Path, content: str) -> None:
    path = tmp_path / "other.sqlite3"
    if content == "empty":
        path.touch()
    elif content == "junk":
        path.write_bytes(b"not a database" * 100)
    else:
        with sqlite3.connect(path) as db:
            db.execute("CREATE TABLE patients (id TEXT)")
        db.close()
    before = path.read_bytes()
    with pytest.raises(AuditLogError, match="is not an audit log"):
        AuditLog(path, read_only=True)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.sqlite3"]


def test_read_only_log_refuses_to_append(tmp_path: Path) -> None:
    _log(tmp_path, 1).close()
    log = AuditLog(tmp_path / "audit.sqlite3", read_only=True)
    with pytest.raises(AuditLogError, match="opened read-only"):
        log.append("verdict", {})


def test_busy_database_reports_the_lock_not_a_rollback_error(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.sqlite3", timeout=0.05)
    log.append("verdict", {"i": 0})
    other = sqlite3.connect(log.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(AuditLogError, match="locked") as caught:
            log.append("verdict", {"i": 1})
        assert "rollback" not in str(caught.value)
    finally:
        other.execute("COMMIT")
        other.close()
    log.append("verdict", {"i": 1})
    assert log.verify() == 2


def test_a_failed_append_rolls_back_and_releases_the_lock(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.sqlite3", KEY)
    log.append("verdict", {"i": 0})
    _sql(log, "UPDATE audit_meta SET value = 'sha256'")  # another writer's doing
    with pytest.raises(AuditLogError, match="unkeyed"):
        log.append("verdict", {"i": 1})
    other = sqlite3.connect(log.path, timeout=0, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # would be "locked" if the append had left it open
    other.execute("ROLLBACK")
    other.close()
    assert [e.seq for e in log.entries()] == [1]


@pytest.mark.parametrize("value", ["'é' || hash", "42", "x'00ff'"])
def test_a_hash_of_another_type_is_a_broken_chain(tmp_path: Path, value: str) -> None:
    log = _log(tmp_path, 2)
    _sql(log, f"UPDATE audit_log SET hash = {value} WHERE seq = 2")
    with pytest.raises(AuditChainError, match="entry 2: content does not match"):
        log.verify()
