"""The figures of projects, assets, employment, training and party members for an area, on a day or in a year.

Read only. An area's figures count everything of the villages under it (a project or training registered for
a township counts for the township and the county). What each figure means (docs/CONTRACTS.md, "project report"):

- party members: people present on the day whose latest 政治面貌 on or before it is 中共党员 or 预备党员
  (rules.projects.PARTY);
- employed: members present with a job held on the day (models.Employment.active_on); ``registered`` restricts
  to households ever identified as poor on that day (services.snapshot.statuses), the seed's "poor people";
  ``wage_households`` / ``wage_people``: registered households of which a member holds a job paying at least
  rules.projects.MONTHLY_WAGE_THRESHOLD a month, and the people present in them (the seed's "1,034 households,
  3,560 people with a monthly income of 1,000 yuan or more");
- trained: distinct members (and their households) in trainings held in the period;
- projects: those of the area, their investment and funding by source; dividends paid in the year.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from povmon.models import (
    Area,
    Employment,
    Enterprise,
    Household,
    Member,
    PoliticalStatus,
    Project,
    ProjectAsset,
    ProjectBeneficiary,
    ProjectDividend,
    Training,
    TrainingParticipant,
)
from povmon.rules import idcard
from povmon.rules.money import yuan
from povmon.rules.projects import (
    ASSET_OWNER,
    ASSET_STATUS,
    ASSETS_NEEDING_ATTENTION,
    FUNDING_SOURCE,
    INDUSTRY,
    MONTHLY_WAGE_THRESHOLD,
    PARTY,
    POLITICAL_STATUS,
    PROJECT_KIND,
)
from povmon.services import snapshot

ZERO = Decimal("0.00")


def under(session: Session, area: Area | None) -> list[int] | None:
    """The ids of an area and every area below it (None: the whole register)."""
    if area is None:
        return None
    children: dict[int | None, list[int]] = defaultdict(list)
    for aid, parent in session.execute(select(Area.id, Area.parent_id)):
        children[parent].append(aid)
    found, todo = [], [area.id]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, ()))
    return found


def _present_members(session: Session, day: dt.date, area_ids: list[int] | None):
    query = select(Member.id, Member.id_number, Member.household_id).where(Member.present_on(day))
    return session.execute(snapshot.restrict(query, Member.household_id, area_ids)).all()


def party_members(session: Session, day: dt.date, area_ids: list[int] | None = None) -> int:
    """People present on the day whose 政治面貌 then is a party member's."""
    party = _party_numbers(session, day)
    return len({row.id_number for row in _present_members(session, day, area_ids) if row.id_number in party})


@dataclass
class Employed:
    people: int = 0
    households: int = 0
    registered_people: int = 0  # employed members of registered households
    wage_households: int = 0  # registered households with a job paying ≥ the threshold
    wage_people: int = 0  # the people present in those households
    yearly_wage: Decimal = ZERO  # 12 × the monthly wages of the registered employed
    by_industry: dict[str, int] = field(default_factory=dict)  # registered households employed, per industry

    def as_json(self) -> dict:
        return {"people": self.people, "households": self.households, "registered_people": self.registered_people,
                "wage_households": self.wage_households, "wage_people": self.wage_people,
                "registered_yearly_wage_yuan": yuan(self.yearly_wage),
                "registered_households_by_industry": {
                    INDUSTRY.label(k): v for k, v in sorted(self.by_industry.items())}}


