"""驻村帮扶 rules, pure (plain values in, figures and problems out), with their thresholds as data.

The thresholds are ``src/povmon/data/workteam_rules.toml`` (docs/DOMAIN.md "Village work teams"): a share of
working days in the village (Shanxi: 2/3), the leave days in a year that mean recall (30), the longest leave a
township may approve (3 days; longer: the county organisation department), a team's least members (3) and term
(2 years), and the reports and work logs due each month. Working days come from rules.calendar.

How a person's figures for a period are made (``person_figures``):

- working days: the official working days of the period on which the person was in post (a team stint);
- in village (在村): working days marked 在村 or 公务外出 (reported official business counts as in the village);
- absences (缺勤): working days marked 缺勤; working days marked 请假 that no approved leave covers; and working
  days after an approved leave ended and before the person came back (销假), unless marked in the village;
- leave days (请假天数): calendar days of the period marked 请假 or on an approved leave (from its first day to
  its last, or to the day before an earlier return);
- unrecorded: working days in post with no mark at all (not counted in the village, not an absence);
- below: in post on some working day and in the village on less than the share of them (or, where the data sets
  ``min_days_month``, a month in the village on fewer days than that).
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import lru_cache
from importlib import resources
from pathlib import Path

from povmon.errors import PovmonError
from povmon.rules import calendar
from povmon.rules.checks import Problem
from povmon.rules.vocab import Term, Vocabulary

TEAM_ROLE = Vocabulary("team_role", "队内职务", (
    Term("leader", "队长", ("工作队长", "驻村工作队长")),
    Term("first_secretary", "第一书记", ("驻村第一书记", "书记")),
    Term("member", "队员", ("工作队员", "驻村工作队员")),
))
ATTENDANCE_MARK = Vocabulary("attendance_mark", "考勤", (
    Term("in_village", "在村", ("√", "✓", "✔", "在", "在岗", "出勤", "○")),
    Term("official", "公务外出", ("公", "公出", "公务", "外出", "出差", "△")),
    Term("leave", "请假", ("假", "事假", "病假", "休假")),
    Term("absent", "缺勤", ("×", "✗", "✘", "x", "缺", "旷", "旷工")),
    Term("rest", "休息", ("休", "休息日", "轮休")),
))
APPROVAL_LEVEL = Vocabulary("approval_level", "审批层级", (
    Term("township", "乡镇", ("乡", "镇", "乡镇党委", "乡（镇）")),
    Term("county", "县委组织部", ("县", "组织部", "县级", "县委")),
))
REPORT_KIND = Vocabulary("report_kind", "汇报类别", (
    Term("weekly", "周报", ("每周汇报", "周汇报")),
    Term("monthly", "月报", ("每月汇报", "月汇报")),
))
IN_VILLAGE = frozenset({"in_village", "official"})


@dataclass(frozen=True)
class Thresholds:
    """The rules in force, as data (workteam_rules.toml)."""

    share: Fraction = Fraction(2, 3)
    min_days_month: int = 0
    leave_year_days: int = 30
    township_days: int = 3
    min_members: int = 3
    min_term_years: int = 2
    reports_per_month: int = 1
    logs_per_month: int = 4

    @property
    def share_text(self) -> str:
        return f"{self.share.numerator}/{self.share.denominator}"


def parse_rules(text: str, name: str = "workteam_rules.toml") -> Thresholds:
    """Thresholds from the TOML text; a bad file is one sentence naming the key."""
    try:
        data = tomllib.loads(text)
        share = Fraction(str(data["attendance"]["share"]))
        rules = Thresholds(
            share=share, min_days_month=int(data["attendance"].get("min_days_month", 0)),
            leave_year_days=int(data["leave"]["year_days"]), township_days=int(data["leave"]["township_days"]),
            min_members=int(data["team"]["min_members"]), min_term_years=int(data["team"]["min_term_years"]),
            reports_per_month=int(data["due"]["reports_per_month"]), logs_per_month=int(data["due"]["logs_per_month"]),
        )
    except (tomllib.TOMLDecodeError, KeyError, ValueError, ZeroDivisionError, TypeError) as exc:
        raise PovmonError(f"驻村帮扶规则文件 {name} 有误（{exc}）；请对照 povmon 自带的 workteam_rules.toml 改正。") \
            from exc
    if not 0 < share <= 1:
        raise PovmonError(f"驻村帮扶规则文件 {name}：在村比例 {share} 应在 0 和 1 之间。")
    return rules


@lru_cache(maxsize=1)
def default_rules() -> Thresholds:
    return parse_rules((resources.files("povmon.data") / "workteam_rules.toml").read_text(encoding="utf-8"))


def load(path: Path | None = None) -> Thresholds:
    """The thresholds shipped with povmon, or those of a county's own file."""
    if path is None:
        return default_rules()
    return parse_rules(path.read_text(encoding="utf-8-sig"), path.name)


