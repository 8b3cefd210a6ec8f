"""HMAC header signing: the ``_api_*`` headers of the HSAF gateway (reference §4.3 [1]).

Headers (names configurable): ``_api_name`` (= infno), ``_api_version``, ``_api_timestamp``,
``_api_access_key``, ``_api_signature``, plus ``_api_nonce`` (ours, see below).

§4.3 leaves the formula unconfirmed ([U]), so two recipes are offered:

* ``"request"`` (default, :meth:`HmacScheme` ``()``): Base64 HMAC-SHA256 under the secret of
  the canonical request — one line each of method, path?query, timestamp, nonce, access key,
  api name, api version and lowercase hex SHA-256 of the body. It covers the body and a
  nonce, so a captured request can neither be altered nor replayed.
* ``"api_params"`` (:meth:`HmacScheme.hsaf`): the reference's "likely recipe", Base64
  HMAC-SHA1 of ``_api_access_key=..&_api_name=..&_api_timestamp=..&_api_version=..`` (names
  sorted). It does not cover the body; use it only where a gateway demands it.

Replies are not signed by this scheme.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from .base import Clock, Secret, SignedReply, SignedRequest, random_nonce
from .errors import SignatureError, SigningConfigError
from .replay import NonceCache, check_timestamp, constant_time_equal, remember

__all__ = ["HmacPlatform", "HmacScheme", "HmacSigner", "canonical_string", "verify_hmac_request"]

_TIMESTAMP = re.compile(r"[0-9]{1,15}")
_TOKEN = re.compile(r"[\x21-\x7e]{1,128}")


@dataclass(frozen=True)
class HmacScheme:
    """Header names and recipe of an HMAC header scheme (reference §4.3; all [U])."""

    access_key_header: str = "_api_access_key"
    signature_header: str = "_api_signature"
    timestamp_header: str = "_api_timestamp"
    name_header: str | None = "_api_name"
    version_header: str | None = "_api_version"
    nonce_header: str | None = "_api_nonce"
    version: str = "1.0.0"
    digest: Literal["sha256", "sha1"] = "sha256"
    encoding: Literal["base64", "hex"] = "base64"
    recipe: Literal["request", "api_params"] = "request"
    timestamp_unit: Literal["s", "ms"] = "ms"

    @classmethod
    def hsaf(cls) -> HmacScheme:
        """The reference's guess for the Jiangxi/Hunan HSAF gateway: HmacSHA1, Base64, sorted
        ``_api_*`` parameters, millisecond timestamps, no nonce, body not covered."""
        return cls(nonce_header=None, digest="sha1", recipe="api_params")

    def signed_headers(self) -> list[str]:
        """The headers that enter the signature, in the order the recipe uses them."""
        names = [self.access_key_header, self.name_header, self.timestamp_header,
                 self.version_header, self.nonce_header]
        present = [n for n in names if n is not None]
        return sorted(present) if self.recipe == "api_params" else present


def canonical_string(scheme: HmacScheme, request: SignedRequest) -> str:
    """The string HMAC'd for ``request`` (whose scheme headers are already set)."""

    def value(name: str | None) -> str:
        return (request.header(name) or "") if name is not None else ""

    if scheme.recipe == "api_params":
        return "&".join(f"{n}={value(n)}" for n in scheme.signed_headers())
    return "\n".join([
        request.method.upper(),
        request.path,
        value(scheme.timestamp_header),
        value(scheme.nonce_header),
        value(scheme.access_key_header),
        value(scheme.name_header),
        value(scheme.version_header),
        hashlib.sha256(request.body).hexdigest(),
    ])


def _mac(scheme: HmacScheme, secret: Secret, text: str) -> str:
    tag = hmac.new(secret.reveal().encode("utf-8"), text.encode("utf-8"), scheme.digest).digest()
    return base64.b64encode(tag).decode("ascii") if scheme.encoding == "base64" else tag.hex()


def _infno(request: SignedRequest) -> str:
    """``infno`` of a JSON envelope body; empty when the body has none."""
    try:
        obj: Any = request.json()
    except SignatureError:
        return ""
    return str(obj.get("infno", "")) if isinstance(obj, Mapping) else ""


