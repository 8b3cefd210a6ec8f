"""Least privilege: operators act under roles, each allowed a set of transactions.

A call outside every role of its operator raises :class:`PermissionDeniedError` before any
request is built or sent, and the refusal is written to the audit log (operator id, roles,
infno: never patient data). 9001/9002 (sign-in/out) are always allowed; the automatic 5203
queries and 2601 reversals that resolve an unknown outcome belong to the call that started
them and are not checked again.

The national defaults (:data:`DEFAULT_ALLOW`) are overridden per hospital, from TOML::

    [roles.cashier]
    extend = ["4101A"]            # add to the default list
    deny = ["2208"]               # take out of it
    [roles.pharmacist]            # a role of the hospital's own
    allow = ["1101", "2101", "2102", "2103", "5203"]
    [operators]
    "0007" = ["cashier"]
    "D021" = ["physician", "auditor"]
"""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

from yibao_sdk.errors import ConfigError

from .envelope import Operator
from .errors import ProvincialError

__all__ = [
    "ALWAYS_ALLOWED",
    "DEFAULT_ALLOW",
    "AuditSink",
    "PermissionDeniedError",
    "Role",
    "RolePolicy",
]

log = logging.getLogger(__name__)


class Role(StrEnum):
    """The built-in roles (a hospital may add its own names)."""

    REGISTRATION_CLERK = "registration_clerk"
    """挂号/住院处: person lookup, registration, admission, discharge, filings."""
    CASHIER = "cashier"
    """收费员: fees, (pre-)settlement, cancel, reversal, settlement queries."""
    PHYSICIAN = "physician"
    """医师: 事前/事中 rule checks (3101/3102), feedback (3103), clinical queries."""
    AUDITOR = "auditor"
    """医保办: reconciliation, settlement lists, clearing, queries, one-sided-ledger reversal."""
    ADMINISTRATOR = "administrator"
    """信息科: catalogues, mappings, departments, stock, files; no money-moving calls."""


ALWAYS_ALLOWED = frozenset({"9001", "9002"})
"""Sign-in and sign-out: every operator needs them."""
_LOOKUP = {"1101", "1161", "1162", "2001", "1901"}
_VISIT_QUERIES = {"5201", "5202", "5204", "5205", "5206", "5301", "5302", "5303", "5304"}
_CATALOG = {f"13{n:02d}" for n in range(1, 22)}
DEFAULT_ALLOW: Mapping[str, frozenset[str]] = {
    Role.REGISTRATION_CLERK: frozenset({
        *_LOOKUP, *_VISIT_QUERIES, "2201", "2202", "2203", "2203A", "2401", "2402", "2403",
        "2404", "2405", "2406", "2407", "2501", "2502", "2503", "2504", "2505", "2506",
    }),
    Role.CASHIER: frozenset({
        *_LOOKUP, *_VISIT_QUERIES, "2201", "2202", "2203", "2203A", "2204", "2205", "2206",
        "2206A", "2207", "2207A", "2208", "2301", "2302", "2303", "2304", "2305", "2601",
        "5203", "2101", "2102", "2103",
    }),
    Role.PHYSICIAN: frozenset({
        *_LOOKUP, *_VISIT_QUERIES, "3101", "3102", "3103", "1312", "7101",
    }),
    Role.AUDITOR: frozenset({
        *_LOOKUP, *_VISIT_QUERIES, "5203", "2601", "3101", "3102", "3201", "3202", "3203",
        "3204", "3211", "3212", "3260", "4101", "4101A", "4102", "4103", "4104", "9101",
        "9102", "1201", "1312", "1316", "1317", "1318", "1319",
    }),
    Role.ADMINISTRATOR: frozenset({
        *_CATALOG, "1201", "1901", "3301", "3302", "3401", "3401A", "3402", "3403", "3501",
        "3502", "3503", "3504", "3505", "3506", "3507", "5101", "5102", "9101", "9102",
    }),
}
"""National defaults: who may send what (a starting point; hospitals override)."""


class PermissionDeniedError(ProvincialError):
    """An operator's roles do not allow the transaction; nothing was sent.

    :param opter: the operator id.
    :param roles: the operator's roles (empty: none assigned).
    """

    def __init__(self, opter: str, roles: Iterable[str], *, infno: str) -> None:
        self.opter = opter
        self.roles = tuple(sorted(roles))
        held = ", ".join(self.roles) or "no role"
        super().__init__(f"operator {opter} ({held}) may not send {infno}", infno=infno)


