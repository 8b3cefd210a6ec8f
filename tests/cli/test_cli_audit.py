"""Tests of ``yibao audit-log verify|head`` and of the audit-log key: anchors, keyed logs."""

from __future__ import annotations

import hashlib
import re
import sqlite3
from pathlib import Path

import pytest
from pydantic import SecretStr

from yibao_sdk.cli import main
from yibao_sdk.errors import ConfigError
from yibao_sdk.settings import Settings
from yibao_sdk.store import GENESIS, AuditLog
from yibao_sdk.testing import factories as f

HEX_KEY = "a1" * 32
KEY = bytes.fromhex(HEX_KEY)


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("YIBAO_AUDIT_DB", "YIBAO_AUDIT_KEY", "YIBAO_AUDIT_KEY_FILE", "YIBAO_DEBUG",
                 "YIBAO_AUDIT_TIMEOUT", "YIBAO_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def make_log(path: Path, n: int, key: bytes | None = None) -> AuditLog:
    log = AuditLog(path, key)
    for i in range(n):
        log.append("verdict", {"i": i})
    return log


def sql(path: Path, *statements: str) -> None:
    with sqlite3.connect(path) as db:
        for statement in statements:
            db.execute(statement)
    db.close()


def rehash_with_sha256(path: Path) -> None:
    """A forger without the key: edits an entry and recomputes every hash with sha256."""
    with sqlite3.connect(path) as db:
        db.execute("""UPDATE audit_log SET payload = '{"i": 99}' WHERE seq = 2""")
        prev = GENESIS
        rows = db.execute("SELECT seq, kind, recorded_at, payload FROM audit_log ORDER BY seq")
        for seq, kind, at, payload in rows.fetchall():
            text = "\x1f".join((prev, str(seq), kind, at, payload))
            digest = hashlib.sha256(text.encode()).hexdigest()
            db.execute("UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?",
                       (prev, digest, seq))
            prev = digest
    db.close()


def test_head_prints_seq_hash_and_verify_prints_it_too(tmp_path, capsys) -> None:
    db = tmp_path / "a.sqlite3"
    seq, digest = make_log(db, 4).head()
    assert run(capsys, "audit-log", "head", "--db", db) == (0, f"4:{digest}\n", "")
    assert (seq, run(capsys, "audit-log", "verify", "--db", db)) == (
        4, (0, f"OK: 4 entries, head 4:{digest}\n", ""))
    empty = tmp_path / "empty.sqlite3"
    AuditLog(empty).close()
    assert run(capsys, "audit-log", "head", "--db", empty) == (0, f"0:{GENESIS}\n", "")


def test_truncated_tail_is_detected_with_expect_head(tmp_path, capsys) -> None:
    db = tmp_path / "a.sqlite3"
    make_log(db, 33).close()
    anchor = run(capsys, "audit-log", "head", "--db", db)[1].strip()
    assert run(capsys, "audit-log", "verify", "--db", db, "--expect-head", anchor)[0] == 0
    sql(db, "DELETE FROM audit_log WHERE seq > 20")
    assert run(capsys, "audit-log", "verify", "--db", db)[0] == 0  # why anchors matter
    code, out, err = run(capsys, "audit-log", "verify", "--db", db, "--expect-head", anchor)
    assert (code, out) == (1, "")
    assert err == (f"yibao: error: audit log {db}: entries after 20 are missing "
                   "(the anchored head is 33)\n")


def test_head_of_a_broken_log_is_refused(tmp_path, capsys) -> None:
    db = tmp_path / "a.sqlite3"
    make_log(db, 3).close()
    sql(db, "UPDATE audit_log SET kind = 'override' WHERE seq = 2")
    code, out, err = run(capsys, "audit-log", "head", "--db", db)
    assert (code, out) == (1, "")
    assert "entry 2: content does not match its hash" in err


@pytest.mark.parametrize("head", ["33", "x:" + "0" * 64, "3:abc", "-1:" + "0" * 64])
def test_a_malformed_expect_head_is_a_usage_error(tmp_path, capsys, head) -> None:
    argv = ("audit-log", "verify", "--db", tmp_path / "a", f"--expect-head={head}")
    code, _, err = run(capsys, *argv)
    assert code == 64
    assert "is not SEQ:HASH" in err


def test_check_writes_a_keyed_log_when_a_key_is_set(tmp_path, capsys, monkeypatch) -> None:
    db = tmp_path / "audit.sqlite3"
    monkeypatch.setenv("YIBAO_AUDIT_KEY", HEX_KEY)
    assert _check(tmp_path, capsys, db) == 0
    assert AuditLog(db, KEY, read_only=True).verify() == 3
    assert run(capsys, "audit-log", "verify", "--db", db)[1].startswith("OK: 3 entries, head 3:")
    monkeypatch.delenv("YIBAO_AUDIT_KEY")
    code, _, err = run(capsys, "audit-log", "verify", "--db", db)
    assert code == 1
    assert f"{db} is a keyed audit log (hmac-sha256): open it with its key" in err
    code, _, err = run(capsys, "check", _case(tmp_path), "--plugin", _plugin(tmp_path),
                       "--audit-db", db)
    assert code == 74
    assert "keyed audit log" in err


@pytest.mark.parametrize(
    "meta", ["UPDATE audit_meta SET value = 'sha256'", "DELETE FROM audit_meta", None]
)
def test_keyed_log_rewritten_with_sha256_is_detected(tmp_path, capsys, monkeypatch, meta) -> None:
    db = tmp_path / "audit.sqlite3"
    make_log(db, 3, KEY).close()
    rehash_with_sha256(db)
    if meta:
        sql(db, meta)
    monkeypatch.setenv("YIBAO_AUDIT_KEY", HEX_KEY)
    code, out, err = run(capsys, "audit-log", "verify", "--db", db)
    assert (code, out) == (1, "")
    expected = ("is an unkeyed audit log (sha256) but a key was given" if meta
                else "entry 1: content does not match its hash (wrong key?)")
    assert expected in err


def test_unkeyed_log_is_refused_by_check_with_a_key(tmp_path, capsys, monkeypatch) -> None:
    db = tmp_path / "audit.sqlite3"
    make_log(db, 1).close()
    monkeypatch.setenv("YIBAO_AUDIT_KEY", HEX_KEY)
    code, _, err = run(capsys, "check", _case(tmp_path), "--plugin", _plugin(tmp_path),
                       "--audit-db", db)
    assert code == 74
    assert "unkeyed audit log" in err
    assert [e.seq for e in AuditLog(db, read_only=True).entries()] == [1]


def test_key_from_a_key_file(tmp_path, capsys, monkeypatch) -> None:
    db, key_file = tmp_path / "audit.sqlite3", tmp_path / "audit.key"
    key_file.write_text(HEX_KEY + "\n", encoding="utf-8")
    monkeypatch.setenv("YIBAO_AUDIT_KEY_FILE", str(key_file))
    assert _check(tmp_path, capsys, db) == 0
    assert AuditLog(db, KEY, read_only=True).verify() == 3
    key_file.write_bytes(b"\xff\x00" * 16)  # a binary key is used as it is
    assert Settings(audit_key_file=key_file).audit_key_bytes() == b"\xff\x00" * 16


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"YIBAO_AUDIT_KEY_FILE": "absent.key"}, "YIBAO_AUDIT_KEY_FILE: cannot read absent.key"),
        ({"YIBAO_AUDIT_KEY_FILE": "."}, "YIBAO_AUDIT_KEY_FILE: cannot read ."),
        ({"YIBAO_AUDIT_KEY": "short"}, "at least 16 bytes"),
        ({"YIBAO_AUDIT_KEY": HEX_KEY, "YIBAO_AUDIT_KEY_FILE": "k"}, "not both"),
    ],
)
def test_an_unusable_key_exits_78(tmp_path, capsys, monkeypatch, env, message) -> None:
    db = tmp_path / "audit.sqlite3"
    make_log(db, 1).close()
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    for argv in (["audit-log", "verify", "--db", db], ["audit-log", "head", "--db", db],
                 ["check", _case(tmp_path), "--plugin", _plugin(tmp_path), "--audit-db", db]):
        code, out, err = run(capsys, *argv)
        assert (code, out) == (78, "")
        assert err.startswith("yibao: error: environment: ")
        assert message in err
        assert HEX_KEY not in err


