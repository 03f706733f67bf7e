"""督查与考核: inspections (督查) with what they looked at, their findings and each finding's rectification (整改);
and the year-end assessment (年终考核) — a county's scoring scheme per year, hand scores, appeals (复核) and the
closes that store a year's result with its sha256. The rules are rules.assessment; the writes services.inspections
and services.assessment. Nothing here is ever overwritten: a hand score given again is a new row (the latest
counts), an appeal's decision is recorded on it once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from povmon.models.area import Area
from povmon.models.assistance import Cadre
from povmon.models.base import Base, Fixed2, Provenance, intpk, text_opt, timestamp
from povmon.models.household import Household
from povmon.models.workteam import WorkTeam


class Inspection(Provenance, Base):
    """An inspection (督查): its date, kind (不定期抽查 / 重点督查 / 明察暗访) and inspectors."""

    __tablename__ = "inspection"

    id: Mapped[intpk]
    inspect_date: Mapped[dt.date] = mapped_column(Date, index=True)
    kind: Mapped[str] = mapped_column(String(16))  # vocab: inspection_kind (random, key, unannounced)
    inspectors: Mapped[str] = mapped_column(String(200))
    note: Mapped[text_opt]

    targets: Mapped[list[InspectionTarget]] = relationship(back_populates="inspection",
                                                           order_by="InspectionTarget.id")
    findings: Mapped[list[Finding]] = relationship(back_populates="inspection", order_by="Finding.id")


class InspectionTarget(Base):
    """One thing an inspection looked at: a team, a first secretary or cadre, a village, a household or a project."""

    __tablename__ = "inspection_target"

    id: Mapped[intpk]
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # vocab: target_kind
    team_id: Mapped[int | None] = mapped_column(ForeignKey("work_team.id"), nullable=True, index=True)
    cadre_id: Mapped[int | None] = mapped_column(ForeignKey("cadre.id"), nullable=True, index=True)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"), nullable=True)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id"), nullable=True)
    project: Mapped[str | None] = mapped_column(String(200), nullable=True)  # a project named as written

    inspection: Mapped[Inspection] = relationship(back_populates="targets")
    team: Mapped[WorkTeam | None] = relationship()
    cadre: Mapped[Cadre | None] = relationship()
    area: Mapped[Area | None] = relationship()
    household: Mapped[Household | None] = relationship()


class Finding(Provenance, Base):
    """A finding of an inspection: category, description, rectification deadline, who is responsible; the team
    and cadre it is about (the assessment counts it against them); an absence found (脱岗) sets the day's mark."""

    __tablename__ = "finding"
    __table_args__ = (Index("ix_finding_team_deadline", "team_id", "deadline"),)

    id: Mapped[intpk]
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)
    category: Mapped[str] = mapped_column(String(16))  # vocab: finding_category
    description: Mapped[str] = mapped_column(String(2000))
    deadline: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    responsible: Mapped[str] = mapped_column(String(200))  # who must rectify, as written
    team_id: Mapped[int | None] = mapped_column(ForeignKey("work_team.id"), nullable=True)
    cadre_id: Mapped[int | None] = mapped_column(ForeignKey("cadre.id"), nullable=True, index=True)
    absence: Mapped[bool] = mapped_column(default=False)  # the cadre was found absent (不在岗)

    inspection: Mapped[Inspection] = relationship(back_populates="findings")
    team: Mapped[WorkTeam | None] = relationship()
    cadre: Mapped[Cadre | None] = relationship()
    rectification: Mapped[Rectification | None] = relationship(back_populates="finding", uselist=False)


class Rectification(Provenance, Base):
    """A finding's rectification (整改): the day it was done, the evidence, who confirmed it."""

    __tablename__ = "rectification"

    id: Mapped[intpk]
    finding_id: Mapped[int] = mapped_column(ForeignKey("finding.id"), unique=True)
    rectified_on: Mapped[dt.date] = mapped_column(Date)
    evidence: Mapped[str] = mapped_column(String(2000))
    confirmed_by: Mapped[str | None] = mapped_column(String(100), nullable=True)

    finding: Mapped[Finding] = relationship(back_populates="rectification")


class AssessmentScheme(Base):
    """A county's scoring scheme for a year, as loaded (its TOML text and sha256); the latest of a year counts."""

    __tablename__ = "assessment_scheme"

    id: Mapped[intpk]
    year: Mapped[int] = mapped_column(Integer, index=True)
    name: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    loaded_by: Mapped[str] = mapped_column(String(100))
    loaded_at: Mapped[timestamp]


class HandScore(Base):
    """A score given by hand to one item (群众满意度…) of a team or first secretary for a year; given again, a new
    row (the latest counts, the earlier stay)."""

    __tablename__ = "assessment_hand_score"
    __table_args__ = (Index("ix_assessment_hand_score_year_subject", "year", "subject", "subject_id"),)

    id: Mapped[intpk]
    year: Mapped[int] = mapped_column(Integer)
    subject: Mapped[str] = mapped_column(String(16))  # team / secretary
    subject_id: Mapped[int] = mapped_column(Integer)  # work_team.id or cadre.id
    item: Mapped[str] = mapped_column(String(40))
    score: Mapped[Decimal] = mapped_column(Fixed2())
    reason: Mapped[text_opt]
    scored_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[timestamp]
    created_by: Mapped[str | None] = mapped_column(String(100), nullable=True)


class Appeal(Base):
    """An appeal (复核) against a year's grade: who asked and why; the decision (维持 or another grade), by whom."""

    __tablename__ = "assessment_appeal"
    __table_args__ = (Index("ix_assessment_appeal_year_subject", "year", "subject", "subject_id"),)

    id: Mapped[intpk]
    year: Mapped[int] = mapped_column(Integer)
    subject: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[int] = mapped_column(Integer)
    filed_on: Mapped[dt.date] = mapped_column(Date)
    filed_by: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(String(2000))
    decided_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    grade: Mapped[str | None] = mapped_column(String(16), nullable=True)  # None with a decision: upheld
    decision: Mapped[text_opt]
    created_at: Mapped[timestamp]
    created_by: Mapped[str | None] = mapped_column(String(100), nullable=True)


class AssessmentClose(Base):
    """A year's assessment as the county signed it: the results, their sha256, the scheme's, who and when."""

    __tablename__ = "assessment_close"

    id: Mapped[intpk]
    year: Mapped[int] = mapped_column(Integer, index=True)
    results: Mapped[dict] = mapped_column(JSON)
    sha256: Mapped[str] = mapped_column(String(64))
    scheme_sha256: Mapped[str] = mapped_column(String(64))
    user: Mapped[str] = mapped_column(String(100))
    closed_at: Mapped[timestamp]
    note: Mapped[text_opt]
