"""Typed HL7 v2 errors, each naming the segment and field where the problem was found.

::

    InputError (yibao_sdk.errors)
     └── Hl7Error                   any HL7 v2 problem; ``code`` is its HL7 table 0357 error code
          ├── Hl7ParseError         the text cannot be tokenised (framing, MSH, segment names)
          │    └── Hl7VersionError  MSH-12 names a version outside 2.3–2.8
          ├── Hl7EncodingError      bytes that do not decode, or an unknown MSH-18 character set
          ├── Hl7PathError          a malformed path or position handed to an accessor
          └── Hl7BuildError         an outbound message (ACK) cannot be built

Every message reads ``"<where>: segment 3 (PV1) field 44: <reason>"``; the parts are also kept
as attributes so that an ACK can point at the same place (ERR-2 / ERR-1).
"""

from __future__ import annotations

from yibao_sdk.errors import InputError

__all__ = [
    "Hl7BuildError",
    "Hl7EncodingError",
    "Hl7Error",
    "Hl7ParseError",
    "Hl7PathError",
    "Hl7VersionError",
    "location",
]


def location(segment: str = "", index: int | None = None, field: int | None = None) -> str:
    """Render where an error was found, e.g. ``"segment 3 (PV1) field 44"``.

    :param segment: the segment name (``"PV1"``), may be empty.
    :param index: the 1-based position of the segment in the message, if known.
    :param field: the HL7 field number, if known.
    """
    if index is not None:
        place = f"segment {index} ({segment})" if segment else f"segment {index}"
    else:
        place = segment
    if field is not None:
        place = f"{place} field {field}" if place else f"field {field}"
    return place


class Hl7Error(InputError):
    """An HL7 v2 message or value is malformed.

    :param reason: what was wrong, without the location.
    :param segment: name of the segment concerned (``"FT1"``), or ``""``.
    :param index: 1-based position of that segment in the message (``segment 3``).
    :param field: HL7 field number concerned, or ``None``.
    :param occurrence: which occurrence of ``segment`` it is (1 for the first FT1); ERR-2.2.
    :param where: the caller's context (peer, file name, batch position); may be empty.
    :param code: HL7 table 0357 error code for an ACK; defaults to the class's ``code``.
    """

    code: int = 207

    def __init__(
        self,
        reason: str,
        *,
        segment: str = "",
        index: int | None = None,
        field: int | None = None,
        occurrence: int | None = None,
        where: str = "",
        code: int | None = None,
    ) -> None:
        self.reason = reason
        self.segment = segment
        self.index = index
        self.field = field
        self.occurrence = occurrence
        self.source = where
        if code is not None:
            self.code = code
        parts = [p for p in (where, location(segment, index, field)) if p]
        super().__init__(reason, where=": ".join(parts))


class Hl7ParseError(Hl7Error):
    """The text cannot be tokenised as HL7 v2 (HL7 error 100, segment sequence error)."""

    code = 100


class Hl7VersionError(Hl7ParseError):
    """MSH-12 names a version this SDK does not read (HL7 error 203, unsupported version id)."""

    code = 203


class Hl7EncodingError(Hl7Error):
    """Bytes do not decode in the declared character set, or MSH-18 is unknown (HL7 error 103)."""

    code = 103


class Hl7PathError(Hl7Error):
    """A malformed path such as ``"PID-x"`` or a position below 1 handed to an accessor."""


class Hl7BuildError(Hl7Error):
    """An outbound message cannot be built, e.g. hl7apy is missing or refuses a value."""
