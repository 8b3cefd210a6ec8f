"""HTTP transport: one ``requests`` session per client, finite timeouts, signed requests and
verified replies. The only module of the client stack that imports ``requests``.

Failures below the envelope become :class:`TransportError`\\ s; ``sent`` tells the retry policy
whether the request may have reached the platform::

    ReplyError
     └── TransportError           sent: False = never left, None = may have, True = it did
          ├── ConnectError         False: refused, DNS, TLS handshake, connect timeout
          ├── ReadTimeoutError     None:  sent, no answer within the read timeout
          ├── ConnectionLostError  None:  the connection broke after the request went out
          ├── ServerError          True:  HTTP 5xx without a readable refusal
          └── UnverifiedReplyError True:  the reply fails the signer's verification

Only a ``sent=False`` error has a known outcome (nothing happened). urllib3's own retries are
switched off: every resend is decided by :mod:`.retry` and goes out freshly built and signed
(new msgid, timestamp and nonce), never as a replay of a prepared request.
"""

from __future__ import annotations

import logging
import math
import time

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
from urllib3.util.retry import Retry

from .envelope import OutboundRequest
from .errors import PlatformError, ReplyError
from .profiles import ProvinceProfile
from .reply import FileReply, Reply, parse_reply
from .signing import SignatureError, SignedReply, Signer, SignerAuth, SigningError
from .signing.registry import NoSigner

__all__ = [
    "ConnectError",
    "ConnectionLostError",
    "ReadTimeoutError",
    "ServerError",
    "Transport",
    "TransportError",
    "UnverifiedReplyError",
]

log = logging.getLogger(__name__)
_NO_RETRIES = Retry(total=0, read=False, redirect=False)


class TransportError(ReplyError):
    """The exchange failed below the envelope.

    :param sent: ``False`` the request never left; ``None`` it may have reached the platform;
        ``True`` it did. :attr:`outcome_unknown` is true unless ``sent`` is ``False``.
    :param url: where it was posted.
    """

    def __init__(self, message: str, *, sent: bool | None, infno: str = "", msgid: str = "",
                 url: str = "") -> None:
        self.sent = sent
        self.url = url
        self.outcome_unknown = sent is not False
        super().__init__(message, infno=infno, msgid=msgid)


class ConnectError(TransportError):
    """No connection was made (refused, DNS, TLS handshake, connect timeout): nothing left."""


class ReadTimeoutError(TransportError):
    """The request went out and no answer came within the read timeout."""


class ConnectionLostError(TransportError):
    """The connection broke (reset, closed, truncated reply) after the request went out."""


class ServerError(TransportError):
    """HTTP 5xx from the platform or a gateway in front of it, without a readable refusal.

    :param status: the HTTP status.
    """

    def __init__(self, message: str, *, status: int, infno: str = "", msgid: str = "",
                 url: str = "") -> None:
        self.status = status
        super().__init__(message, sent=True, infno=infno, msgid=msgid, url=url)


class UnverifiedReplyError(TransportError):
    """A reply that fails the signer's verification (tampered, stale or unsigned): it is not
    read, so the outcome is unknown."""


def _connect_failed(exc: requests.ConnectionError) -> bool:
    """True if urllib3 gave up before the request was written (no connection at all)."""
    reason = exc.args[0] if exc.args else None
    reason = getattr(reason, "reason", reason)  # MaxRetryError wraps the cause
    return isinstance(reason, NewConnectionError | ConnectTimeoutError)


def _classify(exc: requests.RequestException) -> tuple[type[TransportError], bool | None, str]:
    """Error class, ``sent`` and a short description for a ``requests`` exception."""
    if isinstance(exc, requests.ConnectTimeout):
        return ConnectError, False, "connect timeout"
    if isinstance(exc, requests.ReadTimeout | requests.Timeout):
        return ReadTimeoutError, None, "read timeout"
    if isinstance(exc, requests.exceptions.SSLError | requests.exceptions.ProxyError):
        return ConnectError, False, "TLS or proxy failure before sending"
    if isinstance(exc, requests.exceptions.InvalidURL | requests.exceptions.MissingSchema):
        return ConnectError, False, "invalid URL"
    if isinstance(exc, requests.ConnectionError) and _connect_failed(exc):
        return ConnectError, False, "cannot connect"
    return ConnectionLostError, None, "connection lost after sending"


