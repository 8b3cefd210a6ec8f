"""The one error tree of yibao-sdk; every error the SDK raises is a :class:`YibaoError`.

::

    YibaoError
     ├── InputError                 bad data handed to the SDK (names the field / position)
     │    ├── CodeFormatError       a national code, UDI or ID number that fails its format/check
     │    └── ModelInputError       JSON/dict that does not validate as a core model
     ├── ConfigError                hospital configuration (TOML) is invalid
     ├── RuleError                  rule engine misuse
     │    ├── PluginError           a plugin failed to load or implements an unknown hook
     │    ├── UnknownRuleError      a rule id that no loaded plugin registered
     │    └── OverrideError         an override that does not satisfy the rule's policy
     ├── AuditLogError              the audit log cannot be written or read
     │    └── AuditChainError       the hash chain of the audit log is broken (tampering)
     └── JournalError               the provincial call journal (yibao_sdk.store.journal)
          ├── JournalTransitionError
          └── SettlementInFlightError  a second settlement for a visit with one in flight

The adapters hang their own branches on this tree, each in its package's ``errors`` module:
``Hl7Error`` (an InputError; ``Hl7MappingError`` names segment and field) in
:mod:`yibao_sdk.hl7v2.errors`, ``FhirError`` (an
InputError) in :mod:`yibao_sdk.fhir.errors`, ``ProvincialError`` (envelope, reply,
transport, permission) in ``yibao_sdk.adapters.provincial.errors`` and ``SigningError`` in
``yibao_sdk.adapters.provincial.signing.errors``.

Errors from third-party libraries are wrapped at the boundary with ``raise ... from exc``.
"""

from __future__ import annotations

__all__ = [
    "AuditChainError",
    "AuditLogError",
    "CodeFormatError",
    "ConfigError",
    "InputError",
    "ModelInputError",
    "OverrideError",
    "PluginError",
    "RuleError",
    "UnknownRuleError",
    "YibaoError",
]


class YibaoError(Exception):
    """Root of every error raised by yibao-sdk."""


class InputError(YibaoError, ValueError):
    """Data handed to the SDK is malformed.

    :param message: what was wrong.
    :param where: where it was found (field path, file position, segment); may be empty.
    """

    def __init__(self, message: str, *, where: str = "") -> None:
        self.where = where
        super().__init__(f"{where}: {message}" if where else message)


class CodeFormatError(InputError):
    """A code (UDI, ID card, drug/consumable/service/ICD code) fails its format or check digit.

    :param kind: which code family, e.g. ``"GS1 UDI"`` or ``"ID card"``.
    :param value: the offending value (already masked by the caller when it is personal data).
    """

    def __init__(self, kind: str, value: str, message: str, *, where: str = "") -> None:
        self.kind = kind
        self.value = value
        super().__init__(f"{kind} {value!r}: {message}", where=where)


class ModelInputError(InputError):
    """Input that does not validate as a core model; ``errors`` lists ``(field path, message)``."""

    def __init__(self, model: str, errors: list[tuple[str, str]], *, where: str = "") -> None:
        self.model = model
        self.errors = errors
        detail = "; ".join(f"{path or '<root>'}: {msg}" for path, msg in errors)
        super().__init__(f"invalid {model}: {detail}", where=where)


class ConfigError(YibaoError):
    """The hospital configuration is invalid; the message names the file and key."""


class RuleError(YibaoError):
    """The rule engine was used incorrectly."""


class PluginError(RuleError):
    """A plugin could not be loaded, or it implements a hook that does not exist."""


class UnknownRuleError(RuleError, KeyError):
    """A rule id that no loaded plugin registered."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown rule"


class OverrideError(RuleError):
    """An override does not satisfy the policy of the finding it tries to override."""


class AuditLogError(YibaoError):
    """The audit log cannot be written or read."""


class AuditChainError(AuditLogError):
    """The audit log's hash chain does not verify: an entry was altered, removed or inserted."""
