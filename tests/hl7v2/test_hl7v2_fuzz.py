"""Hypothesis: random, mutated and generated messages; only typed ``Hl7Error``s may escape.

CI runs these example counts (10,600 in all, about 30 s on the 2-core build machine); keep the
total at 10,000 or more when changing them.
"""

from __future__ import annotations

from dataclasses import dataclass

from hl7v2_samples import ADT_V28, DFT_P03, DFT_P03_GB18030, ORU_CUSTOM, corpus_messages
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from yibao_sdk.hl7v2 import (
    AckError,
    Delimiters,
    Hl7Error,
    Message,
    build_ack_fast,
    build_reject,
    escape,
    parse_batch,
    parse_message,
)
from yibao_sdk.hl7v2.delimiters import ABSENT

SLOW_OK = [HealthCheck.too_slow, HealthCheck.data_too_large]
SEEDS = [ADT_V28.encode(), DFT_P03.encode(), DFT_P03_GB18030, ORU_CUSTOM.encode()]
SEEDS += [p.read_bytes() for p in corpus_messages()]
NOISE = b"|^~\\&#@!$%\r\n\x0b\x1c\xff\x80 MSH"
PEER_DEFAULTS = st.sampled_from([None, "GB18030", "UTF-8", "GBK"])


def _exercise(message: Message) -> None:
    """Read everything a mapper could read; none of it may raise."""
    _ = (message.message_type, message.control_id, message.declared_charset, repr(message))
    assert parse_message(build_ack_fast(message, "AE", errors=[AckError("x")])).control_id
    message.groups(message.segments[-1].name, ("Z*", "NTE"))
    for segment in message:
        for n in range(len(segment) + 2):
            segment.value(n, 2, 2, 2)
            for rep in segment.repetitions(n):
                rep.components()
                rep.value(2)
        assert isinstance(message[f"{segment.name}-1(2).2.2"], str)
    text = message.encode()
    assert parse_message(text).encode() == text


def _parse_only_typed(data: bytes | str, default: str | None) -> None:
    try:
        message = parse_message(data, encoding=default)
    except Hl7Error as exc:
        event(f"message: {type(exc).__name__} {exc.code}")
        reject = parse_message(build_reject(data, exc, encoding=default))  # never raises
        assert reject["MSA-1"] == "AR" and str(exc.code) in reject.encode()
    else:
        event("message: parsed")
        _exercise(message)
    try:
        batch = parse_batch(data, encoding=default)
    except Hl7Error as exc:
        event(f"batch: {type(exc).__name__}")
        return
    event("batch: parsed")
    for message in batch.messages:
        _exercise(message)
    assert parse_batch(batch.encode()).encode() == batch.encode()


@settings(max_examples=2500, deadline=None, suppress_health_check=SLOW_OK)
@given(st.binary(max_size=300), PEER_DEFAULTS)
def test_hl7v2_fuzz_random_bytes(data: bytes, default: str | None) -> None:
    _parse_only_typed(data, default)


_MSH = b"MSH|^~\\&|HIS|H|YB|Y|20250301||DFT^P03|C1|P|2.5|||||CHN|"
_HEADS = [b"MSH|^~\\&|", _MSH, _MSH + b"GB18030\r", _MSH + b"\rPID|", b"\x0bMSH#@!$%#",
          b"BHS|^~\\&|\r" + _MSH + b"\r", _MSH.replace(b"2.5", b"2.8").replace(b"&", b"&#")]
_TOKENS = [b"\rPID|", b"\rZZ1|", b"\r", b"\n", b"|", b"^", b"~", b"&", b"\\T\\", b"\\X0D\\",
           b"\\XE4B8AD\\", b"\\X", b"\\", b"\rMSH|^~\\&|", b"\rBTS|1", b"\x1c", "中".encode(),
           "中".encode("gb18030")]
_PARTS = st.lists(st.one_of(st.sampled_from(_TOKENS), st.binary(max_size=6),
                            st.text(max_size=6).map(str.encode)), max_size=30)


@settings(max_examples=2000, deadline=None, suppress_health_check=SLOW_OK)
@given(st.sampled_from(_HEADS), _PARTS, PEER_DEFAULTS)
def test_hl7v2_fuzz_random_after_a_header(head: bytes, parts: list[bytes],
                                          default: str | None) -> None:
    _parse_only_typed(head + b"".join(parts), default)


