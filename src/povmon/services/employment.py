"""Employment (企业 and jobs), training (培训 and its participants) and political status (政治面貌).

Each takes a session and values as a clerk typed them, cleans them with rules.parse and the vocabularies of
rules.projects, refuses with every problem at once (services.entry.Refused), writes and audits; never commits.
People are found by ID number among the register's members (services.members.find).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from povmon.models import Area, Employment, Enterprise, Member, PoliticalStatus, Training, TrainingParticipant
from povmon.rules import checks, idcard, parse
from povmon.rules.checks import Problem
from povmon.rules.projects import INDUSTRY, POLITICAL_STATUS
from povmon.rules.text import clean_text
from povmon.services.entry import Cleaner, Outcome, Refused, change, insert


def find_enterprise(session: Session, name: str) -> Enterprise:
    """An enterprise by its name."""
    value = clean_text(name) or ""
    found = session.scalar(select(Enterprise).where(Enterprise.name == value))
    if found is None:
        raise Refused(checks.reference("企业", value, 0), hint="已登记的企业见 povmon job enterprises")
    return found


def add_enterprise(session: Session, *, name: object, industry: object, area: Area | None = None,
                   note: object = None, user: str) -> Outcome:
    """Register an enterprise, cooperative or workshop."""
    clean = Cleaner()
    title = clean.value("企业名称", lambda v: parse.text(v, 200), name, required=True)
    code = clean.value("行业", lambda v: parse.term(INDUSTRY, v, required=True), industry)
    if title and session.scalar(select(Enterprise.id).where(Enterprise.name == title)):
        clean.problems.append(Problem("bad_value", f"企业“{title}”已登记；不必重复登记", "企业名称"))
    clean.check()
    outcome = Outcome()
    insert(session, outcome, Enterprise(name=title, industry=code, area=area, note=clean_text(note)), user=user)
    return outcome


MIN_WORKING_AGE = 16  # 劳动法: no one is employed before 16


def hire(session: Session, member: Member, enterprise: Enterprise, *, start: object, wage: object,
         end: object = None, post: object = None, note: object = None, user: str,
         today: dt.date | None = None) -> Outcome:
    """A member's job at an enterprise from a date (to a date), at a monthly wage."""
    clean = Cleaner()
    day = clean.date("务工开始日期", start, today=today)
    last = clean.date("务工结束日期", end, required=False, future=True)
    monthly = clean.value("月工资", lambda v: parse.amount(v, blank_is_zero=False), wage, required=True)
    post_text = clean.value("岗位", lambda v: parse.text(v, 100), post)
    if day and last and last <= day:
        clean.problems.append(Problem("bad_date", "务工结束日期应晚于开始日期", "务工结束日期"))
    if day and member.birth_date and idcard.age_on(member.id_number, day) < MIN_WORKING_AGE:
        clean.problems.append(Problem("bad_date", f"{member.name} 在 {day.isoformat()} 还不满{MIN_WORKING_AGE}周岁，"
                                      "不能登记务工", "务工开始日期"))
    if day and member.left_on and day >= member.left_on:
        clean.problems.append(Problem("bad_date", f"{member.name} 已于 {member.left_on.isoformat()} 不在本户；"
                                      "请核对日期", "务工开始日期"))
    if day and session.scalar(select(Employment.id).where(
            Employment.member_id == member.id, Employment.enterprise_id == enterprise.id,
            (Employment.end_on.is_(None)) | (Employment.end_on > day), Employment.start_on <= (last or dt.date.max))):
        clean.problems.append(Problem("bad_value", f"{member.name} 在这段时间已在“{enterprise.name}”务工；"
                                      "不必重复登记", "企业"))
    clean.check()
    outcome = Outcome()
    insert(session, outcome, Employment(member=member, enterprise=enterprise, start_on=day, end_on=last,
                                        monthly_wage=monthly, post=post_text, note=clean_text(note)), user=user)
    return outcome


