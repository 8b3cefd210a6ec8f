"""Province profiles: everything that differs between provinces, as data.

The national layout is the default; a :class:`ProvinceProfile` overrides what its province
changes (reference §0, §5): URL style, base URLs, node and member names, the null policy, extra
envelope members, ``recer_sys_code`` rules, ``infver``, the signer (by scheme name: signer
objects live in ``adapters/provincial/signing``), transactions promoted to ``reverse``, sign-in
renewal and the ``sev_deg`` → severity map. Built-ins are in :mod:`.builtin_profiles`; a
hospital loads its own from TOML with :func:`load_profile`::

    name = "gz-first-hospital"
    based_on = "guangdong"                   # start from a built-in; top-level keys replace
    base_url = "http://10.1.2.3:8080/fsi/api/rsfComIfsService/callService"

    [signer]
    scheme = "x-tif"
    settings = { paasid_env = "YIBAO_TIF_PAASID", secret_env = "YIBAO_TIF_SECRET" }

Secrets never sit in a profile: a signer setting whose name mentions a secret, key, token or
password must end in ``_env`` (an environment variable's name) or ``_file`` (a key file).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from yibao_sdk.models.base import errors_of
from yibao_sdk.rules.findings import Severity

from .errors import ProfileError
from .transactions import RetryClass, Transaction
from .wire.base import BytesEncoding, NullPolicy

__all__ = [
    "DEFAULT_SEV_DEG",
    "ENVELOPE_FIELDS",
    "NATIONAL_REVERSE",
    "ProvinceProfile",
    "RecerSysCodeRules",
    "SignInPolicy",
    "SignerRef",
    "UrlStyle",
    "load_profile",
    "profile_from_dict",
    "url_for",
]

ENVELOPE_FIELDS = frozenset({
    "infno", "msgid", "mdtrtarea_admvs", "insuplc_admdvs", "recer_sys_code", "dev_no",
    "dev_safe_info", "cainfo", "signtype", "infver", "opter_type", "opter", "opter_name",
    "inf_time", "fixmedins_code", "fixmedins_name", "sign_no", "input",
})
"""The national request envelope's members (reference §1.1)."""
NATIONAL_REVERSE = frozenset({"2102", "2207", "2304"})
"""Money-moving transactions every profile treats as ``reverse``."""
DEFAULT_SEV_DEG: Mapping[str, Severity] = {"1": Severity.BLOCK, "2": Severity.WARN,
                                           "3": Severity.WARN}
"""3101/3102 ``sev_deg`` → severity. The dictionary is [U]: read as 1 明确违规 (red), 2/3 可疑
(yellow); an unlisted value is yellow."""
_INFNO = re.compile(r"\d{4}[A-Z]?")
_SECRETISH = re.compile(r"secret|password|passwd|token|key|pin", re.IGNORECASE)


class UrlStyle(StrEnum):
    """Where a transaction is POSTed (reference §0)."""

    DISPATCHER = "dispatcher"
    """One URL for all; ``infno`` only in the body (``…/rsfComIfsService/callService``)."""
    SUFFIX = "suffix"
    """``{base}/{infno}`` (Guangzhou)."""
    PATH = "path"
    """``{base}{paths[infno]}``: one native service path per transaction (Hebei, §2.3)."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)


class SignerRef(_Frozen):
    """Which signer the transport applies, by scheme name, and its non-secret settings."""

    scheme: str = "none"
    """``none``, ``x-tif``, ``sm2-sm4``, ``api-hmac``, … (registered by ``signing``)."""
    settings: dict[str, str] = Field(default_factory=dict)
    """Scheme settings; secrets only by reference (``*_env`` / ``*_file``)."""

    @field_validator("settings")
    @classmethod
    def _no_inline_secrets(cls, value: dict[str, str]) -> dict[str, str]:
        for key in value:
            if _SECRETISH.search(key) and not key.endswith(("_env", "_file")):
                raise ValueError(
                    f"{key!r} looks like a secret: name an environment variable ({key}_env) "
                    f"or a key file ({key}_file) instead"
                )
        return value


class SignInPolicy(_Frozen):
    """When an operator's ``sign_no`` (9001) is renewed (reference §5 "Sign-in state")."""

    required: bool = True
    """Send ``sign_no`` on every call but 9001."""
    ttl_seconds: int | None = Field(default=None, ge=60)
    """Renew after this long (Guangzhou: 3600); ``None``: once per process (Inner Mongolia)."""
    error_markers: tuple[str, ...] = ("签到", "sign_no", "签退")
    """``err_msg`` fragments that mean "sign in again" (then retry once); wording is [U]."""

    def expired(self, signed_at: datetime, now: datetime) -> bool:
        """True if a ``sign_no`` obtained at ``signed_at`` must be renewed at ``now``."""
        return self.ttl_seconds is not None and (now - signed_at).total_seconds() >= \
            self.ttl_seconds