def test_key_is_hex_or_text_and_never_shown() -> None:
    assert Settings(audit_key=SecretStr(HEX_KEY)).audit_key_bytes() == KEY
    text = "correct horse battery staple"
    settings = Settings(audit_key=SecretStr(f" {text}\n"))
    assert settings.audit_key_bytes() == text.encode()
    assert text not in repr(settings)
    assert Settings().audit_key_bytes() is None
    with pytest.raises(ConfigError, match="at least 16 bytes"):
        Settings(audit_key=SecretStr("")).audit_key_bytes()


@pytest.mark.parametrize("kind", ["random sqlite", "empty", "junk"])
def test_verify_of_something_else_says_so_and_changes_nothing(tmp_path, capsys, kind) -> None:
    path = tmp_path / "other.db"
    if kind == "random sqlite":
        sql(path, "CREATE TABLE patients (id TEXT)", "INSERT INTO patients VALUES ('x')")
    else:
        path.write_bytes(b"" if kind == "empty" else b"\x00junk" * 300)
    before = path.read_bytes()
    for command in ("verify", "head"):
        code, out, err = run(capsys, "audit-log", command, "--db", path)
        assert (code, out) == (1, "")
        assert re.fullmatch(rf"yibao: error: {re.escape(str(path))} is not an audit log: .+\n",
                            err)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["other.db"]
    if kind == "random sqlite":
        with sqlite3.connect(path) as db:
            tables = db.execute("SELECT name FROM sqlite_master").fetchall()
        db.close()
        assert tables == [("patients",)]


def _case(tmp_path: Path) -> Path:
    path = tmp_path / "visit.json"
    visit = f.visit(visit_id="V1", orders=[f.drug_order(order_id="O1")],
                    charges=[f.charge(charge_id="C1")])
    path.write_text(visit.model_dump_json(), encoding="utf-8")
    return path


def _plugin(tmp_path: Path) -> Path:
    """A plugin with no rules: every verdict is green, and each is still audited."""
    path = tmp_path / "no_rules.py"
    path.write_text('"""No rules."""\n', encoding="utf-8")
    return path


def _check(tmp_path: Path, capsys: pytest.CaptureFixture[str], db: Path) -> int:
    toml = tmp_path / "h.toml"
    toml.write_text('[hospital]\ncode = "H1"\nname = "医院"\nlevel = "2"\n', encoding="utf-8")
    return run(capsys, "check", _case(tmp_path), "--plugin", _plugin(tmp_path),
               "--config", toml, "--audit-db", db)[0]
