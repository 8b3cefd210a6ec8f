"""The write-ahead journal: state machine, one open settlement per visit, queries, durability
settings and file protection."""

from __future__ import annotations

import sqlite3
import stat
import threading
from datetime import date, datetime
from pathlib import Path

import pytest

from yibao_sdk.errors import YibaoError
from yibao_sdk.models.base import CHINA
from yibao_sdk.store.journal import (
    OPEN_STATES,
    TRANSITIONS,
    Journal,
    JournalError,
    JournalState,
    JournalTransitionError,
    NewCall,
    SettlementInFlightError,
    SqliteJournal,
)

S = JournalState
T = datetime(2026, 3, 2, 9, 30, 15, tzinfo=CHINA)
BODY = '{"infno":"2207","input":{"data":{"mdtrt_cert_no":"110101199003078515"}}}'


def _call(msgid: str = "M1", *, infno: str = "2207", retry_class: str = "reverse",
          visit_id: str | None = "V1", omsgid: str | None = None) -> NewCall:
    return NewCall(msgid, infno, retry_class, "0007", visit_id, "d" * 64, BODY,
                   {"psn_no": "P1", "insuplc_admdvs": "440100"}, omsgid)


@pytest.fixture
def journal(tmp_path: Path) -> SqliteJournal:
    return SqliteJournal(tmp_path / "journal.sqlite3", clock=lambda: T)


def test_a_call_is_written_pending_and_advanced_along_the_state_machine(
        journal: SqliteJournal) -> None:
    entry = journal.begin(_call())
    assert (entry.state, entry.open, entry.created_at) == (S.PENDING, True,
                                                           "2026-03-02T09:30:15.000+08:00")
    journal.advance("M1", S.SENT)
    done = journal.advance("M1", S.CONFIRMED, reply_digest="r" * 64, setl_id="S1",
                           inf_refmsgid="R1")
    assert (done.state, done.setl_id, done.reply_digest, done.open) == (S.CONFIRMED, "S1",
                                                                        "r" * 64, False)
    assert journal.advance("M1", S.REVERSED, detail="2601").setl_id == "S1"  # kept


@pytest.mark.parametrize(("path", "bad"), [
    ((), S.CONFIRMED),                       # pending → confirmed: never sent
    ((S.SENT,), S.REVERSED),                 # sent → reversed: resolve unknown first
    ((S.SENT, S.FAILED), S.CONFIRMED),       # failed is final
    ((S.SENT, S.UNKNOWN), S.CONFIRMED),      # unknown is resolved by query, not by a reply
    ((S.SENT, S.CONFIRMED), S.FAILED),
])
def test_transitions_outside_the_state_machine_are_refused(
        journal: SqliteJournal, path: tuple[JournalState, ...], bad: JournalState) -> None:
    journal.begin(_call())
    for state in path:
        journal.advance("M1", state)
    with pytest.raises(JournalTransitionError, match="cannot go from"):
        journal.advance("M1", bad)


def test_the_state_machine_table_is_consistent() -> None:
    assert set(TRANSITIONS) == set(JournalState)
    assert {S.PENDING, S.SENT, S.UNKNOWN} == OPEN_STATES
    assert not TRANSITIONS[S.FAILED] and not TRANSITIONS[S.REVERSED]


def test_advancing_a_missing_row_is_an_error(journal: SqliteJournal) -> None:
    with pytest.raises(JournalTransitionError, match="not in the journal"):
        journal.advance("nope", S.SENT)


@pytest.mark.parametrize("open_state", [S.PENDING, S.SENT, S.UNKNOWN])
def test_a_second_settlement_for_a_visit_in_flight_is_refused(
        journal: SqliteJournal, open_state: JournalState) -> None:
    journal.begin(_call("M1"))
    if open_state is not S.PENDING:
        journal.advance("M1", S.SENT)
    if open_state is S.UNKNOWN:
        journal.advance("M1", S.UNKNOWN)
    with pytest.raises(SettlementInFlightError) as caught:
        journal.begin(_call("M2"))
    assert (caught.value.visit_id, caught.value.msgid, caught.value.state) == ("V1", "M1",
                                                                               open_state)
    assert isinstance(caught.value, YibaoError)
    assert journal.by_msgid("M2") is None
    assert journal.in_flight("V1") is not None


