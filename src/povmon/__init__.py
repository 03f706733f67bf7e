"""povmon: household-level poverty monitoring (the five ledgers of every household)."""

__version__ = "0.1.0"
