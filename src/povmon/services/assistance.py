"""Visits (走访) and assistance measures (帮扶措施), one record at a time."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from povmon.models import Cadre, Household, Measure, Pairing, Visit
from povmon.rules import parse
from povmon.rules.checks import Problem
from povmon.rules.fields import text
from povmon.rules.vocab import MEASURE_KIND
from povmon.services.entry import Cleaner, Outcome, insert


def _paired_on(session: Session, household: Household, cadre: Cadre, day: dt.date) -> bool:
    return session.scalar(select(Pairing.id).where(
        Pairing.household_id == household.id, Pairing.cadre_id == cadre.id, Pairing.start_on <= day,
        (Pairing.end_on.is_(None)) | (Pairing.end_on > day),
    )) is not None


def add_visit(
    session: Session, household: Household, cadre: Cadre, *, date: object, done: object, problems: object = None,
    resolved: object = None, user: str, today: dt.date | None = None,
) -> Outcome:
    """Record a cadre's visit: the date, what was done, problems found and whether they were resolved."""
    clean = Cleaner()
    day = clean.date("走访日期", date, today=today)
    what = clean.value("走访内容", text(2000), done, required=True)
    found = clean.value("发现问题", text(2000), problems)
    fixed = clean.value("是否解决", lambda v: parse.boolean(v, "是否解决"), resolved)
    clean.check()
    outcome = Outcome()
    if not _paired_on(session, household, cadre, day):
        # first secretaries and work-team members visit households they are not paired with: allowed, but said
        outcome.warnings.append(Problem(
            "not_paired", f"{day.isoformat()} 这天 {cadre.name} 未与户 {household.code} 结对；已照常记录走访"))
    visit = Visit(household=household, cadre=cadre, visit_date=day, done=what, problems=found, resolved=fixed)
    insert(session, outcome, visit, user=user)
    return outcome


def add_measure(
    session: Session, household: Household, *, kind: object, date: object, description: object,
    amount: object = None, cadre: Cadre | None = None, user: str, today: dt.date | None = None,
) -> Outcome:
    """Record an assistance measure taken for a household: its kind, date, description and amount."""
    clean = Cleaner()
    measure_kind = clean.value("措施类别", lambda v: parse.term(MEASURE_KIND, v), kind, required=True)
    day = clean.date("措施日期", date, today=today)
    what = clean.value("措施内容", text(2000), description, required=True)
    money = clean.value("金额", lambda v: parse.amount(v, blank_is_zero=False), amount)
    if money is not None and money < 0:
        clean.problems.append(Problem("bad_number", "金额不能为负数", "金额"))
    clean.check()
    outcome = Outcome()
    measure = Measure(household=household, cadre=cadre, kind=measure_kind, measure_date=day, description=what,
                      amount=money)
    insert(session, outcome, measure, user=user)
    return outcome
