"""Field readers for the HL7 v2 mappings (字段映射): typed values, item codes, the patient.

The adapters in ``adapters/his``, ``adapters/lis`` and ``adapters/pacs`` map parsed messages to
core models with these pure functions; every failure is an :class:`Hl7MappingError` whose
message names the segment occurrence and field, e.g. ``"FT1(3)-10: quantity is not a number:
'x'"``, and whose ``code`` is the HL7 table 0357 code an ACK's ERR-3 can carry::

    Hl7Error (yibao_sdk.hl7v2.errors)
     ├── Hl7MappingError        a value is missing (101), malformed (102) or unknown (103)
     └── Hl7UnsupportedError    MSH-9 names a message type the adapter does not map (200)

Personal values (name, ID card number, birth date) never appear in an error message.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple, NoReturn, TypeVar

from pydantic import BaseModel, ValidationError

from yibao_sdk.codes import classify_item_code
from yibao_sdk.hl7v2.errors import Hl7Error
from yibao_sdk.hl7v2.fields_fast import (
    coded_parts,
    components,
    parse_number,
    parse_timestamp,
)
from yibao_sdk.hl7v2.message import Group, Message
from yibao_sdk.hl7v2.path import parse_path
from yibao_sdk.hl7v2.segment import Field, Segment
from yibao_sdk.models.patient import Patient, Sex

__all__ = [
    "MALFORMED", "MISSING", "NATIONAL_SYSTEMS", "SEX_CODES", "TOO_LONG", "UNKNOWN", "Coded",
    "Hl7MappingError", "Hl7UnsupportedError", "Item", "build", "coded", "decimal", "fail",
    "first_of", "group_text", "identifier", "item", "observation", "obx_fields", "parse_number",
    "parse_timestamp", "participants", "person_name", "read_patient", "required", "sex", "text",
    "timestamp",
]

MISSING, MALFORMED, UNKNOWN, TOO_LONG = 101, 102, 103, 104
"""HL7 table 0357: required field missing, data type error, table value not found, too long."""
_PYDANTIC_CODES = {"missing": MISSING, "string_too_short": MISSING, "string_too_long": TOO_LONG,
                   "too_long": TOO_LONG}

NATIONAL_SYSTEMS = frozenset({"NHSA", "YB", "YBML", "YBXM"})
"""CWE coding systems (component 3 or 6) that mark a code as a national 医保 code."""

SEX_CODES: Mapping[str, Sex] = {
    "M": Sex.MALE, "F": Sex.FEMALE, "U": Sex.UNKNOWN, "O": Sex.UNSTATED, "A": Sex.UNSTATED,
    "N": Sex.UNSTATED, "1": Sex.MALE, "2": Sex.FEMALE, "0": Sex.UNKNOWN, "9": Sex.UNSTATED,
    "男": Sex.MALE, "女": Sex.FEMALE, "未知": Sex.UNKNOWN,
}
"""PID-8 codes: HL7 table 0001 and GB/T 2261.1 (``0``/``1``/``2``/``9``), also as 男/女."""

_CJK = re.compile(r"[\u3400-\u9fff]")
_M = TypeVar("_M", bound=BaseModel)
_PARTICIPANT = {"ROL": (3, 4, 5), "PRT": (4, 5, 11)}


class Hl7MappingError(Hl7Error):
    """A parsed message holds a value the core cannot take: missing, malformed or unknown.

    :param reason: what was wrong; never a personal value.
    :param occurrence: which occurrence of ``segment`` (``FT1(3)``); counted later by
        :meth:`within` when the raiser knew only the segment's position.
    """

    code = 207

    def __init__(self, reason: str, *, segment: str = "", index: int | None = None,
                 field: int | None = None, occurrence: int | None = None, where: str = "",
                 code: int | None = None) -> None:
        super().__init__(reason, segment=segment, index=index, field=field,
                         occurrence=occurrence, where=where, code=code)
        self.where = ": ".join(p for p in (where, self.path) if p)
        self.args = (": ".join(p for p in (self.where, reason) if p),)

    @property
    def path(self) -> str:
        """The terser path of the value, e.g. ``"FT1(3)-10"`` or ``"PV1-19"``."""
        occ = f"({self.occurrence})" if self.occurrence and self.occurrence > 1 else ""
        if not self.segment:
            return ""
        return f"{self.segment}{occ}-{self.field}" if self.field else f"{self.segment}{occ}"

    def within(self, message: Message) -> Hl7MappingError:
        """The same error with its segment's occurrence counted in ``message``."""
        if self.occurrence is not None or self.index is None:
            return self
        occurrence = sum(1 for s in message.all(self.segment) if s.index <= self.index)
        return type(self)(self.reason, segment=self.segment, index=self.index, field=self.field,
                          occurrence=occurrence, where=self.source, code=self.code)


