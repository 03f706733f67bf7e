"""家庭账 and 识别账: households, their members (membership stints) and the status history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ColumnElement,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    and_,
    func,
    or_,
    text,
)
from sqlalchemy.ext.hybrid import hybrid_method, hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from povmon.models.area import Area
from povmon.models.base import Base, Fixed2, Provenance, code_opt, intpk, name, text_opt, utcnow
from povmon.models.sealed import HASH_TYPE, Sealed, SealedId, hash_default
from povmon.rules import dates, exit_standard


class Household(Provenance, Base):
    """A household (户) of a village, keyed by its household code (户编号).

    The head is not a column: it is the present member whose relation is 户主, so the register
    cannot disagree with itself about who heads the household.
    """

    __tablename__ = "household"

    id: Mapped[intpk]
    code: Mapped[str] = mapped_column(String(32), unique=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    group_name: Mapped[str | None] = mapped_column(String(50), nullable=True)  # 村民小组 / 自然村
    phone: Mapped[str | None] = mapped_column(Sealed("phone"), nullable=True)  # encrypted at rest (povmon.crypto)
    attribute: Mapped[str | None] = mapped_column(String(32), nullable=True)  # vocab: attribute
    standard: Mapped[code_opt]  # vocab: standard (识别标准)
    main_cause: Mapped[code_opt]  # vocab: cause
    other_causes: Mapped[str | None] = mapped_column(String(200), nullable=True)  # comma-separated cause codes
    arable_land: Mapped[Decimal | None] = mapped_column(Fixed2(), nullable=True)  # 耕地（亩）
    forest_land: Mapped[Decimal | None] = mapped_column(Fixed2(), nullable=True)  # 林地（亩）
    housing_safety: Mapped[str | None] = mapped_column(String(1), nullable=True)  # A B C D
    safe_water: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    electricity: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    road: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    food_clothing_secure: Mapped[bool | None] = mapped_column(Boolean, nullable=True)  # 两不愁
    declared_size: Mapped[int | None] = mapped_column(Integer, nullable=True)  # 家庭人口 as a file declared it
    note: Mapped[text_opt]
    updated_at: Mapped[dt.datetime | None] = mapped_column(nullable=True, onupdate=utcnow)

    village: Mapped[Area] = relationship()
    members: Mapped[list[Member]] = relationship(back_populates="household", order_by="Member.id")
    events: Mapped[list[HouseholdEvent]] = relationship(
        back_populates="household", order_by="HouseholdEvent.event_date, HouseholdEvent.id"
    )

    @hybrid_property
    def housing_unsafe(self) -> bool:
        """住房安全 not met: a house assessed C or D (危房; rules.exit_standard.housing_unsafe)."""
        return exit_standard.housing_unsafe(self.housing_safety)

    @housing_unsafe.inplace.expression
    @classmethod
    def _housing_unsafe_sql(cls) -> ColumnElement[bool]:
        return cls.housing_safety.in_(sorted(exit_standard.UNSAFE_HOUSING))


class Member(Provenance, Base):
    """One stint of a person in a household (成员).

    A person moving to another household ends one stint (left_on, reason 迁出) and starts another,
    so history is never overwritten. A member counts from ``since`` — the day they joined (新增), else
    their birth (from the ID number) — so nobody is present before they were born: present on a date D
    means ``since`` is empty or on/before D, and left_on is empty or after D. A person (ID number) is
    present in at most one household at a time.
    """

    __tablename__ = "member"
    __table_args__ = (
        Index(
            "uq_member_present_id_hash",
            "id_hash",
            unique=True,
            sqlite_where=text("left_on IS NULL"),
            postgresql_where=text("left_on IS NULL"),
        ),
        CheckConstraint("left_reason IS NULL OR left_reason IN ('deceased', 'moved_out')", name="left_reason"),
    )

    id: Mapped[intpk]
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    name: Mapped[name]
    id_number: Mapped[str] = mapped_column(SealedId())  # encrypted at rest; compared through id_hash
    id_hash: Mapped[str] = mapped_column(HASH_TYPE, index=True, default=hash_default("id_number"))
    relation: Mapped[str] = mapped_column(String(32))  # vocab: relation
    sex: Mapped[str | None] = mapped_column(String(1), nullable=True)  # M / F, from the ID
    birth_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)  # from the ID
    ethnicity: Mapped[str | None] = mapped_column(String(20), nullable=True)
    education: Mapped[code_opt]
    school_status: Mapped[code_opt]
    health: Mapped[code_opt]
    disability_grade: Mapped[code_opt]
    labour: Mapped[code_opt]
    work_status: Mapped[code_opt]
    work_months: Mapped[int | None] = mapped_column(Integer, nullable=True)
    medical_insurance: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    pension_insurance: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    subsistence_allowance: Mapped[bool | None] = mapped_column(Boolean, nullable=True)  # 低保
    extreme_poverty_support: Mapped[bool | None] = mapped_column(Boolean, nullable=True)  # 特困供养
    phone: Mapped[str | None] = mapped_column(Sealed("phone"), nullable=True)
    joined_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)  # set when added (新增) after registration
    left_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    left_reason: Mapped[str | None] = mapped_column(String(10), nullable=True)  # deceased / moved_out
    note: Mapped[text_opt]
    updated_at: Mapped[dt.datetime | None] = mapped_column(nullable=True, onupdate=utcnow)

    household: Mapped[Household] = relationship(back_populates="members")

    @property
    def since(self) -> dt.date | None:
        """From when the member counts: the day they joined (新增), else their birth date."""
        return self.joined_on or self.birth_date

    # The rules of rules.dates and rules.exit_standard on a member, in Python and in SQL alike: one definition
    # for the ledger of one household and the monthly summary of a county (services.snapshot, reports).

    @hybrid_method
    def known_on(self, day: dt.date) -> bool:
        """Whether the member belongs to the household's history by that day (joined or born by then)."""
        return dates.known_on(self.joined_on or self.birth_date, day)

    @known_on.inplace.expression
    @classmethod
    def _known_on_sql(cls, day: dt.date) -> ColumnElement[bool]:
        since = func.coalesce(cls.joined_on, cls.birth_date)
        return or_(since.is_(None), since <= day)

    @hybrid_method
    def present_on(self, day: dt.date) -> bool:
        """Whether this member counts as present (在册) on the given day (rules.dates.present_on)."""
        return dates.present_on(self.joined_on or self.birth_date, self.left_on, day)

    @present_on.inplace.expression
    @classmethod
    def _present_on_sql(cls, day: dt.date) -> ColumnElement[bool]:
        return and_(cls.known_on(day), or_(cls.left_on.is_(None), cls.left_on > day))

    @hybrid_method
    def aged_between(self, youngest: int, oldest: int, day: dt.date) -> bool:
        """Whether the member is ``youngest`` to ``oldest`` years old on the day (rules.dates.aged_between)."""
        return dates.aged_between(self.birth_date, youngest, oldest, day)

    @aged_between.inplace.expression
    @classmethod
    def _aged_between_sql(cls, youngest: int, oldest: int, day: dt.date) -> ColumnElement[bool]:
        earliest, latest = dates.born_between(youngest, oldest, day)
        return cls.birth_date.between(earliest, latest)

    @hybrid_method
    def out_of_school_on(self, day: dt.date) -> bool:
        """义务教育 not met by this member on the day (rules.exit_standard.out_of_school)."""
        return exit_standard.out_of_school(self.birth_date, self.school_status, self.health, day)

    @out_of_school_on.inplace.expression
    @classmethod
    def _out_of_school_on_sql(cls, day: dt.date) -> ColumnElement[bool]:
        young, old = exit_standard.SCHOOL_AGE
        return and_(cls.school_status == exit_standard.NOT_IN_SCHOOL, cls.aged_between(young, old, day),
                    or_(cls.health.is_(None), cls.health.not_in(sorted(exit_standard.HEALTH_EXCUSED))))

    @hybrid_property
    def uninsured(self) -> bool:
        """基本医疗 not met: recorded as not insured (rules.exit_standard.uninsured)."""
        return exit_standard.uninsured(self.medical_insurance)

    @uninsured.inplace.expression
    @classmethod
    def _uninsured_sql(cls) -> ColumnElement[bool]:
        return cls.medical_insurance.is_(False)

    def state_on(self, day: dt.date) -> str:
        """The membership state code on a day: present, added, deceased or moved_out."""
        if self.left_on is not None and self.left_on <= day:
            return self.left_reason or "moved_out"
        return "added" if self.joined_on is not None else "present"


