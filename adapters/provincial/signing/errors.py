"""Errors of the provincial signing layer (签名/验签), all :class:`~yibao_sdk.errors.YibaoError`.

::

    YibaoError
     ├── SigningError               any failure of the signing layer
     │    ├── SignatureError        a signature is missing or wrong, a timestamp is outside the
     │    │                         tolerance, a nonce was replayed, a ciphertext does not decrypt
     │    └── SigningConfigError    a key or secret is missing, unreadable or malformed
     └── ConfigError
          └── SigningConfigError    (also: ``except ConfigError`` catches it)

Messages name the header, field or key source at fault and never contain a secret, a private
key or the expected signature.
"""

from __future__ import annotations

from yibao_sdk.errors import ConfigError, YibaoError

__all__ = ["SignatureError", "SigningConfigError", "SigningError"]


class SigningError(YibaoError):
    """Root of the errors raised by :mod:`yibao_sdk.adapters.provincial.signing`."""


class SignatureError(SigningError):
    """A message fails verification: bad or missing signature, stale timestamp, replayed nonce,
    undecryptable ``encData``. Raised on the platform side for requests and on the client side
    for replies; treat the message as not authentic."""


class SigningConfigError(SigningError, ConfigError):
    """A signer cannot be built: a key or secret is missing, unreadable or malformed."""
