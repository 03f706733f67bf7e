"""The register "as of" a day, for many households at once (reports, ledgers, checks).

Every helper here is one set-based statement (GROUP BY, window functions; SQLite ≥ 3.25 and PostgreSQL)
whose answer is keyed by household id, so a report over a county of 300,000 households runs a handful of
queries instead of one per household. Each takes an optional ``area_ids`` (village ids, or any area ids
households hang from) to restrict the households considered; ``None`` means the whole register.

The rules are the ones of the single-household code, made bulk:
- presence and pairings: the hybrid methods Member.present_on and Pairing.active_on (rules.dates), whose SQL
  side is what these queries filter by;
- status (rules.status.status_on): the latest effective event on or before the day, same-day events in
  the procedure's order (identified < exited < returned) then by id; a ``cancelled`` event voids the
  event it names from its own date on, so a correction dated after the day leaves the day unchanged;
- per-capita income (rules.income): a year's entries summed, divided by the members present on
  31 December of that year, rounded half-up to fen at the end.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import ColumnElement, Select, and_, case, exists, func, literal, select, type_coerce
from sqlalchemy.orm import Session, aliased

from povmon.models import Fixed2, Household, HouseholdEvent, Income, Member, Pairing
from povmon.rules.income import IncomeYear, per_capita
from povmon.rules.status import _KIND_ORDER as KIND_ORDER  # the same-day order status_on uses
from povmon.rules.status import MONITORING_KINDS, STATUS_KINDS, STATUS_OF_KIND, Monitoring, StatusOn

AreaIds = Collection[int] | None


def households_in(area_ids: AreaIds) -> Select | None:
    """A subquery of the ids of households hanging from the given areas (None: no restriction)."""
    if area_ids is None:
        return None
    return select(Household.id).where(Household.village_id.in_(list(area_ids)))


def restrict(query: Select, column, area_ids: AreaIds) -> Select:
    """Restrict a query to households of the areas through its household-id column (None: no restriction).

    A subquery rather than a join to household: for the whole register there is nothing to join, and
    SQLite scans a big table faster than it walks it household by household.
    """
    ids = households_in(area_ids)
    return query if ids is None else query.where(column.in_(ids))


def household_villages(session: Session, area_ids: AreaIds = None) -> dict[int, int]:
    """{household id: the area (village) it belongs to}."""
    query = select(Household.id, Household.village_id)
    if area_ids is not None:
        query = query.where(Household.village_id.in_(list(area_ids)))
    return {a: b for a, b in session.execute(query)}


def members_present(session: Session, day: dt.date, area_ids: AreaIds = None) -> dict[int, int]:
    """{household id: members present on the day}; households with nobody present are left out."""
    query = select(Member.household_id, func.count()).where(Member.present_on(day)).group_by(Member.household_id)
    return {a: b for a, b in session.execute(restrict(query, Member.household_id, area_ids))}


def heads(session: Session, day: dt.date, area_ids: AreaIds = None) -> dict[int, str]:
    """{household id: the name of its present head (户主)}; households without one are left out."""
    query = select(Member.household_id, Member.name).where(Member.present_on(day), Member.relation == "head")
    query = restrict(query, Member.household_id, area_ids).order_by(Member.id)
    return {a: b for a, b in session.execute(query)}


def not_voided(day: dt.date, event=HouseholdEvent) -> ColumnElement[bool]:
    """SQL condition: no ``cancelled`` event dated on or before the day names this event.

    Written as NOT EXISTS over the indexed cancels_event_id: an anti-join the planner can hash or probe,
    however few cancellations it expects (a DISTINCT subquery made PostgreSQL compare every pair).
    """
    cancel = aliased(HouseholdEvent)
    return ~exists().where(
        cancel.cancels_event_id == event.id, cancel.kind == "cancelled", cancel.event_date <= day
    )


def effective_events(day: dt.date, area_ids: AreaIds = None, *, since: dt.date | None = None) -> Select:
    """Events in effect on the day: dated on or before it (and on or after ``since``), not cancelled,
    not voided by a cancellation dated on or before the day. Columns: id, household_id, kind,
    event_date, monitoring_type."""
    e = HouseholdEvent
    query = select(e.id, e.household_id, e.kind, e.event_date, e.monitoring_type).where(
        e.event_date <= day, e.kind != "cancelled", not_voided(day)
    )
    if since is not None:
        query = query.where(e.event_date >= since)
    return restrict(query, e.household_id, area_ids)


def status_query(day: dt.date, area_ids: AreaIds = None) -> Select:
    """One row per household with an effective status or monitoring event on the day.

    Columns: household_id, status_kind (identified/exited/returned or NULL), status_since, mon_kind (the
    latest monitoring event's kind or NULL), mon_since, mon_type (of the latest monitoring_added) and
    mon_added (1 when any monitoring_added is in effect). Built with window functions: the latest event
    of each group (status kinds; monitoring kinds) and the latest monitoring_added, in status_on's order.
    """
    eff = effective_events(day, area_ids).where(
        HouseholdEvent.kind.in_(STATUS_KINDS + MONITORING_KINDS)
    ).subquery("eff")
    order = case(KIND_ORDER, value=eff.c.kind, else_=9)
    group = case((eff.c.kind.in_(STATUS_KINDS), literal("s")), else_=literal("m"))
    newest_first = (eff.c.event_date.desc(), order.desc(), eff.c.id.desc())
    ranked = select(
        eff.c.household_id,
        eff.c.kind,
        eff.c.event_date,
        eff.c.monitoring_type,
        group.label("grp"),
        func.row_number().over(partition_by=(eff.c.household_id, group), order_by=newest_first).label("rn"),
        func.row_number().over(partition_by=(eff.c.household_id, eff.c.kind), order_by=newest_first)
        .label("rn_kind"),
    ).subquery("ranked")
    r = ranked.c
    latest_status = and_(r.grp == "s", r.rn == 1)
    latest_mon = and_(r.grp == "m", r.rn == 1)
    latest_added = and_(r.kind == "monitoring_added", r.rn_kind == 1)
    return select(
        r.household_id,
        func.max(case((latest_status, r.kind))).label("status_kind"),
        func.max(case((latest_status, r.event_date))).label("status_since"),
        func.max(case((latest_mon, r.kind))).label("mon_kind"),
        func.max(case((latest_mon, r.event_date))).label("mon_since"),
        func.max(case((latest_added, r.monitoring_type))).label("mon_type"),
        func.max(case((r.kind == "monitoring_added", 1), else_=0)).label("mon_added"),
    ).group_by(r.household_id)


def statuses(session: Session, day: dt.date, area_ids: AreaIds = None) -> dict[int, StatusOn]:
    """{household id: StatusOn} for every household with events in effect on the day.

    A household left out is 一般农户 (non_poor) without monitoring, exactly as status_on([]) says.
    The monitoring rule of status_on, made bulk: a risk_eliminated or elimination_revoked before any
    monitoring_added changes nothing, and the latest monitoring event decides whether the risk is
    eliminated (risk_eliminated) or not (monitoring_added, elimination_revoked).
    """
    result: dict[int, StatusOn] = {}
    for row in session.execute(status_query(day, area_ids)):
        status = STATUS_OF_KIND.get(row.status_kind, "non_poor")
        since = _as_date(row.status_since) if row.status_kind else None
        monitoring = None
        if row.mon_added:
            monitoring = Monitoring(row.mon_type, row.mon_kind == "risk_eliminated", _as_date(row.mon_since))
        result[row.household_id] = StatusOn(status, since, monitoring)
    return result


def _as_date(value) -> dt.date | None:
    # MAX(CASE ...) over a date keeps the Date type on both databases; be lenient if a driver hands back text
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def active_pairings(session: Session, day: dt.date, area_ids: AreaIds = None) -> list[tuple[int, int]]:
    """(household id, cadre id) of every pairing active on the day (Pairing.active_on)."""
    query = select(Pairing.household_id, Pairing.cadre_id).where(Pairing.active_on(day))
    return [(a, b) for a, b in session.execute(restrict(query, Pairing.household_id, area_ids))]


@dataclass(frozen=True)
class YearIncome:
    """A household's net income of one year, its members present on 31 December and the per-capita figure
    (with the components when they were asked for)."""

    year: int
    net: Decimal
    members: int
    per_capita: Decimal | None  # None when nobody was present on 31 December
    components: IncomeYear | None = None


def incomes_of_year(
    session: Session, year: int, area_ids: AreaIds = None, *, components: bool = False
) -> dict[int, YearIncome]:
    """{household id: YearIncome} for households with income entries in the year (all months summed),
    per capita over the members present on 31 December of that year.

    Without ``components`` only the net income is summed, in SQL (one exact column instead of six: the
    conversion of amounts to Decimal is what costs most for a county).
    """
    i = Income
    net_expr = i.wage + i.business - i.business_expense + i.property + i.transfer
    columns = [i.household_id, type_coerce(func.sum(net_expr), Fixed2()).label("net")]
    names = ("wage", "business", "business_expense", "property", "transfer", "compliant_spending")
    if components:
        columns += [func.sum(getattr(i, name)).label(name) for name in names]
    sums = restrict(select(*columns).where(i.year == year).group_by(i.household_id), i.household_id, area_ids)
    # members on 31 December from one grouped scan (a join to the sums made SQLite evaluate them twice)
    present = members_present(session, dt.date(year, 12, 31), area_ids)
    result = {}
    for row in session.execute(sums):
        parts = IncomeYear(*(_money(getattr(row, name)) for name in names)) if components else None
        net = _money(row.net)
        n = present.get(row.household_id, 0)
        result[row.household_id] = YearIncome(year, net, n, per_capita(net, n), parts)
    return result


def _money(value) -> Decimal:
    return Decimal(0) if value is None else value
