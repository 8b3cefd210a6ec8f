"""Signers by scheme name, built from a province profile's ``[signer]`` settings.

A profile names its scheme and gives non-secret settings; every secret or key is given by
reference, ``NAME_env`` (an environment variable) or ``NAME_file`` (a key file)::

    [signer]
    scheme = "x-tif"
    settings = { paasid_env = "YIBAO_TIF_PAASID", secret_env = "YIBAO_TIF_SECRET" }

========== ================================================================================
scheme     settings (``*`` = give ``NAME``, ``NAME_env`` or ``NAME_file``; secrets: only the
           last two)
========== ================================================================================
none       —
x-tif      ``paasid*``, ``secret_env|_file``; optional ``service_id``, ``paasid_header``
api-hmac   ``access_key_env|_file``, ``secret_env|_file``; optional ``preset``
           (``request``/``hsaf``)
sm2-sm4    ``app_id*``, ``app_secret_env|_file``; client: ``private_key_env|_file``,
           ``platform_public_key_env|_file``; platform (mock): ``platform_private_key_env|
           _file``, ``channel_public_key_env|_file``; optional ``layout`` (``body`` /
           ``e-prescription``), ``user_id`` (``secret``/``default``), ``timestamp_format``
========== ================================================================================

Settings a scheme does not use (``cainfo`` of the Guangdong profile, say) are ignored here.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import replace
from typing import cast

from .base import Clock, PlatformSigner, Secret, SignedReply, SignedRequest, Signer
from .errors import SigningConfigError
from .hmac_scheme import HmacPlatform, HmacScheme, HmacSigner
from .keys import KeySource, load_secret, load_sm2_private_key, load_sm2_public_key
from .replay import MemoryNonceCache
from .sm import SmChannelCodec, SmChannelPlatform, SmChannelSigner
from .sm2 import DEFAULT_USER_ID
from .sm_config import SmChannelConfig, TimestampFormat
from .xtif import XTifHeaderNames, XTifPlatform, XTifSigner

__all__ = ["SCHEMES", "NoSigner", "build_platform_signer", "build_signer"]

SCHEMES = ("none", "x-tif", "api-hmac", "sm2-sm4")
"""Scheme names a profile's ``[signer] scheme`` may use."""

Env = Mapping[str, str] | None


class NoSigner:
    """The ``none`` scheme: requests and replies pass unchanged (both protocols)."""

    def __repr__(self) -> str:
        return "NoSigner()"

    def sign(self, request: SignedRequest) -> SignedRequest:
        """``request`` unchanged."""
        return request

    def verify_reply(self, reply: SignedReply) -> SignedReply:
        """``reply`` unchanged."""
        return reply

    def verify_request(self, request: SignedRequest) -> SignedRequest:
        """``request`` unchanged."""
        return request

    def sign_reply(self, reply: SignedReply) -> SignedReply:
        """``reply`` unchanged."""
        return reply


def _source(settings: Mapping[str, str], name: str) -> KeySource | None:
    if name + "_env" in settings:
        return KeySource.from_env(settings[name + "_env"])
    if name + "_file" in settings:
        return KeySource.from_file(settings[name + "_file"])
    return None


def _secret(settings: Mapping[str, str], name: str, environ: Env) -> Secret:
    source = _source(settings, name)
    if source is None:
        raise SigningConfigError(f"signer setting {name}_env or {name}_file is required")
    return load_secret(source, environ)


def _value(settings: Mapping[str, str], name: str, environ: Env) -> str:
    """A non-secret value given inline or by reference."""
    if name in settings:
        return settings[name]
    return _secret(settings, name, environ).reveal()


def _xtif_names(settings: Mapping[str, str]) -> XTifHeaderNames:
    header = settings.get("paasid_header")
    return XTifHeaderNames(paasid=header) if header else XTifHeaderNames()


def _hmac_scheme(settings: Mapping[str, str]) -> HmacScheme:
    preset = settings.get("preset", "request")
    if preset not in ("request", "hsaf"):
        raise SigningConfigError(f"api-hmac preset {preset!r} is not 'request' or 'hsaf'")
    return HmacScheme.hsaf() if preset == "hsaf" else HmacScheme()