class RecerSysCodeRules(_Frozen):
    """``recer_sys_code`` (接收方系统代码, char 10) per transaction and insurance type."""

    default: str = Field(default="YBXT", max_length=10)
    """Code for every call not matched below."""
    by_insutype: dict[str, str] = Field(default_factory=dict)
    """``insutype`` → code, e.g. ``{"340": "LXXT"}`` (离休, Chongqing/Inner Mongolia)."""
    applies_to: frozenset[str] = frozenset({
        "2001", "2201", "2206", "2207", "2303", "2304", "2401", "2402", "2501", "2503",
    })
    """Transactions the ``by_insutype`` rules apply to (reference §1.1)."""

    def code_for(self, infno: str, insutype: str | None) -> str:
        """The code for a call of ``infno`` for a person insured under ``insutype``."""
        if insutype and infno in self.applies_to:
            return self.by_insutype.get(insutype, self.default)
        return self.default


class ProvinceProfile(_Frozen):
    """One province's (or one hospital's) variant of the national interface."""

    name: str = Field(min_length=1)
    """Profile name (``national``, ``guangdong``, ``hebei``, or the hospital's own)."""
    description: str = ""
    """What it is for and where its facts come from."""
    url_style: UrlStyle = UrlStyle.DISPATCHER
    """Where each transaction is POSTed."""
    base_url: str = Field(pattern=r"^https?://\S+$")
    """Dispatcher URL, or the base that ``/{infno}`` or a path is appended to."""
    file_base_url: str | None = Field(default=None, pattern=r"^https?://\S+$")
    """Base for :attr:`file_infnos` (9101/9102 may live on a file service); ``None``: base."""
    file_infnos: frozenset[str] = frozenset({"9101", "9102"})
    """Transactions sent to :attr:`file_base_url`."""
    paths: dict[str, str] = Field(default_factory=dict)
    """``infno`` → path (``PATH`` style); paths start with ``/``."""
    infver: str = Field(default="V1.0", max_length=6)
    """接口版本号 announced by the local bureau (Guangzhou ``1.0.0``)."""
    signtype: str = Field(default="", max_length=10)
    """签名类型 sent in the envelope (mostly ``""``; Guangzhou ``SM3``)."""
    null_policy: NullPolicy = NullPolicy.OMIT
    """How absent values are written ([U] per gateway)."""
    null_policy_by_infno: dict[str, NullPolicy] = Field(default_factory=dict)
    """Per-transaction overrides of :attr:`null_policy`."""
    node_names: dict[str, dict[str, str]] = Field(default_factory=dict)
    """``infno`` → {national ``input`` node → local name}, e.g. 2207 ``data`` → ``mdtrtinfo``."""
    output_node_names: dict[str, dict[str, str]] = Field(default_factory=dict)
    """``infno`` → {local ``output`` node → national name}, applied before parsing."""
    field_names: dict[str, dict[str, str]] = Field(default_factory=dict)
    """``infno`` → {national member → local name} at any depth of ``input`` (and back in
    ``output``), for provinces that rename members (reference §5, 5203)."""
    extra_fields: dict[str, str] = Field(default_factory=dict)
    """Extra envelope members, e.g. ``recer_admdvs`` (Guangzhou)."""
    recer_sys_code: RecerSysCodeRules = RecerSysCodeRules()
    """``recer_sys_code`` rules."""
    signer: SignerRef = SignerRef()
    """The signer scheme and its settings."""
    reverse_infnos: frozenset[str] = frozenset()
    """Transactions treated as ``reverse`` beyond :data:`NATIONAL_REVERSE`."""
    sign_in: SignInPolicy = SignInPolicy()
    """Sign-in renewal."""
    file_upload_encoding: BytesEncoding = BytesEncoding.ARRAY
    """9101 ``in`` as a JSON byte array or Base64 ([U])."""
    sev_deg: dict[str, Severity] = Field(default_factory=lambda: dict(DEFAULT_SEV_DEG))
    """3101/3102 ``sev_deg`` → severity ([U] dictionary)."""
    rounding: str = Field(default="ROUND_HALF_UP", pattern="^ROUND_[A-Z_]+$")
    """Decimal rounding of amounts to 分 ([U]; ROUND_HALF_UP is the common choice)."""
    connect_timeout: float = Field(default=10.0, gt=0)
    """Seconds to connect (typical 10 s)."""
    read_timeout: float = Field(default=60.0, gt=0)
    """Seconds to wait for a reply (10–60 s seen; Inner Mongolia's DLL uses 60)."""

    @field_validator("paths", "null_policy_by_infno", "node_names", "field_names",
                     "output_node_names")
    @classmethod
    def _keys_are_infnos(cls, value: dict[str, Any]) -> dict[str, Any]:
        for key in value:
            if not _INFNO.fullmatch(key):
                raise ValueError(f"{key!r} is not a transaction code (4 digits + letter)")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        clash = ENVELOPE_FIELDS & self.extra_fields.keys()
        if clash:
            raise ValueError(f"extra_fields may not replace envelope members: {sorted(clash)}")
        bad = [key for key, path in self.paths.items() if not path.startswith("/")]
        if bad:
            raise ValueError(f"paths must start with '/': {bad}")
        if self.url_style is UrlStyle.PATH and not self.paths:
            raise ValueError("url_style 'path' needs a paths table")
        return self

    def url_for(self, infno: str) -> str:
        """See :func:`url_for`."""
        return url_for(self, infno)

    def null_policy_for(self, infno: str) -> NullPolicy:
        """The null policy of ``infno``."""
        return self.null_policy_by_infno.get(infno, self.null_policy)

    def retry_class(self, transaction: Transaction) -> RetryClass:
        """The row's retry class, promoted to ``reverse`` when this profile says so."""
        promoted = transaction.infno in self.reverse_infnos | NATIONAL_REVERSE
        return RetryClass.REVERSE if promoted else transaction.retry

    def is_sign_error(self, err_msg: str) -> bool:
        """True if a refusal's ``err_msg`` asks for a new sign-in."""
        return any(marker in err_msg for marker in self.sign_in.error_markers)


