"""The auditors' monthly summary (``povmon report monthly``): every figure of docs/CONTRACTS.md for the county,
each township and each village, as of the month's last day.

What the figures mean (docs/CONTRACTS.md and docs/DOMAIN.md, made precise):

- as_of is the month's last day. A household counts (``households``) when at least one member is present
  on as_of; ``people`` are the members present. Every status figure counts among those households.
- Status comes from the event history (rules.status): registered = poor, exited or returned; poor = poor
  or returned; monitored = in monitoring with the risk not eliminated (any status).
- incidence_pct = poor_people / people × 100, rounded half-up to 2 decimals ("0.00" with nobody).
- below_line_households: registered or monitored households whose per-capita net income of the previous
  full year (as_of.year − 1, members present on 31 December of that year) is below that year's poverty
  line (services.lines). A household with no income entered for that year is not counted here: the
  数据质量 sheet lists it.
- paired / unpaired: registered or monitored households with / without a pairing active on as_of.
- cadres: distinct cadres with a pairing active on as_of with a household of the area (a cadre paired in
  two villages counts once in their township, so this column does not add up the way the others do).
- visited_households, benefits_yuan, identified … risk_eliminated: visits, benefits and (not voided)
  events dated in the month, for every household of the area.
- work_teams: village work teams in post on as_of (their term holds that day) in the area's villages;
  first_secretaries: distinct cadres in post on as_of as 第一书记 of such a team (merged like cadres).
- leads_new / leads_open / leads_decided / leads_overdue (防止返贫动态监测, after the projects' keys): leads dated
  in the month; leads dated on or before as_of with no decision dated on or before it; decisions (纳入 or 不纳入)
  dated in the month; open leads past the 15 days of rules.monitoring.overdue. By the lead's household's village.

Everything is computed from dates, never from when a record was typed in: the same month gives the same
figures however many later-dated records are added. The computation is set-based (services.snapshot):
a few queries for the whole county, then one pass over the households in Python.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import and_, case, distinct, func, or_, select, text
from sqlalchemy.orm import Session, aliased

from povmon.models import (
    Area,
    Benefit,
    Cadre,
    Household,
    HouseholdEvent,
    Lead,
    LeadStep,
    Member,
    Pairing,
    Policy,
    TeamMember,
    Visit,
    WorkTeam,
)
from povmon.reports import extras as extras_figures
from povmon.rules import exit_standard, parse
from povmon.rules import monitoring as monitoring_rules
from povmon.rules.dates import age_on
from povmon.rules.lines import LineValue
from povmon.rules.money import yuan
from povmon.rules.status import POOR_NOW, REGISTERED, StatusOn
from povmon.services import lookup, snapshot
from povmon.services.lines import LineBook
from povmon.services.lookup import path_of

COUNT_FIELDS = (
    "households", "people",
    "registered_households", "registered_people",
    "poor_households", "poor_people",
    "exited_households", "exited_people",
    "monitored_households", "monitored_people",
)
PAIRING_FIELDS = ("below_line_households", "paired_households", "unpaired_households")
EVENT_FIELDS = ("identified", "exited", "returned", "monitoring_added", "risk_eliminated")
TEAM_FIELDS = ("work_teams", "first_secretaries")
LEAD_FIELDS = ("leads_new", "leads_open", "leads_decided", "leads_overdue")  # after reports.extras' keys
SUMMED_FIELDS = (*COUNT_FIELDS, *PAIRING_FIELDS, "visited_households", *EVENT_FIELDS, "work_teams", *LEAD_FIELDS)
JSON_FIELDS = (
    "level", "code", "name", "parent", *COUNT_FIELDS, "incidence_pct", *PAIRING_FIELDS, "cadres",
    "visited_households", "benefits_yuan", *EVENT_FIELDS, *TEAM_FIELDS,
)
NOT_VISITED_DAYS = 60  # 走访: households with no visit in the 60 days up to as_of
DEFAULT_PAIR_LIMIT = 5  # 帮扶干部结对户数原则上不超过5户


@dataclass
class AreaFigures:
    """The figures of one area (county, township or village) as of the month's last day."""

    area_id: int
    level: str
    code: str | None
    name: str
    parent: str | None
    depth: int  # 0 for the top entry of the report, 1 below it, …
    households: int = 0
    people: int = 0
    registered_households: int = 0
    registered_people: int = 0
    poor_households: int = 0
    poor_people: int = 0
    exited_households: int = 0
    exited_people: int = 0
    monitored_households: int = 0
    monitored_people: int = 0
    below_line_households: int = 0
    paired_households: int = 0
    unpaired_households: int = 0
    visited_households: int = 0
    benefits: Decimal = Decimal("0.00")
    identified: int = 0
    exited: int = 0
    returned: int = 0
    monitoring_added: int = 0
    risk_eliminated: int = 0
    work_teams: int = 0
    leads_new: int = 0
    leads_open: int = 0
    leads_decided: int = 0
    leads_overdue: int = 0
    cadre_ids: set[int] = field(default_factory=set, repr=False)
    secretary_ids: set[int] = field(default_factory=set, repr=False)
    extras: dict = field(default_factory=extras_figures.monthly_zero, repr=False)  # reports.extras.MONTHLY_FIELDS

    @property
    def cadres(self) -> int:
        """Distinct cadres with an active pairing here."""
        return len(self.cadre_ids)

    @property
    def first_secretaries(self) -> int:
        """Distinct first secretaries (第一书记) in post here, in a work team in post."""
        return len(self.secretary_ids)

    @property
    def incidence(self) -> Decimal:
        """poor_people / people × 100, half-up to 2 decimals (0.00 when nobody is present)."""
        if not self.people:
            return Decimal("0.00")
        return (Decimal(self.poor_people) * 100 / Decimal(self.people)).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )

    def add(self, other: AreaFigures) -> None:
        """Add a child area's figures (distinct cadres are merged, not summed)."""
        for name in SUMMED_FIELDS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.benefits += other.benefits
        self.cadre_ids |= other.cadre_ids
        self.secretary_ids |= other.secretary_ids
        extras_figures.monthly_add(self.extras, other.extras)

    def as_json(self) -> dict:
        """The entry of docs/CONTRACTS.md, field by field, in its order."""
        out = {}
        for name in JSON_FIELDS:
            if name == "incidence_pct":
                out[name] = f"{self.incidence:.2f}"
            elif name == "benefits_yuan":
                out[name] = yuan(self.benefits)
            else:
                out[name] = getattr(self, name)
        out.update(extras_figures.monthly_json(self.extras))  # after the contract's first keys (docs/CONTRACTS.md)
        out.update((name, getattr(self, name)) for name in LEAD_FIELDS)  # then the monitoring leads' (issue 12)
        return out


