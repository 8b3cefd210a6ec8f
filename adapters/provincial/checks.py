"""Queries that tell whether a call with an unknown outcome took effect (``check_with``).

A :class:`Check` runs one query for a journalled call and answers done / not done / unknown;
anything it cannot read is *unknown*, never *not done*, so a doubtful answer leads to a
reversal or an operator, not to a second settlement.

* :class:`SettlementCheck` (5203 结算信息查询) for 2207/2304/2102 and any call a profile makes
  ``reverse``: *done* only when ``setlinfo.medins_setl_id`` is the call's msgid (the platform
  echoes it, reference §2.2) and the settlement is valid; *not done* when 5203 lists no
  settlement or says so in ``err_msg``; anything else is unknown (and leads to 2601).
* :class:`CancellationCheck` for settlement cancellations (2208/2305): 5203 by the cancelled
  settlement's ``setl_id`` (the call's own input): *done* when it is no longer valid
  (``vali_flag`` 0), *not done* while it is still valid, unknown otherwise.
* :class:`MatchCheck` for registration (2201 → 5201) and admission (2401 → 5303): looks for the
  hospital's visit number ``ipt_otp_no`` among the person's visits. The 5201/5303 layouts are
  [U] in the reference: hospitals adjust or replace these checks per province.

5203 is asked by visit (``psn_no`` + ``mdtrt_id``) because an unknown settlement has no
``setl_id`` yet (the 5203 wire model makes ``setl_id`` optional).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import BaseModel, ValidationError

from yibao_sdk.store.journal import Journal, JournalEntry

from .errors import PlatformError, ProvincialError
from .reply import Reply
from .retry import CheckOutcome
from .transactions import NATIONAL_TRANSACTIONS, Transaction, TransactionTable
from .wire.settlement import Output5203, OutputSettlement, SettlementRecord

__all__ = [
    "CLIENT_TRANSACTIONS",
    "DEFAULT_CHECKS",
    "CancellationCheck",
    "Check",
    "CheckContext",
    "CheckResult",
    "MatchCheck",
    "SettlementCheck",
    "cancellation_from_record",
]

_DONE, _NOT_DONE, _UNKNOWN = CheckOutcome.DONE, CheckOutcome.NOT_DONE, CheckOutcome.UNKNOWN


CLIENT_TRANSACTIONS: TransactionTable = NATIONAL_TRANSACTIONS
"""The client's default transaction table (the national one)."""


@dataclass(frozen=True, slots=True)
class CheckResult:
    """A query's answer about one call."""

    outcome: CheckOutcome
    detail: str
    reply: Reply | None = None
    """The query's reply (when it was read)."""
    output: Any = None
    """What the original call would have returned, when *done* (typed where possible)."""
    setl_id: str | None = None
    """The settlement id found, if any."""


@dataclass(frozen=True, slots=True)
class CheckContext:
    """What a check may use."""

    query: Callable[[str, Mapping[str, Any]], Reply]
    """Sends a safe query under the call's operator and region (retried, not journalled)."""
    entry: JournalEntry
    """The call being checked."""
    transaction: Transaction
    """Its row (output model for a synthesised answer)."""
    journal: Journal
    """The journal (other rows of the visit)."""
    not_found: Callable[[str], bool]
    """True if a refusal's ``err_msg`` means "no such record" (recovery policy markers)."""


class Check(Protocol):
    """A query for one kind of call."""

    def run(self, ctx: CheckContext) -> CheckResult:
        """Ask the platform whether ``ctx.entry`` took effect; never raise for a failed
        query (answer :attr:`CheckOutcome.UNKNOWN`)."""
        ...


def _ask(ctx: CheckContext, infno: str, data: Mapping[str, Any]) -> Reply | CheckResult:
    try:
        return ctx.query(infno, {"data": dict(data)})
    except PlatformError as exc:
        if ctx.not_found(exc.err_msg):
            return CheckResult(_NOT_DONE, f"{infno}: no such record (err_msg)")
        return CheckResult(_UNKNOWN, f"{infno} refused (infcode {exc.infcode})")
    except ProvincialError as exc:
        return CheckResult(_UNKNOWN, f"{infno} failed: {type(exc).__name__}")


