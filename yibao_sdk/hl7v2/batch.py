"""``parse_batch``: HL7 v2 files and batches (FHS/BHS … BTS/FTS) into their messages (批量)."""

from __future__ import annotations

from dataclasses import dataclass, field

from yibao_sdk.hl7v2.delimiters import Delimiters
from yibao_sdk.hl7v2.errors import Hl7EncodingError, Hl7ParseError
from yibao_sdk.hl7v2.framing import lines, preview, to_text
from yibao_sdk.hl7v2.message import Message
from yibao_sdk.hl7v2.parse import build_message
from yibao_sdk.hl7v2.segment import HeaderSegment, Segment

__all__ = ["Batch", "BatchFile", "parse_batch"]


@dataclass(frozen=True, slots=True)
class Batch:
    """One batch: optional BHS, its messages, optional BTS."""

    header: Segment | None
    messages: tuple[Message, ...]
    trailer: Segment | None

    def encode(self) -> str:
        """The batch as ER7 text, every segment ended by CR."""
        head = f"{self.header.raw}\r" if self.header else ""
        tail = f"{self.trailer.raw}\r" if self.trailer else ""
        return head + "".join(m.encode() for m in self.messages) + tail


@dataclass(frozen=True, slots=True)
class BatchFile:
    """A file: optional FHS, its batches, optional FTS. A bare run of messages is one batch."""

    header: Segment | None
    batches: tuple[Batch, ...]
    trailer: Segment | None

    @property
    def messages(self) -> tuple[Message, ...]:
        """Every message of every batch, in order."""
        return tuple(m for b in self.batches for m in b.messages)

    def encode(self) -> str:
        """The file as ER7 text, every segment ended by CR."""
        head = f"{self.header.raw}\r" if self.header else ""
        tail = f"{self.trailer.raw}\r" if self.trailer else ""
        return head + "".join(b.encode() for b in self.batches) + tail


@dataclass
class _Open:
    """The batch being read: its header, finished messages and the lines of the current one."""

    header: Segment | None = None
    messages: list[Message] = field(default_factory=list)
    current: list[str] = field(default_factory=list)
    start: int = 0


class _Reader:
    """Walks the lines of a file: [FHS] { [BHS] { MSH … }* [BTS] }* [FTS]."""

    def __init__(self, codec: str | None, encoding: str | None, where: str) -> None:
        self.codec, self.encoding, self.where = codec, encoding, where
        self.file_header: Segment | None = None
        self.file_trailer: Segment | None = None
        self.batches: list[Batch] = []
        self.open: _Open | None = None
        self.delimiters = Delimiters()

    def error(self, reason: str, name: str, index: int) -> Hl7ParseError:
        return Hl7ParseError(reason, segment=name, index=index, where=self.where)

    def feed(self, line: str, index: int) -> None:
        name = line[:3]
        if self.file_trailer is not None:
            raise self.error(f"{preview(line)} after the file trailer FTS", name, index)
        handler = {"FHS": self.fhs, "BHS": self.bhs, "BTS": self.bts, "FTS": self.fts,
                   "MSH": self.msh}.get(name, self.other)
        handler(line, index)

    def header(self, line: str, index: int) -> HeaderSegment:
        self.delimiters = Delimiters.from_header(line, segment=line[:3], index=index,
                                                 where=self.where)
        return HeaderSegment(line[:3], line, self.delimiters, self.codec or "utf-8", index)

    def fhs(self, line: str, index: int) -> None:
        if index != 1:
            raise self.error("a file cannot have more than one FHS; FHS must come first",
                             "FHS", index)
        self.file_header = self.header(line, index)

    def bhs(self, line: str, index: int) -> None:
        if self.open is not None:
            raise self.error("a batch cannot have more than one BHS: the batch opened before "
                             "it is not closed by BTS", "BHS", index)
        self.open = _Open(self.header(line, index))

    def msh(self, line: str, index: int) -> None:
        self.finish_message()
        self.open = self.open or _Open()
        self.open.current, self.open.start = [line], index

    def other(self, line: str, index: int) -> None:
        if self.open is None or not self.open.current:
            raise self.error(f"segment received before a message header (MSH): "
                             f"{preview(line)}", line[:3], index)
        self.open.current.append(line)

    def trailer(self, line: str, index: int) -> Segment:
        if line[3:4] not in ("", self.delimiters.field):
            raise self.error(f"expected the field separator {self.delimiters.field!r} after "
                             f"the segment name, found {line[3]!r}", line[:3], index)
        return Segment(line[:3], line, self.delimiters, self.codec or "utf-8", index)

    def bts(self, line: str, index: int) -> None:
        self.close(self.trailer(line, index))

    def fts(self, line: str, index: int) -> None:
        trailer = self.trailer(line, index)
        if self.open is not None:
            self.close(None)
        self.file_trailer = trailer

    def close(self, trailer: Segment | None) -> None:
        self.finish_message()
        batch = self.open or _Open()
        self.batches.append(Batch(batch.header, tuple(batch.messages), trailer))
        self.open = None

    def finish_message(self) -> None:
        if self.open is None or not self.open.current:
            return
        number = len(self.open.messages) + sum(len(b.messages) for b in self.batches) + 1
        where = f"message {number} (segment {self.open.start})"
        message = build_message(self.open.current, codec=self.codec, encoding=self.encoding,
                                where=f"{self.where}: {where}" if self.where else where)
        if self.codec is not None and message.charset != self.codec:
            raise Hl7EncodingError(f"{where} declares {message.declared_charset!r}, the file "
                                   f"was decoded as {self.codec}", where=self.where)
        self.open.messages.append(message)
        self.open.current = []


def parse_batch(data: bytes | str, *, encoding: str | None = None, where: str = "") -> BatchFile:
    """Tokenise an HL7 v2 file or batch into its messages.

    Accepts ``[FHS] { [BHS] {MSH …} [BTS] } [FTS]`` and a bare run of messages. Bytes are
    decoded once, in the character set declared by the first MSH (or ``encoding``).

    :raises Hl7ParseError: for a segment before any MSH, a second FHS, a BHS inside an open
        batch, anything after FTS, or any problem :func:`parse_message` would report.
    :raises Hl7EncodingError: for undecodable bytes, or non-ASCII messages declaring
        different character sets.
    """
    decoded = to_text(data, encoding=encoding, where=where, starts=("MSH", "BHS", "FHS"))
    seg_lines = lines(decoded.text, where=where)
    reader = _Reader(decoded.codec, encoding, where)
    for index, line in enumerate(seg_lines, 1):
        reader.feed(line, index)
    if reader.open is not None:
        reader.close(None)
    return BatchFile(reader.file_header, tuple(reader.batches), reader.file_trailer)
