"""Every public corpus message parses, round-trips and yields its known values."""

from __future__ import annotations

from pathlib import Path

import pytest
from hl7v2_samples import (
    BAD_BATCHES,
    BATCHES,
    PYTHON_HL7,
    corpus_messages,
    need_corpus,
    normalised,
)

from yibao_sdk.hl7v2 import Hl7ParseError, parse_batch, parse_message

SINGLES = corpus_messages()

# file -> {path: value} read from the stored sample text by eye.
KNOWN = {
    "ADT-A01-01.hl7": {"MSH-9": "ADT", "MSH-9.2": "A01", "PID-3.1": "PATID1234",
                       "PID-3(2).1": "123456789", "PID-5.2": "ADAM",
                       "PV1-14": "NHS Provider-General (inc.A&E-this Hosp)",
                       "OBX-5(2)": "120"},
    "ADT-A04-01.hl7": {"MSH-9.3": "ADT_A04", "PID-3(2).5": "SS", "OBX-5": "60"},
    "ADT01-23.hl7": {"MSH-9": "ADT", "MSH-10": "599102", "MSH-11.2": "I", "OBX-5": " V02",
                     "SFT(2)-3": "Rhapd"},
    "ADT01-28.hl7": {"MSH-12": "2.5.1", "PID-3.1": "PATID1234", "PID-11.3": "GREENSBORO"},
    "ADT04-251.hl7": {"MSH-9.3": "ADT_A01", "PID-3.1": "MRN12345", "PID-5.1": "Doe",
                      "NK1-5(2).1": "(330) 274-8214"},
    "BAR-P02-01.hl7": {"MSH-9": "BAR", "MSH-9.2": "P02", "PID-3.1": "PATID1234"},
    "LAB-ORU-1.hl7": {"MSH-9.2": "R01", "PID-3.1": "10006579", "OBX(2)-5": "4.06"},
    "MDM-T02-01.hl7": {"MSH-10": "PS1-20080131160038", "PID-3.1": "987654321",
                       "OBX(2)-5.2": "application"},
    "OMG-O19-01.hl7": {"MSH-9": "OMG", "FT1-7.1": "71045",
                       "FT1-7.2": "Xray exam chest 1 view", "OBX(2)-5.1": "OB-5"},
    "OML-O21-01.hl7": {"MSH-12": "2.6", "PID-3.4.2": "2.16.1", "OBX-5.2": "Salmonella"},
    "ORM-O01-01.hl7": {"MSH-9": "ORM", "PID-2.1": "1234567"},
    "ORU-R01-01.hl7": {"MSH-12": "2.5.1", "PID-3.1": "14", "PID-5.1": "Finn",
                       "OBX-5.1": "https://testurl.com"},
    "RDE-O11-01.hl7": {"MSH-9": "RDE", "PID-3(2).1": "123456789"},
    "sample_hl7.hl7": {"MSH-12": "2.4", "PID-3": "555-44-4444", "OBX-5.2": "182",
                       "OBX(2)-2": "FN", "PID-5.1": "EVERYWOMAN"},
    "rep_sample_hl7.hl7": {"PID-1": "Field1", "PID-2.2": "Component2",
                           "PID-3.2.2": "Sub-Component2", "PID-4(2)": "Repeat2"},
    "sample_msh.hl7": {"MSH-12": "2.3", "PID-3(2).4": "MSH_EMPI", "PID-4(2).1": "184737",
                       "IN1(3)-4": "SELF-PAY"},
}


def _ids(paths: list[Path]) -> list[str]:
    return [p.name for p in paths]


def test_hl7v2_corpus_is_there_and_complete() -> None:
    folder = need_corpus()
    assert len(list(folder.glob("*.hl7"))) == 18
    assert len(list(PYTHON_HL7.glob("*.hl7"))) == 21
    assert set(KNOWN) <= {p.name for p in SINGLES}


@pytest.mark.parametrize("path", SINGLES, ids=_ids(SINGLES))
def test_hl7v2_corpus_message_parses_and_round_trips(path: Path) -> None:
    data = path.read_bytes()
    message = parse_message(data, where=path.name)
    assert message.encode().encode("utf-8") == normalised(data)
    again = parse_message(message.encode())
    assert again.encode() == message.encode()
    assert [s.name for s in again] == [s.name for s in message]
    assert message.segments[0].name == "MSH" and message.control_id
    for segment in message:  # every value reads without error
        for n in range(len(segment) + 1):
            for rep in segment.repetitions(n):
                rep.components()


@pytest.mark.parametrize("name", sorted(KNOWN))
def test_hl7v2_corpus_known_values(name: str) -> None:
    folder = need_corpus()
    path = folder / name if (folder / name).exists() else PYTHON_HL7 / name
    message = parse_message(path.read_bytes())
    for where, expected in KNOWN[name].items():
        assert message[where] == expected, where


def test_hl7v2_corpus_message_types() -> None:
    folder = need_corpus()
    seen = {p.name: parse_message(p.read_bytes()).message_type for p in folder.glob("*.hl7")}
    assert seen["BAR-P02-01.hl7"] == ("BAR", "P02", "BAR_P02")
    assert seen["LAB-ORU-1.hl7"] == ("ORU", "R01", "")  # MSH-9.3 left out by the sender
    assert seen["ADT04-251.hl7"] == ("ADT", "A04", "ADT_A01")


@pytest.mark.parametrize("name", sorted(BATCHES))
def test_hl7v2_corpus_batch_parses_and_round_trips(name: str) -> None:
    data = (need_corpus() / "python-hl7" / name).read_bytes()
    batch = parse_batch(data, where=name)
    assert len(batch.messages) == BATCHES[name]
    assert batch.encode().encode("utf-8") == normalised(data)
    assert all(m.message_type == ("ADT", "A04", "ADT_A01") for m in batch.messages)
    assert batch.messages[0]["PID-3.1"] == "0000112234"


def test_hl7v2_corpus_file_keeps_its_envelope() -> None:
    batch = parse_batch((need_corpus() / "python-hl7" / "sample_file1.hl7").read_bytes())
    assert batch.header is not None and batch.header.name == "FHS"
    assert batch.header.value(10) == "abchs20070101123401.hl7"
    assert [len(b.messages) for b in batch.batches] == [2, 1]
    assert [b.header.value(11) for b in batch.batches if b.header] == [
        "abchs20070101123401-1", "abchs20070101123401-2"]
    assert batch.trailer is not None and batch.trailer.value(1) == "2"


@pytest.mark.parametrize("name", sorted(BAD_BATCHES))
def test_hl7v2_corpus_bad_batches_fail_naming_the_problem(name: str) -> None:
    index, segment, words = BAD_BATCHES[name]
    data = (need_corpus() / "python-hl7" / name).read_bytes()
    with pytest.raises(Hl7ParseError) as caught:
        parse_batch(data, where=name)
    assert (caught.value.index, caught.value.segment) == (index, segment)
    assert words in str(caught.value)
    assert str(caught.value).startswith(f"{name}: segment {index} ({segment}): ")


@pytest.mark.parametrize("name", sorted(set(BATCHES) | set(BAD_BATCHES)))
def test_hl7v2_corpus_batches_are_not_single_messages(name: str) -> None:
    data = (need_corpus() / "python-hl7" / name).read_bytes()
    with pytest.raises(Hl7ParseError, match="batch"):
        parse_message(data)
