"""防止返贫动态监测: the rules in use, screening the register and the departments' rows, leads, their steps.

``screen`` runs every rule (rules.monitoring) over the register and the departments' rows as of a day and records
one lead per household and rule that is not already open; re-running it creates nothing new (a lead remembers its
evidence). A household already monitored with the same risk gets no lead. ``step`` records one step of a lead's
procedure, checked by rules.monitoring.check_step; the decision 纳入 records the ``monitoring_added`` event through
services.events (so the register's history is events, checked as every event is). Never commits.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import exists, select
from sqlalchemy import insert as bulk_insert
from sqlalchemy.orm import Session, selectinload

from povmon.models import (
    AuditLog,
    DeptRow,
    Household,
    HouseholdEvent,
    Income,
    Lead,
    LeadStep,
    Member,
    MonitorRule,
    utcnow,
)
from povmon.rules import idcard
from povmon.rules import monitoring as R
from povmon.rules.checks import Problem
from povmon.rules.dates import aged_between, last_full_year
from povmon.rules.exit_standard import SCHOOL_AGE
from povmon.rules.money import yuan
from povmon.rules.text import clean_text
from povmon.rules.vocab import LEAD_SOURCE, MONITORING_TYPE, RISK, split_codes
from povmon.services import audit, snapshot
from povmon.services.entry import Cleaner, Outcome, Refused, insert
from povmon.services.events import monitor as record_monitoring
from povmon.services.lines import LineBook

# --- rules in use ---------------------------------------------------------------------------------------------


def rules_in_use(session: Session) -> list[R.Rule]:
    """The shipped defaults, with every code a county loaded replaced by its own rows."""
    loaded = [R.Rule(r.code, r.population, r.threshold, r.ratio, r.window_months, r.from_year, r.to_year,
                     r.approximate, r.note) for r in session.scalars(select(MonitorRule).order_by(MonitorRule.id))]
    codes = {r.code for r in loaded}
    return [r for r in R.shipped() if r.code not in codes] + loaded


def load_rules(session: Session, rules: list[R.Rule], *, user: str) -> dict[str, int]:
    """Store a county's rules: the codes in the file replace what was loaded for them before (audited)."""
    codes = {r.code for r in rules}
    removed = 0
    for row in session.scalars(select(MonitorRule).where(MonitorRule.code.in_(sorted(codes)))):
        audit.log(session, user=user, action="delete", table="monitor_rule", row_id=row.id,
                  note=f"{row.code} {row.population} {row.from_year}")
        session.delete(row)
        removed += 1
    session.flush()
    for r in rules:
        row = MonitorRule(code=r.code, population=r.population, threshold=r.threshold, ratio=r.ratio,
                          window_months=r.window_months, from_year=r.from_year, to_year=r.to_year,
                          approximate=r.approximate, note=r.note, loaded_by=user)
        session.add(row)
        audit.inserted(session, row, user=user, note=f"{r.code} {r.population}")
    return {"loaded": len(rules), "replaced": removed, "codes": len(codes)}


def rule_json(rule: R.Rule) -> dict:
    return {"code": rule.code, "label": R.RULES[rule.code], "population": rule.population,
            "threshold": yuan(rule.threshold), "ratio": f"{rule.ratio:.2f}" if rule.ratio is not None else None,
            "window_months": rule.window_months, "from_year": rule.from_year, "to_year": rule.to_year,
            "approximate": rule.approximate, "note": rule.note}


# --- screening ------------------------------------------------------------------------------------------------

@dataclass
class Candidate:
    household_id: int
    rule: str
    source: str  # a department or "register"
    detail: str
    evidence: str
    member_id: int | None = None
    dept_row_id: int | None = None
    figures: dict = field(default_factory=dict)


@dataclass
class Screened:
    """A lead a screening found: recorded now (``new``) or already open."""

    id: int
    household_id: int
    household: str  # its code
    member_id: int | None
    member: str | None  # the member's ID number (masked in JSON)
    rule: str
    source: str
    detail: str | None
    new: bool


