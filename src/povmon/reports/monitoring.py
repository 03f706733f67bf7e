"""The monitoring month (``povmon monitor report``): leads, their outcomes and the lists a township works from.

Per county, township and village: leads found in the month by source and by rule, leads open and overdue at the
month's end, leads decided in the month, households newly included by type and risks eliminated (events dated in
the month). Lists: 预警名单 (the month's leads with their figures), 逾期 (open past 15 days), 公示 (households
included in the month, for posting in the village: names, village, type — never ID numbers, phones, bank accounts
or health details, docs/DOMAIN.md) and, per department, 反馈: each row of the lists dated in the month with its
match and outcome, for sending back. Only reads; as of the month's last day, like the monthly summary.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from povmon.models import Area, DeptRow, Household, HouseholdEvent, ImportBatch, Lead
from povmon.reports.monthly import Month, _preorder, _tree
from povmon.rules import idcard
from povmon.rules import monitoring as R
from povmon.rules.vocab import MONITORING_TYPE
from povmon.services import lookup, snapshot
from povmon.services import monitoring as service


def parse_month(value: str) -> Month:
    from povmon.rules.parse import ValueProblem

    try:
        return Month.parse(value)
    except ValueProblem as exc:
        raise ValueError(exc.message) from None


@dataclass
class AreaRow:
    id: int
    level: str
    code: str | None
    name: str
    parent: str | None
    depth: int
    leads: int = 0
    by_source: Counter = field(default_factory=Counter)
    by_rule: Counter = field(default_factory=Counter)
    open: int = 0
    overdue: int = 0
    decided: int = 0
    included: int = 0
    excluded: int = 0
    included_by_type: Counter = field(default_factory=Counter)
    eliminated: int = 0

    def as_json(self) -> dict:
        return {"level": self.level, "code": self.code, "name": self.name, "parent": self.parent,
                "depth": self.depth, "leads": self.leads, "by_source": dict(sorted(self.by_source.items())),
                "by_rule": {r: self.by_rule[r] for r in R.RULES if self.by_rule[r]}, "open": self.open,
                "overdue": self.overdue, "decided": self.decided, "included": self.included,
                "excluded": self.excluded,
                "included_by_type": {t: self.included_by_type[t] for t in MONITORING_TYPE.codes()
                                     if self.included_by_type[t]},
                "eliminated": self.eliminated}


@dataclass
class MonitorReport:
    month: str
    first: dt.date
    as_of: dt.date
    title: str  # the scope's name path
    areas: list[AreaRow]
    warnings: list[dict]
    overdue: list[dict]
    publicity: list[dict]
    feedback: dict[str, list[dict]]

    def as_json(self) -> dict:
        return {"month": self.month, "as_of": self.as_of.isoformat(), "areas": [a.as_json() for a in self.areas],
                "warnings": self.warnings, "overdue": self.overdue, "publicity": self.publicity,
                "feedback": self.feedback}


def build(session: Session, month: Month | str, area: str | Area | None = None) -> MonitorReport:
    """The month's monitoring figures and lists for the whole register or one area and everything under it."""
    if not isinstance(month, Month):
        month = Month.parse(month)
    scope = lookup.find_area(session, area) if isinstance(area, str) else area
    index, children = _tree(session)
    order = _preorder([scope] if scope is not None else children.get(None, []), children)
    rows = {a.id: AreaRow(a.id, a.level, a.code, a.name, index[a.parent_id].name if a.parent_id in index else None,
                          depth) for a, depth in order}
    in_scope = set(rows)
    as_of, first = month.as_of, month.first

    def chain(area_id: int | None) -> list[AreaRow]:
        found = []
        while area_id is not None and area_id in index:
            if area_id in rows:
                found.append(rows[area_id])
            area_id = index[area_id].parent_id
        return found

    def place(village_id: int) -> tuple[str, str]:
        village = index.get(village_id)
        township = index.get(village.parent_id) if village else None
        return (township.name if township else "", village.name if village else "")

    heads = snapshot.heads(session, as_of)
    leads = session.scalars(select(Lead).where(Lead.detected_on <= as_of)
                            .options(selectinload(Lead.steps), selectinload(Lead.member),
                                     selectinload(Lead.household)).order_by(Lead.detected_on, Lead.id)).all()
    warnings, overdue = [], []
    for lead in leads:
        village_id = lead.household.village_id
        if village_id not in in_scope:
            continue
        status = service.lead_status(lead, as_of)
        decision = service.decision_of(lead)
        township, village = place(village_id)
        item = {"lead": lead.id, "township": township, "village": village, "household": lead.household.code,
                "head": heads.get(lead.household_id), "member": lead.member.name if lead.member else None,
                "id_number": idcard.mask(lead.member.id_number) if lead.member else None,
                "rule": lead.rule, "rule_label": R.RULES[lead.rule], "source": lead.source, "detail": lead.detail,
                "detected_on": lead.detected_on.isoformat(), "deadline": R.deadline(lead.detected_on).isoformat(),
                "status": status, "result": decision.result if decision and status == "decided" else None}
        for row in chain(village_id):
            if lead.detected_on >= first:
                row.leads += 1
                row.by_source[lead.source] += 1
                row.by_rule[lead.rule] += 1
            if status == "open":
                row.open += 1
            elif status == "overdue":
                row.open += 1
                row.overdue += 1
            elif decision.step_date >= first:
                row.decided += 1
                if decision.result == "include":
                    row.included += 1
                else:
                    row.excluded += 1
        if lead.detected_on >= first:
            warnings.append(item)
        if status == "overdue":
            overdue.append(item | {"days": (as_of - lead.detected_on).days})

    # events of the month: newly included by type, risks eliminated; the 公示 list of those included
    e = HouseholdEvent
    events = session.execute(
        select(e.household_id, e.kind, e.event_date, e.monitoring_type, Household.village_id, Household.code)
        .join(Household, Household.id == e.household_id)
        .where(e.kind.in_(("monitoring_added", "risk_eliminated")), e.event_date >= first, e.event_date <= as_of,
               snapshot.not_voided(as_of)).order_by(e.event_date, e.id))
    publicity = []
    for household_id, kind, day, monitoring_type, village_id, code in events:
        if village_id not in in_scope:
            continue
        for row in chain(village_id):
            if kind == "monitoring_added":
                row.included_by_type[monitoring_type] += 1
            else:
                row.eliminated += 1
        if kind == "monitoring_added":
            township, village = place(village_id)
            publicity.append({"township": township, "village": village, "household": code,
                              "head": heads.get(household_id), "type": monitoring_type,
                              "type_label": MONITORING_TYPE.label(monitoring_type), "date": day.isoformat()})

    feedback = _feedback(session, first, as_of, in_scope, index, leads, place)
    if scope is not None:
        title = lookup.path_of(scope)
    else:
        top = [a for a, d in order if d == 0]
        title = top[0].name if len(top) == 1 else "全部区划"
    return MonitorReport(month.label, first, as_of, title,
                         [rows[a.id] for a, _ in order], warnings, overdue, publicity, feedback)


