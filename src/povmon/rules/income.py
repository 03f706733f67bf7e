"""Per-capita net income (收入账).

    per-capita net income = (wage + business − business expenses + property + transfer) / members present

Members present are those on the register on the reference date (deceased and moved-out members
excluded). Every step is exact Decimal arithmetic; the only rounding is half-up to fen at the end.
With no member present there is no per-capita figure (None), rather than a division by zero.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from dataclasses import dataclass, fields
from decimal import ROUND_HALF_UP, Decimal

from povmon.rules.money import FEN

COMPONENTS = ("wage", "business", "business_expense", "property", "transfer")
COMPONENT_LABELS = {
    "wage": "工资性收入",
    "business": "生产经营性收入",
    "business_expense": "生产经营性支出",
    "property": "财产性收入",
    "transfer": "转移性收入",
    "compliant_spending": "合规自付支出",
}


@dataclass(frozen=True)
class IncomeYear:
    """A household's income components for one year (the sum of its entries)."""

    wage: Decimal = Decimal(0)
    business: Decimal = Decimal(0)
    business_expense: Decimal = Decimal(0)
    property: Decimal = Decimal(0)
    transfer: Decimal = Decimal(0)
    compliant_spending: Decimal = Decimal(0)

    def __add__(self, other: IncomeYear) -> IncomeYear:
        return IncomeYear(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})

    @classmethod
    def total(cls, entries: Iterable[IncomeYear]) -> IncomeYear:
        """Sum monthly or partial entries into the year."""
        result = cls()
        for entry in entries:
            result = result + entry
        return result

    @builtins.property  # the field named `property` shadows the builtin in this class body
    def net(self) -> Decimal:
        """Net income: wage + business − business expenses + property + transfer (exact)."""
        return self.wage + self.business - self.business_expense + self.property + self.transfer


def per_capita(net: Decimal, members_present: int) -> Decimal | None:
    """Net income divided by the members present, rounded half-up to fen only at the end."""
    if members_present <= 0:
        return None
    return (Decimal(net) / Decimal(members_present)).quantize(FEN, rounding=ROUND_HALF_UP)


def per_capita_of(year: IncomeYear, members_present: int) -> Decimal | None:
    """Per-capita net income of a year's components."""
    return per_capita(year.net, members_present)
