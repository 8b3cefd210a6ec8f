"""Segments (段) and fields (字段) that keep their raw text and split it only when read."""

from __future__ import annotations

from typing import NoReturn

from yibao_sdk.hl7v2.delimiters import Delimiters, unescape
from yibao_sdk.hl7v2.errors import Hl7PathError
from yibao_sdk.hl7v2.path import parse_path

__all__ = ["Field", "HeaderSegment", "Segment", "leaf"]


def _negative_field(n: int) -> NoReturn:
    raise Hl7PathError(f"field number must be 0 or more, got {n}")


def _pick(text: str, sep: str, index: int, what: str) -> str:
    """Part ``index`` (1-based) of ``text`` split on ``sep``; ``""`` past the end."""
    parts = text.split(sep)
    if 0 < index <= len(parts):
        return parts[index - 1]
    if index < 1:
        raise Hl7PathError(f"{what} must be 1 or more, got {index}")
    return ""


def _past(component: int) -> str:
    """``""`` for a component past the end; raise for one below 1."""
    if component < 1:
        raise Hl7PathError(f"component must be 1 or more, got {component}")
    return ""


def leaf(owner: Segment | Field, text: str, component: int, subcomponent: int,
         repetition: int) -> str:
    """One unescaped value out of a field's raw text; ``""`` when it is absent.

    :param owner: the segment or field the text belongs to (its delimiters and charset).
    :param text: the raw field (all repetitions), as it stands on the wire.
    """
    d = owner.delimiters
    if repetition != 1 or d.repetition in text:
        text = _pick(text, d.repetition, repetition, "repetition")
    if component != 1 or d.component in text:
        text = _pick(text, d.component, component, "component")
    if subcomponent != 1 or d.subcomponent in text:
        text = _pick(text, d.subcomponent, subcomponent, "subcomponent")
    return unescape(text, d, owner.charset) if d.escape in text else text


class Field:
    """One repetition of a field, e.g. one patient identifier out of PID-3."""

    __slots__ = ("charset", "delimiters", "raw")

    def __init__(self, raw: str, delimiters: Delimiters, charset: str = "utf-8") -> None:
        self.raw = raw
        self.delimiters = delimiters
        self.charset = charset

    def value(self, component: int = 1, subcomponent: int = 1) -> str:
        """The unescaped value at ``component.subcomponent``; ``""`` when absent."""
        return leaf(self, self.raw, component, subcomponent, 1)

    def components(self) -> list[list[str]]:
        """Every component as its list of unescaped sub-components."""
        d, charset = self.delimiters, self.charset
        return [[unescape(s, d, charset) for s in c.split(d.subcomponent)]
                for c in self.raw.split(d.component)]

    def __str__(self) -> str:
        return self.raw

    def __repr__(self) -> str:
        return f"Field({self.raw!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Field) and other.raw == self.raw

    def __hash__(self) -> int:
        return hash(self.raw)


