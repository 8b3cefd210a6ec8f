"""What the mock platform starts with: insured persons (``persons.json``) and a small catalogue.

The persons are synthetic: names start with 测试 and ID numbers are made up but valid under
GB 11643 (the check character is computed with :func:`yibao_sdk.codes.idcard_check_char`), so
the SDK's own validators accept them. A fixture file has the shape of ``persons.json``::

    {"persons": [{"psn_no": "44010099000000000001", "psn_name": "测试甲",
                  "psn_cert_type": "01", "certno": "<18 characters>", "naty": "01",
                  "insutype": "310", "psn_type": "11", "insuplc_admdvs": "440100",
                  "balc": "300.00", "emp_name": "…", "psn_insu_date": "2015-01-01"}]}

The catalogue (:data:`DEFAULT_CATALOGUE`) uses the core
:class:`~yibao_sdk.models.CatalogItem`, so the same items price fee lines (class A/B/C,
先行自付比例, 最高限价 by hospital level) and feed the rule engine behind 3101/3102.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from yibao_sdk.codes.idcard import parse_id_card
from yibao_sdk.errors import CodeFormatError
from yibao_sdk.models.catalog import CatalogItem, PaymentClass, PriceCap
from yibao_sdk.models.charge import ChargeCategory
from yibao_sdk.models.patient import HospitalLevel, Sex

from ..jsonwire import loads

__all__ = ["DEFAULT_CATALOGUE", "PERSONS_FILE", "Person", "coerce_persons", "load_persons",
           "persons_from"]

PERSONS_FILE = Path(__file__).with_name("persons.json")
"""The bundled fixture."""
_SINCE = date(2020, 1, 1)


@dataclass(frozen=True, slots=True, repr=False)
class Person:
    """One insured person (参保人) as the platform knows them."""

    psn_no: str
    """人员编号."""
    psn_name: str
    """人员姓名 (synthetic)."""
    certno: str
    """证件号码 (GB 11643, synthetic)."""
    insutype: str
    """险种类型 (310 职工, 390 居民)."""
    insuplc_admdvs: str
    """参保地医保区划."""
    balc: Decimal
    """个人账户余额 at seeding."""
    psn_cert_type: str = "01"
    """人员证件类型 (01 居民身份证)."""
    naty: str = "01"
    """民族."""
    psn_type: str = "11"
    """人员类别."""
    emp_name: str = ""
    """单位名称."""
    psn_insu_date: date | None = None
    """参保日期."""

    def __repr__(self) -> str:
        return f"Person(psn_no={self.psn_no!r}, insutype={self.insutype!r})"

    @property
    def gend(self) -> str:
        """性别 from the ID number (1 male, 2 female)."""
        return parse_id_card(self.certno).gend

    @property
    def brdy(self) -> date:
        """出生日期 from the ID number."""
        return parse_id_card(self.certno).birth


def _person(raw: dict[str, Any], where: str) -> Person:
    try:
        person = Person(
            psn_no=str(raw["psn_no"]), psn_name=str(raw["psn_name"]), certno=str(raw["certno"]),
            insutype=str(raw["insutype"]), insuplc_admdvs=str(raw["insuplc_admdvs"]),
            balc=Decimal(str(raw.get("balc", "0"))),
            psn_cert_type=str(raw.get("psn_cert_type", "01")), naty=str(raw.get("naty", "01")),
            psn_type=str(raw.get("psn_type", "11")), emp_name=str(raw.get("emp_name") or ""),
            psn_insu_date=date.fromisoformat(raw["psn_insu_date"])
            if raw.get("psn_insu_date") else None,
        )
        parse_id_card(person.certno)
    except KeyError as exc:
        raise ValueError(f"{where}: member {exc.args[0]} is missing") from None
    except CodeFormatError as exc:
        raise ValueError(f"{where}: certno is not a valid GB 11643 number: {exc}") from None
    return person


def persons_from(data: Any, *, source: str = "<persons>") -> tuple[Person, ...]:
    """Persons from decoded fixture data (``{"persons": [...]}`` or a bare list).

    :raises ValueError: a member is missing or an ID number is invalid (the message names the
        person by position and ``psn_no``, never the ID number).
    """
    rows = data.get("persons") if isinstance(data, dict) else data
    if not isinstance(rows, list):
        raise ValueError(f"{source}: expected a list of persons")
    out = []
    for index, raw in enumerate(rows):
        if not isinstance(raw, dict):
            raise ValueError(f"{source}: persons[{index}] is not an object")
        out.append(_person(raw, f"{source}: persons[{index}] ({raw.get('psn_no', '?')})"))
    return tuple(out)


def load_persons(path: Path | str | None = None) -> tuple[Person, ...]:
    """Persons from a fixture file (the bundled ``persons.json`` by default).

    :raises ValueError: unreadable file or invalid person.
    """
    path = Path(path) if path is not None else PERSONS_FILE
    try:
        data = loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path}: cannot read the persons fixture: {exc}") from exc
    return persons_from(data, source=str(path))


def coerce_persons(persons: Iterable[Person] | Path | str | None) -> Sequence[Person]:
    """``persons`` as given to :func:`~.server.start_mock`: objects, a file, or the bundled one."""
    if persons is None or isinstance(persons, Path | str):
        return load_persons(persons)
    return tuple(persons)


def _caps(l1: str, l2: str, l3: str) -> tuple[PriceCap, ...]:
    return tuple(PriceCap(level=level, price=Decimal(price), valid_from=_SINCE)
                 for level, price in ((HospitalLevel.LEVEL1, l1), (HospitalLevel.LEVEL2, l2),
                                      (HospitalLevel.LEVEL3, l3)))


def _item(code: str, name: str, category: ChargeCategory, payment: PaymentClass,
          **kw: Any) -> CatalogItem:
    return CatalogItem(code=code, name=name, category=category, payment_class=payment, **kw)


_C = ChargeCategory
DEFAULT_CATALOGUE: tuple[CatalogItem, ...] = (
    _item("001101000010000", "普通门诊诊查费", _C.CONSULTATION, PaymentClass.A,
          price_caps=_caps("15.00", "20.00", "25.00")),
    _item("001102000010000", "床位费(三人间)", _C.BED, PaymentClass.A,
          price_caps=_caps("30.00", "40.00", "50.00")),
    _item("002203000010000", "磁共振平扫", _C.EXAMINATION, PaymentClass.A,
          price_caps=_caps("400.00", "450.00", "500.00")),
    _item("003111010010000", "宫颈细胞学检查", _C.LAB, PaymentClass.A, sex=Sex.FEMALE),
    _item("003107010010000", "前列腺特异性抗原测定", _C.LAB, PaymentClass.A, sex=Sex.MALE),
    _item("XJ01CAA040A001010100689", "阿莫西林胶囊(模拟)", _C.WESTERN_DRUG, PaymentClass.A),
    _item("XC10AAA123A001010101234", "阿托伐他汀钙片(模拟)", _C.WESTERN_DRUG, PaymentClass.B,
          self_pay_ratio=Decimal("0.10")),
    _item("XN06BXX999A001010109999", "保健类药品(模拟)", _C.PATENT_DRUG, PaymentClass.C),
    _item("C1405010010000200002", "一次性输液器(模拟)", _C.CONSUMABLE, PaymentClass.B,
          self_pay_ratio=Decimal("0.05")),
)
"""The mock's catalogue: class A/B/C items, B ratios 0.10/0.05, caps by level 1/2/3; one
female-only and one male-only item (限性别) for the rule engine. Any other code is 目录外 (paid
in full by the person)."""
