"""Encoding characters (分隔符) of a message and the escape sequences built on them."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from yibao_sdk.hl7v2.errors import Hl7ParseError

__all__ = ["ABSENT", "Delimiters", "escape", "unescape"]

#: Stands in for an encoding character the sender did not declare. Segments are split on CR
#: before any field is read, so no value can contain it: ``ABSENT in text`` is always false and
#: ``text.split(ABSENT)`` is ``[text]``, which keeps the hot path free of extra tests.
ABSENT = "\r"

#: The formatted-text (FT) line break ``\.br\``, read as ``"\n"``.
_LINE_BREAK = ".br"
#: Characters that may never reach the wire unescaped: they would end a segment or a frame.
_HEX_ESCAPED = ("\r", "\n", "\x0b", "\x1c")


def _is_delimiter_char(char: str) -> bool:
    """True for printable ASCII punctuation, the only characters we accept as delimiters."""
    return char.isascii() and char.isprintable() and not char.isalnum() and char != " "


@dataclass(frozen=True, slots=True)
class Delimiters:
    """The field separator (MSH-1) and encoding characters (MSH-2) of one message.

    An encoding character the sender left out is :data:`ABSENT`; :attr:`encoding_characters`
    renders MSH-2 exactly as declared.
    """

    field: str = "|"
    component: str = "^"
    repetition: str = "~"
    escape: str = "\\"
    subcomponent: str = "&"
    truncation: str = ABSENT

    @property
    def encoding_characters(self) -> str:
        """MSH-2 as declared, e.g. ``"^~\\&"`` or ``"^~\\&#"`` (v2.7+)."""
        chars = (self.component, self.repetition, self.escape, self.subcomponent, self.truncation)
        return "".join(c for c in chars if c != ABSENT)

    @classmethod
    def from_header(cls, text: str, *, segment: str = "MSH", index: int = 1,
                    where: str = "") -> Delimiters:
        """Read the delimiters from an MSH, BHS or FHS segment's text.

        :param text: the segment text, starting with its three-letter name.
        :param segment: the segment name, for error messages.
        :param index: the segment's 1-based position, for error messages.
        :param where: the caller's context, for error messages.
        :raises Hl7ParseError: when MSH-1 or MSH-2 is missing, repeated or not punctuation.
        """
        sep = text[3:4]
        found = _from_chars(sep, text[4:].split(sep, 1)[0] if sep else "")
        if isinstance(found, Delimiters):
            return found
        problem, field = found
        raise Hl7ParseError(problem, segment=segment, index=index, field=field, code=102,
                            where=where)


@lru_cache(maxsize=256)
def _from_chars(sep: str, chars: str) -> Delimiters | tuple[str, int]:
    """The delimiters for MSH-1 ``sep`` and MSH-2 ``chars``, or ``(problem, field number)``."""
    if not sep or not _is_delimiter_char(sep):
        found = repr(sep) if sep else "the end of the segment"
        return f"field separator must be ASCII punctuation, found {found}", 1
    problem = ""
    if not 1 <= len(chars) <= 5:
        problem = f"expected 4 encoding characters (5 from v2.7), found {len(chars)}"
    elif not all(_is_delimiter_char(c) for c in chars):
        problem = f"encoding characters must be ASCII punctuation, found {chars[:5]!r}"
    elif len(set(chars + sep)) != len(chars) + 1:
        problem = f"encoding characters {chars!r} repeat each other or the field separator"
    if problem:
        return problem, 2
    padded = [*chars, *[ABSENT] * (5 - len(chars))]
    return Delimiters(sep, padded[0], padded[1], padded[2], padded[3], padded[4])


@lru_cache(maxsize=64)
def _escape_table(d: Delimiters) -> dict[int, str]:
    """The ``str.translate`` table that escapes every delimiter of ``d``."""
    e = d.escape
    table = {ord(e): f"{e}E{e}", ord(d.field): f"{e}F{e}", ord(d.component): f"{e}S{e}",
             ord(d.repetition): f"{e}R{e}", ord(d.subcomponent): f"{e}T{e}"}
    if d.truncation != ABSENT:
        table[ord(d.truncation)] = f"{e}P{e}"
    for char in _HEX_ESCAPED:
        table[ord(char)] = f"{e}X{ord(char):02X}{e}"
    return table


def escape(text: str, delimiters: Delimiters) -> str:
    """Escape ``text`` for use as one value (a sub-component) in a message using ``delimiters``.

    Delimiters become ``\\F\\ \\S\\ \\T\\ \\R\\ \\E\\`` (``\\P\\`` for the v2.7 truncation
    character); CR, LF and the MLLP framing bytes become ``\\X0D\\``-style hex escapes. When the
    sender declared no escape character, delimiters are replaced by spaces: there is no way to
    carry them.
    """
    if delimiters.escape == ABSENT:
        specials = {delimiters.field, delimiters.component, delimiters.repetition,
                    delimiters.subcomponent, delimiters.truncation, *_HEX_ESCAPED}
        return "".join(" " if c in specials else c for c in text)
    return text.translate(_escape_table(delimiters))


def unescape(text: str, delimiters: Delimiters, charset: str = "utf-8") -> str:
    """Resolve the escape sequences in one value.

    ``\\F\\ \\S\\ \\T\\ \\R\\ \\E\\ \\P\\`` give the delimiters back, ``\\.br\\`` a line break
    (``"\\n"``), ``\\Xhh..\\`` the bytes ``hh..`` decoded in ``charset``; every other sequence
    (``\\H\\``, ``\\N\\``, ``\\C..\\``, ``\\M..\\``, ``\\Z..\\``, bad hex, an unterminated one) is
    kept verbatim.
    """
    esc = delimiters.escape
    if esc not in text:
        return text
    parts = text.split(esc)
    out = [parts[0]]
    last = len(parts) - 1
    for i in range(1, len(parts), 2):
        if i == last:  # an escape character with no closing one: keep it as it stands
            out.append(esc + parts[i])
            break
        out.append(_sequence(parts[i], delimiters, charset))
        out.append(parts[i + 1])
    return "".join(out)


def _sequence(seq: str, d: Delimiters, charset: str) -> str:
    """The text an escape sequence (without its escape characters) stands for."""
    fixed = {"F": d.field, "S": d.component, "T": d.subcomponent, "R": d.repetition,
             "E": d.escape, "P": d.truncation, _LINE_BREAK: "\n"}.get(seq)
    if fixed is not None and fixed != ABSENT:
        return fixed
    if seq[:1] == "X" and len(seq) > 1 and len(seq) % 2 == 1:
        try:
            return bytes.fromhex(seq[1:]).decode(charset)
        except (ValueError, LookupError):  # bad hex digits or bytes invalid in the charset
            pass
    return f"{d.escape}{seq}{d.escape}"
