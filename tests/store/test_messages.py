"""The inbound message store: states, filters, retention, durability and personal data."""

from __future__ import annotations

import stat
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from yibao_sdk.models.base import CHINA
from yibao_sdk.store.messages import MessageState, MessageStore, MessageStoreError

RAW = "MSH|^~\\&|HIS|H|YB|Y|20260302||ADT^A01|C1|P|2.5\rPID|1||P1||张三".encode()
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=CHINA)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def store(tmp_path: Path, **kwargs: object) -> tuple[MessageStore, Clock]:
    clock = Clock()
    return MessageStore(tmp_path / "messages.sqlite3", clock=clock, **kwargs), clock  # type: ignore[arg-type]


def test_messages_receive_then_finish(tmp_path: Path) -> None:
    messages, _ = store(tmp_path)
    ident = messages.receive(RAW, peer="10.0.0.1:5000", route="his", control_id="C1",
                             message_type="ADT^A01")
    row = messages.get(ident)
    assert row is not None and row.state is MessageState.RECEIVED and row.raw == RAW
    assert (row.peer, row.route, row.control_id, row.message_type, row.size) == (
        "10.0.0.1:5000", "his", "C1", "ADT^A01", len(RAW))
    assert row.received_at == T0 and row.ack_code is None and not row.truncated
    messages.finish(ident, MessageState.PROCESSED, ack_code="AE",
                    summary={"colour": "red", "verdicts": []})
    done = messages.get(ident)
    assert done is not None and done.state is MessageState.PROCESSED and done.ack_code == "AE"
    assert done.summary == {"colour": "red", "verdicts": []} and done.processed_at == T0
    assert messages.get(ident + 1) is None


def test_messages_survive_a_reopen_and_pending_lists_unprocessed(tmp_path: Path) -> None:
    messages, _ = store(tmp_path)
    first = messages.receive(RAW, peer="p", route="his")
    second = messages.receive(RAW, peer="p", route="lis")
    messages.finish(first, MessageState.PROCESSED, ack_code="AA")
    messages.close()
    again = MessageStore(tmp_path / "messages.sqlite3")
    assert [m.id for m in again.pending()] == [second]
    assert again.count() == 2 and again.count(MessageState.PROCESSED) == 1
    assert again.routes() == ("his", "lis")


def test_messages_list_filters(tmp_path: Path) -> None:
    messages, clock = store(tmp_path)
    ids = []
    for day in range(4):
        clock.now = T0 + timedelta(days=day)
        ids.append(messages.receive(RAW, peer="p", route="his" if day % 2 else "pacs"))
    messages.finish(ids[1], MessageState.FAILED, ack_code="AR")
    assert [m.id for m in messages.list(since=date(2026, 3, 3))] == ids[1:]
    assert [m.id for m in messages.list(until=date(2026, 3, 4))] == ids[:2]
    assert [m.id for m in messages.list(since=T0 + timedelta(days=2, hours=-1))] == ids[2:]
    assert [m.id for m in messages.list(route="his")] == [ids[1], ids[3]]
    assert [m.id for m in messages.list(state=MessageState.FAILED)] == [ids[1]]
    assert [m.id for m in messages.list(after=ids[0], limit=2)] == ids[1:3]


def test_messages_retention_deletes_old_processed_and_keeps_failed(tmp_path: Path) -> None:
    messages, clock = store(tmp_path)
    old = [messages.receive(RAW, peer="p", route="his") for _ in range(3)]
    messages.finish(old[0], MessageState.PROCESSED)
    messages.finish(old[1], MessageState.FAILED, ack_code="AR")
    clock.now = T0 + timedelta(days=40)
    recent = messages.receive(RAW, peer="p", route="his")
    messages.finish(recent, MessageState.PROCESSED)
    assert messages.purge(30, vacuum=True) == 1
    assert [m.id for m in messages.list()] == [old[1], old[2], recent]
    with pytest.raises(ValueError):
        messages.purge(-1)


def test_messages_oversize_head_is_marked_truncated(tmp_path: Path) -> None:
    messages, _ = store(tmp_path)
    ident = messages.receive(RAW[:10], peer="p", route="his", size=9_000_000, truncated=True)
    row = messages.get(ident)
    assert row is not None and row.truncated and row.size == 9_000_000 and row.raw == RAW[:10]


def test_messages_on_commit_sees_the_committed_row(tmp_path: Path) -> None:
    seen: list[bool] = []
    path = tmp_path / "messages.sqlite3"

    def check(ident: int) -> None:
        seen.append(MessageStore(path).get(ident) is not None)  # another connection
    messages = MessageStore(path, on_commit=check)
    messages.receive(RAW, peer="p", route="his")
    assert seen == [True]


def test_messages_file_is_private_and_raw_never_shown(tmp_path: Path) -> None:
    messages, _ = store(tmp_path, durable=False)
    ident = messages.receive(RAW, peer="p", route="his")
    mode = stat.S_IMODE((tmp_path / "messages.sqlite3").stat().st_mode)
    assert mode == 0o600
    row = messages.get(ident)
    assert "张三" not in repr(row) and "messages.sqlite3" in repr(messages)


def test_messages_errors_are_typed(tmp_path: Path) -> None:
    with pytest.raises(MessageStoreError, match="cannot open"):
        MessageStore(tmp_path / "missing" / "folder" / "m.sqlite3")
    bad = tmp_path / "not-a-db.sqlite3"
    bad.write_bytes(b"this is not a database" * 100)
    with pytest.raises(MessageStoreError):
        MessageStore(bad)
    messages = MessageStore(":memory:")
    messages.close()
    with pytest.raises(MessageStoreError):
        messages.receive(RAW, peer="p", route="his")