def settlement_from_record(output: Output5203) -> OutputSettlement:
    """A 5203 answer in 2207/2304 form (``psn_pay``/``cash_payamt`` renamed, reference §5)."""
    info: dict[str, Any] = output.setlinfo.model_dump()
    record = output.setlinfo
    info["psn_part_amt"] = record.psn_part_amt if record.psn_part_amt is not None \
        else record.psn_pay
    info["psn_cash_pay"] = record.psn_cash_pay if record.psn_cash_pay is not None \
        else record.cash_payamt
    details = [row.model_dump() for row in output.setldetail]
    return OutputSettlement.model_validate({"setlinfo": info, "setldetail": details})


_NEGATED = ("medfee_sumamt", "fulamt_ownpay_amt", "overlmt_selfpay", "preselfpay_amt",
            "inscp_scp_amt", "act_pay_dedc", "hifp_pay", "cvlserv_pay", "hifes_pay", "hifmi_pay",
            "hifob_pay", "maf_pay", "oth_pay", "fund_pay_sumamt", "psn_part_amt", "acct_pay",
            "psn_cash_pay", "hosp_part_amt", "acct_mulaid_pay")


def cancellation_from_record(output: Output5203) -> OutputSettlement:
    """What a 2208/2305 answers, rebuilt from 5203 of the settlement it cancelled: the amounts
    negated, ``init_setl_id`` the cancelled settlement, ``setl_id`` (the cancellation row's
    own) unknown, so ``None``."""
    info: dict[str, Any] = settlement_from_record(output).setlinfo.model_dump()
    for name in _NEGATED:
        if info.get(name) is not None:
            info[name] = -info[name]
    info.update(setl_id=None, init_setl_id=output.setlinfo.setl_id)
    details = [{**row.model_dump(), "fund_payamt": -row.fund_payamt}
               if row.fund_payamt is not None else row.model_dump()
               for row in output.setldetail]
    return OutputSettlement.model_validate({"setlinfo": info, "setldetail": details})


@dataclass(frozen=True, slots=True)
class CancellationCheck:
    """5203 for a settlement cancellation (2208/2305) whose outcome is unknown, by the
    ``setl_id`` it cancels: no longer valid (``vali_flag`` 0) → *done* (the answer is
    :func:`cancellation_from_record`); still valid → *not done*; no such settlement → *not
    done* (nothing to cancel); anything else → unknown."""

    infno: str = "5203"

    def run(self, ctx: CheckContext) -> CheckResult:
        """See :class:`Check`."""
        meta = ctx.entry.meta
        data = {key: meta[key] for key in ("psn_no", "mdtrt_id", "setl_id") if meta.get(key)}
        if "setl_id" not in data or "psn_no" not in data or "mdtrt_id" not in data:
            return CheckResult(_UNKNOWN, f"{self.infno}: the call lacks psn_no/mdtrt_id/setl_id")
        answer = _ask(ctx, self.infno, data)
        if isinstance(answer, CheckResult):
            return answer
        if not isinstance(answer.output, Output5203) or \
                answer.output.setlinfo.setl_id != data["setl_id"]:
            return CheckResult(_UNKNOWN, f"{self.infno}: not the settlement asked for", answer)
        flag = str((answer.output.setlinfo.model_extra or {}).get("vali_flag", ""))
        if flag == "1":
            return CheckResult(_NOT_DONE, f"{self.infno}: settlement {data['setl_id']} is still "
                               "valid", answer)
        if flag != "0":
            return CheckResult(_UNKNOWN, f"{self.infno}: no vali_flag", answer)
        try:
            output: Any = cancellation_from_record(answer.output)
        except ValidationError:
            output = answer.output
        return CheckResult(_DONE, f"{self.infno}: settlement {data['setl_id']} is no longer "
                           "valid (cancelled)", answer, output)


