"""Helpers for testing rules: factories and the pytest plugin (entry point ``pytest11``)."""
