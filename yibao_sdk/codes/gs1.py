"""GS1 check digits and GS1 UDI parsing (human-readable ``(01)…`` and GS-separated machine form)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from yibao_sdk.codes._dates import yymmdd
from yibao_sdk.errors import CodeFormatError

__all__ = ["GS", "Gs1Udi", "gs1_check_digit", "is_valid_gtin", "parse_gs1"]

GS = "\x1d"
"""ASCII group separator: how scanners transmit FNC1 inside a GS1 element string."""

KIND = "GS1 UDI"
_SYMBOLOGY_IDS = frozenset({"]C1", "]d2", "]Q3", "]e0", "]J1"})
_CSET82 = frozenset(
    "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
)
# AIs whose first two digits are in this set have a predefined length and need no FNC1 after them.
_PREDEFINED = frozenset(
    {"00", "01", "02", "03", "04", "11", "12", "13", "14", "15", "16", "17", "18", "19", "20"}
    | {"31", "32", "33", "34", "35", "36", "41"}
)
_PI_AIS = ("11", "17", "10", "21")
_GTIN_LENGTHS = frozenset({8, 12, 13, 14})


@dataclass(frozen=True, slots=True)
class _Ai:
    title: str
    fixed: bool
    length: int  # the fixed length, or the maximum length when variable
    numeric: bool
    is_date: bool = False


_AIS: dict[str, _Ai] = {
    "00": _Ai("SSCC", True, 18, True),
    "01": _Ai("GTIN", True, 14, True),
    "02": _Ai("CONTENT", True, 14, True),
    "10": _Ai("BATCH/LOT", False, 20, False),
    "11": _Ai("PROD DATE", True, 6, True, True),
    "12": _Ai("DUE DATE", True, 6, True, True),
    "13": _Ai("PACK DATE", True, 6, True, True),
    "15": _Ai("BEST BEFORE", True, 6, True, True),
    "16": _Ai("SELL BY", True, 6, True, True),
    "17": _Ai("USE BY", True, 6, True, True),
    "20": _Ai("VARIANT", True, 2, True),
    "21": _Ai("SERIAL", False, 20, False),
    "22": _Ai("CPV", False, 20, False),
    "30": _Ai("VAR. COUNT", False, 8, True),
    "37": _Ai("COUNT", False, 8, True),
    "240": _Ai("ADDITIONAL ID", False, 30, False),
    "241": _Ai("CUST. PART No.", False, 30, False),
    "250": _Ai("SECONDARY SERIAL", False, 30, False),
    "7240": _Ai("PROTOCOL", False, 20, False),
}


def gs1_check_digit(digits: str) -> int:
    """Compute the GS1 mod-10 check digit (GTIN, GLN, SSCC).

    Starting from the rightmost digit the weights are 3, 1, 3, 1, …; the check digit is
    ``(10 - sum % 10) % 10``.  ``gs1_check_digit("0690123456789") == 2``.

    :param digits: the digits *without* the check digit.
    :raises CodeFormatError: when ``digits`` is empty or not all ASCII digits.
    """
    if not digits or not (digits.isascii() and digits.isdigit()):
        raise CodeFormatError("GS1 check digit", digits, "expected one or more ASCII digits")
    total = sum(int(ch) * (3 if i % 2 == 0 else 1) for i, ch in enumerate(reversed(digits)))
    return (10 - total % 10) % 10


def is_valid_gtin(s: str) -> bool:
    """Return whether ``s`` is a GTIN-8, -12, -13 or -14 with a correct check digit (no raise)."""
    if len(s) not in _GTIN_LENGTHS or not (s.isascii() and s.isdigit()):
        return False
    return gs1_check_digit(s[:-1]) == int(s[-1])


@dataclass(frozen=True, slots=True)
class Gs1Udi:
    """A parsed GS1 UDI: the DI from AI (01) and the production identifiers.

    :ivar di: the GTIN-14 (UDI-DI).
    :ivar expiry: AI (17); day ``00`` already resolved to the last day of the month.
    :ivar production: AI (11), resolved the same way.
    :ivar lot: AI (10).
    :ivar serial: AI (21).
    :ivar raw: the text exactly as given to :func:`parse_gs1`.
    :ivar elements: every ``(AI, data)`` pair in the order found, including other known AIs.
    """

    di: str
    expiry: date | None
    production: date | None
    lot: str | None
    serial: str | None
    raw: str
    elements: tuple[tuple[str, str], ...]

    @property
    def pi(self) -> str:
        """The production identifier in human-readable form, e.g. ``(17)271231(10)B2401``."""
        return "".join(f"({ai}){data}" for ai, data in self.elements if ai in _PI_AIS)

    def human_readable(self) -> str:
        """Render every element as ``(AI)data`` in the order parsed."""
        return "".join(f"({ai}){data}" for ai, data in self.elements)

    def element_string(self, separator: str = GS) -> str:
        """Render the machine form: AIs without parentheses, ``separator`` after each
        element that has no predefined length, unless it is the last one.

        :param separator: what stands for FNC1; GS (0x1D) by default.
        """
        parts: list[str] = []
        last = len(self.elements) - 1
        for i, (ai, data) in enumerate(self.elements):
            parts.append(ai + data)
            if i != last and ai[:2] not in _PREDEFINED:
                parts.append(separator)
        return "".join(parts)


def _fail(text: str, message: str, pos: int | None = None) -> CodeFormatError:
    where = f"position {pos + 1}" if pos is not None else ""
    return CodeFormatError(KIND, text, message, where=where)


def _split_human(text: str) -> Iterator[tuple[str, str, int]]:
    """Split ``(AI)data(AI)data…`` into ``(ai, data, 0-based data position)`` triples."""
    pos, n = 0, len(text)
    while pos < n:
        if text[pos] != "(":
            raise _fail(text, "expected '(' to open an application identifier", pos)
        close = text.find(")", pos)
        if close == -1:
            raise _fail(text, "unclosed '(' of an application identifier", pos)
        ai = text[pos + 1 : close]
        if ai not in _AIS:
            raise _fail(text, f"unknown or unsupported application identifier ({ai})", pos)
        nxt = text.find("(", close + 1)
        end = n if nxt == -1 else nxt
        data = text[close + 1 : end]
        stripped = data.strip(" ")
        yield ai, stripped, close + 1 + data.index(stripped) if stripped else close + 1
        pos = end


def _split_machine(text: str) -> Iterator[tuple[str, str, int]]:
    """Split a machine element string (optional symbology id / leading FNC1, GS separators)."""
    pos, n = 0, len(text)
    if text.startswith("]"):
        if text[:3] not in _SYMBOLOGY_IDS:
            raise _fail(text, f"symbology identifier {text[:3]!r} is not a GS1 one", 0)
        pos = 3
    while pos < n and text[pos] == GS:
        pos += 1
    while pos < n:
        ai = next((text[pos : pos + k] for k in (2, 3, 4) if text[pos : pos + k] in _AIS), None)
        if ai is None:
            found = text[pos : pos + 4]
            raise _fail(text, f"no known application identifier at {found!r}", pos)
        spec = _AIS[ai]
        start = pos + len(ai)
        if spec.fixed:
            end = min(start + spec.length, n)
            if GS in text[start:end]:
                end = text.index(GS, start)
        else:
            gs_at = text.find(GS, start)
            end = n if gs_at == -1 else gs_at
        yield ai, text[start:end], start
        pos = end
        while pos < n and text[pos] == GS:
            pos += 1


def _check_data(text: str, ai: str, data: str, pos: int) -> None:
    spec = _AIS[ai]
    if not data:
        raise _fail(text, f"AI ({ai}) {spec.title} has no data", pos)
    if spec.fixed and len(data) != spec.length:
        msg = f"AI ({ai}) {spec.title} needs exactly {spec.length} digits, got {len(data)}"
        raise _fail(text, msg, pos)
    if len(data) > spec.length:
        msg = f"AI ({ai}) {spec.title} allows at most {spec.length} characters, got {len(data)}"
        raise _fail(text, msg, pos)
    if spec.numeric and not (data.isascii() and data.isdigit()):
        raise _fail(text, f"AI ({ai}) {spec.title} must be digits only", pos)
    bad = next((i for i, ch in enumerate(data) if ch not in _CSET82), None)
    if bad is not None:
        msg = f"AI ({ai}) {spec.title} has a character outside GS1 set 82: {data[bad]!r}"
        raise _fail(text, msg, pos + bad)


def parse_gs1(text: str, *, reference: date | None = None) -> Gs1Udi:
    """Parse a GS1 UDI in human-readable or machine (element string) form.

    Human form: ``(01)06901234567892(17)271231(10)B2401(21)SN0001``; spaces around data are
    ignored and data may not contain ``(``.  Machine form: AIs without parentheses, each
    variable-length element not at the end terminated by GS (0x1D); a leading symbology
    identifier (``]d2``, ``]C1``, ``]Q3``, ``]e0``, ``]J1``) and leading GS are skipped.

    AI (01) is required and its check digit verified.  Dates (11, 17, …) are ``YYMMDD`` with
    the GS1 sliding-century rule and day ``00`` meaning the last day of the month.  Known
    non-UDI AIs (00, 02, 12–16, 20, 22, 30, 37, 240, 241, 250, 7240) are kept in
    :attr:`Gs1Udi.elements`; any other AI raises.  Positions in errors are 1-based.

    :param text: the scanned or printed UDI.
    :param reference: the day for the sliding-century rule; defaults to today.
    :raises CodeFormatError: on any structural, length, character-set, date or check failure.
    """
    if not text:
        raise _fail(text, "empty text")
    split = _split_human(text) if text.startswith("(") else _split_machine(text)
    seen: dict[str, str] = {}
    dates: dict[str, date] = {}
    positions: dict[str, int] = {}
    for ai, data, pos in split:  # checked as split, so the first error is the one reported
        if ai in seen:
            raise _fail(text, f"AI ({ai}) appears more than once", pos)
        _check_data(text, ai, data, pos)
        positions[ai] = pos
        if _AIS[ai].is_date:
            day = yymmdd(data, reference)
            if day is None:
                raise _fail(text, f"AI ({ai}) {data!r} is not a valid YYMMDD date", pos)
            dates[ai] = day
        seen[ai] = data
    gtin = seen.get("01")
    if gtin is None:
        raise _fail(text, "no AI (01) GTIN: a UDI needs its device identifier")
    if not is_valid_gtin(gtin):
        raise _fail(text, f"GTIN {gtin} has a wrong check digit", positions["01"] + 13)
    return Gs1Udi(
        di=gtin,
        expiry=dates.get("17"),
        production=dates.get("11"),
        lot=seen.get("10"),
        serial=seen.get("21"),
        raw=text,
        elements=tuple(seen.items()),
    )
