"""Exact amounts: parsing what clerks type, rounding half-up to fen, formatting for JSON and paper."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

FEN = Decimal("0.01")
ZERO = Decimal("0.00")


def to_fen(value: Decimal) -> Decimal:
    """Round half-up to two decimals (fen)."""
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


def yuan(value: Decimal | None) -> str | None:
    """The JSON form of money: a string with two decimals, e.g. "12345.60"."""
    if value is None:
        return None
    return f"{to_fen(value):.2f}"


def as_decimal(value: object) -> Decimal:
    """Exact Decimal from an int, a Decimal or a float read from a spreadsheet cell.

    A float cell is converted through its shortest repr (3000.1 → Decimal('3000.1')), never through
    its binary value, so what the clerk typed is what is stored.
    """
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise InvalidOperation("boolean is not an amount")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(str(value))