def _feedback(session, first, as_of, in_scope, index, leads, place) -> dict[str, list[dict]]:
    """Each department's rows of the lists dated in the month (or drawn up for it), with match and outcome."""
    by_row: dict[int, Lead] = {lead.dept_row_id: lead for lead in leads if lead.dept_row_id}
    by_person: dict[tuple[int, str], Lead] = {}
    for lead in leads:
        if lead.member_id:
            by_person.setdefault((lead.member_id, lead.source), lead)
    d = DeptRow
    batches = {b.id: b.as_of for b in session.scalars(select(ImportBatch).where(ImportBatch.as_of >= first,
                                                                                ImportBatch.as_of <= as_of))}
    rows = session.execute(
        select(d, Household.code, Household.village_id)
        .outerjoin(Household, Household.id == d.household_id)
        .where(((d.event_date >= first) & (d.event_date <= as_of)) | d.batch_id.in_(list(batches) or [-1]))
        .order_by(d.dept, d.batch_id, d.source_row))
    result: dict[str, list[dict]] = defaultdict(list)
    for row, code, village_id in rows:
        if village_id is not None and village_id not in in_scope:
            continue
        lead = by_row.get(row.id) or (by_person.get((row.member_id, row.dept)) if row.member_id else None)
        decision = service.decision_of(lead) if lead else None
        township, village = place(village_id) if village_id else ("", "")
        if lead is None:
            outcome = "未预警" if row.member_id else "不在册"
        elif decision is not None and decision.step_date <= as_of:
            outcome = R.RESULTS[decision.result] + ("监测" if decision.result == "include" else "")
        else:
            outcome = "逾期未决" if R.overdue(lead.detected_on, None, as_of) else "核实中"
        result[row.dept].append({
            "batch": row.batch_id, "row": row.source_row, "name": row.name, "id_number": idcard.mask(row.id_number),
            "date": row.event_date.isoformat(), "matched": row.member_id is not None, "household": code,
            "township": township, "village": village, "lead": lead.id if lead else None, "outcome": outcome})
    return {dept: result[dept] for dept in R.DEPTS if dept in result}
