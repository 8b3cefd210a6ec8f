"""Date helpers shared by the GS1 and HIBCC parsers (two-digit years, day ``00``, Julian days)."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

__all__ = ["expand_year", "julian_date", "last_day_of_month", "yymmdd"]


def expand_year(yy: int, reference: date | None = None) -> int:
    """Expand a two-digit year with the GS1 sliding-century rule (GS1 General Specifications).

    With ``cy`` the last two digits of the reference year: if ``yy - cy`` is 51…99 the year is
    in the previous century, if it is −99…−50 it is in the next century, otherwise it is in the
    current century.  The result lies in ``[reference.year - 49, reference.year + 50]``.

    :param yy: the two-digit year, 0–99.
    :param reference: the day to slide around; defaults to today.
    :returns: the four-digit year.
    """
    ref = (reference or date.today()).year
    century, cy = divmod(ref, 100)
    diff = yy - cy
    if diff >= 51:
        century -= 1
    elif diff <= -50:
        century += 1
    return century * 100 + yy


def last_day_of_month(year: int, month: int) -> int:
    """Return the number of the last day of ``month`` in ``year`` (handles leap years)."""
    return calendar.monthrange(year, month)[1]


def yymmdd(text: str, reference: date | None = None) -> date | None:
    """Decode ``YYMMDD``; day ``00`` means the last day of the month.

    :param text: six ASCII digits.
    :param reference: the day used by :func:`expand_year`.
    :returns: the date, or ``None`` when the text is not a real date.
    """
    if len(text) != 6 or not (text.isascii() and text.isdigit()):
        return None
    year = expand_year(int(text[0:2]), reference)
    month, day = int(text[2:4]), int(text[4:6])
    if not 1 <= month <= 12:
        return None
    last = last_day_of_month(year, month)
    if day == 0:
        day = last
    if day > last:
        return None
    return date(year, month, day)


def julian_date(text: str, reference: date | None = None) -> date | None:
    """Decode ``YYJJJ`` (year and day of the year, 001–365/366).

    :param text: five ASCII digits.
    :param reference: the day used by :func:`expand_year`.
    :returns: the date, or ``None`` when the day number does not exist in that year.
    """
    if len(text) != 5 or not (text.isascii() and text.isdigit()):
        return None
    year = expand_year(int(text[0:2]), reference)
    day_of_year = int(text[2:5])
    days_in_year = 366 if calendar.isleap(year) else 365
    if not 1 <= day_of_year <= days_in_year:
        return None
    return date(year, 1, 1) + timedelta(days=day_of_year - 1)