def leave_job(session: Session, member: Member, enterprise: Enterprise, *, on: object, note: object = None,
              user: str) -> Outcome:
    """End a member's job at an enterprise on a day (no longer employed from that day)."""
    clean = Cleaner()
    day = clean.date("务工结束日期", on, future=True)
    clean.check()
    job = session.scalar(select(Employment).where(Employment.member_id == member.id,
                                                  Employment.enterprise_id == enterprise.id,
                                                  Employment.active_on(day - dt.timedelta(days=1))))
    if job is None:
        raise Refused([Problem("unknown_reference", f"{day.isoformat()} 前 {member.name} 没有在“{enterprise.name}”"
                               "务工，无可结束", "务工")], hint="务工情况见 povmon job list")
    outcome = Outcome()
    change(session, outcome, job, {"end_on": day}, user=user, note=clean_text(note))
    return outcome


def add_training(session: Session, *, course: object, held_on: object, provider: object = None,
                 area: Area | None = None, note: object = None, user: str, today: dt.date | None = None) -> Outcome:
    """Register a training course held on a day (once per course, day and area)."""
    clean = Cleaner()
    title = clean.value("培训内容", lambda v: parse.text(v, 200), course, required=True)
    day = clean.date("培训日期", held_on, today=today)
    by = clean.value("培训机构", lambda v: parse.text(v, 200), provider)
    if title and day and session.scalar(select(Training.id).where(
            Training.course == title, Training.held_on == day,
            Training.area_id.is_(None) if area is None else Training.area_id == area.id)):
        clean.problems.append(Problem("bad_value", f"{day.isoformat()} 的“{title}”培训已登记", "培训内容"))
    clean.check()
    outcome = Outcome()
    insert(session, outcome, Training(course=title, held_on=day, provider=by, area=area, note=clean_text(note)),
           user=user)
    return outcome


def find_training(session: Session, course: str, held_on: object) -> Training:
    """A training by its course and day."""
    clean = Cleaner()
    day = clean.date("培训日期", held_on, future=True)
    clean.check()
    found = list(session.scalars(select(Training).where(Training.course == (clean_text(course) or ""),
                                                        Training.held_on == day).order_by(Training.id)))
    if len(found) != 1:
        raise Refused(checks.reference("培训", f"{course}（{day.isoformat()}）", len(found),
                                       [t.area.name if t.area else "未指明地区" for t in found]),
                      hint="已登记的培训见 povmon training list")
    return found[0]


def attend(session: Session, training: Training, member: Member, *, note: object = None, user: str) -> Outcome:
    """A member took part in a training (once); the member must be on the register that day."""
    problems = []
    if session.scalar(select(TrainingParticipant.id).where(TrainingParticipant.training_id == training.id,
                                                           TrainingParticipant.member_id == member.id)):
        problems.append(Problem("bad_value", f"{member.name} 已登记参加这次培训", "身份证号"))
    if not member.present_on(training.held_on):
        problems.append(Problem("bad_date", f"{member.name} 在 {training.held_on.isoformat()} 不在册；请核对",
                                "身份证号"))
    if problems:
        raise Refused(problems)
    outcome = Outcome()
    insert(session, outcome, TrainingParticipant(training=training, member=member, note=clean_text(note)), user=user)
    return outcome


def set_political(session: Session, member: Member, *, status: object, since: object, note: object = None,
                  user: str, today: dt.date | None = None) -> Outcome:
    """A person's 政治面貌 from a day (a history: the latest on or before a day holds)."""
    clean = Cleaner()
    code = clean.value("政治面貌", lambda v: parse.term(POLITICAL_STATUS, v, required=True), status)
    day = clean.date("日期", since, today=today)
    clean.check()
    history = list(session.scalars(select(PoliticalStatus).where(PoliticalStatus.id_number == member.id_number)
                                   .order_by(PoliticalStatus.since, PoliticalStatus.id)))
    before = [h for h in history if h.since <= day]
    if any(h.since == day for h in history):
        clean.problems.append(Problem("bad_value", f"{member.name} 在 {day.isoformat()} 已有政治面貌记录", "日期"))
    elif before and before[-1].status == code:
        clean.problems.append(Problem("bad_value", f"{member.name} 自 {before[-1].since.isoformat()} 起已是"
                                      f"{POLITICAL_STATUS.label(code)}", "政治面貌"))
    if member.birth_date and day < member.birth_date:
        clean.problems.append(Problem("bad_date", "日期早于出生日期；请核对", "日期"))
    clean.check()
    outcome = Outcome()
    insert(session, outcome, PoliticalStatus(id_number=member.id_number, status=code, since=day,
                                             note=clean_text(note)), user=user)
    return outcome
