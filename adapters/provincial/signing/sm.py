"""NHSA channel scheme (reference §4.2 [C]): SM4-encrypted ``encData``, SM3withSM2 ``signData``.

A sealed message (``placement="body"``: the whole body; ``"input"``: the envelope's ``input``
for requests and ``output`` for replies, as the e-prescription codes do)::

    {"appId": "...", "encType": "SM4", "signType": "SM2", "timestamp": ..., "version": "1.0.0",
     "encData": "<HEX>" (or "data": {"encData": "<HEX>"}), "signData": "<Base64 r||s>"}

* ``encData`` = uppercase hex of SM4-ECB-PKCS7(key, UTF-8 JSON of the plaintext ``data``);
  key = :func:`~.smcrypto.derive_channel_key` (appId, appSecret) unless one is configured;
* ``signData`` = Base64 of the 64-byte ``r || s`` SM3withSM2 signature of
  :func:`~.canonical.sign_text` (members with ``data`` = plaintext), user id = UTF-8 appSecret.

:class:`SmChannelCodec` seals and opens; the client (:class:`SmChannelSigner`) seals with the
channel's private key and opens replies with the platform's public key, the platform
(:class:`SmChannelPlatform`) the other way round. Only the sealed object is authenticated:
with ``placement="input"`` the envelope around it (``infcode``, ``err_msg``) is not.
"""

from __future__ import annotations

import base64
import binascii
import time
from collections.abc import Mapping
from typing import Any

from .base import Clock, Secret, SignedReply, SignedRequest, loads_json
from .canonical import dumps_compact, sign_text
from .errors import SignatureError, SigningConfigError
from .replay import NonceCache, check_timestamp, remember
from .sm2 import Sm2PrivateKey, Sm2PublicKey
from .sm_config import SmChannelConfig, format_timestamp, parse_timestamp
from .smcrypto import derive_channel_key, sm4_decrypt, sm4_encrypt

__all__ = ["SmChannelCodec", "SmChannelConfig", "SmChannelPlatform", "SmChannelSigner"]

_NOT_AUTHENTIC = "signData does not verify for this encData (bad signature, key or ciphertext)"