class HmacSigner:
    """Adds HMAC headers to every request (:class:`~.base.Signer`).

    :param access_key: the access key id sent in clear.
    :param secret: the HMAC secret issued with it.
    :param scheme: names and recipe; :class:`HmacScheme` ``()`` by default.
    :param api_name: request → ``_api_name`` value; the envelope's ``infno`` by default.
    :raises SigningConfigError: empty access key or secret.
    """

    def __init__(
        self,
        access_key: str,
        secret: Secret | str,
        *,
        scheme: HmacScheme = HmacScheme(),
        clock: Clock = time.time,
        nonce_factory: Callable[[], str] = random_nonce,
        api_name: Callable[[SignedRequest], str] = _infno,
    ) -> None:
        if not access_key or not Secret.of(secret):
            raise SigningConfigError("HMAC signer needs an access key and a non-empty secret")
        self.access_key = access_key
        self._secret = Secret.of(secret)
        self.scheme = scheme
        self._clock = clock
        self._nonce_factory = nonce_factory
        self._api_name = api_name

    def __repr__(self) -> str:
        return f"HmacSigner(access_key={self.access_key!r}, secret={self._secret!r})"

    def sign(self, request: SignedRequest) -> SignedRequest:
        """``request`` with fresh scheme headers and their signature; the body is untouched."""
        s = self.scheme
        now = self._clock()
        stamp = str(int(now * 1000) if s.timestamp_unit == "ms" else int(now))
        headers = {s.access_key_header: self.access_key, s.timestamp_header: stamp}
        if s.name_header is not None:
            headers[s.name_header] = self._api_name(request)
        if s.version_header is not None:
            headers[s.version_header] = s.version
        if s.nonce_header is not None:
            headers[s.nonce_header] = self._nonce_factory()
        stamped = request.with_headers(headers)
        signature = _mac(s, self._secret, canonical_string(s, stamped))
        return stamped.with_headers({s.signature_header: signature})

    def verify_reply(self, reply: SignedReply) -> SignedReply:
        """Replies are not signed by this scheme: ``reply`` unchanged."""
        return reply


def _required(request: SignedRequest, name: str, pattern: re.Pattern[str]) -> str:
    value = request.header(name)
    if not value:
        raise SignatureError(f"missing {name} header")
    if not pattern.fullmatch(value):
        raise SignatureError(f"malformed {name} header")
    return value


def verify_hmac_request(
    request: SignedRequest,
    secrets: Mapping[str, Secret | str],
    *,
    now: float,
    tolerance_s: float = 300,
    nonce_cache: NonceCache | None = None,
    scheme: HmacScheme = HmacScheme(),
) -> str:
    """Check the HMAC headers of ``request`` as the gateway would.

    Order: headers present → access key known → timestamp within ``tolerance_s`` → signature
    (:func:`hmac.compare_digest`) → nonce (or, without a nonce header, the signature) not
    seen before.

    :param secrets: access key → its secret.
    :returns: the verified access key.
    :raises SignatureError: missing/malformed header, unknown access key, stale timestamp,
        wrong signature, replay. Never includes the secret or the expected signature.
    """
    key = _required(request, scheme.access_key_header, _TOKEN)
    stamp = _required(request, scheme.timestamp_header, _TIMESTAMP)
    presented = _required(request, scheme.signature_header, _TOKEN)
    nonce = _required(request, scheme.nonce_header, _TOKEN) if scheme.nonce_header else presented
    secret = secrets.get(key)
    if secret is None:
        raise SignatureError(f"unknown {scheme.access_key_header}")
    if not Secret.of(secret):
        raise SigningConfigError(f"empty secret configured for {scheme.access_key_header} {key}")
    seconds = int(stamp) / 1000 if scheme.timestamp_unit == "ms" else int(stamp)
    check_timestamp(seconds, now=now, tolerance_s=tolerance_s, what=scheme.timestamp_header)
    expected = _mac(scheme, Secret.of(secret), canonical_string(scheme, request))
    if not constant_time_equal(expected, presented):
        raise SignatureError(f"{scheme.signature_header} does not match")
    remember(nonce_cache, f"{key}\x00{nonce}", now=now, tolerance_s=tolerance_s,
             what=scheme.nonce_header or scheme.signature_header)
    return key


class HmacPlatform:
    """Gateway side (:class:`~.base.PlatformSigner`) for the mock platform.

    :param secrets: access key → secret.
    """

    def __init__(
        self,
        secrets: Mapping[str, Secret | str],
        *,
        scheme: HmacScheme = HmacScheme(),
        clock: Clock = time.time,
        tolerance_s: float = 300,
        nonce_cache: NonceCache | None = None,
    ) -> None:
        if not secrets or not all(Secret.of(v) for v in secrets.values()):
            raise SigningConfigError("HMAC platform needs access keys with non-empty secrets")
        self._secrets = {k: Secret.of(v) for k, v in secrets.items()}
        self.scheme = scheme
        self._clock = clock
        self.tolerance_s = tolerance_s
        self.nonce_cache = nonce_cache

    def __repr__(self) -> str:
        return f"HmacPlatform(access_keys={sorted(self._secrets)!r})"

    def verify_request(self, request: SignedRequest) -> SignedRequest:
        """Verify ``request``'s HMAC headers; return it unchanged.

        :raises SignatureError: see :func:`verify_hmac_request`.
        """
        verify_hmac_request(request, self._secrets, now=self._clock(),
                            tolerance_s=self.tolerance_s, nonce_cache=self.nonce_cache,
                            scheme=self.scheme)
        return request

    def sign_reply(self, reply: SignedReply) -> SignedReply:
        """Replies are not signed by this scheme: ``reply`` unchanged."""
        return reply
