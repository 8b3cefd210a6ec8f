"""From raw input to segment lines: MLLP/BOM stripping, decoding, separator normalisation."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from yibao_sdk.hl7v2.charset import (
    DEFAULT_CHARSET,
    check_bom,
    codec_for,
    decode,
    sniff_declared,
    to_codec,
)
from yibao_sdk.hl7v2.errors import Hl7EncodingError, Hl7ParseError

__all__ = ["Decoded", "default_codec", "field_at", "lines", "preview", "redecode", "start_error",
           "to_text"]

_LEAD = "\x0b \t\r\n\x0c"
_LEAD_BYTES = _LEAD.encode("ascii")
# Only separators and MLLP end bytes are stripped from the end: trailing spaces are data.
_TAIL = "\x1c\r\n"
_TAIL_BYTES = _TAIL.encode("ascii")


@dataclass(frozen=True, slots=True)
class Decoded:
    """Input as text, and the codec its bytes were decoded with.

    :param text: the unframed text, starting where the first segment starts.
    :param codec: the codec that decoded the bytes; ``None`` when the input was ``str`` or pure
        ASCII (then MSH-18 or the peer default decides, and no decoding can be wrong).
    :param bom: whether a UTF-8 byte-order mark was stripped.
    :param raw: the unframed bytes, kept for a second decoding when MSH-18 disagrees.
    """

    text: str
    codec: str | None
    bom: bool = False
    raw: bytes = b""


def default_codec(encoding: str | None) -> str:
    """The codec for a peer's configured default character set (UTF-8 when unset)."""
    return codec_for(encoding, field=None) if encoding else DEFAULT_CHARSET


def preview(text: str | bytes, size: int = 8) -> str:
    """A short, safe rendering of what was found, for error messages (no patient data run-on)."""
    return repr(text[:size]) + ("…" if len(text) > size else "")


def to_text(data: bytes | bytearray | memoryview | str, *, encoding: str | None, where: str,
            starts: tuple[str, ...] = ("MSH",)) -> Decoded:
    """Unframe ``data``, check how it starts, and decode it, finding MSH-18 in the raw header.

    :param starts: the segment names the input may start with; for bytes the first ``MSH``
        line (not necessarily the first line) gives MSH-18.
    :raises Hl7ParseError: for input that is neither bytes nor str, or that does not start
        with one of ``starts``.
    :raises Hl7EncodingError: for undecodable bytes, an unknown character set or a non
        ASCII-compatible byte-order mark.
    """
    if isinstance(data, str):
        text = data.lstrip(_LEAD).removeprefix("\ufeff").lstrip(_LEAD).rstrip(_TAIL)
        if not text.startswith(starts):
            raise start_error(text, where, starts)
        return Decoded(text, None)
    if not isinstance(data, bytes | bytearray | memoryview):
        raise Hl7ParseError(f"expected bytes or str, got {type(data).__name__}", where=where)
    raw, bom = check_bom(bytes(data).lstrip(_LEAD_BYTES))
    raw = raw.lstrip(_LEAD_BYTES).rstrip(_TAIL_BYTES)
    if not raw.startswith(_ascii(starts)):
        raise start_error(raw, where, starts)
    if raw.isascii():  # any codec reads it; a BOM still says the peer speaks UTF-8
        return Decoded(raw.decode("ascii"), "utf-8" if bom else None, bom, raw)
    hint = to_codec(sniff_declared(raw, _header_start(raw)))
    codec = "utf-8" if bom else hint or default_codec(encoding)
    return Decoded(decode(raw, codec, where=where), codec, bom, raw)


@lru_cache(maxsize=8)
def _ascii(names: tuple[str, ...]) -> tuple[bytes, ...]:
    return tuple(n.encode("ascii") for n in names)


def start_error(text: str | bytes, where: str,
                starts: tuple[str, ...] = ("MSH",)) -> Hl7ParseError:
    """The error for input that does not start with one of ``starts``, naming what it found."""
    if not text:
        return Hl7ParseError("empty message: no segments", where=where)
    head = text[:3] if isinstance(text, str) else text[:3].decode("latin-1")
    hint = " (a batch or file: use parse_batch)" if head in ("BHS", "FHS") else ""
    expected = " or ".join([", ".join(starts[:-1]), starts[-1]] if len(starts) > 1 else starts)
    return Hl7ParseError(f"expected the message to start with {expected}, found "
                         f"{preview(text)}{hint}", index=1, where=where)


def redecode(decoded: Decoded, declared: str, *, where: str) -> Decoded:
    """Decode again with the codec MSH-18 declared, when the sniffed one was different.

    :raises Hl7EncodingError: when a UTF-8 byte-order mark contradicts MSH-18.
    """
    if decoded.bom:
        raise Hl7EncodingError(f"UTF-8 byte-order mark, but MSH-18 declares {declared}",
                               segment="MSH", index=1, field=18, where=where)
    text = decode(decoded.raw, declared, where=where)
    return Decoded(text, declared, False, decoded.raw)


def _header_start(raw: bytes) -> int:
    """Offset of the first line starting with MSH (0 when there is none)."""
    if raw.startswith(b"MSH"):
        return 0
    found = [raw.find(b"\rMSH"), raw.find(b"\nMSH")]
    hits = [f + 1 for f in found if f != -1]
    return min(hits) if hits else 0


def lines(text: str, *, where: str) -> list[str]:
    """The segment lines of ``text``: CR, LF and CRLF all end a segment, blank lines vanish.

    :raises Hl7ParseError: for an MLLP framing byte (VT/FS) inside the message.
    """
    if "\n" in text:
        text = text.replace("\r\n", "\r").replace("\n", "\r")
    # str.isspace() counts VT and FS as whitespace: a line of them is framing, not blank.
    out = [ln for ln in text.split("\r")
           if ln and (not ln.isspace() or "\x0b" in ln or "\x1c" in ln)]
    if "\x0b" in text or "\x1c" in text:
        _framing_error(out, where)
    return out


def _framing_error(segments: list[str], where: str) -> None:
    for index, line in enumerate(segments, 1):
        for byte in ("\x0b", "\x1c"):
            if byte in line:
                raise Hl7ParseError(
                    f"MLLP framing byte {byte!r} inside the message (two frames run together?)",
                    segment=line[:3], index=index, field=field_at(line, line.index(byte)),
                    where=where)


def field_at(line: str, offset: int) -> int | None:
    """The HL7 field number that character ``offset`` of a segment line falls in."""
    sep = line[3:4]
    if not sep or offset < 4:
        return None
    number = line.count(sep, 0, offset)
    return number + 1 if line[:3] in ("MSH", "BHS", "FHS") else number
