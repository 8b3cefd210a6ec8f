"""HIS adapter: ADT, pharmacy orders (RDE/OMP) and DFT charges from HL7 v2; FHIR mappings."""
