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
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import NamedTuple, NoReturn, TypeVar

from pydantic import BaseModel, ValidationError

from yibao_sdk.codes import classify_item_code
from yibao_sdk.hl7v2.errors import Hl7Error
from yibao_sdk.hl7v2.message import Group, Message
from yibao_sdk.hl7v2.path import parse_path
from yibao_sdk.hl7v2.segment import Field, Segment
from yibao_sdk.models.base import to_local
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

_TS = re.compile(r"(\d{4})(\d\d)?(\d\d)?(\d\d)?(\d\d)?(?:(\d\d)(?:\.(\d{1,4}))?)?([+-]\d{4})?")
_NM = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
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

def parse_timestamp(value: str) -> datetime:
    """``YYYY[MM[DD[HH[MM[SS[.S]]]]]][+/-ZZZZ]`` as naive China-local time (see ``to_local``).

    :raises ValueError: when ``value`` is not such a timestamp or names an impossible moment.
    """
    match = _TS.fullmatch(value.strip())
    if match is None:
        raise ValueError(value)
    y, mo, d, h, mi, s, frac, zone = match.groups()
    tz = None
    if zone:
        minutes = int(zone[1:3]) * 60 + int(zone[3:])
        tz = timezone(timedelta(minutes=-minutes if zone[0] == "-" else minutes))
    micro = int((frac or "0").ljust(6, "0"))
    moment = datetime(int(y), int(mo or 1), int(d or 1), int(h or 0), int(mi or 0), int(s or 0),
                      micro, tz)
    try:
        return to_local(moment)
    except OverflowError as exc:  # year 1 or 9999 shifted out of range by the offset
        raise ValueError(value) from exc


def timestamp(seg: Segment | None, n: int, what: str, component: int = 1) -> datetime | None:
    """Field ``n`` as a China-local time, ``None`` when empty.

    :raises Hl7MappingError: (102) when the value is not a timestamp.
    """
    value = text(seg, n, component)
    if not value or seg is None:
        return None
    try:
        return parse_timestamp(value)
    except ValueError:
        fail(seg, n, f"{what} is not a date/time: {value!r}")


def parse_number(value: str) -> Decimal:
    """An HL7 NM value (``[+-]digits[.digits]``) as a Decimal; no exponent, NaN or infinity.

    :raises ValueError: for anything else.
    """
    stripped = value.strip()
    if not _NM.fullmatch(stripped):
        raise ValueError(value)
    return Decimal(stripped)


def decimal(seg: Segment, n: int, what: str, component: int = 1,
            subcomponent: int = 1) -> Decimal | None:
    """Field ``n`` as a Decimal, ``None`` when empty.

    :raises Hl7MappingError: (102) naming the field when the value is not a number.
    """
    value = text(seg, n, component, subcomponent)
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
    raw = seg.field(n) if seg is not None else ""
    if not raw or seg is None:
        return _NO_CODE
    d = seg.delimiters
    reps = raw.split(d.repetition)
    if len(reps) < repetition:
        return _NO_CODE
    raw = reps[repetition - 1]
    if d.escape in raw or d.subcomponent in raw:
        parts = [c[0] for c in Field(raw, d, seg.charset).components()[:6]]
    else:  # the common case: plain components, nothing to unescape
        parts = raw.split(d.component, 6)[:6]
    return Coded(*["" if p.strip() == '""' else p.strip() for p in parts])


def identifier(seg: Segment, n: int, types: Iterable[str]) -> str:
    """The CX/XCN id (component 1) of the first repetition whose type (CX-5) is in ``types``."""
    wanted = list(types)
    reps = [(r.value(1).strip(), r.value(5).strip()) for r in seg.repetitions(n)]
    for kind in wanted:
        found = next((ident for ident, t in reps if t == kind and ident), "")
        if found:
            return found
    return ""


def person_name(reps: Iterable[Field]) -> str:
    """The legal name (XPN-7 ``L``) or else the first one; Chinese names joined without space.

    ``张^伟`` reads 张伟; ``EVERYMAN^ADAM`` reads ``ADAM EVERYMAN``.
    """
    names = list(reps)
    chosen = next((r for r in names if r.value(7).strip() == "L"), names[0] if names else None)
    if chosen is None:
        return ""
    family, given = chosen.value(1, 1).strip(), chosen.value(2).strip()
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
    card_types = list(id_card_types)
    patient_id = identifier(pid, 3, id_types) or _other_id(pid, card_types) or text(pid, 2)
    if not patient_id:
        fail(pid, 3, "patient id is missing", MISSING)
    name = person_name(pid.repetitions(5))
    if not name:
        fail(pid, 5, "patient name is missing", MISSING)
    birth = text(pid, 7)[:8]
    try:
        born = date(int(birth[:4]), int(birth[4:6]), int(birth[6:8]))
    except ValueError:
        fail(pid, 7, "birth date is missing or not a date (YYYYMMDD)", MISSING if not birth
             else MALFORMED)
    card = identifier(pid, 3, card_types) or text(pid, 19) or None
    data = {"patient_id": patient_id, "name": name, "sex": sex(pid, 8), "birth_date": born,
            "id_card": card}
    return build(Patient, data, pid, {"patient_id": (pid, 3), "name": (pid, 5),
                                      "id_card": (pid, 3)})


def _other_id(pid: Segment, card_types: list[str]) -> str:
    return next((r.value(1).strip() for r in pid.repetitions(3)
                 if r.value(1).strip() and r.value(5).strip() not in card_types), "")
