"""Working days (工作日) from China's official calendar with its make-up days (调休).

The calendar is the kept ``chinesecalendar`` package (chinese_calendar on import): the State Council's holiday
arrangements year by year, 2004 onwards, updated when a new year's arrangement is published. povmon holds no list
of holidays of its own; a year the package does not know yet is refused with what to do.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from functools import lru_cache

import chinese_calendar

from povmon.errors import PovmonError


def _known_years() -> tuple[int, int]:
    days = list(chinese_calendar.holidays) + list(chinese_calendar.workdays)
    return min(days).year, max(days).year


FIRST_YEAR, LAST_YEAR = _known_years()


def check_year(year: int) -> None:
    """Refuse a year the official calendar does not cover (its holidays are not known)."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise PovmonError(
            f"法定节假日日历只有 {FIRST_YEAR}—{LAST_YEAR} 年的安排，没有 {year} 年的；"
            "请升级 chinesecalendar（pip install -U chinesecalendar）后再算工作日。")


@lru_cache(maxsize=64)
def _year_workdays(year: int) -> frozenset[dt.date]:
    return frozenset(_sorted_workdays(year))


@lru_cache(maxsize=64)
def _sorted_workdays(year: int) -> tuple[dt.date, ...]:
    check_year(year)
    return tuple(sorted(chinese_calendar.get_workdays(dt.date(year, 1, 1), dt.date(year, 12, 31))))


def is_workday(day: dt.date) -> bool:
    """Whether a day is a working day (weekdays that are not holidays, and the weekend days made working: 调休)."""
    return day in _year_workdays(day.year)


def workdays(first: dt.date, last: dt.date) -> list[dt.date]:
    """The working days from ``first`` to ``last``, both included, in order."""
    out: list[dt.date] = []
    for year in range(first.year, last.year + 1):
        days = _sorted_workdays(year)
        out.extend(days[bisect_left(days, first):bisect_right(days, last)])
    return out


def holiday_name(day: dt.date) -> str | None:
    """The holiday a day belongs to in Chinese (e.g. 国庆节), None on an ordinary day."""
    check_year(day.year)
    on_holiday, name = chinese_calendar.get_holiday_detail(day)
    if not on_holiday or name is None:
        return None
    for holiday in chinese_calendar.Holiday:
        if holiday.value == name:
            return holiday.chinese
    return None
