"""收入账: income entries (yearly or monthly, summed per year) and the poverty / monitoring lines."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from povmon.models.base import Base, Fixed2, Provenance, intpk, money, text_opt
from povmon.models.household import Household


class Income(Provenance, Base):
    """One income entry of a household: a whole year (month 0) or one month; a year's entries are summed."""

    __tablename__ = "income"
    __table_args__ = (
        UniqueConstraint("household_id", "year", "month"),
        CheckConstraint("month >= 0 AND month <= 12", name="month"),
    )

    id: Mapped[intpk]
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    month: Mapped[int] = mapped_column(Integer, default=0)  # 0 = the entry covers the whole year
    wage: Mapped[money]  # 工资性收入
    business: Mapped[money]  # 生产经营性收入
    business_expense: Mapped[money]  # 生产经营性支出
    property: Mapped[money]  # 财产性收入
    transfer: Mapped[money]  # 转移性收入
    compliant_spending: Mapped[money]  # 合规自付支出 (medical, schooling), used by monitoring rules
    note: Mapped[text_opt]

    household: Mapped[Household] = relationship()


class PovertyLine(Base):
    """A poverty or monitoring line for a year and region; counties may load their own."""

    __tablename__ = "poverty_line"
    __table_args__ = (
        UniqueConstraint("year", "region", "kind"),
        CheckConstraint("kind IN ('poverty', 'monitoring')", name="kind"),
    )

    id: Mapped[intpk]
    year: Mapped[int] = mapped_column(Integer)
    region: Mapped[str] = mapped_column(String(50), default="national")
    kind: Mapped[str] = mapped_column(String(12))
    yuan: Mapped[Decimal] = mapped_column(Fixed2())
    note: Mapped[text_opt]
