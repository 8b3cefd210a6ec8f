"""Adapters between wire formats (HL7 v2, FHIR, the provincial interface) and the core models."""
