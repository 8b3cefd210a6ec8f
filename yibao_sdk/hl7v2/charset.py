"""MSH-18 character sets (字符集): names to Python codecs, sniffing and decoding of raw bytes."""

from __future__ import annotations

import re
from functools import lru_cache

from yibao_sdk.hl7v2.errors import Hl7EncodingError

__all__ = ["DEFAULT_CHARSET", "codec_for", "decode", "sniff_declared", "to_codec"]

#: Codec used when MSH-18 is empty and the peer has no configured default. UTF-8 reads ASCII
#: (the HL7 default) unchanged and is what most Chinese HIS send today.
DEFAULT_CHARSET = "utf-8"

#: MSH-18 names (HL7 table 0211 and the common unofficial spellings), normalised by
#: :func:`_key`, to Python codecs. Only ASCII-compatible sets: we find MSH-18 in the raw bytes.
_CODECS = {
    "ASCII": "ascii", "USASCII": "ascii", "ISOIR6": "ascii",
    # Plain "UNICODE" (ISO 10646) found in an ASCII-readable header can only be UTF-8.
    "UNICODEUTF8": "utf-8", "UTF8": "utf-8", "UNICODE": "utf-8",
    "GB180302000": "gb18030", "GB18030": "gb18030", "GB180302005": "gb18030",
    "GBK": "gbk", "CP936": "gbk", "GB2312": "gbk", "GB231280": "gbk", "EUCCN": "gbk",
    "88591": "latin-1", "ISO88591": "latin-1", "ISOIR100": "latin-1", "LATIN1": "latin-1",
    "88592": "iso8859-2", "88595": "iso8859-5", "88597": "iso8859-7", "88599": "iso8859-9",
    "885915": "iso8859-15", "BIG5": "big5", "KSX1001": "euc_kr", "ISOIR149": "euc_kr",
}
_NOT_ASCII_COMPATIBLE = ("UNICODEUTF16", "UNICODEUTF32", "UTF16", "UTF32", "UCS2")
_NORMALISE = re.compile(r"[\s_/.-]+")
_BOMS = ((b"\xff\xfe", "UTF-16"), (b"\xfe\xff", "UTF-16"), (b"\x84\x31\x95\x33", "GB18030"))


def _key(name: str) -> str:
    return _NORMALISE.sub("", name.upper())


@lru_cache(maxsize=64)
def to_codec(name: str) -> str | None:
    """The Python codec for an MSH-18 name, or ``None`` when the name is unknown."""
    return _CODECS.get(_key(name))


def codec_for(name: str, *, where: str = "", field: int | None = 18) -> str:
    """The Python codec for an MSH-18 name (or a configured peer default).

    :raises Hl7EncodingError: for an unknown name or one we cannot read (UTF-16/32).
    """
    codec = to_codec(name)
    if codec is not None:
        return codec
    key = _key(name)
    reason = (f"character set {name!r} is not ASCII-compatible; send UTF-8 or GB18030"
              if key in _NOT_ASCII_COMPATIBLE else f"unknown character set {name!r}")
    if field is None:  # a configured default, not something the sender wrote
        raise Hl7EncodingError(reason, where=where)
    raise Hl7EncodingError(reason, segment="MSH", index=1, field=field, where=where)


def sniff_declared(raw: bytes, start: int = 0) -> str:
    """MSH-18 (first repetition) as written in the MSH header starting at ``raw[start]``.

    Only the header's ASCII bytes are needed. A GBK character before MSH-18 whose trail byte
    equals the field separator (``億`` is ``0x83 0x7C``) adds a field to a byte-level split,
    so the first known character set at MSH-18 or after is taken; the caller checks the
    decoded header again, so this is only a hint.
    """
    end = len(raw)
    for stop in (raw.find(b"\r", start), raw.find(b"\n", start)):
        if stop != -1:
            end = min(end, stop)
    header = raw[start:end]
    sep = header[3:4]
    fields = header.split(sep) if sep else []
    rep = fields[1][1:2] if len(fields) > 1 else b""
    names = [(f.split(rep, 1)[0] if rep else f).strip().decode("ascii", "replace")
             for f in fields[17:]]
    return next((n for n in names if to_codec(n)), names[0] if names else "")


def check_bom(raw: bytes) -> tuple[bytes, bool]:
    """Strip a UTF-8 byte-order mark; ``(rest, had_bom)``.

    :raises Hl7EncodingError: for a UTF-16 or GB18030 byte-order mark (not ASCII-compatible,
        or not worth guessing about).
    """
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:], True
    for bom, name in _BOMS:
        if raw.startswith(bom):
            raise Hl7EncodingError(f"{name} byte-order mark: send UTF-8 or GB18030 without one")
    return raw, False


def decode(raw: bytes, codec: str, *, where: str = "") -> str:
    """Decode ``raw`` with ``codec``; an undecodable byte names its segment and field.

    :raises Hl7EncodingError: with the segment index and name, the field number and the
        offending bytes.
    """
    try:
        return raw.decode(codec)
    except UnicodeDecodeError as exc:
        raise _decode_error(raw, codec, exc, where) from exc


def _decode_error(raw: bytes, codec: str, exc: UnicodeDecodeError, where: str) -> Hl7EncodingError:
    before = raw[: exc.start].replace(b"\r\n", b"\r").replace(b"\n", b"\r")
    index = before.count(b"\r") + 1
    line = before.rsplit(b"\r", 1)[-1]
    name = line[:3].decode("ascii", "replace")
    sep = line[3:4]
    field = line.count(sep) if sep else 0
    if name in ("MSH", "BHS", "FHS"):
        field += 1  # MSH-1 is the separator itself
    occurrence = sum(1 for ln in before.split(b"\r") if ln[:3] == line[:3])
    bad = raw[exc.start : min(exc.end, exc.start + 4)]
    return Hl7EncodingError(f"bytes {bad!r} at offset {exc.start} are not valid {codec}",
                            segment=name, index=index, field=field or None,
                            occurrence=occurrence, where=where)
