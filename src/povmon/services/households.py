"""Finding households and describing where they are."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from povmon.models import Area, Household, HouseholdEvent, Income, Member
from povmon.rules import parse
from povmon.rules.income import IncomeYear
from povmon.rules.status import StatusOn, status_on
from povmon.services.lookup import households_not_found


def normal_code(code: str) -> str:
    """A 户编号 as the register stores it (no spaces, upper case), however the user typed it."""
    try:
        return parse.code(code) or code.strip()
    except parse.ValueProblem:
        return code.strip()


def by_code(session: Session, code: str) -> Household:
    """The household with this code (户编号), or NotFound with what to do next."""
    code = normal_code(code)
    household = session.scalar(select(Household).where(Household.code == code))
    if household is None:
        raise households_not_found(session, [code])  # services.lookup: with the nearest codes
    return household


def area_path(session: Session, area_id: int) -> dict[str, Area]:
    """{level: Area} from the given area up to the county."""
    path: dict[str, Area] = {}
    area = session.get(Area, area_id)
    while area is not None:
        path[area.level] = area
        area = area.parent
    return path


def status(session: Session, household_id: int, day: dt.date) -> StatusOn:
    """A household's status and monitoring on a day."""
    events = session.scalars(select(HouseholdEvent).where(HouseholdEvent.household_id == household_id)).all()
    return status_on(events, day)


def present_members(members: Iterable[Member], day: dt.date) -> list[Member]:
    """The members present (在册) on a day."""
    return [m for m in members if m.present_on(day)]


def head_of(members: Iterable[Member], day: dt.date) -> Member | None:
    """The present member whose relation is 户主, if any."""
    for member in members:
        if member.relation == "head" and member.present_on(day):
            return member
    return None


def income_years(incomes: Iterable[Income], as_of: dt.date) -> dict[int, IncomeYear]:
    """A household's income entries summed per year, as known on a day (months after it left out)."""
    entries: dict[int, list[IncomeYear]] = defaultdict(list)
    for inc in incomes:
        if inc.year > as_of.year or (inc.year == as_of.year and inc.month and inc.month > as_of.month):
            continue
        entries[inc.year].append(
            IncomeYear(inc.wage, inc.business, inc.business_expense, inc.property, inc.transfer, inc.compliant_spending)
        )
    return {year: IncomeYear.total(items) for year, items in sorted(entries.items())}


def reference_day(year: int, as_of: dt.date) -> dt.date:
    """The day whose members count for a year's per-capita income: 31 December, or the as-of day if earlier."""
    return min(dt.date(year, 12, 31), as_of)