class Hl7UnsupportedError(Hl7MappingError):
    """MSH-9 names a message type the adapter does not map (HL7 error 200)."""

    code = 200

    @classmethod
    def for_message(cls, message: Message, adapter: str,
                    supported: Iterable[str]) -> Hl7UnsupportedError:
        """The error for ``message``: which adapter refused it and what it maps instead."""
        code, trigger, _ = message.message_type
        maps = ", ".join(sorted(supported))
        return cls(f"the {adapter} adapter does not map {code}^{trigger} (it maps {maps})",
                   segment="MSH", index=1, field=9, occurrence=1)


def fail(seg: Segment, n: int, reason: str, code: int = MALFORMED) -> NoReturn:
    """Raise an :class:`Hl7MappingError` for field ``n`` of ``seg``."""
    raise Hl7MappingError(reason, segment=seg.name, index=seg.index, field=n, code=code)


def required(message: Message, name: str) -> Segment:
    """The first ``name`` segment of ``message``.

    :raises Hl7MappingError: (101) naming the segment when the message has none.
    """
    seg = message.segment(name)
    if seg is None:
        raise Hl7MappingError(f"segment {name} is missing", segment=name, occurrence=1,
                              code=MISSING)
    return seg


def text(seg: Segment | None, n: int, component: int = 1, subcomponent: int = 1,
         repetition: int = 1) -> str:
    """A value stripped of blanks; ``""`` when absent or the HL7 null ``""``."""
    if seg is None:
        return ""
    value = seg.value(n, component, subcomponent, repetition).strip()
    return "" if value == '""' else value


def first_of(message: Message, paths: Iterable[str], what: str) -> str:
    """The first non-empty value among terser ``paths`` such as ``("PV1-19", "PID-18")``.

    :raises Hl7MappingError: (101) naming the first path when every one is empty.
    """
    names = list(paths)
    for name in names:
        value = message[name].strip()
        if value and value != '""':
            return value
    first = parse_path(names[0] if names else "MSH-10")
    found = message.all(first.segment)
    seg = found[first.occurrence - 1] if len(found) >= first.occurrence else None
    raise Hl7MappingError(f"{what} is missing (looked in {', '.join(names)})",
                          segment=first.segment, index=seg.index if seg else None,
                          field=first.field, occurrence=first.occurrence, code=MISSING)


def group_text(group: Group, path: str) -> str:
    """The value at a terser ``path`` (``"ORC-12"``, ``"RXE-13.1"``) within ``group``."""
    p = parse_path(path)
    found = group.all(p.segment)
    seg = found[p.occurrence - 1] if len(found) >= p.occurrence else None
    return text(seg, p.field, p.component, p.subcomponent, p.repetition)


def participants(segments: Iterable[Segment],
                 roles: frozenset[str]) -> Iterator[tuple[str, datetime | None]]:
    """``(person id, begin time)`` of ROL (ROL-3 role, ROL-4, ROL-5) and PRT (PRT-4
    participation, PRT-5, PRT-11) segments whose role code is in ``roles``."""
    for seg in segments:
        if seg.name not in _PARTICIPANT:
            continue
        role, person, begin = _PARTICIPANT[seg.name]
        who = text(seg, person)
        if who and text(seg, role).upper() in roles:
            yield who, timestamp(seg, begin, "begin date/time")


# dates, times, numbers -------------------------------------------------------------------------

def timestamp(seg: Segment | None, n: int, what: str, component: int = 1, *,
              value: str | None = None) -> datetime | None:
    """Field ``n`` as a China-local time, ``None`` when empty.

    :param value: the field's :func:`text` when already read (``fields_fast.FieldReader``).
    :raises Hl7MappingError: (102) when the value is not a timestamp.
    """
    value = text(seg, n, component) if value is None else value
    if not value or seg is None:
        return None
    try:
        return parse_timestamp(value)
    except ValueError:
        fail(seg, n, f"{what} is not a date/time: {value!r}")


