"""Just enough DER to read SM2 keys from PEM: PKCS#8, SEC1 (``EC``/``SM2 PRIVATE KEY``) and
SubjectPublicKeyInfo. ``cryptography`` refuses SM2 keys, hence this reader.
"""

from __future__ import annotations

import base64
import binascii
import re

__all__ = ["private_scalar", "public_point", "read_pem"]

_SEQUENCE, _INTEGER, _BIT_STRING, _OCTET_STRING, _OID = 0x30, 0x02, 0x03, 0x04, 0x06
_CONTEXT_0 = 0xA0  # [0] parameters of a SEC1 ECPrivateKey
SM2_CURVE_OID = bytes.fromhex("2a811ccf5501822d")  # 1.2.156.10197.1.301
EC_PUBLIC_KEY_OID = bytes.fromhex("2a8648ce3d0201")  # 1.2.840.10045.2.1
_PEM = re.compile(
    rb"-----BEGIN ([A-Z0-9 ]+)-----\s*([A-Za-z0-9+/=\s]+?)\s*-----END \1-----", re.S
)


class DerError(ValueError):
    """The bytes are not the DER structure expected (message never includes key material)."""


def read_pem(data: bytes) -> tuple[str, bytes] | None:
    """``(label, der)`` of the first PEM block in ``data``; ``None`` when there is none."""
    found = _PEM.search(data)
    if found is None:
        return None
    try:
        der = base64.b64decode(b"".join(found.group(2).split()), validate=True)
    except binascii.Error as exc:
        raise DerError("PEM body is not base64") from exc
    return found.group(1).decode("ascii"), der


def _tlv(data: bytes, pos: int) -> tuple[int, bytes, int]:
    """``(tag, value, next position)`` of the element at ``pos``."""
    if pos + 2 > len(data):
        raise DerError("truncated DER")
    tag, length, pos = data[pos], data[pos + 1], pos + 2
    if length & 0x80:
        count = length & 0x7F
        if count == 0 or count > 4 or pos + count > len(data):
            raise DerError("bad DER length")
        length, pos = int.from_bytes(data[pos : pos + count], "big"), pos + count
    if pos + length > len(data):
        raise DerError("truncated DER")
    return tag, data[pos : pos + length], pos + length


def _children(value: bytes) -> list[tuple[int, bytes]]:
    out, pos = [], 0
    while pos < len(value):
        tag, inner, pos = _tlv(value, pos)
        out.append((tag, inner))
    return out


def _sequence(data: bytes) -> list[tuple[int, bytes]]:
    tag, value, end = _tlv(data, 0)
    if tag != _SEQUENCE or end != len(data):
        raise DerError("expected one DER SEQUENCE")
    return _children(value)


def _check_algorithm(identifier: bytes) -> None:
    oids = [value for tag, value in _children(identifier) if tag == _OID]
    if EC_PUBLIC_KEY_OID not in oids[:1] or SM2_CURVE_OID not in oids:
        raise DerError("not an SM2 key (algorithm is not id-ecPublicKey with curve SM2)")


def _sec1_scalar(der: bytes) -> bytes:
    items = _sequence(der)
    if len(items) < 2 or items[0] != (_INTEGER, b"\x01") or items[1][0] != _OCTET_STRING:
        raise DerError("not a SEC1 ECPrivateKey")
    for tag, value in items[2:]:
        if tag == _CONTEXT_0 and SM2_CURVE_OID not in value:
            raise DerError("SEC1 key parameters name a curve other than SM2")
    return items[1][1]


def private_scalar(label: str, der: bytes) -> bytes:
    """The raw private scalar ``d`` from a ``PRIVATE KEY`` (PKCS#8) or SEC1 key.

    :raises DerError: another structure, or a curve other than SM2.
    """
    if label in ("EC PRIVATE KEY", "SM2 PRIVATE KEY"):
        return _sec1_scalar(der)
    if label != "PRIVATE KEY":
        raise DerError(f"unsupported PEM label {label!r} for a private key")
    items = _sequence(der)
    if len(items) < 3 or items[0][0] != _INTEGER or items[1][0] != _SEQUENCE:
        raise DerError("not a PKCS#8 PrivateKeyInfo")
    _check_algorithm(items[1][1])
    if items[2][0] != _OCTET_STRING:
        raise DerError("PKCS#8 private key is not an OCTET STRING")
    return _sec1_scalar(items[2][1])


def public_point(label: str, der: bytes) -> bytes:
    """The raw point ``04 || X || Y`` from a ``PUBLIC KEY`` (SubjectPublicKeyInfo).

    :raises DerError: another structure, or a curve other than SM2.
    """
    if label != "PUBLIC KEY":
        raise DerError(f"unsupported PEM label {label!r} for a public key")
    items = _sequence(der)
    if len(items) != 2 or items[0][0] != _SEQUENCE or items[1][0] != _BIT_STRING:
        raise DerError("not a SubjectPublicKeyInfo")
    _check_algorithm(items[0][1])
    bits = items[1][1]
    if not bits or bits[0] != 0:
        raise DerError("public key BIT STRING has unused bits")
    return bits[1:]
