"""驻村帮扶: village work teams (驻村工作队), their members' stints, and the daily management of the people in
them — attendance day marks (考勤), leave requests and returns (请销假), outings (外出报备), periodic reports
(定期汇报), reviews (评议) and work logs (工作日志). The rules that read them live in rules.workteam."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from povmon.models.area import Area
from povmon.models.assistance import Cadre
from povmon.models.base import Base, Provenance, Stint, intpk, text_opt


class WorkTeam(Provenance, Stint, Base):
    """A village work team: its village, dispatching unit (派出单位) and term (from/to, the end exclusive)."""

    __tablename__ = "work_team"
    __table_args__ = (UniqueConstraint("village_id", "name"),)

    id: Mapped[intpk]
    village_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))  # 某某村驻村工作队 (a village may have two)
    unit: Mapped[str | None] = mapped_column(String(100), nullable=True)  # 派出单位
    start_on: Mapped[dt.date] = mapped_column(Date)
    end_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)  # planned or actual end (exclusive)
    note: Mapped[text_opt]

    village: Mapped[Area] = relationship()
    members: Mapped[list[TeamMember]] = relationship(back_populates="team", order_by="TeamMember.id")


class TeamMember(Provenance, Stint, Base):
    """One stint of a cadre in a team with a role (队长, 第一书记, 队员); a replacement ends one, starts another."""

    __tablename__ = "work_team_member"
    __table_args__ = (
        UniqueConstraint("team_id", "cadre_id", "start_on"),
        Index("ix_work_team_member_cadre_dates", "cadre_id", "start_on"),
    )

    id: Mapped[intpk]
    team_id: Mapped[int] = mapped_column(ForeignKey("work_team.id"), index=True)
    cadre_id: Mapped[int] = mapped_column(ForeignKey("cadre.id"))
    role: Mapped[str] = mapped_column(String(24))  # vocab: team_role (leader, first_secretary, member)
    start_on: Mapped[dt.date] = mapped_column(Date)
    end_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)  # the first day out of the team
    end_reason: Mapped[text_opt]

    team: Mapped[WorkTeam] = relationship(back_populates="members")
    cadre: Mapped[Cadre] = relationship()


class Attendance(Provenance, Base):
    """One person's mark for one day (考勤): in_village, official (公务外出), leave, absent or rest."""

    __tablename__ = "attendance"
    # the day index covers the columns the reports read: a county's year of marks is read from the index alone
    # (SQLite's lookups of 600,000 rows by an index on day alone take several times longer than the scan)
    __table_args__ = (UniqueConstraint("cadre_id", "day"), Index("ix_attendance_day", "day", "cadre_id", "mark"))

    id: Mapped[intpk]
    cadre_id: Mapped[int] = mapped_column(ForeignKey("cadre.id"))
    day: Mapped[dt.date] = mapped_column(Date)
    mark: Mapped[str] = mapped_column(String(16))  # vocab: attendance_mark

    cadre: Mapped[Cadre] = relationship()


class LeaveRequest(Provenance, Base):
    """A leave request (请假): dates (inclusive), reason, the level and person approving, and the return (销假)."""

    __tablename__ = "leave_request"
    __table_args__ = (Index("ix_leave_request_cadre_start", "cadre_id", "start_on"),)

    id: Mapped[intpk]
    cadre_id: Mapped[int] = mapped_column(ForeignKey("cadre.id"))
    start_on: Mapped[dt.date] = mapped_column(Date)
    end_on: Mapped[dt.date] = mapped_column(Date)  # the last day of leave asked for
    days: Mapped[int] = mapped_column(Integer)  # calendar days asked for (rules.workteam.leave_days)
    reason: Mapped[text_opt]
    approval_level: Mapped[str | None] = mapped_column(String(16), nullable=True)  # vocab: approval_level
    approved_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    approved_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    returned_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)  # 销假: the first day back

    cadre: Mapped[Cadre] = relationship()


class Outing(Provenance, Base):
    """An outing reported before leaving the village (外出报备): dates, destination, business, approved by."""

    __tablename__ = "outing"
    __table_args__ = (Index("ix_outing_cadre_start", "cadre_id", "start_on"),)

    id: Mapped[intpk]
    cadre_id: Mapped[int] = mapped_column(ForeignKey("cadre.id"))
    start_on: Mapped[dt.date] = mapped_column(Date)
    end_on: Mapped[dt.date] = mapped_column(Date)
    destination: Mapped[str] = mapped_column(String(200))
    business: Mapped[text_opt]
    approved_by: Mapped[str | None] = mapped_column(String(100), nullable=True)

    cadre: Mapped[Cadre] = relationship()


class TeamReport(Provenance, Base):
    """A periodic report (定期汇报, weekly or monthly) of a team member: its period, date and content."""

    __tablename__ = "team_report"
    __table_args__ = (Index("ix_team_report_cadre_date", "cadre_id", "report_date"),)

    id: Mapped[intpk]
    team_id: Mapped[int] = mapped_column(ForeignKey("work_team.id"), index=True)
    cadre_id: Mapped[int | None] = mapped_column(ForeignKey("cadre.id"), nullable=True)
    kind: Mapped[str] = mapped_column(String(16))  # vocab: report_kind (weekly, monthly)
    report_date: Mapped[dt.date] = mapped_column(Date)
    content: Mapped[text_opt]

    team: Mapped[WorkTeam] = relationship()
    cadre: Mapped[Cadre | None] = relationship()


class TeamReview(Provenance, Base):
    """A review (评议) of a team or of one of its members: date, content, reviewer, grade."""

    __tablename__ = "team_review"

    id: Mapped[intpk]
    team_id: Mapped[int] = mapped_column(ForeignKey("work_team.id"), index=True)
    cadre_id: Mapped[int | None] = mapped_column(ForeignKey("cadre.id"), nullable=True)
    review_date: Mapped[dt.date] = mapped_column(Date)
    content: Mapped[text_opt]
    reviewer: Mapped[str] = mapped_column(String(100))
    grade: Mapped[str | None] = mapped_column(String(16), nullable=True)  # 好/较好/一般/差 as written

    team: Mapped[WorkTeam] = relationship()
    cadre: Mapped[Cadre | None] = relationship()


class WorkLog(Provenance, Base):
    """A work log entry (工作日志): date, what was done, the households concerned (codes, as written)."""

    __tablename__ = "work_log"
    __table_args__ = (Index("ix_work_log_cadre_date", "cadre_id", "log_date"),)

    id: Mapped[intpk]
    cadre_id: Mapped[int] = mapped_column(ForeignKey("cadre.id"))
    log_date: Mapped[dt.date] = mapped_column(Date)
    done: Mapped[str] = mapped_column(String(2000))
    households: Mapped[text_opt]

    cadre: Mapped[Cadre] = relationship()