def employed(session: Session, day: dt.date, area_ids: list[int] | None = None,
             threshold: Decimal = MONTHLY_WAGE_THRESHOLD) -> Employed:
    """Who works on the day, and the registered households whose jobs reach the monthly threshold."""
    query = (select(Employment.member_id, Employment.monthly_wage, Member.household_id, Enterprise.industry)
             .join(Member, Member.id == Employment.member_id)
             .join(Enterprise, Enterprise.id == Employment.enterprise_id)
             .where(Employment.active_on(day), Member.present_on(day)))
    rows = session.execute(snapshot.restrict(query, Member.household_id, area_ids)).all()
    status = snapshot.statuses(session, day, area_ids)
    registered = {hid for hid, s in status.items() if s.registered}
    result = Employed(people=len({r.member_id for r in rows}), households=len({r.household_id for r in rows}))
    reg_rows = [r for r in rows if r.household_id in registered]
    result.registered_people = len({r.member_id for r in reg_rows})
    best: dict[int, Decimal] = {}
    for r in reg_rows:
        best[r.member_id] = max(best.get(r.member_id, ZERO), r.monthly_wage)
    result.yearly_wage = sum(best.values(), ZERO) * 12
    wage_homes = {r.household_id for r in reg_rows if r.monthly_wage >= threshold}
    present = snapshot.members_present(session, day, area_ids)
    result.wage_households = len(wage_homes)
    result.wage_people = sum(present.get(h, 0) for h in wage_homes)
    industries: dict[str, set[int]] = defaultdict(set)
    for r in reg_rows:
        industries[r.industry].add(r.household_id)
    result.by_industry = {k: len(v) for k, v in industries.items()}
    return result


def trained(session: Session, start: dt.date, end: dt.date, area_ids: list[int] | None = None) -> tuple[int, int]:
    """(households, people) with a member in a training held from start to end, both included."""
    query = (select(TrainingParticipant.member_id, Member.household_id, Member.id_number)
             .join(Training, Training.id == TrainingParticipant.training_id)
             .join(Member, Member.id == TrainingParticipant.member_id)
             .where(Training.held_on >= start, Training.held_on <= end))
    rows = session.execute(snapshot.restrict(query, Member.household_id, area_ids)).all()
    return len({r.household_id for r in rows}), len({r.id_number for r in rows})


def dividends_paid(session: Session, start: dt.date, end: dt.date, area_ids: list[int] | None = None
                   ) -> tuple[int, Decimal]:
    """(households, yuan) of project dividends paid from start to end."""
    query = select(ProjectDividend.household_id, ProjectDividend.amount).where(
        ProjectDividend.paid_on >= start, ProjectDividend.paid_on <= end)
    rows = session.execute(snapshot.restrict(query, ProjectDividend.household_id, area_ids)).all()
    return len({r.household_id for r in rows}), sum((r.amount for r in rows), ZERO)


def projects(session: Session, area_ids: list[int] | None, year: int) -> list[dict]:
    """Every project of the areas with its funding, beneficiaries, assets and the dividends paid in the year."""
    query = select(Project).options(selectinload(Project.funding), selectinload(Project.beneficiaries),
                                    selectinload(Project.dividends), selectinload(Project.assets),
                                    selectinload(Project.area))
    if area_ids is not None:
        query = query.where(Project.area_id.in_(area_ids))
    rows = []
    for p in session.scalars(query.order_by(Project.area_id, Project.id)):
        paid = [d for d in p.dividends if d.paid_on.year == year]  # paid in the year (whatever year they are for)
        funding: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for f in p.funding:
            funding[f.source] += f.amount
        rows.append({
            "name": p.name, "area": p.area.name, "kind": p.kind, "kind_label": PROJECT_KIND.label(p.kind),
            "investment": yuan(p.investment),
            "funding": {FUNDING_SOURCE.label(k): yuan(v) for k, v in funding.items()},
            "start": p.start_on.isoformat() if p.start_on else None,
            "completed": p.completed_on.isoformat() if p.completed_on else None,
            "beneficiary_households": len(p.beneficiaries),
            "beneficiary_mu": yuan(sum((b.area_mu or ZERO for b in p.beneficiaries), ZERO)),
            "beneficiary_quantity": sum(b.quantity or 0 for b in p.beneficiaries),
            "dividend_per_household": yuan(p.dividend_per_household),
            "dividend_households": len({d.household_id for d in paid}),
            "dividends_yuan": yuan(sum((d.amount for d in paid), ZERO)),
            "assets": len(p.assets), "asset_value": yuan(sum((a.value for a in p.assets), ZERO)),
        })
    return rows