@dataclass(frozen=True)
class Month:
    """A calendar month: its label (YYYY-MM), first and last day (as_of)."""

    label: str
    first: dt.date
    as_of: dt.date

    @classmethod
    def parse(cls, value: object) -> Month:
        """A month as typed (2019-01, 2019年1月, …); raises parse.ValueProblem when it is not one."""
        year, month = parse.month(value)
        if not 1900 <= year <= 2999:
            raise parse.ValueProblem("bad_date", f"“{value}”的年份不对；请写成 YYYY-MM，如 2019-01")
        return cls(f"{year:04d}-{month:02d}", dt.date(year, month, 1), parse.month_end(year, month))

    @property
    def income_year(self) -> int:
        """The previous full year, whose incomes are compared with that year's poverty line."""
        return self.as_of.year - 1


@dataclass(slots=True)
class HouseholdRow:
    """A household present on as_of with events in effect: the per-household inputs of the figures."""

    id: int
    area_id: int
    people: int
    status: StatusOn
    paired: bool
    income: snapshot.YearIncome | None
    status_code: str = field(init=False)
    registered: bool = field(init=False)
    monitored: bool = field(init=False)
    focus: bool = field(init=False)  # registered or monitored: the households below-line and pairing count

    def __post_init__(self) -> None:
        self.status_code = self.status.status
        self.registered = self.status_code in REGISTERED
        self.monitored = self.status.monitored
        self.focus = self.registered or self.monitored


@dataclass
class MonthlyReport:
    """The month's figures for every area of the scope, plus what the workbook's detail sheets need."""

    month: Month
    scope: Area | None  # None: the whole register
    areas: list[AreaFigures]
    line: LineValue | None  # the poverty line of the income year
    people: dict[int, int] = field(repr=False)  # {household: members present} for households present on as_of
    households: dict[int, HouseholdRow] = field(repr=False)  # those of them with events in effect
    area_index: dict[int, Area] = field(repr=False)
    scope_ids: list[int] | None = field(repr=False)  # the areas of the scope (None: all)
    pairs: list[tuple[int, int]] = field(repr=False)  # (household, cadre) pairings active on as_of

    @property
    def as_of(self) -> dt.date:
        """The month's last day."""
        return self.month.as_of

    def as_json(self) -> dict:
        """The JSON of docs/CONTRACTS.md (``report monthly --json``)."""
        return {"month": self.month.label, "as_of": self.as_of.isoformat(), "areas": [a.as_json() for a in self.areas]}

    def township_of(self, area_id: int) -> Area | None:
        """The township an area (village) belongs to."""
        area = self.area_index.get(area_id)
        while area is not None and area.level != "township":
            area = self.area_index.get(area.parent_id) if area.parent_id else None
        return area


