"""Daily management of work-team members, one record at a time: attendance marks (考勤), leave requests,
approvals and returns (请销假), outings (外出报备), periodic reports (定期汇报), reviews (评议), work logs (工作日志).

Every write is validated and audited (services.entry); a mark set again for the same day is a change of the
mark (old → new in the audit log), never a second record. ``yearly`` gives each person's totals for a year
(the year-end assessment reads them); the monthly and yearly report is reports.attendance.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from povmon.models import (
    Area,
    Attendance,
    Cadre,
    LeaveRequest,
    Outing,
    TeamMember,
    TeamReport,
    TeamReview,
    WorkLog,
    WorkTeam,
)
from povmon.rules import checks
from povmon.rules import workteam as rules
from povmon.rules.checks import Problem
from povmon.rules.text import clean_text
from povmon.services.entry import Cleaner, Outcome, Refused, change, insert

MARK_TITLE = "考勤"


def mark_code(value: object) -> str | None:
    """The mark code of a value as typed (√ 在 公 假 休 × or a label), None when it is not a mark."""
    return rules.ATTENDANCE_MARK.lookup(value)


def _text(value: object) -> str | None:
    return clean_text(str(value)) if value is not None and str(value).strip() else None


def _in_post(session: Session, cadre: Cadre, day: dt.date) -> bool:
    return session.scalar(select(TeamMember.id).where(TeamMember.cadre_id == cadre.id,
                                                      TeamMember.active_on(day))) is not None


def set_marks(session: Session, cadre: Cadre, marks: Mapping[object, object], *, user: str,
              today: dt.date | None = None, note: str | None = None) -> Outcome:
    """Set a person's marks for some days ({day: mark}); a day already marked is changed (audited)."""
    clean = Cleaner()
    wanted: dict[dt.date, str] = {}
    for raw_day, raw_mark in marks.items():
        day = clean.date("考勤日期", raw_day, today=today)
        code = mark_code(raw_mark)
        if code is None:
            clean.problems.append(Problem("bad_value", f"“{raw_mark}”不是考勤标记；可填：√ 在 公 假 休 × 或 "
                                                       f"{'、'.join(rules.ATTENDANCE_MARK.labels())}", MARK_TITLE))
        if day is not None and code is not None:
            wanted[day] = code
    clean.check()
    outcome = Outcome()
    existing = {a.day: a for a in session.scalars(select(Attendance).where(
        Attendance.cadre_id == cadre.id, Attendance.day.in_(list(wanted))))} if wanted else {}
    for day, code in sorted(wanted.items()):
        if not _in_post(session, cadre, day):
            outcome.warnings.append(Problem("not_in_team", f"{day.isoformat()} 这天 {cadre.name} 不在任何工作队；"
                                                           "已照常记录考勤"))
        if day in existing:
            change(session, outcome, existing[day], {"mark": code}, user=user, note=note)
        else:
            insert(session, outcome, Attendance(cadre=cadre, day=day, mark=code), user=user, note=note)
    return outcome


def request_leave(session: Session, cadre: Cadre, *, start: object, end: object, reason: object, user: str) -> Outcome:
    """A leave request (请假): its first and last days and reason, in writing, before approval."""
    clean = Cleaner()
    first = clean.date("请假开始日期", start, future=True)
    last = clean.date("请假结束日期", end, future=True)
    why = clean.value("请假事由", _text, reason, required=True)
    if first and last and last < first:
        clean.problems.append(Problem("bad_date", "请假结束日期早于开始日期", "请假结束日期"))
    clean.check()
    overlapping = session.scalar(select(LeaveRequest).where(
        LeaveRequest.cadre_id == cadre.id, LeaveRequest.start_on <= last, LeaveRequest.end_on >= first))
    if overlapping is not None:
        raise Refused([Problem("bad_value", f"{cadre.name} 已有 {overlapping.start_on.isoformat()} 至 "
                                            f"{overlapping.end_on.isoformat()} 的请假（#{overlapping.id}）", "请假")])
    outcome = Outcome()
    days = rules.leave_days(first, last)
    insert(session, outcome, LeaveRequest(cadre=cadre, start_on=first, end_on=last, days=days, reason=why), user=user)
    level = "乡镇" if days <= rules.load().township_days else "县委组织部"
    outcome.facts["approve_by"] = level
    return outcome


def find_leave(session: Session, value: object) -> LeaveRequest:
    text = (str(value or "")).strip().lstrip("#＃")
    leave = session.get(LeaveRequest, int(text)) if text.isdigit() else None
    if leave is None:
        raise Refused(checks.reference("请假记录", str(value), 0), hint="请假编号见 povmon team leave list")
    return leave


def approve_leave(session: Session, leave: LeaveRequest, *, level: object, by: object, on: object, user: str,
                  today: dt.date | None = None) -> Outcome:
    """Approve a leave at a level (乡镇 up to the rule's days, 县委组织部 beyond); the wrong level is refused."""
    clean = Cleaner()
    code = rules.APPROVAL_LEVEL.lookup(level) if level is not None else None
    if code is None:
        clean.problems.append(Problem("bad_value", f"“{level or ''}”不是审批层级；可填：乡镇、县委组织部", "审批层级"))
    who = clean.value("审批人", _text, by, required=True)
    day = clean.date("审批日期", on, today=today)
    clean.check()
    if leave.approval_level is not None:
        raise Refused([Problem("bad_value", f"请假 #{leave.id} 已于 {leave.approved_on} 由 {leave.approved_by} 批准",
                               "请假")])
    clean.add(rules.approval_problems(leave.days, code, rules.load()))
    clean.check()
    outcome = Outcome()
    change(session, outcome, leave, {"approval_level": code, "approved_by": who, "approved_on": day}, user=user)
    return outcome


