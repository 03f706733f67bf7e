"""Employment (企业 and who works there), training (course and participants) and members' political status."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from povmon.models.area import Area
from povmon.models.base import Base, Provenance, Stint, intpk, money, text_opt
from povmon.models.household import Member
from povmon.models.sealed import HASH_TYPE, SealedId, hash_default


class Enterprise(Provenance, Base):
    """An enterprise, cooperative or workshop that employs members (name, industry, the village it is in)."""

    __tablename__ = "enterprise"

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(200), unique=True)
    industry: Mapped[str] = mapped_column(String(24))  # rules.projects.INDUSTRY
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"), nullable=True, index=True)
    note: Mapped[text_opt]

    area: Mapped[Area | None] = relationship()


class Employment(Provenance, Stint, Base):
    """A member's job at an enterprise from a date to a date, at a monthly wage."""

    __tablename__ = "employment"
    __table_args__ = (
        UniqueConstraint("member_id", "enterprise_id", "start_on"),
        Index("ix_employment_enterprise_start", "enterprise_id", "start_on"),
    )

    id: Mapped[intpk]
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"))
    start_on: Mapped[dt.date] = mapped_column(Date)
    end_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    monthly_wage: Mapped[money]
    post: Mapped[str | None] = mapped_column(String(100), nullable=True)  # 岗位
    note: Mapped[text_opt]

    member: Mapped[Member] = relationship()
    enterprise: Mapped[Enterprise] = relationship()


class Training(Provenance, Base):
    """A training course held on a date by a provider, for an area (village or township)."""

    __tablename__ = "training"
    __table_args__ = (UniqueConstraint("course", "held_on", "area_id"),)

    id: Mapped[intpk]
    course: Mapped[str] = mapped_column(String(200))
    held_on: Mapped[dt.date] = mapped_column(Date, index=True)
    provider: Mapped[str | None] = mapped_column(String(200), nullable=True)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"), nullable=True, index=True)
    note: Mapped[text_opt]

    area: Mapped[Area | None] = relationship()
    participants: Mapped[list[TrainingParticipant]] = relationship(
        back_populates="training", order_by="TrainingParticipant.id")


class TrainingParticipant(Provenance, Base):
    """A member who took part in a training."""

    __tablename__ = "training_participant"
    __table_args__ = (UniqueConstraint("training_id", "member_id"),)

    id: Mapped[intpk]
    training_id: Mapped[int] = mapped_column(ForeignKey("training.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    note: Mapped[text_opt]

    training: Mapped[Training] = relationship(back_populates="participants")
    member: Mapped[Member] = relationship()


class PoliticalStatus(Provenance, Base):
    """A person's 政治面貌 from a date (joining the party, becoming a full member); the latest on a day holds.

    Keyed by the ID number, not the member stint: a person who moves household stays a party member.
    """

    __tablename__ = "political_status"
    __table_args__ = (UniqueConstraint("id_hash", "since"),)

    id: Mapped[intpk]
    id_number: Mapped[str] = mapped_column(SealedId())  # encrypted at rest; compared through id_hash
    id_hash: Mapped[str] = mapped_column(HASH_TYPE, index=True, default=hash_default("id_number"))
    status: Mapped[str] = mapped_column(String(24))  # rules.projects.POLITICAL_STATUS
    since: Mapped[dt.date] = mapped_column(Date)
    note: Mapped[text_opt]