# --- teams and leave ------------------------------------------------------------------------------------


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def team_warnings(members: int, start_on: dt.date, end_on: dt.date | None, rules: Thresholds) -> list[Problem]:
    """A team of fewer members than the rule, or with a term shorter than the rule (warnings, never refusals)."""
    out = []
    if members < rules.min_members:
        out.append(Problem("team_too_small", f"工作队现有 {members} 人，少于规定的 {rules.min_members} 人；请补齐队员"))
    if end_on is not None and end_on < add_years(start_on, rules.min_term_years):
        out.append(Problem("team_term_short", f"任期 {start_on.isoformat()} 至 {end_on.isoformat()} 不足 "
                                              f"{rules.min_term_years} 年"))
    return out


def leave_days(start_on: dt.date, end_on: dt.date) -> int:
    """Calendar days of a leave, both ends included."""
    return (end_on - start_on).days + 1


def approval_problems(days: int, level: str, rules: Thresholds) -> list[Problem]:
    """A leave approved by the wrong level: longer than the township may grant, approved by the township."""
    if level == "township" and days > rules.township_days:
        return [Problem("wrong_approval_level",
                        f"请假 {days} 天，超过 {rules.township_days} 天，应由县委组织部审批，乡镇无权批准",
                        "审批层级", hint="请用 --level 县委组织部 并写明审批人")]
    return []


@dataclass(frozen=True)
class Leave:
    """A leave as the figures see it: its dates, whether approved, the return (first day back)."""

    start_on: dt.date
    end_on: dt.date
    approved: bool
    returned_on: dt.date | None = None

    def taken(self) -> tuple[dt.date, dt.date]:
        """The days on leave: from its first day to its last, or to the day before an earlier return (days
        away after its last day are an overrun, ``overrun``: absences, not leave)."""
        if self.returned_on is not None and self.returned_on <= self.end_on:
            return self.start_on, self.returned_on - dt.timedelta(days=1)
        return self.start_on, self.end_on

    def overrun(self, today: dt.date) -> tuple[dt.date, dt.date] | None:
        """Days away beyond the approved end: to the day before the return, or up to today while not back."""
        if not self.approved:
            return None
        last = (self.returned_on - dt.timedelta(days=1)) if self.returned_on is not None else today
        first = self.end_on + dt.timedelta(days=1)
        return (first, last) if last >= first else None


# --- a person's figures ---------------------------------------------------------------------------------


