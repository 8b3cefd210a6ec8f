"""Canonical sample inputs for the mock's persons and catalogue, and the short flows tests and
demos repeat (register, upload, settle), so every test builds its messages the same way.

:data:`WORKED_EXAMPLE` is the outpatient example of :mod:`.funds` (total 640.01, pooled fund
280.01, account 300.00, cash 60.00 for :data:`EMPLOYEE` at a level-3 hospital);
:data:`INPATIENT_EXAMPLE` the inpatient one used by the inpatient flow test (total 820.02 for
:data:`RESIDENT`: 超限价 20.00, 先行自付 12.50, 起付线 300.00, 统筹 292.51, cash 527.51).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ..reply import Reply
from .harness import MockClient, MsgidCounter

__all__ = ["CROSS_REGION", "EMPLOYEE", "EMPLOYEE_F", "INPATIENT_EXAMPLE", "RESIDENT", "T0",
           "WORKED_EXAMPLE", "Line", "SamplePerson", "admission_input", "discharge_input",
           "fee_rows", "open_inpatient", "open_outpatient", "registration_input",
           "settle_input", "settle_outpatient", "total_of"]

T0 = datetime(2026, 3, 2, 9, 0)
"""Service time of the samples (Monday 2 March 2026, 09:00)."""


@dataclass(frozen=True, slots=True)
class SamplePerson:
    """A person of the bundled ``persons.json``."""

    psn_no: str
    certno: str
    insutype: str
    insuplc_admdvs: str


EMPLOYEE = SamplePerson("44010099000000000001", "440106198005129914", "310", "440100")
"""测试甲: employee (310) in Guangzhou, male, account balance 300.00."""
EMPLOYEE_F = SamplePerson("44010099000000000002", "440104197511039922", "310", "440100")
"""测试乙: employee (310) in Guangzhou, female, account balance 5000.00."""
RESIDENT = SamplePerson("44010099000000000003", "440111195802209930", "390", "440100")
"""测试丙: resident (390) in Guangzhou, male, no account."""
CROSS_REGION = SamplePerson("43010099000000000005", "430102198801159957", "310", "430100")
"""测试戊: employee insured in Changsha (430100): 异地, balance 1200.00."""

Line = tuple[str, str, str]
"""(national item code, unit price, count)."""
WORKED_EXAMPLE: tuple[Line, ...] = (
    ("001101000010000", "30.00", "1"),          # 普通门诊诊查费 A, cap 25.00 at level 3
    ("XC10AAA123A001010101234", "16.67", "3"),  # 阿托伐他汀钙片 B, ratio 0.10
    ("XN06BXX999A001010109999", "80.00", "1"),  # 保健类药品 C
    ("002203000010000", "480.00", "1"),         # 磁共振平扫 A, cap 500.00
)
INPATIENT_EXAMPLE: tuple[Line, ...] = (
    ("001102000010000", "50.00", "3"),          # 床位费 A, cap 50.00
    ("002203000010000", "520.00", "1"),         # 磁共振平扫 A, 20.00 over the cap
    ("XC10AAA123A001010101234", "16.67", "6"),  # B, ratio 0.10: 10.002 → 10.00
    ("C1405010010000200002", "12.50", "4"),     # 一次性输液器 B, ratio 0.05: 2.50
)


def _cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def total_of(lines: Iterable[Line]) -> Decimal:
    """Sum of round(pric × cnt, 2)."""
    return sum((_cents(Decimal(p) * Decimal(n)) for _, p, n in lines), Decimal("0.00"))


def registration_input(person: SamplePerson, ipt_otp_no: str,
                       begntime: datetime = T0) -> dict[str, Any]:
    """2201 input."""
    return {"data": {
        "psn_no": person.psn_no, "insutype": person.insutype, "begntime": begntime,
        "mdtrt_cert_type": "02", "mdtrt_cert_no": person.certno, "ipt_otp_no": ipt_otp_no,
        "atddr_no": "D440100000001", "dr_name": "测试医生", "dept_code": "A03",
        "dept_name": "内科", "caty": "A03"}}


def fee_rows(mdtrt_id: str, person: SamplePerson, lines: Iterable[Line], *,
             batch: str | None = "B1", prefix: str = "F",
             at: datetime = T0) -> list[dict[str, Any]]:
    """2204 rows (``batch`` set) or 2301 rows (``batch=None``), ``feedetl_sn`` prefix + n."""
    rows = []
    for number, (code, price, count) in enumerate(lines, start=1):
        row = {
            "feedetl_sn": f"{prefix}{number:04d}", "mdtrt_id": mdtrt_id,
            "psn_no": person.psn_no, "fee_ocur_time": at, "med_list_codg": code,
            "medins_list_codg": f"HOSP-{code[:8]}",
            "det_item_fee_sumamt": _cents(Decimal(price) * Decimal(count)),
            "cnt": Decimal(count), "pric": Decimal(price), "bilg_dept_codg": "A03",
            "bilg_dept_name": "内科", "bilg_dr_codg": "D440100000001",
            "bilg_dr_name": "测试医生", "hosp_appr_flag": "1",
        }
        rows.append({**row, "chrg_bchno": batch} if batch is not None else row)
    return rows


def settle_input(person: SamplePerson, mdtrt_id: str, total: Decimal, *,
                 batch: str | None = "B1", use_account: bool = True) -> dict[str, Any]:
    """2206/2207 input (``batch`` set) or 2303/2304 input (``batch=None``)."""
    data: dict[str, Any] = {
        "psn_no": person.psn_no, "mdtrt_cert_type": "02", "mdtrt_cert_no": person.certno,
        "medfee_sumamt": total, "psn_setlway": "01", "mdtrt_id": mdtrt_id,
        "insutype": person.insutype, "acct_used_flag": "1" if use_account else "0",
    }
    if batch is None:
        return {"data": {**data, "mid_setl_flag": "0"}}
    return {"data": {**data, "med_type": "11", "chrg_bchno": batch}}


def admission_input(person: SamplePerson, ipt_otp_no: str,
                    begntime: datetime = T0) -> dict[str, Any]:
    """2401 input (main diagnosis S72.000 股骨颈骨折)."""
    return {
        "mdtrtinfo": {
            "psn_no": person.psn_no, "insutype": person.insutype, "begntime": begntime,
            "mdtrt_cert_type": "02", "mdtrt_cert_no": person.certno, "med_type": "21",
            "ipt_otp_no": ipt_otp_no, "atddr_no": "D440100000001", "chfpdr_name": "测试医生",
            "adm_diag_dscr": "股骨颈骨折", "adm_dept_codg": "A07", "adm_dept_name": "骨科",
            "adm_bed": "12", "dscg_maindiag_code": "S72.000", "dscg_maindiag_name": "股骨颈骨折"},
        "diseinfo": [{"psn_no": person.psn_no, "diag_type": "1", "maindiag_flag": "1",
                      "diag_srt_no": 1, "diag_code": "S72.000", "diag_name": "股骨颈骨折"}],
    }


def discharge_input(person: SamplePerson, mdtrt_id: str, endtime: datetime) -> dict[str, Any]:
    """2402 input."""
    return {
        "dscginfo": {"mdtrt_id": mdtrt_id, "psn_no": person.psn_no,
                     "insutype": person.insutype, "endtime": endtime,
                     "dscg_dept_codg": "A07", "dscg_dept_name": "骨科", "dscg_way": "1"},
        "diseinfo": [{"psn_no": person.psn_no, "mdtrt_id": mdtrt_id, "diag_type": "1",
                      "maindiag_flag": "1", "diag_srt_no": 1, "diag_code": "S72.000",
                      "diag_name": "股骨颈骨折"}],
    }


def open_outpatient(client: MockClient, person: SamplePerson = EMPLOYEE,
                    lines: Iterable[Line] = WORKED_EXAMPLE, *, ipt_otp_no: str | None = None,
                    batch: str = "B1") -> tuple[str, Decimal]:
    """2201 + 2204: the new ``mdtrt_id`` and the total uploaded."""
    lines = tuple(lines)
    region = person.insuplc_admdvs
    number = ipt_otp_no or "MZ" + MsgidCounter(client.institution.fixmedins_code)()[12:]
    reply = client.call("2201", registration_input(person, number), insuplc_admdvs=region)
    mdtrt_id = str(reply.output.data.mdtrt_id)
    client.call("2204", {"feedetail": fee_rows(mdtrt_id, person, lines, batch=batch)},
                insuplc_admdvs=region)
    return mdtrt_id, total_of(lines)


def settle_outpatient(client: MockClient, person: SamplePerson = EMPLOYEE,
                      lines: Iterable[Line] = WORKED_EXAMPLE, *,
                      use_account: bool = True) -> Reply:
    """2201 + 2204 + 2207: the settlement reply."""
    mdtrt_id, total = open_outpatient(client, person, lines)
    return client.call("2207", settle_input(person, mdtrt_id, total, use_account=use_account),
                       insuplc_admdvs=person.insuplc_admdvs)


def open_inpatient(client: MockClient, person: SamplePerson = RESIDENT,
                   lines: Iterable[Line] = INPATIENT_EXAMPLE, *,
                   ipt_otp_no: str = "ZY0001") -> tuple[str, Decimal]:
    """2401 + 2301: the new ``mdtrt_id`` and the total uploaded."""
    lines = tuple(lines)
    region = person.insuplc_admdvs
    reply = client.call("2401", admission_input(person, ipt_otp_no), insuplc_admdvs=region)
    mdtrt_id = str(reply.output.data.mdtrt_id)
    client.call("2301", {"feedetail": fee_rows(mdtrt_id, person, lines, batch=None)},
                insuplc_admdvs=region)
    return mdtrt_id, total_of(lines)
