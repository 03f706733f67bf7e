"""防止返贫动态监测 since 2026: departments' lists and their rows, screening rules, leads and the steps of each.

A department's list is an import batch (``ImportBatch``, options ``{"kind": "dept", "dept": "医保"}``) whose rows
are ``DeptRow``s, each matched (or not) to a member by ID number. The screening rules are data (``MonitorRule``,
loaded from a CSV). A lead (``Lead``) names a household, maybe a member, its rule and where it came from; its
steps (``LeadStep``) are its history — a lead is decided when it has a decision step, and the decision 纳入
records the household's ``monitoring_added`` event through services.events (its id in ``LeadStep.event_id``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from povmon.models.base import Base, Fixed2, intpk, money_opt, text_opt, timestamp
from povmon.models.household import Household, Member
from povmon.models.sealed import HASH_TYPE, SealedId, hash_default


class DeptRow(Base):
    """One row of a department's list: a person and an event, with the figures the department sends.

    ``key`` identifies the row's content (department, ID number, date and figures): the same row in a later
    file is recognised and not stored twice. ``member_id`` is the member the ID number matched on import
    (None: not in the register then; screening matches again by ID number, so a person added later is found).
    """

    __tablename__ = "dept_row"
    # few indexes: a 医保 list has hundreds of thousands of rows a month (screening scans them by date anyway)
    __table_args__ = (UniqueConstraint("dept", "key"),)

    id: Mapped[intpk]
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batch.id"), index=True)
    dept: Mapped[str] = mapped_column(String(8))  # 医保 民政 残联 教育 应急 人社 住建 水利
    key: Mapped[str] = mapped_column(String(64))
    source_row: Mapped[int] = mapped_column(Integer)  # the row Excel shows
    name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    id_number: Mapped[str] = mapped_column(SealedId())  # encrypted at rest; compared through id_hash
    id_hash: Mapped[str] = mapped_column(HASH_TYPE, index=True, default=hash_default("id_number"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"), nullable=True)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id"), nullable=True)
    event_date: Mapped[dt.date] = mapped_column(Date)  # settlement, certificate, loss, assessment …
    end_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)  # 民政: to
    amount: Mapped[Decimal | None] = mapped_column(Fixed2(), nullable=True)  # 医保 out-of-pocket, 应急 loss, 民政 sum
    total: Mapped[money_opt]  # 医保 total cost
    fund: Mapped[money_opt]  # 医保 fund payments
    category: Mapped[str | None] = mapped_column(String(100), nullable=True)  # programme, disaster, event, problem
    grade: Mapped[str | None] = mapped_column(String(50), nullable=True)  # disability grade, housing grade, status
    detail: Mapped[dict | None] = mapped_column(JSON, nullable=True)  # the other fields as the department sent them

    member: Mapped[Member | None] = relationship()


class MonitorRule(Base):
    """A screening rule's threshold for a population and the years it applies (rules.monitoring)."""

    __tablename__ = "monitor_rule"
    __table_args__ = (UniqueConstraint("code", "population", "from_year"),)

    id: Mapped[intpk]
    code: Mapped[str] = mapped_column(String(32))
    population: Mapped[str] = mapped_column(String(16))  # former_poor / monitored / all_rural
    threshold: Mapped[money_opt]  # yuan
    ratio: Mapped[Decimal | None] = mapped_column(Fixed2(), nullable=True)  # a share (0.50) or a multiple
    window_months: Mapped[int] = mapped_column(Integer, default=12)
    from_year: Mapped[int] = mapped_column(Integer)
    to_year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    approximate: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[text_opt]
    loaded_at: Mapped[timestamp]
    loaded_by: Mapped[str | None] = mapped_column(String(100), nullable=True)


class Lead(Base):
    """A risk lead (风险线索) of a household: its rule, its source and what triggered it."""

    __tablename__ = "lead"
    __table_args__ = (Index("ix_lead_household_rule", "household_id", "rule"),)

    id: Mapped[intpk]
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"), nullable=True)
    rule: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(16))  # a department, "register" or "hand"
    lead_source: Mapped[str] = mapped_column(String(16))  # vocab lead_source: self_report / cadre_check / department
    detected_on: Mapped[dt.date] = mapped_column(Date, index=True)
    detail: Mapped[text_opt]
    evidence: Mapped[str | None] = mapped_column(String(200), nullable=True)  # what triggered it (idempotent screens)
    dept_row_id: Mapped[int | None] = mapped_column(ForeignKey("dept_row.id"), nullable=True)
    figures: Mapped[dict | None] = mapped_column(JSON, nullable=True)  # the rule's figures (amount, threshold …)
    created_at: Mapped[timestamp]
    created_by: Mapped[str | None] = mapped_column(String(100), nullable=True)

    household: Mapped[Household] = relationship()
    member: Mapped[Member | None] = relationship()
    steps: Mapped[list[LeadStep]] = relationship(back_populates="lead", order_by="LeadStep.id")


class LeadStep(Base):
    """One step of a lead's procedure (入户核实 … 县级审定, then the decision), with its date and who."""

    __tablename__ = "lead_step"

    id: Mapped[intpk]
    lead_id: Mapped[int] = mapped_column(ForeignKey("lead.id"), index=True)
    step: Mapped[str] = mapped_column(String(16))  # rules.monitoring.STEPS
    step_date: Mapped[dt.date] = mapped_column(Date)
    until: Mapped[dt.date | None] = mapped_column(Date, nullable=True)  # 公示: its last day
    result: Mapped[str | None] = mapped_column(String(8), nullable=True)  # decision: include / exclude
    monitoring_type: Mapped[str | None] = mapped_column(String(32), nullable=True)
    risks: Mapped[str | None] = mapped_column(String(200), nullable=True)
    consent: Mapped[bool | None] = mapped_column(Boolean, nullable=True)  # 入户核实: 承诺授权 signed
    event_id: Mapped[int | None] = mapped_column(ForeignKey("household_event.id"), nullable=True)
    by: Mapped[str | None] = mapped_column(String(100), nullable=True)  # who did it (a name, a body)
    note: Mapped[text_opt]
    created_at: Mapped[timestamp]
    created_by: Mapped[str | None] = mapped_column(String(100), nullable=True)

    lead: Mapped[Lead] = relationship(back_populates="steps")
