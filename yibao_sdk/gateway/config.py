"""Gateway configuration: the ``[gateway]`` table of the hospital TOML, beside the engine's.

Example (every key optional; the rest of the file is the engine configuration of
:mod:`yibao_sdk.rules.config`)::

    [gateway]
    host = "127.0.0.1"           # listen address of every listener
    ack = "after_rules"          # default ACK mode: after_store | after_rules
    reject = "AR"                # code for input that cannot be parsed or mapped: AR | AE
    yellow = "warning"           # yellow verdicts: ERR severity W ("warning") or MSA-3 ("text")
    max_message_bytes = 8388608  # larger MLLP frames are answered AR
    idle_timeout = 300           # seconds before an idle MLLP connection is closed (0: never)
    retention_days = 90          # processed messages older than this are purged (unset: keep)
    durable = true               # fsync each stored message before its ACK (see store.messages)
    tls_cert = "certs/gw.pem"    # TLS for MLLP and HTTPS (paths relative to this file)
    tls_key = "certs/gw.key"

    [gateway.routes.his]         # per route: ack, reject, yellow, encoding
    ack = "after_store"
    encoding = "GB18030"         # the peer's character set when MSH-18 is empty

    [gateway.receivers]          # MSH-5 receiving application -> route
    "YBGW-LIS" = "lis"
"""

from __future__ import annotations

import ssl
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, NonNegativeFloat, PositiveInt, ValidationError

from yibao_sdk.errors import ConfigError
from yibao_sdk.gateway.policy import AckMode, AckPolicy, RoutePolicy
from yibao_sdk.hl7v2.mllp import DEFAULT_MAX_MESSAGE_BYTES
from yibao_sdk.hl7v2.mllp_server import MllpConfig
from yibao_sdk.models.base import errors_of
from yibao_sdk.rules.config import EngineConfig, config_from_dict

__all__ = ["GatewayConfig", "RouteSettings", "gateway_config_from_dict", "load_gateway_config"]


class RouteSettings(BaseModel):
    """One ``[gateway.routes.<name>]`` table; unset keys take the ``[gateway]`` value."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    ack: AckMode | None = None
    reject: Literal["AR", "AE"] | None = None
    yellow: Literal["warning", "text"] | None = None
    encoding: str | None = None


class GatewayConfig(BaseModel):
    """The ``[gateway]`` table (see the module docstring)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    host: str = "127.0.0.1"
    ack: AckMode = AckMode.AFTER_RULES
    reject: Literal["AR", "AE"] = "AR"
    yellow: Literal["warning", "text"] = "warning"
    encoding: str | None = None
    routes: dict[str, RouteSettings] = Field(default_factory=dict)
    receivers: dict[str, str] = Field(default_factory=dict)
    max_message_bytes: PositiveInt = DEFAULT_MAX_MESSAGE_BYTES
    idle_timeout: NonNegativeFloat = 300.0
    retention_days: PositiveInt | None = None
    durable: bool = True
    tls_cert: Path | None = None
    tls_key: Path | None = None

    def policy(self) -> AckPolicy:
        """The :class:`AckPolicy` this configuration describes."""
        default = RoutePolicy(self.ack, self.reject, self.yellow, self.encoding)
        routes = {name: RoutePolicy(r.ack or default.ack, r.reject or default.reject,
                                    r.yellow or default.yellow, r.encoding or default.encoding)
                  for name, r in self.routes.items()}
        return AckPolicy(default, routes, dict(self.receivers))

    def mllp(self) -> MllpConfig:
        """The MLLP limits."""
        return MllpConfig(max_message_bytes=self.max_message_bytes,
                          idle_timeout=self.idle_timeout or None)

    def ssl_context(self) -> ssl.SSLContext | None:
        """A server TLS context when ``tls_cert`` is set.

        :raises ConfigError: when the certificate or key cannot be loaded.
        """
        if self.tls_cert is None:
            return None
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        try:
            context.load_cert_chain(self.tls_cert, self.tls_key)
        except (OSError, ssl.SSLError) as exc:
            raise ConfigError(f"gateway.tls_cert: cannot load {self.tls_cert}: {exc}") from exc
        return context


def gateway_config_from_dict(raw: Mapping[str, Any], *, source: str,
                             base: Path) -> GatewayConfig:
    """Validate a ``[gateway]`` table; TLS paths are taken relative to ``base``."""
    data = dict(raw)
    for key in ("tls_cert", "tls_key"):
        if isinstance(data.get(key), str):
            data[key] = base / data[key]
    try:
        return GatewayConfig.model_validate(data)
    except ValidationError as exc:
        detail = "; ".join(f"gateway.{p}: {m}" for p, m in errors_of(exc))
        raise ConfigError(f"{source}: {detail}") from exc


def load_gateway_config(path: Path | str | None) -> tuple[EngineConfig, GatewayConfig]:
    """The engine and gateway configuration of a TOML file (defaults when ``path`` is None).

    :raises ConfigError: when the file cannot be read or does not validate.
    """
    if path is None:
        return EngineConfig(), GatewayConfig()
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    table = raw.pop("gateway", {})
    if not isinstance(table, Mapping):
        raise ConfigError(f"{path}: gateway must be a table")
    engine = config_from_dict(raw, source=str(path), base=path.parent)
    return engine, gateway_config_from_dict(table, source=str(path), base=path.parent)