# --- areas ----------------------------------------------------------------------------------------------


def _path_names(session: Session, area: Area) -> list[str]:
    return path_of(area).split("/")


def _tree(session: Session) -> tuple[dict[int, Area], dict[int | None, list[Area]]]:
    areas = session.scalars(select(Area)).all()
    index = {a.id: a for a in areas}
    children: dict[int | None, list[Area]] = defaultdict(list)
    for a in areas:
        children[a.parent_id if a.parent_id in index else None].append(a)
    for siblings in children.values():
        # statistical codes give the official order; areas without a code follow, in the order entered
        siblings.sort(key=lambda a: (a.code is None, a.code or "", a.id))
    return index, children


def _preorder(roots: Iterable[Area], children: dict[int | None, list[Area]]) -> list[tuple[Area, int]]:
    out: list[tuple[Area, int]] = []
    stack = [(a, 0) for a in reversed(list(roots))]
    while stack:
        area, depth = stack.pop()
        out.append((area, depth))
        stack.extend((c, depth + 1) for c in reversed(children.get(area.id, [])))
    return out


# --- the report -----------------------------------------------------------------------------------------


def build(session: Session, month: Month | str, area: str | Area | None = None) -> MonthlyReport:
    """Compute the month's figures for the whole register, or for one area and everything under it."""
    if not isinstance(month, Month):
        month = Month.parse(month)
    scope = lookup.find_area(session, area) if isinstance(area, str) else area
    index, children = _tree(session)
    order = _preorder([scope] if scope is not None else children.get(None, []), children)
    scope_ids = [a.id for a, _ in order] if scope is not None else None
    as_of = month.as_of

    figures = {
        a.id: AreaFigures(a.id, a.level, a.code, a.name, index[a.parent_id].name if a.parent_id in index else None,
                          depth)
        for a, depth in order
    }

    villages = snapshot.household_villages(session, scope_ids)
    people = snapshot.members_present(session, as_of, scope_ids)
    statuses = snapshot.statuses(session, as_of, scope_ids)
    pairs = snapshot.active_pairings(session, as_of, scope_ids)
    paired = {hid for hid, _ in pairs}
    incomes = snapshot.incomes_of_year(session, month.income_year, scope_ids)
    line = LineBook(session).poverty(month.income_year)

    rows: dict[int, HouseholdRow] = {}
    for hid, n in people.items():
        area_id = villages[hid]
        fig = figures.get(area_id)
        if fig is None:  # a household hanging from an area outside the tree (cannot happen with the FK)
            continue
        fig.households += 1
        fig.people += n
        state = statuses.get(hid)
        if state is None:  # 一般农户 without monitoring: most households, nothing more to count
            continue
        row = HouseholdRow(hid, area_id, n, state, hid in paired, incomes.get(hid))
        rows[hid] = row
        status = row.status_code
        if status in REGISTERED:
            fig.registered_households += 1
            fig.registered_people += n
        if status in POOR_NOW:
            fig.poor_households += 1
            fig.poor_people += n
        if status == "exited":
            fig.exited_households += 1
            fig.exited_people += n
        if row.monitored:
            fig.monitored_households += 1
            fig.monitored_people += n
        if row.focus:
            if row.paired:
                fig.paired_households += 1
            else:
                fig.unpaired_households += 1
            if _below_line(row, line):
                fig.below_line_households += 1

    for hid, cadre_id in pairs:
        fig = figures.get(villages.get(hid))
        if fig is not None:
            fig.cadre_ids.add(cadre_id)
    for area_id, kind, count in _events_in_month(session, month, scope_ids):
        if area_id in figures and kind in EVENT_FIELDS:
            setattr(figures[area_id], kind, getattr(figures[area_id], kind) + count)
    for area_id, count in _visited_in_month(session, month, scope_ids):
        if area_id in figures:
            figures[area_id].visited_households += count
    for area_id, amount in _benefits_in_month(session, month, scope_ids):
        if area_id in figures:
            figures[area_id].benefits += amount or Decimal(0)
    for area_id in session.scalars(select(WorkTeam.village_id).where(WorkTeam.active_on(as_of))):
        if area_id in figures:
            figures[area_id].work_teams += 1
    for area_id, cadre_id in session.execute(
            select(WorkTeam.village_id, TeamMember.cadre_id).join(TeamMember, TeamMember.team_id == WorkTeam.id)
            .where(WorkTeam.active_on(as_of), TeamMember.active_on(as_of), TeamMember.role == "first_secretary")):
        if area_id in figures:
            figures[area_id].secretary_ids.add(cadre_id)

    for area_id, values in extras_figures.monthly_by_village(session, month.first, as_of, scope_ids, villages,
                                                             statuses).items():
        if area_id in figures:
            figures[area_id].extras = values

    for area_id, counts in _leads_by_village(session, month, scope_ids).items():
        if area_id in figures:
            for name, count in counts.items():
                setattr(figures[area_id], name, count)

    # roll up: children before parents (reverse pre-order), so each area adds its finished children
    for area, _ in reversed(order):
        parent = figures.get(area.parent_id) if area.parent_id else None
        if parent is not None and area is not scope:
            parent.add(figures[area.id])

    return MonthlyReport(
        month=month, scope=scope, areas=[figures[a.id] for a, _ in order], line=line, people=people, households=rows,
        area_index=index, scope_ids=scope_ids, pairs=pairs,
    )


