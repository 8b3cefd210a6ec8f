"""ICD-10 医保版 2.0 diagnosis and ICD-9-CM-3 医保版 2.0 operation code validation."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator

from yibao_sdk.errors import CodeFormatError

__all__ = [
    "ICD9CM3_IRREGULAR",
    "Icd9Cm3Code",
    "Icd10Code",
    "is_icd9cm3",
    "is_icd10",
    "validate_icd9cm3",
    "validate_icd10",
]

_ICD10 = re.compile(r"[A-Z][0-9]{2}\.(?:[0-9]{3}|x[0-9]{2})(?:x[0-9]{3})?")
_ICD9CM3 = re.compile(r"[0-9]{2}\.(?:[0-9]{4}|[0-9]x[0-9]{2})(?:x[0-9]{3})?")

ICD9CM3_IRREGULAR: frozenset[str] = frozenset({"17.971A0", "86.700x0013", "86.700x0014"})
"""Operation codes in the 医保版 2.0 table that do not fit the regular pattern (partial list)."""

_ICD10_SHAPE = "a letter, 2 digits, '.', then 3 digits or 'x' + 2 digits, optionally 'x' + 3 digits"
_ICD9_SHAPE = "2 digits, '.', then 4 digits or a digit + 'x' + 2 digits, optionally 'x' + 3 digits"


def _hint(s: str, category_len: int) -> str:
    """A specific reason for a common mistake, or ``""``."""
    if s != s.strip():
        return "; it has leading or trailing whitespace"
    if "X" in s[category_len:]:
        return "; the extension marker is a lower-case 'x' in 医保版 2.0"
    if "." not in s:
        return f"; '.' is missing after the {category_len}-character category"
    if s[:1].islower():
        return "; the chapter letter must be upper-case"
    return ""


def validate_icd10(s: str) -> str:
    """Validate an ICD-10 医保版 2.0 diagnosis code and return it unchanged.

    Shapes: ``C53.000``, ``E14.900x001``, ``I10.x05``, ``A99.x99x999``.

    :raises CodeFormatError: (a ``ValueError``) describing the expected shape.
    """
    if _ICD10.fullmatch(s):
        return s
    raise CodeFormatError("ICD-10 医保版 2.0", s, f"expected {_ICD10_SHAPE}{_hint(s, 3)}")


def validate_icd9cm3(s: str) -> str:
    """Validate an ICD-9-CM-3 医保版 2.0 operation code and return it unchanged.

    Shapes: ``36.0601``, ``81.5100x001``, ``04.2x02``, ``99.9x99x999``, plus the irregular
    codes in :data:`ICD9CM3_IRREGULAR` (e.g. ``17.971A0``, ``86.700x0014``).

    :raises CodeFormatError: (a ``ValueError``) describing the expected shape.
    """
    if _ICD9CM3.fullmatch(s) or s in ICD9CM3_IRREGULAR:
        return s
    raise CodeFormatError("ICD-9-CM-3 医保版 2.0", s, f"expected {_ICD9_SHAPE}{_hint(s, 2)}")


def is_icd10(s: str) -> bool:
    """Return whether ``s`` is a well-formed ICD-10 医保版 2.0 code (no raise)."""
    return _ICD10.fullmatch(s) is not None


def is_icd9cm3(s: str) -> bool:
    """Return whether ``s`` is a well-formed ICD-9-CM-3 医保版 2.0 code (no raise)."""
    return _ICD9CM3.fullmatch(s) is not None or s in ICD9CM3_IRREGULAR


Icd10Code = Annotated[str, AfterValidator(validate_icd10)]
"""A ``str`` field type that pydantic validates with :func:`validate_icd10`."""

Icd9Cm3Code = Annotated[str, AfterValidator(validate_icd9cm3)]
"""A ``str`` field type that pydantic validates with :func:`validate_icd9cm3`."""
