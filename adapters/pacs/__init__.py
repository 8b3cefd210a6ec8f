"""PACS adapter: imaging orders (OMI^O23, ORM^O01) and reports (ORU^R01); FHIR mappings."""