def _below_line(row: HouseholdRow, line: LineValue | None) -> bool:
    return (
        line is not None and row.income is not None and row.income.per_capita is not None
        and row.income.per_capita < line.yuan
    )


def _in_scope(query, column, scope_ids: list[int] | None):
    return query if scope_ids is None else query.where(column.in_(scope_ids))


def _events_in_month(session: Session, month: Month, scope_ids: list[int] | None):
    eff = snapshot.effective_events(month.as_of, scope_ids, since=month.first).subquery("month_events")
    query = (
        select(Household.village_id, eff.c.kind, func.count())
        .join(eff, eff.c.household_id == Household.id)
        .group_by(Household.village_id, eff.c.kind)
    )
    return [tuple(r) for r in session.execute(query)]


def _visited_in_month(session: Session, month: Month, scope_ids: list[int] | None):
    query = (
        select(Household.village_id, func.count(distinct(Visit.household_id)))
        .join(Household, Household.id == Visit.household_id)
        .where(Visit.visit_date >= month.first, Visit.visit_date <= month.as_of)
        .group_by(Household.village_id)
    )
    return [tuple(r) for r in session.execute(_in_scope(query, Household.village_id, scope_ids))]


def _benefits_in_month(session: Session, month: Month, scope_ids: list[int] | None):
    query = (
        select(Household.village_id, func.sum(Benefit.amount))
        .join(Household, Household.id == Benefit.household_id)
        .where(Benefit.benefit_date >= month.first, Benefit.benefit_date <= month.as_of)
        .group_by(Household.village_id)
    )
    return [tuple(r) for r in session.execute(_in_scope(query, Household.village_id, scope_ids))]


# --- the detail sheets ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """Where a household is, for listings."""

    code: str
    township: str
    village: str
    head: str | None
    rank: int = 0  # the village's position in the report (official code order), for sorting listings


@dataclass(frozen=True)
class ChangeRow:
    """A change dated in the month: a status event, or a member added or gone."""

    place: Place
    category: str  # 状态变动 / 人口变动
    kind: str  # Chinese label
    day: dt.date
    detail: str


@dataclass(frozen=True)
class BelowLineRow:
    place: Place
    status: str
    monitored: bool
    income: snapshot.YearIncome
    line: Decimal

    @property
    def gap(self) -> Decimal:
        """How far below the line the per-capita income is."""
        return self.line - (self.income.per_capita or Decimal(0))


@dataclass(frozen=True)
class UnpairedRow:
    place: Place
    status: str
    monitored: bool
    last_pairing_end: dt.date | None


@dataclass(frozen=True)
class CadreVisitRow:
    name: str
    unit: str | None
    role: str
    paired: int
    visited: int
    visits: int
    last_visit: dt.date | None
    not_visited: int = 0  # paired households nobody visited in the last 60 days


@dataclass(frozen=True)
class NotVisitedRow:
    place: Place
    status: str
    cadres: str
    last_visit: dt.date | None

    def days_since(self, as_of: dt.date) -> int | None:
        """Days from the last visit to as_of (None: never visited)."""
        return None if self.last_visit is None else (as_of - self.last_visit).days


@dataclass(frozen=True)
class QualityRow:
    """Something an auditor should chase."""

    category: str
    place: Place | None
    who: str  # a member's or cadre's name, when the item is about a person
    detail: str