def url_for(profile: ProvinceProfile, infno: str) -> str:
    """The URL to POST ``infno`` to under ``profile``.

    :raises ProfileError: ``PATH`` style and the profile has no path for ``infno``.
    """
    file_base = profile.file_base_url if infno in profile.file_infnos else None
    base = (file_base or profile.base_url).rstrip("/")
    if profile.url_style is UrlStyle.DISPATCHER:
        return base
    if profile.url_style is UrlStyle.SUFFIX:
        return f"{base}/{infno}"
    try:
        return base + profile.paths[infno]
    except KeyError:
        raise ProfileError(
            f"profile {profile.name!r}: paths.{infno} is not set (url_style 'path')",
            infno=infno,
        ) from None


def load_profile(path: Path | str) -> ProvinceProfile:
    """Read a profile from a TOML file.

    :raises ProfileError: unreadable, not TOML, or invalid; the message names the key.
    """
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ProfileError(f"{path}: cannot read: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{path}: not valid TOML: {exc}") from exc
    return profile_from_dict(raw, source=str(path))


def profile_from_dict(raw: Mapping[str, Any], *, source: str = "<profile>") -> ProvinceProfile:
    """Validate a profile mapping; ``based_on`` names a built-in whose keys it overrides.

    :raises ProfileError: the message reads ``"<source>: <key>: <problem>"``.
    """
    data = dict(raw)
    base_name = data.pop("based_on", None)
    if base_name is not None:
        from .builtin_profiles import BUILTIN_PROFILES

        if base_name not in BUILTIN_PROFILES:
            known = ", ".join(sorted(BUILTIN_PROFILES))
            raise ProfileError(f"{source}: based_on: no built-in profile {base_name!r} ({known})")
        data = {**BUILTIN_PROFILES[base_name].model_dump(), **data}
    try:
        return ProvinceProfile.model_validate(data)
    except ValidationError as exc:
        detail = "; ".join(f"{key or '<root>'}: {msg}" for key, msg in errors_of(exc))
        raise ProfileError(f"{source}: {detail}") from exc
