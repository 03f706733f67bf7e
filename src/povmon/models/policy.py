"""政策账: the catalogue of policies and each benefit a household or member received."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from povmon.models.base import Base, Provenance, intpk, money, text_opt, timestamp
from povmon.models.household import Household, Member


class Policy(Base):
    """A policy of the catalogue (e.g. 雨露计划, category education)."""

    __tablename__ = "policy"

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(100), unique=True)
    category: Mapped[str] = mapped_column(String(32))  # vocab: policy_category
    description: Mapped[text_opt]
    created_at: Mapped[timestamp]


class Benefit(Provenance, Base):
    """A benefit paid or granted to a household (or one of its members) under a policy."""

    __tablename__ = "benefit"

    id: Mapped[intpk]
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"), nullable=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policy.id"), index=True)
    benefit_date: Mapped[dt.date] = mapped_column(Date, index=True)
    amount: Mapped[money]
    note: Mapped[text_opt]

    household: Mapped[Household] = relationship()
    member: Mapped[Member | None] = relationship()
    policy: Mapped[Policy] = relationship()
