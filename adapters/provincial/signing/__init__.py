"""Request signing for provincial insurance platforms (reference §4): one :class:`Signer`
protocol and its schemes — ``x-tif-*`` headers (§4.1), the NHSA SM2/SM4 channel scheme (§4.2)
and HMAC ``_api_*`` headers (§4.3) — applied to ``requests`` by :class:`SignerAuth`, with the
platform-side verifiers the mock platform uses.

Secrets and keys come from a :class:`KeySource` (environment variable or file). Every
verification is constant-time, checks a timestamp tolerance and raises
:class:`SignatureError`; nothing here ever puts a secret in a ``repr`` or a message.
"""

from __future__ import annotations

from .auth import SignerAuth, reply_from_response, request_from_prepared
from .base import PlatformSigner, Secret, SignedReply, SignedRequest, Signer, random_nonce
from .canonical import dumps_compact, sign_text
from .errors import SignatureError, SigningConfigError, SigningError
from .hmac_scheme import HmacPlatform, HmacScheme, HmacSigner, verify_hmac_request
from .keys import (
    KeySource,
    load_secret,
    load_sm2_private_key,
    load_sm2_public_key,
    parse_sm2_private_key,
    parse_sm2_public_key,
)
from .registry import SCHEMES, NoSigner, build_platform_signer, build_signer
from .replay import MemoryNonceCache, NonceCache, check_timestamp
from .sm import SmChannelCodec, SmChannelConfig, SmChannelPlatform, SmChannelSigner
from .sm2 import DEFAULT_USER_ID, Sm2PrivateKey, Sm2PublicKey
from .smcrypto import derive_channel_key, sm3, sm4_decrypt, sm4_encrypt
from .xtif import XTifHeaderNames, XTifPlatform, XTifSigner, verify_headers, xtif_signature

__all__ = [
    "DEFAULT_USER_ID",
    "SCHEMES",
    "HmacPlatform",
    "HmacScheme",
    "HmacSigner",
    "KeySource",
    "MemoryNonceCache",
    "NoSigner",
    "NonceCache",
    "PlatformSigner",
    "Secret",
    "SignatureError",
    "SignedReply",
    "SignedRequest",
    "Signer",
    "SignerAuth",
    "SigningConfigError",
    "SigningError",
    "Sm2PrivateKey",
    "Sm2PublicKey",
    "SmChannelCodec",
    "SmChannelConfig",
    "SmChannelPlatform",
    "SmChannelSigner",
    "XTifHeaderNames",
    "XTifPlatform",
    "XTifSigner",
    "build_platform_signer",
    "build_signer",
    "check_timestamp",
    "derive_channel_key",
    "dumps_compact",
    "load_secret",
    "load_sm2_private_key",
    "load_sm2_public_key",
    "parse_sm2_private_key",
    "parse_sm2_public_key",
    "random_nonce",
    "reply_from_response",
    "request_from_prepared",
    "sign_text",
    "sm3",
    "sm4_decrypt",
    "sm4_encrypt",
    "verify_headers",
    "verify_hmac_request",
    "xtif_signature",
]
