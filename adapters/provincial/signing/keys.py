"""Where secrets and keys come from: an environment variable or a file, never code or committed
configuration (:class:`KeySource`), and how SM2 keys in those places are read.

Accepted SM2 key encodings (what provinces hand out, reference §4.2 "Keys"):

* private: PEM (``PRIVATE KEY`` PKCS#8, ``EC PRIVATE KEY``/``SM2 PRIVATE KEY`` SEC1), 64 hex
  digits, or Base64 of the raw 32-byte ``d``;
* public: PEM (``PUBLIC KEY``), 128/130 hex digits, or Base64 of the raw 65-byte ``04||X||Y``
  point or the 64-byte ``X||Y`` point (.NET strips the ``04``).
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ._der import DerError, private_scalar, public_point, read_pem
from .base import Secret
from .errors import SigningConfigError
from .sm2 import Sm2PrivateKey, Sm2PublicKey

__all__ = [
    "KeySource",
    "load_secret",
    "load_sm2_private_key",
    "load_sm2_public_key",
    "parse_sm2_private_key",
    "parse_sm2_public_key",
]

_HEX = re.compile(rb"[0-9A-Fa-f]+")
_TEXT = re.compile(rb"[A-Za-z0-9+/=\s]+")


@dataclass(frozen=True)
class KeySource:
    """One place a secret or key is read from: exactly one of ``env`` and ``path``.

    Its ``repr`` names the place, never the content. Build with :meth:`from_env` or
    :meth:`from_file`.
    """

    env: str | None = None
    path: Path | None = None

    def __post_init__(self) -> None:
        if (self.env is None) == (self.path is None):
            raise SigningConfigError("a KeySource is an environment variable or a file path")

    @classmethod
    def from_env(cls, name: str) -> KeySource:
        """The value of environment variable ``name``."""
        return cls(env=name)

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> KeySource:
        """The content of the file at ``path``."""
        return cls(path=Path(path))

    def describe(self) -> str:
        """``environment variable NAME`` or ``key file PATH``, for messages."""
        return f"environment variable {self.env}" if self.env else f"key file {self.path}"

    def read_bytes(self, environ: Mapping[str, str] | None = None) -> bytes:
        """The raw content.

        :param environ: environment to read from; :data:`os.environ` by default.
        :raises SigningConfigError: the variable is unset or empty, the file cannot be read
            or is empty.
        """
        if self.env is not None:
            value = (os.environ if environ is None else environ).get(self.env, "")
            if not value.strip():
                raise SigningConfigError(f"{self.describe()} is not set")
            return value.encode("utf-8")
        assert self.path is not None  # guaranteed by __post_init__
        try:
            data = self.path.read_bytes()
        except OSError as exc:
            raise SigningConfigError(
                f"cannot read {self.describe()}: {exc.strerror or type(exc).__name__}"
            ) from exc
        if not data.strip():
            raise SigningConfigError(f"{self.describe()} is empty")
        return data


def load_secret(source: KeySource, environ: Mapping[str, str] | None = None) -> Secret:
    """A text secret (paas token, appSecret, HMAC key) from ``source``, surrounding
    whitespace removed.

    :raises SigningConfigError: missing, unreadable, or not UTF-8.
    """
    try:
        return Secret(source.read_bytes(environ).decode("utf-8").strip())
    except UnicodeDecodeError as exc:
        raise SigningConfigError(f"{source.describe()} is not UTF-8 text") from exc


def _is_der(data: bytes) -> bool:
    """Binary DER (a SEQUENCE), as opposed to hex/Base64 text (which may also start with "0")."""
    return data[:1] == b"\x30" and not _TEXT.fullmatch(data)


def _text_key(data: bytes, sizes: tuple[int, ...]) -> bytes:
    """Hex or Base64 key text → raw bytes of one of ``sizes``."""
    text = b"".join(data.split())
    raw: bytes | None = None
    if _HEX.fullmatch(text) and len(text) // 2 in sizes and len(text) % 2 == 0:
        raw = bytes.fromhex(text.decode("ascii"))
    else:
        try:
            raw = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raw = None
    if raw is None or len(raw) not in sizes:
        raise SigningConfigError("not PEM, DER, hex or Base64 of the expected size")
    return raw


def parse_sm2_private_key(data: bytes, *, where: str = "SM2 private key") -> Sm2PrivateKey:
    """An SM2 private key from PEM, DER, hex or Base64 ``data``.

    :param where: names the origin in error messages (never the content).
    :raises SigningConfigError: unreadable, another algorithm, or an invalid scalar.
    """
    try:
        pem = read_pem(data)
        if pem is not None:
            return Sm2PrivateKey(private_scalar(*pem).rjust(32, b"\x00"))
        if _is_der(data):
            return Sm2PrivateKey(private_scalar("PRIVATE KEY", data).rjust(32, b"\x00"))
        return Sm2PrivateKey(_text_key(data, (32,)))
    except (DerError, SigningConfigError) as exc:
        raise SigningConfigError(f"{where}: {exc}") from exc


def parse_sm2_public_key(data: bytes, *, where: str = "SM2 public key") -> Sm2PublicKey:
    """An SM2 public key from PEM, DER, hex or Base64 ``data``.

    :raises SigningConfigError: unreadable, another algorithm, or not a valid curve point.
    """
    try:
        pem = read_pem(data)
        if pem is not None:
            return Sm2PublicKey(public_point(*pem))
        if _is_der(data):
            return Sm2PublicKey(public_point("PUBLIC KEY", data))
        return Sm2PublicKey(_text_key(data, (64, 65)))
    except (DerError, SigningConfigError) as exc:
        raise SigningConfigError(f"{where}: {exc}") from exc


def load_sm2_private_key(
    source: KeySource, environ: Mapping[str, str] | None = None
) -> Sm2PrivateKey:
    """:func:`parse_sm2_private_key` of what ``source`` holds."""
    return parse_sm2_private_key(source.read_bytes(environ), where=source.describe())


def load_sm2_public_key(
    source: KeySource, environ: Mapping[str, str] | None = None
) -> Sm2PublicKey:
    """:func:`parse_sm2_public_key` of what ``source`` holds."""
    return parse_sm2_public_key(source.read_bytes(environ), where=source.describe())
