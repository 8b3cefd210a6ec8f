"""The request envelope (公共输入, reference §1.1) and the builder that fills it.

:class:`EnvelopeBuilder` turns ``(infno, input, operator)`` into an :class:`OutboundRequest`:
it validates ``input`` against the transaction's wire model (or checks a plain ``dict`` is
JSON-ready: no floats, string keys), writes it with the profile's null policy, insists on
``insuplc_admdvs`` when ``input`` carries ``psn_no`` anywhere, renames nodes and members for the
province, picks ``recer_sys_code``, stamps ``inf_time`` (``yyyy-MM-dd HH:mm:ss``, China time),
takes a msgid and adds the profile's extra members. Nothing here touches the network; replies
are read by :mod:`.reply`.

How a client uses the pieces::

    msgids = MsgidSource("msgid.sqlite3", "H44010600001")
    builder = EnvelopeBuilder(profile, Institution.from_hospital(hospital), msgids=msgids)
    request = builder.build("2207", data, operator, sign_no=sign_no, insuplc_admdvs="440100")
    # journal: request.msgid, request.infno, request.input_digest  (before sending)
    # transport: POST request.content() to request.url with request.headers (+ the signer's);
    #            profile.connect_timeout / read_timeout; profile.retry_class(request.transaction)
    reply = parse_reply(body, transaction=request.transaction, msgid=request.msgid,
                        profile=profile, status=status, headers=headers)
    result = settlement_result(reply.output_as(OutputSettlement))
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from yibao_sdk.models.base import CHINA, errors_of, to_local
from yibao_sdk.models.patient import Hospital

from . import jsonwire
from .errors import EnvelopeError, InsuplcAdmdvsMissingError, WireValidationError
from .nodes import check_json_ready, find_member, first_value, rename_members
from .profiles import ProvinceProfile
from .transactions import NATIONAL_TRANSACTIONS, Transaction, TransactionTable
from .wire.base import OutboundModel, WireDateTime, to_wire
from .wire.codes import OpterType

__all__ = [
    "CONTENT_TYPE",
    "SIGN_IN",
    "EnvelopeBuilder",
    "Institution",
    "Operator",
    "OutboundRequest",
    "RequestEnvelope",
]

CONTENT_TYPE = "application/json;charset=UTF-8"
"""Content type of every request body."""
SIGN_IN = "9001"
"""The one transaction sent without ``sign_no``."""


@dataclass(frozen=True, slots=True)
class Institution:
    """定点医药机构: the sender."""

    fixmedins_code: str
    """定点医药机构编号, char 12 (30 in Chongqing)."""
    fixmedins_name: str
    """定点医药机构名称, char 200."""
    mdtrtarea_admvs: str
    """就医地医保区划, char 6 (e.g. 440100 Guangzhou)."""

    @classmethod
    def from_hospital(cls, hospital: Hospital) -> Institution:
        """The sender for a core :class:`~yibao_sdk.models.Hospital`."""
        return cls(hospital.code, hospital.name, hospital.region)


@dataclass(frozen=True, slots=True)
class Operator:
    """经办人: who acts (a staff member, a kiosk or a mobile terminal)."""

    opter: str
    """经办人 id, char 30."""
    opter_name: str
    """经办人姓名, char 50."""
    opter_type: OpterType = OpterType.STAFF
    """经办人类别 (1 经办人, 2 自助终端, 3 移动终端)."""


class RequestEnvelope(OutboundModel):
    """公共输入: the members every request carries (reference §1.1)."""

    infno: str = Field(pattern=r"^\d{4}[A-Z]?$")
    """交易编号, char 4 (5 for lettered codes such as 4101A)."""
    msgid: str = Field(min_length=30, max_length=30)
    """发送方报文ID, char 30."""
    mdtrtarea_admvs: str = Field(min_length=6, max_length=6)
    """就医地医保区划, char 6."""
    insuplc_admdvs: str | None = Field(default=None, min_length=6, max_length=6)
    """参保地医保区划, char 6: required when ``input`` carries ``psn_no``."""
    recer_sys_code: str = Field(max_length=10)
    """接收方系统代码, char 10."""
    dev_no: str = Field(default="", max_length=100)
    """设备编号, char 100."""
    dev_safe_info: str = Field(default="", max_length=2000)
    """设备安全信息, char 2000."""
    cainfo: str = Field(default="", max_length=1024)
    """数字签名信息, char 1024 (filled by a signer where the province wants one)."""
    signtype: str = Field(default="", max_length=10)
    """签名类型, char 10."""
    infver: str = Field(min_length=1, max_length=6)
    """接口版本号, char 6."""
    opter_type: OpterType
    """经办人类别, char 3."""
    opter: str = Field(min_length=1, max_length=30)
    """经办人, char 30."""
    opter_name: str = Field(min_length=1, max_length=50)
    """经办人姓名, char 50."""
    inf_time: WireDateTime
    """交易时间, yyyy-MM-dd HH:mm:ss."""
    fixmedins_code: str = Field(min_length=1, max_length=30)
    """定点医药机构编号, char 12/30."""
    fixmedins_name: str = Field(min_length=1, max_length=200)
    """定点医药机构名称, char 200."""
    sign_no: str | None = Field(default=None, max_length=30)
    """交易签到流水号 (from 9001), char 30."""
    input: dict[str, Any]
    """交易输入: a nested object (never a string), already in wire form."""


@dataclass(frozen=True, slots=True)
class OutboundRequest:
    """A request ready for the transport (and for the journal, before it is sent)."""

    transaction: Transaction
    """The transaction's row (retry class, models, binary reply)."""
    envelope: RequestEnvelope
    """The envelope as built (``input`` in wire form, national names)."""
    body: dict[str, Any]
    """The JSON body as it will be sent: province names, null policy, extra members. Treat it
    as read-only: a signer that rewrites ``input`` (SM4) works on a copy."""
    url: str
    """Where to POST it."""
    _content: bytes | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def infno(self) -> str:
        """交易编号."""
        return self.envelope.infno

    @property
    def msgid(self) -> str:
        """发送方报文ID."""
        return self.envelope.msgid

    @property
    def headers(self) -> dict[str, str]:
        """Headers before signing."""
        return {"Content-Type": CONTENT_TYPE}

    def content(self) -> bytes:
        """The body as UTF-8 JSON (money as exact decimals); encoded once, then reused by the
        journal and the transport (``body`` is read-only)."""
        if self._content is None:
            object.__setattr__(self, "_content", jsonwire.dumps(self.body))
        assert self._content is not None
        return self._content

    @property
    def input_digest(self) -> str:
        """SHA-256 of ``input`` in canonical form, for the journal."""
        return jsonwire.canonical_digest(self.envelope.input)


