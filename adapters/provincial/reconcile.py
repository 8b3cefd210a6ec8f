"""Day reconciliation (对账) on the client side: the journal's settlements of a day against the
platform's totals (3201 对总账) and, where a total differs, row by row (3202 对明细账)::

    report = reconcile_day(client, date(2026, 3, 2), operator=auditor)
    if not report.balanced:
        log.warning("%s", report.summary())
        for difference in report.differences: ...   # platform has, hospital hasn't, …

**The hospital's rows** come from the journal (:meth:`~yibao_sdk.store.journal.Journal.list`:
rows *created* on ``day``, China time). A 2207/2207A/2304 that took effect (``confirmed`` or
``confirmed_by_query``) is a forward row; a 2208/2305 that did is a reverse row
(``refd_setl_flag`` 1, negative amounts, its own ``setl_id``), exactly as the platform counts a
cancellation. A settlement undone by 2601 (``reversed``) never happened and is no row on either
side. Settlement rows still ``pending``/``sent``/``unknown``, or that took effect without a
``setl_id``, cannot be reconciled: they are listed in
:attr:`ReconciliationReport.unresolved_msgids` and keep the day unbalanced (run
:meth:`~.client.ProvincialClient.recover` first).

**Amounts**: the journal keeps requests, not answers, so a row's amounts come from ``ledger``
(the HIS's own record of what each settlement answered, by ``setl_id``: :meth:`Amounts.of` a
:class:`~yibao_sdk.models.SettlementResult`), else from a 5203 query by ``setl_id``. A forward
row the platform does not know keeps the request's ``medfee_sumamt`` and no fund, account or
cash (3202 then lists it as 医院有平台无).

**Groups**: 3201 is asked per (``insutype``, ``clr_type``, ``setl_optins``): the request's 险种
(the original settlement's for a cancellation), the 清算类别 by infno (:data:`CLR_TYPES`, [U])
and the person's 参保地区划 (the call's ``insuplc_admdvs``). ``stmt_rslt`` in :data:`BALANCED`
means 平 ([U]: the national value is not confirmed).

**Detail**: for every (``clr_type``, ``setl_optins``) with a group out of balance, all the
hospital's rows of that pair (every ``insutype``: 3202 does not filter by it) go into a detail
file (a ZIP holding one UTF-8 text, tab-separated :data:`DETAIL_COLUMNS`, ``null`` for none),
uploaded with 9101; 3202 compares it and answers a result file (:data:`RESULT_COLUMNS`), fetched
with 9102, whose rows with ``stmt_rslt`` other than 0 become :class:`Difference`\\ s. Both file
layouts and the result codes are the mock platform's ([U]); a province with other layouts
replaces :func:`detail_reconciliation`.

The operator needs 3201, 3202, 9101, 9102 and 5203 (the 医保办 auditor role has them).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from yibao_sdk.store.journal import JournalEntry, JournalState

from . import jsonwire
from .envelope import Operator
from .errors import PlatformError, ProvincialError
from .nodes import first_value
from .reconcile_types import (
    Amounts,
    Difference,
    DifferenceKind,
    GroupKey,
    GroupResult,
    ReconciliationReport,
    SettledRow,
    Totals,
)
from .wire.files import FileTicket
from .wire.reconcile import Output3201, StatementResult
from .wire.settlement import Output5203, SettlementRecord

if TYPE_CHECKING:
    from .client import ProvincialClient

__all__ = [
    "BALANCED",
    "CLR_TYPES",
    "DETAIL_COLUMNS",
    "RESULT_COLUMNS",
    "Amounts",
    "Difference",
    "DifferenceKind",
    "GroupKey",
    "GroupResult",
    "ReconciliationReport",
    "SettledRow",
    "Totals",
    "detail_reconciliation",
    "hospital_rows",
    "reconcile_day",
]

CLR_TYPES: Mapping[str, str] = MappingProxyType({
    "2207": "11", "2207A": "11", "2208": "11", "2304": "21", "2305": "21"})
"""清算类别 by infno: 11 outpatient, 21 inpatient ([U]: provinces split further by med_type)."""
_FORWARD = frozenset({"2207", "2207A", "2304"})
_REFUNDS = frozenset({"2208", "2305"})
BALANCED = frozenset({"0", "000000"})
"""``stmt_rslt`` values meaning 平 (balanced) [U]."""
DETAIL_COLUMNS = ("setl_id", "mdtrt_id", "psn_no", "medfee_sumamt", "fund_pay_sumamt",
                  "acct_pay", "refd_setl_flag")
"""Columns of the detail file sent with 3202 (the mock platform's layout [U])."""
RESULT_COLUMNS = ("psn_no", "mdtrt_id", "setl_id", "msgid", "stmt_rslt", "refd_setl_flag",
                  "memo", "fund_pay_sumamt", "acct_pay")
"""Columns of the 3202 result file (the mock platform's layout [U])."""
_DONE = frozenset({JournalState.CONFIRMED, JournalState.CONFIRMED_BY_QUERY})
_ZERO = Decimal("0.00")


def _input(entry: JournalEntry) -> Any:
    try:
        return jsonwire.loads(entry.body).get("input", {})
    except (ValueError, AttributeError):
        return {}


def _decimal(value: str | None) -> Decimal:
    try:
        return Decimal(value) if value not in (None, "") else _ZERO
    except InvalidOperation:
        return _ZERO


class _Book:
    """Prices and classifies the journal's settlement rows (ledger, journal bodies, 5203)."""

    def __init__(self, client: ProvincialClient, operator: Operator,
                 ledger: Mapping[str, Amounts]) -> None:
        self.client = client
        self.operator = operator
        self.ledger = ledger
        self._records: dict[str, SettlementRecord | None] = {}

    def row(self, entry: JournalEntry, setl_id: str) -> SettledRow:
        refund = entry.infno in _REFUNDS
        original = self._original(entry) if refund else entry
        key = GroupKey(self._insutype(entry, original, setl_id), CLR_TYPES[entry.infno],
                       entry.meta.get("insuplc_admdvs") or "")
        return SettledRow(entry.msgid, entry.infno, setl_id, entry.visit_id or "",
                          entry.meta.get("psn_no") or "", key,
                          self._amounts(entry, setl_id, refund), refund)

    def _original(self, refund: JournalEntry) -> JournalEntry | None:
        """The settlement a cancellation row cancels, if the journal has it."""
        wanted = refund.meta.get("setl_id")
        if not wanted or not refund.visit_id:
            return None
        return next((row for row in self.client.journal.for_visit(refund.visit_id)
                     if row.infno in _FORWARD and row.setl_id == wanted), None)

    def _insutype(self, entry: JournalEntry, original: JournalEntry | None,
                  setl_id: str) -> str:
        found = first_value(_input(original), "insutype") if original is not None else None
        if not found:
            record = self._record(entry, setl_id)
            found = record.insutype if record is not None else None
        return found or ""

    def _amounts(self, entry: JournalEntry, setl_id: str, refund: bool) -> Amounts:
        if setl_id in self.ledger:
            return self.ledger[setl_id]
        record = self._record(entry, setl_id)
        if record is None:  # the platform does not know it: the request's figure only
            medfee = _ZERO if refund else _decimal(first_value(_input(entry), "medfee_sumamt"))
            return Amounts(medfee)
        cash = record.psn_cash_pay if record.psn_cash_pay is not None else record.cash_payamt
        return Amounts(record.medfee_sumamt or _ZERO, record.fund_pay_sumamt or _ZERO,
                       record.acct_pay or _ZERO, cash or _ZERO)

    def _record(self, entry: JournalEntry, setl_id: str) -> SettlementRecord | None:
        """5203 by ``setl_id`` (cached); ``None`` when the platform has no such settlement."""
        if setl_id not in self._records:
            data = {"data": {"psn_no": entry.meta.get("psn_no"), "mdtrt_id": entry.visit_id,
                             "setl_id": setl_id}}
            try:
                reply = self.client.call("5203", data, self.operator,
                                         insuplc_admdvs=entry.meta.get("insuplc_admdvs"))
                self._records[setl_id] = reply.output_as(Output5203).setlinfo
            except PlatformError as exc:
                if not self.client.recovery_policy.not_found(exc.err_msg):
                    raise
                self._records[setl_id] = None
        return self._records[setl_id]


def hospital_rows(client: ProvincialClient, day: date, *, operator: Operator,
                  ledger: Mapping[str, Amounts] | None = None
                  ) -> tuple[tuple[SettledRow, ...], tuple[str, ...]]:
    """The journal's settlement rows of ``day`` that took effect, and the msgids of those that
    cannot be reconciled (still open, or no ``setl_id``).

    :param ledger: amounts by ``setl_id`` (the HIS's record); others are asked by 5203.
    :raises ProvincialError: a 5203 failed other than "not found".
    """
    book = _Book(client, operator, ledger or {})
    rows: list[SettledRow] = []
    unresolved: list[str] = []
    for entry in client.journal.list(day):
        if entry.infno not in CLR_TYPES or not (entry.open or entry.state in _DONE):
            continue
        if entry.open or not entry.setl_id:
            unresolved.append(entry.msgid)
        else:
            rows.append(book.row(entry, entry.setl_id))
    return tuple(rows), tuple(unresolved)


# -- 3201 -----------------------------------------------------------------------------------


def _platform_totals(info: StatementResult) -> Totals | None:
    extra = info.model_extra or {}
    try:
        return Totals(_decimal(extra.get("medfee_sumamt")), _decimal(extra.get(
            "fund_pay_sumamt")), _decimal(extra.get("acct_pay")),
            count=int(extra["fixmedins_setl_cnt"]))
    except (KeyError, TypeError, ValueError):
        return None


def _total(client: ProvincialClient, operator: Operator, day: date, key: GroupKey,
           rows: Sequence[SettledRow]) -> GroupResult:
    ours = Totals.of(rows)
    data = {"insutype": key.insutype, "clr_type": key.clr_type, "setl_optins": key.setl_optins,
            "stmt_begndate": day, "stmt_enddate": day, "medfee_sumamt": ours.medfee_sumamt,
            "fund_pay_sumamt": ours.fund_pay_sumamt, "acct_pay": ours.acct_pay,
            "fixmedins_setl_cnt": ours.count}
    info = client.call("3201", {"data": data}, operator).output_as(Output3201).stmtinfo
    return GroupResult(key, ours, str(info.stmt_rslt) in BALANCED, info.stmt_rslt_dscr or "",
                       _platform_totals(info))


def _keys(rows: Iterable[SettledRow], wanted: GroupKey) -> list[GroupKey]:
    """The groups to ask: the journal's, narrowed by the filters set in ``wanted`` (an empty
    member matches all); a fully given ``wanted`` is asked even without journal rows."""
    keys = {row.key for row in rows}
    if all((wanted.insutype, wanted.clr_type, wanted.setl_optins)):
        keys.add(wanted)
    return sorted(key for key in keys
                  if all(not want or want == have for want, have in
                         ((wanted.insutype, key.insutype), (wanted.clr_type, key.clr_type),
                          (wanted.setl_optins, key.setl_optins))))


# -- 3202 -----------------------------------------------------------------------------------


def _cell(value: object) -> str:
    return "null" if value in (None, "") else str(value)


def _detail_file(name: str, rows: Iterable[SettledRow]) -> bytes:
    lines = ["\t".join(_cell(cell) for cell in (
        row.setl_id, row.mdtrt_id, row.psn_no, row.amounts.medfee_sumamt,
        row.amounts.fund_pay_sumamt, row.amounts.acct_pay, "1" if row.refund else "0"))
        for row in rows]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{name}.txt", ("\n".join(lines) + "\n" if lines else "")
                         .encode("utf-8"))
    return buffer.getvalue()


