"""The in-memory history: overlapping stays and refund-aware UDI uses."""

from __future__ import annotations

from datetime import datetime, timedelta

from yibao_sdk.rules import InMemoryHistory, udi_key
from yibao_sdk.testing import factories as f

UDI = "(01)06901234567892(17)271231(10)B2401(21)SN0001"


def test_a_long_stay_overlapping_the_window_is_found() -> None:
    long_stay = f.visit(visit_id="LONG", admitted_at=datetime(2026, 1, 1),
                        discharged_at=datetime(2026, 3, 1))
    open_stay = f.visit(visit_id="OPEN", admitted_at=datetime(2025, 12, 1))
    old = f.visit(visit_id="OLD", admitted_at=datetime(2025, 1, 1),
                  discharged_at=datetime(2025, 1, 9))
    history = InMemoryHistory([long_stay, open_stay, old])
    found = history.visits_overlapping("P0001", datetime(2026, 2, 28), datetime(2026, 3, 2))
    assert {v.visit_id for v in found} == {"LONG", "OPEN"}
    assert history.visits_overlapping("P0001", datetime(2026, 3, 1, 0, 1),
                                      datetime(2026, 3, 2)) == [open_stay]


def test_a_billed_udi_is_a_use_but_a_refunded_one_is_not() -> None:
    key = udi_key(UDI)
    assert key == "06901234567892/SN0001"
    billed = f.charge("C1", quantity=1, udis=(UDI,))
    refund = f.charge("C1", quantity=-1, udis=(UDI,), at=f.T0 + timedelta(minutes=5))
    history = InMemoryHistory([f.visit(visit_id="WRONG", charges=[billed, refund]),
                               f.visit(visit_id="RIGHT", charges=[f.charge("C1", udis=(UDI,))])])
    assert [u.visit_id for u in history.udi_uses(key)] == ["RIGHT"]


def test_implants_in_surgery_records_are_uses() -> None:
    history = InMemoryHistory([f.visit(visit_id="OP", records=[f.surgery(f.implant(UDI))])])
    assert [u.visit_id for u in history.udi_uses("06901234567892/SN0001")] == ["OP"]
    assert udi_key("(01)06901234567892(10)LOT") is None
    assert udi_key("garbage") is None


def test_a_refund_naming_its_line_cancels_that_lines_udi_without_repeating_it() -> None:
    billed = f.charge("C1", quantity=1, udis=(UDI,))
    refund = f.charge("C1", quantity=-1, at=f.T0 + timedelta(minutes=5),
                      refund_of=billed.charge_id)
    history = InMemoryHistory([f.visit(visit_id="WRONG", charges=[billed, refund])])
    assert history.udi_uses(udi_key(UDI) or "") == ()


def test_duplicate_catalogue_codes_and_practitioner_ids_are_refused() -> None:
    import pytest

    from yibao_sdk import InputError
    from yibao_sdk.rules import Catalog, Practitioners

    with pytest.raises(InputError, match="catalogue code 'X1' is given twice"):
        Catalog([f.catalog_item("X1"), f.catalog_item("X1")])
    with pytest.raises(InputError, match="practitioner_id 'D1' is given twice"):
        Practitioners([f.practitioner("D1"), f.practitioner("D1")])
