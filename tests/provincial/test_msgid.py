"""msgid: 30 characters, persisted sequence, unique across threads, sources and processes."""

from __future__ import annotations

import multiprocessing
import threading
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from yibao_sdk.adapters.provincial.errors import MsgidError
from yibao_sdk.adapters.provincial.msgid import MAX_SEQUENCE, MsgidSource, parse_msgid

CODE = "H44010600001"
T = datetime(2026, 3, 2, 9, 0, 5)


class FakeClock:
    """A clock that moves only when told to (or when the source sleeps)."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.sleeps: list[float] = []

    def __call__(self) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += timedelta(seconds=1)


def _source(path: Path, clock: FakeClock) -> MsgidSource:
    return MsgidSource(path, CODE, clock=clock, sleep=clock.sleep)


def test_msgid_is_code_time_and_four_digit_sequence(tmp_path: Path) -> None:
    clock = FakeClock(T)
    with _source(tmp_path / "m.db", clock) as source:
        first, second = source.next(), source()
    assert first == "H44010600001202603020900050001"
    assert second == "H44010600001202603020900050002"
    assert len(first) == 30
    assert parse_msgid(second) == (CODE, T, 2)


def test_sequence_resets_each_second(tmp_path: Path) -> None:
    clock = FakeClock(T)
    with _source(tmp_path / "m.db", clock) as source:
        source.next()
        source.next()
        clock.now = T + timedelta(seconds=1)
        assert source.next() == "H44010600001202603020900060001"


def test_exhausted_second_waits_for_the_next_one(tmp_path: Path) -> None:
    clock = FakeClock(T)
    with _source(tmp_path / "m.db", clock) as source:
        ids = [source.next() for _ in range(MAX_SEQUENCE)]
        assert ids[-1] == "H44010600001202603020900059999"
        assert clock.sleeps == []
        following = source.next()
    assert len(clock.sleeps) == 1
    assert following == "H44010600001202603020900060001"
    assert len(set(ids)) == MAX_SEQUENCE


def test_clock_stepping_back_neither_repeats_nor_stalls(tmp_path: Path) -> None:
    clock = FakeClock(T)
    with _source(tmp_path / "m.db", clock) as source:
        before = source.next()
        clock.now = T - timedelta(hours=1)
        after = source.next()
    assert after == "H44010600001202603020900050002"
    assert after > before


def test_exhausted_second_while_clock_is_behind_moves_the_stamp_on(tmp_path: Path) -> None:
    clock = FakeClock(T)
    with _source(tmp_path / "m.db", clock) as source:
        for _ in range(MAX_SEQUENCE):
            source.next()
        clock.now = T - timedelta(minutes=5)
        assert source.next() == "H44010600001202603020900060001"
    assert clock.sleeps == []


def test_restart_continues_the_sequence(tmp_path: Path) -> None:
    clock = FakeClock(T)
    path = tmp_path / "m.db"
    with _source(path, clock) as source:
        first = [source.next() for _ in range(3)]
    with _source(path, clock) as again:
        assert again.next() == "H44010600001202603020900050004"
    assert first[-1].endswith("0003")


def test_bad_institution_code_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(MsgidError, match="12 letters or digits"):
        MsgidSource(tmp_path / "m.db", "H4401")


def test_unopenable_store_is_a_msgid_error(tmp_path: Path) -> None:
    with pytest.raises(MsgidError, match="cannot open"):
        MsgidSource(tmp_path / "missing-dir" / "m.db", CODE)


def _collect(source: MsgidSource, count: int, out: list[str]) -> None:
    out.extend(source.next() for _ in range(count))


def test_eight_threads_of_two_thousand_ids_are_unique(tmp_path: Path) -> None:
    with MsgidSource(tmp_path / "m.db", CODE) as source:
        results: list[list[str]] = [[] for _ in range(8)]
        threads = [threading.Thread(target=_collect, args=(source, 2000, r)) for r in results]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    ids = [msgid for result in results for msgid in result]
    assert len(ids) == 16_000
    assert len(set(ids)) == 16_000
    assert all(len(msgid) == 30 and msgid.startswith(CODE) for msgid in ids)


def test_two_sources_on_one_file_never_collide(tmp_path: Path) -> None:
    path = tmp_path / "m.db"
    with MsgidSource(path, CODE) as one, MsgidSource(path, CODE) as two:
        results: list[list[str]] = [[], [], [], []]
        sources = [one, two, one, two]
        threads = [threading.Thread(target=_collect, args=(s, 1500, r))
                   for s, r in zip(sources, results, strict=True)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    ids = [msgid for result in results for msgid in result]
    assert len(set(ids)) == len(ids) == 6000


def _worker(args: tuple[str, int]) -> list[str]:
    path, count = args
    with MsgidSource(path, CODE) as source:
        return [source.next() for _ in range(count)]


def test_processes_sharing_the_file_never_collide(tmp_path: Path) -> None:
    path = str(tmp_path / "m.db")
    MsgidSource(path, CODE).close()  # create the schema once, as a deployment would
    context = multiprocessing.get_context("spawn")
    with context.Pool(4) as pool:
        batches = pool.map(_worker, [(path, 1500)] * 4)
    ids = [msgid for batch in batches for msgid in batch]
    assert len(ids) == 6000
    assert len(set(ids)) == 6000


def test_parse_msgid_rejects_other_shapes() -> None:
    with pytest.raises(ValueError, match="30-character"):
        parse_msgid("H440106000012026030209000500011")
