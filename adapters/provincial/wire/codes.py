"""National code tables used on the wire (reference §1.3, §3.5).

Only values the reference confirms ([C]) are members; where a field also carries regional or
unconfirmed values (``insutype``, ``med_type``) the wire field stays a ``str`` and these enums
are the named constants for it.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "DiagType",
    "DspoWay",
    "InoutDiseType",
    "Insutype",
    "MdtrtCertType",
    "MedMdtrtType",
    "MedType",
    "OpterType",
    "TrigScen",
    "VolaItemType",
    "WarnType",
]


class MdtrtCertType(StrEnum):
    """就诊凭证类型 ``mdtrt_cert_type``, char 3."""

    ECTOKEN = "01"
    """电子凭证令牌 (e-voucher token)."""
    ID_CARD = "02"
    """身份证号."""
    SOCIAL_CARD = "03"
    """社会保障卡号; 1101 then needs ``card_sn``."""


class Insutype(StrEnum):
    """险种类型 ``insutype``, char 6 (confirmed values; 392/510 etc. are regional)."""

    EMPLOYEE = "310"
    """职工基本医疗保险."""
    CIVIL_SERVANT = "320"
    """公务员医疗补助."""
    LARGE_AMOUNT = "330"
    """大额医疗费用补助."""
    RETIRED_CADRE = "340"
    """离休人员医疗保障 (recer_sys_code ``LXXT`` in Chongqing/Inner Mongolia)."""
    RESIDENT = "390"
    """城乡居民基本医疗保险."""


class MedType(StrEnum):
    """医疗类别 ``med_type``, char 6 (confirmed values; 12/13/41/51/52/9xxx are regional)."""

    OUTPATIENT = "11"
    """普通门诊."""
    CHRONIC_OUTPATIENT = "14"
    """门诊慢特病."""
    INPATIENT = "21"
    """普通住院."""


class OpterType(StrEnum):
    """经办人类别 ``opter_type``, char 3."""

    STAFF = "1"
    """经办人 (staff)."""
    KIOSK = "2"
    """自助终端."""
    MOBILE = "3"
    """移动终端."""


class DiagType(StrEnum):
    """诊断类别 ``diag_type`` in 2203/2401/2402 ``diseinfo``."""

    WESTERN = "1"
    """西医诊断."""
    TCM_DISEASE = "2"
    """中医主病诊断."""
    TCM_SYNDROME = "3"
    """中医主证诊断."""


class InoutDiseType(StrEnum):
    """出入院诊断类别 ``inout_dise_type`` (3101/3102)."""

    ADMISSION = "1"
    DISCHARGE = "2"


class MedMdtrtType(StrEnum):
    """就诊类型 ``med_mdtrt_type`` (3101/3102)."""

    OUTPATIENT = "1"
    INPATIENT = "2"
    DRUG_PURCHASE = "3"
    OTHER = "4"


class TrigScen(StrEnum):
    """触发场景 ``trig_scen``: 1–5 事前 (3101), 6–10 事中 (3102)."""

    OUTPATIENT_REGISTRATION = "1"
    OUTPATIENT_CHARGE = "2"
    ADMISSION = "3"
    INPATIENT_CHARGE = "4"
    INPATIENT_ORDER = "5"
    OUTPATIENT_SETTLEMENT = "6"
    OUTPATIENT_PRESETTLEMENT = "7"
    INPATIENT_SETTLEMENT = "8"
    INPATIENT_PRESETTLEMENT = "9"
    PHARMACY_PURCHASE = "10"

    @property
    def pre_event(self) -> bool:
        """True for 事前 scenes (1–5, sent with 3101)."""
        return int(self.value) <= 5


class VolaItemType(StrEnum):
    """违规明细类别 ``vola_item_type``."""

    VIOLATING = "1"
    """违规项目."""
    INVOLVED = "2"
    """涉及项目."""


class WarnType(StrEnum):
    """3103 ``warn_type``."""

    PRE_EVENT = "1"
    """事前."""
    IN_EVENT = "2"
    """事中."""


class DspoWay(StrEnum):
    """3103 处理方式 ``dspo_way``."""

    CONTINUE = "1"
    """继续执行 (a reason, ``dspo_way_rea``, is required)."""
    MODIFY = "2"
    """返回修改."""
