"""What every handler gets (:class:`Call`) and shares: the environment, input parsing, ids, and
lookups of persons and visits.

A handler is ``Callable[[Call], Output]``: it reads ``call.input`` (national names, blanks
dropped), works inside ``call.tx`` (one transaction, rolled back if it raises), and returns the
``output`` object (national names, Decimal money) or a :class:`FileOutput` (9102). It refuses
with :class:`~..protocol.Refusal`. A state-changing handler records in ``call.effect`` what a
2601 reversal must undo.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from yibao_sdk.models.base import errors_of
from yibao_sdk.rules.engine import Engine
from yibao_sdk.rules.stores import Catalog

from ...profiles import ProvinceProfile
from ...wire.base import NullPolicy
from ..config import MockConfig
from ..protocol import Refusal
from ..state import Row, State, Tx

__all__ = ["Call", "FileOutput", "Handler", "MockEnv", "Output", "new_id", "person_of",
           "visit_of"]

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class FileOutput:
    """A reply that is a file (9102), not an envelope."""

    content: bytes
    filename: str


Output = dict[str, Any] | FileOutput


class MockEnv:
    """Everything handlers share: profile, settings, state, catalogue, clock, rule engines."""

    def __init__(self, profile: ProvinceProfile, config: MockConfig, state: State,
                 clock: Callable[[], datetime]) -> None:
        self.profile = profile
        self.config = config
        self.state = state
        self.clock = clock
        self.catalogue = Catalog(config.catalogue)
        self.engines: dict[tuple[str, str], Engine] = {}
        self.engine_lock = threading.Lock()


@dataclass(slots=True)
class Call:
    """One request as a handler sees it."""

    env: MockEnv
    tx: Tx
    infno: str
    msgid: str
    envelope: Mapping[str, Any]
    input: dict[str, Any]
    now: datetime
    effect: dict[str, Any] = field(default_factory=dict)
    """What 2601 must undo (stored with the msgid)."""
    warn: str | None = None
    """A ``warn_msg`` to send with the success."""

    @property
    def fixmedins_code(self) -> str:
        """The sending institution."""
        return str(self.envelope["fixmedins_code"])

    @property
    def division(self) -> str:
        """就医地区划 of the sender (prefix of the ids the platform assigns)."""
        return str(self.envelope["mdtrtarea_admvs"])

    @property
    def level(self) -> str:
        """The sending hospital's level."""
        return self.env.config.level_of(self.fixmedins_code)

    @property
    def zero_for_absent(self) -> bool:
        """True when the profile writes absent numbers as ``"0"`` (they cannot be checked)."""
        return self.env.profile.null_policy_for(self.infno) is NullPolicy.ZERO_OR_EMPTY

    def parse(self, model: type[M], data: Any = None) -> M:
        """``input`` (or ``data``) validated as ``model``.

        :raises Refusal: naming every field that does not validate.
        """
        try:
            return model.model_validate(self.input if data is None else data)
        except ValidationError as exc:
            detail = "; ".join(f"{path or '<root>'}: {msg}" for path, msg in errors_of(exc))
            raise Refusal(f"input does not validate as {model.__name__}: {detail}") from exc


Handler = Callable[[Call], Output]


def new_id(call: Call, kind: str, tag: str) -> str:
    """A platform id: division (6) + ``tag`` + a 12-digit serial of counter ``kind``."""
    return f"{call.division}{tag}{call.tx.next_serial(kind):012d}"


def person_of(call: Call, psn_no: str) -> Row:
    """The person ``psn_no``.

    :raises Refusal: unknown.
    """
    row = call.tx.person(psn_no)
    if row is None:
        raise Refusal(f"人员编号 {psn_no} 不存在 (no such insured person)")
    return row


def visit_of(call: Call, mdtrt_id: str, psn_no: str, *, kind: str | None = None) -> Row:
    """The active visit ``mdtrt_id`` of ``psn_no`` at the sending institution.

    :param kind: ``outpatient`` or ``inpatient`` when the transaction needs one.
    :raises Refusal: unknown, cancelled, another person's or institution's, or the wrong kind.
    """
    row = call.tx.one("SELECT * FROM visits WHERE mdtrt_id = ?", mdtrt_id)
    if row is None or row["fixmedins_code"] != call.fixmedins_code:
        raise Refusal(f"就诊ID {mdtrt_id} 不存在 (no such visit at this institution)")
    if row["psn_no"] != psn_no:
        raise Refusal(f"就诊ID {mdtrt_id} belongs to another person than psn_no {psn_no}")
    if row["status"] == "cancelled":
        raise Refusal(f"就诊ID {mdtrt_id} has been cancelled")
    if kind is not None and row["kind"] != kind:
        raise Refusal(f"就诊ID {mdtrt_id} is an {row['kind']} visit, not {kind}")
    return row
