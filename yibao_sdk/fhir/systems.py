"""Canonical URIs: identifier systems, code systems and extensions used by the FHIR mappings.

Everything under :data:`BASE` is defined by yibao-sdk (no published Chinese IG covers 医保
settlement); everything else is HL7, SNOMED CT, LOINC or DICOM.  Extensions defined here:

============================  =========================================  ====================
extension (``BASE`` + …)      on                                         value
============================  =========================================  ====================
``/gb-sex``                   Patient                                    valueCoding GB/T 2261.1
``/department``               MedicationRequest, ServiceRequest          valueString 开单科室
``/charge-category``          ChargeItem                                 valueCode 收费类别
``/self-pay``                 ChargeItem                                 valueBoolean 患者自费
``/refund-of``                ChargeItem                                 valueReference 原费用明细
``/scanned-udi``              ChargeItem (repeats)                       valueString UDI as scanned
``/total-price``              ChargeItem (R4B only; R5 totalPriceComponent)  valueMoney 明细总额
``/operation``                Procedure (repeats; sub-extensions         code: valueCoding,
                                                                         main: valueBoolean
``/implant-quantity``         Device                                     valueInteger 数量
``/insutype``                 Claim                                      valueCode 险种类型
============================  =========================================  ====================

Imaging scope (平扫/增强) travels in ``ServiceRequest.orderDetail``: in R5 as a parameter whose
code is :data:`CS_ORDER_DETAIL` ``scope`` with a ``valueCodeableConcept`` from
:data:`CS_IMAGING_SCOPE`; in R4B (where ``orderDetail`` is a CodeableConcept) as a coding from
:data:`CS_IMAGING_SCOPE`.  The modality travels the same way with DICOM :data:`DICOM_DCM` codes.
"""

from __future__ import annotations

BASE = "https://yibao-sdk.dev/fhir"
"""Canonical base of everything yibao-sdk defines."""

# identifier systems (NamingSystem)
SID_PATIENT = f"{BASE}/sid/patient-id"
"""院内患者ID."""
SID_PSN_NO = f"{BASE}/sid/psn-no"
"""医保人员编号 (psn_no)."""
SID_ID_CARD = "urn:oid:2.16.840.1.113883.2.23.1.19.1"
"""居民身份证 (the HL7 China Connectathon IG ``core-patient`` slice)."""
SID_VISIT = f"{BASE}/sid/visit-id"
"""就诊ID."""
SID_PRACTITIONER = f"{BASE}/sid/practitioner-id"
"""医师工号."""
SID_NHSA_PRACTITIONER = f"{BASE}/sid/nhsa-practitioner"
"""医保医师代码."""
SID_ORDER = f"{BASE}/sid/order-id"
"""医嘱ID."""
SID_CHARGE = f"{BASE}/sid/charge-id"
"""费用明细流水号."""
SID_RECORD = f"{BASE}/sid/record-id"
"""文书ID (surgery records, forms, reports)."""
SID_SETTLEMENT = f"{BASE}/sid/settlement-id"
"""院内结算流水号 / 结算ID (setl_id)."""
SID_BARCODE = f"{BASE}/sid/implant-barcode"
"""院内条码 of an implant."""
SID_ADMDVS = f"{BASE}/sid/admdvs"
"""医保区划 (admdvs), identifying the insurer of the insured place."""

