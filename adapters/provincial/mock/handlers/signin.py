"""9001 签到, 9002 签退, and the ``sign_no`` check every other transaction goes through.

A ``sign_no`` belongs to the institution and operator (``opter``) that signed in; it stays
valid until 9002 or, with :attr:`~..config.MockConfig.sign_in_ttl`, until it expires. The
refusal text contains 签到 and ``sign_no``, the markers profiles use to renew a sign-in.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from ...wire.signin import Input9001
from ..protocol import Refusal
from .base import Call, Output

__all__ = ["check_sign_no", "sign_in", "sign_out"]


def sign_in(call: Call) -> Output:
    """9001: a new ``sign_no`` for the sending operator."""
    call.parse(Input9001)
    sign_no = f"{call.now:%Y%m%d%H%M%S}{call.tx.next_serial('sign_no'):08d}"
    call.tx.insert("sign_ins", {"sign_no": sign_no, "fixmedins_code": call.fixmedins_code,
                                "opter": str(call.envelope["opter"]), "signed_at": call.now})
    return {"signinoutb": {"sign_no": sign_no, "sign_time": call.now}}


def sign_out(call: Call) -> Output:
    """9002: the envelope's ``sign_no`` is no longer valid."""
    call.tx.update("sign_ins", {"sign_no": str(call.envelope.get("sign_no") or "")},
                   {"signed_out": 1})
    return {"signoutoutb": {"sign_time": call.now}}


def check_sign_no(call: Call, ttl_seconds: float | None) -> None:
    """Refuse unless the envelope carries a valid ``sign_no`` of this institution and operator.

    :raises Refusal: missing, unknown, signed out, expired, or another operator's.
    """
    sign_no = call.envelope.get("sign_no")
    if not sign_no:
        raise Refusal("sign_no 为空，请先签到 (9001): sign_no is required on every call but 9001")
    row = call.tx.one("SELECT * FROM sign_ins WHERE sign_no = ?", str(sign_no))
    if row is None or row["fixmedins_code"] != call.fixmedins_code:
        raise Refusal(f"sign_no {sign_no} 无效，请重新签到 (9001): unknown sign_no")
    if row["signed_out"]:
        raise Refusal(f"sign_no {sign_no} 已签退，请重新签到 (9001): signed out")
    if row["opter"] != str(call.envelope["opter"]):
        raise Refusal(f"sign_no {sign_no} 属于其他经办人，请重新签到 (9001): another operator's")
    if ttl_seconds is not None:
        signed_at = datetime.strptime(row["signed_at"], "%Y-%m-%d %H:%M:%S")
        if call.now - signed_at > timedelta(seconds=ttl_seconds):
            raise Refusal(f"sign_no {sign_no} 已过期，请重新签到 (9001): expired")