def assets(session: Session, day: dt.date, area_ids: list[int] | None = None, *,
           attention_only: bool = False) -> list[dict]:
    """Project assets with their status on the day (only idle or damaged ones with attention_only)."""
    query = (select(ProjectAsset).join(Project, Project.id == ProjectAsset.project_id)
             .options(selectinload(ProjectAsset.statuses),
                      selectinload(ProjectAsset.project).selectinload(Project.area)))
    if area_ids is not None:
        query = query.where(Project.area_id.in_(area_ids))
    rows = []
    for a in session.scalars(query.order_by(Project.area_id, ProjectAsset.id)):
        status = a.status_on(day)
        if attention_only and (status is None or status.status not in ASSETS_NEEDING_ATTENTION):
            continue
        rows.append({"name": a.name, "project": a.project.name, "area": a.project.area.name, "value": yuan(a.value),
                     "owner": ASSET_OWNER.label(a.owner), "custodian": a.custodian,
                     "status": status.status if status else None,
                     "status_label": ASSET_STATUS.label(status.status) if status else None,
                     "since": status.status_on.isoformat() if status else None,
                     "note": status.note if status else None})
    return rows


def jobs(session: Session, day: dt.date, area_ids: list[int] | None = None, *, show_ids: bool = False) -> list[dict]:
    """The jobs held on the day, by household."""
    query = (select(Employment, Member, Household.code, Enterprise)
             .join(Member, Member.id == Employment.member_id).join(Household, Household.id == Member.household_id)
             .join(Enterprise, Enterprise.id == Employment.enterprise_id).where(Employment.active_on(day)))
    rows = []
    for job, member, code, firm in session.execute(snapshot.restrict(query, Member.household_id, area_ids)
                                                   .order_by(Household.code, Member.id)):
        rows.append({"household": code, "name": member.name,
                     "id_number": member.id_number if show_ids else idcard.mask(member.id_number),
                     "enterprise": firm.name, "industry": INDUSTRY.label(firm.industry), "post": job.post,
                     "from": job.start_on.isoformat(), "to": job.end_on.isoformat() if job.end_on else None,
                     "monthly_wage": yuan(job.monthly_wage)})
    return rows


def trainings(session: Session, start: dt.date, end: dt.date, area_ids: list[int] | None = None) -> list[dict]:
    """The trainings held in the period with their participants' count."""
    counts = dict(session.execute(select(TrainingParticipant.training_id, func.count())
                                  .group_by(TrainingParticipant.training_id)).all())
    query = select(Training).options(selectinload(Training.area)).where(Training.held_on >= start,
                                                                          Training.held_on <= end)
    if area_ids is not None:
        query = query.where(Training.area_id.in_(area_ids))
    return [{"course": t.course, "date": t.held_on.isoformat(), "provider": t.provider,
             "area": t.area.name if t.area else None, "participants": counts.get(t.id, 0)}
            for t in session.scalars(query.order_by(Training.held_on, Training.id))]


