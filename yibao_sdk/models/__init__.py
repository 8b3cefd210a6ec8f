"""Core models: patient, visit, practitioner, orders, charges, records, catalogue, settlement."""

from yibao_sdk.models.base import Money, Quantity, YibaoModel
from yibao_sdk.models.catalog import AgeLimit, CatalogItem, PaymentClass, PriceCap, RestrictionLevel
from yibao_sdk.models.charge import Charge, ChargeCategory
from yibao_sdk.models.order import (
    ConsumableOrder,
    DrugOrder,
    ImagingOrder,
    ImagingScope,
    LabOrder,
    Order,
    ProcedureOrder,
    Signature,
)
from yibao_sdk.models.patient import AgeUnit, Hospital, HospitalLevel, Patient, Sex
from yibao_sdk.models.practitioner import GreyListTier, Practitioner, ProfessionalTitle, Violation
from yibao_sdk.models.record import (
    FormRecord,
    ImagingReport,
    Implant,
    LabReport,
    LabResult,
    Operation,
    Record,
    SurgeryRecord,
)
from yibao_sdk.models.settlement import (
    FundPayment,
    Settlement,
    SettlementList,
    SettlementListDiagnosis,
    SettlementListOperation,
    SettlementResult,
)
from yibao_sdk.models.visit import Diagnosis, Visit, VisitType

__all__ = [
    "AgeLimit",
    "AgeUnit",
    "CatalogItem",
    "Charge",
    "ChargeCategory",
    "ConsumableOrder",
    "Diagnosis",
    "DrugOrder",
    "FormRecord",
    "FundPayment",
    "GreyListTier",
    "Hospital",
    "HospitalLevel",
    "ImagingOrder",
    "ImagingReport",
    "ImagingScope",
    "Implant",
    "LabOrder",
    "LabReport",
    "LabResult",
    "Money",
    "Operation",
    "Order",
    "Patient",
    "PaymentClass",
    "Practitioner",
    "PriceCap",
    "ProcedureOrder",
    "ProfessionalTitle",
    "Quantity",
    "Record",
    "RestrictionLevel",
    "Settlement",
    "SettlementList",
    "SettlementListDiagnosis",
    "SettlementListOperation",
    "SettlementResult",
    "Sex",
    "Signature",
    "SurgeryRecord",
    "Violation",
    "Visit",
    "VisitType",
    "YibaoModel",
]