@dataclass
class ScreenResult:
    as_of: dt.date
    leads: list[Screened]

    @property
    def counts(self) -> dict[str, int]:
        new = sum(1 for x in self.leads if x.new)
        return {"new": new, "already_open": len(self.leads) - new}

    def as_json(self, *, show_ids: bool = False) -> dict:
        return {"as_of": self.as_of.isoformat(),
                "leads": [{"id": x.id, "household": x.household, "member": _ident(x.member, show_ids),
                           "rule": x.rule, "source": x.source, "detail": x.detail, "new": x.new}
                          for x in self.leads],
                "counts": self.counts}


def _ident(number: str | None, show_ids: bool) -> str | None:
    return number if show_ids else idcard.mask(number)


def _monitored_risks(session: Session, day: dt.date, households: set[int]) -> dict[int, set[str]]:
    """The risks of the monitoring event in effect on the day, for the households monitored then."""
    e = HouseholdEvent
    rows = session.execute(
        select(e.household_id, e.risks, e.event_date, e.id)
        .where(e.kind == "monitoring_added", e.event_date <= day, snapshot.not_voided(day))
        .order_by(e.event_date, e.id))
    found: dict[int, set[str]] = {}
    for household_id, risks, _, _ in rows:
        if household_id in households:
            found[household_id] = set(split_codes(RISK, risks))
    return found


