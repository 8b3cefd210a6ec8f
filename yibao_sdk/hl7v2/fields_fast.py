"""The hot readers behind :mod:`yibao_sdk.hl7v2.fields`: batch reads, timestamps and numbers.

A DFT^P03 with ten FT1 is read ~100 values at a time; these functions read a segment's values
in one call (:class:`FieldReader`: one regular-expression match per segment) and parse the
common shapes (``YYYYMMDDHHMMSS``, ``123.45``) by slicing and ``int``/``Decimal``, falling back
to the general path for everything else, with the same result and the same error either way.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from functools import lru_cache

from yibao_sdk.hl7v2.delimiters import Delimiters, unescape
from yibao_sdk.hl7v2.segment import Field, HeaderSegment, Segment
from yibao_sdk.models.base import to_local

__all__ = ["FieldReader", "coded_parts", "components", "parse_number", "parse_timestamp",
           "reader", "texts"]

_TS = re.compile(r"(\d{4})(\d\d)?(\d\d)?(\d\d)?(\d\d)?(?:(\d\d)(?:\.(\d{1,4}))?)?([+-]\d{4})?")
_NM = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
# Digit-only timestamps read by slicing: YYYYMMDD, YYYYMMDDHHMM, YYYYMMDDHHMMSS.
_PLAIN_TS = frozenset({8, 12, 14})


def texts(seg: Segment, numbers: tuple[int, ...]) -> list[str]:
    """:func:`~yibao_sdk.hl7v2.fields.text` of each field in ``numbers`` (component 1), at once:
    stripped of blanks, ``""`` when absent or the HL7 null ``""``."""
    return [v if v != '""' else "" for v in map(str.strip, seg.firsts(numbers))]


class FieldReader:
    """Many values of a segment in one call, by one match of a pattern built for the delimiters.

    ``spec`` lists ``(field number, width)`` pairs, numbers ascending. ``reader(seg)`` is the
    flat tuple of, per pair, ``text(seg, n)`` when the width is 1, else the first ``width``
    components of the field's first repetition, read as :func:`~yibao_sdk.hl7v2.fields.coded`
    reads them (:func:`coded_parts`).

    The pattern only matches when no value read holds an escape sequence, starts or ends in
    blanks, or is the HL7 null ``""``; then each value is the text up to the next delimiter,
    exactly what the general readers would return. Anything else (and a header segment, whose
    fields 1 and 2 are literal) is read by :func:`texts` and :func:`coded_parts`.
    """

    __slots__ = ("_pattern", "delimiters", "spec")

    def __init__(self, delimiters: Delimiters, spec: tuple[tuple[int, int], ...]) -> None:
        numbers = [n for n, _ in spec]
        if not numbers or numbers != sorted(set(numbers)) or numbers[0] < 1 or any(
                w < 1 for _, w in spec):
            raise ValueError(f"expected ascending field numbers and widths of 1 or more: {spec}")
        self.delimiters, self.spec = delimiters, spec
        self._pattern = re.compile(_pattern(delimiters, dict(spec)))

    def __call__(self, seg: Segment) -> tuple[str, ...]:
        d = seg.delimiters
        if (d is self.delimiters or d == self.delimiters) and not isinstance(seg, HeaderSegment):
            match = self._pattern.match(seg.raw)
            if match is not None:
                found: tuple[str, ...] = match.groups("")
                if '""' not in found:
                    return found
        return self._slow(seg)

    def _slow(self, seg: Segment) -> tuple[str, ...]:
        out: list[str] = []
        for (n, width), value in zip(self.spec, texts(seg, tuple(n for n, _ in self.spec)),
                                     strict=True):
            if width == 1:
                out.append(value)
            else:
                out.extend(coded_parts(seg, n, width))
        return tuple(out)


def _pattern(d: Delimiters, widths: dict[int, int]) -> str:
    """The pattern of :class:`FieldReader`: one group per value, nested optional parts.

    Each field (and each component after the first) is ``(?:<separator><value><rest>|<end>)``,
    so a field the segment lacks reads ``""``, and a separator followed by a value that cannot
    be read here (an escape, blanks at either end) fails the whole match, never skipping it.
    """
    f, c, s, r, e = (re.escape(x) for x in (d.field, d.component, d.subcomponent,
                                            d.repetition, d.escape))
    # the first sub-component of a component: no escape, no blanks at either end
    leaf = rf"(?!\s)([^{f}{c}{s}{r}{e}]*+)(?<!\s)(?!{e})"
    pattern = ""  # built inside out: field n and, nested in it, the fields after it
    for n in range(max(widths), 0, -1):
        width = widths.get(n, 0)
        body = f"[^{f}]*+"
        if width:
            components = ""
            for _ in range(width - 1):
                components = f"(?:{c}{leaf}[^{f}{c}{r}]*+{components}|(?!{c}))"
            body = f"{leaf}[^{f}{c}{r}]*+{components}[^{f}]*+"
        pattern = f"(?:{f}{body}{pattern}|\\Z)"
    return f"[^{f}]*+{pattern}"


@lru_cache(maxsize=64)
def reader(delimiters: Delimiters, spec: tuple[tuple[int, int], ...]) -> FieldReader:
    """The :class:`FieldReader` for ``delimiters`` and ``spec`` (built once)."""
    return FieldReader(delimiters, spec)


def coded_parts(seg: Segment, n: int, width: int = 6, repetition: int = 1) -> list[str]:
    """The first ``width`` components of one repetition of field ``n``, each its unescaped
    first sub-component stripped of blanks (``""`` for the HL7 null ``""`` and past the end)."""
    raw = seg.field(n)
    d = seg.delimiters
    reps = raw.split(d.repetition)
    if not raw or len(reps) < repetition:
        return [""] * width
    raw = reps[repetition - 1]
    if d.escape in raw or d.subcomponent in raw:
        parts = [c[0] for c in Field(raw, d, seg.charset).components()[:width]]
    else:  # the common case: plain components, nothing to unescape
        parts = raw.split(d.component, width)[:width]
    parts.extend([""] * (width - len(parts)))
    return [v if v != '""' else "" for v in map(str.strip, parts)]


def components(seg: Segment, n: int, width: int = 0) -> list[list[str]]:
    """Each repetition of field ``n`` as its components' unescaped first sub-components.

    ``components(seg, n)[r][c - 1] == seg.repetitions(n)[r].value(c)``; each list is padded
    with ``""`` to at least ``width`` components. Empty when the field is absent or empty.
    """
    text = seg.field(n)
    if not text:
        return []
    d = seg.delimiters
    literal = n in (1, 2) and isinstance(seg, HeaderSegment)
    reps = [text] if literal else text.split(d.repetition)
    if d.escape in text or d.subcomponent in text:
        sub, charset = d.subcomponent, seg.charset
        found = [[unescape(c.split(sub)[0], d, charset) for c in r.split(d.component)]
                 for r in reps]
    else:  # the common case: plain components, nothing to unescape
        found = [r.split(d.component) for r in reps]
    for parts in found:
        if len(parts) < width:
            parts.extend([""] * (width - len(parts)))
    return found


def parse_timestamp(value: str) -> datetime:
    """``YYYY[MM[DD[HH[MM[SS[.S]]]]]][+/-ZZZZ]`` as naive China-local time (see ``to_local``).

    :raises ValueError: when ``value`` is not such a timestamp or names an impossible moment.
    """
    s = value.strip()
    if len(s) in _PLAIN_TS and s.isascii() and s.isdigit():  # no zone: already local
        return datetime(int(s[:4]), int(s[4:6]), int(s[6:8]), int(s[8:10] or 0),
                        int(s[10:12] or 0), int(s[12:] or 0))
    match = _TS.fullmatch(s)
    if match is None:
        raise ValueError(value)
    y, mo, d, h, mi, sec, frac, zone = match.groups()
    tz = None
    if zone:
        minutes = int(zone[1:3]) * 60 + int(zone[3:])
        tz = timezone(timedelta(minutes=-minutes if zone[0] == "-" else minutes))
    micro = int((frac or "0").ljust(6, "0"))
    moment = datetime(int(y), int(mo or 1), int(d or 1), int(h or 0), int(mi or 0),
                      int(sec or 0), micro, tz)
    try:
        return to_local(moment)
    except OverflowError as exc:  # year 1 or 9999 shifted out of range by the offset
        raise ValueError(value) from exc


def parse_number(value: str) -> Decimal:
    """An HL7 NM value (``[+-]digits[.digits]``) as a Decimal; no exponent, NaN or infinity.

    :raises ValueError: for anything else.
    """
    stripped = value.strip()
    # ASCII digits with at most one point (not alone) need no grammar: the common case
    if not ((stripped.isascii() and stripped.replace(".", "", 1).isdigit())
            or _NM.fullmatch(stripped)):
        raise ValueError(value)
    return Decimal(stripped)