@pytest.mark.parametrize("final", [S.CONFIRMED, S.FAILED])
def test_once_resolved_the_visit_may_settle_again(journal: SqliteJournal,
                                                  final: JournalState) -> None:
    journal.begin(_call("M1"))
    journal.advance("M1", S.SENT)
    journal.advance("M1", final)
    assert journal.in_flight("V1") is None
    assert journal.begin(_call("M2")).state is S.PENDING


def test_check_calls_and_other_visits_are_not_limited(journal: SqliteJournal) -> None:
    journal.begin(_call("M1"))
    journal.begin(_call("M2", visit_id="V2"))
    journal.begin(_call("M3", infno="2204", retry_class="check"))
    journal.begin(_call("M4", infno="2601", retry_class="check", omsgid="M1"))
    journal.begin(_call("M5", visit_id=None))
    journal.begin(_call("M6", visit_id=None))
    assert len(journal.unresolved()) == 6


def test_a_repeated_msgid_is_refused(journal: SqliteJournal) -> None:
    journal.begin(_call("M1", retry_class="check"))
    with pytest.raises(JournalError, match="already journalled"):
        journal.begin(_call("M1", retry_class="check"))


def test_concurrent_settlements_of_one_visit_admit_exactly_one(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite3"
    journals = [SqliteJournal(path) for _ in range(8)]  # separate connections, one file
    outcomes: list[str] = []

    def settle(index: int) -> None:
        try:
            journals[index].begin(_call(f"M{index}"))
            outcomes.append("ok")
        except SettlementInFlightError:
            outcomes.append("refused")

    threads = [threading.Thread(target=settle, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok"] + ["refused"] * 7


def test_queries(journal: SqliteJournal, tmp_path: Path) -> None:
    journal.begin(_call("M1"))
    journal.advance("M1", S.SENT)
    journal.advance("M1", S.UNKNOWN, detail="read timeout")
    journal.begin(_call("R1", infno="2601", retry_class="check", omsgid="M1"))
    journal.begin(_call("C1", infno="2204", retry_class="check", visit_id="V9"))
    assert [e.msgid for e in journal.unknown()] == ["M1"]
    assert [e.msgid for e in journal.unresolved()] == ["M1", "R1", "C1"]
    assert [e.msgid for e in journal.reversals_of("M1")] == ["R1"]
    assert [e.msgid for e in journal.for_visit("V1")] == ["M1", "R1"]
    assert [e.msgid for e in journal.list(date(2026, 3, 2))] == ["M1", "R1", "C1"]
    assert journal.list(date(2026, 3, 3)) == ()
    entry = journal.by_msgid("M1")
    assert entry is not None
    assert (entry.detail, entry.meta["psn_no"], entry.body) == ("read timeout", "P1", BODY)
    assert isinstance(journal, Journal)


def test_rows_survive_reopening(tmp_path: Path) -> None:
    first = SqliteJournal(tmp_path / "j.sqlite3")
    first.begin(_call())
    first.advance("M1", S.SENT)
    first.close()
    again = SqliteJournal(tmp_path / "j.sqlite3")
    assert [(e.msgid, e.state) for e in again.unresolved()] == [("M1", S.SENT)]


def test_the_body_never_shows_in_a_repr(journal: SqliteJournal) -> None:
    entry = journal.begin(_call())
    assert "110101199003078515" not in repr(entry)
    assert "110101199003078515" not in repr(_call())


def test_the_file_is_private_and_in_wal_mode(journal: SqliteJournal) -> None:
    mode = stat.S_IMODE(journal.path.stat().st_mode)
    assert mode == 0o600
    with sqlite3.connect(journal.path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_money_moving_rows_are_written_with_full_sync(journal: SqliteJournal) -> None:
    def sync() -> int:
        return int(journal._db.execute("PRAGMA synchronous").fetchone()[0])

    journal.begin(_call("C1", infno="2204", retry_class="check", visit_id=None))
    assert sync() == 1  # NORMAL
    journal.begin(_call("M1"))
    assert sync() == 2  # FULL
    journal.begin(_call("R1", infno="2601", retry_class="check", omsgid="M1"))
    assert sync() == 2
    assert _call("R1", omsgid="M1").money_moving and not _call(retry_class="check").money_moving


def test_an_unopenable_file_is_a_journal_error(tmp_path: Path) -> None:
    not_a_db = tmp_path / "x.sqlite3"
    not_a_db.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(JournalError, match="cannot open the journal"):
        SqliteJournal(not_a_db)
