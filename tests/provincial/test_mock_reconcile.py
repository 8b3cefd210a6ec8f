"""3201 totals after several settlements (a cancellation counts as a reverse row, a reversal
not at all), 9101 upload → 3202 detail reconciliation → 9102 result file contents."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

from yibao_sdk.adapters.provincial.builtin_profiles import NATIONAL
from yibao_sdk.adapters.provincial.errors import PlatformError
from yibao_sdk.adapters.provincial.mock import MockPlatform, start_mock
from yibao_sdk.adapters.provincial.mock.harness import MockClient
from yibao_sdk.adapters.provincial.mock.samples import (
    EMPLOYEE,
    EMPLOYEE_F,
    RESIDENT,
    SamplePerson,
    open_outpatient,
    settle_input,
    settle_outpatient,
)
from yibao_sdk.adapters.provincial.profiles import profile_from_dict
from yibao_sdk.adapters.provincial.wire.files import FileTicket
from yibao_sdk.adapters.provincial.wire.reconcile import Output3201
from yibao_sdk.adapters.provincial.wire.settlement import SetlInfo

D = Decimal
DAY = date(2026, 3, 2)
GZ = "440100"


@pytest.fixture
def mock() -> Iterator[MockPlatform]:
    with start_mock(NATIONAL, clock=lambda: datetime(2026, 3, 2, 16, 0)) as platform:
        yield platform


@pytest.fixture
def client(mock: MockPlatform) -> Iterator[MockClient]:
    with MockClient(mock) as caller:
        caller.sign_in()
        yield caller


def _settle(client: MockClient, person: SamplePerson) -> SetlInfo:
    info: SetlInfo = settle_outpatient(client, person).output.setlinfo
    return info


def _day_of_settlements(client: MockClient) -> list[SetlInfo]:
    """Four rows for 310/11/440100 (two settlements, one settled and cancelled), one 390
    settlement and one reversed settlement (no row)."""
    rows = [_settle(client, EMPLOYEE), _settle(client, EMPLOYEE_F)]
    cancelled = _settle(client, EMPLOYEE_F)
    rows.append(cancelled)
    rows.append(client.call("2208", {"data": {"setl_id": cancelled.setl_id,
                                              "mdtrt_id": cancelled.mdtrt_id,
                                              "psn_no": EMPLOYEE_F.psn_no}},
                            insuplc_admdvs=GZ).output.setlinfo)
    _settle(client, RESIDENT)
    mdtrt_id, total = open_outpatient(client, EMPLOYEE)
    lost = client.build("2207", settle_input(EMPLOYEE, mdtrt_id, total, use_account=False),
                        insuplc_admdvs=GZ)
    client.send(lost)
    client.call("2601", {"data": {"psn_no": EMPLOYEE.psn_no, "omsgid": lost.msgid,
                                  "oinfno": "2207"}}, insuplc_admdvs=GZ)
    return rows


def _totals(rows: list[SetlInfo]) -> dict[str, Any]:
    def total(name: str) -> Decimal:
        return sum((getattr(row, name) for row in rows), D("0.00"))

    return {"medfee_sumamt": total("medfee_sumamt"), "fund_pay_sumamt": total("fund_pay_sumamt"),
            "acct_pay": total("acct_pay"), "fixmedins_setl_cnt": len(rows)}


def _3201(client: MockClient, insutype: str = "310", clr_type: str = "11",
          **totals: Any) -> Output3201:
    data = {"insutype": insutype, "clr_type": clr_type, "setl_optins": GZ,
            "stmt_begndate": DAY, "stmt_enddate": DAY, **totals}
    return client.call("3201", {"data": data}).output_as(Output3201)


def test_3201_totals_after_several_settlements(client: MockClient) -> None:
    rows = _day_of_settlements(client)
    totals = _totals(rows)
    assert totals == {"medfee_sumamt": D("1280.02"), "fund_pay_sumamt": D("560.02"),
                      "acct_pay": D("660.00"), "fixmedins_setl_cnt": 4}
    balanced = _3201(client, **totals).stmtinfo
    assert (balanced.stmt_rslt, balanced.stmt_rslt_dscr) == ("0", "平")
    assert balanced.fixmedins_setl_cnt == 4  # the platform's own figures come along
    off = _3201(client, **{**totals, "fixmedins_setl_cnt": 3, "acct_pay": D("600.00")}).stmtinfo
    assert off.stmt_rslt == "1"
    assert off.stmt_rslt_dscr == ("不平: acct_pay 医院 600.00 平台 660.00; fixmedins_setl_cnt "
                                  "医院 3 平台 4")
    resident = _3201(client, insutype="390", medfee_sumamt=D("640.01"),
                     fund_pay_sumamt=D("150.01"), acct_pay=D("0.00"), fixmedins_setl_cnt=1)
    assert resident.stmtinfo.stmt_rslt == "0"
    inpatient = _3201(client, clr_type="21", medfee_sumamt=D(0), fund_pay_sumamt=D(0),
                      acct_pay=D(0), fixmedins_setl_cnt=0)
    assert inpatient.stmtinfo.stmt_rslt == "0"


def _detail_zip(lines: list[str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("H44010600001_20260302.txt", "\n".join(lines) + "\n")
    return buffer.getvalue()


def _row(info: SetlInfo, *, fund: Decimal | None = None) -> str:
    flag = "1" if info.medfee_sumamt is not None and info.medfee_sumamt < 0 else "0"
    return "\t".join(str(x) for x in (info.setl_id, info.mdtrt_id, info.psn_no,
                                      info.medfee_sumamt, fund or info.fund_pay_sumamt,
                                      info.acct_pay, flag))


def test_9101_3202_9102_detail_reconciliation(client: MockClient) -> None:
    rows = _day_of_settlements(client)
    first, second, settled, cancelled = rows
    lines = [_row(first), _row(second, fund=D("1.00")), _row(cancelled),
             "\t".join(["440100S999999999999", "M1", "P1", "10.00", "5.00", "null", "0"])]
    upload = client.call("9101", {"fsUploadIn": {
        "in": _detail_zip(lines), "filename": "H44010600001_20260302.zip",
        "fixmedins_code": "H44010600001"}}).output_as(FileTicket)
    assert upload.file_qury_no.startswith("440100F") and upload.dld_endtime is not None
    data = {"setl_optins": GZ, "file_qury_no": upload.file_qury_no, "stmt_begndate": DAY,
            "stmt_enddate": DAY, "medfee_sumamt": D("1280.02"), "fund_pay_sumamt": D("560.02"),
            "cash_payamt": D("60.00"), "fixmedins_setl_cnt": 5}
    ticket = client.call("3202", {"data": data}).output_as(FileTicket)
    assert ticket.filename == "H44010600001_20260302_result.zip"
    extra = ticket.model_extra or {}
    assert extra["stmt_rslt"] == "1"
    result = client.fetch(ticket.file_qury_no, ticket.filename or "")
    assert result.is_zip and result.filename == ticket.filename
    text = result.members()["H44010600001_20260302_result.txt"].decode("utf-8")
    table = [line.split("\t") for line in text.splitlines()]
    assert [(r[2], r[4], r[5], r[6]) for r in table] == [
        (first.setl_id, "0", "0", "一致"),
        (second.setl_id, "1", "0", "金额不符: fund_pay_sumamt"),
        (settled.setl_id, "3", "0", "平台有医院无"),
        (cancelled.setl_id, "0", "1", "一致"),
        ("440100S000000000005", "3", "0", "平台有医院无"),  # the 390 settlement (no insutype
        ("440100S999999999999", "2", "0", "医院有平台无"),  # filter in 3202)
    ]
    assert all(len(r) == 9 for r in table)
    assert table[0][3] == first.medins_setl_id  # the settlement's msgid
    assert table[3][7:] == ["-440.01", "-200.00"]  # deductible met: 550.01 × 0.80
    with pytest.raises(PlatformError, match="不存在"):
        client.fetch("440100F000000000999", "x.zip")
    with pytest.raises(PlatformError, match=r"is not other\.zip"):
        client.fetch(ticket.file_qury_no, "other.zip")


def test_9101_accepts_base64_and_checks_the_sender() -> None:
    profile = profile_from_dict({"based_on": "national", "name": "b64",
                                 "file_upload_encoding": "base64"})
    with start_mock(profile) as mock, MockClient(mock) as client:
        client.sign_in()
        ticket = client.call("9101", {"fsUploadIn": {
            "in": b"PK-not-really", "filename": "a.zip",
            "fixmedins_code": "H44010600001"}}).output_as(FileTicket)
        assert client.fetch(ticket.file_qury_no, "a.zip").content == b"PK-not-really"
        with pytest.raises(PlatformError, match="differs from the envelope"):
            client.call("9101", {"fsUploadIn": {"in": b"x", "filename": "b.zip",
                                                "fixmedins_code": "H44010699999"}})
