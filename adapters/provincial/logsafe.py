"""Keeping patient data out of the client's log lines and journal notes.

The client never logs a request or reply body. What it does log (error messages, which may
quote the platform's ``err_msg``) goes through a :class:`Redactor` built from the call's own
input: every name, ID, card and phone number found there is masked wherever it appears, and
:func:`yibao_sdk.privacy.scrub` masks anything else shaped like an ID-card or mobile number.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel

from yibao_sdk.codes.masking import mask_id_card, mask_name
from yibao_sdk.models.patient import Patient
from yibao_sdk.privacy import scrub

__all__ = ["PERSONAL_MEMBERS", "Redactor"]

PERSONAL_MEMBERS = frozenset({
    "psn_name", "patn_name", "certno", "psn_cert_no", "mdtrt_cert_no", "card_sn", "tel",
    "mob", "phone", "coner_name", "coner_tel", "coner_addr", "curr_addr", "emp_tel",
    "emp_addr", "addr", "agnter_name", "agnter_certno", "agnter_tel", "agnter_addr",
})
"""Wire members whose values are personal data (names, ID/card/phone numbers, addresses)."""
_NAME_MAX = 4  # Chinese names: 2-4 characters


def _mask(value: str) -> str:
    return mask_name(value) if len(value) <= _NAME_MAX else mask_id_card(value)


def _collect(node: Any, found: set[str]) -> None:
    if isinstance(node, BaseModel):
        node = node.model_dump(by_alias=True)
    if isinstance(node, Mapping):
        for key, value in node.items():
            if key in PERSONAL_MEMBERS and isinstance(value, str) and len(value) > 1:
                found.add(value)
            else:
                _collect(value, found)
    elif isinstance(node, list | tuple):
        for item in node:
            _collect(item, found)


class Redactor:
    """Masks known personal values, then anything shaped like an ID-card or mobile number.

    :param values: the strings to mask wherever they occur.
    """

    def __init__(self, values: Iterable[str] = ()) -> None:
        self._values = sorted({v for v in values if len(v) > 1}, key=len, reverse=True)

    @classmethod
    def of(cls, *trees: Any, patient: Patient | None = None) -> Redactor:
        """A redactor for the personal values inside ``trees`` (wire inputs, dicts, models)
        and of ``patient`` (name, ID number)."""
        found: set[str] = set()
        for tree in trees:
            _collect(tree, found)
        if patient is not None:
            found.update(v for v in (patient.name, patient.id_card) if v)
        return cls(found)

    def __add__(self, other: Redactor) -> Redactor:
        return Redactor([*self._values, *other._values])

    def __call__(self, text: str) -> str:
        """``text`` with every known value masked and :func:`~yibao_sdk.privacy.scrub` applied."""
        for value in self._values:
            text = text.replace(value, _mask(value))
        return scrub(text)

    def __repr__(self) -> str:
        return f"Redactor(<{len(self._values)} values>)"
