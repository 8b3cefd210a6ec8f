"""Refund netting: refund_of cancels its own line; otherwise the latest line of the item."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from yibao_sdk import ModelInputError
from yibao_sdk.models import Charge
from yibao_sdk.rules.netting import live_quantities
from yibao_sdk.testing import factories as f

LATER = f.T0 + timedelta(hours=1)


def test_refund_naming_its_line_cancels_that_line() -> None:
    first = f.charge("A", quantity=2)
    second = f.charge("A", quantity=1, at=LATER)
    refund = f.charge("A", quantity=-2, at=LATER + timedelta(minutes=5), refund_of=first.charge_id)
    assert live_quantities([first, second, refund]) == {second.charge_id: Decimal(1)}


def test_refund_without_reference_cancels_the_latest_line_first() -> None:
    first = f.charge("A", quantity=2)
    second = f.charge("A", quantity=1, at=LATER)
    refund = f.charge("A", quantity=-2, at=LATER + timedelta(minutes=5))
    assert live_quantities([first, second, refund]) == {first.charge_id: Decimal(1)}


def test_partial_refund_and_other_items_are_untouched() -> None:
    a, b = f.charge("A", quantity=3), f.charge("B", quantity=1)
    refund = f.charge("A", quantity=-1, at=LATER, refund_of=a.charge_id)
    assert live_quantities([a, b, refund]) == {a.charge_id: Decimal(2), b.charge_id: Decimal(1)}


def test_refund_of_on_a_positive_line_is_refused() -> None:
    data = f.charge("A").model_dump(mode="json") | {"refund_of": "C1"}
    with pytest.raises(ModelInputError, match="refund_of"):
        Charge.parse(data)