# code systems
CS_NHSA_ITEM = f"{BASE}/CodeSystem/nhsa-item"
"""医保目录编码 (national drug / service / consumable code)."""
CS_HOSPITAL_ITEM = f"{BASE}/CodeSystem/hospital-item"
"""医院项目编码."""
CS_ICD10 = f"{BASE}/CodeSystem/icd-10-cn"
"""ICD-10 (国临版 / 医保版)."""
CS_ICD9CM3 = f"{BASE}/CodeSystem/icd-9-cm-3-cn"
"""ICD-9-CM-3 (手术操作)."""
CS_LAB_ITEM = f"{BASE}/CodeSystem/lab-item"
"""检验项目代码."""
CS_GB_SEX = f"{BASE}/CodeSystem/gb-t-2261-1"
"""GB/T 2261.1 性别."""
CS_TITLE = f"{BASE}/CodeSystem/gb-t-8561"
"""GB/T 8561 专业技术职务 (231 主任医师 … 235 医士)."""
CS_INSUTYPE = f"{BASE}/CodeSystem/insutype"
CS_MED_TYPE = f"{BASE}/CodeSystem/med-type"
CS_FUND_PAY_TYPE = f"{BASE}/CodeSystem/fund-pay-type"
CS_SETL_AMOUNT = f"{BASE}/CodeSystem/setl-amount"
"""Settlement amounts by their national wire names (hifp_pay, acct_pay, psn_cash_pay …)."""
CS_CHARGE_ROLE = f"{BASE}/CodeSystem/charge-role"
CS_ORDER_KIND = f"{BASE}/CodeSystem/order-kind"
CS_ORDER_DETAIL = f"{BASE}/CodeSystem/order-detail"
CS_IMAGING_SCOPE = f"{BASE}/CodeSystem/imaging-scope"
CS_FREQUENCY = f"{BASE}/CodeSystem/frequency"
CS_DIAGNOSIS_ROLE = f"{BASE}/CodeSystem/diagnosis-role"
CS_SUPPORTING_INFO = f"{BASE}/CodeSystem/supporting-info"

# extensions
EXT_GB_SEX = f"{BASE}/StructureDefinition/gb-sex"
EXT_DEPARTMENT = f"{BASE}/StructureDefinition/department"
EXT_CHARGE_CATEGORY = f"{BASE}/StructureDefinition/charge-category"
EXT_SELF_PAY = f"{BASE}/StructureDefinition/self-pay"
EXT_REFUND_OF = f"{BASE}/StructureDefinition/refund-of"
EXT_SCANNED_UDI = f"{BASE}/StructureDefinition/scanned-udi"
EXT_TOTAL_PRICE = f"{BASE}/StructureDefinition/total-price"
EXT_OPERATION = f"{BASE}/StructureDefinition/operation"
EXT_IMPLANT_QUANTITY = f"{BASE}/StructureDefinition/implant-quantity"
EXT_INSUTYPE = f"{BASE}/StructureDefinition/insutype"
XVER_CLAIM_ENCOUNTER = "http://hl7.org/fhir/5.0/StructureDefinition/extension-Claim.encounter"
"""R5 ``Claim.encounter`` carried into R4B (HL7 cross-version extension)."""
XVER_CLAIMRESPONSE_ENCOUNTER = (
    "http://hl7.org/fhir/5.0/StructureDefinition/extension-ClaimResponse.encounter"
)

# questionnaires
Q_TEG_PREOP = f"{BASE}/Questionnaire/teg-preop-assessment"
"""The TEG (血栓弹力图) pre-op assessment form (术前评估表)."""

# external systems
V3_ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
V3_PARTICIPATION = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
V3_INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203"
V2_0074 = "http://terminology.hl7.org/CodeSystem/v2-0074"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
ADJUDICATION = "http://terminology.hl7.org/CodeSystem/adjudication"
CLAIM_TYPE = "http://terminology.hl7.org/CodeSystem/claim-type"
PROCESS_PRIORITY = "http://terminology.hl7.org/CodeSystem/processpriority"
PAYMENT_TYPE = "http://terminology.hl7.org/CodeSystem/ex-paymenttype"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
SIGNATURE_TYPE = "urn:iso-astm:E1762-95:2013"
SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
DICOM_DCM = "http://dicom.nema.org/resources/ontology/DCM"
GS1_DI = "http://hl7.org/fhir/NamingSystem/gs1-di"
HIBCC_DI = "http://hl7.org/fhir/NamingSystem/hibcc-dI"
CURRENCY = "CNY"
