"""A thin caller for tests and benchmarks of the mock: builds requests with the SDK's
:class:`~..envelope.EnvelopeBuilder`, signs them with the profile's client signer, POSTs them
with ``requests`` and reads replies with :func:`~..reply.parse_reply`.

It is not the SDK client: no retries, no journal, no roles. ``call`` raises the
:mod:`..errors` tree (a refusal is a :class:`~..errors.PlatformError`); ``post`` returns the raw
``requests`` response and lets ``requests`` exceptions through, for fault tests::

    with start_mock(NATIONAL) as mock, MockClient(mock) as client:
        client.sign_in()
        person = client.call("1101", {"data": {...}}).output
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from datetime import datetime
from types import TracebackType
from typing import Any, ClassVar

import requests
from pydantic import BaseModel

from yibao_sdk.models.base import CHINA

from ..envelope import EnvelopeBuilder, Institution, Operator, OutboundRequest
from ..profiles import ProvinceProfile
from ..reply import FileReply, Reply, parse_reply
from ..signing.auth import SignerAuth
from ..signing.base import Signer
from .server import MockPlatform

__all__ = ["DEFAULT_INSTITUTION", "DEFAULT_OPERATOR", "MockClient", "MsgidCounter"]

DEFAULT_INSTITUTION = Institution("H44010600001", "测试医院(模拟)", "440100")
"""The institution the harness sends as (a level-3 hospital in Guangzhou, 440100)."""
DEFAULT_OPERATOR = Operator("OP0001", "测试经办员")
"""The operator the harness acts as."""


class MsgidCounter:
    """``fixmedins_code + yyyyMMddHHmmss + 4-digit sequence``, unique within the process.

    The sequence is shared by every counter of the same institution in the process (several
    clients in one test must never send the same msgid: the mock would treat the second as a
    duplicate); it waits for the next second after 9,999 ids.
    """

    _lock: ClassVar[threading.Lock] = threading.Lock()
    _last: ClassVar[dict[str, tuple[str, int]]] = {}

    def __init__(self, fixmedins_code: str) -> None:
        self.fixmedins_code = fixmedins_code

    def __call__(self) -> str:
        while True:
            stamp = datetime.now(CHINA).strftime("%Y%m%d%H%M%S")
            with self._lock:
                last, seq = self._last.get(self.fixmedins_code, ("", 0))
                stamp = max(stamp, last)
                seq = seq + 1 if stamp == last else 1
                if seq <= 9999:
                    self._last[self.fixmedins_code] = (stamp, seq)
                    return f"{self.fixmedins_code}{stamp}{seq:04d}"
            time.sleep(0.01)


class MockClient:
    """Drives a mock platform (or any endpoint of a profile).

    :param target: a running :class:`~.server.MockPlatform` (its client profile is used) or a
        profile whose URLs point at the server.
    :param signer: the client signer (x-tif, HMAC, SM); ``None`` sends unsigned requests.
    :param timeout: ``(connect, read)`` seconds.
    """

    def __init__(
        self,
        target: MockPlatform | ProvinceProfile,
        *,
        institution: Institution = DEFAULT_INSTITUTION,
        operator: Operator = DEFAULT_OPERATOR,
        signer: Signer | None = None,
        timeout: tuple[float, float] = (2.0, 10.0),
    ) -> None:
        self.profile = target.client_profile if isinstance(target, MockPlatform) else target
        self.institution = institution
        self.operator = operator
        self.builder = EnvelopeBuilder(self.profile, institution,
                                       msgids=MsgidCounter(institution.fixmedins_code))
        self.session = requests.Session()
        self.auth = SignerAuth(signer) if signer is not None else None
        self.timeout = timeout
        self.sign_no: str | None = None

    def __enter__(self) -> MockClient:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Close the HTTP session."""
        self.session.close()

    def build(self, infno: str, data: BaseModel | Mapping[str, Any], *,
              insuplc_admdvs: str | None = None, msgid: str | None = None,
              operator: Operator | None = None) -> OutboundRequest:
        """The request (validated against the wire model, with this client's ``sign_no``)."""
        return self.builder.build(infno, data, operator or self.operator, sign_no=self.sign_no,
                                  insuplc_admdvs=insuplc_admdvs, msgid=msgid)

    def post(self, request: OutboundRequest, *,
             timeout: tuple[float, float] | float | None = None) -> requests.Response:
        """POST ``request`` once (signed); ``requests`` exceptions pass through."""
        return self.session.post(request.url, data=request.content(), headers=request.headers,
                                 auth=self.auth, timeout=timeout or self.timeout)

    def parse(self, request: OutboundRequest, response: requests.Response) -> Reply | FileReply:
        """The reply, verified (and decrypted) by the signer where the scheme signs replies.

        :raises ReplyError: see :func:`~..reply.parse_reply`.
        :raises SignatureError: the reply is not authentic.
        """
        body = response.content
        is_file = request.transaction.binary_reply and body.startswith(b"PK")
        if self.auth is not None and not is_file:
            body = self.auth.verify_response(response).body
        return parse_reply(body, transaction=request.transaction, msgid=request.msgid,
                           profile=self.profile, status=response.status_code,
                           headers=dict(response.headers))

    def send(self, request: OutboundRequest) -> Reply | FileReply:
        """POST and parse."""
        return self.parse(request, self.post(request))

    def call(self, infno: str, data: BaseModel | Mapping[str, Any], *,
             insuplc_admdvs: str | None = None, msgid: str | None = None) -> Reply:
        """Build, send and parse a JSON transaction.

        :raises ReplyError: a refusal (:class:`~..errors.PlatformError`) or a bad reply.
        """
        reply = self.send(self.build(infno, data, insuplc_admdvs=insuplc_admdvs, msgid=msgid))
        if not isinstance(reply, Reply):
            raise TypeError(f"{infno} answered a file, not an envelope")
        return reply

    def fetch(self, file_qury_no: str, filename: str) -> FileReply:
        """9102: the file behind a ticket."""
        data = {"fsDownloadIn": {"file_qury_no": file_qury_no, "filename": filename,
                                 "fixmedins_code": self.institution.fixmedins_code}}
        reply = self.send(self.build("9102", data))
        if not isinstance(reply, FileReply):
            raise TypeError("9102 answered an envelope, not a file")
        return reply

    def sign_in(self) -> str:
        """9001 for this client's operator; the ``sign_no`` is used from now on."""
        data = {"signIn": {"opter_no": self.operator.opter, "mac": "00-00-00-00-00-00",
                           "ip": "127.0.0.1"}}
        reply = self.call("9001", data)
        self.sign_no = str(reply.output.signinoutb.sign_no)
        return self.sign_no
