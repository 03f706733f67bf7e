"""Attendance figures for a month or a year (``povmon report attendance``, the year-end assessment): per township
and team, each member's working days, days in the village and their share, leave and absences, those below the
threshold flagged; the leave ledger; and the reports and work logs due but missing. The figures are
rules.workteam's; this module only reads, set-based (a few queries for the whole county, then Python).

A person who served in two teams during the period has a row in each (the days of each stint); their totals
(``people``) add the rows up. Leave days are counted from 1 January of the period's year up to its end (the
recall rule is about a year).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import String, func, select, type_coerce
from sqlalchemy.orm import Session, selectinload

from povmon.errors import PovmonError
from povmon.models import Area, Attendance, Cadre, LeaveRequest, TeamMember, TeamReport, WorkLog, WorkTeam
from povmon.rules import calendar, idcard, parse
from povmon.rules import workteam as rules
from povmon.rules.workteam import Figures, Leave, Thresholds
from povmon.services.lookup import find_area, path_of

CHUNK = 2000


@dataclass(frozen=True)
class Period:
    """A month (YYYY-MM) or a year (YYYY): its label, first and last day."""

    label: str
    first: dt.date
    last: dt.date
    kind: str  # month / year

    @classmethod
    def month(cls, value: object) -> Period:
        y, m = parse.month(value)
        calendar.check_year(y)
        return cls(f"{y:04d}-{m:02d}", dt.date(y, m, 1), parse.month_end(y, m), "month")

    @classmethod
    def year(cls, value: object) -> Period:
        y = parse.year(value)
        if y is None:
            raise parse.ValueProblem("bad_date", f"“{value}”不是年份；请写成 YYYY，如 2019")
        calendar.check_year(y)
        return cls(f"{y:04d}", dt.date(y, 1, 1), dt.date(y, 12, 31), "year")

    @property
    def title(self) -> str:
        if self.kind == "year":
            return f"{self.first.year}年"
        return f"{self.first.year}年{self.first.month}月"

    def months(self) -> list[tuple[dt.date, dt.date]]:
        out = []
        day = self.first
        while day <= self.last:
            end = parse.month_end(day.year, day.month)
            out.append((day, end))
            day = end + dt.timedelta(days=1)
        return out


@dataclass
class MemberRow:
    team_id: int
    cadre_id: int
    name: str
    id_number: str
    role: str
    unit: str | None
    start_on: dt.date
    end_on: dt.date | None
    figures: Figures
    leave_year_days: int = 0
    logs: int = 0
    logs_due: int = 0

    def recall(self, rules_: Thresholds) -> bool:
        return self.leave_year_days > rules_.leave_year_days

    def as_json(self, rules_: Thresholds, *, show_ids: bool = False) -> dict:
        return {"name": self.name, "id_number": self.id_number if show_ids else idcard.mask(self.id_number),
                "role": rules.TEAM_ROLE.label(self.role), "unit": self.unit, "from": self.start_on.isoformat(),
                "to": self.end_on.isoformat() if self.end_on else None, **self.figures.as_json(rules_),
                "leave_days_this_year": self.leave_year_days, "recall": self.recall(rules_),
                "logs": self.logs, "logs_due": self.logs_due}


@dataclass
class TeamRow:
    id: int
    name: str
    township: str
    village: str
    unit: str | None
    members: list[MemberRow] = field(default_factory=list)
    reports: int = 0
    reports_due: int = 0

    def figures(self) -> Figures:
        total = Figures(people=0)
        for m in self.members:
            total.add(m.figures)
            total.people += 1
        return total

    def as_json(self, rules_: Thresholds, *, show_ids: bool = False) -> dict:
        fig = self.figures()
        return {"id": self.id, "name": self.name, "township": self.township, "village": self.village,
                "unit": self.unit, **fig.as_json(rules_),
                "below_members": sum(1 for m in self.members if m.figures.below(rules_)),
                "reports": self.reports, "reports_due": self.reports_due,
                "members": [m.as_json(rules_, show_ids=show_ids) for m in self.members]}


@dataclass
class LeaveRow:
    id: int
    team: str
    name: str
    start_on: dt.date
    end_on: dt.date
    days: int
    reason: str | None
    level: str | None
    approved_by: str | None
    returned_on: dt.date | None
    problem: str | None

    def as_json(self) -> dict:
        return {"id": self.id, "team": self.team, "name": self.name, "from": self.start_on.isoformat(),
                "to": self.end_on.isoformat(), "days": self.days, "reason": self.reason,
                "approval_level": rules.APPROVAL_LEVEL.label(self.level), "approved_by": self.approved_by,
                "returned_on": self.returned_on.isoformat() if self.returned_on else None, "problem": self.problem}


@dataclass
class DueRow:
    team: str
    name: str | None  # None: the team's report
    what: str  # 定期汇报 / 工作日志
    done: int
    due: int

    def as_json(self) -> dict:
        return {"team": self.team, "name": self.name, "what": self.what, "done": self.done, "due": self.due}


@dataclass
class AttendanceReport:
    period: Period
    scope: Area | None
    as_of: dt.date
    rules: Thresholds
    teams: list[TeamRow]
    leaves: list[LeaveRow]

    @property
    def scope_name(self) -> str:
        return self.scope.name if self.scope is not None else "全县"

    def people(self) -> dict[int, PersonTotal]:
        """Each person's totals over all their rows (the year-end assessment reads these)."""
        out: dict[int, PersonTotal] = {}
        for team in self.teams:
            for m in team.members:
                person = out.setdefault(m.cadre_id, PersonTotal(m.cadre_id, m.name, Figures(), m.leave_year_days))
                person.figures.add(m.figures)
                person.leave_year_days = max(person.leave_year_days, m.leave_year_days)
                person.teams.append(team.name)
        return out

    def missing(self) -> list[DueRow]:
        rows = []
        for team in self.teams:
            if team.reports < team.reports_due:
                rows.append(DueRow(team.name, None, "定期汇报", team.reports, team.reports_due))
            rows.extend(DueRow(team.name, m.name, "工作日志", m.logs, m.logs_due)
                        for m in team.members if m.logs < m.logs_due)
        return rows

    def below(self) -> list[tuple[TeamRow, MemberRow]]:
        return [(t, m) for t in self.teams for m in t.members if m.figures.below(self.rules)]

    def as_json(self, *, show_ids: bool = False) -> dict:
        townships: dict[str, list[TeamRow]] = defaultdict(list)
        for t in self.teams:
            townships[t.township].append(t)
        total = Figures(people=0)
        for t in self.teams:
            total.add(t.figures())
            total.people += len(t.members)
        return {
            "period": self.period.label, "from": self.period.first.isoformat(), "to": self.period.last.isoformat(),
            "as_of": self.as_of.isoformat(), "area": self.scope_name, "share_required": self.rules.share_text,
            "teams": len(self.teams), "members": total.people, **total.as_json(self.rules),
            "below_members": len(self.below()),
            "townships": [{"name": name, "teams": [t.as_json(self.rules, show_ids=show_ids) for t in rows]}
                          for name, rows in townships.items()],
            "leaves": [leave.as_json() for leave in self.leaves],
            "missing": [d.as_json() for d in self.missing()],
        }


