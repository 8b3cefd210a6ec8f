"""The signing seam: messages (:class:`SignedRequest`, :class:`SignedReply`), the client-side
:class:`Signer` and platform-side :class:`PlatformSigner` protocols, and :class:`Secret`.

A scheme is two objects that mirror each other::

    client:   Signer.sign(request)            ──►  platform: PlatformSigner.verify_request(request)
    client:   Signer.verify_reply(reply)      ◄──  platform: PlatformSigner.sign_reply(reply)

Each step takes a frozen message and returns a new one (headers added, body encrypted or
decrypted). Nothing here imports ``requests``: :mod:`.auth` adapts a :class:`Signer` to it.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Protocol, runtime_checkable
from urllib.parse import urlsplit

from .errors import SignatureError

__all__ = [
    "Clock",
    "PlatformSigner",
    "Secret",
    "SignedReply",
    "SignedRequest",
    "Signer",
    "header",
    "loads_json",
    "random_nonce",
]

Clock = Callable[[], float]
"""Seconds since the Unix epoch; ``time.time`` by default, a server-synchronised clock in
production (reference §4.1: clock skew matters), a fixed value in tests."""


def random_nonce() -> str:
    """32 lowercase hex digits from the OS CSPRNG (128 bits): unique per request in practice."""
    return secrets.token_hex(16)


class Secret:
    """A secret string (paas token, appSecret, HMAC key) whose ``repr``/``str`` are masked.

    :param value: the secret; :meth:`reveal` returns it. Never log the revealed value.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError("Secret wraps a str")
        self._value = value

    @classmethod
    def of(cls, value: Secret | str) -> Secret:
        """``value`` itself if it is already a :class:`Secret`, else wrapped."""
        return value if isinstance(value, Secret) else cls(value)

    def reveal(self) -> str:
        """The secret in clear, for the one computation that needs it."""
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __repr__(self) -> str:
        return "Secret('****')"

    __str__ = __repr__

    def __reduce__(self) -> Any:  # pickling would write the secret to disk or a queue
        raise TypeError("a Secret cannot be pickled")


def header(headers: Mapping[str, str], name: str) -> str | None:
    """The value of header ``name`` in ``headers``, matched case-insensitively (HTTP rule)."""
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def loads_json(body: bytes | str) -> Any:
    """Parse a UTF-8 JSON body; numbers with a fraction become :class:`~decimal.Decimal` so that
    their wire text (``35.00``) survives into sign strings and money fields.

    :raises ValueError: the body is not UTF-8 JSON (``NaN``/``Infinity`` included).
    """
    text = body.decode("utf-8") if isinstance(body, bytes) else body
    return json.loads(text, parse_float=Decimal, parse_constant=_reject_constant)


def _frozen_headers(headers: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(headers))


@dataclass(frozen=True)
class SignedRequest:
    """An outgoing HTTP request as the signing layer sees it.

    :param method: HTTP method, e.g. ``"POST"``.
    :param url: full URL including query.
    :param headers: header names as given (look them up with :meth:`header`).
    :param body: the exact body bytes sent on the wire.
    """

    method: str
    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""

    def __post_init__(self) -> None:
        object.__setattr__(self, "headers", _frozen_headers(self.headers))

    @property
    def path(self) -> str:
        """Path and query of :attr:`url` (``/fsi/api/x?a=1``), as a gateway sees them."""
        parts = urlsplit(self.url)
        return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")

    def header(self, name: str) -> str | None:
        """Header ``name``, case-insensitively; ``None`` when absent."""
        return header(self.headers, name)

    def json(self) -> Any:
        """The body parsed by :func:`loads_json`.

        :raises SignatureError: the body is not JSON (a scheme that needs JSON cannot sign it).
        """
        return _parse(self.body, "request")

    def with_headers(self, extra: Mapping[str, str]) -> SignedRequest:
        """A copy with ``extra`` set, replacing same-named headers whatever their case."""
        return replace(self, headers=_merge(self.headers, extra))

    def with_body(self, body: bytes) -> SignedRequest:
        """A copy with ``body`` in place of :attr:`body`."""
        return replace(self, body=body)


@dataclass(frozen=True)
class SignedReply:
    """An HTTP reply as the signing layer sees it.

    :param status: HTTP status code.
    :param headers: reply headers.
    :param body: reply body bytes (after :meth:`Signer.verify_reply`: the decrypted body).
    :param url: URL of the request this answers; empty when unknown.
    """

    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    url: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "headers", _frozen_headers(self.headers))

    def header(self, name: str) -> str | None:
        """Header ``name``, case-insensitively; ``None`` when absent."""
        return header(self.headers, name)

    def json(self) -> Any:
        """The body parsed by :func:`loads_json`.

        :raises SignatureError: the body is not JSON.
        """
        return _parse(self.body, "reply")

    def with_headers(self, extra: Mapping[str, str]) -> SignedReply:
        """A copy with ``extra`` set, replacing same-named headers whatever their case."""
        return replace(self, headers=_merge(self.headers, extra))

    def with_body(self, body: bytes) -> SignedReply:
        """A copy with ``body`` in place of :attr:`body`."""
        return replace(self, body=body)


def _merge(headers: Mapping[str, str], extra: Mapping[str, str]) -> dict[str, str]:
    lowered = {name.lower() for name in extra}
    kept = {k: v for k, v in headers.items() if k.lower() not in lowered}
    return {**kept, **extra}


def _parse(body: bytes, what: str) -> Any:
    try:
        return loads_json(body)
    except (UnicodeDecodeError, ValueError) as exc:
        raise SignatureError(f"{what} body is not UTF-8 JSON") from exc


@runtime_checkable
class Signer(Protocol):
    """Client side of a scheme: signs what leaves, checks what comes back.

    Implementations: :class:`~.xtif.XTifSigner`, :class:`~.sm.SmChannelSigner`,
    :class:`~.hmac_scheme.HmacSigner`. Their ``repr`` never shows a secret.
    """

    def sign(self, request: SignedRequest) -> SignedRequest:
        """Return ``request`` with the scheme's headers added and/or its body transformed.

        :raises SigningError: the request cannot be signed (e.g. a body that is not JSON).
        """
        ...

    def verify_reply(self, reply: SignedReply) -> SignedReply:
        """Check ``reply`` where the scheme signs replies (and decrypt it where it encrypts);
        return it unchanged where the scheme does not sign replies.

        :raises SignatureError: the reply is not authentic, or is stale.
        """
        ...


@runtime_checkable
class PlatformSigner(Protocol):
    """Platform side of a scheme, used by the mock provincial platform."""

    def verify_request(self, request: SignedRequest) -> SignedRequest:
        """Check ``request`` (signature, timestamp tolerance, replay) and return it as the
        client had it before :meth:`Signer.sign` (decrypted where the scheme encrypts).

        :raises SignatureError: the request is not authentic, stale or replayed.
        """
        ...

    def sign_reply(self, reply: SignedReply) -> SignedReply:
        """Return ``reply`` signed (and encrypted) the way the scheme's client expects."""
        ...
