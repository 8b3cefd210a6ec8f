"""LIS adapter: HL7 v2 / FHIR mappings; built in a later issue."""
