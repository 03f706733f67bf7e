"""帮扶账: cadres, their pairings with households, assistance measures and visits."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from povmon.models.area import Area
from povmon.models.base import Base, Provenance, Stint, intpk, money_opt, name, text_opt
from povmon.models.household import Household
from povmon.models.sealed import HASH_TYPE, Sealed, SealedId, hash_default


class Cadre(Provenance, Base):
    """A cadre (干部) who assists households: 帮扶责任人, 第一书记, 工作队长 or 工作队员."""

    __tablename__ = "cadre"

    id: Mapped[intpk]
    name: Mapped[name]
    id_number: Mapped[str] = mapped_column(SealedId())  # encrypted at rest; compared through id_hash
    id_hash: Mapped[str] = mapped_column(HASH_TYPE, unique=True, default=hash_default("id_number"))
    unit: Mapped[str | None] = mapped_column(String(100), nullable=True)  # 帮扶单位 / 工作单位
    post: Mapped[str | None] = mapped_column(String(100), nullable=True)  # 职务
    phone: Mapped[str | None] = mapped_column(Sealed("phone"), nullable=True)
    role: Mapped[str] = mapped_column(String(24), default="responsible")  # vocab: cadre_role
    village_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"), nullable=True)  # where stationed (驻村)
    note: Mapped[text_opt]

    village: Mapped[Area | None] = relationship()


class Pairing(Provenance, Stint, Base):
    """A cadre paired with a household from a date to a date; a replacement ends one and starts another."""

    __tablename__ = "pairing"
    __table_args__ = (
        UniqueConstraint("household_id", "cadre_id", "start_on"),
        Index("ix_pairing_cadre_dates", "cadre_id", "start_on"),
    )

    id: Mapped[intpk]
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    cadre_id: Mapped[int] = mapped_column(ForeignKey("cadre.id"))
    start_on: Mapped[dt.date] = mapped_column(Date)
    end_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    end_reason: Mapped[text_opt]

    household: Mapped[Household] = relationship()
    cadre: Mapped[Cadre] = relationship()


class Measure(Provenance, Base):
    """An assistance measure (帮扶措施) taken for a household."""

    __tablename__ = "measure"

    id: Mapped[intpk]
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    cadre_id: Mapped[int | None] = mapped_column(ForeignKey("cadre.id"), nullable=True)
    kind: Mapped[str] = mapped_column(String(24))  # vocab: measure_kind
    measure_date: Mapped[dt.date] = mapped_column(Date, index=True)
    description: Mapped[text_opt]
    amount: Mapped[money_opt]

    household: Mapped[Household] = relationship()
    cadre: Mapped[Cadre | None] = relationship()


class Visit(Provenance, Base):
    """A cadre's visit (走访) to a household: what was done, problems found, whether resolved."""

    __tablename__ = "visit"
    __table_args__ = (Index("ix_visit_household_date", "household_id", "visit_date"),)

    id: Mapped[intpk]
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"))
    cadre_id: Mapped[int] = mapped_column(ForeignKey("cadre.id"), index=True)
    visit_date: Mapped[dt.date] = mapped_column(Date, index=True)
    done: Mapped[text_opt]
    problems: Mapped[text_opt]
    resolved: Mapped[bool | None] = mapped_column(Boolean, nullable=True)

    household: Mapped[Household] = relationship()
    cadre: Mapped[Cadre] = relationship()
