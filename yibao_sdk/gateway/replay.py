"""``yibao replay``: run stored messages again through a (newer) rule pack; report what changed.

Messages are replayed in arrival order through a fresh :class:`Gateway` whose stores are
scratch files, so the real visits are never touched. To give each message the visit it had,
the replay also runs the earlier messages of every visit that has a message since ``since``
(those are replayed but not compared). Each message received since ``since`` is then compared
with its stored summary, subject by subject (:class:`~yibao_sdk.gateway.summary.Change`).
Oversize messages (only their head was kept) are skipped.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

from yibao_sdk.gateway.fhir import handle_bundle
from yibao_sdk.gateway.pipeline import Gateway
from yibao_sdk.gateway.policy import AckPolicy
from yibao_sdk.gateway.summary import Change, changes
from yibao_sdk.gateway.visits import VisitStore
from yibao_sdk.hl7v2 import Router
from yibao_sdk.rules.engine import Engine
from yibao_sdk.store.messages import MessageStore, StoredMessage

__all__ = ["ReplayReport", "replay"]

_PAGE = 500


@dataclass(frozen=True, slots=True)
class ReplayReport:
    """What a replay found.

    :param rule_pack: the rule pack the messages were replayed with.
    :param compared: messages since ``since`` that were compared.
    :param replayed: messages run in all (including earlier ones of the same visits).
    :param skipped: oversize messages that could not be replayed.
    :param changes: every subject whose verdict differs.
    """

    rule_pack: str
    compared: int
    replayed: int
    skipped: int
    changes: tuple[Change, ...]


def _rows(store: MessageStore, **filters: date | datetime) -> Iterator[StoredMessage]:
    last = 0
    while page := store.list(after=last, limit=_PAGE, **filters):  # type: ignore[arg-type]
        yield from page
        last = page[-1].id


def _visits_since(store: MessageStore, since: date | datetime) -> tuple[set[str], set[int]]:
    visits, ids = set(), set()
    for row in _rows(store, since=since):
        ids.add(row.id)
        if row.summary and row.summary.get("visit_id"):
            visits.add(str(row.summary["visit_id"]))
    return visits, ids


def _run(gateway: Gateway, row: StoredMessage) -> None:
    if row.route == "fhir":
        handle_bundle(gateway, row.raw, peer=row.peer)
    else:
        gateway.handle(row.raw, row.peer, row.route)


def replay(messages: MessageStore, engine: Engine, routers: Mapping[str, Router], *,
           since: date | datetime, policy: AckPolicy | None = None,
           scratch: Path | None = None) -> ReplayReport:
    """Replay the messages received since ``since`` with ``engine``; report the differences.

    :param policy: the ACK policy the messages were received under (it decides whether a
        red message's content was kept); MSH-5 mapping is not applied again: each message
        keeps the route it was stored with.
    :param scratch: a folder for the scratch stores (a temporary one by default).
    """
    policy = replace(policy or AckPolicy(), receivers={})
    visits, since_ids = _visits_since(messages, since)
    with tempfile.TemporaryDirectory(dir=scratch) as folder:
        store = MessageStore(Path(folder) / "replay.sqlite3", durable=False)
        gateway = Gateway(engine, routers, VisitStore(), store, policy)
        found: list[Change] = []
        replayed = compared = skipped = 0
        try:
            for row in _rows(messages):
                wanted = row.id in since_ids or (
                    row.summary is not None and row.summary.get("visit_id") in visits)
                if not wanted:
                    continue
                if row.truncated:
                    skipped += 1
                    continue
                _run(gateway, row)
                replayed += 1
                if row.id in since_ids:
                    compared += 1
                    after = store.get(replayed)
                    found += changes(row.id, row.control_id, row.summary,
                                     after.summary if after else None)
        finally:
            gateway.visits.close()
            store.close()
    return ReplayReport(engine.rule_pack, compared, replayed, skipped, tuple(found))
