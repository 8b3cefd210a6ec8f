"""The mock provincial platform: a real HTTP server on loopback that integration tests (ours
and vendors') run against. Stateful, deterministic, with fault injection.

* :func:`start_mock` / :class:`MockPlatform` (:mod:`.server`): serves a province profile's URL
  style, envelope, renames and signer scheme; ``.url``, ``.port``, ``.client_profile``,
  ``.state``, ``.faults``, ``.stop()``; a context manager.
* Transactions (:mod:`.handlers`): 9001/9002, 1101, 2201–2208, 2301–2305, 2401–2405, 2601,
  3101/3102 (the SDK's rule engine), 3201/3202, 4101A, 5201/5203/5303, 9101/9102; every
  state-changing one is idempotent by msgid.
* :mod:`.funds`: the documented fund calculation (起付线, 统筹比例, 封顶线, 账户, 现金).
* :mod:`.faults`: latency, 5xx, request lost, reply lost after commit, malformed reply.
* :mod:`.state`: SQLite, in memory or in a file (WAL).
* :mod:`.seed` and ``persons.json``: synthetic persons and a small catalogue.
* :mod:`.cli` (``python -m yibao_sdk.adapters.provincial.mock``), :mod:`.bench`,
  :mod:`.harness` (a thin caller for tests) and :mod:`.samples` (canonical inputs and flows).
"""

from __future__ import annotations

from .config import MockConfig
from .faults import FaultEvent, FaultKind, FaultPlan, FaultRule, FaultStage
from .funds import DEFAULT_FUND_PARAMS, Breakdown, FundParams
from .seed import DEFAULT_CATALOGUE, Person, load_persons
from .server import MockPlatform, start_mock
from .state import State

__all__ = [
    "DEFAULT_CATALOGUE",
    "DEFAULT_FUND_PARAMS",
    "Breakdown",
    "FaultEvent",
    "FaultKind",
    "FaultPlan",
    "FaultRule",
    "FaultStage",
    "FundParams",
    "MockConfig",
    "MockPlatform",
    "Person",
    "State",
    "load_persons",
    "start_mock",
]
