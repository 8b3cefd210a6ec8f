"""Patient (患者/参保人) and hospital (定点医疗机构) models."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import Field

from yibao_sdk.models.base import YibaoModel

__all__ = ["AgeUnit", "Hospital", "HospitalLevel", "Patient", "Sex", "age_on"]


class Sex(StrEnum):
    """性别 (GB/T 2261.1, the national ``gend`` code)."""

    UNKNOWN = "0"
    MALE = "1"
    FEMALE = "2"
    UNSTATED = "9"


class AgeUnit(StrEnum):
    """Unit in which an age is counted (completed units)."""

    DAY = "day"
    MONTH = "month"
    YEAR = "year"


class HospitalLevel(StrEnum):
    """医院等级: the level that selects a price cap or a pooled-fund ratio."""

    LEVEL1 = "1"
    LEVEL2 = "2"
    LEVEL3 = "3"


def age_on(birth: date, day: date, unit: AgeUnit = AgeUnit.YEAR) -> int:
    """Completed age of someone born on ``birth`` at ``day`` (周岁/月龄/日龄)."""
    if unit is AgeUnit.DAY:
        return (day - birth).days
    months = (day.year - birth.year) * 12 + (day.month - birth.month)
    if day.day < birth.day:
        months -= 1
    return months if unit is AgeUnit.MONTH else months // 12


class Patient(YibaoModel):
    """患者: the person treated; ``psn_no`` is the insurance person number (人员编号)."""

    patient_id: str = Field(min_length=1, max_length=30)
    """院内患者ID (hospital patient id)."""
    name: str = Field(min_length=1, max_length=50, repr=False)
    """姓名; personal data, never logged."""
    sex: Sex
    """性别 (gend)."""
    birth_date: date
    """出生日期 (brdy)."""
    id_card: str | None = Field(default=None, max_length=50, repr=False)
    """证件号码 (certno); personal data, never logged."""
    psn_no: str | None = Field(default=None, max_length=30)
    """人员编号 (psn_no), 30."""
    insurance_type: str | None = Field(default=None, max_length=6)
    """险种类型 (insutype), e.g. 310 职工基本医疗保险, 390 城乡居民基本医疗保险."""
    insured_region: str | None = Field(default=None, max_length=6)
    """参保地医保区划 (insuplc_admdvs), 6."""

    def age_on(self, day: date, unit: AgeUnit = AgeUnit.YEAR) -> int:
        """Completed age at ``day`` in ``unit``."""
        return age_on(self.birth_date, day, unit)


class Hospital(YibaoModel):
    """定点医疗机构: the hospital whose rules run."""

    code: str = Field(min_length=1, max_length=30)
    """定点医药机构编号 (fixmedins_code), e.g. H + area (6) + sequence (5)."""
    name: str = Field(min_length=1, max_length=200)
    """机构名称."""
    level: HospitalLevel
    """医院等级."""
    region: str = Field(default="", max_length=6)
    """就医地医保区划 (mdtrtarea_admvs)."""