def _china_now() -> datetime:
    return datetime.now(CHINA).replace(tzinfo=None)


class EnvelopeBuilder:
    """Builds requests for one institution under one profile.

    :param profile: the province profile.
    :param institution: the sender.
    :param msgids: returns a fresh msgid (a :class:`~.msgid.MsgidSource`).
    :param table: the transaction table.
    :param clock: China-local time now, for ``inf_time``.
    """

    def __init__(
        self,
        profile: ProvinceProfile,
        institution: Institution,
        *,
        msgids: Callable[[], str],
        table: TransactionTable = NATIONAL_TRANSACTIONS,
        clock: Callable[[], datetime] = _china_now,
    ) -> None:
        self.profile = profile
        self.institution = institution
        self.table = table
        self._msgids = msgids
        self._clock = clock

    def build(
        self,
        infno: str,
        input: BaseModel | Mapping[str, Any],
        operator: Operator,
        *,
        sign_no: str | None = None,
        insuplc_admdvs: str | None = None,
        insutype: str | None = None,
        msgid: str | None = None,
        cainfo: str = "",
    ) -> OutboundRequest:
        """Build the request for ``infno``.

        :param input: the wire model (or a mapping validated into it; a plain ``dict`` for
            transactions without a model).
        :param sign_no: the operator's 9001 ``sign_no``; required unless the profile says not.
        :param insuplc_admdvs: 参保地区划 from 1101 ``insuinfo``; required if ``input`` has
            ``psn_no``.
        :param insutype: selects ``recer_sys_code``; read from ``input`` when not given.
        :param msgid: use this msgid instead of taking a new one.
        :param cainfo: 数字签名信息 if the caller computed one.
        :raises UnknownTransactionError: ``infno`` is not in the table.
        :raises WireValidationError: ``input`` does not validate.
        :raises InsuplcAdmdvsMissingError: ``input`` carries ``psn_no`` without a region.
        :raises EnvelopeError: ``sign_no`` is missing or an envelope member is invalid.
        """
        transaction = self.table[infno]
        wire_input = self.wire_input(transaction, input)
        node = find_member(wire_input, "psn_no")
        if node is not None and not insuplc_admdvs:
            raise InsuplcAdmdvsMissingError(f"input.{node}", infno=infno)
        if self.profile.sign_in.required and infno != SIGN_IN and not sign_no:
            raise EnvelopeError("sign_no is required: sign in with 9001 first", infno=infno)
        url = self.profile.url_for(infno)  # a profile without a path fails before a msgid
        per_call = {"sign_no": sign_no, "insuplc_admdvs": insuplc_admdvs or None,
                    "msgid": msgid or self._msgids(), "cainfo": cainfo}
        insutype = insutype or first_value(wire_input, "insutype")
        envelope = self._envelope(transaction, wire_input, operator, insutype, per_call)
        return OutboundRequest(transaction, envelope, self._body(envelope), url)

    def wire_input(self, transaction: Transaction, value: BaseModel | Mapping[str, Any]) -> Any:
        """``input`` validated and written with the profile's null policy (national names)."""
        model = transaction.input_model
        infno = transaction.infno
        if model is not None and not isinstance(value, model):
            if isinstance(value, BaseModel):
                raise WireValidationError(model.__name__, [("", f"got {type(value).__name__}")],
                                          infno=infno)
            try:
                value = model.model_validate(value)
            except ValidationError as exc:
                raise WireValidationError(model.__name__, errors_of(exc), infno=infno) from exc
        elif not isinstance(value, BaseModel):
            check_json_ready(value, infno)
        return to_wire(value, policy=self.profile.null_policy_for(infno),
                       bytes_encoding=self.profile.file_upload_encoding)

    def _envelope(
        self,
        transaction: Transaction,
        wire_input: dict[str, Any],
        operator: Operator,
        insutype: str | None,
        per_call: dict[str, Any],
    ) -> RequestEnvelope:
        infno = transaction.infno
        inst = self.institution
        try:
            return RequestEnvelope(
                infno=infno, mdtrtarea_admvs=inst.mdtrtarea_admvs,
                recer_sys_code=self.profile.recer_sys_code.code_for(infno, insutype),
                signtype=self.profile.signtype, infver=self.profile.infver,
                opter_type=operator.opter_type, opter=operator.opter,
                opter_name=operator.opter_name, inf_time=to_local(self._clock()),
                fixmedins_code=inst.fixmedins_code, fixmedins_name=inst.fixmedins_name,
                input=wire_input, **per_call,
            )
        except ValidationError as exc:
            detail = "; ".join(f"{path}: {msg}" for path, msg in errors_of(exc))
            raise EnvelopeError(f"invalid envelope: {detail}", infno=infno,
                                msgid=str(per_call["msgid"])) from exc

    def _body(self, envelope: RequestEnvelope) -> dict[str, Any]:
        """The envelope in province form: renamed input, null policy, extra members."""
        infno = envelope.infno
        profile = self.profile
        head = to_wire(envelope.model_copy(update={"input": {}}),
                       policy=profile.null_policy_for(infno))
        head.pop("input", None)
        renamed = rename_members(envelope.input, profile.node_names.get(infno, {}), depth=1)
        renamed = rename_members(renamed, profile.field_names.get(infno, {}))
        return {**head, **profile.extra_fields, "input": renamed}