@dataclass
class PersonTotal:
    cadre_id: int
    name: str
    figures: Figures
    leave_year_days: int
    teams: list[str] = field(default_factory=list)

    def as_json(self, rules_: Thresholds) -> dict:
        return {"name": self.name, "teams": self.teams, **self.figures.as_json(rules_),
                "leave_days_this_year": self.leave_year_days, "recall": self.leave_year_days > rules_.leave_year_days}


def _township(village: Area) -> str:
    node = village
    while node is not None and node.level != "township":
        node = node.parent
    return node.name if node is not None else ""


def _within(place: Area, scope: Area) -> bool:
    node = place
    while node is not None:
        if node.id == scope.id:
            return True
        node = node.parent
    return False


def _by_cadre(session: Session, query, ids: list[int], column, who=lambda row: row[0]) -> list:
    """Rows of a query for some people (or teams): IN lists of a few thousand, or, for more, every row of the
    query kept when ``who(row)`` is one of them (a county's whole year is read faster in one go)."""
    if len(ids) > CHUNK:
        wanted = set(ids)
        return [row for row in session.execute(query).all() if who(row) in wanted]
    out = []
    for start in range(0, len(ids), CHUNK):
        out.extend(session.execute(query.where(column.in_(ids[start:start + CHUNK]))).all())
    return out


