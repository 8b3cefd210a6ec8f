"""The verdict summary kept with each message, and the differences between two of them.

A processed message's summary (JSON in :attr:`StoredMessage.summary`)::

    {"visit_id": "ZY001", "ack": "AE", "colour": "red", "rule_pack": "0.1.0+3f2a…",
     "verdicts": [{"subject": "charge:C001", "colour": "red",
                   "findings": ["YB-IMPLANT-UDI:block"]}]}

Only rule ids and severities are kept (what a replay compares), not the findings' messages.
A failed message's summary is ``{"ack": "AR", "error": "Hl7ParseError", "code": 100,
"reason": "…"}``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from yibao_sdk.rules.findings import Colour, Verdict

__all__ = ["Change", "changes", "failure", "summarise"]


def _colour(verdicts: list[Verdict]) -> str:
    colours = {v.colour for v in verdicts}
    for colour in (Colour.RED, Colour.YELLOW):
        if colour in colours:
            return colour.value
    return Colour.GREEN.value


def summarise(visit_id: str, ack: str, verdicts: Iterable[Verdict], *, rule_pack: str,
              applied: bool = True) -> dict[str, Any]:
    """The summary of a processed message.

    :param rule_pack: the engine's rule-pack version.
    :param applied: whether its content was merged into the kept visit.
    """
    kept = list(verdicts)
    return {
        "visit_id": visit_id, "ack": ack, "colour": _colour(kept), "applied": applied,
        "rule_pack": rule_pack,
        "verdicts": [{"subject": f"{v.subject.kind}:{v.subject.id}", "colour": v.colour.value,
                      "findings": sorted(f"{f.rule_id}:{f.severity}" for f in v.findings)}
                     for v in kept],
    }


def failure(error: BaseException, ack: str | None) -> dict[str, Any]:
    """The summary of a message that could not be processed."""
    reason = getattr(error, "reason", None) or str(error)
    return {"ack": ack, "error": type(error).__name__, "code": getattr(error, "code", None),
            "reason": reason}


@dataclass(frozen=True, slots=True)
class Change:
    """How one subject's verdict differs between the stored run and the replay.

    ``before``/``after`` read ``"red YB-X:block"``, or ``"-"`` when there was no verdict.
    """

    message_id: int
    control_id: str
    subject: str
    before: str
    after: str

    def __str__(self) -> str:
        return (f"#{self.message_id} {self.control_id or '-'} {self.subject}: "
                f"{self.before} → {self.after}")


def _by_subject(summary: Mapping[str, Any] | None) -> dict[str, str]:
    if not summary:
        return {}
    if "error" in summary:
        return {"message": f"failed {summary.get('error')}"}
    return {v["subject"]: " ".join([v["colour"], *v["findings"]])
            for v in summary.get("verdicts", ())}


def changes(message_id: int, control_id: str, before: Mapping[str, Any] | None,
            after: Mapping[str, Any] | None) -> list[Change]:
    """Every subject whose verdict differs between two summaries of one message."""
    old, new = _by_subject(before), _by_subject(after)
    return [Change(message_id, control_id, key, old.get(key, "-"), new.get(key, "-"))
            for key in sorted(old.keys() | new.keys()) if old.get(key) != new.get(key)]