def summary(session: Session, area: Area | None, day: dt.date, year: int | None = None) -> dict:
    """Every figure of the area on the day; training and dividends over the year (default: the day's year)."""
    year = year or day.year
    ids = under(session, area)
    start, end = dt.date(year, 1, 1), min(day, dt.date(year, 12, 31))
    project_rows = projects(session, ids, year)
    households_trained, people_trained = trained(session, dt.date(1900, 1, 1), day, ids)
    year_households, year_people = trained(session, start, end, ids)
    div_households, div_yuan = dividends_paid(session, start, end, ids)
    by_kind: dict[str, dict] = {}
    for p in project_rows:
        entry = by_kind.setdefault(p["kind"], {"projects": 0, "investment": ZERO})
        entry["projects"] += 1
        entry["investment"] += Decimal(p["investment"])
    return {
        "area": area.name if area else None, "as_of": day.isoformat(), "year": year,
        "party_members": party_members(session, day, ids),
        "employment": employed(session, day, ids).as_json(),
        "trained_households": households_trained, "trained_people": people_trained,
        "trained_households_in_year": year_households, "trained_people_in_year": year_people,
        "projects": len(project_rows),
        "projects_by_kind": {k: {"projects": v["projects"], "investment": yuan(v["investment"])}
                             for k, v in sorted(by_kind.items())},
        "investment_yuan": yuan(sum((Decimal(p["investment"]) for p in project_rows), ZERO)),
        "dividend_households": div_households, "dividends_yuan": yuan(div_yuan),
        "assets": len(assets(session, day, ids)),
        "assets_needing_attention": len(assets(session, day, ids, attention_only=True)),
    }


# --- the monthly summary's figures (reports.monthly: per village, rolled up like the others) ------------------

MONTHLY_FIELDS = ("party_members", "employed_people", "wage_households", "trained_people", "dividends_yuan")


def monthly_zero() -> dict:
    """An area's monthly figures before anything is counted."""
    return {"party_members": 0, "employed_people": 0, "wage_households": 0, "trained_people": 0,
            "dividends_yuan": ZERO}


def monthly_add(into: dict, other: dict) -> None:
    """Add a child area's monthly figures."""
    for key in MONTHLY_FIELDS:
        into[key] += other[key]


def monthly_json(values: dict) -> dict:
    """The monthly figures in docs/CONTRACTS.md's order, money as a two-decimal string."""
    return {k: yuan(values[k]) if k == "dividends_yuan" else values[k] for k in MONTHLY_FIELDS}


def monthly_by_village(session: Session, first: dt.date, as_of: dt.date, area_ids: list[int] | None,
                       villages: dict[int, int], statuses: dict) -> dict[int, dict]:
    """{village id: figures}: party members and employed people present on as_of, registered households with a
    job reaching the wage threshold on as_of, people trained and dividends paid during the month."""
    result: dict[int, dict] = defaultdict(monthly_zero)
    party = _party_numbers(session, as_of)
    for row in _present_members(session, as_of, area_ids):
        if row.id_number in party and row.household_id in villages:
            result[villages[row.household_id]]["party_members"] += 1
    query = (select(Employment.member_id, Employment.monthly_wage, Member.household_id)
             .join(Member, Member.id == Employment.member_id)
             .where(Employment.active_on(as_of), Member.present_on(as_of)))
    people: dict[int, set[int]] = defaultdict(set)
    wage: dict[int, set[int]] = defaultdict(set)
    for member_id, monthly_wage, hid in session.execute(snapshot.restrict(query, Member.household_id, area_ids)):
        village = villages.get(hid)
        if village is None:
            continue
        people[village].add(member_id)
        state = statuses.get(hid)
        if state is not None and state.registered and monthly_wage >= MONTHLY_WAGE_THRESHOLD:
            wage[village].add(hid)
    for village, ids in people.items():
        result[village]["employed_people"] = len(ids)
    for village, ids in wage.items():
        result[village]["wage_households"] = len(ids)
    query = (select(Member.household_id, Member.id_number).join(TrainingParticipant,
                                                                TrainingParticipant.member_id == Member.id)
             .join(Training, Training.id == TrainingParticipant.training_id)
             .where(Training.held_on >= first, Training.held_on <= as_of))
    trained: dict[int, set[str]] = defaultdict(set)
    for hid, number in session.execute(snapshot.restrict(query, Member.household_id, area_ids)):
        if hid in villages:
            trained[villages[hid]].add(number)
    for village, numbers in trained.items():
        result[village]["trained_people"] = len(numbers)
    query = select(ProjectDividend.household_id, ProjectDividend.amount).where(
        ProjectDividend.paid_on >= first, ProjectDividend.paid_on <= as_of)
    for hid, amount in session.execute(snapshot.restrict(query, ProjectDividend.household_id, area_ids)):
        if hid in villages:
            result[villages[hid]]["dividends_yuan"] += amount
    return dict(result)