@dataclass
class Details:
    """What the workbook's detail sheets list."""

    changes: list[ChangeRow]
    below_line: list[BelowLineRow]
    unpaired: list[UnpairedRow]
    cadre_visits: list[CadreVisitRow]
    not_visited: list[NotVisitedRow]
    benefits: dict[tuple[str, int], tuple[Decimal, int]]  # (policy category, township id) → (amount, count)
    townships: list[Area]
    quality: list[QualityRow]
    pair_limit: int


_CHUNK = 50_000  # ids per IN list


def _chunks(ids: Iterable[int]) -> Iterable[list[int]]:
    ids = sorted(ids)
    for start in range(0, len(ids), _CHUNK):
        yield ids[start:start + _CHUNK]


def _in_ids(column, ids: list[int]):
    """``column IN (…)`` with the ids written into the statement: integers of the register's own rows, so there
    is nothing to bind (SQLAlchemy renders a bound parameter per element of an IN list, which for tens of
    thousands of households cost more than the lookups themselves)."""
    col = column.expression
    return text(f"{col.table.name}.{col.name} IN ({','.join(str(int(i)) for i in ids)})")


def details(session: Session, report: MonthlyReport, *, pair_limit: int = DEFAULT_PAIR_LIMIT) -> Details:
    """The lists behind the figures, for the workbook's detail sheets (same data, same rules).

    Built on what ``build`` already holds (the households present, their statuses, incomes and active
    pairings) plus queries that return only what a sheet lists; each listed household's place (code,
    township, village, head) is fetched once at the end, for the listed households alone.
    """
    from povmon.rules.status import STATUS_LABELS
    from povmon.rules.vocab import CADRE_ROLE, EVENT_KIND, MEMBER_STATE, MONITORING_TYPE

    as_of, month, scope_ids = report.as_of, report.month, report.scope_ids
    conn = session  # through the session: the acting user's scope (services.access) applies to every query
    rows, present = report.households, report.people

    def status_label(row: HouseholdRow | None) -> str:
        return STATUS_LABELS[row.status_code if row else "non_poor"]

    # 变动: status events dated in the month (voided ones left out, corrections shown) and member changes
    changes_raw: list[tuple] = []  # (household, category, kind, day, detail)
    e = HouseholdEvent
    target = aliased(HouseholdEvent)
    event_query = (
        select(e.household_id, e.kind, e.event_date, e.reason, e.monitoring_type, target.kind, target.event_date)
        .outerjoin(target, target.id == e.cancels_event_id)
        .where(e.event_date >= month.first, e.event_date <= as_of, snapshot.not_voided(as_of, e))
    )
    for hid, kind, day, reason, mtype, t_kind, t_day in conn.execute(
        snapshot.restrict(event_query, e.household_id, scope_ids)
    ):
        detail = reason or ""
        if kind == "monitoring_added" and mtype:
            detail = "；".join(x for x in (MONITORING_TYPE.label(mtype), reason) if x)
        if kind == "cancelled" and t_kind:
            detail = "；".join(x for x in (f"作废 {t_day.isoformat()} 的“{EVENT_KIND.label(t_kind)}”", reason) if x)
        changes_raw.append((hid, "状态变动", EVENT_KIND.label(kind) or kind, day, detail))
    member_query = (
        select(Member.household_id, Member.name, Member.joined_on, Member.left_on, Member.left_reason)
        .where((Member.joined_on.between(month.first, as_of)) | (Member.left_on.between(month.first, as_of)))
    )
    for hid, name, joined, left, reason in conn.execute(
        snapshot.restrict(member_query, Member.household_id, scope_ids)
    ):
        if joined is not None and month.first <= joined <= as_of:
            changes_raw.append((hid, "人口变动", "新增", joined, name))
        if left is not None and month.first <= left <= as_of:
            changes_raw.append((hid, "人口变动", MEMBER_STATE.label(reason or "moved_out"), left, name))

    # 低于标准线 and 未结对 (registered or monitored households present on as_of)
    line = report.line
    below_raw = [
        (r.id, status_label(r), r.monitored, r.income)
        for r in rows.values() if r.focus and line is not None and _below_line(r, line)
    ]
    unpaired_rows = [r for r in rows.values() if r.focus and not r.paired]
    ended: dict[int, dt.date] = {}  # the last pairing ended on or before as_of, for the unpaired ones only
    for chunk in _chunks(r.id for r in unpaired_rows):
        ended.update(conn.execute(
            select(Pairing.household_id, func.max(Pairing.end_on))
            .where(Pairing.end_on <= as_of, _in_ids(Pairing.household_id, chunk)).group_by(Pairing.household_id)).all())

    # 走访: per cadre, and the paired households nobody visited in the last 60 days
    cadre_households: dict[int, set[int]] = defaultdict(set)
    household_cadres: dict[int, set[int]] = defaultdict(set)
    for hid, cid in report.pairs:
        cadre_households[cid].add(hid)
        household_cadres[hid].add(cid)
    window_start = as_of - dt.timedelta(days=NOT_VISITED_DAYS - 1)
    # the visits of the last 60 days (the month lies within them), in one range scan of the date index: the
    # month's visits per cadre, the households visited lately, and most cadres' last visit
    since = min(window_start, month.first)
    month_sets: dict[int, list] = {}  # cadre → [visits in the month, {households}]
    last_by_cadre: dict[int, dt.date] = {}
    recent: set[int] = set()
    for hid, cid, day in conn.execute(snapshot.restrict(
            select(Visit.household_id, Visit.cadre_id, Visit.visit_date)
            .where(Visit.visit_date >= since, Visit.visit_date <= as_of), Visit.household_id, scope_ids)):
        if day >= window_start:
            recent.add(hid)
        if day >= month.first:
            entry = month_sets.get(cid)
            if entry is None:
                entry = month_sets[cid] = [0, set()]
            entry[0] += 1
            entry[1].add(hid)
        if cid not in last_by_cadre or day > last_by_cadre[cid]:
            last_by_cadre[cid] = day
    # in cadre order, as the GROUP BY cadre_id it replaces returned them (the cadres' set below iterates alike)
    month_visits = {cid: (n, len(hh)) for cid, (n, hh) in sorted(month_sets.items())}
    cadre_ids = set(cadre_households) | set(month_visits)
    # cadres not seen in the window: their last visit, before it, by the cadre index
    for chunk in _chunks(cid for cid in cadre_ids if cid not in last_by_cadre):
        last_by_cadre.update(conn.execute(snapshot.restrict(
            select(Visit.cadre_id, func.max(Visit.visit_date))
            .where(Visit.visit_date <= as_of, _in_ids(Visit.cadre_id, chunk)).group_by(Visit.cadre_id),
            Visit.household_id, scope_ids)).all())
    behind = [hid for hid in household_cadres if hid in present and hid not in recent]
    last_by_household: dict[int, dt.date] = {}
    for chunk in _chunks(behind):
        last_by_household.update(conn.execute(
            select(Visit.household_id, func.max(Visit.visit_date))
            .where(Visit.visit_date <= as_of, _in_ids(Visit.household_id, chunk)).group_by(Visit.household_id)).all())
    cadres = {cid: (name, unit, role) for cid, name, unit, role in _cadres(conn, cadre_ids)}
    not_visited_raw = []  # (household, status, cadres, last visit)
    overdue: dict[int, int] = defaultdict(int)
    behind_set = set(behind)
    for hid, cids in household_cadres.items():
        if hid not in behind_set:
            continue
        names = "、".join(sorted(cadres[c][0] for c in cids if c in cadres))
        not_visited_raw.append((hid, status_label(rows.get(hid)), names, last_by_household.get(hid)))
        for c in cids:
            overdue[c] += 1
    cadre_visits = [
        CadreVisitRow(
            cadres[cid][0], cadres[cid][1], CADRE_ROLE.label(cadres[cid][2]) or "",
            len(cadre_households.get(cid, ())), month_visits.get(cid, (0, 0))[1], month_visits.get(cid, (0, 0))[0],
            last_by_cadre.get(cid), overdue.get(cid, 0),
        )
        for cid in cadre_ids if cid in cadres
    ]
    cadre_visits.sort(key=lambda c: (c.unit or "", c.name))

    # 政策资金: benefits dated in the month by policy category and township
    benefit_query = _in_scope(
        select(Policy.category, Household.village_id, func.sum(Benefit.amount), func.count())
        .join(Policy, Policy.id == Benefit.policy_id)
        .join(Household, Household.id == Benefit.household_id)
        .where(Benefit.benefit_date >= month.first, Benefit.benefit_date <= as_of)
        .group_by(Policy.category, Household.village_id),
        Household.village_id, scope_ids)  # the month's benefits only: a small join
    benefits: dict[tuple[str, int], tuple[Decimal, int]] = {}
    for category, area_id, amount, count in conn.execute(benefit_query):
        town = report.township_of(area_id)
        key = (category, town.id if town else 0)
        old = benefits.get(key, (Decimal(0), 0))
        benefits[key] = (old[0] + (amount or Decimal(0)), old[1] + count)
    townships = [report.area_index[a.area_id] for a in report.areas if a.level == "township"]

    quality_raw, quality_cadres = _quality(conn, report, pair_limit, cadre_households, cadres)

    # places, for the listed households only
    listed = {r[0] for r in changes_raw} | {r[0] for r in below_raw} | {r.id for r in unpaired_rows}
    listed |= {r[0] for r in not_visited_raw} | {r[1] for r in quality_raw}
    place = _places(conn, report, listed)

    def sort_key(item) -> tuple:
        return (item.place.rank, item.place.code)

    changes = [ChangeRow(place[hid], *rest) for hid, *rest in changes_raw]
    changes.sort(key=lambda c: (*sort_key(c), c.day, c.category))
    below = [BelowLineRow(place[hid], status, mon, income, line.yuan) for hid, status, mon, income in below_raw]
    below.sort(key=sort_key)
    unpaired = [UnpairedRow(place[r.id], status_label(r), r.monitored, ended.get(r.id)) for r in unpaired_rows]
    unpaired.sort(key=sort_key)
    not_visited = [NotVisitedRow(place[hid], *rest) for hid, *rest in not_visited_raw]
    not_visited.sort(key=sort_key)
    quality = [QualityRow(category, place[hid], who, detail) for category, hid, who, detail in quality_raw]
    if report.line is None:
        quality.append(QualityRow("缺少贫困线", None, "", f"没有 {report.month.income_year} 年的贫困线，低于标准线户数"
                                  "无法计算；请用 povmon lines load 导入"))
    quality.sort(key=lambda q: (q.category, q.place.rank if q.place else -1, q.place.code if q.place else "", q.who))
    return Details(changes, below, unpaired, cadre_visits, not_visited, benefits, townships, quality + quality_cadres,
                   pair_limit)


