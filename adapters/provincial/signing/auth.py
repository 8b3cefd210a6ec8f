"""``requests`` adapter: :class:`SignerAuth` signs each prepared request with a
:class:`~.base.Signer`; :meth:`SignerAuth.verify_response` checks (and decrypts) the reply.

The only module of the signing layer that imports ``requests``::

    auth = SignerAuth(XTifSigner(paas_id, load_secret(KeySource.from_env("YIBAO_TIF_SECRET"))))
    response = session.post(url, data=body, auth=auth, timeout=(10, 60))
    reply = auth.verify_response(response)        # SignatureError if not authentic
    envelope = reply.json()

Every (re)send must go through ``session.request``/``session.send`` of a freshly *prepared*
request so that it gets a new timestamp and nonce: re-sending an already signed
``PreparedRequest`` (or letting urllib3 retry it) is a replay the platform will refuse.
"""

from __future__ import annotations

import requests
from requests.auth import AuthBase
from requests.models import PreparedRequest

from .base import SignedReply, SignedRequest, Signer
from .errors import SigningError

__all__ = ["SignerAuth", "reply_from_response", "request_from_prepared"]


def _body_bytes(body: object) -> bytes:
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    raise SigningError("cannot sign a streamed or file request body: pass bytes or str")


def _text(value: str | bytes) -> str:
    return value if isinstance(value, str) else value.decode("latin-1")


def request_from_prepared(prepared: PreparedRequest) -> SignedRequest:
    """The :class:`~.base.SignedRequest` view of a ``requests`` prepared request."""
    return SignedRequest(
        method=prepared.method or "POST",
        url=prepared.url or "",
        headers={k: _text(v) for k, v in prepared.headers.items()},
        body=_body_bytes(prepared.body),
    )


def reply_from_response(response: requests.Response) -> SignedReply:
    """The :class:`~.base.SignedReply` view of a ``requests`` response."""
    return SignedReply(
        status=response.status_code,
        headers=dict(response.headers),
        body=response.content or b"",
        url=response.url or "",
    )


class SignerAuth(AuthBase):
    """``requests`` auth that applies ``signer`` to every outgoing request.

    :param signer: any :class:`~.base.Signer`.
    """

    def __init__(self, signer: Signer) -> None:
        self.signer = signer

    def __repr__(self) -> str:
        return f"SignerAuth({self.signer!r})"

    def __call__(self, r: PreparedRequest) -> PreparedRequest:
        """Sign ``r`` in place: headers from the signer replace same-named ones; a transformed
        body replaces the body and its ``Content-Length``.

        :raises SigningError: the body is streamed, or the signer cannot sign it.
        """
        original = request_from_prepared(r)
        signed = self.signer.sign(original)
        kept = {name.lower() for name in signed.headers}
        for name in [n for n in r.headers if n.lower() not in kept]:
            del r.headers[name]  # a signer that drops a header means it
        r.headers.update(signed.headers)
        if signed.body != original.body:
            r.body = signed.body
            r.headers["Content-Length"] = str(len(signed.body))
        return r

    def verify_response(self, response: requests.Response) -> SignedReply:
        """The reply of ``response`` checked by the signer (and decrypted where the scheme
        encrypts).

        :raises SignatureError: the reply is not authentic or is stale.
        """
        return self.signer.verify_reply(reply_from_response(response))
