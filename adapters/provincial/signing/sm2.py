"""SM2 signatures (GB/T 32918, "SM3withSM2") over the recommended curve; ``gmalg`` boundary.

``cryptography`` does not implement SM2 (loading an SM2 key raises ``UnsupportedAlgorithm``
for curve 1.2.156.10197.1.301), so the curve arithmetic comes from ``gmalg`` (MIT, pure
Python, no dependencies, nonce ``k`` from :func:`secrets.randbits`). This is the only module
that imports it: swap the backend here and nothing else changes.

What this module adds around the library:

* keys are validated when built: ``1 <= d <= n - 2``; a public key must be on the curve and
  of order ``n`` (``gmalg`` itself accepts an uncompressed point without checking);
* signatures are always the fixed 64-byte ``r || s`` (``gmalg`` returns minimal-length
  integers, so roughly one signature in 128 would otherwise come out short);
* ``Z_A`` uses the caller's user id (the channel scheme uses the appSecret, not the
  ``1234567812345678`` default many toolkits hard-code);
* private keys are masked in ``repr``.

Pure Python is not constant-time: keep the signing process away from untrusted co-tenants.
"""

from __future__ import annotations

from typing import Any

import gmalg  # type: ignore[import-untyped]

from .errors import SigningConfigError

__all__ = ["DEFAULT_USER_ID", "SM2_ORDER", "Sm2PrivateKey", "Sm2PublicKey"]

SM2_ORDER = 0xFFFFFFFE_FFFFFFFF_FFFFFFFF_FFFFFFFF_7203DF6B_21C6052B_53BBF409_39D54123
"""Order ``n`` of the base point of the SM2 recommended curve (GB/T 32918.5)."""
DEFAULT_USER_ID = b"1234567812345678"
"""The default signer id of GM/T 0009 (ENTL = 0x0080)."""
_SCALAR = 32
_MAX_UID = 8191  # ENTL is the id's length in bits, in two bytes


def _check_uid(uid: bytes) -> None:
    if not uid or len(uid) > _MAX_UID:
        raise SigningConfigError(f"an SM2 user id is 1 to {_MAX_UID} bytes")


class Sm2PublicKey:
    """A validated SM2 public key.

    :param point: 65-byte ``04 || X || Y``, or 64-byte ``X || Y`` (the .NET habit of dropping
        the ``04`` prefix).
    :raises SigningConfigError: wrong length or prefix, not on the curve, or not of order n.
    """

    __slots__ = ("_point",)

    def __init__(self, point: bytes) -> None:
        if len(point) == 2 * _SCALAR:
            point = b"\x04" + point
        if len(point) != 2 * _SCALAR + 1 or point[0] != 4:
            raise SigningConfigError("an SM2 public key is 04||X||Y (65 bytes) or X||Y (64)")
        try:
            valid = gmalg.SM2().verify_pk(point)
        except Exception as exc:  # gmalg raises its own errors on malformed points
            raise SigningConfigError("the SM2 public key is not a point on the curve") from exc
        if not valid:
            raise SigningConfigError("the SM2 public key is not a valid point of order n")
        self._point = point

    def to_bytes(self) -> bytes:
        """``04 || X || Y`` (65 bytes)."""
        return self._point

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sm2PublicKey) and other._point == self._point

    def __hash__(self) -> int:
        return hash(self._point)

    def __repr__(self) -> str:
        return f"Sm2PublicKey({self._point[1:9].hex()}…)"

    def verify(self, message: bytes, signature: bytes, *, uid: bytes = DEFAULT_USER_ID) -> bool:
        """Whether ``signature`` (64-byte ``r || s``) is valid for ``message`` under ``uid``.

        Malformed signatures (wrong length, ``r``/``s`` out of ``[1, n-1]``) are simply
        invalid. ``message`` is the raw message: ``Z_A`` and SM3 are applied here.
        """
        _check_uid(uid)
        if len(signature) != 2 * _SCALAR:
            return False
        r, s = signature[:_SCALAR], signature[_SCALAR:]
        try:
            return bool(gmalg.SM2(uid=uid, pk=self._point).verify(message, r, s))
        except Exception:  # a malformed signature must read as invalid, never crash
            return False


class Sm2PrivateKey:
    """An SM2 private key ``d``; its ``repr`` never shows ``d``.

    :param d: 32-byte big-endian scalar with ``1 <= d <= n - 2``.
    :raises SigningConfigError: wrong length or out of range.
    """

    __slots__ = ("_d", "_public")

    def __init__(self, d: bytes) -> None:
        value = int.from_bytes(d, "big")
        if len(d) != _SCALAR or not 1 <= value <= SM2_ORDER - 2:
            raise SigningConfigError("an SM2 private key is 32 bytes with 1 <= d <= n-2")
        self._d = d
        self._public = Sm2PublicKey(_padded(gmalg.SM2().generate_pk(d)))

    @classmethod
    def generate(cls) -> Sm2PrivateKey:
        """A new random key (OS CSPRNG), e.g. for tests and the mock platform."""
        d, _ = gmalg.SM2().generate_keypair()
        return cls(bytes(d).rjust(_SCALAR, b"\x00"))

    @property
    def public_key(self) -> Sm2PublicKey:
        """The matching public key."""
        return self._public

    def private_bytes(self) -> bytes:
        """The raw 32-byte ``d``: only to write a key file; never log it."""
        return self._d

    def __repr__(self) -> str:
        return f"Sm2PrivateKey(public={self._public!r}, d=****)"

    def __reduce__(self) -> Any:
        raise TypeError("an SM2 private key cannot be pickled")

    def sign(
        self,
        message: bytes,
        *,
        uid: bytes = DEFAULT_USER_ID,
        deterministic_k_for_testing: int | None = None,
    ) -> bytes:
        """SM3withSM2 signature of ``message`` under ``uid``: 64-byte ``r || s``.

        :param deterministic_k_for_testing: a fixed nonce ``k``, **only** to reproduce the
            standard's known-answer vectors. Reusing ``k`` reveals the private key.
        """
        _check_uid(uid)
        rnd: Any = None
        if deterministic_k_for_testing is not None:
            fixed = deterministic_k_for_testing
            rnd = lambda _bits: fixed  # noqa: E731 - gmalg takes a bits → int callable
        signer = gmalg.SM2(self._d, uid, self._public.to_bytes(), rnd_fn=rnd)
        r, s = signer.sign(message)
        return bytes(r).rjust(_SCALAR, b"\x00") + bytes(s).rjust(_SCALAR, b"\x00")


def _padded(point: Any) -> bytes:
    raw = bytes(point)
    if len(raw) != 2 * _SCALAR + 1 or raw[0] != 4:
        raise SigningConfigError("unexpected public key encoding from the SM2 backend")
    return raw