def _sm_config(settings: Mapping[str, str]) -> SmChannelConfig:
    layout = settings.get("layout", "body")
    if layout not in ("body", "e-prescription"):
        raise SigningConfigError(f"sm2-sm4 layout {layout!r} is not 'body' or 'e-prescription'")
    config = SmChannelConfig.e_prescription() if layout == "e-prescription" else SmChannelConfig()
    if settings.get("user_id", "secret") == "default":
        config = replace(config, user_id=DEFAULT_USER_ID)
    stamp = settings.get("timestamp_format")
    if stamp is not None:
        if stamp not in ("ms", "s", "yyyyMMddHHmmss"):
            raise SigningConfigError(f"sm2-sm4 timestamp_format {stamp!r} is not supported")
        config = replace(config, timestamp_format=cast(TimestampFormat, stamp))
    return config


def _sm_codec(settings: Mapping[str, str], environ: Env, clock: Clock, *,
              own: str, peer: str, tolerance_s: float = 300) -> SmChannelCodec:
    config = replace(_sm_config(settings), tolerance_s=tolerance_s)
    own_source, peer_source = _source(settings, own), _source(settings, peer)
    if own_source is None or peer_source is None:
        raise SigningConfigError(f"sm2-sm4 needs {own}_env|_file and {peer}_env|_file")
    return SmChannelCodec(
        app_id=_value(settings, "app_id", environ),
        app_secret=_secret(settings, "app_secret", environ),
        private_key=load_sm2_private_key(own_source, environ),
        peer_public_key=load_sm2_public_key(peer_source, environ),
        config=config, clock=clock,
    )


def build_signer(
    scheme: str, settings: Mapping[str, str], *, environ: Env = None, clock: Clock = time.time
) -> Signer:
    """The client :class:`~.base.Signer` of ``scheme`` (module docstring lists settings).

    :param environ: environment for ``*_env`` settings; :data:`os.environ` by default.
    :raises SigningConfigError: unknown scheme, a missing setting, or a key/secret that
        cannot be read.
    """
    if scheme == "none":
        return NoSigner()
    if scheme == "x-tif":
        return XTifSigner(_value(settings, "paasid", environ), _secret(settings, "secret", environ),
                          service_id=settings.get("service_id"), clock=clock,
                          names=_xtif_names(settings))
    if scheme == "api-hmac":
        return HmacSigner(_value(settings, "access_key", environ),
                          _secret(settings, "secret", environ),
                          scheme=_hmac_scheme(settings), clock=clock)
    if scheme == "sm2-sm4":
        return SmChannelSigner(_sm_codec(settings, environ, clock, own="private_key",
                                         peer="platform_public_key"))
    raise SigningConfigError(f"unknown signer scheme {scheme!r}; known: {', '.join(SCHEMES)}")


def build_platform_signer(
    scheme: str, settings: Mapping[str, str], *, environ: Env = None, clock: Clock = time.time,
    tolerance_s: float = 300,
) -> PlatformSigner:
    """The platform-side verifier of ``scheme`` for the mock platform, with an in-memory
    replay cache; same settings as :func:`build_signer`, except that ``sm2-sm4`` reads the
    platform's private key and the channel's public key.

    :raises SigningConfigError: as :func:`build_signer`.
    """
    cache = MemoryNonceCache()
    if scheme == "none":
        return NoSigner()
    if scheme == "x-tif":
        paas = _value(settings, "paasid", environ)
        return XTifPlatform({paas: _secret(settings, "secret", environ)}, clock=clock,
                            tolerance_s=tolerance_s, nonce_cache=cache,
                            names=_xtif_names(settings))
    if scheme == "api-hmac":
        key = _value(settings, "access_key", environ)
        return HmacPlatform({key: _secret(settings, "secret", environ)},
                            scheme=_hmac_scheme(settings), clock=clock,
                            tolerance_s=tolerance_s, nonce_cache=cache)
    if scheme == "sm2-sm4":
        codec = _sm_codec(settings, environ, clock, own="platform_private_key",
                          peer="channel_public_key", tolerance_s=tolerance_s)
        return SmChannelPlatform(codec, nonce_cache=cache)
    raise SigningConfigError(f"unknown signer scheme {scheme!r}; known: {', '.join(SCHEMES)}")
