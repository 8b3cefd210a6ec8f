"""Process settings read once from the environment (prefix ``YIBAO_``) and passed down."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from yibao_sdk.errors import ConfigError
from yibao_sdk.models.base import errors_of

__all__ = ["Settings", "load_settings"]


class Settings(BaseSettings):
    """What the command line and services read from the environment.

    * ``YIBAO_CONFIG``: hospital configuration (TOML); none by default.
    * ``YIBAO_AUDIT_DB``: audit log (SQLite); ``yibao-audit.sqlite3`` by default.
    * ``YIBAO_NO_COLOR``: plain output even on a terminal; ``false`` by default.

    Command-line options win over these; the variable ``NO_COLOR`` (no-color.org) is honoured too.
    """

    model_config = SettingsConfigDict(env_prefix="YIBAO_", frozen=True, extra="ignore")

    config: Path | None = None
    """Hospital configuration file (TOML)."""
    audit_db: Path = Path("yibao-audit.sqlite3")
    """Audit-log database file."""
    no_color: bool = False
    """Turn colours off."""


def load_settings() -> Settings:
    """Read :class:`Settings` from the environment, raising :class:`ConfigError` when invalid."""
    try:
        return Settings()
    except ValidationError as exc:
        detail = "; ".join(f"YIBAO_{path.upper()}: {msg}" for path, msg in errors_of(exc))
        raise ConfigError(f"environment: {detail}") from exc