@st.composite
def _mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        action = draw(st.sampled_from(["flip", "cut", "insert", "delete", "repeat"]))
        if action == "flip" and data:
            data[at] ^= draw(st.integers(1, 255))
        elif action == "cut":
            del data[at:]
        elif action == "insert":
            data[at:at] = bytes([draw(st.sampled_from(list(NOISE)))])
        elif action == "delete":
            del data[at : at + draw(st.integers(1, 8))]
        else:
            data[at:at] = data[at : at + draw(st.integers(1, 40))]
    return bytes(data)


@settings(max_examples=3000, deadline=None, suppress_health_check=SLOW_OK)
@given(_mutated(), PEER_DEFAULTS, st.booleans())
def test_hl7v2_fuzz_mutated_messages(data: bytes, default: str | None, as_text: bool) -> None:
    _parse_only_typed(data.decode("latin-1") if as_text else data, default)


# Generated, well-formed messages ------------------------------------------------------------

_POOL = "|^~\\&#@!$%*+/:;=?"
_NAMES = ["PID", "PV1", "FT1", "OBX", "NTE", "IN1", "ZUD", "ZP1", "PRT"]
_LEAF = st.text(st.one_of(st.characters(codec="utf-8"),
                          st.sampled_from(list(_POOL + "\r\n\x0b\x1c 中文医保"))), max_size=6)
_FIELD = st.lists(st.lists(st.lists(_LEAF, min_size=1, max_size=2), min_size=1, max_size=3),
                  min_size=1, max_size=2)


@dataclass(frozen=True)
class _Built:
    text: str
    charset: str
    segments: list[tuple[str, list[list[list[list[str]]]]]]


@st.composite
def _delimiters(draw: st.DrawFn) -> Delimiters:
    chars = draw(st.permutations(list(_POOL)))
    trunc = chars[5] if draw(st.booleans()) else ABSENT
    return Delimiters(chars[0], chars[1], chars[2], chars[3], chars[4], trunc)


def _field_text(field: list[list[list[str]]], d: Delimiters) -> str:
    return d.repetition.join(d.component.join(d.subcomponent.join(escape(s, d) for s in comp)
                                              for comp in rep) for rep in field)


@st.composite
def _built(draw: st.DrawFn) -> _Built:
    d = draw(_delimiters())
    charset = draw(st.sampled_from(["", "UNICODE UTF-8", "GB18030"]))
    version = draw(st.sampled_from(["2.3", "2.4", "2.5.1", "2.6", "2.7", "2.8"]))
    control = escape(draw(_LEAF), d)
    msh = d.field.join(["MSH", d.encoding_characters, "HIS", "", "", "", "20250301", "",
                        d.component.join(["DFT", "P03"]), control, "P", version, "", "", "",
                        "", "", charset])
    segments = draw(st.lists(st.tuples(st.sampled_from(_NAMES),
                                       st.lists(_FIELD, max_size=5)), max_size=4))
    lines = [msh] + [d.field.join([name, *(_field_text(f, d) for f in fields)])
                     for name, fields in segments]
    return _Built("\r".join(lines), charset, segments)


@settings(max_examples=3100, deadline=None, suppress_health_check=SLOW_OK)
@given(_built(), st.sampled_from(["text", "bytes", "batch"]))
def test_hl7v2_fuzz_generated_messages_round_trip(built: _Built, form: str) -> None:
    codec = "gb18030" if built.charset == "GB18030" else "utf-8"
    raw = built.text.encode(codec)
    if form == "batch":
        batch = parse_batch(raw + b"\r" + raw)
        assert batch.encode() == (built.text + "\r") * 2
        message = batch.messages[1]
    else:
        message = parse_message(built.text if form == "text" else raw)
    assert message.encode() == built.text + "\r"
    assert message.charset == codec
    for segment, (name, fields) in zip(message.segments[1:], built.segments, strict=True):
        assert segment.name == name
        for n, field in enumerate(fields, 1):
            for r, rep in enumerate(field, 1):
                for c, comp in enumerate(rep, 1):
                    for s, leaf in enumerate(comp, 1):
                        assert segment.value(n, c, s, r) == leaf