def _places(conn, report: MonthlyReport, hids: set[int]) -> dict[int, Place]:
    """{household: Place} for the given households: code and village by id, the present head (the last by
    member id when there are several, as snapshot.heads), the village's township and rank."""
    as_of = report.as_of
    rank = {a.area_id: n for n, a in enumerate(report.areas)}
    where: dict[int, tuple[str, str, int]] = {}  # village → (township name, village name, rank)
    meta: dict[int, tuple[str, int]] = {}
    heads: dict[int, str] = {}
    head = (select(Member.name)
            .where(Member.household_id == Household.id, Member.present_on(as_of), Member.relation == "head")
            .order_by(Member.id.desc()).limit(1).scalar_subquery())
    for chunk in _chunks(hids):
        for hid, code, village_id, name in conn.execute(
                select(Household.id, Household.code, Household.village_id, head).where(_in_ids(Household.id, chunk))):
            meta[hid] = (code, village_id)
            if name is not None:
                heads[hid] = name
    out = {}
    for hid, (code, village_id) in meta.items():
        spot = where.get(village_id)
        if spot is None:
            town = report.township_of(village_id)
            village = report.area_index.get(village_id)
            spot = where[village_id] = (town.name if town else "", village.name if village else "",
                                        rank.get(village_id, len(rank)))
        out[hid] = Place(code, spot[0], spot[1], heads.get(hid), spot[2])
    return out