def return_leave(session: Session, leave: LeaveRequest, *, on: object, user: str,
                 today: dt.date | None = None) -> Outcome:
    """销假: the first day back in the village. Days beyond the approved end are absences (rules.workteam)."""
    clean = Cleaner()
    day = clean.date("销假日期", on, today=today)
    clean.check()
    if leave.returned_on is not None:
        raise Refused([Problem("bad_value", f"请假 #{leave.id} 已于 {leave.returned_on.isoformat()} 销假", "销假")])
    if day <= leave.start_on:
        raise Refused([Problem("bad_date", f"销假日期应晚于请假开始日期 {leave.start_on.isoformat()}", "销假日期")])
    outcome = Outcome()
    change(session, outcome, leave, {"returned_on": day}, user=user)
    late = (day - leave.end_on).days - 1
    if late > 0:
        outcome.warnings.append(Problem("leave_overrun", f"超假 {late} 天（批准至 {leave.end_on.isoformat()}）；"
                                                         "超出的工作日计为缺勤"))
    if leave.approval_level is None:
        outcome.warnings.append(Problem("leave_not_approved", f"请假 #{leave.id} 没有批准记录；请假的工作日计为缺勤"))
    return outcome


def add_outing(session: Session, cadre: Cadre, *, start: object, end: object, destination: object,
               business: object, approved_by: object, user: str) -> Outcome:
    """An outing reported before leaving the village (外出报备): dates, destination, business, approved by."""
    clean = Cleaner()
    first = clean.date("外出开始日期", start, future=True)
    last = clean.date("外出结束日期", end, future=True)
    where = clean.value("外出地点", _text, destination, required=True)
    what = clean.value("外出事由", _text, business, required=True)
    who = clean.value("批准人", _text, approved_by, required=True)
    if first and last and last < first:
        clean.problems.append(Problem("bad_date", "外出结束日期早于开始日期", "外出结束日期"))
    clean.check()
    outcome = Outcome()
    insert(session, outcome, Outing(cadre=cadre, start_on=first, end_on=last, destination=where, business=what,
                                    approved_by=who), user=user)
    return outcome


def add_report(session: Session, team: WorkTeam, *, kind: object, date: object, content: object,
               cadre: Cadre | None = None, user: str, today: dt.date | None = None) -> Outcome:
    """A periodic report (定期汇报): weekly or monthly, its date and content."""
    clean = Cleaner()
    code = rules.REPORT_KIND.lookup(kind) if kind is not None else None
    if code is None:
        clean.problems.append(Problem("bad_value", f"“{kind or ''}”不是汇报类别；可填：周报、月报", "汇报类别"))
    day = clean.date("汇报日期", date, today=today)
    text = clean.value("汇报内容", _text, content, required=True)
    clean.check()
    outcome = Outcome()
    insert(session, outcome, TeamReport(team=team, cadre=cadre, kind=code, report_date=day, content=text), user=user)
    return outcome


def add_review(session: Session, team: WorkTeam, *, date: object, reviewer: object, grade: object = None,
               content: object = None, cadre: Cadre | None = None, user: str,
               today: dt.date | None = None) -> Outcome:
    """A review (评议) of a team or of one of its members: date, reviewer, grade, content."""
    clean = Cleaner()
    day = clean.date("评议日期", date, today=today)
    who = clean.value("评议人", _text, reviewer, required=True)
    mark = clean.value("评议等次", _text, grade)
    text = clean.value("评议内容", _text, content)
    clean.check()
    outcome = Outcome()
    insert(session, outcome, TeamReview(team=team, cadre=cadre, review_date=day, reviewer=who, grade=mark,
                                        content=text), user=user)
    return outcome


def add_log(session: Session, cadre: Cadre, *, date: object, done: object, households: object = None, user: str,
            today: dt.date | None = None) -> Outcome:
    """A work log entry (工作日志): the day, what was done, the households concerned."""
    clean = Cleaner()
    day = clean.date("日志日期", date, today=today)
    what = clean.value("工作内容", _text, done, required=True)
    codes = clean.value("涉及农户", _text, households)
    clean.check()
    outcome = Outcome()
    if not _in_post(session, cadre, day):
        outcome.warnings.append(Problem("not_in_team",
                                        f"{day.isoformat()} 这天 {cadre.name} 不在任何工作队；已照常记录"))
    insert(session, outcome, WorkLog(cadre=cadre, log_date=day, done=what[:2000], households=codes), user=user)
    return outcome


def yearly(session: Session, year: int, scope: Area | None = None, *, today: dt.date | None = None) -> dict[int, dict]:
    """Each person's totals for a year ({cadre id: figures as JSON, with name, leave days and recall}), over every
    team they served in (the year-end assessment reads these)."""
    from povmon.services import attendance_figures as figures

    built = figures.build(session, figures.Period.year(year), scope, today=today)
    return {cid: person.as_json(built.rules) for cid, person in built.people().items()}
