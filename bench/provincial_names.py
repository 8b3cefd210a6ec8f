"""The names of the provincial adapter the benchmarks use, in one place.

As in :mod:`yibao_sdk.demo.provincial`: the adapter is installed as ``yibao_sdk.adapters``
but mypy sees its source folder as ``adapters``; type-check against ``adapters.provincial``,
import the installed ``yibao_sdk.adapters.provincial`` at run time (one copy of each module,
so a profile pickled by the mock's process is the class this process checks against).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from adapters.provincial.builtin_profiles import NATIONAL
    from adapters.provincial.checks import CLIENT_TRANSACTIONS
    from adapters.provincial.client import ProvincialClient
    from adapters.provincial.envelope import EnvelopeBuilder, OutboundRequest
    from adapters.provincial.mock import start_mock
    from adapters.provincial.mock.bench import mock_throughput
    from adapters.provincial.mock.harness import DEFAULT_INSTITUTION, DEFAULT_OPERATOR
    from adapters.provincial.mock.samples import (
        EMPLOYEE,
        WORKED_EXAMPLE,
        fee_rows,
        registration_input,
    )
    from adapters.provincial.msgid import MsgidSource
    from adapters.provincial.profiles import ProvinceProfile
    from adapters.provincial.signin import SignInDetails
    from adapters.provincial.signing.bench import sm2_throughput
else:
    from yibao_sdk.adapters.provincial.builtin_profiles import NATIONAL
    from yibao_sdk.adapters.provincial.checks import CLIENT_TRANSACTIONS
    from yibao_sdk.adapters.provincial.client import ProvincialClient
    from yibao_sdk.adapters.provincial.envelope import EnvelopeBuilder, OutboundRequest
    from yibao_sdk.adapters.provincial.mock import start_mock
    from yibao_sdk.adapters.provincial.mock.bench import mock_throughput
    from yibao_sdk.adapters.provincial.mock.harness import DEFAULT_INSTITUTION, DEFAULT_OPERATOR
    from yibao_sdk.adapters.provincial.mock.samples import (
        EMPLOYEE,
        WORKED_EXAMPLE,
        fee_rows,
        registration_input,
    )
    from yibao_sdk.adapters.provincial.msgid import MsgidSource
    from yibao_sdk.adapters.provincial.profiles import ProvinceProfile
    from yibao_sdk.adapters.provincial.signin import SignInDetails
    from yibao_sdk.adapters.provincial.signing.bench import sm2_throughput

__all__ = [
    "CLIENT_TRANSACTIONS",
    "DEFAULT_INSTITUTION",
    "DEFAULT_OPERATOR",
    "EMPLOYEE",
    "NATIONAL",
    "WORKED_EXAMPLE",
    "EnvelopeBuilder",
    "MsgidSource",
    "OutboundRequest",
    "ProvinceProfile",
    "ProvincialClient",
    "SignInDetails",
    "fee_rows",
    "mock_throughput",
    "registration_input",
    "sm2_throughput",
    "start_mock",
]
