"""Pure functions between core models and wire models (the anti-corruption layer).

==================================  ===========================================================
core → wire                         wire → core
==================================  ===========================================================
:func:`registration_input` (2201)   :func:`visit_from_registration`
:func:`admission_input` (2401)      :func:`visit_from_admission`
:func:`outpatient_fee_input` (2204) :func:`charges_from_fee_details`
:func:`inpatient_fee_input` (2301)  :func:`charges_from_fee_details`
:func:`outpatient_settle_input`     :func:`settlement_from_input`
(2206/2207)
:func:`inpatient_settle_input`      :func:`settlement_from_input`
(2303/2304)
:func:`settlement_output`           :func:`settlement_result` (2206/2207/2303/2304 output)
:func:`settlement_list_input`       :func:`settlement_list_from_input`
(4101A)
:func:`rule_check_input`            :func:`visit_from_rule_check`
(3101/3102)
:func:`output_from_findings`        :func:`findings_from_output` (3101/3102 output)
:func:`feedback_input` (3103)
==================================  ===========================================================

Nothing here does I/O; bad input raises :class:`~yibao_sdk.errors.InputError` (a
:class:`~yibao_sdk.errors.ModelInputError` naming the field when a model does not validate).
"""

from .charges import charges_from_fee_details, inpatient_fee_input, outpatient_fee_input
from .common import Credential
from .findings import PlatformFinding, feedback_input, findings_from_output, output_from_findings
from .rulecheck import rule_check_input, visit_from_rule_check
from .setllist import settlement_list_from_input, settlement_list_input
from .settlements import (
    SettleArgs,
    inpatient_settle_input,
    outpatient_settle_input,
    settle_infno,
    settlement_from_input,
    settlement_output,
    settlement_result,
)
from .visits import (
    admission_input,
    registration_input,
    visit_from_admission,
    visit_from_registration,
)

__all__ = [
    "Credential",
    "PlatformFinding",
    "SettleArgs",
    "admission_input",
    "charges_from_fee_details",
    "feedback_input",
    "findings_from_output",
    "inpatient_fee_input",
    "inpatient_settle_input",
    "outpatient_fee_input",
    "outpatient_settle_input",
    "output_from_findings",
    "registration_input",
    "rule_check_input",
    "settle_infno",
    "settlement_from_input",
    "settlement_list_from_input",
    "settlement_list_input",
    "settlement_output",
    "settlement_result",
    "visit_from_admission",
    "visit_from_registration",
    "visit_from_rule_check",
]
