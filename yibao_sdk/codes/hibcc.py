"""HIBC LIC (HIBCC) UDI: the mod-43 check character and primary/secondary data parsing."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from yibao_sdk.codes._dates import expand_year, julian_date, last_day_of_month
from yibao_sdk.errors import CodeFormatError

__all__ = ["HibccUdi", "hibc_check_char", "parse_hibcc"]

KIND = "HIBCC UDI"
_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-. $/+%"
_VALUE = {ch: i for i, ch in enumerate(_ALPHABET)}
_PRIMARY = re.compile(r"\+([A-Z][A-Z0-9]{3})([A-Z0-9]{1,18})([0-9])")
_ALNUM = re.compile(r"[A-Z0-9]*")
# format digit -> (number of date digits after it, layout); "0"/"1" start MMYY themselves.
_DATE_FORMATS: dict[str, tuple[int, str]] = {
    "2": (6, "MMDDYY"),
    "3": (6, "YYMMDD"),
    "4": (8, "YYMMDDHH"),
    "5": (5, "YYJJJ"),
    "6": (7, "YYJJJHH"),
    "7": (0, ""),
}


def hibc_check_char(data: str) -> str:
    """Compute the HIBC mod-43 check character over *all* of ``data`` (leading ``+`` included).

    Values: ``0-9`` → 0–9, ``A-Z`` → 10–35, ``-`` 36, ``.`` 37, space 38, ``$`` 39, ``/`` 40,
    ``+`` 41, ``%`` 42; the check character is the one whose value is ``sum % 43``.
    ``hibc_check_char("+A99912345") == "7"``.

    :raises CodeFormatError: when ``data`` is empty or has a character outside that table.
    """
    if not data:
        raise CodeFormatError("HIBC check character", data, "expected at least one character")
    for i, ch in enumerate(data):
        if ch not in _VALUE:
            msg = f"character {ch!r} is not in the HIBC (Code 39) set"
            raise CodeFormatError("HIBC check character", data, msg, where=f"position {i + 1}")
    return _ALPHABET[sum(_VALUE[ch] for ch in data) % 43]


@dataclass(frozen=True, slots=True)
class HibccUdi:
    """A parsed HIBC LIC label.

    :ivar lic: the 4-character Labeler Identification Code.
    :ivar product: the product/catalogue number (1–18 characters).
    :ivar unit: the unit-of-measure digit (0 = the unit of use).
    :ivar expiry: expiry date from the secondary data (MMYY resolves to the month's last day).
    :ivar lot: lot/batch, if the secondary data carries one.
    :ivar serial: serial number, if the secondary data carries one.
    :ivar quantity: quantity from ``$$8``/``$$9`` formats.
    :ivar secondary: the secondary data without flag, link and check characters (``""``: none).
    :ivar raw: the text as given (primary, then ``"\\n"`` and the secondary when separate).
    """

    lic: str
    product: str
    unit: int
    expiry: date | None
    lot: str | None
    serial: str | None
    quantity: int | None
    secondary: str
    raw: str

    @property
    def di(self) -> str:
        """The device identifier: LIC + product + unit of measure (no ``+``, no check char)."""
        return f"{self.lic}{self.product}{self.unit}"

    @property
    def pi(self) -> str:
        """The production identifier: the secondary data string (``""`` when there is none)."""
        return self.secondary

    @property
    def link_char(self) -> str:
        """The primary's check character, which a separate secondary symbol repeats as its link."""
        return hibc_check_char("+" + self.di)


@dataclass(slots=True)
class _Secondary:
    expiry: date | None = None
    lot: str | None = None
    serial: str | None = None
    quantity: int | None = None


def _ymd(year: int, month: int, day: int) -> date | None:
    if not 1 <= month <= 12 or not 1 <= day <= last_day_of_month(year, month):
        return None
    return date(year, month, day)


def _decode_date(layout: str, digits: str, ref: date | None) -> date | None:
    """Decode one of the HIBC date layouts; ``None`` when it is not a real date/hour."""
    if len(digits) != len(layout) or not (digits.isascii() and digits.isdigit()):
        return None
    if layout.endswith("HH") and int(digits[-2:]) > 23:
        return None
    if layout.startswith("YYJJJ"):
        return julian_date(digits[:5], ref)
    if layout == "MMYY":
        year, month = expand_year(int(digits[2:4]), ref), int(digits[0:2])
        return _ymd(year, month, last_day_of_month(year, month)) if 1 <= month <= 12 else None
    if layout == "MMDDYY":
        return _ymd(expand_year(int(digits[4:6]), ref), int(digits[0:2]), int(digits[2:4]))
    return _ymd(expand_year(int(digits[0:2]), ref), int(digits[2:4]), int(digits[4:6]))


class _Reader:
    """Error helper for one secondary data string (positions are 1-based in ``value``)."""

    def __init__(self, value: str, offset: int, ref: date | None) -> None:
        self.value, self.offset, self.ref = value, offset, ref

    def fail(self, message: str, index: int) -> CodeFormatError:
        return CodeFormatError(KIND, self.value, message, where=f"position {self.offset + index}")

    def ident(self, data: str, index: int, limit: int, what: str) -> str | None:
        if "/" in data:
            raise self.fail("supplementary data ('/' data identifiers) is not supported", index)
        if not _ALNUM.fullmatch(data):
            raise self.fail(f"{what} must be upper-case letters and digits", index)
        if len(data) > limit:
            raise self.fail(f"{what} allows at most {limit} characters, got {len(data)}", index)
        return data or None

    def date(self, layout: str, digits: str, index: int) -> date:
        day = _decode_date(layout, digits, self.ref)
        if day is None:
            raise self.fail(f"date {digits!r} is not a valid {layout}", index)
        return day


def _parse_dollar_dollar(rd: _Reader, sec: str) -> _Secondary:
    """Parse ``$$`` / ``$$+`` secondary data (``sec`` starts with ``$$``)."""
    out = _Secondary()
    i = 2
    is_serial = sec.startswith("$$+")
    i += is_serial
    if sec[i : i + 1] in ("8", "9"):
        width = 2 if sec[i] == "8" else 5
        qty = sec[i + 1 : i + 1 + width]
        if len(qty) != width or not (qty.isascii() and qty.isdigit()):
            raise rd.fail(f"format {sec[i]} needs a {width}-digit quantity", i + 1)
        out.quantity = int(qty)
        i += 1 + width
    flag = sec[i : i + 1]
    if flag in ("0", "1"):
        out.expiry = rd.date("MMYY", sec[i : i + 4], i)
        i += 4
    elif flag in _DATE_FORMATS:
        width, layout = _DATE_FORMATS[flag]
        if width:
            out.expiry = rd.date(layout, sec[i + 1 : i + 1 + width], i + 1)
        i += 1 + width
    else:
        raise rd.fail(f"expected a date format digit 0-7 after '$$', got {flag!r}", i)
    if is_serial:
        out.serial = rd.ident(sec[i:], i, 18, "serial number")
    else:
        out.lot = rd.ident(sec[i:], i, 18, "lot")
    return out


def _parse_secondary(rd: _Reader, sec: str) -> _Secondary:
    """Parse secondary data without its leading ``+``/``/``, link and check characters."""
    if sec.startswith("$$"):
        return _parse_dollar_dollar(rd, sec)
    if sec.startswith("$+"):
        return _Secondary(serial=rd.ident(sec[2:], 2, 18, "serial number"))
    if sec.startswith("$"):
        return _Secondary(lot=rd.ident(sec[1:], 1, 18, "lot"))
    if sec[:1].isdigit():
        out = _Secondary(expiry=rd.date("YYJJJ", sec[:5], 0))
        out.lot = rd.ident(sec[5:], 5, 13, "lot")
        return out
    raise rd.fail("secondary data must start with a Julian date (digit) or '$'", 0)


def _verify(value: str, kind_of: str) -> None:
    """Check the characters and the trailing mod-43 check character of a whole symbol."""
    if not value.startswith("+"):
        raise CodeFormatError(KIND, value, f"{kind_of} must start with '+'", where="position 1")
    for i, ch in enumerate(value):
        if ch not in _VALUE:
            msg = f"character {ch!r} is not in the HIBC (Code 39) set"
            raise CodeFormatError(KIND, value, msg, where=f"position {i + 1}")
    if len(value) < 3:
        raise CodeFormatError(KIND, value, f"{kind_of} is too short")
    expected = hibc_check_char(value[:-1])
    if value[-1] != expected:
        msg = f"check character {value[-1]!r} does not match the data (expected {expected!r})"
        raise CodeFormatError(KIND, value, msg, where=f"position {len(value)}")


def parse_hibcc(
    text: str, secondary: str | None = None, *, reference: date | None = None
) -> HibccUdi:
    """Parse a HIBC LIC primary symbol, optionally with secondary data.

    Two layouts (HIBC LIC standard):

    * **concatenated** — ``+LIC PCN U/M / secondary C`` in one string: the primary has no
      check character of its own; one check character at the end covers everything from
      the leading ``+`` through the secondary data (``/`` included);
    * **separate** — ``text`` is the primary ``+LIC PCN U/M C`` and ``secondary`` is its own
      symbol ``+ data L C``: ``L`` (link) must equal the primary's check character and ``C``
      is the mod-43 check over the secondary's ``+``, data and link.

    Secondary data: ``YYJJJ`` + lot (≤13); ``$`` + lot; ``$+`` + serial; ``$$``/``$$+`` then
    an optional quantity (``8`` + 2 digits, ``9`` + 5 digits), then the date: ``MMYY`` written
    directly (its first digit is 0 or 1), or a format digit ``2`` MMDDYY, ``3`` YYMMDD,
    ``4`` YYMMDDHH, ``5`` YYJJJ, ``6`` YYJJJHH, ``7`` no date; then the lot (``$$``) or
    serial (``$$+``), ≤18 characters.  Two-digit years use the GS1 sliding-century rule.

    :param text: the primary (or concatenated) symbol's data, starting with ``+``.
    :param secondary: the separate secondary symbol's data, starting with ``+``.
    :param reference: the day for the two-digit-year rule; defaults to today.
    :raises CodeFormatError: on a bad character, structure, date or check/link character.
    """
    _verify(text, "HIBC data")
    if text[1] == "$" or text[1].isdigit():
        msg = "this is secondary data; pass the primary first: parse_hibcc(primary, secondary)"
        raise CodeFormatError(KIND, text, msg, where="position 2")
    primary, slash, concatenated = text[:-1].partition("/")
    match = _PRIMARY.fullmatch(primary)
    if match is None:
        msg = "primary must be '+', a 4-character LIC starting with a letter, a 1-18 character"
        raise CodeFormatError(KIND, text, msg + " product code and a unit-of-measure digit")
    if slash and secondary is not None:
        raise CodeFormatError(KIND, text, "secondary data given both after '/' and separately")
    fields = _Secondary()
    sec_data = ""
    if slash:
        sec_data = concatenated
        if not sec_data:
            raise CodeFormatError(KIND, text, "empty secondary data after '/'")
        fields = _parse_secondary(_Reader(text, len(primary) + 2, reference), sec_data)
    elif secondary is not None:
        _verify(secondary, "secondary data")
        if len(secondary) < 4:
            msg = "a separate secondary needs '+', data, a link and a check character"
            raise CodeFormatError(KIND, secondary, msg)
        sec_data = secondary[1:-2]
        if secondary[-2] != text[-1]:
            msg = f"link character does not match the primary's check character {text[-1]!r}"
            raise CodeFormatError(KIND, secondary, msg, where=f"position {len(secondary) - 1}")
        fields = _parse_secondary(_Reader(secondary, 2, reference), sec_data)
    raw = text if secondary is None else f"{text}\n{secondary}"
    return HibccUdi(
        lic=match[1],
        product=match[2],
        unit=int(match[3]),
        expiry=fields.expiry,
        lot=fields.lot,
        serial=fields.serial,
        quantity=fields.quantity,
        secondary=sec_data,
        raw=raw,
    )
