"""Fault injection: 1,000 settlements (900 outpatient 2207, 100 inpatient 2304) through the
real client against the real mock platform, with faults at six points spread over them
(seeded, deterministic), ending with 0 duplicate, 0 lost and 0 unresolved settlements.

The six points, each armed for one attempt of a settlement:

* ``before_send``: the connection is refused (the session sends that request to a closed port);
  the row is ``failed`` and the client raises :class:`ConnectError` (``sent`` False);
* ``request_lost``: the platform resets the connection before processing the request;
* ``reply_lost``: the platform commits the settlement, then closes without an answer;
* ``http_5xx``: a 503 HTML page before processing;
* ``malformed``: the platform commits, then answers a truncated body;
* ``killed``: the process dies right after the transport returned and before the journal row
  is advanced (:meth:`Exchange.record_success` / ``record_failure``, the narrowest seam of
  :meth:`Attempts.send`; some die between ``pending`` and sending, or in the middle of the
  recovery): a new client opens the same journal file and runs ``recover()``.

Some faults also hinder the recovery itself (5203/2601 answered 503, a 2601 reply lost, a
slow reply past the read timeout), and some retried settlements meet a second fault. After
each fault the caller does what a HIS would do: settle again on :class:`CallNotDoneError` or
a refused connection; on :class:`OutcomeUnknownError` run ``recover()`` and settle again if
the journal shows the settlement did not happen.
"""

from __future__ import annotations

import random
import socket
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from test_integration_helpers import (
    CASHIER,
    CLERK,
    RESIDENT_2,
    Flow,
    close_client,
    make_client,
)

from yibao_sdk.adapters.provincial import jsonwire
from yibao_sdk.adapters.provincial.builtin_profiles import GUANGDONG, HEBEI, NATIONAL
from yibao_sdk.adapters.provincial.client import ProvincialClient
from yibao_sdk.adapters.provincial.envelope import OutboundRequest
from yibao_sdk.adapters.provincial.mock import FaultKind, MockPlatform, start_mock
from yibao_sdk.adapters.provincial.mock.samples import (
    EMPLOYEE,
    EMPLOYEE_F,
    RESIDENT,
)
from yibao_sdk.adapters.provincial.mock.transport import MockRequestHandler
from yibao_sdk.adapters.provincial.profiles import ProvinceProfile
from yibao_sdk.adapters.provincial.retry import CallNotDoneError, OutcomeUnknownError
from yibao_sdk.adapters.provincial.transport import ConnectError
from yibao_sdk.store.journal import JournalState

S = JournalState
SETTLEMENTS, INPATIENT_EVERY = 1000, 10
FAULTS_PER_POINT, SLOW_REPLIES = 50, 10
POINTS = ("before_send", "request_lost", "reply_lost", "http_5xx", "malformed", "killed")
SEED = 20260302
READ_TIMEOUT, SLOW_REPLY = 0.5, 0.8
MAX_TRIES = 6
DONE = frozenset({S.CONFIRMED, S.CONFIRMED_BY_QUERY})
SETTLES = ("2207", "2304")
OUTPATIENTS = (EMPLOYEE, EMPLOYEE_F, RESIDENT, RESIDENT_2)
INPATIENTS = (RESIDENT, RESIDENT_2)


class Killed(BaseException):
    """The process dies here: nothing after this point runs (like ``KeyboardInterrupt``)."""


@dataclass(frozen=True, slots=True)
class Fault:
    """A fault for one attempt of a settlement, and what else goes wrong with it."""

    point: str
    """One of :data:`POINTS`, or ``latency`` (the reply comes after the read timeout)."""
    variant: str = ""
    """What else goes wrong: ``blocked`` (every 5203 and 2601 of the recovery fails: the
    outcome stays unknown), ``lost_reversal`` (the first 2601 reply is lost), ``query_5xx``
    (the first 5203 answers 503); for ``killed``: ``ok`` (dies after a success), ``lost``
    (after a lost reply), ``5xx`` (after a 503), ``pending`` (after journalling, before
    sending) or ``in_recovery`` (the request is lost and the process dies as the 2601 of the
    recovery returns)."""

    @property
    def label(self) -> str:
        """``point`` or ``point/variant``."""
        return f"{self.point}/{self.variant}" if self.variant else self.point


