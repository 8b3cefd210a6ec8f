"""What the mapping modules share: the visit credential, code tables, practitioner codes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from yibao_sdk.errors import InputError, ModelInputError
from yibao_sdk.models.base import errors_of
from yibao_sdk.models.charge import ChargeCategory
from yibao_sdk.models.practitioner import Practitioner, ProfessionalTitle

__all__ = [
    "MED_CHRGITM_TYPE",
    "PROFTTL_CODE",
    "Credential",
    "build",
    "category_of",
    "practitioner_code",
    "required",
    "staff_id",
    "to_cents",
]

M = TypeVar("M", bound=BaseModel)
_CENT = Decimal("0.01")

MED_CHRGITM_TYPE: Mapping[ChargeCategory, str] = {
    ChargeCategory.BED: "01", ChargeCategory.CONSULTATION: "02",
    ChargeCategory.EXAMINATION: "03", ChargeCategory.LAB: "04", ChargeCategory.TREATMENT: "05",
    ChargeCategory.SURGERY: "06", ChargeCategory.NURSING: "07", ChargeCategory.CONSUMABLE: "08",
    ChargeCategory.WESTERN_DRUG: "09", ChargeCategory.HERBAL: "10",
    ChargeCategory.PATENT_DRUG: "11", ChargeCategory.GENERAL: "12",
    ChargeCategory.REGISTRATION: "13", ChargeCategory.OTHER: "14",
}
"""收费类别 → 医疗收费项目类别 ``med_chrgitm_type`` (national dictionary as commonly used; [U]:
the reference does not list it)."""
PROFTTL_CODE: Mapping[ProfessionalTitle, str] = {
    ProfessionalTitle.CHIEF: "231", ProfessionalTitle.ASSOCIATE_CHIEF: "232",
    ProfessionalTitle.ATTENDING: "233", ProfessionalTitle.RESIDENT: "234",
    ProfessionalTitle.ASSISTANT: "235",
}
"""职称 → GB/T 8561 code (``drord_dr_profttl``), the codes core reads back."""


@dataclass(frozen=True, slots=True)
class Credential:
    """就诊凭证: how the patient identified (``mdtrt_cert_type``/``mdtrt_cert_no``)."""

    cert_type: str
    """就诊凭证类型 (01 电子凭证, 02 身份证, 03 社保卡)."""
    cert_no: str
    """就诊凭证编号 (token, ID or card number); personal data."""
    card_sn: str | None = None
    """卡识别码 (with type 03)."""

    def __repr__(self) -> str:
        return f"Credential(cert_type={self.cert_type!r}, cert_no=<masked>)"


def build(model: type[M], data: Mapping[str, Any], *, where: str) -> M:
    """Validate ``data`` as ``model``, raising :class:`~yibao_sdk.errors.ModelInputError`."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ModelInputError(model.__name__, errors_of(exc), where=where) from exc


def required(value: str | None, what: str, *, where: str) -> str:
    """``value``, or :class:`~yibao_sdk.errors.InputError` naming ``what`` if it is empty."""
    if not value:
        raise InputError(f"{what} is required", where=where)
    return value


def to_cents(amount: Decimal, rounding: str = ROUND_HALF_UP) -> Decimal:
    """``amount`` rounded to 分 (0.01) with ``rounding`` (the profile's; [U])."""
    return amount.quantize(_CENT, rounding=rounding)


def category_of(med_chrgitm_type: str | None) -> ChargeCategory:
    """The 收费类别 for a ``med_chrgitm_type`` (``OTHER`` when unknown)."""
    for category, code in MED_CHRGITM_TYPE.items():
        if code == med_chrgitm_type:
            return category
    return ChargeCategory.OTHER


def practitioner_code(practitioners: Mapping[str, Practitioner], staff: str) -> str:
    """医保医师代码 of staff number ``staff`` (the staff number when none is known)."""
    person = practitioners.get(staff)
    return person.national_code if person and person.national_code else staff


def staff_id(practitioners: Mapping[str, Practitioner], code: str | None) -> str:
    """The staff number behind a 医保医师代码 (the code itself when none matches)."""
    if not code:
        return ""
    for staff, person in practitioners.items():
        if person.national_code == code:
            return staff
    return code