def build(session: Session, period: Period, area: str | Area | None = None, *, today: dt.date | None = None,
          rules_: Thresholds | None = None) -> AttendanceReport:
    """The report for a month or a year, for the whole county or one area and everything under it."""
    today = today or dt.date.today()
    if period.first > today:
        raise PovmonError(f"{period.title}还没有开始（今天是 {today.isoformat()}），没有考勤可统计；"
                          "请给以前的月份或年份。")
    rules_ = rules_ or rules.load()
    scope = find_area(session, area) if isinstance(area, str) else area
    last = min(period.last, today)
    stints = list(session.scalars(
        select(TeamMember).join(WorkTeam, WorkTeam.id == TeamMember.team_id)
        .where(TeamMember.start_on <= last, (TeamMember.end_on.is_(None)) | (TeamMember.end_on > period.first),
               WorkTeam.start_on <= last, (WorkTeam.end_on.is_(None)) | (WorkTeam.end_on > period.first))
        .options(selectinload(TeamMember.cadre), selectinload(TeamMember.team).selectinload(WorkTeam.village)
                 .selectinload(Area.parent))
        .order_by(TeamMember.team_id, TeamMember.start_on, TeamMember.id)))
    if scope is not None:
        stints = [s for s in stints if _within(s.team.village, scope)]
    ids = sorted({s.cadre_id for s in stints})
    year_first = dt.date(period.first.year, 1, 1)

    marks: dict[int, dict[dt.date, str]] = defaultdict(dict)
    table = Attendance.__table__  # plain rows: a county's year is hundreds of thousands of marks
    query = select(table.c.cadre_id, _raw_day(session, table.c.day), table.c.mark).where(
        table.c.day >= period.first, table.c.day <= last)
    for cid, day, mark in _by_cadre(session, query, ids, Attendance.cadre_id):
        marks[cid][day if type(day) is dt.date else _iso(day)] = mark
    year_leave: dict[int, dict[dt.date, str]] = defaultdict(dict)
    if year_first < period.first:
        query = select(Attendance.cadre_id, Attendance.day, Attendance.mark).where(
            Attendance.day >= year_first, Attendance.day < period.first, Attendance.mark == "leave")
        for cid, day, mark in _by_cadre(session, query, ids, Attendance.cadre_id):
            year_leave[cid][day] = mark
    leaves: dict[int, list[LeaveRequest]] = defaultdict(list)
    query = select(LeaveRequest).where(LeaveRequest.start_on <= last)
    for (leave,) in _by_cadre(session, query, ids, LeaveRequest.cadre_id, who=lambda row: row[0].cadre_id):
        leaves[leave.cadre_id].append(leave)
    logs: dict[int, int] = defaultdict(int)
    query = (select(WorkLog.cadre_id, func.count()).where(WorkLog.log_date >= period.first, WorkLog.log_date <= last)
             .group_by(WorkLog.cadre_id))
    for cid, n in _by_cadre(session, query, ids, WorkLog.cadre_id):
        logs[cid] += n
    team_ids = sorted({s.team_id for s in stints})
    reports: dict[int, int] = defaultdict(int)
    query = (select(TeamReport.team_id, func.count()).where(TeamReport.report_date >= period.first,
                                                             TeamReport.report_date <= last)
             .group_by(TeamReport.team_id))
    for tid, n in _by_cadre(session, query, team_ids, TeamReport.team_id):
        reports[tid] += n

    months = [(a, min(b, last)) for a, b in period.months() if a <= last]
    teams: dict[int, TeamRow] = {}
    logs_left = dict(logs)
    leave_rows: list[LeaveRow] = []
    for stint in stints:
        team = stint.team
        row = teams.get(team.id)
        if row is None:
            row = teams[team.id] = TeamRow(team.id, team.name, _township(team.village), team.village.name, team.unit)
            row.reports_due = rules_.reports_per_month * rules.months_in_post([(team.start_on, team.end_on)], months)
            row.reports = reports.get(team.id, 0)
        span = [(max(stint.start_on, team.start_on), _min_end(stint.end_on, team.end_on))]
        cadre_leaves = [Leave(lv.start_on, lv.end_on, lv.approval_level is not None, lv.returned_on)
                        for lv in leaves.get(stint.cadre_id, [])]
        fig = rules.person_figures(period.first, last, span, marks.get(stint.cadre_id, {}), cadre_leaves, today)
        if year_first < period.first:
            year_marks = {**year_leave.get(stint.cadre_id, {}),
                          **{d: m for d, m in marks.get(stint.cadre_id, {}).items() if m == "leave"}}
            year_fig = rules.person_figures(year_first, last, span, year_marks, cadre_leaves, today)
        else:
            year_fig = fig
        cadre: Cadre = stint.cadre
        member = MemberRow(team.id, cadre.id, cadre.name, cadre.id_number, stint.role, cadre.unit, stint.start_on,
                           stint.end_on, fig, year_fig.leave_days)
        member.logs_due = rules_.logs_per_month * rules.months_in_post(span, months)
        member.logs = logs_left.pop(cadre.id, 0)  # a person's logs count once, in their first row
        row.members.append(member)
    listed: set[int] = set()
    for team_row in teams.values():
        for m in team_row.members:
            for lv in leaves.get(m.cadre_id, []):
                end = lv.returned_on or lv.end_on
                if lv.start_on <= last and end >= period.first and lv.id not in listed:
                    listed.add(lv.id)
                    leave_rows.append(_leave_row(lv, team_row.name, m.name, rules_))
    ordered = sorted(teams.values(), key=lambda t: (t.township, t.village, t.id))
    leave_rows.sort(key=lambda r: (r.start_on, r.id))
    return AttendanceReport(period, scope, last, rules_, ordered, leave_rows)


def _raw_day(session: Session, column):
    """The day column as the driver gives it: SQLite's text, turned into dates by ``_iso`` (a C function, several
    times faster than the generic result processing of hundreds of thousands of rows); PostgreSQL's dates as is."""
    if session.get_bind().dialect.name == "sqlite":
        return type_coerce(column, String())
    return column


_iso = dt.date.fromisoformat


def _min_end(a: dt.date | None, b: dt.date | None) -> dt.date | None:
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)


def _leave_row(lv: LeaveRequest, team: str, name: str, rules_: Thresholds) -> LeaveRow:
    problem = None
    if lv.approval_level is None:
        problem = "未批准"
    elif lv.returned_on is not None and lv.returned_on > lv.end_on + dt.timedelta(days=1):
        problem = f"超假 {(lv.returned_on - lv.end_on).days - 1} 天"
    elif lv.returned_on is None:
        problem = "未销假"
    return LeaveRow(lv.id, team, name, lv.start_on, lv.end_on, lv.days, lv.reason, lv.approval_level,
                    lv.approved_by, lv.returned_on, problem)


def scope_label(report: AttendanceReport) -> str:
    return path_of(report.scope) if report.scope is not None else "全部"
