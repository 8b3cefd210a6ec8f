"""Process settings read once from the environment (prefix ``YIBAO_``) and passed down."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import PositiveFloat, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from yibao_sdk.errors import ConfigError
from yibao_sdk.models.base import errors_of

__all__ = ["MIN_KEY_BYTES", "Settings", "load_settings"]

MIN_KEY_BYTES = 16
"""Shortest audit-log key accepted; 32 random bytes (64 hex digits) are recommended."""
_HEX = re.compile(r"(?:[0-9A-Fa-f]{2})+")


class Settings(BaseSettings):
    """What the command line and services read from the environment.

    * ``YIBAO_CONFIG``: hospital configuration (TOML); none by default.
    * ``YIBAO_AUDIT_DB``: audit log (SQLite); ``yibao-audit.sqlite3`` by default.
    * ``YIBAO_AUDIT_KEY``: secret key of a keyed (``hmac-sha256``) audit log: hex digits are
      decoded as hex, anything else is taken as UTF-8 text; none by default (unkeyed).
    * ``YIBAO_AUDIT_KEY_FILE``: a file holding that key instead (its text, read the same way,
      or raw bytes); set one of the two, never both.
    * ``YIBAO_AUDIT_TIMEOUT``: seconds to wait for another writer of the audit log; ``5``.
    * ``YIBAO_NO_COLOR``: plain output even on a terminal; ``false`` by default.
    * ``YIBAO_DEBUG``: ``1`` lets the CLI show the traceback of an internal error (read by
      :func:`yibao_sdk.cli.main` itself, so that it works even when these settings do not).

    Command-line options win over these; the variable ``NO_COLOR`` (no-color.org) is honoured too.
    The audit-log key never belongs in a committed configuration file: generate one with
    ``python -c "import secrets; print(secrets.token_hex(32))"`` and keep it in a secret store.
    """

    model_config = SettingsConfigDict(env_prefix="YIBAO_", frozen=True, extra="ignore")

    config: Path | None = None
    """Hospital configuration file (TOML)."""
    audit_db: Path = Path("yibao-audit.sqlite3")
    """Audit-log database file."""
    audit_key: SecretStr | None = None
    """Audit-log key (hex or text); see :meth:`audit_key_bytes`."""
    audit_key_file: Path | None = None
    """File holding the audit-log key; see :meth:`audit_key_bytes`."""
    audit_timeout: PositiveFloat = 5.0
    """Seconds to wait for the audit log's write lock."""
    no_color: bool = False
    """Turn colours off."""

    def audit_key_bytes(self) -> bytes | None:
        """The audit-log key from ``YIBAO_AUDIT_KEY`` or ``YIBAO_AUDIT_KEY_FILE``, if set.

        :raises ConfigError: both are set, the file cannot be read, or the key is shorter
            than :data:`MIN_KEY_BYTES`.
        """
        if self.audit_key is not None and self.audit_key_file is not None:
            raise ConfigError("environment: set YIBAO_AUDIT_KEY or YIBAO_AUDIT_KEY_FILE, not both")
        if self.audit_key is not None:
            return _key(self.audit_key.get_secret_value().encode("utf-8"), "YIBAO_AUDIT_KEY")
        if self.audit_key_file is not None:
            return _key(_read_key_file(self.audit_key_file), f"key file {self.audit_key_file}")
        return None


def load_settings() -> Settings:
    """Read :class:`Settings` from the environment, raising :class:`ConfigError` when invalid."""
    try:
        return Settings()
    except ValidationError as exc:
        detail = "; ".join(f"YIBAO_{path.upper()}: {msg}" for path, msg in errors_of(exc))
        raise ConfigError(f"environment: {detail}") from exc


def _read_key_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ConfigError(
            f"environment: YIBAO_AUDIT_KEY_FILE: cannot read {path}: {exc.strerror or exc}"
        ) from exc


def _key(raw: bytes, source: str) -> bytes:
    """Text (surrounding white space dropped) that is all hex digits is decoded as hex; other
    text is used as it is, as are bytes that are not UTF-8 (a binary key file)."""
    try:
        text = raw.decode("utf-8").strip()
    except UnicodeDecodeError:
        key = raw
    else:
        key = bytes.fromhex(text) if _HEX.fullmatch(text) else text.encode("utf-8")
    if len(key) < MIN_KEY_BYTES:
        raise ConfigError(
            f"environment: {source}: the audit-log key must be at least {MIN_KEY_BYTES} bytes"
        )
    return key
