"""Helpers importable by the test process and by provider processes (via PYTHONPATH)."""
