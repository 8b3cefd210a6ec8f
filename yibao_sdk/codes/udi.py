"""One UDI type for rules: :func:`parse_udi` dispatches to the GS1 or HIBCC parser by shape."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from yibao_sdk.codes.gs1 import GS, Gs1Udi, parse_gs1
from yibao_sdk.codes.hibcc import HibccUdi, parse_hibcc
from yibao_sdk.errors import CodeFormatError

__all__ = ["Udi", "UdiScheme", "parse_udi"]

UdiScheme = Literal["GS1", "HIBCC"]


@dataclass(frozen=True, slots=True)
class Udi:
    """A UDI reduced to what rules need, whatever its issuing scheme.

    :ivar scheme: ``"GS1"`` or ``"HIBCC"``.
    :ivar di: the device identifier (GTIN-14 for GS1; LIC + product + unit for HIBCC).
    :ivar expiry: the expiry date, if the label carries one.
    :ivar lot: the lot/batch, if any.
    :ivar serial: the serial number, if any.
    :ivar pi: the production identifier as text (``""`` when there is none).
    :ivar raw: the text exactly as given.
    :ivar detail: the scheme-specific parse result (not part of equality).
    """

    scheme: UdiScheme
    di: str
    expiry: date | None
    lot: str | None
    serial: str | None
    pi: str
    raw: str
    detail: Gs1Udi | HibccUdi = field(compare=False, repr=False)

    def is_expired_on(self, day: date) -> bool:
        """Return whether the device is past its expiry on ``day``.

        The expiry date itself is the last day of use, so this is ``day > expiry``; a label
        without an expiry date never counts as expired.
        """
        return self.expiry is not None and day > self.expiry

    @classmethod
    def from_gs1(cls, udi: Gs1Udi) -> Udi:
        """Wrap a :class:`Gs1Udi`."""
        return cls("GS1", udi.di, udi.expiry, udi.lot, udi.serial, udi.pi, udi.raw, udi)

    @classmethod
    def from_hibcc(cls, udi: HibccUdi) -> Udi:
        """Wrap a :class:`HibccUdi`."""
        return cls("HIBCC", udi.di, udi.expiry, udi.lot, udi.serial, udi.pi, udi.raw, udi)


def parse_udi(text: str, secondary: str | None = None, *, reference: date | None = None) -> Udi:
    """Parse a scanned or printed UDI into a :class:`Udi`.

    Dispatch by shape, after dropping a trailing CR/LF left by a scanner: ``+`` → HIBCC
    (``secondary`` may carry a separate HIBC secondary symbol); ``(``, ``]`` (symbology
    identifier), GS or a digit → GS1.  Anything else is rejected.

    :param text: the UDI text.
    :param secondary: a separate HIBC secondary symbol; only valid with HIBCC.
    :param reference: the day for two-digit-year expansion; defaults to today.
    :raises CodeFormatError: for every malformed input; no other exception escapes.
    """
    body = text.rstrip("\r\n")
    if body.startswith("+"):
        return Udi.from_hibcc(parse_hibcc(body, secondary, reference=reference))
    if secondary is not None:
        raise CodeFormatError("UDI", text, "a separate secondary symbol exists only for HIBCC")
    first = body[:1]
    if first in ("(", "]", GS) or (first.isascii() and first.isdigit()):
        return Udi.from_gs1(parse_gs1(body, reference=reference))
    msg = "not a recognised UDI: expected GS1 ('(01)…', '01…', ']d2…') or HIBCC ('+…')"
    raise CodeFormatError("UDI", text, msg)
