"""TIF gateway headers (``x-tif-*``, reference §4.1 [C]): Guangdong, Inner Mongolia/Hebei-style
front gateways.

Per request::

    x-tif-paasid     assigned PaaS id
    x-tif-timestamp  Unix epoch seconds, decimal string
    x-tif-nonce      random, unique per request
    x-tif-signature  lowercase hex SHA-256 of UTF-8(timestamp + secret + nonce + timestamp)

The body is neither signed nor encrypted, and replies are not signed: the scheme proves that
the caller knows the paas secret and that the request is fresh, nothing about its content.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from .base import Clock, Secret, SignedReply, SignedRequest, header, random_nonce
from .errors import SignatureError, SigningConfigError
from .replay import NonceCache, check_timestamp, constant_time_equal, remember

__all__ = [
    "XTifClaims",
    "XTifHeaderNames",
    "XTifPlatform",
    "XTifSigner",
    "verify_headers",
    "xtif_signature",
]

_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_NONCE = re.compile(r"[0-9A-Za-z_\-]{8,128}")
_SIGNATURE = re.compile(r"[0-9a-fA-F]{64}")


@dataclass(frozen=True)
class XTifHeaderNames:
    """Header names; the defaults are those of reference §4.1 (case does not matter on the
    wire, but some C# gateways print ``x-tif-paasId``, so every name is configurable)."""

    paasid: str = "x-tif-paasid"
    timestamp: str = "x-tif-timestamp"
    nonce: str = "x-tif-nonce"
    signature: str = "x-tif-signature"
    service_id: str = "x-tif-serviceId"


@dataclass(frozen=True)
class XTifClaims:
    """What a verified request proved: who sent it, when, with which nonce."""

    paas_id: str
    timestamp: int
    nonce: str
    service_id: str | None = None


def xtif_signature(timestamp: str, secret: Secret | str, nonce: str) -> str:
    """``sha256_hex(timestamp + secret + nonce + timestamp)``, lowercase, over UTF-8."""
    material = timestamp + Secret.of(secret).reveal() + nonce + timestamp
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


class XTifSigner:
    """Adds the ``x-tif-*`` headers to every request (:class:`~.base.Signer`).

    :param paas_id: the PaaS id issued by the gateway operator.
    :param secret: the paas token issued with it (from a :class:`~.keys.KeySource`).
    :param service_id: optional ``x-tif-serviceId`` value (Guangdong government proxy).
    :param clock: time source; use server-synchronised time where the gateway is strict.
    :param nonce_factory: nonce generator; 32 random hex digits by default.
    :param names: header names.
    :raises SigningConfigError: ``paas_id`` or ``secret`` is empty.
    """

    def __init__(
        self,
        paas_id: str,
        secret: Secret | str,
        *,
        service_id: str | None = None,
        clock: Clock = time.time,
        nonce_factory: Callable[[], str] = random_nonce,
        names: XTifHeaderNames = XTifHeaderNames(),
    ) -> None:
        if not paas_id or not Secret.of(secret):
            raise SigningConfigError("x-tif signer needs a paas id and a non-empty secret")
        self.paas_id = paas_id
        self._secret = Secret.of(secret)
        self.service_id = service_id
        self._clock = clock
        self._nonce_factory = nonce_factory
        self.names = names

    def __repr__(self) -> str:
        return f"XTifSigner(paas_id={self.paas_id!r}, secret={self._secret!r})"

    def headers(self) -> dict[str, str]:
        """A fresh set of ``x-tif-*`` headers (new timestamp and nonce)."""
        timestamp = str(int(self._clock()))
        nonce = self._nonce_factory()
        out = {
            self.names.paasid: self.paas_id,
            self.names.timestamp: timestamp,
            self.names.nonce: nonce,
            self.names.signature: xtif_signature(timestamp, self._secret, nonce),
        }
        if self.service_id is not None:
            out[self.names.service_id] = self.service_id
        return out

    def sign(self, request: SignedRequest) -> SignedRequest:
        """``request`` with fresh ``x-tif-*`` headers; the body is untouched."""
        return request.with_headers(self.headers())

    def verify_reply(self, reply: SignedReply) -> SignedReply:
        """x-tif replies carry no signature: ``reply`` unchanged."""
        return reply


def _required(headers: Mapping[str, str], name: str, pattern: re.Pattern[str]) -> str:
    value = header(headers, name)
    if value is None or value == "":
        raise SignatureError(f"missing {name} header")
    if not pattern.fullmatch(value):
        raise SignatureError(f"malformed {name} header")
    return value


def verify_headers(
    headers: Mapping[str, str],
    secret: Secret | str,
    *,
    now: float,
    tolerance_s: float = 300,
    nonce_cache: NonceCache | None = None,
    expected_paas_id: str | None = None,
    names: XTifHeaderNames = XTifHeaderNames(),
) -> XTifClaims:
    """Check ``x-tif-*`` headers as a gateway would (the mock platform uses this).

    Order: presence and format → paas id → timestamp within ``tolerance_s`` of ``now`` →
    signature (:func:`hmac.compare_digest`) → nonce not seen before (recorded in
    ``nonce_cache`` only once the signature has verified).

    :param secret: the secret of ``expected_paas_id`` (or of the one paas id served).
    :param nonce_cache: replay protection; ``None`` skips it (tests only).
    :returns: the verified claims.
    :raises SignatureError: a header is missing or malformed, the paas id is not the expected
        one, the timestamp is outside the tolerance, the signature is wrong, or the nonce was
        used before. The message names the header, never the secret or expected signature.
    :raises SigningConfigError: ``secret`` is empty (anyone could sign).
    """
    if not Secret.of(secret):
        raise SigningConfigError("x-tif verification needs a non-empty secret")
    paas_id = _required(headers, names.paasid, re.compile(r"[\x21-\x7e]{1,128}"))
    timestamp = _required(headers, names.timestamp, _TIMESTAMP)
    nonce = _required(headers, names.nonce, _NONCE)
    presented = _required(headers, names.signature, _SIGNATURE)
    if expected_paas_id is not None and not constant_time_equal(expected_paas_id, paas_id):
        raise SignatureError(f"{names.paasid} is not the one this gateway serves")
    check_timestamp(int(timestamp), now=now, tolerance_s=tolerance_s, what=names.timestamp)
    expected = xtif_signature(timestamp, secret, nonce)
    if not constant_time_equal(expected, presented.lower()):
        raise SignatureError(f"{names.signature} does not match")
    remember(nonce_cache, f"{paas_id}\x00{nonce}", now=now, tolerance_s=tolerance_s,
             what=names.nonce)
    return XTifClaims(paas_id, int(timestamp), nonce, header(headers, names.service_id))


class XTifPlatform:
    """Gateway side of x-tif (:class:`~.base.PlatformSigner`) for the mock platform.

    :param secrets: paas id → its secret; a request from any other paas id is refused.
    :param clock: the gateway's clock.
    :param tolerance_s: accepted timestamp skew in seconds.
    :param nonce_cache: replay protection shared by the gateway's workers.
    """

    def __init__(
        self,
        secrets: Mapping[str, Secret | str],
        *,
        clock: Clock = time.time,
        tolerance_s: float = 300,
        nonce_cache: NonceCache | None = None,
        names: XTifHeaderNames = XTifHeaderNames(),
    ) -> None:
        if not secrets or not all(Secret.of(s) for s in secrets.values()):
            raise SigningConfigError("x-tif platform needs paas ids with non-empty secrets")
        self._secrets = {paas: Secret.of(s) for paas, s in secrets.items()}
        self._clock = clock
        self.tolerance_s = tolerance_s
        self.nonce_cache = nonce_cache
        self.names = names

    def __repr__(self) -> str:
        return f"XTifPlatform(paas_ids={sorted(self._secrets)!r})"

    def verify_request(self, request: SignedRequest) -> SignedRequest:
        """Verify the ``x-tif-*`` headers of ``request``; return it unchanged.

        :raises SignatureError: see :func:`verify_headers`; an unknown paas id too.
        """
        paas_id = request.header(self.names.paasid)
        secret = self._secrets.get(paas_id or "")
        if secret is None:
            raise SignatureError(f"missing or unknown {self.names.paasid} header")
        verify_headers(
            request.headers, secret, now=self._clock(), tolerance_s=self.tolerance_s,
            nonce_cache=self.nonce_cache, expected_paas_id=paas_id, names=self.names,
        )
        return request

    def sign_reply(self, reply: SignedReply) -> SignedReply:
        """x-tif replies are not signed: ``reply`` unchanged."""
        return reply