def plan(seed: int = SEED) -> dict[int, list[Fault]]:
    """Faults by settlement number: ``FAULTS_PER_POINT`` first-attempt faults per point and
    ``SLOW_REPLIES`` slow replies, spread at random (seeded); a tenth of them meet a second
    fault when the settlement is sent again."""
    rng = random.Random(seed)
    variants = {"before_send": ("",), "request_lost": ("", "", "blocked", "lost_reversal"),
                "http_5xx": ("", "", "lost_reversal"), "latency": ("",),
                "reply_lost": ("", "", "blocked", "query_5xx"), "malformed": ("", "query_5xx"),
                "killed": ("ok", "ok", "lost", "5xx", "pending", "in_recovery")}
    points = [*POINTS * FAULTS_PER_POINT, *["latency"] * SLOW_REPLIES]
    chosen = rng.sample(range(SETTLEMENTS), len(points))
    faults: dict[int, list[Fault]] = {}
    for number, point in zip(chosen, points, strict=True):
        faults[number] = [Fault(point, rng.choice(variants[point]))]
        if rng.random() < 0.1:
            faults[number].append(Fault(rng.choice(("request_lost", "http_5xx", "before_send"))))
    return faults


def _dead_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RefusingSession(requests.Session):
    """A session that sends the next request of an armed infno to a closed port, so the
    connection is really refused (the request never leaves)."""

    def __init__(self) -> None:
        super().__init__()
        self.dead = f"http://127.0.0.1:{_dead_port()}"
        self.armed: set[str] = set()
        self.refused = 0

    def request(self, method: str | bytes, url: str | bytes, *args: Any,  # type: ignore[override]
                **kwargs: Any) -> requests.Response:
        data = kwargs.get("data")
        if self.armed and isinstance(data, bytes):
            infno = str(jsonwire.loads(data).get("infno", ""))
            if infno in self.armed:
                self.armed.discard(infno)
                self.refused += 1
                url = self.dead + urlsplit(str(url)).path
        return super().request(method, url, *args, **kwargs)


class InFlight:
    """Wraps the mock's ``serve`` to know when no request is being served: a slow reply
    (``latency``) keeps sleeping in the mock after the client gave up, and must not draw the
    next flow's per-infno faults when it wakes up."""

    def __init__(self, mock: MockPlatform) -> None:
        self._serve = mock.serve
        self._busy = 0
        self._idle = threading.Condition()

    def __call__(self, h: MockRequestHandler) -> None:
        with self._idle:
            self._busy += 1
        try:
            self._serve(h)
        finally:
            with self._idle:
                self._busy -= 1
                self._idle.notify_all()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until no request is in the mock; False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: self._busy == 0, timeout)


@dataclass
class Hospital:
    """The HIS side: one client at a time on one journal file; restarted after a kill."""

    mock: MockPlatform
    path: Path
    session: RefusingSession = field(default_factory=RefusingSession)
    client: ProvincialClient = field(init=False)
    restarts: int = 0
    unknown_errors: int = 0
    settled: dict[str, str] = field(default_factory=dict)
    """mdtrt_id → setl_id, as the HIS believes."""
    tries: Counter[int] = field(default_factory=Counter)
    """Settlements by the number of tries they took."""
    armed: Counter[str] = field(default_factory=Counter)
    """Faults armed, by label."""
    in_flight: InFlight = field(init=False)

    def __post_init__(self) -> None:
        self.client = self._new_client()
        self.in_flight = InFlight(self.mock)
        self.mock.serve = self.in_flight  # type: ignore[method-assign]

    def _new_client(self) -> ProvincialClient:
        return make_client(self.mock, self.path, session=self.session,
                           timeout=(1.0, READ_TIMEOUT))

    def restart(self) -> None:
        """The process died: drop the client (its journal connection too), start a new one on
        the same file and resolve what the dead one left (``recover()`` on start-up)."""
        close_client(self.client)
        self.client = self._new_client()
        self.restarts += 1
        self.client.recover()

    def close(self) -> None:
        close_client(self.client)
        self.session.close()


