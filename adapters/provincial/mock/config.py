"""Settings of the mock platform that are not part of a province profile."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from types import MappingProxyType

from yibao_sdk.models.catalog import CatalogItem

from .funds import DEFAULT_FUND_PARAMS, FundParams
from .seed import DEFAULT_CATALOGUE

__all__ = ["MockConfig"]


@dataclass(frozen=True, slots=True)
class MockConfig:
    """How the mock platform behaves beyond what the profile says.

    :param hospital_level: level ("1"/"2"/"3") of institutions not in ``hospital_levels``.
    :param hospital_levels: ``fixmedins_code`` → level (selects price caps and pooled ratios).
    :param funds: fund parameters (see :mod:`.funds`).
    :param catalogue: the catalogue (see :mod:`.seed`).
    :param sign_in_ttl: seconds a ``sign_no`` stays valid; ``None``: until 9002 sign-out.
    :param verify_signatures: check requests with the profile's signer scheme.
    :param file_ttl: how long a file can be fetched with 9102 (``dld_endtime``).
    :param check_settle_amounts: refuse a 2207/2304 whose 全自费/超限价/先行自付/政策范围
        amounts differ from the uploaded lines (skipped when the profile writes absent
        numbers as ``"0"``).
    """

    hospital_level: str = "3"
    hospital_levels: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    funds: FundParams = DEFAULT_FUND_PARAMS
    catalogue: tuple[CatalogItem, ...] = DEFAULT_CATALOGUE
    sign_in_ttl: float | None = None
    verify_signatures: bool = True
    file_ttl: timedelta = timedelta(hours=24)
    check_settle_amounts: bool = True

    def level_of(self, fixmedins_code: str) -> str:
        """The hospital level of an institution."""
        return self.hospital_levels.get(fixmedins_code, self.hospital_level)
