"""The provincial error tree: rooted at YibaoError, drawn in its docstring, msgid first."""

from __future__ import annotations

import pytest

from yibao_sdk.adapters.provincial import errors
from yibao_sdk.errors import YibaoError

MSGID = "H44010600001202603020930150001"


@pytest.mark.parametrize("name", errors.__all__)
def test_every_error_is_provincial_and_drawn_in_the_docstring(name: str) -> None:
    kind = getattr(errors, name)
    assert issubclass(kind, errors.ProvincialError)
    assert issubclass(kind, YibaoError)
    assert name in (errors.__doc__ or "")


def test_message_starts_with_the_msgid_then_the_infno() -> None:
    error = errors.GatewayError("HTTP 502: HTML body", status=502, infno="2207", msgid=MSGID)
    assert str(error) == f"{MSGID} 2207: HTTP 502: HTML body"
    assert (error.msgid, error.infno, error.inf_refmsgid) == (MSGID, "2207", "")
    assert error.detail == "HTTP 502: HTML body"
    assert str(errors.ProvincialError("no context")) == "no context"


def test_outcome_is_unknown_only_when_nobody_can_tell() -> None:
    assert errors.GatewayError("x").outcome_unknown
    assert errors.MalformedReplyError("x").outcome_unknown
    assert not errors.PlatformError(-1, "x").outcome_unknown
    assert not errors.OutputValidationError("M", [], envelope={}).outcome_unknown


def test_gateway_error_keeps_only_the_start_of_the_body() -> None:
    error = errors.GatewayError("x", body="<html>" + "a" * 500)
    assert len(error.body) == 200


def test_insuplc_error_names_the_node() -> None:
    error = errors.InsuplcAdmdvsMissingError("input.data.psn_no", infno="2207")
    assert error.node == "input.data.psn_no"
    assert str(error).startswith("2207: input.data.psn_no is set")
    assert isinstance(error, ValueError)


def test_profile_error_is_also_a_config_error() -> None:
    from yibao_sdk.errors import ConfigError

    assert issubclass(errors.ProfileError, ConfigError)
    assert issubclass(errors.UnknownTransactionError, KeyError)
    assert str(errors.UnknownTransactionError("no transaction '9999'")) == (
        "no transaction '9999'")