def _die_in(client: ProvincialClient, infno: str, method: str) -> None:
    """Kill the process when the exchange reaches ``method`` for ``infno``: the journal update
    right after the transport returned (``record_success``/``record_failure``), or the
    plugin notification between journalling ``pending`` and sending (``notify``)."""
    real: Callable[..., None] = getattr(client.exchange, method)

    def dying(*args: Any, **kwargs: Any) -> None:
        request = args[0] if args and isinstance(args[0], OutboundRequest) else None
        if (request.infno if request is not None else kwargs.get("infno")) == infno:
            raise Killed
        real(*args, **kwargs)

    setattr(client.exchange, method, dying)


_KILLS = {"ok": (None, "record_success"), "lost": (FaultKind.REPLY_LOST, "record_failure"),
          "5xx": (FaultKind.HTTP_5XX, "record_failure"), "pending": (None, "notify")}


def _kill(his: Hospital, variant: str, infno: str) -> None:
    if variant == "in_recovery":  # lost, then the process dies as its 2601 returns
        his.mock.faults.next(infno, FaultKind.REQUEST_LOST)
        _die_in(his.client, "2601", "record_success")
        return
    kind, method = _KILLS[variant]
    if kind is not None:
        his.mock.faults.next(infno, kind)
    _die_in(his.client, infno, method)


def _hinder_recovery(mock: MockPlatform, variant: str) -> None:
    if variant == "blocked":  # every 5203 and 2601 attempt fails: the outcome stays unknown
        mock.faults.next("5203", FaultKind.HTTP_5XX, times=3)
        mock.faults.next("2601", FaultKind.HTTP_5XX, times=3)
    elif variant == "lost_reversal":
        mock.faults.next("2601", FaultKind.REPLY_LOST)
    elif variant == "query_5xx":
        mock.faults.next("5203", FaultKind.HTTP_5XX)


_MOCK_FAULT = {"request_lost": FaultKind.REQUEST_LOST, "reply_lost": FaultKind.REPLY_LOST,
               "http_5xx": FaultKind.HTTP_5XX, "malformed": FaultKind.MALFORMED}


def arm(his: Hospital, fault: Fault, infno: str) -> None:
    """Make the next ``infno`` request meet ``fault``."""
    his.armed[fault.label] += 1
    if fault.point == "latency":
        his.mock.faults.next(infno, FaultKind.LATENCY, delay=SLOW_REPLY)
    elif fault.point == "before_send":
        his.session.armed.add(infno)
    elif fault.point == "killed":
        _kill(his, fault.variant, infno)
    else:
        his.mock.faults.next(infno, _MOCK_FAULT[fault.point])
    _hinder_recovery(his.mock, fault.variant)


def journal_says(his: Hospital, mdtrt_id: str) -> str | None:
    """The settlement the journal shows for a visit (None: none took effect).

    :raises AssertionError: one is still unresolved.
    """
    rows = [row for row in his.client.journal.for_visit(mdtrt_id) if row.infno in SETTLES]
    assert not [row for row in rows if row.open], f"{mdtrt_id}: unresolved after recover()"
    done = [row.setl_id for row in rows if row.state in DONE]
    assert len(done) <= 1, f"{mdtrt_id}: the journal shows {len(done)} settlements"
    return done[0] if done else None