class SmChannelCodec:
    """Seals and opens §4.2 messages for one channel (appId).

    :param app_id: the channel id (``chnlId``); its first 16 characters key the SM4 key.
    :param app_secret: the channel secret (from a :class:`~.keys.KeySource`).
    :param private_key: this side's SM2 key (channel key for the client, platform key for
        the platform).
    :param peer_public_key: the other side's SM2 public key.
    :param config: channel options; :class:`SmChannelConfig` ``()`` (§4.2 defaults) when
        ``None``.
    :param sm4_key: a configured SM4 key; ``None`` derives it from appId and appSecret.
    :raises SigningConfigError: missing appId/secret, or a bad SM4 key.
    """

    def __init__(
        self,
        *,
        app_id: str,
        app_secret: Secret | str,
        private_key: Sm2PrivateKey,
        peer_public_key: Sm2PublicKey,
        config: SmChannelConfig | None = None,
        sm4_key: bytes | None = None,
        clock: Clock = time.time,
    ) -> None:
        secret = Secret.of(app_secret)
        if not app_id or not secret:
            raise SigningConfigError("the SM channel scheme needs an appId and an appSecret")
        self.app_id = app_id
        self._secret = secret
        self._key = sm4_key if sm4_key is not None else derive_channel_key(app_id, secret.reveal())
        if len(self._key) != 16:
            raise SigningConfigError("an SM4 key is 16 bytes")
        self._private = private_key
        self.peer_public_key = peer_public_key
        self.config = config = config or SmChannelConfig()
        self._uid = config.user_id or secret.reveal().encode("utf-8")
        self._clock = clock

    def __repr__(self) -> str:
        return (f"SmChannelCodec(app_id={self.app_id!r}, app_secret={self._secret!r}, "
                f"private_key={self._private!r})")

    def _text(self, members: Mapping[str, Any], plain: Any) -> bytes:
        message = {**members, "data": plain}
        return sign_text(message, self._secret, order=self.config.order,
                         quote_scalars=self.config.quote_scalars).encode("utf-8")

    def seal(self, data: Any) -> dict[str, Any]:
        """``data`` encrypted and signed as a §4.2 message."""
        cfg = self.config
        plaintext = dumps_compact(data)
        members: dict[str, Any] = {cfg.app_id_field: self.app_id, "encType": "SM4",
                                   "signType": "SM2",
                                   "timestamp": format_timestamp(self._clock(), cfg)}
        if cfg.version is not None:
            members["version"] = cfg.version
        signature = self._private.sign(self._text(members, loads_json(plaintext)), uid=self._uid)
        enc = sm4_encrypt(self._key, plaintext, iv=cfg.sm4_iv).hex().upper()
        sealed = {**members, "signData": base64.b64encode(signature).decode("ascii")}
        if cfg.enc_layout == "nested":
            return {**sealed, "data": {"encData": enc}}
        return {**sealed, "encData": enc}

    def now(self) -> float:
        """The codec's clock."""
        return self._clock()

    def _check_members(self, message: Mapping[str, Any], strict: bool) -> None:
        app_id = message.get(self.config.app_id_field)
        if app_id is None and strict:
            raise SignatureError(f"missing {self.config.app_id_field}")
        if app_id is not None and app_id != self.app_id:
            raise SignatureError(f"{self.config.app_id_field} is not this channel's")
        for name, expected in (("encType", "SM4"), ("signType", "SM2")):
            if message.get(name, expected) != expected:
                raise SignatureError(f"unsupported {name} (expected {expected})")
        stamp = message.get("timestamp")
        if stamp is None:
            if strict:
                raise SignatureError("missing timestamp")
            return
        check_timestamp(parse_timestamp(stamp, self.config), now=self._clock(),
                        tolerance_s=self.config.tolerance_s, what="timestamp")

    def _decrypt(self, message: Mapping[str, Any]) -> Any:
        enc = message.get("encData")
        nested = message.get("data")
        if enc is None and isinstance(nested, Mapping):
            enc = nested.get("encData")
        if not isinstance(enc, str) or not enc:
            raise SignatureError("missing encData")
        try:
            plaintext = sm4_decrypt(self._key, bytes.fromhex(enc), iv=self.config.sm4_iv)
            return loads_json(plaintext)
        except (ValueError, UnicodeDecodeError) as exc:  # one message: no padding oracle
            raise SignatureError(_NOT_AUTHENTIC) from exc

    def open(self, message: Any, *, strict: bool = True) -> tuple[Any, dict[str, Any]]:
        """Verify and decrypt a sealed message.

        Order: members (appId, encType/signType, timestamp tolerance) → ``signData`` shape →
        decrypt → verify the signature over the rebuilt sign text.

        :param strict: ``appId`` and ``timestamp`` must be present (requests); when ``False``
            (replies, whose members §4.2 does not fix) they are checked only if present.

        :returns: ``(plaintext data, the other members without signData/encData/data)``.
        :raises SignatureError: not a sealed message, wrong appId, stale timestamp, missing or
            malformed ``signData``, or a signature that does not verify.
        """
        if not isinstance(message, Mapping):
            raise SignatureError("sealed message is not a JSON object")
        self._check_members(message, strict)
        signature = _signature_bytes(message.get("signData"))
        plain = self._decrypt(message)
        members = {k: v for k, v in message.items()
                   if k not in ("signData", "encData", "data")}
        if not self.peer_public_key.verify(self._text(members, plain), signature, uid=self._uid):
            raise SignatureError(_NOT_AUTHENTIC)
        return plain, members