def _cadres(conn, ids: set[int]) -> list[tuple]:
    if not ids:
        return []
    # cadres are few (thousands): fetch them all rather than send a long IN list
    return [c for c in conn.execute(select(Cadre.id, Cadre.name, Cadre.unit, Cadre.role)) if c[0] in ids]


def _quality(conn, report: MonthlyReport, pair_limit, cadre_households, cadres) -> tuple[list[tuple], list[QualityRow]]:
    """The 数据质量 items about households, as (category, household, who, detail), and the cadres' items."""
    as_of, rows, scope_ids, present = report.as_of, report.households, report.scope_ids, report.people
    year = report.month.income_year
    out: list[tuple] = []

    # members of registered or monitored households failing the exit standard's education or medical item
    members = snapshot.restrict(
        select(Member.household_id, Member.name, Member.birth_date, Member.school_status, Member.health,
               Member.medical_insurance)
        .where(Member.present_on(as_of))
        .where(Member.out_of_school_on(as_of) | Member.uninsured),
        Member.household_id, scope_ids)
    for hid, name, born, school, health, insured in conn.execute(members):
        row = rows.get(hid)
        if row is None or not row.focus:
            continue
        if exit_standard.out_of_school(born, school, health, as_of):
            out.append(("6–15岁未在校", hid, name, f"{age_on(born, as_of)}岁，在校情况为非在校生"))
        if exit_standard.uninsured(insured):
            out.append(("未参加基本医疗保险", hid, name, "医疗保险：否"))

    # registered or monitored households: unsafe housing (only C/D houses fetched), no income for the year
    unsafe = dict(conn.execute(_in_scope(
        select(Household.id, Household.housing_safety)
        .where(Household.housing_safety.in_(sorted(exit_standard.UNSAFE_HOUSING))),
        Household.village_id, scope_ids)).all())
    for hid, row in rows.items():
        if not row.focus:
            continue
        grade = unsafe.get(hid)
        if exit_standard.housing_unsafe(grade):
            out.append(("住房为C/D级危房", hid, "", f"住房安全鉴定：{grade}级"))
        if row.income is None:
            out.append((f"未录入{year}年收入", hid, "", f"{year}年无收入记录，未计入低于标准线户数"))
        elif row.income.per_capita is None:
            out.append((f"{year}年末无在册成员", hid, "", f"{year}年12月31日无在册成员，无法计算人均纯收入"))
    # every household present: a present head, the declared size against the members present; SQL returns only
    # the households failing either (a grouped scan of the members, like snapshot.members_present)
    counts = snapshot.restrict(
        select(Member.household_id, func.count().label("n"),
               func.max(case((Member.relation == "head", 1), else_=0)).label("heads"))
        .where(Member.present_on(as_of)).group_by(Member.household_id),
        Member.household_id, scope_ids).subquery("present_counts")
    failing = (
        select(counts.c.household_id, counts.c.heads, Household.declared_size)
        .join(Household, Household.id == counts.c.household_id)
        .where(or_(counts.c.heads == 0,
                   and_(Household.declared_size.is_not(None), Household.declared_size != counts.c.n)))
    )
    for hid, heads, size in conn.execute(failing):
        people = present.get(hid)
        if people is None:
            continue
        if not heads:
            out.append(("户主不在册", hid, "", f"{as_of.isoformat()} 无在册户主（在册 {people} 人）"))
        if size is not None and size != people:
            out.append(("家庭人口与在册人数不符", hid, "", f"登记家庭人口 {size} 人，在册 {people} 人"))

    # cadres paired with more households than the limit (counted over the whole register)
    totals = dict(conn.execute(
        select(Pairing.cadre_id, func.count(distinct(Pairing.household_id)))
        .where(Pairing.active_on(as_of))
        .group_by(Pairing.cadre_id)
        .having(func.count(distinct(Pairing.household_id)) > pair_limit)
    ).all())
    quality_cadres = []
    for cid, total in totals.items():
        if cid in cadre_households and cid in cadres:
            name, unit, _ = cadres[cid]
            detail = f"{unit or ''} 结对 {total} 户（上限 {pair_limit} 户）".strip()
            quality_cadres.append(QualityRow(f"干部结对超过{pair_limit}户", None, name, detail))
    quality_cadres.sort(key=lambda q: q.who)
    return out, quality_cadres


