"""GB 11643 citizen ID numbers (18 characters, ISO 7064 MOD 11-2 check character)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from yibao_sdk.codes.masking import mask_id_card
from yibao_sdk.errors import CodeFormatError

__all__ = ["IdCard", "idcard_check_char", "is_valid_id_card", "mask_id_card", "parse_id_card"]

KIND = "ID card"
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"  # indexed by (weighted sum) % 11
# GB/T 2260 province-level codes (71 Taiwan, 81 Hong Kong, 82 Macao, 83 residence permits).
_PROVINCES = frozenset(
    {"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37"}
    | {"41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64"}
    | {"65", "71", "81", "82", "83"}
)
_MIN_BIRTH_YEAR = 1850


@dataclass(frozen=True, slots=True, repr=False)
class IdCard:
    """A validated 18-character ID number.  ``repr`` and ``str`` show only the masked number.

    :ivar number: the full number (upper-case ``X``); personal data, never log it.
    :ivar region: the 6-digit GB/T 2260 administrative division code of registration.
    :ivar birth: the date of birth.
    :ivar sequence: the 3-digit sequence code (positions 15–17).
    :ivar sex: ``"male"`` when the 17th digit is odd, else ``"female"``.
    """

    number: str
    region: str
    birth: date
    sequence: str
    sex: Literal["male", "female"]

    @property
    def masked(self) -> str:
        """The number with all but the first 3 and last 2 characters masked."""
        return mask_id_card(self.number)

    @property
    def gend(self) -> Literal["1", "2"]:
        """The 医保 ``gend`` dictionary value (GB/T 2261.1): ``"1"`` male, ``"2"`` female."""
        return "1" if self.sex == "male" else "2"

    def __str__(self) -> str:
        return self.masked

    def __repr__(self) -> str:
        return f"IdCard(masked={self.masked!r})"


def idcard_check_char(first17: str) -> str:
    """Compute the GB 11643 check character (MOD 11-2) from the first 17 digits.

    Weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2; ``(12 - sum % 11) % 11``, with 10 → ``X``.

    :raises CodeFormatError: unless ``first17`` is exactly 17 ASCII digits (the value shown in
        the error is masked).
    """
    if len(first17) != 17 or not (first17.isascii() and first17.isdigit()):
        msg = f"expected exactly 17 digits, got {len(first17)} characters"
        raise CodeFormatError(KIND, mask_id_card(first17), msg)
    total = sum(int(ch) * w for ch, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def parse_id_card(s: str, *, today: date | None = None) -> IdCard:
    """Validate and decode an 18-character GB 11643 ID number.

    Checks: length 18; 17 digits then a digit or ``X`` (``x`` accepted and upper-cased); a
    known province code; a real birth date from 1850 up to ``today``; the check character.
    Error messages never contain the number or the birth date, only the masked value.

    :param s: the ID number.
    :param today: the latest acceptable birth date; defaults to today.
    :raises CodeFormatError: with ``value`` masked.
    """
    number = s.upper()
    masked = mask_id_card(number)
    if len(number) != 18:
        raise CodeFormatError(KIND, masked, f"expected 18 characters, got {len(number)}")
    bad = next((i for i, ch in enumerate(number[:17]) if not ("0" <= ch <= "9")), None)
    if bad is not None:
        msg = "the first 17 characters must be digits"
        raise CodeFormatError(KIND, masked, msg, where=f"position {bad + 1}")
    if not ("0" <= number[17] <= "9" or number[17] == "X"):
        msg = "the check character must be a digit or 'X'"
        raise CodeFormatError(KIND, masked, msg, where="position 18")
    if number[:2] not in _PROVINCES:
        msg = "the region code does not start with a GB/T 2260 province code"
        raise CodeFormatError(KIND, masked, msg, where="positions 1-2")
    birth = _birth_date(number[6:14])
    if birth is None or birth.year < _MIN_BIRTH_YEAR or birth > (today or date.today()):
        msg = "the birth date segment is not a real, plausible date"
        raise CodeFormatError(KIND, masked, msg, where="positions 7-14")
    if idcard_check_char(number[:17]) != number[17]:
        msg = "the check character does not match the first 17 digits"
        raise CodeFormatError(KIND, masked, msg, where="position 18")
    return IdCard(
        number=number,
        region=number[:6],
        birth=birth,
        sequence=number[14:17],
        sex="male" if int(number[16]) % 2 == 1 else "female",
    )


def _birth_date(yyyymmdd: str) -> date | None:
    try:
        return date(int(yyyymmdd[0:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return None


def is_valid_id_card(s: str) -> bool:
    """Return whether :func:`parse_id_card` accepts ``s`` (never raises)."""
    try:
        parse_id_card(s)
    except CodeFormatError:
        return False
    return True
