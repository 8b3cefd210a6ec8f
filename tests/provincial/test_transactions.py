"""The transaction table covers reference §2.1 and carries its retry classes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from yibao_sdk.adapters.provincial.errors import UnknownTransactionError
from yibao_sdk.adapters.provincial.transactions import (
    NATIONAL_TRANSACTIONS,
    RetryClass,
    Transaction,
    TransactionTable,
)
from yibao_sdk.adapters.provincial.wire import files, settlement

REFERENCE = Path(__file__).resolve().parents[3] / "shared/reference/provincial-interface.md"

# Columns "Code" and "Retry" of reference §2.1, kept here so the test runs in a fresh clone;
# test_embedded_table_matches_the_reference catches drift when the reference is present.
SECTION_2_1 = """\
| 9001 | safe |
| 9002 | safe |
| 1101 | safe |
| 1161/1162 | safe |
| 1201 | safe |
| 1301 | safe |
| 1302 | safe |
| 1303 | safe |
| 1304 | safe |
| 1305 | safe |
| 1306 | safe |
| 1307 | safe |
| 1308 | safe |
| 1309 | safe |
| 1310 | safe |
| 1311 | safe |
| 1312 | safe |
| 1313 | safe |
| 1314 | safe |
| 1315 | safe |
| 1316 | safe |
| 1317 | safe |
| 1318 | safe |
| 1319 | safe |
| 1320 | safe |
| 1321 | safe |
| 1901 | safe |
| 2001 | safe |
| 2101/2102/2103 | 2101 safe; 2102 **REV**; 2103 chk |
| 2201 | chk (5201/5303 query, or 2202 / 2601) |
| 2202 | chk |
| 2203 / 2203A | chk (re-upload normally overwrites [U]) |
| 2204 | chk. Duplicate `feedetl_sn` is rejected; to redo: 2205 then re-upload |
| 2205 | chk |
| 2206 / 2206A | safe |
| 2207 / 2207A | **REV** (2601 with `oinfno=2207`) |
| 2208 | REV/chk (verify with 5203 or reconciliation) |
| 2301 | chk (2302 then re-upload) |
| 2302 | chk |
| 2303 | safe |
| 2304 | **REV** (2601 with `oinfno=2304`) [C] |
| 2305 | REV/chk |
| 2401 | chk (5303 在院信息查询 / 2404) |
| 2402 | chk (2405) |
| 2403 | chk |
| 2404 | chk |
| 2405 | chk |
| 2406/2407 | chk / safe |
| 2501/2502 | chk |
| 2503/2504 | chk |
| 2505/2506 | chk |
| 2601 | see §2.2 |
| 3101 | safe |
| 3102 | safe |
| 3103 | chk |
| 3201 | safe |
| 3202 | safe |
| 3203/3204 | chk |
| 3211/3212 | safe |
| 3260 | safe |
| 3301/3302 | chk |
| 3401/3401A/3402/3403 | chk |
| 3501-3507 | chk |
| 4101 | chk |
| 4101A | chk |
| 4102 | chk |
| 4103 | safe |
| 4104 | safe |
| 4201A-4205, 4261-4263 | chk |
| 4301/4302 | chk |
| 4401/4402 | chk |
| 4501-4505 | chk |
| 4701 | chk |
| 5101/5102 | safe |
| 5201 | safe |
| 5202 | safe |
| 5203 | safe |
| 5204 | safe |
| 5205 | safe |
| 5206 | safe |
| 5265/5269/5270 | safe |
| 5301-5304 | safe |
| 6201/6203/6301/6401 | varies |
| 7101/7102/7104/7202/7203 (+7801-7806 regional) | 7101 chk; queries safe |
| 9101 | safe (new file) |
| 9102 | safe |
"""

TYPED = ["9001", "1101", "1301", "1302", "1303", "1305", "1306", "1307", "1308", "1309",
         "1310", "1311", "1312", "1313", "1314", "1315", "9101", "9102", "2201", "2202",
         "2203", "2203A", "2204", "2205", "2206", "2207", "2208", "2301", "2302", "2303", "2304",
         "2305", "2401", "2402", "2403", "2404", "2405", "2601", "3101", "3102", "3103", "3201",
         "3202", "4101A", "5203"]


def _rows_of_reference() -> list[tuple[str, str]]:
    """``(code cell, retry cell)`` of every data row of §2.1 in the shared reference."""
    text = REFERENCE.read_text(encoding="utf-8")
    section = text[text.index("### 2.1 Table"):text.index("### 2.2")]
    rows = [line for line in section.splitlines() if line.startswith("|")][2:]
    return [(cells[1].strip(), cells[4].strip()) for cells in (r.split("|") for r in rows)]


def _rows() -> list[tuple[str, str]]:
    return [tuple(c.strip() for c in line.split("|")[1:3])  # type: ignore[misc]
            for line in SECTION_2_1.splitlines()]


def expand(cell: str) -> list[str]:
    """Codes named in a code cell: ``2101/2102``, ``2203 / 2203A``, ``3501-3507``,
    ``4201A-4205, 4261-4263``, ``7101/… (+7801-7806 regional)``."""
    codes: list[str] = []
    for token in re.findall(r"\d{4}[A-Z]?(?:-\d{4}[A-Z]?)?", cell):
        if "-" not in token:
            codes.append(token)
            continue
        first, last = token.split("-")
        codes.append(first)
        codes.extend(str(n) for n in range(int(first[:4]) + 1, int(last[:4])))
        codes.append(last)
    return codes


def retry_of(code: str, codes: list[str], cell: str) -> RetryClass | None:
    """The class the retry cell gives ``code`` of a row naming ``codes`` (``chk / safe`` is
    positional), or None where the reference is not definite (``REV/chk``, ``varies``, …)."""
    words = [w.strip() for w in cell.split(" / ")]
    if len(words) == len(codes) > 1:
        cell = words[codes.index(code)]
    if ";" in cell:
        parts = dict(p.strip().split(" ", 1) for p in cell.split(";"))
        cell = parts.get(code, "")
    word = cell.split(" ")[0].rstrip(".")
    return {"safe": RetryClass.SAFE, "chk": RetryClass.CHECK,
            "**REV**": RetryClass.REVERSE}.get(word)


def test_embedded_table_matches_the_reference() -> None:
    if not REFERENCE.exists():
        pytest.skip("shared reference not present (fresh clone)")
    assert _rows_of_reference() == _rows()


def test_expand_reads_every_cell_shape() -> None:
    assert expand("2203 / 2203A") == ["2203", "2203A"]
    assert expand("4201A-4205, 4261-4263") == ["4201A", "4202", "4203", "4204", "4205",
                                               "4261", "4262", "4263"]
    assert expand("7101/7102 (+7801-7803 regional)") == ["7101", "7102", "7801", "7802", "7803"]


def test_every_code_of_section_2_1_has_a_row() -> None:
    codes = [code for cell, _ in _rows() for code in expand(cell)]
    assert len(codes) > 100
    missing = [code for code in codes if code not in NATIONAL_TRANSACTIONS]
    assert missing == []
    assert set(NATIONAL_TRANSACTIONS) == set(codes)


def test_retry_classes_follow_the_reference() -> None:
    checked = 0
    for cell, retry in _rows():
        codes = expand(cell)
        for code in codes:
            expected = retry_of(code, codes, retry)
            if expected is not None:
                assert NATIONAL_TRANSACTIONS[code].retry is expected, code
                checked += 1
    assert checked > 90


@pytest.mark.parametrize("infno", ["2207", "2304", "2102", "2207A"])
def test_money_moving_transactions_are_reverse(infno: str) -> None:
    row = NATIONAL_TRANSACTIONS[infno]
    assert row.retry is RetryClass.REVERSE
    assert row.undo_with == ("2601",)
    assert row.check_with == ("5203",)


def test_undecided_rows_are_never_resent_blindly() -> None:
    # "REV/chk" (2208, 2305) and 2601 are verified with 5203 before any retry;
    # "varies" (6xxx) and the e-prescription codes of unknown nature are CHECK with no query.
    for infno in ("2208", "2305", "2601"):
        assert NATIONAL_TRANSACTIONS[infno].retry is RetryClass.CHECK
        assert NATIONAL_TRANSACTIONS[infno].check_with == ("5203",)
    for infno in ("6201", "6401", "7102", "7806"):
        row = NATIONAL_TRANSACTIONS[infno]
        assert row.retry is RetryClass.CHECK and row.check_with == () and row.undo_with == ()
    assert NATIONAL_TRANSACTIONS["2406"].retry is RetryClass.CHECK
    assert NATIONAL_TRANSACTIONS["2407"].retry is RetryClass.SAFE


def test_check_rows_name_their_query_or_undo_as_the_reference_does() -> None:
    assert NATIONAL_TRANSACTIONS["2201"].check_with == ("5201", "5303")
    assert NATIONAL_TRANSACTIONS["2201"].undo_with == ("2202", "2601")
    assert NATIONAL_TRANSACTIONS["2204"].undo_with == ("2205",)
    assert NATIONAL_TRANSACTIONS["2301"].undo_with == ("2302",)
    assert NATIONAL_TRANSACTIONS["2401"].check_with == ("5303",)
    assert NATIONAL_TRANSACTIONS["2401"].undo_with == ("2404",)
    assert NATIONAL_TRANSACTIONS["2402"].undo_with == ("2405",)


def test_rows_carry_names_and_models() -> None:
    assert NATIONAL_TRANSACTIONS["2207"].name == "门诊结算"
    assert NATIONAL_TRANSACTIONS["1301"].name == "西药中成药目录下载"
    assert NATIONAL_TRANSACTIONS["2207"].input_model is settlement.InputOutpatientSettle
    assert NATIONAL_TRANSACTIONS["2304"].output_model is settlement.OutputSettlement
    assert NATIONAL_TRANSACTIONS["1307"].output_model is files.FileTicket
    assert NATIONAL_TRANSACTIONS["9002"].input_model is None
    for infno in TYPED:
        assert NATIONAL_TRANSACTIONS[infno].input_model is not None, infno


def test_psn_no_routing_and_file_flags() -> None:
    for infno in ("2201", "2204", "2207", "2304", "2401", "2601", "5203", "4101A"):
        assert NATIONAL_TRANSACTIONS[infno].psn_routed, infno
    for infno in ("1101", "1301", "3101", "9001", "9101"):
        assert not NATIONAL_TRANSACTIONS[infno].psn_routed, infno
    assert NATIONAL_TRANSACTIONS["9102"].binary_reply
    assert NATIONAL_TRANSACTIONS["9101"].file_service and NATIONAL_TRANSACTIONS["9102"].file_service
    assert not NATIONAL_TRANSACTIONS["2207"].binary_reply


def test_unknown_infno_is_a_typed_error() -> None:
    with pytest.raises(UnknownTransactionError, match="9999") as caught:
        NATIONAL_TRANSACTIONS["9999"]
    assert caught.value.infno == "9999"
    assert "9999" not in NATIONAL_TRANSACTIONS
    assert NATIONAL_TRANSACTIONS.get("9999") is None


def test_a_new_transaction_is_one_row() -> None:
    row = Transaction("8801", "本地扩展查询", RetryClass.SAFE)
    table = NATIONAL_TRANSACTIONS.with_rows(row)
    assert isinstance(table, TransactionTable)
    assert table["8801"] is row
    assert len(table) == len(NATIONAL_TRANSACTIONS) + 1
    assert "8801" not in NATIONAL_TRANSACTIONS