def _leads_by_village(session: Session, month: Month, area_ids) -> dict[int, dict[str, int]]:
    """{village id: LEAD_FIELDS}: three GROUP BY queries, effective-dated (only leads and decisions dated on or
    before as_of count, so later records never change a past month)."""
    first, as_of = month.first, month.as_of
    result: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(LEAD_FIELDS, 0))
    decided = (select(LeadStep.lead_id, func.min(LeadStep.step_date).label("day"))
               .where(LeadStep.step == "decision", LeadStep.step_date <= as_of)
               .group_by(LeadStep.lead_id).subquery())
    base = select(Household.village_id).join(Lead, Lead.household_id == Household.id)
    query = (base.add_columns(func.count()).where(Lead.detected_on >= first, Lead.detected_on <= as_of)
             .group_by(Household.village_id))
    for village_id, count in session.execute(_in_scope(query, Household.village_id, area_ids)):
        result[village_id]["leads_new"] = count
    query = (base.add_columns(func.count()).join(decided, decided.c.lead_id == Lead.id)
             .where(decided.c.day >= first).group_by(Household.village_id))
    for village_id, count in session.execute(_in_scope(query, Household.village_id, area_ids)):
        result[village_id]["leads_decided"] = count
    query = (base.add_columns(Lead.detected_on, func.count()).outerjoin(decided, decided.c.lead_id == Lead.id)
             .where(Lead.detected_on <= as_of, decided.c.lead_id.is_(None))
             .group_by(Household.village_id, Lead.detected_on))
    for village_id, day, count in session.execute(_in_scope(query, Household.village_id, area_ids)):
        result[village_id]["leads_open"] += count
        if monitoring_rules.overdue(day, None, as_of):
            result[village_id]["leads_overdue"] += count
    return dict(result)