class AuditSink(Protocol):
    """Where refusals are recorded (:class:`yibao_sdk.store.AuditLog` fits)."""

    def append(self, kind: str, payload: Mapping[str, Any]) -> object:
        """Append one entry of ``kind``."""
        ...


def _codes(values: Any, where: str) -> frozenset[str]:
    if not isinstance(values, list | tuple | set | frozenset) or \
            not all(isinstance(code, str) for code in values):
        raise ConfigError(f"{where}: expected a list of transaction codes")
    return frozenset(values)


def _merged(name: str, spec: Any, base: frozenset[str]) -> frozenset[str]:
    if not isinstance(spec, Mapping):
        raise ConfigError(f"roles.{name}: expected a table (allow / extend / deny)")
    unknown = set(spec) - {"allow", "extend", "deny"}
    if unknown:
        raise ConfigError(f"roles.{name}: unknown keys {sorted(unknown)}")
    allowed = _codes(spec["allow"], f"roles.{name}.allow") if "allow" in spec else base
    allowed |= _codes(spec.get("extend", []), f"roles.{name}.extend")
    return allowed - _codes(spec.get("deny", []), f"roles.{name}.deny")


@dataclass(frozen=True)
class RolePolicy:
    """Which roles allow which transactions, and which operators hold which roles.

    :param allow: role → infnos.
    :param operators: operator id (``opter``) → roles; an unlisted operator may do nothing.
    """

    allow: Mapping[str, frozenset[str]] = field(default_factory=lambda: dict(DEFAULT_ALLOW))
    operators: Mapping[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any]) -> RolePolicy:
        """A policy from ``{"roles": {...}, "operators": {...}}`` (the TOML layout above),
        starting from :data:`DEFAULT_ALLOW`.

        :raises ConfigError: a malformed table, or an operator given an undefined role.
        """
        allow: dict[str, frozenset[str]] = dict(DEFAULT_ALLOW)
        for name, spec in dict(raw.get("roles", {})).items():
            allow[name] = _merged(name, spec, allow.get(name, frozenset()))
        operators: dict[str, frozenset[str]] = {}
        for opter, roles in dict(raw.get("operators", {})).items():
            held = _codes(roles, f"operators.{opter}")
            undefined = held - allow.keys()
            if undefined:
                raise ConfigError(f"operators.{opter}: undefined roles {sorted(undefined)}")
            operators[str(opter)] = held
        return cls(allow, operators)

    @classmethod
    def load(cls, path: Path | str) -> RolePolicy:
        """A policy from a TOML file.

        :raises ConfigError: unreadable, not TOML, or invalid (the message names the file).
        """
        try:
            raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
            return cls.from_mapping(raw)
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read: {exc.strerror}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
        except ConfigError as exc:
            raise ConfigError(f"{path}: {exc}") from exc

    def with_operator(self, opter: str, *roles: str) -> RolePolicy:
        """A copy with ``opter`` holding ``roles``."""
        return RolePolicy(self.allow, {**self.operators, opter: frozenset(roles)})

    def roles_of(self, operator: Operator) -> frozenset[str]:
        """The roles ``operator`` holds."""
        return self.operators.get(operator.opter, frozenset())

    def allows(self, operator: Operator, infno: str) -> bool:
        """True if one of the operator's roles allows ``infno``."""
        if infno in ALWAYS_ALLOWED:
            return True
        return any(infno in self.allow.get(role, frozenset()) for role in self.roles_of(operator))

    def authorize(self, operator: Operator, infno: str, *, audit: AuditSink | None = None) -> None:
        """Return if allowed; otherwise audit the refusal and raise.

        :raises PermissionDeniedError: no role of the operator allows ``infno``.
        """
        if self.allows(operator, infno):
            return
        roles = self.roles_of(operator)
        log.warning("operator %s (%s) refused %s", operator.opter,
                    ", ".join(sorted(roles)) or "no role", infno)
        if audit is not None:
            audit.append("provincial.permission_denied",
                         {"opter": operator.opter, "roles": sorted(roles), "infno": infno})
        raise PermissionDeniedError(operator.opter, roles, infno=infno)