def decimal(seg: Segment, n: int, what: str, component: int = 1, subcomponent: int = 1, *,
            value: str | None = None) -> Decimal | None:
    """Field ``n`` as a Decimal, ``None`` when empty.

    :param value: the field's :func:`text` when already read (``fields_fast.FieldReader``).
    :raises Hl7MappingError: (102) naming the field when the value is not a number.
    """
    value = text(seg, n, component, subcomponent) if value is None else value
    if not value:
        return None
    try:
        return parse_number(value)
    except ValueError:
        fail(seg, n, f"{what} is not a number: {value!r}")


# composite types: CWE, CX, XPN -----------------------------------------------------------------

class Coded(NamedTuple):
    """A CWE/CE/CNE value: identifier, text, coding system and their alternates."""

    code: str = ""
    text: str = ""
    system: str = ""
    alt_code: str = ""
    alt_text: str = ""
    alt_system: str = ""

    @property
    def label(self) -> str:
        """The text, else the alternate text, else the code."""
        return self.text or self.alt_text or self.code


_NO_CODE = Coded()


def coded(seg: Segment | None, n: int, repetition: int = 1) -> Coded:
    """Field ``n`` (one repetition) as a :class:`Coded`; empty parts are ``""``."""
    if seg is None or not seg.field(n):
        return _NO_CODE
    return Coded(*coded_parts(seg, n, 6, repetition))


def identifier(seg: Segment, n: int, types: Iterable[str]) -> str:
    """The CX/XCN id (component 1) of the first repetition whose type (CX-5) is in ``types``."""
    return _first_id(list(types), _ids(seg, n))


def _ids(seg: Segment, n: int) -> list[tuple[str, str]]:
    """(CX-1 id, CX-5 type) of each repetition of field ``n``, stripped."""
    return [(c[0].strip(), c[4].strip()) for c in components(seg, n, 5)]


def _first_id(wanted: list[str], ids: list[tuple[str, str]]) -> str:
    for kind in wanted:
        found = next((ident for ident, t in ids if t == kind and ident), "")
        if found:
            return found
    return ""


def person_name(reps: Iterable[Field]) -> str:
    """The legal name (XPN-7 ``L``) or else the first one; Chinese names joined without space.

    ``张^伟`` reads 张伟; ``EVERYMAN^ADAM`` reads ``ADAM EVERYMAN``.
    """
    return _name([(r.value(1, 1), r.value(2), r.value(7)) for r in reps])


def _name(names: list[tuple[str, str, str]]) -> str:
    """:func:`person_name` of (XPN-1.1 family, XPN-2 given, XPN-7 type) per repetition."""
    chosen = next((r for r in names if r[2].strip() == "L"), names[0] if names else None)
    if chosen is None:
        return ""
    family, given = chosen[0].strip(), chosen[1].strip()
    if _CJK.search(family + given):
        return family + given
    return " ".join(p for p in (given, family) if p)


def sex(seg: Segment, n: int, codes: Mapping[str, Sex] = SEX_CODES) -> Sex:
    """PID-8 as a :class:`Sex`; empty reads as unknown (``0`` 未知的性别).

    :raises Hl7MappingError: (103) for a code missing from ``codes``.
    """
    value = text(seg, n)
    if not value:
        return Sex.UNKNOWN
    found = codes.get(value.upper()) or codes.get(value)
    if found is None:
        fail(seg, n, f"unknown sex code {value!r}", UNKNOWN)
    return found


# items, observations, models --------------------------------------------------------------------

class Item(NamedTuple):
    """An ordered or billed item: national 医保 code, hospital code and name."""

    code: str
    hospital_code: str
    name: str


Resolver = Callable[[str, str, str], "str | None"]