def _signature_bytes(value: Any) -> bytes:
    if not isinstance(value, str) or not value:
        raise SignatureError("missing signData")
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise SignatureError("malformed signData (not Base64)") from exc
    if len(raw) != 64:
        raise SignatureError("malformed signData (not a 64-byte r||s signature)")
    return raw


def _sealed_part(obj: Any, placement: str, node: str) -> Any:
    if placement == "body":
        return obj
    return obj.get(node) if isinstance(obj, Mapping) else None


def _with_part(obj: Any, placement: str, node: str, part: Any) -> Any:
    return part if placement == "body" else {**obj, node: part}


class SmChannelSigner:
    """Client side (:class:`~.base.Signer`): seals requests, opens replies.

    :param codec: built with the channel's private key and the platform's public key.
    """

    def __init__(self, codec: SmChannelCodec) -> None:
        self.codec = codec

    def __repr__(self) -> str:
        return f"SmChannelSigner({self.codec!r})"

    def sign(self, request: SignedRequest) -> SignedRequest:
        """``request`` with its body (or ``input``) sealed.

        :raises SignatureError: the body is not JSON (or has no ``input`` to seal).
        """
        cfg = self.codec.config
        obj = request.json()
        if cfg.placement == "input" and not (isinstance(obj, Mapping) and "input" in obj):
            raise SignatureError("request envelope has no input to seal")
        sealed = self.codec.seal(_sealed_part(obj, cfg.placement, "input"))
        body = dumps_compact(_with_part(obj, cfg.placement, "input", sealed))
        return request.with_body(body).with_headers({"Content-Type": "application/json"})

    def verify_reply(self, reply: SignedReply) -> SignedReply:
        """``reply`` verified with the platform key; the sealed object becomes its members plus
        ``data`` = the decrypted plaintext (reference §4.2 "Verify a response").

        :raises SignatureError: unsigned (when required), stale or not authentic.
        """
        cfg = self.codec.config
        obj = reply.json()
        part = _sealed_part(obj, cfg.placement, "output")
        if not (isinstance(part, Mapping) and "signData" in part):
            if cfg.require_reply_signature:
                raise SignatureError("reply carries no signData")
            return reply
        plain, members = self.codec.open(part, strict=False)
        opened = {**members, "data": plain}
        return reply.with_body(dumps_compact(_with_part(obj, cfg.placement, "output", opened)))


class SmChannelPlatform:
    """Platform side (:class:`~.base.PlatformSigner`) for the mock platform.

    :param codec: built with the platform's private key and the channel's public key.
    :param nonce_cache: refuses a replayed ``signData`` within the tolerance window.
    """

    def __init__(self, codec: SmChannelCodec, *, nonce_cache: NonceCache | None = None) -> None:
        self.codec = codec
        self.nonce_cache = nonce_cache

    def __repr__(self) -> str:
        return f"SmChannelPlatform({self.codec!r})"

    def verify_request(self, request: SignedRequest) -> SignedRequest:
        """``request`` verified and decrypted back to what the client sealed.

        :raises SignatureError: see :meth:`SmChannelCodec.open`; a replayed request too.
        """
        cfg = self.codec.config
        obj = request.json()
        part = _sealed_part(obj, cfg.placement, "input")
        plain, _ = self.codec.open(part)
        # Keyed on the decoded r||s: Base64 has several spellings of the same bytes.
        raw = _signature_bytes(part["signData"]).hex()
        remember(self.nonce_cache, f"{self.codec.app_id}\x00{raw}", now=self.codec.now(),
                 tolerance_s=cfg.tolerance_s, what="signData")
        return request.with_body(dumps_compact(_with_part(obj, cfg.placement, "input", plain)))

    def sign_reply(self, reply: SignedReply) -> SignedReply:
        """``reply`` with its body (or ``output``) sealed with the platform key."""
        cfg = self.codec.config
        obj = reply.json()
        sealed = self.codec.seal(_sealed_part(obj, cfg.placement, "output"))
        return reply.with_body(dumps_compact(_with_part(obj, cfg.placement, "output", sealed)))
