"""Queries that return plain data (household, ledger, monthly summary) and their renderers."""
