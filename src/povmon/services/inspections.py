"""Inspections (督查), their findings and rectifications, one record at a time: validated, audited, never committed.

``record`` stores an inspection with what it looked at; ``add_finding`` a finding with its category, deadline and
who is responsible, about a team and/or a cadre (defaulting to the inspection's one team or cadre); an absence
found on an unannounced check (明察暗访) becomes the cadre's 缺勤 mark of that day through services.attendance (a
day already marked is changed, audited). ``rectify`` records the one rectification of a finding. ``listing`` and
``find_*`` read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from povmon.models import Area, Cadre, Finding, Inspection, InspectionTarget, Rectification, TeamMember, WorkTeam
from povmon.rules import checks
from povmon.rules import inspection as rules
from povmon.rules.checks import Problem
from povmon.rules.text import clean_text
from povmon.services import attendance, households, lookup, workteams
from povmon.services.entry import Cleaner, Outcome, Refused, insert


def _text(value: object) -> str | None:
    return clean_text(str(value)) if value is not None and str(value).strip() else None


def _many(values: Iterable[object] | object | None) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    out = []
    for v in values:
        out.extend(p for p in (x.strip() for x in str(v).replace("，", ",").split(",")) if p)
    return out


def _vocab(clean: Cleaner, vocab, value: object, title: str) -> str | None:
    code = vocab.lookup(value) if value is not None else None
    if code is None:
        clean.problems.append(Problem("bad_value", f"“{value or ''}”不是{title}；可填：{vocab.accepted()}", title))
    return code


def _resolve(clean: Cleaner, title: str, finder, value: str):
    try:
        return finder(value)
    except Refused as exc:
        clean.problems.extend(exc.problems)
    except Exception as exc:  # lookups raise PovmonError with one sentence
        from povmon.errors import PovmonError

        if not isinstance(exc, PovmonError):
            raise
        clean.problems.append(Problem("unknown_reference", str(exc).rstrip("。"), title))
    return None


def team_of(session: Session, cadre: Cadre, day: dt.date) -> WorkTeam | None:
    """The team a cadre served in on a day (None when in none)."""
    stint = session.scalars(select(TeamMember).where(TeamMember.cadre_id == cadre.id, TeamMember.active_on(day))
                            .order_by(TeamMember.id)).first()
    return stint.team if stint is not None else None


def record(session: Session, *, date: object, kind: object, inspectors: object, teams=None, secretaries=None,
           cadres=None, villages=None, households_=None, projects=None, note: object = None, user: str,
           today: dt.date | None = None) -> Outcome:
    """An inspection: date, kind, inspectors and what it looked at (at least one thing)."""
    clean = Cleaner()
    day = clean.date("督查日期", date, today=today)
    code = _vocab(clean, rules.KIND, kind, "督查方式")
    who = clean.value("督查人员", _text, inspectors, required=True)
    targets: list[InspectionTarget] = []
    for value in _many(teams):
        team = _resolve(clean, "工作队", lambda v: workteams.find_team(session, v), value)
        if team is not None:
            targets.append(InspectionTarget(kind="team", team=team))
    for kind_code, values in (("first_secretary", secretaries), ("cadre", cadres)):
        for value in _many(values):
            cadre = _resolve(clean, "干部", lambda v: lookup.find_cadre(session, v), value)
            if cadre is not None:
                targets.append(InspectionTarget(kind=kind_code, cadre=cadre))
    for value in _many(villages):
        area = _resolve(clean, "村", lambda v: lookup.find_area(session, v, "village"), value)
        if area is not None:
            targets.append(InspectionTarget(kind="village", area=area))
    for value in _many(households_):
        household = _resolve(clean, "农户", lambda v: households.by_code(session, v), value)
        if household is not None:
            targets.append(InspectionTarget(kind="household", household=household))
    targets.extend(InspectionTarget(kind="project", project=p[:200]) for p in _many(projects))
    if not targets and not clean.problems:
        clean.problems.append(Problem("required_missing", "请写明督查了什么：--team、--secretary、--cadre、"
                                                          "--village、--household 或 --project", "督查对象"))
    clean.check()
    outcome = Outcome()
    inspection = Inspection(inspect_date=day, kind=code, inspectors=who[:200], note=_text(note))
    insert(session, outcome, inspection, user=user)
    session.flush()
    for target in targets:
        target.inspection = inspection
        insert(session, outcome, target, user=user)  # audited, as every record entered by hand
    session.flush()
    outcome.facts["targets"] = [target_json(t) for t in targets]
    return outcome


def target_json(t: InspectionTarget) -> dict:
    name = (t.team.name if t.team else t.cadre.name if t.cadre else lookup.path_of(t.area) if t.area else
            t.household.code if t.household else t.project)
    return {"kind": rules.TARGET.label(t.kind), "name": name}


def find(session: Session, value: object) -> Inspection:
    text = str(value or "").strip().lstrip("#＃")
    found = session.get(Inspection, int(text)) if text.isdigit() else None
    if found is None:
        raise Refused(checks.reference("督查记录", str(value), 0), hint="督查编号见 povmon inspect list")
    return found


def find_finding(session: Session, value: object) -> Finding:
    text = str(value or "").strip().lstrip("#＃")
    found = session.get(Finding, int(text)) if text.isdigit() else None
    if found is None:
        raise Refused(checks.reference("督查问题", str(value), 0), hint="问题编号见 povmon inspect list")
    return found


def add_finding(session: Session, inspection: Inspection, *, category: object, description: object,
                deadline: object, responsible: object, team: object = None, cadre: object = None,
                absent: bool = False, user: str, today: dt.date | None = None) -> Outcome:
    """A finding of an inspection, about a team and/or a cadre; ``absent``: the cadre was found not in post."""
    clean = Cleaner()
    code = _vocab(clean, rules.CATEGORY, category, "问题类别")
    what = clean.value("问题描述", _text, description, required=True)
    due = clean.date("整改期限", deadline, future=True)
    who = clean.value("整改责任人", _text, responsible, required=True)
    if due is not None and due < inspection.inspect_date:
        clean.problems.append(Problem("bad_date", f"整改期限早于督查日期 {inspection.inspect_date.isoformat()}",
                                      "整改期限"))
    the_team = _resolve(clean, "工作队", lambda v: workteams.find_team(session, v), str(team)) if team else None
    the_cadre = _resolve(clean, "干部", lambda v: lookup.find_cadre(session, v), str(cadre)) if cadre else None
    clean.check()
    if the_team is None and the_cadre is None:
        teams = [t.team for t in inspection.targets if t.team is not None]
        people = [t.cadre for t in inspection.targets if t.cadre is not None]
        if len(people) == 1:
            the_cadre = people[0]
        if len(teams) == 1:
            the_team = teams[0]
    if the_cadre is not None and the_team is None:
        the_team = team_of(session, the_cadre, inspection.inspect_date)
    if absent and the_cadre is None:
        raise Refused([Problem("required_missing", "发现不在岗时请用 --cadre 写明是哪位干部", "干部")])
    outcome = Outcome()
    finding = Finding(inspection=inspection, category=code, description=what[:2000], deadline=due,
                      responsible=who[:200], team=the_team, cadre=the_cadre, absence=bool(absent))
    insert(session, outcome, finding, user=user)
    if absent and inspection.kind == "unannounced":
        marked = attendance.set_marks(session, the_cadre, {inspection.inspect_date: "absent"}, user=user,
                                      today=today, note=f"明察暗访 #{inspection.id} 发现不在岗")
        outcome.stored.extend(marked.stored)
        outcome.changed.extend(marked.changed)
        outcome.warnings.extend(marked.warnings)
        outcome.facts["attendance"] = f"{the_cadre.name} {inspection.inspect_date.isoformat()} 记为缺勤"
    elif absent:
        kind = rules.KIND.label(inspection.kind)
        outcome.warnings.append(Problem("not_unannounced", f"这次督查是{kind}，不是明察暗访，考勤未改；"
                                                           "如确属缺勤请用 povmon team attendance set 登记"))
    return outcome


def rectify(session: Session, finding: Finding, *, date: object, evidence: object, confirmed_by: object = None,
            user: str, today: dt.date | None = None) -> Outcome:
    """A finding's rectification: the day, the evidence, who confirmed it (once)."""
    clean = Cleaner()
    day = clean.date("整改日期", date, today=today)
    proof = clean.value("整改佐证", _text, evidence, required=True)
    who = clean.value("确认人", _text, confirmed_by)
    if day is not None and day < finding.inspection.inspect_date:
        clean.problems.append(Problem("bad_date", f"整改日期早于督查日期 {finding.inspection.inspect_date.isoformat()}",
                                      "整改日期"))
    clean.check()
    if finding.rectification is not None:
        raise Refused([Problem("bad_value", f"问题 #{finding.id} 已于 "
                                            f"{finding.rectification.rectified_on.isoformat()} 整改", "整改")])
    outcome = Outcome()
    insert(session, outcome, Rectification(finding=finding, rectified_on=day, evidence=proof[:2000],
                                           confirmed_by=who), user=user)
    if finding.deadline is not None and day > finding.deadline:
        outcome.warnings.append(Problem("late", f"超过整改期限 {finding.deadline.isoformat()} "
                                                f"{(day - finding.deadline).days} 天"))
    return outcome