def _window_income(session: Session, day: dt.date, months: int) -> dict[int, tuple[Decimal, Decimal]]:
    """(net income, compliant spending) of the monthly entries within the window ending on the day."""
    start = R.window_start(day, months)
    first, last = start.year * 12 + start.month, day.year * 12 + day.month
    i = Income
    result: dict[int, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    rows = session.execute(select(i.household_id, i.year, i.month, i.wage, i.business, i.business_expense,
                                  i.property, i.transfer, i.compliant_spending)
                           .where(i.month > 0, i.year >= start.year, i.year <= day.year))
    for hid, year, month, wage, business, expense, prop, transfer, spending in rows:
        if first <= year * 12 + month <= last:
            result[hid][0] += wage + business - expense + prop + transfer
            result[hid][1] += spending
    return {k: (v[0], v[1]) for k, v in result.items()}


def candidates(session: Session, day: dt.date) -> list[Candidate]:
    """Every household and rule that the rules flag on the day (what screen records as leads)."""
    rules = rules_in_use(session)
    statuses = snapshot.statuses(session, day)
    present = snapshot.members_present(session, day)
    year = last_full_year(day)
    found: list[Candidate] = []

    ordinary = R.populations("non_poor", False)
    kinds = {hid: R.populations(s.status, s.monitored) for hid, s in statuses.items()}
    poor = {hid for hid, s in statuses.items() if s.status in ("poor", "returned")}

    def pops(hid: int) -> tuple[str, ...]:
        return kinds.get(hid, ordinary)

    def in_scope(hid: int) -> bool:
        """Poor households (未脱贫, 返贫) are assisted as poor, not monitored (docs/DOMAIN.md)."""
        return hid in present and hid not in poor

    chosen: dict[tuple, R.Rule | None] = {}

    def rule_for(code: str, year: int, populations: tuple[str, ...]) -> R.Rule | None:
        """rules.monitoring.threshold_for, once per rule, year and kind of household."""
        key = (code, year, populations)
        if key not in chosen:
            chosen[key] = R.threshold_for(rules, code, year, populations)
        return chosen[key]

    # register: income of the last full year against that year's monitoring line; rigid spending
    book = LineBook(session)
    line = book.monitoring(year)
    incomes = snapshot.incomes_of_year(session, year, components=True)
    monthly = _window_income(session, day, 12)
    for hid, inc in incomes.items():
        if not in_scope(hid):
            continue
        rule = rule_for("income_below_line", year, pops(hid))
        if rule is not None and line is not None and inc.per_capita is not None:
            limit = (line.yuan * (rule.ratio or Decimal(1))).quantize(Decimal("0.01"))
            if inc.per_capita < limit:
                found.append(Candidate(hid, "income_below_line", "register",
                                       f"{year}年人均纯收入 {yuan(inc.per_capita)} 元，低于监测线 {yuan(limit)} 元",
                                       f"income:{year}", figures={"per_capita": yuan(inc.per_capita),
                                                                  "line": yuan(limit), "year": year}))
    spending_households = set(incomes) | set(monthly)
    for hid in spending_households:
        if not in_scope(hid):
            continue
        rule = rule_for("expense_over_income", day.year, pops(hid))
        if rule is None:
            continue
        if hid in monthly:
            net, spending = monthly[hid]
            basis, evidence = "近12个月", f"spending:{day.isoformat()[:7]}"
        else:
            inc = incomes[hid]
            net, spending = inc.net, inc.components.compliant_spending if inc.components else Decimal(0)
            basis, evidence = f"{year}年", f"spending:{year}"
        limit = (max(net, Decimal(0)) * (rule.ratio or Decimal(1))).quantize(Decimal("0.01"))
        if spending > 0 and spending > limit:
            found.append(Candidate(hid, "expense_over_income", "register",
                                   f"{basis}合规自付支出 {yuan(spending)} 元，超过纯收入 {yuan(net)} 元的"
                                   f"{(rule.ratio or Decimal(1)) * 100:.0f}%", evidence,
                                   figures={"spending": yuan(spending), "net": yuan(net)}))

    # departments' rows, matched again by ID number to the members present on the day
    longest = max((r.window_months for r in rules), default=12)
    start = R.window_start(day, longest)
    d = DeptRow
    rows = session.execute(
        select(d.id, d.dept, d.event_date, d.end_date, d.amount, d.category, d.grade, Member.id, Member.household_id,
               Member.birth_date)
        .join(Member, Member.id_number == d.id_number)
        .where(Member.present_on(day), d.event_date <= day,
               (d.event_date >= start) | ((d.dept == "民政") & ((d.end_date.is_(None)) | (d.end_date >= start))))
        .order_by(d.event_date, d.id))
    medical: dict[int, list] = defaultdict(list)  # member → [(row id, date, amount)]
    member_household: dict[int, int] = {}
    disaster: dict[int, list] = defaultdict(list)  # household → [(row id, date, loss, kind)]
    for rid, dept, date, end, amount, category, grade, mid, hid, born in rows:
        if not in_scope(hid):
            continue
        member_household[mid] = hid
        p = pops(hid)
        if dept == "医保":
            medical[mid].append((rid, date, amount or Decimal(0)))
            continue
        if dept == "应急":
            disaster[hid].append((rid, date, amount, category))
            continue
        rule_code = {"民政": "assistance_recipient", "残联": "disability", "教育": "dropout", "人社": "unemployment",
                     "住建": "housing_unsafe", "水利": "water_unsafe"}[dept]
        rule = rule_for(rule_code, day.year, p)
        if rule is None:
            continue
        w = R.window_start(day, rule.window_months)
        if dept == "民政":
            if "monitored" in p or (end is not None and end < day):
                continue
            detail = f"民政{category or ''}救助对象（{date.isoformat()}起），未纳入监测"
        elif date < w:
            continue
        elif dept == "残联":
            if not R.severe_disability(grade):
                continue
            detail = f"{date.isoformat()} 新办残疾证，{category or ''}{grade}级".replace("级级", "级")
        elif dept == "教育":
            young, old = SCHOOL_AGE
            if not R.dropout(grade) or not aged_between(born, young, old, day):
                continue
            detail = f"{date.isoformat()} 学籍状态：{grade}（义务教育阶段）"
        elif dept == "人社":
            if not R.unemployment(category):
                continue
            detail = f"{date.isoformat()} {category or '失业'}"
        elif dept == "住建":
            if not R.housing_unsafe(grade):
                continue
            detail = f"{date.isoformat()} 住房鉴定为{grade.rstrip('级')}级危房"
        else:  # 水利
            detail = f"{date.isoformat()} 饮水问题：{category}"
        found.append(Candidate(hid, rule_code, dept, detail, f"row:{rid}", member_id=mid, dept_row_id=rid))
    for mid, items in medical.items():
        hid = member_household[mid]
        rule = rule_for("medical_oop", day.year, pops(hid))
        if rule is None or rule.threshold is None:
            continue
        w = R.window_start(day, rule.window_months)
        inside = [(rid, date, amount) for rid, date, amount in items if date >= w]
        total = sum((a for _, _, a in inside), Decimal(0))
        if inside and total > rule.threshold:
            last = max(inside, key=lambda t: (t[1], t[0]))
            found.append(Candidate(hid, "medical_oop", "医保",
                                   f"近{rule.window_months}个月个人自付 {yuan(total)} 元，"
                                   f"超过 {yuan(rule.threshold)} 元",
                                   f"row:{last[0]}", member_id=mid, dept_row_id=last[0],
                                   figures={"out_of_pocket": yuan(total), "threshold": yuan(rule.threshold)}))
    for hid, items in disaster.items():
        rule = rule_for("disaster", day.year, pops(hid))
        if rule is None:
            continue
        w = R.window_start(day, rule.window_months)
        inside = [t for t in items if t[1] >= w]
        loss = sum((t[2] or Decimal(0) for t in inside), Decimal(0))
        if inside and (rule.threshold is None or loss >= rule.threshold):
            last = max(inside, key=lambda t: (t[1], t[0]))
            found.append(Candidate(hid, "disaster", "应急",
                                   f"{last[1].isoformat()} {last[3]}，损失 {yuan(loss)} 元", f"row:{last[0]}",
                                   dept_row_id=last[0], figures={"loss": yuan(loss)}))

    # one candidate per household and rule (the strongest evidence first: the latest row)
    unique: dict[tuple[int, str], Candidate] = {}
    for c in found:
        unique.setdefault((c.household_id, c.rule), c)
    monitored = _monitored_risks(session, day, {h for h, s in statuses.items() if s.monitored})
    return [c for c in unique.values() if not _already_monitored(c, monitored)]


def _already_monitored(c: Candidate, monitored: dict[int, set[str]]) -> bool:
    """A household monitored with this rule's risk (or, for a rule of no particular risk, monitored at all)."""
    if c.household_id not in monitored:
        return False
    risk = R.RULE_RISK[c.rule]
    return risk == "other" or risk in monitored[c.household_id]


def screen(session: Session, day: dt.date, *, user: str) -> ScreenResult:
    """Record a lead for every candidate whose household has no open lead of that rule (and not the same evidence).

    In bulk, as an import writes: the new leads in one INSERT … RETURNING, one audit row each.
    """
    found = candidates(session, day)
    households = {c.household_id for c in found}
    decided = exists().where(LeadStep.lead_id == Lead.id, LeadStep.step == "decision")
    existing: dict[tuple[int, str], list[tuple[int, str | None, bool]]] = defaultdict(list)
    for lead_id, household_id, rule, evidence, closed, detail, member_id, source in session.execute(
            select(Lead.id, Lead.household_id, Lead.rule, Lead.evidence, decided, Lead.detail, Lead.member_id,
                   Lead.source)):
        if household_id in households:
            existing[(household_id, rule)].append((lead_id, evidence, bool(closed), detail, member_id, source))
    kept: list[tuple[Candidate, tuple | None]] = []
    for c in sorted(found, key=lambda c: (c.household_id, list(R.RULES).index(c.rule))):
        leads = existing.get((c.household_id, c.rule), [])
        open_lead = next((x for x in leads if not x[2]), None)
        if open_lead is None and any(x[1] == c.evidence for x in leads):
            continue  # decided on this very evidence
        kept.append((c, open_lead))
    fresh = [c for c, open_lead in kept if open_lead is None]
    rows = [{"household_id": c.household_id, "member_id": c.member_id, "rule": c.rule, "source": c.source,
             "lead_source": "department" if c.source in R.DEPTS else "cadre_check", "detected_on": day,
             "detail": c.detail, "evidence": c.evidence, "dept_row_id": c.dept_row_id, "figures": c.figures or None,
             "created_at": utcnow(), "created_by": user} for c in fresh]
    ids: list[int] = []
    if rows:
        ids = list(session.scalars(bulk_insert(Lead).returning(Lead.id, sort_by_parameter_order=True), rows))
        at = utcnow()
        session.execute(bulk_insert(AuditLog), [
            {"at": at, "user": user, "action": "insert", "table_name": "lead", "row_id": lead_id,
             "note": f"筛查 {day.isoformat()}：{R.RULES[c.rule]}"} for lead_id, c in zip(ids, fresh, strict=True)])
    new_ids = dict(zip((id(c) for c in fresh), ids, strict=True))
    codes = _codes(session, Household, Household.code, {c.household_id for c, _ in kept})
    members = _codes(session, Member, Member.id_number,
                     {c.member_id for c, o in kept if c.member_id} | {o[4] for c, o in kept if o and o[4]})
    result = []
    for c, open_lead in kept:
        if open_lead is None:
            result.append(Screened(new_ids[id(c)], c.household_id, codes[c.household_id], c.member_id,
                                   members.get(c.member_id), c.rule, c.source, c.detail, True))
        else:
            lead_id, _, _, detail, member_id, source = open_lead
            result.append(Screened(lead_id, c.household_id, codes[c.household_id], member_id,
                                   members.get(member_id), c.rule, source, detail, False))
    return ScreenResult(day, result)


def _codes(session: Session, model, column, ids: set[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    ordered = sorted(i for i in ids if i is not None)
    for start in range(0, len(ordered), 900):
        query = select(model.id, column).where(model.id.in_(ordered[start:start + 900]))
        found.update((a, b) for a, b in session.execute(query))
    return found


# --- leads by hand, the steps, listings ----------------------------------------------------------------------

def add_lead(session: Session, household: Household, *, source: object, date: object, note: str | None,
             user: str, today: dt.date | None = None) -> Outcome:
    """A lead entered by hand: the household's own application or a cadre's check."""
    clean = Cleaner()
    rule = R.rule_code(source)
    if rule not in R.HAND_RULES:
        clean.add([Problem("bad_value", f"线索来源“{source}”应为 self_application（农户自主申报）或 "
                           "cadre_check（基层干部排查）", "来源")])
    day = clean.date("线索日期", date, today=today)
    clean.check()
    for lead in session.scalars(select(Lead).where(Lead.household_id == household.id, Lead.rule == rule)):
        if decision_of(lead) is None:
            raise Refused([Problem("bad_value", f"户 {household.code} 已有未决的同类线索 {lead.id}", "线索")],
                          hint=f"请用 povmon monitor step {lead.id} 继续办理")
    outcome = Outcome()
    lead = Lead(household_id=household.id, rule=rule, source="hand", lead_source=R.SOURCES_BY_HAND[rule],
                detected_on=day, detail=clean_text(note) if note else R.RULES[rule], created_by=user)
    insert(session, outcome, lead, user=user, note=f"{R.RULES[rule]} {household.code}")
    return outcome


def find_lead(session: Session, lead_id: object) -> Lead:
    try:
        number = int(str(lead_id).strip())
    except ValueError:
        raise Refused([Problem("bad_number", f"线索编号应为整数，这里是“{lead_id}”；"
                                             "线索编号见 povmon monitor leads")]) from None
    lead = session.get(Lead, number)
    if lead is None:
        raise Refused([Problem("unknown_reference", f"没有编号为 {number} 的线索；线索编号见 povmon monitor leads")])
    return lead


def decision_of(lead: Lead) -> LeadStep | None:
    return next((s for s in lead.steps if s.step == "decision"), None)


def record_step(session: Session, lead_id: object, step: object, *, date: object, until: object = None,
                result: object = None, monitoring_type: object = None, risks: list[str] | None = None,
                consent: bool | None = None, by: str | None = None, note: str | None = None, user: str,
                today: dt.date | None = None) -> Outcome:
    """Record one step of a lead (rules.monitoring.check_step); 县级审定 with a result also records the decision."""
    lead = find_lead(session, lead_id)
    clean = Cleaner()
    code, implied = R.step_code(step)
    if code is None:
        clean.add([Problem("bad_value", f"步骤“{step}”不认识；可填：{'、'.join(R.STEPS.values())}、纳入监测、不纳入",
                           "步骤")])
    day = clean.date("步骤日期", date, today=today)
    end = clean.date("公示结束日期", until, required=False, future=True) if until is not None else None
    outcome_code = R.result_code(result) if result is not None else implied
    if result is not None and outcome_code is None:
        clean.add([Problem("bad_value", f"结果“{result}”应为 纳入 或 不纳入", "结果")])
    clean.check()
    reason = clean_text(note) if note else None
    done = [R.StepDone(s.step, s.step_date, s.until) for s in lead.steps]
    steps = [code]
    if code == "county_approval" and outcome_code is not None:
        steps.append("decision")
    outcome = Outcome()
    for current in steps:
        problems = R.check_step(lead.detected_on, done, current, day, until=end,
                                result=outcome_code if current == "decision" else None,
                                consent=consent, reason=reason)
        if problems:
            raise Refused(problems, hint=f"线索 {lead.id} 已办步骤：" +
                          ("、".join(R.STEPS[d.step] for d in done) or "无"))
        row = LeadStep(step=current, step_date=day, until=end if current == "publicity" else None,
                       consent=consent if current == "visit" else None, by=clean_text(by) if by else None,
                       note=reason, created_by=user)
        if current == "decision":
            row.result = outcome_code
            if outcome_code == "include":
                row.monitoring_type, row.risks, row.event_id = _include(session, lead, day, monitoring_type, risks,
                                                                        reason, user, today, outcome)
        row.lead = lead
        insert(session, outcome, row, user=user, note=f"线索 {lead.id} {R.STEPS[current]}")
        done.append(R.StepDone(current, day, row.until))
    outcome.facts["lead"] = lead_json(lead, day if today is None else today)
    return outcome


def _include(session, lead: Lead, day, monitoring_type, risks, reason, user, today, outcome) -> tuple:
    """纳入监测: the household's monitoring event, naming the lead (services.events.monitor checks it)."""
    household = lead.household
    if monitoring_type is None:
        status = snapshot.statuses(session, day, None).get(household.id)
        monitoring_type = MONITORING_TYPE.label("unstable" if status and status.status == "exited" else "near_poor")
    if not risks:
        risks = [RISK.label(R.RULE_RISK[lead.rule])]
    done = record_monitoring(session, household, date=day, monitoring_type=monitoring_type, risks=risks,
                             lead=LEAD_SOURCE.label(lead.lead_source),
                             reason=f"线索 {lead.id}：{R.RULES[lead.rule]}" + (f"；{reason}" if reason else ""),
                             user=user, today=today)
    session.flush()
    event = done.stored[0]
    outcome.stored.extend(done.stored)
    outcome.warnings.extend(done.warnings)
    return event.monitoring_type, event.risks, event.id


def lead_status(lead: Lead, as_of: dt.date) -> str:
    """open, overdue (open past 15 days) or decided."""
    decision = decision_of(lead)
    if decision is not None and decision.step_date <= as_of:
        return "decided"
    return "overdue" if R.overdue(lead.detected_on, None, as_of) else "open"


def lead_json(lead: Lead, as_of: dt.date, *, show_ids: bool = False) -> dict:
    decision = decision_of(lead)
    village = lead.household.village
    return {
        "id": lead.id, "household": lead.household.code, "village": village.name,
        "township": village.parent.name if village.parent else None,
        "member": _ident(lead.member.id_number if lead.member else None, show_ids),
        "member_name": lead.member.name if lead.member else None,
        "rule": lead.rule, "rule_label": R.RULES[lead.rule], "source": lead.source, "detail": lead.detail,
        "detected_on": lead.detected_on.isoformat(), "deadline": R.deadline(lead.detected_on).isoformat(),
        "status": lead_status(lead, as_of),
        "result": decision.result if decision else None,
        "decided_on": decision.step_date.isoformat() if decision else None,
        "late": R.overdue(lead.detected_on, decision.step_date if decision else None, as_of),
        "steps": [{"step": s.step, "label": R.STEPS[s.step], "date": s.step_date.isoformat(),
                   "until": s.until.isoformat() if s.until else None, "result": s.result, "by": s.by,
                   "note": s.note, "event": s.event_id} for s in lead.steps],
    }


def leads(session: Session, as_of: dt.date, *, status: str | None = None, area_ids=None,
          source: str | None = None) -> list[Lead]:
    """The leads known on a day (detected by then), filtered by status, area and source."""
    query = (select(Lead).where(Lead.detected_on <= as_of)
             .options(selectinload(Lead.steps), selectinload(Lead.household).selectinload(Household.village),
                      selectinload(Lead.member)).order_by(Lead.detected_on, Lead.id))
    if area_ids is not None:
        query = query.where(Lead.household_id.in_(snapshot.households_in(area_ids)))
    if source is not None:
        query = query.where(Lead.source == source)
    found = list(session.scalars(query))
    if status is not None:
        found = [x for x in found if lead_status(x, as_of) == status]
    return found


def area_scope(session: Session, text: str) -> list[int]:
    """The ids of an area a user names (services.lookup.find_area) and of every area under it."""
    from povmon.models import Area
    from povmon.services.lookup import find_area

    top = find_area(session, text)
    children: dict[int | None, list[int]] = defaultdict(list)
    for area_id, parent_id in session.execute(select(Area.id, Area.parent_id)):
        children[parent_id].append(area_id)
    found, todo = [], [top.id]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def elimination_check(session: Session, household: Household, day: dt.date) -> list:
    """The items of a risk elimination on a day (rules.monitoring.elimination_items) from what the register holds.

    Income: the monthly entries of the last 12 months where there are any (their sum over the members present on
    the day), else the last full year's per-capita income, against the monitoring line of that year.
    """
    from povmon.services.events import exit_facts

    status = snapshot.statuses(session, day).get(household.id)
    since = status.monitoring.since if status and status.monitoring else None
    facts = exit_facts(session, household, day)
    monthly = _window_income(session, day, 12).get(household.id)
    present = len([m for m in household.members if m.present_on(day)])
    book = LineBook(session)
    if monthly is not None and present:
        per_capita = (monthly[0] / present).quantize(Decimal("0.01"))
        basis, line = "近12个月", book.monitoring(day.year - 1)
    else:
        per_capita, basis, line = facts.per_capita, f"{facts.income_year}年", book.monitoring(facts.income_year)
    open_rigid = [f"{x.id}（{R.RULES[x.rule]}）" for x in session.scalars(
        select(Lead).where(Lead.household_id == household.id, Lead.detected_on <= day,
                           Lead.rule.in_(sorted(R.RIGID_SPENDING))).options(selectinload(Lead.steps)))
        if lead_status(x, day) != "decided"]
    from povmon.rules import exit_standard

    return R.elimination_items(day=day, monitored_since=since, per_capita=per_capita, income_basis=basis,
                               line=line.yuan if line else None, open_rigid=open_rigid,
                               exit_items=exit_standard.check(facts, day))