class Segment:
    """One segment: its name, its raw text and (once read) its fields.

    Field numbers follow HL7: ``field(1)`` is the first field after the name. Nothing is split
    until a field is read, and nothing is unescaped until a value is read.
    """

    __slots__ = ("_esc", "_fields", "_rep", "_sub", "charset", "delimiters", "index", "name",
                 "raw")

    def __init__(self, name: str, raw: str, delimiters: Delimiters, charset: str = "utf-8",
                 index: int = 0) -> None:
        self.name = name
        self.raw = raw
        self.delimiters = delimiters
        self.charset = charset
        self.index = index
        self._fields: list[str] | None = None

    def _split(self) -> list[str]:
        raw, d = self.raw, self.delimiters
        # Which delimiters occur at all: most segments have no repetition or escape, so most
        # reads skip those tests.
        self._rep, self._sub = d.repetition in raw, d.subcomponent in raw
        self._esc = d.escape in raw
        self._fields = raw.split(d.field)
        return self._fields

    @property
    def fields(self) -> list[str]:
        """Raw field texts indexed by HL7 field number (index 0 is the segment name)."""
        return list(self._fields or self._split())

    def __len__(self) -> int:
        """The number of the last field present."""
        return len(self._fields or self._split()) - 1

    def field(self, n: int) -> str:
        """Field ``n`` as it stands on the wire (escaped, all repetitions); ``""`` if absent."""
        fields = self._fields or self._split()
        if 0 <= n < len(fields):
            return fields[n]
        return _negative_field(n) if n < 0 else ""

    def value(self, n: int, component: int = 1, subcomponent: int = 1,
              repetition: int = 1) -> str:
        """The unescaped value of field ``n``; ``""`` when it is absent.

        :param n: HL7 field number (``0`` gives the segment name).
        :raises Hl7PathError: when a position is below its minimum.
        """
        # The hot path of every mapper: :func:`leaf` inlined, the cheapest tests first.
        try:
            text = (self._fields or self._split())[n]
        except IndexError:
            return _negative_field(n) if n < 0 else ""
        if n < 0:
            _negative_field(n)
        d = self.delimiters
        if repetition != 1 or (self._rep and d.repetition in text):
            text = _pick(text, d.repetition, repetition, "repetition")
        if d.component in text:
            # maxsplit: only the parts up to the one asked for become new strings
            parts = text.split(d.component, component)
            text = parts[component - 1] if 0 < component <= len(parts) else _past(component)
        elif component != 1:
            text = _past(component)
        if subcomponent != 1 or (self._sub and d.subcomponent in text):
            text = _pick(text, d.subcomponent, subcomponent, "subcomponent")
        return unescape(text, d, self.charset) if self._esc and d.escape in text else text

    def firsts(self, numbers: tuple[int, ...]) -> list[str]:
        """``[self.value(n) for n in numbers]``: the first value of each field, in one call.

        The mappers' batch read: the segment is split once, and when it holds no repetition
        and no escape character each value is one or two ``partition`` calls.
        """
        fields = self._fields or self._split()
        if self._rep or self._esc:
            return [self.value(n) for n in numbers]
        size, comp, sub = len(fields), self.delimiters.component, self.delimiters.subcomponent
        return [fields[n].partition(comp)[0].partition(sub)[0] if 0 <= n < size
                else self.value(n) for n in numbers]

    def repetitions(self, n: int) -> list[Field]:
        """The repetitions of field ``n``; empty when the field is absent or empty."""
        text = self.field(n)
        if not text:
            return []
        d, charset = self.delimiters, self.charset
        return [Field(r, d, charset) for r in text.split(d.repetition)]

    def __getitem__(self, path: str) -> str:
        """The value at a path such as ``"PID-5.1"``, ``"PID-3(2).1"`` or ``"5.1"``."""
        p = parse_path(path, segment_optional=True)
        if p.segment and p.segment != self.name:
            raise Hl7PathError(f"path {path!r} names {p.segment}, this segment is {self.name}")
        return self.value(p.field, p.component, p.subcomponent, p.repetition)

    def __repr__(self) -> str:
        return f"<Segment {self.index} {self.name}>"


class HeaderSegment(Segment):
    """MSH, BHS or FHS: field 1 is the field separator and field 2 the encoding characters."""

    __slots__ = ()

    def _split(self) -> list[str]:
        parts = super()._split()
        parts.insert(1, self.delimiters.field)
        return parts

    def value(self, n: int, component: int = 1, subcomponent: int = 1,
              repetition: int = 1) -> str:
        """As :meth:`Segment.value`; fields 1 and 2 are returned literally, never split."""
        if n in (1, 2):
            literal = self.field(n)
            return literal if (component, subcomponent, repetition) == (1, 1, 1) else ""
        return super().value(n, component, subcomponent, repetition)

    def firsts(self, numbers: tuple[int, ...]) -> list[str]:
        """As :meth:`Segment.firsts`; fields 1 and 2 are returned literally."""
        return [self.value(n) for n in numbers]

    def repetitions(self, n: int) -> list[Field]:
        """As :meth:`Segment.repetitions`; fields 1 and 2 are one literal repetition."""
        if n in (1, 2):
            return [Field(self.field(n), self.delimiters, self.charset)]
        return super().repetitions(n)
