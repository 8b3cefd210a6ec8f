"""No ID number, name or phone number in any log line, whatever the platform echoes back, and
plugin notifications that cannot break a call."""

from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import Any

import pluggy
import pytest
import requests
import responses
from test_client_helpers import (
    ARGS,
    CASHIER,
    ID_CARD,
    MDTRT,
    NAME,
    PHONE,
    PSN,
    SETTLEMENT,
    VISIT,
    Platform,
    fail,
    http,
    make_client,
    ok,
    record,
    refuse,
    serve,
)

from yibao_sdk.adapters.provincial.errors import PlatformError, ProvincialError
from yibao_sdk.adapters.provincial.logsafe import Redactor
from yibao_sdk.adapters.provincial.mapping import Credential
from yibao_sdk.rules import hookspecs

ECHO = f"人员{NAME}（证件号{ID_CARD}，电话{PHONE}）参保状态异常"
PERSONAL = (NAME, ID_CARD, PHONE, "1380012" + "3456")


@responses.activate
def test_no_personal_data_in_any_log_record(tmp_path: Path,
                                            caplog: pytest.LogCaptureFixture) -> None:
    stream = io.StringIO()  # a hospital's log file, as configured
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    logging.getLogger().addHandler(handler)
    caplog.set_level(logging.DEBUG)
    try:
        _run_calls_carrying_personal_data(tmp_path)
    finally:
        logging.getLogger().removeHandler(handler)
    assert len(caplog.records) > 10
    for rec in caplog.records:
        line = rec.getMessage()
        assert not any(value in line for value in PERSONAL), line
    for text in (caplog.text, stream.getvalue()):
        assert not any(value in text for value in PERSONAL)
    assert "张**" in stream.getvalue()  # masked, still readable


def _run_calls_carrying_personal_data(tmp_path: Path) -> None:
    platform = Platform()
    platform.on("1101", refuse(ECHO))
    platform.on("2503", refuse(ECHO))
    platform.on("2201", fail(requests.ReadTimeout("slow"))).on("5201", refuse(ECHO))
    platform.on("2207", http(502, f"<html>{ECHO}</html>")).on(
        "5203", ok(lambda body: record(platform.sent("2207")[0]["msgid"])))
    serve(platform)
    client = make_client(tmp_path)
    lookup = {"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": ID_CARD, "psn_cert_type": "01",
                       "certno": ID_CARD, "psn_name": NAME}}
    with pytest.raises(PlatformError):
        client.call("1101", lookup, CASHIER)
    filing = {"data": {"psn_no": PSN, "psn_name": NAME, "tel": "1380012" + "3456",
                       "certno": ID_CARD}}
    with pytest.raises(PlatformError):
        client.call("2503", filing, CASHIER, insuplc_admdvs="440100")
    with pytest.raises(ProvincialError):
        client.register(VISIT, CASHIER, credential=Credential("02", ID_CARD))
    assert client.settle(SETTLEMENT, VISIT, CASHIER, args=ARGS).settlement_id
    entries = [client.journal.by_msgid(body["msgid"]) for body in platform.requests]
    notes = [entry.detail or "" for entry in entries if entry is not None]
    assert len(notes) == 3  # 2503 refused, 2201 unknown, 2207 confirmed by 5203
    assert not any(value in note for note in notes for value in PERSONAL)


def test_the_redactor_masks_known_values_and_anything_id_or_phone_shaped() -> None:
    redact = Redactor.of({"data": {"psn_name": "李四", "coner_name": "王小明",
                                   "mdtrt_cert_no": "E1234567890ABCDEF"}})
    text = redact(f"李四 王小明 E1234567890ABCDEF 44010619800101001X 13900001111 {MDTRT}")
    assert text == f"李* 王** E12************EF 440*************1X 139****1111 {MDTRT}"
    assert "values" in repr(redact) and "李四" not in repr(redact)


class Recorder:
    """A hook implementation recording what it is told."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str, Any]] = []

    @pluggy.HookimplMarker("yibao")
    def yibao_before_send(self, infno: str, message: Any) -> None:
        self.seen.append(("before", infno, message["msgid"]))

    @pluggy.HookimplMarker("yibao")
    def yibao_after_reply(self, infno: str, message: Any, reply: Any) -> None:
        self.seen.append(("after", infno, reply["infcode"]))


class Broken:
    @pluggy.HookimplMarker("yibao")
    def yibao_before_send(self, infno: str, message: Any) -> None:
        raise RuntimeError("plugin bug")


@responses.activate
def test_plugins_are_notified_through_a_pluggy_relay_and_cannot_break_a_call(
        tmp_path: Path) -> None:
    manager = pluggy.PluginManager("yibao")
    manager.add_hookspecs(hookspecs)
    recorder = Recorder()
    manager.register(Broken())  # pluggy calls the last registered first
    manager.register(recorder)
    platform = Platform().on("2207", refuse("余额不足"))
    serve(platform)
    client = make_client(tmp_path, hooks=manager.hook)
    with pytest.raises(PlatformError):
        client.settle(SETTLEMENT, VISIT, CASHIER, args=ARGS)
    msgids = [b["msgid"] for b in platform.requests]
    assert recorder.seen == [("before", "9001", msgids[0]), ("after", "9001", 0),
                             ("before", "2207", msgids[1]), ("after", "2207", -1)]