@dataclass
class Figures:
    """A person's (or a team's, summed) attendance figures for a period."""

    working_days: int = 0
    in_village: int = 0
    official: int = 0
    leave_days: int = 0
    absent: int = 0
    unrecorded: int = 0
    people: int = 1
    absent_days: list[dt.date] = field(default_factory=list, repr=False)

    def share(self) -> Fraction | None:
        return Fraction(self.in_village, self.working_days) if self.working_days else None

    def share_pct(self) -> Decimal | None:
        """The share as a percentage, half-up to one decimal."""
        s = self.share()
        if s is None:
            return None
        return (Decimal(s.numerator) * 100 / Decimal(s.denominator)).quantize(Decimal("0.1"), ROUND_HALF_UP)

    def below(self, rules: Thresholds, *, months: int = 1) -> bool:
        s = self.share()
        if s is None:
            return False
        if s < rules.share:
            return True
        return bool(rules.min_days_month) and self.in_village < rules.min_days_month * months

    def add(self, other: Figures) -> None:
        for name in ("working_days", "in_village", "official", "leave_days", "absent", "unrecorded"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.absent_days.extend(other.absent_days)

    def as_json(self, rules: Thresholds) -> dict:
        pct = self.share_pct()
        return {"working_days": self.working_days, "in_village_days": self.in_village,
                "official_days": self.official, "share_pct": None if pct is None else f"{pct:.1f}",
                "leave_days": self.leave_days, "absences": self.absent, "unrecorded_days": self.unrecorded,
                "below_threshold": self.below(rules)}


def _days(first: dt.date, last: dt.date) -> Iterable[dt.date]:
    day = first
    while day <= last:
        yield day
        day += dt.timedelta(days=1)


Stints = list[tuple[dt.date, dt.date | None]]  # (first day, first day out) of each stint in post


def in_post_days(stints: Stints, first: dt.date, last: dt.date) -> set[dt.date]:
    """The days from ``first`` to ``last`` on which one of the stints (start, exclusive end) held."""
    out: set[dt.date] = set()
    for lo, hi in _clipped(stints, first, last):
        out.update(_days(lo, hi))
    return out


def _clipped(stints: Stints, first: dt.date, last: dt.date) -> list[tuple[dt.date, dt.date]]:
    out = []
    for start, end in stints:
        lo = max(start, first)
        hi = min(last, end - dt.timedelta(days=1)) if end is not None else last
        if lo <= hi:
            out.append((lo, hi))
    return out


def post_workdays(stints: Stints, first: dt.date, last: dt.date) -> list[dt.date]:
    """The working days from ``first`` to ``last`` on which one of the stints held, in order."""
    days: set[dt.date] = set()
    spans = _clipped(stints, first, last)
    if len(spans) == 1:
        return calendar.workdays(*spans[0])
    for lo, hi in spans:
        days.update(calendar.workdays(lo, hi))
    return sorted(days)


def _posted(stints: Stints, day: dt.date) -> bool:
    return any(start <= day and (end is None or day < end) for start, end in stints)


def person_figures(first: dt.date, last: dt.date, stints: Stints, marks: dict[dt.date, str],
                   leaves: Iterable[Leave], today: dt.date) -> Figures:
    """One person's figures from ``first`` to ``last`` while in post in ``stints`` (see the module docstring)."""
    last = min(last, today)
    fig = Figures()
    if last < first:
        return fig
    workdays = post_workdays(stints, first, last)
    covered: set[dt.date] = set()  # approved leave days
    away: set[dt.date] = set()  # leave taken, calendar days
    overrun: set[dt.date] = set()
    for leave in leaves:
        if not leave.approved:
            continue  # a leave not approved covers nothing: its days marked 请假 are absences
        if leave.start_on > last or max(leave.end_on, leave.returned_on or leave.end_on) < first:
            continue
        lo, hi = leave.taken()
        covered.update(_days(max(leave.start_on, first), min(leave.end_on, last)))
        away.update(_days(max(lo, first), min(hi, last)))
        span = leave.overrun(today)
        if span is not None:
            overrun.update(_days(max(span[0], first), min(span[1], last)))
    absent: list[dt.date] = []
    get = marks.get
    for day in workdays:
        mark = get(day)
        if mark == "in_village":
            fig.in_village += 1
        elif mark == "official":
            fig.in_village += 1
            fig.official += 1
        elif mark == "absent" or (mark == "leave" and day not in covered) or day in overrun:
            absent.append(day)
        elif mark is None and day not in covered:
            fig.unrecorded += 1
    fig.working_days = len(workdays)
    fig.absent = len(absent)
    fig.absent_days = absent
    leave_days = {d for d, m in marks.items() if m == "leave" and first <= d <= last} | away
    fig.leave_days = sum(1 for d in leave_days if _posted(stints, d))
    return fig


def months_in_post(stints: Stints, months: Iterable[tuple[dt.date, dt.date]]) -> int:
    """How many of the months (first, last day) have a working day in post (reports and logs fall due in them)."""
    return sum(1 for a, b in months if post_workdays(stints, a, b))
