"""NHSA (医保) national codes: drugs, medical consumables and medical service items."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from yibao_sdk.errors import CodeFormatError

__all__ = [
    "ConsumableCode",
    "DrugCode",
    "ItemKind",
    "ServiceCode",
    "classify_item_code",
    "validate_consumable_code",
    "validate_drug_code",
    "validate_service_code",
]

ItemKind = Literal["drug", "consumable", "service"]
DrugKind = Literal["western", "patent"]

_DRUG = "drug code"
_CONSUMABLE = "consumable code"
_SERVICE = "service item code"

# (segment name, 0-based start, length, regex, description for the error message)
_Segment = tuple[str, int, int, str, str]
_LETTER3 = r"[A-Z][0-9]{3}"
_CLASS: _Segment = ("class", 1, 5, r"[A-Z][0-9]{2}[A-Z]{2}", "a letter, 2 digits and 2 letters")
_WESTERN: tuple[_Segment, ...] = (
    ("kind", 0, 1, "X", "'X'"),
    _CLASS,
    ("generic name", 6, 4, _LETTER3, "a letter followed by 3 digits"),
    ("dosage form", 10, 4, _LETTER3, "a letter followed by 3 digits"),
    ("specification", 14, 2, "[0-9]{2}", "2 digits"),
    ("package", 16, 2, "[0-9]{2}", "2 digits"),
    ("enterprise", 18, 5, "[0-9]{5}", "5 digits"),
)
_PATENT: tuple[_Segment, ...] = (
    ("kind", 0, 1, "Z", "'Z'"),
    _CLASS,
    ("generic name", 6, 5, r"[A-Z][0-9]{4}", "a letter followed by 4 digits"),
    ("specification", 11, 2, "[0-9]{2}", "2 digits"),
    ("package", 13, 2, "[0-9]{2}", "2 digits"),
    ("enterprise", 15, 5, "[0-9]{5}", "5 digits"),
)
_CONSUMABLE_SEGMENTS: tuple[_Segment, ...] = (
    ("kind", 0, 1, "C", "'C'"),
    ("classification", 1, 6, "[0-9]{6}", "6 digits"),
    ("generic name", 7, 3, "[0-9]{3}", "3 digits"),
    ("product feature", 10, 5, "[0-9]{5}", "5 digits"),
    ("enterprise", 15, 5, "[0-9]{5}", "5 digits"),
    ("specification/model", 20, 7, "[0-9A-Z]{7}", "7 digits or upper-case letters"),
)
_SERVICE_SEGMENTS: tuple[_Segment, ...] = (
    ("national prefix", 0, 2, "00", "'00'"),
    ("price item", 2, 9, "[0-9]{9}", "9 digits"),
    ("extension", 11, 4, "[0-9]{4}", "4 digits"),
)

_RE_WESTERN = re.compile(r"X[A-Z][0-9]{2}[A-Z]{2}[A-Z][0-9]{3}[A-Z][0-9]{3}[0-9]{9}")
_RE_PATENT = re.compile(r"Z[A-Z][0-9]{2}[A-Z]{2}[A-Z][0-9]{4}[0-9]{9}")
_RE_CONSUMABLE = re.compile(r"C[0-9]{19}(?:[0-9A-Z]{7})?")
_RE_SERVICE = re.compile(r"00[0-9]{13}")


def _check_segments(kind: str, code: str, segments: tuple[_Segment, ...]) -> None:
    """Raise for the first segment of ``code`` that does not match (length already checked)."""
    for name, start, length, pattern, description in segments:
        part = code[start : start + length]
        if len(part) == length and re.fullmatch(pattern, part):
            continue
        msg = f"segment {name!r} at position {start + 1} must be {description}, got {part!r}"
        raise CodeFormatError(kind, code, msg, where=f"position {start + 1}")


def _check_length(kind: str, code: str, expected: tuple[int, ...], what: str) -> None:
    if len(code) not in expected:
        wanted = " or ".join(str(n) for n in expected)
        msg = f"expected {wanted} characters for {what}, got {len(code)}"
        raise CodeFormatError(kind, code, msg)


@dataclass(frozen=True, slots=True)
class DrugCode:
    """A national drug code (医保药品分类与代码): 23 characters western, 20 patent medicine.

    :ivar code: the full code.
    :ivar kind: ``"western"`` (``X…``) or ``"patent"`` (Chinese patent medicine, ``Z…``).
    :ivar dosage_form: the 4-character dosage-form segment; ``None`` for patent medicines.
    """

    code: str
    kind: DrugKind
    dosage_form: str | None

    @property
    def generic_prefix(self) -> str:
        """The generic-name level: the first 10 characters (western) or 11 (patent)."""
        return self.code[:10] if self.kind == "western" else self.code[:11]

    @property
    def class_prefix(self) -> str:
        """The class level (used for duplicate-prescribing rules): the first 6 characters."""
        return self.code[:6]

    @property
    def enterprise(self) -> str:
        """The 5-digit enterprise segment (the last 5 characters)."""
        return self.code[-5:]


def validate_drug_code(s: str) -> DrugCode:
    """Validate a national drug code and return its parts.

    Western: ``^X[A-Z]\\d{2}[A-Z]{2}[A-Z]\\d{3}[A-Z]\\d{3}\\d{9}$`` (e.g.
    ``XA11DAW036A001010104127``).  Patent: ``^Z[A-Z]\\d{2}[A-Z]{2}[A-Z]\\d{4}\\d{9}$`` (e.g.
    ``ZA04CAE0023010100166``).  There is no check digit.  Digits are ASCII only.

    :raises CodeFormatError: naming the wrong length or the first wrong segment and position.
    """
    if s.startswith("X"):
        _check_length(_DRUG, s, (23,), "a western drug code")
        _check_segments(_DRUG, s, _WESTERN)
        return DrugCode(code=s, kind="western", dosage_form=s[10:14])
    if s.startswith("Z"):
        _check_length(_DRUG, s, (20,), "a Chinese patent medicine code")
        _check_segments(_DRUG, s, _PATENT)
        return DrugCode(code=s, kind="patent", dosage_form=None)
    msg = "must start with 'X' (western drug) or 'Z' (Chinese patent medicine)"
    raise CodeFormatError(_DRUG, s, msg, where="position 1")


@dataclass(frozen=True, slots=True)
class ConsumableCode:
    """A national medical consumable code (医保医用耗材分类与代码), 20 or 27 characters.

    :ivar code: the full code.
    :ivar classification: the 6-digit classification (three levels of 2 digits).
    :ivar model: the opaque 7-character specification/model part of a 27-character code.
    """

    code: str
    classification: str
    model: str | None

    @property
    def generic_prefix(self) -> str:
        """Class plus generic name: the first 10 characters, e.g. ``C020202001``."""
        return self.code[:10]

    @property
    def base20(self) -> str:
        """The 20-character code (a 27-character code without its model part)."""
        return self.code[:20]

    @property
    def level1(self) -> str:
        """The level-1 category (2 digits), e.g. ``"02"`` vascular interventional."""
        return self.classification[:2]


def validate_consumable_code(s: str) -> ConsumableCode:
    """Validate a consumable code: ``^C\\d{19}$`` or ``^C\\d{19}[0-9A-Z]{7}$``; no check digit.

    :raises CodeFormatError: naming the wrong length or the first wrong segment and position.
    """
    _check_length(_CONSUMABLE, s, (20, 27), "a consumable code")
    _check_segments(_CONSUMABLE, s, _CONSUMABLE_SEGMENTS[: 6 if len(s) == 27 else 5])
    return ConsumableCode(code=s, classification=s[1:7], model=s[20:] or None)


@dataclass(frozen=True, slots=True)
class ServiceCode:
    """A national medical service item code (医疗服务项目分类与代码), 15 digits.

    :ivar code: the full code.
    :ivar price_item: the 9-digit 2012 national price-item code (positions 3–11).
    :ivar extension: the 4-digit extension (``0000`` = base item).
    """

    code: str
    price_item: str
    extension: str

    @property
    def chapter(self) -> str:
        """The first 2 digits of the price item, e.g. ``"33"`` surgery."""
        return self.price_item[:2]


def validate_service_code(s: str) -> ServiceCode:
    """Validate a national service item code ``^00\\d{13}$``, e.g. ``001102000030000``.

    :raises CodeFormatError: naming the wrong length or the first wrong segment and position.
    """
    _check_length(_SERVICE, s, (15,), "a medical service item code")
    _check_segments(_SERVICE, s, _SERVICE_SEGMENTS)
    return ServiceCode(code=s, price_item=s[2:11], extension=s[11:15])


def classify_item_code(s: str) -> ItemKind | None:
    """Tell which national catalogue ``s`` belongs to by its shape; ``None`` if none (no raise)."""
    if _RE_WESTERN.fullmatch(s) or _RE_PATENT.fullmatch(s):
        return "drug"
    if _RE_CONSUMABLE.fullmatch(s):
        return "consumable"
    if _RE_SERVICE.fullmatch(s):
        return "service"
    return None