def settle_visit(his: Hospital, flow: Flow, mdtrt_id: str, faults: list[Fault]) -> None:
    """Settle until done, as a HIS would; faults are armed for the first attempts."""
    infno = "2304" if flow.inpatient_stay else "2207"
    for attempt in range(MAX_TRIES):
        if attempt < len(faults):
            arm(his, faults[attempt], infno)
        try:
            result = flow.settle(his.client, mdtrt_id, CASHIER, number=attempt + 1)
        except (CallNotDoneError, ConnectError):
            continue  # it did not happen (reversed, not found, never left): settle again
        except OutcomeUnknownError:
            his.unknown_errors += 1
            his.client.recover()
        except Killed:
            his.restart()
        else:
            his.settled[mdtrt_id] = result.settlement_id
            his.tries[attempt + 1] += 1
            return
        setl_id = journal_says(his, mdtrt_id)
        if setl_id is not None:
            his.settled[mdtrt_id] = setl_id
            his.tries[attempt + 1] += 1
            return
    raise AssertionError(f"{mdtrt_id}: not settled after {MAX_TRIES} tries")


def run_flow(his: Hospital, number: int, faults: list[Fault]) -> None:
    """Open, settle (with ``faults``) and, for an inpatient stay, discharge one visit."""
    if number % INPATIENT_EVERY == INPATIENT_EVERY - 1:
        flow = Flow.inpatient(INPATIENTS[number // INPATIENT_EVERY % 2], f"ZY{number:05d}")
    else:
        flow = Flow.outpatient(OUTPATIENTS[number % len(OUTPATIENTS)], f"MZ{number:05d}")
    mdtrt_id = flow.open(his.client)
    settle_visit(his, flow, mdtrt_id, faults)
    if flow.inpatient_stay:
        his.client.call("2402", flow.discharge_input(mdtrt_id), CLERK,
                        insuplc_admdvs=flow.person.insuplc_admdvs)
    assert his.in_flight.wait_idle(), f"{number}: the mock is still busy"
    assert all(rule.exhausted for rule in his.mock.faults.rules), f"{number}: a fault never fired"
    his.mock.faults.clear()


@contextmanager
def _hospital(profile: ProvinceProfile, path: Path) -> Iterator[Hospital]:
    with start_mock(profile) as mock:
        his = Hospital(mock, path)
        try:
            yield his
        finally:
            his.close()


@pytest.fixture
def hospital(tmp_path: Path) -> Iterator[Hospital]:
    with _hospital(NATIONAL, tmp_path / "journal.sqlite3") as his:
        yield his


def _journal_rows(path: Path) -> list[dict[str, Any]]:
    with sqlite3.connect(path) as db:
        db.row_factory = sqlite3.Row
        rows = db.execute("SELECT msgid, infno, state, visit_id, setl_id, omsgid "
                          "FROM provincial_journal").fetchall()
    return [dict(row) for row in rows]


@dataclass(frozen=True, slots=True)
class Audit:
    """The journal compared with the platform."""

    duplicates: list[str]
    lost: list[str]
    unresolved: list[str]
    states: Counter[str]
    reversals: Counter[str]


def audit(his: Hospital) -> Audit:
    """Compare the HIS's beliefs and the journal with the platform's settlements."""
    journal = _journal_rows(his.path)
    by_msgid = {row["msgid"]: row for row in journal}
    valid = his.mock.state.query("SELECT * FROM settlements WHERE kind = 'settle' AND "
                                 "status = 'valid'")
    per_visit = Counter(row["mdtrt_id"] for row in valid)
    duplicates = sorted(mdtrt_id for mdtrt_id, count in per_visit.items() if count > 1)
    platform = {row["mdtrt_id"]: row for row in valid}
    lost = [f"believed {mdtrt_id} {setl_id}" for mdtrt_id, setl_id in his.settled.items()
            if per_visit[mdtrt_id] != 1 or platform[mdtrt_id]["setl_id"] != setl_id]
    lost += [f"platform {row['setl_id']} (msgid {row['msgid']}) not confirmed in the journal"
             for row in valid if by_msgid.get(row["msgid"], {}).get("state") not in DONE]
    lost += [f"journal {row['msgid']} {row['state']} but not valid on the platform"
             for row in journal if row["infno"] in SETTLES and row["state"] in DONE
             and platform.get(row["visit_id"], {}).get("msgid") != row["msgid"]]
    unresolved = [row["msgid"] for row in journal if S(row["state"]) in (S.PENDING, S.SENT,
                                                                          S.UNKNOWN)]
    states = Counter(row["state"] for row in journal if row["infno"] in SETTLES)
    reversals = Counter(row["state"] for row in journal if row["infno"] == "2601")
    return Audit(duplicates, lost, unresolved, states, reversals)


def _counts(counter: Counter[str]) -> str:
    return ", ".join(f"{name} {count}" for name, count in sorted(counter.items()))


def _summary(his: Hospital, result: Audit, seconds: float) -> str:
    points = Counter(label.split("/")[0] for label in his.armed.elements())
    tries = ", ".join(f"{n}: {count}" for n, count in sorted(his.tries.items()))
    return (f"fault suite: {SETTLEMENTS} settlements ({SETTLEMENTS // INPATIENT_EVERY} inpatient "
            f"2304) in {seconds:.1f} s | faults armed: {_counts(points)} | 2207/2304 journal "
            f"rows: {_counts(result.states)} | 2601 rows: {_counts(result.reversals)} | "
            f"restarts {his.restarts}, OutcomeUnknownError {his.unknown_errors}, tries per "
            f"settlement {{{tries}}} | duplicates {len(result.duplicates)}, lost "
            f"{len(result.lost)}, unresolved {len(result.unresolved)}")


def test_the_fault_plan_is_seeded_and_spread() -> None:
    faults = plan()
    assert faults == plan() and faults != plan(SEED + 1)
    first = Counter(chain[0].point for chain in faults.values())
    assert first == {**dict.fromkeys(POINTS, FAULTS_PER_POINT), "latency": SLOW_REPLIES}
    assert min(faults) < 50 and max(faults) > SETTLEMENTS - 50  # spread over the run
    assert 0 < sum(len(chain) > 1 for chain in faults.values()) < len(faults) // 5


def run_suite(his: Hospital, settlements: int) -> Audit:
    """The first ``settlements`` flows of the plan, then the audit."""
    faults = plan()
    for number in range(settlements):
        run_flow(his, number, faults.get(number, []))
    return audit(his)


def test_1000_settlements_with_faults_end_with_no_duplicate_lost_or_unresolved(
        hospital: Hospital, capsys: pytest.CaptureFixture[str]) -> None:
    started = time.perf_counter()
    result = run_suite(hospital, SETTLEMENTS)
    seconds = time.perf_counter() - started
    with capsys.disabled():
        print("\n" + _summary(hospital, result, seconds))
    assert len(hospital.settled) == SETTLEMENTS
    assert (result.duplicates, result.lost, result.unresolved) == ([], [], [])
    assert hospital.client.recover() == ()  # nothing left for a restart to resolve
    assert hospital.restarts == sum(count for label, count in hospital.armed.items()
                                    if label.startswith("killed"))
    assert hospital.session.refused == hospital.armed["before_send"]
    assert result.states[S.REVERSED] > 0 and result.states[S.CONFIRMED_BY_QUERY] > 0
    assert result.states[S.FAILED] == hospital.armed["before_send"]
    assert hospital.unknown_errors > 0


@pytest.mark.parametrize("profile", [GUANGDONG, HEBEI], ids=lambda profile: profile.name)
def test_the_x_tif_profiles_hold_too(profile: ProvinceProfile, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The first 200 flows of the same plan, signed (x-tif), on suffix and per-path URLs."""
    monkeypatch.setenv("YIBAO_TIF_PAASID", "paas-H44010600001")
    monkeypatch.setenv("YIBAO_TIF_SECRET", "tif-secret-of-test")
    with _hospital(profile, tmp_path / "journal.sqlite3") as his:
        result = run_suite(his, 200)
        assert len(his.settled) == 200 and his.armed.total() > 50
        assert (result.duplicates, result.lost, result.unresolved) == ([], [], [])
        assert his.client.recover() == ()
