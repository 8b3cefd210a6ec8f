"""The names of the provincial adapter the demo uses, in one place.

The adapter is installed as ``yibao_sdk.adapters`` (setuptools ``package-dir``) but its source
is the top-level ``adapters/`` folder, and that is the package mypy sees (``mypy_path = "."``,
``files = [..., "adapters"]``): type-check against ``adapters.provincial``, import the installed
``yibao_sdk.adapters.provincial`` at run time. Both are the same modules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from adapters.provincial.builtin_profiles import NATIONAL
    from adapters.provincial.client import ProvincialClient
    from adapters.provincial.envelope import Institution, Operator
    from adapters.provincial.mapping import Credential, SettleArgs
    from adapters.provincial.mock import (
        DEFAULT_CATALOGUE,
        FaultKind,
        MockConfig,
        MockPlatform,
        Person,
        load_persons,
        start_mock,
    )
    from adapters.provincial.profiles import ProvinceProfile
    from adapters.provincial.recovery import RecoveryPolicy
    from adapters.provincial.retry import CallNotDoneError, RetryLimits, RetryPolicy
    from adapters.provincial.roles import PermissionDeniedError, Role, RolePolicy
    from adapters.provincial.wire.person import Output1101
else:
    from yibao_sdk.adapters.provincial.builtin_profiles import NATIONAL
    from yibao_sdk.adapters.provincial.client import ProvincialClient
    from yibao_sdk.adapters.provincial.envelope import Institution, Operator
    from yibao_sdk.adapters.provincial.mapping import Credential, SettleArgs
    from yibao_sdk.adapters.provincial.mock import (
        DEFAULT_CATALOGUE,
        FaultKind,
        MockConfig,
        MockPlatform,
        Person,
        load_persons,
        start_mock,
    )
    from yibao_sdk.adapters.provincial.profiles import ProvinceProfile
    from yibao_sdk.adapters.provincial.recovery import RecoveryPolicy
    from yibao_sdk.adapters.provincial.retry import CallNotDoneError, RetryLimits, RetryPolicy
    from yibao_sdk.adapters.provincial.roles import PermissionDeniedError, Role, RolePolicy
    from yibao_sdk.adapters.provincial.wire.person import Output1101

__all__ = [
    "DEFAULT_CATALOGUE",
    "NATIONAL",
    "CallNotDoneError",
    "Credential",
    "FaultKind",
    "Institution",
    "MockConfig",
    "MockPlatform",
    "Operator",
    "Output1101",
    "PermissionDeniedError",
    "Person",
    "ProvinceProfile",
    "ProvincialClient",
    "RecoveryPolicy",
    "RetryLimits",
    "RetryPolicy",
    "Role",
    "RolePolicy",
    "SettleArgs",
    "load_persons",
    "start_mock",
]
