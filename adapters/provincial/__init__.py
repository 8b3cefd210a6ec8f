"""Provincial insurance interface: signed ``infno`` transactions, exactly-once settlement.

The pieces, from the wire up: :mod:`.envelope` and :mod:`.reply` (the common envelope),
:mod:`.transactions` (every ``infno`` with its retry class), :mod:`.wire` (national field
names), :mod:`.mapping` (core models ↔ wire), :mod:`.profiles` (what a province changes),
:mod:`.signing` (x-tif, SM2/SM4, HMAC), :mod:`.transport`, :mod:`.retry`, :mod:`.recovery`
and :mod:`.client` (journal first, never resend a settlement, resolve unknown outcomes).
"""

from .builtin_profiles import (
    BUILTIN_PROFILES,
    GUANGDONG,
    HEBEI,
    NATIONAL,
)
from .client import ProvincialClient
from .envelope import EnvelopeBuilder, Institution, Operator
from .errors import (
    GatewayError,
    PlatformError,
    ProvincialError,
    ReplyError,
)
from .profiles import ProvinceProfile, load_profile, url_for
from .reconcile import ReconciliationReport, reconcile_day
from .retry import CallNotDoneError, OutcomeUnknownError
from .roles import PermissionDeniedError, Role, RolePolicy
from .transactions import NATIONAL_TRANSACTIONS, RetryClass

__all__ = [
    "BUILTIN_PROFILES",
    "GUANGDONG",
    "HEBEI",
    "NATIONAL",
    "NATIONAL_TRANSACTIONS",
    "CallNotDoneError",
    "EnvelopeBuilder",
    "GatewayError",
    "Institution",
    "Operator",
    "OutcomeUnknownError",
    "PermissionDeniedError",
    "PlatformError",
    "ProvinceProfile",
    "ProvincialClient",
    "ProvincialError",
    "ReconciliationReport",
    "ReplyError",
    "RetryClass",
    "Role",
    "RolePolicy",
    "load_profile",
    "reconcile_day",
    "url_for",
]
