"""``parse_message``: bytes or text to a lazily tokenised :class:`Message` (消息解析)."""

from __future__ import annotations

import re

from yibao_sdk.hl7v2.charset import codec_for
from yibao_sdk.hl7v2.delimiters import Delimiters
from yibao_sdk.hl7v2.errors import Hl7EncodingError, Hl7ParseError, Hl7VersionError
from yibao_sdk.hl7v2.framing import (
    default_codec,
    lines,
    preview,
    redecode,
    start_error,
    to_text,
)
from yibao_sdk.hl7v2.message import Message
from yibao_sdk.hl7v2.segment import HeaderSegment, Segment

__all__ = ["ENVELOPE", "VERSIONS", "build_message", "parse_message"]

#: MSH-12 versions we read (HL7 v2.3 to v2.8.2).
VERSIONS = frozenset({"2.3", "2.3.1", "2.4", "2.5", "2.5.1", "2.6", "2.7", "2.7.1", "2.8",
                      "2.8.1", "2.8.2"})
#: Batch and file envelope segments; they never occur inside one message.
ENVELOPE = frozenset({"BHS", "BTS", "FHS", "FTS"})
_NAME = re.compile(r"[A-Z][A-Z0-9]{2}")
# Per field separator, the line starts (name + separator) already checked: they matched _NAME
# and are neither MSH nor an envelope segment.
_VALID_HEADS: dict[str, set[str]] = {}
_MAX_HEADS = 4096


def parse_message(data: bytes | str, *, encoding: str | None = None, where: str = "") -> Message:
    """Tokenise one HL7 v2 message.

    MLLP framing, leading whitespace and a UTF-8 byte-order mark are stripped; segments may end
    in CR, LF or CRLF. Bytes are decoded in the character set MSH-18 declares, found in the raw
    header first; when MSH-18 is empty, in ``encoding`` (the peer's default), else UTF-8.

    :param data: the message as received (bytes) or already decoded (str).
    :param encoding: the peer's default character set when MSH-18 is empty, e.g. ``"GB18030"``.
    :param where: context for error messages, e.g. the peer or file name.
    :raises Hl7ParseError: when the text is not an HL7 v2 message; the error names the segment
        (index and name) and field.
    :raises Hl7VersionError: when MSH-12 is not a version from 2.3 to 2.8.
    :raises Hl7EncodingError: for undecodable bytes or an unknown MSH-18 character set.
    """
    decoded = to_text(data, encoding=encoding, where=where)
    message = build_message(lines(decoded.text, where=where), codec=decoded.codec,
                            encoding=encoding, where=where)
    if decoded.codec is not None and message.charset != decoded.codec:
        decoded = redecode(decoded, message.charset, where=where)
        message = build_message(lines(decoded.text, where=where), codec=decoded.codec,
                                encoding=encoding, where=where)
        if message.charset != decoded.codec:
            raise Hl7EncodingError("MSH-18 reads differently in each character set it names",
                                   segment="MSH", index=1, field=18, where=where)
    return message


def build_message(seg_lines: list[str], *, codec: str | None, encoding: str | None,
                  where: str) -> Message:
    """A :class:`Message` from its segment lines (the first one must be MSH).

    :param codec: the codec the bytes were decoded with, ``None`` for str or ASCII input.
    """
    if not seg_lines or not seg_lines[0].startswith("MSH"):
        raise start_error(seg_lines[0] if seg_lines else "", where)
    d = Delimiters.from_header(seg_lines[0], where=where)
    header = HeaderSegment("MSH", seg_lines[0], d, codec or "utf-8", 1)
    charset = _charset(header, codec, encoding, where)
    header.charset = charset
    segments = _segments(seg_lines, header, where)
    return Message(segments, d, charset, _version(header, where))


def _charset(header: HeaderSegment, codec: str | None, encoding: str | None, where: str) -> str:
    """MSH-18's codec; else the codec used to decode; else the peer default."""
    declared = header.value(18).strip()
    if declared:
        return codec_for(declared, where=where)
    return codec or default_codec(encoding)


def _segments(seg_lines: list[str], header: HeaderSegment, where: str) -> tuple[Segment, ...]:
    d, charset = header.delimiters, header.charset
    heads = _heads(d.field)
    if not heads.issuperset([line[:4] for line in seg_lines[1:]]):
        for index in range(2, len(seg_lines) + 1):
            _check_line(seg_lines, index, d.field, where)
    body = [Segment(line[:3], line, d, charset, index)
            for index, line in enumerate(seg_lines[1:], 2)]
    return (header, *body)


def _heads(sep: str) -> set[str]:
    """Line starts already checked for field separator ``sep``: ``"PID|"``, or ``"PD1"`` alone.

    Each set is bounded by the 26 * 36 * 36 * 2 possible heads; it is emptied when fuzzed input
    grows it past a limit.
    """
    heads = _VALID_HEADS.setdefault(sep, set())
    if len(heads) > _MAX_HEADS:
        heads.clear()
    return heads


def _check_line(seg_lines: list[str], index: int, sep: str, where: str) -> None:
    """Raise for line ``index`` if it cannot be a segment of this message; remember good heads."""
    line = seg_lines[index - 1]
    name = line[:3]
    occurrence = sum(1 for ln in seg_lines[:index] if ln[:3] == name)
    if not _NAME.fullmatch(name):
        raise Hl7ParseError(f"expected a segment name such as PID, found {preview(line)}"
                            " (a line break inside a field?)", index=index, where=where)
    if name == "MSH" or name in ENVELOPE:
        raise Hl7ParseError(f"{name} inside a message: this is a batch, use parse_batch",
                            segment=name, index=index, occurrence=occurrence, where=where)
    if len(line) > 3 and line[3] != sep:
        raise Hl7ParseError(f"expected the field separator {sep!r} after the segment name, "
                            f"found {line[3]!r}", segment=name, index=index,
                            occurrence=occurrence, where=where)
    _heads(sep).add(line[:4])


def _version(header: HeaderSegment, where: str) -> str:
    """MSH-12.1, checked against :data:`VERSIONS`."""
    version = header.value(12).strip()
    if version not in VERSIONS:
        found = f"{version!r}" if version else "an empty MSH-12"
        raise Hl7VersionError(f"unsupported HL7 version {found}; we read 2.3 to 2.8.2",
                              segment="MSH", index=1, field=12, where=where)
    return version