def _party_numbers(session: Session, day: dt.date) -> set[str]:
    latest: dict[str, tuple[dt.date, int, str]] = {}
    for number, status, since, sid in session.execute(
            select(PoliticalStatus.id_number, PoliticalStatus.status, PoliticalStatus.since, PoliticalStatus.id)
            .where(PoliticalStatus.since <= day)):
        if number not in latest or (since, sid) > latest[number][:2]:
            latest[number] = (since, sid, status)
    return {n for n, (_, _, status) in latest.items() if status in PARTY}


# --- the household ledger's lines (reports.ledger, 帮扶账: 就业、培训与项目) ---------------------------------------


def household_lines(session: Session, household_ids: list[int], as_of: dt.date
                    ) -> dict[int, list[tuple[dt.date, str, str, Decimal | None]]]:
    """{household id: [(date, kind, text, amount)]}: jobs, training, projects, dividends and 政治面貌 up to a day."""
    lines: dict[int, list] = defaultdict(list)
    if not household_ids:
        return {}
    ids = list(household_ids)
    members = {m.id: m for m in session.scalars(select(Member).where(Member.household_id.in_(ids)))}
    for job in session.scalars(select(Employment).options(selectinload(Employment.enterprise))
                               .where(Employment.member_id.in_(list(members)), Employment.start_on <= as_of)):
        m = members[job.member_id]
        text = f"{m.name} 在{job.enterprise.name}务工" + (f"（{job.post}）" if job.post else "") + "，月工资"
        if job.end_on and job.end_on <= as_of:
            text = f"{m.name} 在{job.enterprise.name}务工至 {job.end_on.isoformat()}，月工资"
        lines[m.household_id].append((job.start_on, "务工", text, job.monthly_wage))
    query = (select(TrainingParticipant.member_id, Training).join(Training)
             .where(TrainingParticipant.member_id.in_(list(members)), Training.held_on <= as_of))
    for member_id, course in session.execute(query):
        m = members[member_id]
        by = f"（{course.provider}）" if course.provider else ""
        lines[m.household_id].append((course.held_on, "培训", f"{m.name} 参加{course.course}{by}", None))
    for b in session.scalars(select(ProjectBeneficiary).options(selectinload(ProjectBeneficiary.project))
                             .where(ProjectBeneficiary.household_id.in_(ids))):
        day = b.since or b.project.completed_on or b.project.start_on
        if day is None or day > as_of:
            continue
        share = "".join(x for x in (f"，{b.area_mu} 亩" if b.area_mu else "", f"，{b.quantity}" if b.quantity else ""))
        lines[b.household_id].append((day, "项目", f"{b.project.name}（{PROJECT_KIND.label(b.project.kind)}）受益户"
                                      + share, None))
    for d in session.scalars(select(ProjectDividend).options(selectinload(ProjectDividend.project))
                             .where(ProjectDividend.household_id.in_(ids), ProjectDividend.paid_on <= as_of)):
        lines[d.household_id].append((d.paid_on, "分红", f"{d.project.name} {d.year}年资产收益分红", d.amount))
    numbers = {m.id_number: m for m in members.values() if m.left_on is None or m.left_on > as_of}
    for p in session.scalars(select(PoliticalStatus).where(PoliticalStatus.id_number.in_(list(numbers)),
                                                           PoliticalStatus.since <= as_of)):
        m = numbers[p.id_number]
        lines[m.household_id].append((p.since, "政治面貌", f"{m.name} {POLITICAL_STATUS.label(p.status)}", None))
    return {h: sorted(v, key=lambda line: (line[0], line[1], line[2])) for h, v in lines.items()}
