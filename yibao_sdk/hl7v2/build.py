"""hl7apy at its strengths: structure-aware ACK building and on-demand structure validation."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from datetime import datetime
from types import ModuleType
from typing import Any

from yibao_sdk.hl7v2.ack import AckCode, AckError, AckPlan, plan_ack
from yibao_sdk.hl7v2.delimiters import ABSENT, Delimiters
from yibao_sdk.hl7v2.errors import Hl7BuildError
from yibao_sdk.hl7v2.message import Message

__all__ = ["build_ack", "hl7apy_version", "validate_structure"]

# hl7apy has no 2.7.1 library; 2.7 has the same ACK and structures for our purposes.
_LIBRARY = {"2.7.1": "2.7"}


def _hl7apy() -> ModuleType:
    """hl7apy, imported on first use: the tokenizer and the fast ACK work without it."""
    try:
        import hl7apy.core
    except ImportError as exc:  # optional dependency
        raise Hl7BuildError("hl7apy is not installed: pip install hl7apy") from exc
    module: ModuleType = hl7apy
    return module


def hl7apy_version(version: str) -> str:
    """The hl7apy library to use for an MSH-12 version."""
    return _LIBRARY.get(version, version)


def _encoding_chars(d: Delimiters) -> dict[str, str]:
    if ABSENT in (d.component, d.repetition, d.escape, d.subcomponent):
        raise Hl7BuildError("hl7apy needs all four encoding characters in MSH-2; "
                            "use build_ack_fast", segment="MSH", index=1, field=2)
    chars = {"FIELD": d.field, "COMPONENT": d.component, "REPETITION": d.repetition,
             "ESCAPE": d.escape, "SUBCOMPONENT": d.subcomponent, "SEGMENT": "\r",
             "GROUP": "\r"}
    if d.truncation != ABSENT:
        chars["TRUNCATION"] = d.truncation
    return chars


def _set_fields(segment: Any, fields: dict[int, str], repetition: str) -> None:
    """Set raw ER7 fields; hl7apy does not split repetitions itself, so each gets its own."""
    name = segment.name.lower()
    for number in sorted(n for n in fields if fields[n]):
        first, *more = fields[number].split(repetition)
        setattr(segment, f"{name}_{number}", first)
        for rep in more:
            segment.add_field(f"{name}_{number}").value = rep


def _err_text(segment: Any, fields: dict[int, str], d: Delimiters) -> str:
    """ER7 of an ERR segment; hl7apy's v2.7+ ERR leaves out withdrawn ERR-1 and shifts the
    later fields one place left on output, so the empty ERR-1 is put back."""
    text: str = segment.to_er7()
    if "ERR_1" not in segment.ordered_children and 1 not in fields:
        text = text.replace(f"ERR{d.field}", f"ERR{d.field}{d.field}", 1)
    return text


def _render(plan: AckPlan) -> str:
    hl7apy = _hl7apy()
    from hl7apy.consts import VALIDATION_LEVEL

    version, d = hl7apy_version(plan.version), plan.delimiters
    ack = hl7apy.core.Message("ACK", version=version, encoding_chars=_encoding_chars(d),
                              validation_level=VALIDATION_LEVEL.STRICT)
    _set_fields(ack.msh, plan.msh, d.repetition)
    _set_fields(ack.msa, plan.msa, d.repetition)
    segments = [ack.msh.to_er7(), ack.msa.to_er7()]
    for fields in plan.errs:
        err = ack.add_segment("ERR")  # in the message first: it reads our delimiters then
        _set_fields(err, fields, d.repetition)
        segments.append(_err_text(err, fields, d))
    return "".join(f"{s}\r" for s in segments)


def build_ack(message: Message, code: AckCode, *, errors: Sequence[AckError] = (),
              text: str = "", control_id: str | None = None,
              now: datetime | None = None) -> str:
    """Build the ACK to ``message`` with hl7apy (STRICT: every field must exist in the version).

    MSH swaps sender and receiver, keeps the version, the encoding characters and MSH-18, and
    gets a new control id; MSA carries ``code`` and the original control id; each of
    ``errors`` gets an ERR segment from v2.5 (ERR-2/3/4/5/8) and an ERR-1 repetition in the
    single ERR that v2.3/2.4 allow. Parameters as :func:`yibao_sdk.hl7v2.build_ack_fast`,
    which formats the same text over a hundred times faster.

    :raises Hl7BuildError: when hl7apy is missing or refuses a value.
    """
    plan = plan_ack(message, code, errors, text, control_id=control_id, now=now)
    _hl7apy()
    try:
        return _render(plan)
    # hl7apy signals a refused value with its own exceptions, and with plain ones from deeper
    # inside; either way the caller gets one typed error.
    except Exception as exc:
        raise Hl7BuildError(f"hl7apy refused the ACK: {type(exc).__name__}: {exc}") from exc


def validate_structure(message: Message) -> list[str]:
    """Check ``message`` against its version's message structure with hl7apy's validator.

    Strict: segment order and cardinality, datatypes, lengths and table values. Slow (tens of
    milliseconds); run it on demand, not on the MLLP hot path. The structure is MSH-9.3, else
    ``ACK`` for an ACK, else ``<code>_<trigger>``.

    :return: the problems, one ``"Error: …"`` or ``"Warning: …"`` line each; ``[]`` when the
        message conforms. Never raises for a bad message.
    """
    hl7apy = _hl7apy()
    from hl7apy.consts import VALIDATION_LEVEL
    from hl7apy.parser import parse_segments

    code, trigger, structure = message.message_type
    structure = structure or (code if code == "ACK" else f"{code}_{trigger}")
    version = hl7apy_version(message.version)
    text = message.encode() if version == message.version else _with_version(message, version)
    level = VALIDATION_LEVEL.TOLERANT
    try:
        parsed = hl7apy.core.Message(structure, version=version, validation_level=level,
                                     encoding_chars=_encoding_chars(message.delimiters))
        parsed.children = parse_segments(text.rstrip("\r"), version, parsed.encoding_chars,
                                         level, parsed.reference, True)
    except hl7apy.exceptions.InvalidName:
        return [f"Error: HL7 v{version} has no message structure {structure!r} (MSH-9)"]
    # hl7apy fails in many ways on odd input (its own exceptions and plain ones): all are
    # findings here, the report is the contract.
    except Exception as exc:
        return [f"Error: hl7apy cannot read the message: {type(exc).__name__}: {exc}"]
    return _report(parsed)


def _with_version(message: Message, version: str) -> str:
    """The message text with MSH-12 replaced (for versions hl7apy knows under another name)."""
    fields = message.header.fields
    fields[12] = version
    msh = message.delimiters.field.join([fields[0], *fields[2:]])
    return "".join(f"{raw}\r" for raw in (msh, *(s.raw for s in message.segments[1:])))


def _report(parsed: Any) -> list[str]:
    from hl7apy.validation import Validator

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "report.txt")
        try:
            Validator.validate(parsed, reference=parsed.reference, report_file=path)
        # The validator raises its first finding after writing the report; on some inputs it
        # also fails inside itself (AttributeError, KeyError …): that is a finding too.
        except Exception as exc:
            if not os.path.exists(path):
                return [f"Error: hl7apy's validator failed: {type(exc).__name__}: {exc}"]
        with open(path, encoding="utf-8", errors="replace") as report:
            return [line for line in report.read().splitlines() if line]