def _result_text(content: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            name = next(n for n in archive.namelist() if n.lower().endswith(".txt"))
            return archive.read(name).decode("utf-8")
    except (zipfile.BadZipFile, StopIteration, UnicodeDecodeError) as exc:
        raise ProvincialError("the 3202 result is not a ZIP holding a UTF-8 .txt file",
                              infno="9102") from exc


def _difference(line: str) -> Difference | None:
    cells = [None if c in ("", "null") else c for c in line.rstrip("\r").split("\t")]
    if len(cells) != len(RESULT_COLUMNS):
        raise ProvincialError(f"3202 result line {line[:40]!r}: expected "
                              f"{len(RESULT_COLUMNS)} columns", infno="9102")
    row = dict(zip(RESULT_COLUMNS, cells, strict=True))
    if row["stmt_rslt"] in (None, "0"):
        return None
    try:
        kind = DifferenceKind(row["stmt_rslt"])
    except ValueError:
        raise ProvincialError(f"3202 result: unknown stmt_rslt {row['stmt_rslt']!r}",
                              infno="9102") from None
    amounts = {name: _decimal(row[name]) if row[name] is not None else None
               for name in ("fund_pay_sumamt", "acct_pay")}
    return Difference(kind, row["setl_id"] or "", row["mdtrt_id"], row["psn_no"], row["msgid"],
                      row["refd_setl_flag"] == "1", row["memo"] or "", **amounts)


def _upload(client: ProvincialClient, operator: Operator, name: str, content: bytes) -> str:
    code = client.exchange.builder.institution.fixmedins_code
    data = {"fsUploadIn": {"in": content, "filename": f"{name}.zip", "fixmedins_code": code}}
    return client.call("9101", data, operator).output_as(FileTicket).file_qury_no


def _download(client: ProvincialClient, operator: Operator, ticket: FileTicket) -> bytes:
    if not ticket.filename:
        raise ProvincialError("3202 answered no file name to fetch", infno="3202")
    code = client.exchange.builder.institution.fixmedins_code
    data = {"fsDownloadIn": {"file_qury_no": ticket.file_qury_no, "filename": ticket.filename,
                             "fixmedins_code": code}}
    return client.fetch_file(data, operator).content


def detail_reconciliation(client: ProvincialClient, day: date, rows: Sequence[SettledRow], *,
                          operator: Operator, clr_type: str, setl_optins: str
                          ) -> tuple[Difference, ...]:
    """9101 (the detail file of ``rows``) → 3202 → 9102: the rows that differ.

    :raises ProvincialError: a call failed, or the result file cannot be read.
    """
    code = client.exchange.builder.institution.fixmedins_code
    name = f"{code}_{day:%Y%m%d}_{clr_type}_{setl_optins}"
    ours = Totals.of(rows)
    data = {"setl_optins": setl_optins, "clr_type": clr_type,
            "file_qury_no": _upload(client, operator, name, _detail_file(name, rows)),
            "stmt_begndate": day, "stmt_enddate": day, "medfee_sumamt": ours.medfee_sumamt,
            "fund_pay_sumamt": ours.fund_pay_sumamt, "cash_payamt": ours.psn_cash_pay,
            "fixmedins_setl_cnt": ours.count}
    ticket = client.call("3202", {"data": data}, operator).output_as(FileTicket)
    text = _result_text(_download(client, operator, ticket))
    found = (_difference(line) for line in text.splitlines() if line.strip())
    return tuple(difference for difference in found if difference is not None)


# -- the day --------------------------------------------------------------------------------


def reconcile_day(client: ProvincialClient, day: date, *, operator: Operator,
                  insutype: str | None = None, clr_type: str | None = None,
                  setl_optins: str | None = None,
                  ledger: Mapping[str, Amounts] | None = None) -> ReconciliationReport:
    """Reconcile ``day``: 3201 per group of the journal's settlements and, for the pairs
    (``clr_type``, ``setl_optins``) out of balance, 3202 row by row (see the module docstring).

    :param operator: who reconciles (needs 3201, 3202, 9101, 9102 and 5203).
    :param insutype: only this 险种 (default: every one in the journal).
    :param clr_type: only this 清算类别.
    :param setl_optins: only this 结算经办机构; with all three given the group is asked even
        when the journal has no settlement in it.
    :param ledger: the HIS's amounts by ``setl_id`` (default: 5203 per settlement).
    :raises PermissionDeniedError: the operator may not send one of the calls.
    :raises ProvincialError: a call failed (nothing is half-reconciled: ask again).
    """
    client.authorize(operator, "3201")  # even a day with nothing to ask needs the right
    rows, unresolved = hospital_rows(client, day, operator=operator, ledger=ledger)
    wanted = GroupKey(insutype or "", clr_type or "", setl_optins or "")
    groups = tuple(_total(client, operator, day, key, [r for r in rows if r.key == key])
                   for key in _keys(rows, wanted))
    pairs = sorted({(g.key.clr_type, g.key.setl_optins) for g in groups if not g.balanced})
    differences = tuple(
        difference for clr, optins in pairs
        for difference in detail_reconciliation(
            client, day, [r for r in rows if (r.key.clr_type, r.key.setl_optins) == (clr, optins)],
            operator=operator, clr_type=clr, setl_optins=optins))
    return ReconciliationReport(day, groups, differences, unresolved)