def item(value: Coded, kind: str, source: str, resolve: Resolver | None,
         national_systems: frozenset[str] = NATIONAL_SYSTEMS) -> Item:
    """Split a CWE into national and hospital codes, resolving a hospital-only code.

    A code is national when its coding system (CWE-3) is in ``national_systems``, or when it
    has no such system and has the shape of a national drug, consumable or service code; the
    alternate (CWE-4..6) is read the same way. A hospital-only code goes to ``resolve(code,
    kind, source)``; ``None`` (or no resolver) leaves the national code empty.
    """
    national, hospital = "", ""
    for code, system in ((value.code, value.system), (value.alt_code, value.alt_system)):
        if not code:
            continue
        is_national = system.upper() in national_systems or (
            not system and classify_item_code(code) is not None)
        if is_national and not national:
            national = code
        elif not is_national and not hospital:
            hospital = code
    if not national and hospital and resolve is not None:
        national = resolve(hospital, kind, source) or ""
    return Item(national, hospital, value.label if value.text or value.alt_text else "")


def observation(obx: Segment) -> str:
    """OBX-5 as text by OBX-2: coded values give their text, SN joins its parts, ED names its
    type, RP its pointer; repetitions are joined with ``"; "``."""
    kind = text(obx, 2).upper()
    out = []
    for rep in obx.repetitions(5):
        parts = [c[0].strip() for c in rep.components()]
        if kind in ("CWE", "CE", "CNE", "CF"):
            value = Coded(*parts[:6]).label
        elif kind == "SN":
            value = "".join(parts[:4])
        elif kind == "ED":
            value = "/".join(p for p in parts[1:3] if p)
        else:
            value = parts[0] if kind == "RP" else "^".join(parts).rstrip("^")
        if value and value != '""':
            out.append(value)
    return "; ".join(out)


def obx_fields(segments: Iterable[Segment]) -> dict[str, str]:
    """The answers of an OBX-based document: OBX-3.1 (else OBX-3.2) → :func:`observation`;
    a name given twice keeps both values joined with ``"; "``."""
    fields: dict[str, str] = {}
    for obx in segments:
        name = text(obx, 3) or text(obx, 3, 2)
        if obx.name != "OBX" or not name:
            continue
        value = observation(obx)
        fields[name] = f"{fields[name]}; {value}" if name in fields else value
    return fields


def build(model: type[_M], data: Mapping[str, object], seg: Segment,
          fields: Mapping[str, tuple[Segment | None, int]]) -> _M:
    """Validate ``data`` as ``model``; a refusal names the segment and field of the attribute.

    :param seg: where an attribute missing from ``fields`` (or a model-level check) points.
    :param fields: attribute name → (segment, field number) it was read from.
    """
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        attr = str(first["loc"][0]) if first["loc"] else ""
        at, n = fields.get(attr, (seg, 0))
        at = at or seg
        reason = f"{model.__name__}.{attr or 'model'}: {first['msg']}"
        code = _PYDANTIC_CODES.get(first["type"], MALFORMED)
        raise Hl7MappingError(reason, segment=at.name, index=at.index, field=n or None,
                              code=code) from exc


def read_patient(pid: Segment, *, id_types: Iterable[str] = ("MR", "PI"),
                 id_card_types: Iterable[str] = ("NNCHN", "ID")) -> Patient:
    """The patient of PID: id (PID-3 of type ``id_types``, else its first non-ID-card id, else
    PID-2), name (PID-5), birth date (PID-7, the date as written), sex (PID-8) and ID card
    (PID-3 of type ``id_card_types``, else PID-19).

    :raises Hl7MappingError: naming PID-3, PID-5 or PID-7 when required data is missing.
    """
    card_types, ids = list(id_card_types), _ids(pid, 3)
    patient_id = (_first_id(list(id_types), ids)
                  or next((i for i, t in ids if i and t not in card_types), "") or text(pid, 2))
    if not patient_id:
        fail(pid, 3, "patient id is missing", MISSING)
    name = _name([(c[0], c[1], c[6]) for c in components(pid, 5, 7)])
    if not name:
        fail(pid, 5, "patient name is missing", MISSING)
    birth = text(pid, 7)[:8]
    try:
        born = date(int(birth[:4]), int(birth[4:6]), int(birth[6:8]))
    except ValueError:
        fail(pid, 7, "birth date is missing or not a date (YYYYMMDD)", MISSING if not birth
             else MALFORMED)
    card = _first_id(card_types, ids) or text(pid, 19) or None
    data = {"patient_id": patient_id, "name": name, "sex": sex(pid, 8), "birth_date": born,
            "id_card": card}
    return build(Patient, data, pid, {"patient_id": (pid, 3), "name": (pid, 5),
                                      "id_card": (pid, 3)})