class HouseholdEvent(Provenance, Base):
    """One change of a household's status (识别账), dated; the status on a day is the latest event.

    Kinds: identified, exited, returned (the poverty status); monitoring_added, risk_eliminated,
    elimination_revoked (monitoring); cancelled (a correction that voids an earlier event from its date).
    """

    __tablename__ = "household_event"
    __table_args__ = (Index("ix_household_event_household_date", "household_id", "event_date"),)

    id: Mapped[intpk]
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"))
    kind: Mapped[str] = mapped_column(String(24))  # vocab: event_kind
    event_date: Mapped[dt.date] = mapped_column(Date, index=True)
    year_only: Mapped[bool] = mapped_column(Boolean, default=False)  # the source gave only a year (→ 31 Dec)
    reason: Mapped[text_opt]
    standard: Mapped[code_opt]  # identification: vocab standard
    cause: Mapped[code_opt]  # identification: main cause
    monitoring_type: Mapped[code_opt]  # vocab monitoring_type
    risks: Mapped[str | None] = mapped_column(String(200), nullable=True)  # comma-separated risk codes (≤ 5)
    lead_source: Mapped[code_opt]  # vocab lead_source
    elimination: Mapped[code_opt]  # vocab elimination (assisted / natural)
    # indexed: "events in effect on a day" anti-joins the cancellations on it (services.snapshot)
    cancels_event_id: Mapped[int | None] = mapped_column(ForeignKey("household_event.id"), nullable=True, index=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)

    household: Mapped[Household] = relationship(back_populates="events")
