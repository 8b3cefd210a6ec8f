"""A tokenised HL7 v2 message (消息): segments in order, header shortcuts, groups and paths."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import cast

from yibao_sdk.hl7v2.delimiters import Delimiters
from yibao_sdk.hl7v2.path import parse_path
from yibao_sdk.hl7v2.segment import HeaderSegment, Segment

__all__ = ["Group", "Message"]


def _matcher(members: Iterable[str]) -> tuple[frozenset[str], tuple[str, ...]]:
    """Exact names and ``"Z*"``-style prefixes out of a member list."""
    return _compiled(members if isinstance(members, tuple) else tuple(members))


@lru_cache(maxsize=64)
def _compiled(names: tuple[str, ...]) -> tuple[frozenset[str], tuple[str, ...]]:
    exact = frozenset(n for n in names if not n.endswith("*"))
    prefixes = tuple(n[:-1] for n in names if n.endswith("*"))
    return exact, prefixes


@dataclass(frozen=True, slots=True)
class Group:
    """A repeating group: its first segment (e.g. FT1) and the members that followed it."""

    segments: tuple[Segment, ...]

    @property
    def head(self) -> Segment:
        """The segment that opened the group."""
        return self.segments[0]

    def segment(self, name: str) -> Segment | None:
        """The first segment called ``name`` in the group, or ``None``."""
        return next((s for s in self.segments if s.name == name), None)

    def all(self, name: str) -> list[Segment]:
        """Every segment called ``name`` in the group, in order."""
        return [s for s in self.segments if s.name == name]

    def __iter__(self) -> Iterator[Segment]:
        return iter(self.segments)


class Message:
    """One HL7 v2 message as a tuple of lazily split segments.

    Build it with :func:`yibao_sdk.hl7v2.parse_message`; the constructor trusts its input.
    """

    __slots__ = ("_index", "_type", "charset", "delimiters", "header", "segments", "version")

    def __init__(self, segments: tuple[Segment, ...], delimiters: Delimiters, charset: str,
                 version: str) -> None:
        self.segments = segments
        #: The MSH segment.
        self.header = cast(HeaderSegment, segments[0])
        #: The codec the message was decoded with (``"utf-8"``, ``"gb18030"`` …).
        self.charset = charset
        self.delimiters = delimiters
        #: MSH-12.1, e.g. ``"2.5.1"``.
        self.version = version
        self._index: dict[str, list[Segment]] | None = None
        self._type: tuple[str, str, str] | None = None

    @property
    def message_type(self) -> tuple[str, str, str]:
        """MSH-9 as ``(code, trigger, structure)``, e.g. ``("DFT", "P03", "DFT_P03")``.

        The structure is ``""`` when the sender left MSH-9.3 out (2.3/2.4 senders usually do).
        """
        if self._type is None:
            msh = self.header
            self._type = msh.value(9, 1), msh.value(9, 2), msh.value(9, 3)
        return self._type

    @property
    def control_id(self) -> str:
        """MSH-10, the message control id that the ACK echoes in MSA-2."""
        return self.header.value(10)

    @property
    def declared_charset(self) -> str:
        """MSH-18 (first repetition) as the sender wrote it, ``""`` when empty."""
        return self.header.value(18).strip()

    def _names(self) -> dict[str, list[Segment]]:
        if self._index is None:
            index: dict[str, list[Segment]] = {}
            for seg in self.segments:
                index.setdefault(seg.name, []).append(seg)
            self._index = index
        return self._index

    def segment(self, name: str) -> Segment | None:
        """The first segment called ``name``, or ``None``."""
        found = self._names().get(name)
        return found[0] if found else None

    def all(self, name: str) -> list[Segment]:
        """Every segment called ``name``, in message order."""
        return list(self._names().get(name, ()))

    def groups(self, start: str, members: Iterable[str] = ()) -> list[Group]:
        """Split the message into repeating groups opened by ``start``.

        A group runs from a ``start`` segment over the segments right after it whose names are
        in ``members`` (``"Z*"`` matches every name starting with ``Z``), and ends at the next
        ``start`` or at the first segment that is not a member.

        >>> [g.head.value(1) for g in msg.groups("FT1", ("PRT", "Z*"))]  # doctest: +SKIP
        """
        exact, prefixes = _matcher(members)
        groups: list[list[Segment]] = []
        current: list[Segment] | None = None
        for seg in self.segments:
            if seg.name == start:
                current = [seg]
                groups.append(current)
            elif current is not None and (seg.name in exact or seg.name.startswith(prefixes)):
                current.append(seg)
            else:
                current = None
        return [Group(tuple(g)) for g in groups]

    def __getitem__(self, path: str) -> str:
        """The value at a path such as ``"PID-5.1"``, ``"OBX(2)-5"`` or ``"PID-3(2).1"``.

        ``""`` when the segment or the value is absent.
        """
        p = parse_path(path)
        found = self._names().get(p.segment, ())
        if p.occurrence > len(found):
            return ""
        return found[p.occurrence - 1].value(p.field, p.component, p.subcomponent, p.repetition)

    def encode(self) -> str:
        """The message as ER7 text, every segment ended by CR (the original bytes otherwise)."""
        return "".join(f"{s.raw}\r" for s in self.segments)

    def __iter__(self) -> Iterator[Segment]:
        return iter(self.segments)

    def __len__(self) -> int:
        return len(self.segments)

    def __repr__(self) -> str:
        code, trigger, _ = self.message_type
        return f"<Message {code}^{trigger} {self.control_id!r} v{self.version}>"
