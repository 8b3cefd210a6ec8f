"""The provincial client: one object per institution and profile, no globals.

::

    journal = SqliteJournal("/var/lib/yibao/journal.sqlite3")     # personal data: protect it
    client = ProvincialClient(GUANGDONG, Institution.from_hospital(hospital), journal=journal,
                              audit_log=AuditLog("/var/lib/yibao/audit.sqlite3"),
                              roles=RolePolicy.load("roles.toml"))
    client.recover()                                  # on start-up: resolve what a crash left
    mdtrt_id = client.register(visit, cashier, credential=card)
    client.upload_fees(visit, visit.charges, cashier, mdtrt_id=mdtrt_id, chrg_bchno="B1")
    result = client.settle(settlement, visit, cashier, args=SettleArgs(...))

Every call is checked against the operator's roles first (nothing is built or sent when
refused), signed in (9001, cached per operator), journalled before sending when it changes
state, retried only as :mod:`.retry` decides, and an unknown settlement is resolved at once
(5203, then 2601). Errors: :class:`~.roles.PermissionDeniedError`,
:class:`~yibao_sdk.store.journal.SettlementInFlightError`, :class:`~.retry.CallNotDoneError`
(it did not happen: settle again if wanted), :class:`~.retry.OutcomeUnknownError` (left to
:meth:`ProvincialClient.recover`), and the errors of :mod:`.transport` and :mod:`.errors`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import requests
from pydantic import BaseModel

from yibao_sdk.errors import ConfigError
from yibao_sdk.models.base import CHINA
from yibao_sdk.models.charge import Charge
from yibao_sdk.models.patient import Patient
from yibao_sdk.models.practitioner import Practitioner
from yibao_sdk.models.settlement import Settlement, SettlementResult
from yibao_sdk.models.visit import Visit, VisitType
from yibao_sdk.store.journal import Journal, JournalEntry, JournalState

from . import mapping
from .calls import CallSpec, Exchange, ProvincialHooks
from .checks import CLIENT_TRANSACTIONS, DEFAULT_CHECKS, Check
from .envelope import EnvelopeBuilder, Institution, Operator
from .errors import ProvincialError, ReplyError
from .logsafe import Redactor
from .msgid import MsgidSource
from .nodes import first_value
from .profiles import ProvinceProfile
from .recovery import Recoverer, RecoveryPolicy, Resolution, recovery_policy_for
from .reply import FileReply, Reply
from .retry import CallNotDoneError, OutcomeUnknownError, RetryPolicy
from .roles import AuditSink, RolePolicy
from .signin import SignInDetails
from .signing import Signer, build_signer
from .transactions import TransactionTable
from .transport import Transport
from .wire.fees import OutputFeeUpload
from .wire.settlement import InputSettleCancel, Output5203, OutputSettlement, SettleCancel

__all__ = ["ProvincialClient"]

_Input = BaseModel | Mapping[str, Any]


def _china_now() -> datetime:
    return datetime.now(CHINA).replace(tzinfo=None)


def _msgids(journal: Journal, institution: Institution) -> Callable[[], str]:
    path = getattr(journal, "path", None)
    if not isinstance(path, Path) or str(path) == ":memory:":
        raise ConfigError("pass msgids= (a MsgidSource) for a journal without a file path")
    return MsgidSource(path, institution.fixmedins_code)


class ProvincialClient:
    """Calls one provincial platform for one institution.

    :param profile: the province profile.
    :param institution: the sender (定点医药机构).
    :param journal: write-ahead journal of state-changing calls.
    :param audit_log: where refused calls are recorded (e.g. :class:`~yibao_sdk.store.AuditLog`).
    :param signer: the signer; ``None`` builds the profile's from environment/key files.
    :param session: a ``requests`` session to use (one per client by default).
    :param clock: China-local time now (``inf_time``, sign-in expiry).
    :param msgids: msgid source; default: a :class:`~.msgid.MsgidSource` in the journal file.
    :param roles: role policy; ``None``: no role checks (give one in production).
    :param hooks: plugin notifications (``yibao_before_send`` / ``yibao_after_reply``).
    :param retry: retry policy (attempt/time bounds, backoff).
    :param recovery: recovery policy (default: the profile's, query first).
    :param checks: queries that resolve unknown outcomes, by infno.
    :param table: the transaction table (5203 may be asked by visit).
    :param sign_in: workstation details for 9001 (default: this machine).
    :param timeout: ``(connect, read)`` seconds (default: the profile's; always finite).
    :param verify: TLS verification (``True`` or a CA bundle path).
    :param environ: environment for the signer's ``*_env`` secrets (default ``os.environ``).
    :raises SigningConfigError: the profile's signer secrets or keys cannot be read.
    """

    def __init__(self, profile: ProvinceProfile, institution: Institution, *, journal: Journal,
                 audit_log: AuditSink | None = None, signer: Signer | None = None,
                 session: requests.Session | None = None,
                 clock: Callable[[], datetime] | None = None,
                 msgids: Callable[[], str] | None = None, roles: RolePolicy | None = None,
                 hooks: ProvincialHooks | None = None, retry: RetryPolicy | None = None,
                 recovery: RecoveryPolicy | None = None, checks: Mapping[str, Check] | None = None,
                 table: TransactionTable = CLIENT_TRANSACTIONS,
                 sign_in: SignInDetails | None = None, timeout: tuple[float, float] | None = None,
                 verify: bool | str = True, environ: Mapping[str, str] | None = None) -> None:
        clock = clock or _china_now
        self.profile = profile
        self.journal = journal
        self.audit_log = audit_log
        self.roles = roles
        self.recovery_policy = recovery or recovery_policy_for(profile)
        retry = retry or RetryPolicy()
        builder = EnvelopeBuilder(profile, institution, msgids=msgids or _msgids(journal,
                                  institution), table=table, clock=clock)
        if signer is None:
            signer = build_signer(profile.signer.scheme, profile.signer.settings, environ=environ)
        self.transport = Transport(profile, signer=signer, session=session, timeout=timeout,
                                   verify=verify)
        self.exchange = Exchange(
            builder, self.transport, journal, policy=retry,
            checks=DEFAULT_CHECKS if checks is None else checks,
            not_found=self.recovery_policy.not_found, hooks=hooks,
            sign_in=sign_in or SignInDetails.local(), clock=clock)
        self.recoverer = Recoverer(self.exchange, journal, self.recovery_policy, sleep=retry.sleep)
        self.exchange.on_unknown = self._resolve_unknown

    # -- generic -------------------------------------------------------------------------

    def call(self, infno: str, input: _Input, operator: Operator, *,
             insuplc_admdvs: str | None = None, visit_id: str | None = None,
             patient: Patient | None = None) -> Reply:
        """Send ``infno`` with ``input`` as ``operator`` and return the successful reply.

        :param insuplc_admdvs: 参保地区划, required when ``input`` carries ``psn_no``.
        :param visit_id: the visit it concerns (default: ``mdtrt_id`` found in ``input``).
        :param patient: masks this patient's name/ID in log lines too.
        :raises PermissionDeniedError: the operator's roles do not allow ``infno``.
        """
        self._authorize(operator, infno)
        if self.exchange.builder.table[infno].binary_reply:
            raise ProvincialError("answers a file: use fetch_file()", infno=infno)
        reply = self._run(infno, input, operator, insuplc_admdvs=insuplc_admdvs,
                          visit_id=visit_id, patient=patient)
        assert isinstance(reply, Reply)
        return reply

    def fetch_file(self, input: _Input, operator: Operator) -> FileReply:
        """9102 文件下载: the file (normally a ZIP) for ``input``."""
        self._authorize(operator, "9102")
        reply = self._run("9102", input, operator)
        if not isinstance(reply, FileReply):
            raise ProvincialError("9102 answered JSON, not a file", infno="9102")
        return reply

    def _run(self, infno: str, input: _Input, operator: Operator, *,
             insuplc_admdvs: str | None = None, visit_id: str | None = None,
             patient: Patient | None = None) -> Reply | FileReply:
        redactor = Redactor.of(input, patient=patient)
        return self.exchange.run(CallSpec(infno, input, operator, insuplc_admdvs, visit_id,
                                          redactor=redactor))

    def authorize(self, operator: Operator, infno: str) -> None:
        """Raise :class:`PermissionDeniedError` (and audit it) unless ``operator`` may send
        ``infno``; for work that may or may not need the call (e.g. reconciling a quiet day)."""
        self._authorize(operator, infno)

    def _authorize(self, operator: Operator, infno: str) -> None:
        if self.roles is not None:
            self.roles.authorize(operator, infno, audit=self.audit_log)

    # -- typed helpers ------------------------------------------------------------------

    def register(self, visit: Visit, operator: Operator, *, credential: mapping.Credential,
                 insuplc_admdvs: str | None = None, dr_name: str = "",
                 dept_name: str | None = None, caty: str = "", bed: str | None = None,
                 practitioners: Mapping[str, Practitioner] | None = None) -> str:
        """2201 门诊挂号 (or 2401 入院办理 for an inpatient visit); returns ``mdtrt_id``."""
        data: BaseModel
        if visit.visit_type is VisitType.INPATIENT:
            infno, data = "2401", mapping.admission_input(
                visit, credential=credential, dr_name=dr_name, dept_name=dept_name, bed=bed,
                practitioners=practitioners)
        else:
            infno, data = "2201", mapping.registration_input(
                visit, credential=credential, dr_name=dr_name, dept_name=dept_name, caty=caty,
                practitioners=practitioners)
        reply = self._visit_call(infno, data, visit, operator, insuplc_admdvs)
        mdtrt_id = first_value(_plain(reply.output), "mdtrt_id")
        if not mdtrt_id:
            raise ProvincialError("no mdtrt_id in the answer", infno=infno, msgid=reply.msgid)
        return mdtrt_id

    def upload_fees(self, visit: Visit, charges: Iterable[Charge], operator: Operator, *,
                    mdtrt_id: str, chrg_bchno: str = "",
                    practitioners: Mapping[str, Practitioner] | None = None,
                    dept_code: str = "", dept_name: str = "",
                    insuplc_admdvs: str | None = None) -> OutputFeeUpload:
        """2204 (outpatient, batch ``chrg_bchno``) or 2301 (inpatient) 费用明细上传."""
        psn_no = _psn_no(visit)
        common: dict[str, Any] = {"mdtrt_id": mdtrt_id, "psn_no": psn_no,
                                  "practitioners": practitioners, "dept_code": dept_code,
                                  "dept_name": dept_name, "rounding": self.profile.rounding}
        data: BaseModel
        if visit.visit_type is VisitType.INPATIENT:
            infno, data = "2301", mapping.inpatient_fee_input(charges, **common)
        else:
            infno, data = "2204", mapping.outpatient_fee_input(charges, chrg_bchno=chrg_bchno,
                                                               **common)
        return self._visit_call(infno, data, visit, operator, insuplc_admdvs).output_as(
            OutputFeeUpload)

    def pre_settle(self, settlement: Settlement, visit: Visit, operator: Operator, *,
                   args: mapping.SettleArgs, insuplc_admdvs: str | None = None
                   ) -> SettlementResult:
        """2206/2303 预结算 (computes, persists nothing)."""
        pre = settlement.model_copy(update={"pre_settlement": True})
        return self._settle(pre, visit, operator, args, insuplc_admdvs)

    def settle(self, settlement: Settlement, visit: Visit, operator: Operator, *,
               args: mapping.SettleArgs, insuplc_admdvs: str | None = None) -> SettlementResult:
        """2207/2304 结算: journalled, never resent; an unknown outcome is resolved at once.

        :raises SettlementInFlightError: another settlement of the visit is unresolved.
        :raises CallNotDoneError: it did not take effect (or was reversed): settle again.
        :raises OutcomeUnknownError: still unknown; :meth:`recover` resolves it later.
        """
        final = settlement.model_copy(update={"pre_settlement": False})
        return self._settle(final, visit, operator, args, insuplc_admdvs)

    def _settle(self, settlement: Settlement, visit: Visit, operator: Operator,
                args: mapping.SettleArgs, insuplc_admdvs: str | None) -> SettlementResult:
        inpatient = visit.visit_type is VisitType.INPATIENT
        infno = mapping.settle_infno(settlement, inpatient=inpatient)
        build = mapping.inpatient_settle_input if inpatient else mapping.outpatient_settle_input
        reply = self._visit_call(infno, build(settlement, args), visit, operator, insuplc_admdvs)
        return mapping.settlement_result(reply.output_as(OutputSettlement),
                                         settlement_id=settlement.settlement_id,
                                         visit_id=settlement.visit_id,
                                         settled_at=settlement.requested_at)

    def cancel_settlement(self, setl_id: str, visit: Visit, operator: Operator, *,
                          mdtrt_id: str, insuplc_admdvs: str | None = None) -> Reply:
        """2208 (outpatient) or 2305 (inpatient) 结算撤销 of settlement ``setl_id``."""
        infno = "2305" if visit.visit_type is VisitType.INPATIENT else "2208"
        data = InputSettleCancel(data=SettleCancel(setl_id=setl_id, mdtrt_id=mdtrt_id,
                                                   psn_no=_psn_no(visit)))
        return self._visit_call(infno, data, visit, operator, insuplc_admdvs)

    def query_settlement(self, visit: Visit, operator: Operator, *, mdtrt_id: str,
                         setl_id: str | None = None, insuplc_admdvs: str | None = None
                         ) -> Output5203:
        """5203 结算信息查询 (by ``setl_id``, or by visit when it is not known)."""
        data = {"data": {"psn_no": _psn_no(visit), "mdtrt_id": mdtrt_id, "setl_id": setl_id}}
        reply = self._visit_call("5203", data, visit, operator, insuplc_admdvs)
        return reply.output_as(Output5203)

    def _visit_call(self, infno: str, data: _Input, visit: Visit, operator: Operator,
                    insuplc_admdvs: str | None) -> Reply:
        return self.call(infno, data, operator,
                         insuplc_admdvs=insuplc_admdvs or visit.patient.insured_region,
                         patient=visit.patient)

    # -- reversal and recovery -------------------------------------------------------------

    def reverse(self, msgid: str, infno: str | None = None, *, operator: Operator | None = None
                ) -> Resolution:
        """2601 冲正 of the journalled call ``msgid`` (an operator's decision).

        :param infno: the original infno, checked against the journal if given.
        :param operator: who reverses (default: who sent it); must be allowed 2601.
        :raises ProvincialError: ``msgid`` is not journalled, still in flight, or already
            failed/reversed.
        """
        entry = self.journal.by_msgid(msgid)
        if entry is None or (infno is not None and entry.infno != infno):
            raise ProvincialError("not in the journal (with this infno)", infno=infno or "",
                                  msgid=msgid)
        if entry.state not in (JournalState.UNKNOWN, JournalState.CONFIRMED,
                               JournalState.CONFIRMED_BY_QUERY):
            raise ProvincialError(f"cannot reverse a call that is {entry.state}",
                                  infno=entry.infno, msgid=msgid)
        if operator is not None:
            self._authorize(operator, "2601")
        return self.recoverer.reverse(entry, operator)

    def recover(self, *, older_than: timedelta | None = None) -> tuple[Resolution, ...]:
        """Resolve every journal row a crash or an unknown outcome left open: run it on
        start-up. Calls this client is still working on are skipped.

        :param older_than: skip ``pending``/``sent`` rows updated more recently than this
            (when other gateway instances share the journal and may be mid-call).
        """
        cutoff = None if older_than is None else datetime.now(CHINA) - older_than

        def busy(entry: JournalEntry) -> bool:
            if self.exchange.in_progress(entry.msgid):
                return True
            recent = cutoff is not None and datetime.fromisoformat(entry.updated_at) > cutoff
            return recent and entry.state in (JournalState.PENDING, JournalState.SENT)

        return self.recoverer.recover_all(busy)

    def _resolve_unknown(self, entry: JournalEntry, error: ReplyError) -> Reply:
        result = self.recoverer.resolve(entry)
        where = {"infno": entry.infno, "msgid": entry.msgid}
        if result.state is JournalState.CONFIRMED_BY_QUERY and result.reply is not None:
            return result.reply
        if result.state in (JournalState.FAILED, JournalState.REVERSED):
            reversed_ = result.state is JournalState.REVERSED
            raise CallNotDoneError(f"did not take effect ({result.detail}): it may be sent "
                                   "again", reversed=reversed_, **where) from error
        raise OutcomeUnknownError(f"outcome unknown ({result.detail}): journal row left "
                                  "unknown; recover() resolves it", **where) from error

    def close(self) -> None:
        """Close the transport (and its session, if the client made it)."""
        self.transport.close()

    def __enter__(self) -> ProvincialClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _plain(output: Any) -> Any:
    return output.model_dump() if isinstance(output, BaseModel) else output


def _psn_no(visit: Visit) -> str:
    if not visit.patient.psn_no:
        raise ProvincialError(f"visit {visit.visit_id}: the patient has no psn_no (1101 first)")
    return visit.patient.psn_no