@dataclass(frozen=True, slots=True)
class SettlementCheck:
    """5203 for a settlement (or any ``reverse``-class call) whose outcome is unknown.

    :param setl_id_when_unknown: what ``setl_id`` carries when the call has none (a 2207 does
        not know it yet): ``None`` leaves it out (ask by visit, ``psn_no`` + ``mdtrt_id``),
        ``"{msgid}"`` sends the call's msgid (platforms that look a settlement up by its
        ``medins_setl_id``, as the mock does), any other text is sent as is (e.g. ``"0"``:
        the visit's latest settlement). Only choose a lookup the province's 5203 really
        supports: its "not found" is taken as "did not happen".
    """

    setl_id_when_unknown: str | None = None
    infno: str = "5203"

    def run(self, ctx: CheckContext) -> CheckResult:
        """See :class:`Check`."""
        meta = ctx.entry.meta
        data = {key: meta[key] for key in ("psn_no", "mdtrt_id", "setl_id") if meta.get(key)}
        if "setl_id" not in data and self.setl_id_when_unknown is not None:
            data["setl_id"] = self.setl_id_when_unknown.replace("{msgid}", ctx.entry.msgid)
        answer = _ask(ctx, self.infno, data)
        if isinstance(answer, CheckResult):
            return answer
        if not isinstance(answer.output, Output5203):
            return CheckResult(_UNKNOWN, f"{self.infno}: unexpected output", answer)
        return self._judge(answer, answer.output.setlinfo, ctx.entry.msgid)

    def _judge(self, reply: Reply, record: SettlementRecord, msgid: str) -> CheckResult:
        if str((record.model_extra or {}).get("vali_flag", "1")) == "0":
            return CheckResult(_UNKNOWN, f"{self.infno}: settlement {record.setl_id} is no "
                               "longer valid (vali_flag 0: cancelled or reversed)", reply)
        if record.medins_setl_id == msgid:
            try:
                output = settlement_from_record(reply.output)
            except ValidationError:
                output = reply.output
            return CheckResult(_DONE, f"{self.infno}: settlement {record.setl_id} is this call's",
                               reply, output, record.setl_id)
        if not record.setl_id:
            return CheckResult(_NOT_DONE, f"{self.infno}: no settlement for the visit", reply)
        return CheckResult(_UNKNOWN, f"{self.infno}: settlement {record.setl_id} is not known "
                           "to be this call's (medins_setl_id differs or is absent)", reply)


def _find(node: Any, member: str, wanted: str) -> Mapping[str, Any] | None:
    """The first object inside ``node`` whose ``member`` equals ``wanted``."""
    if isinstance(node, BaseModel):
        node = node.model_dump()
    if isinstance(node, Mapping):
        if str(node.get(member, "")) == wanted:
            return node
        children: Any = list(node.values())
    elif isinstance(node, list | tuple):
        children = node
    else:
        return None
    for child in children:
        found = _find(child, member, wanted)
        if found is not None:
            return found
    return None


@dataclass(frozen=True, slots=True)
class MatchCheck:
    """Query ``infno`` with members copied from the call and look for the call's ``match``
    value in the answer (e.g. 5201 by ``psn_no``, matching ``ipt_otp_no``) [U]."""

    infno: str
    match: str = "ipt_otp_no"
    copy: tuple[str, ...] = ("psn_no",)
    node: str = "data"
    """The original output node the matched row becomes (2201/2401: ``data``)."""

    def run(self, ctx: CheckContext) -> CheckResult:
        """See :class:`Check`."""
        meta = ctx.entry.meta
        wanted = meta.get(self.match)
        data = {key: meta[key] for key in self.copy if meta.get(key)}
        if not wanted or len(data) < len(self.copy):
            return CheckResult(_UNKNOWN, f"{self.infno}: the call lacks {self.match}/{self.copy}")
        answer = _ask(ctx, self.infno, data)
        if isinstance(answer, CheckResult):
            return answer
        row = _find(answer.output, self.match, wanted)
        if row is None:
            return CheckResult(_NOT_DONE, f"{self.infno}: no {self.match} {wanted}", answer)
        return CheckResult(_DONE, f"{self.infno}: found {self.match} {wanted}", answer,
                           self._output(ctx.transaction, row))

    def _output(self, transaction: Transaction, row: Mapping[str, Any]) -> Any:
        model = transaction.output_model
        if model is None:
            return {self.node: dict(row)}
        try:
            return model.model_validate({self.node: dict(row)})
        except ValidationError:
            return {self.node: dict(row)}


DEFAULT_CHECKS: Mapping[str, Check] = {"2201": MatchCheck("5201"), "2401": MatchCheck("5303"),
                                       "2208": CancellationCheck(), "2305": CancellationCheck()}
"""Checks by infno (``check``-class calls, and ``reverse``-class ones a profile promoted, such
as 2208/2305 in Hebei). Other ``reverse``-class calls (2207, 2304, 2102 …) use the recovery
policy's :class:`SettlementCheck` unless one is registered here for them."""
