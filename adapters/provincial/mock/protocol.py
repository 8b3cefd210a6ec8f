"""The envelope as the mock platform reads and writes it (reference §1).

Requests: :func:`read_envelope` checks the 公共输入 members; :func:`national_input` undoes the
profile's renames so handlers see national names; :func:`strip_blanks` drops ``""``/``null``
members (what the ``empty``, ``null`` and ``zero_or_empty`` policies write for absent values).
Replies: :func:`reply_envelope` builds the 公共输出; :func:`local_output` applies the profile's
output renames the client will undo. A refused request raises :class:`Refusal`, answered
with ``infcode`` -1 and its message as ``err_msg``.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ..nodes import rename_members
from ..profiles import ProvinceProfile

__all__ = ["REQUIRED", "RefMsgIds", "Refusal", "local_output", "national_input",
           "read_envelope", "reply_envelope", "stamp", "strip_blanks"]

REQUIRED = ("infno", "msgid", "mdtrtarea_admvs", "recer_sys_code", "infver", "opter_type",
            "opter", "opter_name", "inf_time", "fixmedins_code", "fixmedins_name")
"""公共输入 members that must be present and non-empty."""
_INFNO = re.compile(r"\d{4}[A-Z]?")
_INF_TIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")


class Refusal(Exception):
    """The platform refuses the request: ``infcode`` (-1) and ``err_msg``.

    :param message: the ``err_msg`` (names the problem; never personal data).
    :param status: HTTP status to answer with (200: the platform answered normally).
    """

    def __init__(self, message: str, *, infcode: int = -1, status: int = 200) -> None:
        super().__init__(message)
        self.message = message
        self.infcode = infcode
        self.status = status


def read_envelope(data: Any, path_infno: str | None) -> dict[str, Any]:
    """The request envelope, checked.

    :param path_infno: the infno the URL named (suffix and per-path styles).
    :raises Refusal: not an object, a required member missing or malformed, ``input`` not an
        object, or the body's infno differs from the URL's.
    """
    if not isinstance(data, dict):
        raise Refusal(f"the body is a JSON {type(data).__name__}, not an envelope object")
    missing = [name for name in REQUIRED if data.get(name) in (None, "")]
    if missing:
        raise Refusal(f"envelope member(s) missing or empty: {', '.join(missing)}")
    infno, msgid = str(data["infno"]), str(data["msgid"])
    if not _INFNO.fullmatch(infno):
        raise Refusal(f"infno {infno!r} is not a transaction code (4 digits, maybe a letter)")
    if len(msgid) != 30:
        raise Refusal(f"msgid must be 30 characters (institution 12 + time 14 + sequence 4), "
                      f"got {len(msgid)}")
    if path_infno is not None and path_infno != infno:
        raise Refusal(f"infno {infno} in the body does not match {path_infno} in the URL")
    if not _INF_TIME.fullmatch(str(data["inf_time"])):
        raise Refusal("inf_time must be yyyy-MM-dd HH:mm:ss")
    if len(str(data["mdtrtarea_admvs"])) != 6:
        raise Refusal("mdtrtarea_admvs must be a 6-character division code")
    if not isinstance(data.get("input"), dict):
        kind = type(data.get("input")).__name__
        raise Refusal(f"input must be a JSON object (not {kind}; send it nested, not as text)")
    return data


def national_input(profile: ProvinceProfile, infno: str, value: dict[str, Any]) -> Any:
    """``input`` with the profile's node and member renames undone."""
    nodes = {local: national for national, local in profile.node_names.get(infno, {}).items()}
    fields = {local: national for national, local in profile.field_names.get(infno, {}).items()}
    return rename_members(rename_members(value, nodes, depth=1), fields)


def local_output(profile: ProvinceProfile, infno: str, output: Any) -> Any:
    """``output`` in the profile's names (the client renames it back)."""
    nodes = {national: local
             for local, national in profile.output_node_names.get(infno, {}).items()}
    return rename_members(rename_members(output, nodes, depth=1),
                          profile.field_names.get(infno, {}))


def strip_blanks(value: Any) -> Any:
    """``value`` without object members that are ``""`` or ``null``."""
    if isinstance(value, Mapping):
        return {key: strip_blanks(item) for key, item in value.items()
                if item is not None and item != ""}
    if isinstance(value, list):
        return [strip_blanks(item) for item in value]
    return value


def stamp(moment: datetime) -> str:
    """``yyyyMMddHHmmssSSS`` (reply time fields)."""
    return moment.strftime("%Y%m%d%H%M%S") + f"{moment.microsecond // 1000:03d}"


class RefMsgIds:
    """接收方报文ID: division (6) + yyyyMMddHHmmss (14) + serial (10)."""

    def __init__(self) -> None:
        self._serial = 0
        self._lock = threading.Lock()

    def next(self, division: str, moment: datetime) -> str:
        """The next id for a request from ``division``."""
        with self._lock:
            self._serial += 1
            serial = self._serial
        return f"{division[:6]:0>6}{moment:%Y%m%d%H%M%S}{serial % 10**10:010d}"


def reply_envelope(
    *,
    output: Any,
    inf_refmsgid: str,
    received: datetime,
    responded: datetime,
    infcode: int = 0,
    err_msg: str | None = None,
    warn_msg: str | None = None,
) -> dict[str, Any]:
    """公共输出 (reference §1.2)."""
    return {
        "infcode": infcode, "inf_refmsgid": inf_refmsgid, "refmsg_time": stamp(received),
        "respond_time": stamp(responded), "err_msg": err_msg, "warn_msg": warn_msg,
        "output": output, "signtype": "", "cainfo": "", "enctype": "",
    }
