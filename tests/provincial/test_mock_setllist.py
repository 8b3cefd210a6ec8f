"""4101A settlement-list acceptance: a good list gets a setl_list_id (the same on re-upload);
bad lists are refused with every problem named."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest

from yibao_sdk.adapters.provincial.builtin_profiles import NATIONAL
from yibao_sdk.adapters.provincial.errors import PlatformError
from yibao_sdk.adapters.provincial.mock import MockPlatform, start_mock
from yibao_sdk.adapters.provincial.mock.harness import MockClient
from yibao_sdk.adapters.provincial.mock.samples import (
    RESIDENT,
    discharge_input,
    open_inpatient,
    settle_input,
)
from yibao_sdk.adapters.provincial.wire.setllist import Output4101A

GZ = "440100"


@pytest.fixture
def mock() -> Iterator[MockPlatform]:
    with start_mock(NATIONAL, clock=lambda: datetime(2026, 3, 5, 12, 0)) as platform:
        yield platform


@pytest.fixture
def stay(mock: MockPlatform) -> Iterator[tuple[MockClient, str, str]]:
    """A resident admitted 2026-03-02, settled, discharged 2026-03-05: (client, mdtrt, setl)."""
    with MockClient(mock) as client:
        client.sign_in()
        mdtrt_id, total = open_inpatient(client, RESIDENT)
        setl = client.call("2304", settle_input(RESIDENT, mdtrt_id, total, batch=None),
                           insuplc_admdvs=GZ).output.setlinfo
        client.call("2402", discharge_input(RESIDENT, mdtrt_id, datetime(2026, 3, 5, 10)),
                    insuplc_admdvs=GZ)
        yield client, mdtrt_id, str(setl.setl_id)


def _list(mdtrt_id: str, setl_id: str, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "setlinfo": {"psn_no": RESIDENT.psn_no, "mdtrt_id": mdtrt_id, "setl_id": setl_id,
                     "medcasno": "BA0001", "adm_time": "2026-03-02", "dscg_time": "2026-03-05",
                     "setl_begn_date": "2026-03-02", "setl_end_date": "2026-03-05"},
        "diseinfo": [{"diag_type": "1", "diag_code": "S72.000", "diag_name": "股骨颈骨折",
                      "maindiag_flag": "1"},
                     {"diag_type": "2", "diag_code": "I10.x00", "diag_name": "高血压",
                      "maindiag_flag": "0"}],
        "oprninfo": [{"oprn_oprt_type": "1", "oprn_oprt_name": "全髋关节置换术",
                      "oprn_oprt_code": "81.5100", "oprn_oprt_begntime": "2026-03-03 09:00:00"}],
    }
    for key, value in changes.items():
        node, _, member = key.partition("__")
        if member:
            data[node] = {**data[node], member: value}
        else:
            data[node] = value
    return data


def test_a_good_list_is_accepted(stay: tuple[MockClient, str, str]) -> None:
    client, mdtrt_id, setl_id = stay
    first = client.call("4101A", _list(mdtrt_id, setl_id), insuplc_admdvs=GZ)
    list_id = first.output_as(Output4101A).setl_list_id
    assert list_id.startswith("440100L")
    again = client.call("4101A", _list(mdtrt_id, setl_id), insuplc_admdvs=GZ)
    assert again.output_as(Output4101A).setl_list_id == list_id


def test_a_bad_list_is_refused_with_every_problem(stay: tuple[MockClient, str, str]) -> None:
    client, mdtrt_id, setl_id = stay
    bad = _list(mdtrt_id, setl_id, setlinfo__dscg_time="2026-03-06", diseinfo=[
        {"diag_type": "1", "diag_code": "S72.0", "diag_name": "股骨颈骨折", "maindiag_flag": "0"},
    ], oprninfo=[{"oprn_oprt_type": "1", "oprn_oprt_name": "x", "oprn_oprt_code": "8151",
                  "oprn_oprt_begntime": "2026-03-09 09:00:00"}])
    with pytest.raises(PlatformError) as caught:
        client.call("4101A", bad, insuplc_admdvs=GZ)
    message = caught.value.err_msg
    assert message.startswith("4101A 结算清单校验不通过: ")
    for part in ("diseinfo has 0 main diagnoses", "diseinfo[0].diag_code",
                 "ICD-10 医保版 2.0", "oprninfo[0].oprn_oprt_code", "ICD-9-CM-3 医保版 2.0",
                 "dscg_time 2026-03-06 is not the discharge date 2026-03-05",
                 "oprninfo[0].oprn_oprt_begntime 2026-03-09 is outside the stay"):
        assert part in message, part


def test_no_diagnosis_and_wrong_settlement(stay: tuple[MockClient, str, str]) -> None:
    client, mdtrt_id, setl_id = stay
    with pytest.raises(PlatformError, match="no diagnosis"):
        client.call("4101A", _list(mdtrt_id, setl_id, diseinfo=[]), insuplc_admdvs=GZ)
    with pytest.raises(PlatformError, match="结算ID 440100S000000000999 不存在"):
        client.call("4101A", _list(mdtrt_id, "440100S000000000999"), insuplc_admdvs=GZ)
    with pytest.raises(PlatformError, match="is not of visit"):
        client.call("4101A", _list("440100Z000000000999", setl_id), insuplc_admdvs=GZ)


def test_totals_must_match_the_settlement(mock: MockPlatform,
                                          stay: tuple[MockClient, str, str]) -> None:
    client, mdtrt_id, setl_id = stay
    mock.state.query("UPDATE fee_lines SET amount = '1.00' WHERE feedetl_sn = 'F0001'")
    with pytest.raises(PlatformError, match=r"details total 671\.02, not its medfee_sumamt"):
        client.call("4101A", _list(mdtrt_id, setl_id), insuplc_admdvs=GZ)


def test_no_list_for_a_cancelled_settlement(stay: tuple[MockClient, str, str]) -> None:
    client, mdtrt_id, setl_id = stay
    client.call("2305", {"data": {"setl_id": setl_id, "mdtrt_id": mdtrt_id,
                                  "psn_no": RESIDENT.psn_no}}, insuplc_admdvs=GZ)
    with pytest.raises(PlatformError, match="is cancelled: no list for it"):
        client.call("4101A", _list(mdtrt_id, setl_id), insuplc_admdvs=GZ)
