"""Visits (走访) and assistance measures (帮扶措施), one record at a time."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from povmon.models import Cadre, Household, Measure, Pairing, Visit
from povmon.rules.checks import Problem
from povmon.services.entry import Cleaner, Outcome, insert
from povmon.services.fields import column


def _paired_on(session: Session, household: Household, cadre: Cadre, day: dt.date) -> bool:
    return session.scalar(select(Pairing.id).where(
        Pairing.household_id == household.id, Pairing.cadre_id == cadre.id, Pairing.active_on(day))) is not None


def add_visit(
    session: Session, household: Household, cadre: Cadre, *, date: object, done: object, problems: object = None,
    resolved: object = None, user: str, today: dt.date | None = None,
) -> Outcome:
    """Record a cadre's visit: the date, what was done, problems found and whether they were resolved."""
    clean = Cleaner()
    day = clean.date("走访日期", date, today=today)
    what = clean.field(column("visit", "done"), done, required=True)
    found = clean.field(column("visit", "problems"), problems)
    fixed = clean.field(column("visit", "resolved"), resolved)
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
    measure_kind = clean.field(column("measure", "kind"), kind)
    day = clean.date("措施日期", date, today=today)
    what = clean.field(column("measure", "description"), description, required=True)
    money = clean.field(column("measure", "amount"), amount)
    clean.check()
    outcome = Outcome()
    measure = Measure(household=household, cadre=cadre, kind=measure_kind, measure_date=day, description=what,
                      amount=money)
    insert(session, outcome, measure, user=user)
    return outcome
