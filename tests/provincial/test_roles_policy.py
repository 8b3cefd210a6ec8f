"""Least privilege: role allow-lists (national defaults, hospital overrides), refusal before
any network I/O, and the refusal in the audit log without patient data."""

from __future__ import annotations

from pathlib import Path

import pytest
import responses
from test_client_helpers import (
    ARGS,
    ID_CARD,
    NAME,
    SETTLEMENT,
    VISIT,
    Platform,
    make_client,
    serve,
)

from yibao_sdk.adapters.provincial.envelope import Operator
from yibao_sdk.adapters.provincial.roles import (
    DEFAULT_ALLOW,
    PermissionDeniedError,
    Role,
    RolePolicy,
)
from yibao_sdk.errors import ConfigError
from yibao_sdk.store import AuditLog

CASHIER, DOCTOR = Operator("0007", "王收费"), Operator("D001", "李医生")
ADMIN = Operator("A1", "信息科")
STRANGER = Operator("X9", "外人")
POLICY = RolePolicy().with_operator("0007", Role.CASHIER).with_operator("D001", Role.PHYSICIAN) \
    .with_operator("A1", Role.ADMINISTRATOR)


@pytest.mark.parametrize(("operator", "infno", "allowed"), [
    (CASHIER, "2207", True), (CASHIER, "2304", True), (CASHIER, "2601", True),
    (CASHIER, "5203", True), (CASHIER, "1101", True), (CASHIER, "3101", False),
    (DOCTOR, "3101", True), (DOCTOR, "3102", True), (DOCTOR, "3103", True),
    (DOCTOR, "5201", True), (DOCTOR, "2207", False), (DOCTOR, "2601", False),
    (ADMIN, "1301", True), (ADMIN, "9102", True), (ADMIN, "2207", False),
    (STRANGER, "1101", False), (STRANGER, "9001", True), (DOCTOR, "9001", True),
])
def test_national_defaults(operator: Operator, infno: str, allowed: bool) -> None:
    assert POLICY.allows(operator, infno) is allowed


def test_every_default_role_is_a_role_and_every_money_moving_call_belongs_to_few() -> None:
    assert set(DEFAULT_ALLOW) == set(Role)
    settling = {role for role, codes in DEFAULT_ALLOW.items() if "2207" in codes}
    assert settling == {Role.CASHIER}
    assert {role for role, codes in DEFAULT_ALLOW.items() if "2601" in codes} == {
        Role.CASHIER, Role.AUDITOR}


def test_hospital_overrides_from_toml(tmp_path: Path) -> None:
    path = tmp_path / "roles.toml"
    path.write_text("""
[roles.cashier]
extend = ["4101A"]
deny = ["2208"]
[roles.pharmacist]
allow = ["1101", "2101", "2102", "2103"]
[operators]
"0007" = ["cashier"]
"P1" = ["pharmacist", "auditor"]
""", encoding="utf-8")
    policy = RolePolicy.load(path)
    assert policy.allows(CASHIER, "4101A") and not policy.allows(CASHIER, "2208")
    assert policy.allows(CASHIER, "2207")
    pharmacist = Operator("P1", "药师")
    assert policy.allows(pharmacist, "2102") and policy.allows(pharmacist, "3201")
    assert policy.roles_of(pharmacist) == {"pharmacist", "auditor"}
    assert not policy.allows(DOCTOR, "3101")  # not listed: no roles


@pytest.mark.parametrize(("text", "message"), [
    ('[operators]\n"1" = ["nobody"]', "undefined roles"),
    ('[roles.cashier]\nallow = "2207"', "list of transaction codes"),
    ('[roles.cashier]\nremove = ["2207"]', "unknown keys"),
    ("[roles", "not valid TOML"),
])
def test_bad_role_files_name_the_problem(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "roles.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        RolePolicy.load(path)


@responses.activate
def test_a_refused_call_raises_before_any_request_and_is_audited(tmp_path: Path) -> None:
    serve(Platform())
    audit = AuditLog(tmp_path / "audit.sqlite3")
    client = make_client(tmp_path, roles=POLICY, audit_log=audit)
    with pytest.raises(PermissionDeniedError) as caught:
        client.settle(SETTLEMENT, VISIT, DOCTOR, args=ARGS)
    assert (caught.value.opter, caught.value.roles, caught.value.infno) == ("D001",
                                                                            ("physician",), "2207")
    assert len(responses.calls) == 0  # not even the sign-in left
    assert client.journal.unresolved() == ()
    (entry,) = audit.entries()
    assert entry.kind == "provincial.permission_denied"
    assert entry.data() == {"opter": "D001", "roles": ["physician"], "infno": "2207"}
    assert NAME not in entry.payload and ID_CARD not in entry.payload
    assert audit.verify() == 1


@responses.activate
def test_an_operator_without_a_role_may_do_nothing(tmp_path: Path) -> None:
    serve(Platform())
    client = make_client(tmp_path, roles=POLICY)
    with pytest.raises(PermissionDeniedError, match="X9 \\(no role\\) may not send 1101"):
        client.call("1101", {"data": {}}, STRANGER)
    assert len(responses.calls) == 0


@responses.activate
def test_an_allowed_call_goes_through(tmp_path: Path) -> None:
    platform = Platform()
    serve(platform)
    client = make_client(tmp_path, roles=POLICY)
    assert client.settle(SETTLEMENT, VISIT, CASHIER, args=ARGS).settlement_id
    assert [b["infno"] for b in platform.requests] == ["9001", "2207"]