def _finite(timeout: tuple[float, float]) -> tuple[float, float]:
    if len(timeout) != 2 or not all(math.isfinite(t) and t > 0 for t in timeout):
        raise ValueError(f"timeouts must be two finite positive seconds, not {timeout!r}")
    return timeout


def _disable_retries(session: requests.Session) -> None:
    """Make every mounted HTTP adapter try exactly once (retries live in :mod:`.retry`)."""
    for prefix in ("https://", "http://"):
        adapter = session.adapters.get(prefix)
        if adapter is None:
            session.mount(prefix, HTTPAdapter(max_retries=_NO_RETRIES))
        elif isinstance(adapter, HTTPAdapter):
            adapter.max_retries = _NO_RETRIES


class Transport:
    """Posts :class:`~.envelope.OutboundRequest`\\ s and reads the answers.

    :param profile: connect/read timeouts and reply parsing.
    :param signer: the profile's signer (:func:`~.signing.build_signer`); ``None``: no signing.
    :param session: a session to use (its adapters' retries are switched off); ``None``: an
        own one, closed by :meth:`close`.
    :param timeout: ``(connect, read)`` seconds overriding the profile's; always finite.
    :param verify: TLS verification: ``True`` (default) or a CA bundle path. Only a test
        against a local mock should ever pass ``False``.
    """

    def __init__(self, profile: ProvinceProfile, *, signer: Signer | None = None,
                 session: requests.Session | None = None,
                 timeout: tuple[float, float] | None = None, verify: bool | str = True) -> None:
        self.profile = profile
        self.auth = SignerAuth(signer if signer is not None else NoSigner())
        self.timeout = _finite(timeout or (profile.connect_timeout, profile.read_timeout))
        self.verify = verify
        self._owned = session is None
        self.session = session if session is not None else requests.Session()
        _disable_retries(self.session)

    def send(self, request: OutboundRequest) -> Reply | FileReply:
        """POST ``request`` (signed), verify the reply and parse it.

        :raises TransportError: see the module docstring.
        :raises ReplyError: the reply is a refusal, a gateway wrapper or malformed
            (:func:`~.reply.parse_reply`).
        """
        started = time.perf_counter()
        response = self._post(request)
        try:
            log.debug("%s %s: HTTP %s in %.0f ms", request.msgid, request.infno,
                      response.status_code, (time.perf_counter() - started) * 1000)
            return self._read(request, response)
        finally:
            response.close()

    def _post(self, request: OutboundRequest) -> requests.Response:
        where = {"infno": request.infno, "msgid": request.msgid, "url": request.url}
        try:
            return self.session.post(
                request.url, data=request.content(), headers=request.headers, auth=self.auth,
                timeout=self.timeout, verify=self.verify, allow_redirects=False,
            )
        except SigningError as exc:
            raise TransportError(f"cannot sign the request: {exc}", sent=False, **where) \
                from exc
        except requests.RequestException as exc:
            kind, sent, what = _classify(exc)
            raise kind(f"{what} ({type(exc).__name__})", sent=sent, **where) from exc

    def _read(self, request: OutboundRequest, response: requests.Response) -> Reply | FileReply:
        status = response.status_code
        try:
            signed = self._verified(request, response)
        except SignatureError as exc:
            if status >= 500:
                raise self._server_error(request, status) from exc
            raise UnverifiedReplyError(f"HTTP {status}: reply fails verification: {exc}",
                                       sent=True, infno=request.infno, msgid=request.msgid,
                                       url=request.url) from exc
        try:
            return parse_reply(signed.body, transaction=request.transaction,
                               msgid=request.msgid, profile=self.profile, status=status,
                               headers=dict(signed.headers))
        except PlatformError:
            raise  # the platform itself refused, whatever the status
        except ReplyError as exc:
            if status >= 500:
                raise self._server_error(request, status) from exc
            raise

    def _verified(self, request: OutboundRequest, response: requests.Response) -> SignedReply:
        """The reply after the signer's check; a 9102 file is not signed by any scheme."""
        body = response.content or b""
        if request.transaction.binary_reply and not body.lstrip().startswith(b"{"):
            return SignedReply(response.status_code, dict(response.headers), body, request.url)
        return self.auth.verify_response(response)

    @staticmethod
    def _server_error(request: OutboundRequest, status: int) -> ServerError:
        return ServerError(f"HTTP {status} from the platform or its gateway", status=status,
                           infno=request.infno, msgid=request.msgid, url=request.url)

    def close(self) -> None:
        """Close the session if this transport created it."""
        if self._owned:
            self.session.close()
