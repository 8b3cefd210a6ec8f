"""Masking of personal data (ID numbers, names, phone numbers) before display or logging."""

from __future__ import annotations

__all__ = ["mask_id_card", "mask_name", "mask_phone"]

MASK = "*"


def _keep_ends(value: str, head: int, tail: int) -> str:
    """Keep ``head`` leading and ``tail`` trailing characters; mask everything when too short."""
    if len(value) <= head + tail:
        return MASK * len(value)
    return value[:head] + MASK * (len(value) - head - tail) + value[len(value) - tail :]


def mask_id_card(s: str) -> str:
    """Mask an ID card number, keeping the first 3 and the last 2 characters.

    ``mask_id_card("11010519491231002X") == "110*************2X"``.  Values of 5 characters
    or fewer are masked entirely.  Never raises, whatever the input looks like.
    """
    return _keep_ends(s, 3, 2)


def mask_name(name: str) -> str:
    """Mask a person's name, keeping only its first character: ``"张三丰"`` → ``"张**"``.

    A one-character name is masked entirely (keeping it would reveal all of it).
    """
    if len(name) <= 1:
        return MASK * len(name)
    return name[0] + MASK * (len(name) - 1)


def mask_phone(phone: str) -> str:
    """Mask a phone number, keeping the first 3 and the last 4 characters.

    ``mask_phone("13812345678") == "138****5678"``; 7 characters or fewer are masked entirely.
    """
    return _keep_ends(phone, 3, 4)
