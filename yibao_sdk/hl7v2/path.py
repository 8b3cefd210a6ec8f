"""Terser-style value paths such as ``"PID-5.1"``, ``"OBX(2)-5"`` or ``"PID-3(2).4.1"``."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from yibao_sdk.hl7v2.errors import Hl7PathError

__all__ = ["Path", "parse_path"]

# SEG[(occurrence)] - field[(repetition)] [.component [.subcomponent]]; "[n]" may stand for
# "(n)", and "." for "-" after the segment name (Mirth writes PID.5.1).
_PATH = re.compile(
    r"(?:(?P<seg>[A-Z][A-Z0-9]{2})(?:[(\[](?P<occ>\d+)[)\]])?[-.])?"
    r"(?P<field>\d+)(?:[(\[](?P<rep>\d+)[)\]])?"
    r"(?:[.-](?P<comp>\d+)(?:[.-](?P<sub>\d+))?)?"
)


class Path(NamedTuple):
    """A parsed path; every number is 1-based, ``segment`` is ``""`` when the path omits it."""

    segment: str
    occurrence: int
    field: int
    repetition: int
    component: int
    subcomponent: int


@lru_cache(maxsize=512)
def parse_path(path: str, *, segment_optional: bool = False) -> Path:
    """Parse ``path``; the segment name may be left out only when ``segment_optional``.

    :raises Hl7PathError: for a malformed path, a zero position, or a missing segment name.
    """
    match = _PATH.fullmatch(path.strip()) if isinstance(path, str) else None
    if match is None:
        raise Hl7PathError(f"malformed path {path!r}; write e.g. 'PID-5.1' or 'OBX(2)-5'")
    seg, occ, field, rep, comp, sub = match.group("seg", "occ", "field", "rep", "comp", "sub")
    if not seg and not segment_optional:
        raise Hl7PathError(f"path {path!r} does not name a segment; write e.g. 'PID-5.1'")
    numbers = [int(x) if x else 1 for x in (occ, rep, comp, sub)]
    if min(numbers) < 1 or int(field) < 1:
        raise Hl7PathError(f"path {path!r}: positions start at 1")
    return Path(seg or "", numbers[0], int(field), numbers[1], numbers[2], numbers[3])
