"""SM3 (GB/T 32905) and SM4 (GB/T 32907) through ``cryptography``, and the §4.2 derived key.

``cryptography`` (OpenSSL 3 backend) provides ``hashes.SM3`` and ``algorithms.SM4``; it has no
SM2 (see :mod:`.sm2`). SM4 here is ECB or CBC with PKCS#7 padding, as the NHSA channel
scheme uses; unpadding is done by ``cryptography``'s constant-time PKCS#7 unpadder.
"""

from __future__ import annotations

from cryptography.hazmat.primitives import hashes, padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from .errors import SigningConfigError

__all__ = [
    "SM4_BLOCK",
    "derive_channel_key",
    "sm3",
    "sm4_decrypt",
    "sm4_encrypt",
]

SM4_BLOCK = 16
"""SM4 block and key size in bytes."""


def sm3(data: bytes) -> bytes:
    """SM3 digest (32 bytes) of ``data``."""
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize()


def _mode(iv: bytes | None) -> modes.ECB | modes.CBC:
    if iv is None:
        return modes.ECB()  # the channel scheme's choice (reference §4.2), not ours
    if len(iv) != SM4_BLOCK:
        raise SigningConfigError(f"SM4-CBC needs a {SM4_BLOCK}-byte IV")
    return modes.CBC(iv)


def _check_key(key: bytes) -> None:
    if len(key) != SM4_BLOCK:
        raise SigningConfigError(f"an SM4 key is {SM4_BLOCK} bytes")


def sm4_encrypt(key: bytes, plaintext: bytes, *, iv: bytes | None = None) -> bytes:
    """SM4 with PKCS#7 padding: ECB, or CBC when ``iv`` is given.

    :raises SigningConfigError: ``key`` or ``iv`` is not 16 bytes.
    """
    _check_key(key)
    padder = padding.PKCS7(SM4_BLOCK * 8).padder()
    padded = padder.update(plaintext) + padder.finalize()
    encryptor = Cipher(algorithms.SM4(key), _mode(iv)).encryptor()
    return encryptor.update(padded) + encryptor.finalize()


def sm4_decrypt(key: bytes, ciphertext: bytes, *, iv: bytes | None = None) -> bytes:
    """Inverse of :func:`sm4_encrypt`.

    :raises ValueError: ``ciphertext`` is not whole blocks, or its padding is wrong (callers
        turn this into a :class:`~.errors.SignatureError` without saying which).
    :raises SigningConfigError: ``key`` or ``iv`` is not 16 bytes.
    """
    _check_key(key)
    if not ciphertext or len(ciphertext) % SM4_BLOCK:
        raise ValueError("SM4 ciphertext is not a whole number of blocks")
    decryptor = Cipher(algorithms.SM4(key), _mode(iv)).decryptor()
    padded = decryptor.update(ciphertext) + decryptor.finalize()
    unpadder = padding.PKCS7(SM4_BLOCK * 8).unpadder()
    return unpadder.update(padded) + unpadder.finalize()


def derive_channel_key(app_id: str, app_secret: str) -> bytes:
    """The SM4 key of the NHSA channel scheme (reference §4.2, "Derived SM4 key").

    1. ``k1`` = the first 16 characters of ``app_id`` as UTF-8 (16 bytes);
    2. ``t`` = SM4-ECB-PKCS7(``k1``) of UTF-8 ``app_secret``;
    3. key = the first 16 characters of uppercase hex(``t``), as ASCII bytes.

    Only the first cipher block of ``t`` matters, so the padding mode does not change the key.

    :raises SigningConfigError: ``app_id`` does not give a 16-byte ``k1``, or the secret is
        empty.
    """
    k1 = app_id[:SM4_BLOCK].encode("utf-8")
    if len(k1) != SM4_BLOCK:
        raise SigningConfigError(
            f"the channel key is derived from the first {SM4_BLOCK} characters of appId, "
            f"which must be {SM4_BLOCK} bytes of UTF-8"
        )
    if not app_secret:
        raise SigningConfigError("the channel key needs a non-empty appSecret")
    t = sm4_encrypt(k1, app_secret.encode("utf-8"))
    return t.hex().upper()[:SM4_BLOCK].encode("ascii")
