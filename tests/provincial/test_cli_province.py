"""yibao province call / journal against the real mock platform on loopback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from yibao_sdk.adapters.provincial.builtin_profiles import NATIONAL
from yibao_sdk.adapters.provincial.mock import MockPlatform, start_mock
from yibao_sdk.cli import main
from yibao_sdk.store import AuditLog

CERTNO = "440106198005129914"  # 测试甲 in the mock's persons.json (synthetic)


@pytest.fixture
def mock() -> Iterator[MockPlatform]:
    with start_mock(NATIONAL, port=0) as platform:
        yield platform


def _config(tmp_path: Path, mock: MockPlatform) -> Path:
    (tmp_path / "roles.toml").write_text(
        '[operators]\n"0007" = ["cashier"]\n"D021" = ["physician"]\n', encoding="utf-8")
    path = tmp_path / "hospital.toml"
    path.write_text(
        "[province]\n"
        'profile = "national"\n'
        f'base_url = "{mock.client_profile.base_url}"\n'
        'roles = "roles.toml"\naudit_db = "audit.sqlite3"\n'
        "[province.institution]\n"
        'fixmedins_code = "H44010600001"\nfixmedins_name = "示例医院"\n'
        'mdtrtarea_admvs = "440106"\n', encoding="utf-8")
    return path


def _input(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "input.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_province_call_prints_the_output_without_the_id_number_in_errors(
    tmp_path: Path, mock: MockPlatform, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _config(tmp_path, mock)
    query = _input(tmp_path, {"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": CERTNO,
                                       "psn_cert_type": "01"}})
    argv = ["province", "call", "1101", "--input", str(query), "--operator", "0007",
            "--operator-name", "收费员", "--config", str(config)]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    output = json.loads(printed)
    assert output["baseinfo"]["psn_no"] == "44010099000000000001"
    assert output["insuinfo"][0]["balc"] == "300.00"
    assert CERTNO not in printed


def test_a_physician_cannot_settle_and_nothing_is_sent(
    tmp_path: Path, mock: MockPlatform, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _config(tmp_path, mock)
    settle = _input(tmp_path, {"data": {"psn_no": "44010099000000000001"}})
    argv = ["province", "call", "2207", "--input", str(settle), "--operator", "D021",
            "--operator-name", "医师", "--config", str(config),
            "--insuplc-admdvs", "440100"]
    assert main(argv) == 1
    assert "2207" in capsys.readouterr().err
    refusals = [e.data() for e in AuditLog(tmp_path / "audit.sqlite3").entries()]
    assert refusals and "2207" in json.dumps(refusals)


def test_journal_list_unknown_and_recover(
    tmp_path: Path, mock: MockPlatform, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _config(tmp_path, mock)
    assert main(["journal", "unknown", "--config", str(config)]) == 0
    assert main(["journal", "recover", "--config", str(config)]) == 0
    assert main(["journal", "list", "--config", str(config)]) == 0
    assert capsys.readouterr().err == ""


def test_a_config_without_a_province_table_is_a_config_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "h.toml"
    path.write_text('[hospital]\ncode = "H1"\n', encoding="utf-8")
    assert main(["journal", "list", "--config", str(path)]) == 78
    assert "province.institution" in capsys.readouterr().err


def test_reconcile_a_quiet_day_balances(
    tmp_path: Path, mock: MockPlatform, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _config(tmp_path, mock)
    roles = tmp_path / "roles.toml"
    roles.write_text(roles.read_text(encoding="utf-8") + '"A001" = ["auditor"]\n',
                     encoding="utf-8")
    argv = ["reconcile", "--date", "2026-03-02", "--operator", "A001", "--operator-name",
            "医保办", "--config", str(config)]
    assert main(argv) == 0
    assert "balanced" in capsys.readouterr().out
    refused = [*argv[:3], "--operator", "0007", *argv[5:]]  # a cashier may not reconcile
    assert main(refused) == 1
    assert "3201" in capsys.readouterr().err
