"""Income entries (收入账): record a year's or a month's components; per-capita income against the lines.

An entry is a whole year (month 0) or one month; the entries of a year are summed (rules.income). Re-entering
the same year and month corrects that entry (each changed component is an audited old → new), so the
income ledger never holds two versions of one period.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from povmon.models import Household, Income
from povmon.rules import records
from povmon.rules.checks import Problem
from povmon.rules.income import COMPONENT_LABELS, per_capita_of
from povmon.rules.money import yuan
from povmon.services import households as hh
from povmon.services.entry import Cleaner, Outcome, change, insert
from povmon.services.fields import column
from povmon.services.lines import LineBook

AMOUNT_FIELDS = ("wage", "business", "business_expense", "property", "transfer", "compliant_spending")


def record(
    session: Session, household: Household, *, year: object, month: object = None,
    amounts: dict[str, object], note: str | None = None, user: str, today: dt.date | None = None,
) -> Outcome:
    """Record (or correct) a household's income for a year (month 0 or blank) or one month of it."""
    today = today or dt.date.today()
    clean = Cleaner()
    y = clean.field(column("income", "year"), year)
    m = clean.field(column("income", "month"), month) or 0
    given: dict[str, Decimal] = {}
    for key, raw in amounts.items():
        if key not in AMOUNT_FIELDS:
            clean.problems.append(Problem("bad_value", f"没有名为“{key}”的收入项", "收入项"))
            continue
        value = clean.field(column("income", key), raw, title=COMPONENT_LABELS[key])
        if value is not None:
            given[key] = value
    if y is not None and (y > today.year or (y == today.year and m > today.month)):
        period = f"{y}年{m}月" if m else f"{y}年"
        clean.problems.append(Problem("bad_date", f"{period}还没有到，不能录入收入", "年度"))
    text = clean.field(column("income", "note"), note)
    clean.check()
    existing = session.scalar(select(Income).where(Income.household_id == household.id, Income.year == y,
                                                   Income.month == m))
    outcome = Outcome()
    if existing is not None:
        changes: dict[str, object] = dict(given)
        if text is not None:
            changes["note"] = text
        change(session, outcome, existing, changes, user=user, note="更正收入")
        if not outcome.changed:
            outcome.warnings.append(Problem("unchanged", "与已录入的数额相同，未作改动"))
    else:
        if not given:
            clean.problems.append(Problem("required_missing",
                                          "至少填写一项收入（工资性、生产经营性、经营支出、财产性、转移性）", "收入项"))
            clean.check()
        # the row an imported income entry becomes (rules.records): amounts not given are 0
        entry = Income(household=household, **records.new_income({"year": y, "month": m, "note": text, **given}))
        insert(session, outcome, entry, user=user)
    session.flush()
    others = session.scalars(select(Income.month).where(Income.household_id == household.id, Income.year == y)).all()
    if 0 in others and any(x for x in others):
        outcome.warnings.append(Problem(
            "mixed_periods", f"{y}年既有全年收入又有月度收入，两者会相加；如全年数已含各月，请只保留一种"))
    rows = summary(session, household, dt.date(y, 12, 31) if y < today.year else today)
    outcome.facts["year"] = next((r for r in rows if r["year"] == y), None)
    return outcome


def summary(session: Session, household: Household, as_of: dt.date, book: LineBook | None = None) -> list[dict]:
    """Each year's components, net and per-capita income (members present on 31 December) against the lines."""
    book = book or LineBook(session)
    incomes = session.scalars(select(Income).where(Income.household_id == household.id)).all()
    months: dict[int, list[int]] = {}
    for inc in incomes:
        months.setdefault(inc.year, []).append(inc.month)
    members = [m for m in household.members if m.known_on(as_of)]
    rows = []
    for year, total in hh.income_years(incomes, as_of).items():
        present = len(hh.present_members(members, hh.reference_day(year, as_of)))
        pc = per_capita_of(total, present)
        poverty, monitoring = book.poverty(year), book.monitoring(year)
        rows.append({
            "year": year,
            "entries": sorted(months.get(year, [])),
            **{key: yuan(getattr(total, key)) for key in AMOUNT_FIELDS},
            "net": yuan(total.net),
            "members": present,
            "per_capita": yuan(pc),
            "poverty_line": yuan(poverty.yuan) if poverty else None,
            "monitoring_line": yuan(monitoring.yuan) if monitoring else None,
            "below_poverty_line": None if pc is None or poverty is None else pc < poverty.yuan,
            "below_monitoring_line": None if pc is None or monitoring is None else pc < monitoring.yuan,
        })
    return rows