def finding_json(f: Finding, today: dt.date) -> dict:
    r = f.rectification
    insp = f.inspection
    return {"id": f.id, "inspection": insp.id, "date": insp.inspect_date.isoformat(),
            "kind": rules.KIND.label(insp.kind), "category": rules.CATEGORY.label(f.category),
            "description": f.description, "deadline": f.deadline.isoformat() if f.deadline else None,
            "responsible": f.responsible, "team": f.team.name if f.team else None,
            "cadre": f.cadre.name if f.cadre else None, "absence": f.absence,
            "status": rules.STATUS.label(rules.status(f.deadline, r.rectified_on if r else None, today)),
            "rectified_on": r.rectified_on.isoformat() if r else None, "evidence": r.evidence if r else None}


def inspection_json(i: Inspection, today: dt.date) -> dict:
    return {"id": i.id, "date": i.inspect_date.isoformat(), "kind": rules.KIND.label(i.kind),
            "inspectors": i.inspectors, "targets": [target_json(t) for t in i.targets],
            "findings": [finding_json(f, today) for f in i.findings]}


def inspections(session: Session, first: dt.date, last: dt.date, scope: Area | None = None) -> list[Inspection]:
    """Inspections dated from ``first`` to ``last`` (with targets and findings loaded); ``scope``: those that
    looked at something in the area (a team's or cadre's village, a village, a household)."""
    found = list(session.scalars(
        select(Inspection).where(Inspection.inspect_date >= first, Inspection.inspect_date <= last)
        .options(selectinload(Inspection.targets),
                 selectinload(Inspection.findings).selectinload(Finding.rectification))
        .order_by(Inspection.inspect_date, Inspection.id)))
    if scope is None:
        return found
    return [i for i in found if any(_in(_place(session, t), scope) for t in i.targets)]


def _place(session: Session, t: InspectionTarget) -> Area | None:
    if t.team is not None:
        return t.team.village
    if t.area is not None:
        return t.area
    if t.household is not None:
        return session.get(Area, t.household.village_id)
    if t.cadre is not None:
        team = team_of(session, t.cadre, t.inspection.inspect_date)
        return team.village if team else t.cadre.village
    return None


def _in(place: Area | None, scope: Area) -> bool:
    while place is not None:
        if place.id == scope.id:
            return True
        place = place.parent
    return False


def listing(session: Session, first: dt.date, last: dt.date, *, overdue: bool = False, scope: Area | None = None,
            today: dt.date | None = None) -> list[dict]:
    """Findings of the inspections in the period as JSON rows; ``overdue``: only those open past their deadline."""
    today = today or dt.date.today()
    rows = [finding_json(f, today) for i in inspections(session, first, last, scope) for f in i.findings]
    if overdue:
        rows = [r for r in rows if r["status"] == rules.STATUS.label("overdue")]
    return rows
