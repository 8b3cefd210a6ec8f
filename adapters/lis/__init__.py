"""LIS adapter: lab orders (OML^O21), results and pre-op forms (ORU^R01, MDM^T02); FHIR."""
