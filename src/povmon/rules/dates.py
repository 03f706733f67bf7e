"""What holds on a day: a person's age, a member's presence, a pairing's activity (pure, plain values).

These are the rules the whole register is read by (docs/DOMAIN.md, "status and its history" and "households and
members"); the models expose them as hybrid methods (models.Member.present_on, Member.aged_between,
Pairing.active_on), whose SQL side says the same in a query, so a report over a county and a ledger of one
household count alike.

- Age on a day: whole years completed (a birthday on the day counts); someone born on 29 February is a year
  older on 1 March in a common year.
- A member is present (在册) on a day from ``since`` — the day they joined (新增), else their birth date — on or
  before it, until ``left_on`` after it: nobody is counted before they were born or after they left.
- A pairing is active on a day from ``start_on`` on or before it until ``end_on`` after it (an end date is the
  first day without the pairing, so a replacement on that day leaves no gap and no overlap).
"""

from __future__ import annotations

import datetime as dt


def age_on(born: dt.date, day: dt.date) -> int:
    """Age in whole years on a day."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def years_before(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` earlier (28 February for a 29 February that the earlier year lacks)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def born_between(youngest: int, oldest: int, day: dt.date) -> tuple[dt.date, dt.date]:
    """(earliest, latest) birth dates of the people aged ``youngest`` to ``oldest`` on a day, both included.

    ``earliest <= born <= latest`` is ``youngest <= age_on(born, day) <= oldest``: what a query can ask of a
    birth-date column.
    """
    latest = years_before(day, youngest)  # born on or before: at least ``youngest`` on the day
    earliest = years_before(day, oldest + 1) + dt.timedelta(days=1)  # born after: at most ``oldest``
    return earliest, latest


def aged_between(born: dt.date | None, youngest: int, oldest: int, day: dt.date) -> bool:
    """Whether someone born on ``born`` is ``youngest`` to ``oldest`` years old on a day (False when unknown)."""
    return born is not None and youngest <= age_on(born, day) <= oldest


def known_on(since: dt.date | None, day: dt.date) -> bool:
    """Whether a member belongs to the household's history by a day: joined (or born) on or before it."""
    return since is None or since <= day


def present_on(since: dt.date | None, left_on: dt.date | None, day: dt.date) -> bool:
    """Whether a member counts as present (在册) on a day (see the module docstring)."""
    return (since is None or since <= day) and (left_on is None or left_on > day)


def active_on(start_on: dt.date, end_on: dt.date | None, day: dt.date) -> bool:
    """Whether a pairing holds on a day: started on or before it, not yet ended."""
    return start_on <= day and (end_on is None or end_on > day)


def last_full_year(day: dt.date) -> int:
    """The last calendar year complete on a day: that year on 31 December (a year-only date), else the one before."""
    return day.year if (day.month, day.day) == (12, 31) else day.year - 1
