"""Village work teams (驻村工作队): add a team, its members' stints, end or replace a member, list and show teams.

History is kept as for pairings (services.pairings): a stint is never edited into another. Ending one sets its
end date (exclusive, audited); a replacement (抽硬人/硬抽人) ends the old member's stint on a day and starts the
new member's, in the same role, that same day. The rules (team of at least 3, term of at least 2 years) are
rules.workteam's and only warn.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from povmon.models import Area, Cadre, TeamMember, WorkTeam
from povmon.rules import checks, idcard
from povmon.rules import workteam as rules
from povmon.rules.checks import Problem
from povmon.rules.text import clean_text
from povmon.services import areas
from povmon.services.entry import Cleaner, Outcome, Refused, change, insert

ROLE_TITLE = "队内职务"
SINGLE_ROLES = ("leader", "first_secretary")  # one 队长 and one 第一书记 at a time


def _role(clean: Cleaner, value: object) -> str | None:
    if value is None or not str(value).strip():
        clean.problems.append(checks.missing(ROLE_TITLE))
        return None
    code = rules.TEAM_ROLE.lookup(value)
    if code is None:
        accepted = "、".join(rules.TEAM_ROLE.labels())
        clean.problems.append(Problem("bad_value", f"“{value}”不是队内职务；可填：{accepted}", ROLE_TITLE))
    return code


def add_team(session: Session, *, village: str | Area, start: object, unit: object = None, name: object = None,
             end: object = None, note: object = None, user: str) -> Outcome:
    """Register a village's work team: its dispatching unit (派出单位) and term (from, to)."""
    clean = Cleaner()
    place = village if isinstance(village, Area) else None
    if place is None:
        try:
            place = areas.find(session, str(village or ""), "village")
        except Refused as exc:
            clean.add(exc.problems)
    first = clean.date("派驻日期", start, future=True)
    last = clean.date("任期结束日期", end, required=False, future=True)
    if first and last and last <= first:
        clean.problems.append(Problem("bad_date", "任期结束日期应晚于派驻日期", "任期结束日期"))
    clean.check()
    title = clean_text(str(name)) if name else None
    taken = set(session.scalars(select(WorkTeam.name).where(WorkTeam.village_id == place.id)))
    if title is None:
        title = f"{place.name}驻村工作队"
        n = 2
        while title in taken:
            title = f"{place.name}驻村工作队（{n}）"
            n += 1
    elif title in taken:
        raise Refused([Problem("bad_value", f"{place.name} 已有名为“{title}”的工作队；请换一个队名", "队名")])
    outcome = Outcome()
    team = WorkTeam(village=place, name=title, unit=clean_text(str(unit)) if unit else None, start_on=first,
                    end_on=last, note=clean_text(str(note)) if note else None)
    insert(session, outcome, team, user=user)
    outcome.warnings.extend(rules.team_warnings(0, first, last, rules.load())[1:])  # the term; members come next
    return outcome


def find_team(session: Session, value: str) -> WorkTeam:
    """The team meant by its number (#12 or 12), its name, or its village (when the village has one team)."""
    text = (clean_text(value) or "").lstrip("#＃")
    if text.isdigit():
        team = session.get(WorkTeam, int(text))
        if team is None:
            raise Refused(checks.reference("工作队", value, 0), hint="工作队编号见 povmon team list")
        return team
    found = list(session.scalars(select(WorkTeam).where(WorkTeam.name == text).order_by(WorkTeam.id)))
    if not found:
        try:
            place = areas.find(session, text, "village")
        except Refused:
            raise Refused(checks.reference("工作队", value, 0), hint="工作队见 povmon team list") from None
        found = list(session.scalars(select(WorkTeam).where(WorkTeam.village_id == place.id).order_by(WorkTeam.id)))
    if len(found) == 1:
        return found[0]
    if not found:
        raise Refused(checks.reference("工作队", value, 0), hint="请先用 povmon team add 登记")
    listed = "、".join(f"#{t.id} {t.name}" for t in found)
    raise Refused([Problem("unknown_reference", f"“{value}”有 {len(found)} 个工作队（{listed}）；请用编号指明",
                           "工作队")])


def _stints(session: Session, cadre: Cadre) -> list[TeamMember]:
    return list(session.scalars(select(TeamMember).where(TeamMember.cadre_id == cadre.id)
                                .options(selectinload(TeamMember.team)).order_by(TeamMember.start_on)))


def _members_on(session: Session, team: WorkTeam, day: dt.date) -> list[TeamMember]:
    return list(session.scalars(select(TeamMember).where(TeamMember.team_id == team.id, TeamMember.active_on(day))
                                .options(selectinload(TeamMember.cadre)).order_by(TeamMember.id)))


def _start_problems(session: Session, team: WorkTeam, cadre: Cadre, role: str, day: dt.date,
                    leaving: Cadre | None = None) -> list[Problem]:
    problems = []
    if day < team.start_on or (team.end_on is not None and day >= team.end_on):
        problems.append(Problem("bad_date", f"{day.isoformat()} 不在 {team.name} 的任期内（{team.start_on.isoformat()}"
                                            f" 起{'' if team.end_on is None else '，至 ' + team.end_on.isoformat()}）",
                                "开始日期"))
    for stint in _stints(session, cadre):
        if stint.end_on is None or stint.end_on > day:
            problems.append(Problem("bad_value", f"{cadre.name} 自 {stint.start_on.isoformat()} 起已在 "
                                                 f"{stint.team.name}（{rules.TEAM_ROLE.label(stint.role)}）；"
                                                 "请先结束那段任职", "队员"))
    if role in SINGLE_ROLES:
        for other in _members_on(session, team, day):
            if other.role == role and (leaving is None or other.cadre_id != leaving.id):
                problems.append(Problem("bad_value", f"{team.name} 已有{rules.TEAM_ROLE.label(role)} "
                                                     f"{other.cadre.name}；请用 povmon team member replace 更换",
                                        ROLE_TITLE))
    return problems


def _size_warnings(session: Session, team: WorkTeam, day: dt.date) -> list[Problem]:
    session.flush()
    count = len(_members_on(session, team, day))
    return rules.team_warnings(count, team.start_on, None, rules.load())


def add_member(session: Session, team: WorkTeam, cadre: Cadre, *, role: object, start: object, user: str,
               note: object = None) -> Outcome:
    """A cadre joins a team in a role from a day."""
    clean = Cleaner()
    code = _role(clean, role)
    day = clean.date("开始日期", start, future=True)
    clean.check()
    clean.add(_start_problems(session, team, cadre, code, day))
    clean.check()
    outcome = Outcome()
    insert(session, outcome, TeamMember(team=team, cadre=cadre, role=code, start_on=day), user=user,
           note=clean_text(str(note)) if note else None)
    outcome.warnings.extend(_size_warnings(session, team, day))
    return outcome


def _active_stint(session: Session, team: WorkTeam, cadre: Cadre, day: dt.date) -> TeamMember:
    found = session.scalar(select(TeamMember).where(TeamMember.team_id == team.id, TeamMember.cadre_id == cadre.id,
                                                    TeamMember.active_on(day)))
    if found is None:
        raise Refused([Problem("unknown_reference", f"{day.isoformat()} 这天 {cadre.name} 不在 {team.name}，无可结束",
                               "队员")], hint="队员见 povmon team show")
    return found


def end_member(session: Session, team: WorkTeam, cadre: Cadre, *, on: object, reason: object, user: str) -> Outcome:
    """A member leaves the team on a day (the first day out of it)."""
    clean = Cleaner()
    day = clean.date("结束日期", on, future=True)
    clean.check()
    stint = _active_stint(session, team, cadre, day)
    if day <= stint.start_on:
        raise Refused([Problem("bad_date", f"结束日期应晚于任职开始日期 {stint.start_on.isoformat()}", "结束日期")])
    why = clean_text(str(reason)) if reason else None
    outcome = Outcome()
    change(session, outcome, stint, {"end_on": day, "end_reason": why}, user=user, note=why)
    outcome.warnings.extend(_size_warnings(session, team, day))
    return outcome


def replace_member(session: Session, team: WorkTeam, old: Cadre, new: Cadre, *, on: object, reason: object,
                   user: str) -> Outcome:
    """Replace a member on a day: the old stint ends, the new member starts that day in the same role."""
    clean = Cleaner()
    day = clean.date("更换日期", on, future=True)
    if old.id == new.id:
        clean.problems.append(Problem("bad_value", "原队员和新队员是同一人", "队员"))
    clean.check()
    stint = _active_stint(session, team, old, day)
    if day <= stint.start_on:
        raise Refused([Problem("bad_date", f"更换日期应晚于 {old.name} 的任职开始日期 {stint.start_on.isoformat()}",
                               "更换日期")])
    clean.add(_start_problems(session, team, new, stint.role, day, leaving=old))
    clean.check()
    why = (clean_text(str(reason)) if reason else None) or f"更换队员：{old.name} → {new.name}"
    outcome = Outcome()
    change(session, outcome, stint, {"end_on": day, "end_reason": why}, user=user, note=why)
    insert(session, outcome, TeamMember(team=team, cadre=new, role=stint.role, start_on=day), user=user, note=why)
    return outcome


def member_json(m: TeamMember, as_of: dt.date, *, show_ids: bool = False) -> dict:
    c = m.cadre
    return {"name": c.name, "id_number": c.id_number if show_ids else idcard.mask(c.id_number),
            "role": rules.TEAM_ROLE.label(m.role), "unit": c.unit, "from": m.start_on.isoformat(),
            "to": m.end_on.isoformat() if m.end_on else None, "end_reason": m.end_reason,
            "in_post": m.active_on(as_of)}


def team_json(team: WorkTeam, as_of: dt.date, *, history: bool = False, show_ids: bool = False) -> dict:
    """A team as JSON: its village, unit, term, the members in post on a day (all stints with history), warnings."""
    from povmon.services.lookup import path_of

    members = [m for m in team.members if history or m.active_on(as_of)]
    in_post = sum(1 for m in team.members if m.active_on(as_of))
    warnings = rules.team_warnings(in_post, team.start_on, team.end_on, rules.load()) if team.active_on(as_of) else []
    return {"id": team.id, "name": team.name, "village": path_of(team.village), "unit": team.unit,
            "from": team.start_on.isoformat(), "to": team.end_on.isoformat() if team.end_on else None,
            "in_post": team.active_on(as_of), "members_in_post": in_post,
            "members": [member_json(m, as_of, show_ids=show_ids) for m in members],
            "warnings": [w.as_json() for w in warnings]}


def listing(session: Session, as_of: dt.date, area: Area | None = None, *, history: bool = False) -> list[dict]:
    """Teams in post on a day (every team with history), within an area."""
    query = (select(WorkTeam).options(selectinload(WorkTeam.village), selectinload(WorkTeam.members)
                                      .selectinload(TeamMember.cadre)).order_by(WorkTeam.id))
    teams = list(session.scalars(query))
    if area is not None:
        teams = [t for t in teams if _within(t.village, area)]
    return [team_json(t, as_of, history=history) for t in teams if history or t.active_on(as_of)]


def _within(place: Area, area: Area) -> bool:
    node = place
    while node is not None:
        if node.id == area.id:
            return True
        node = node.parent
    return False


def in_post(session: Session, day: dt.date) -> list[tuple[int, int, str, int]]:
    """(team id, village id, role, cadre id) of every member in post on a day, in a team in post that day."""
    rows = session.execute(
        select(TeamMember.team_id, WorkTeam.village_id, TeamMember.role, TeamMember.cadre_id)
        .join(WorkTeam, WorkTeam.id == TeamMember.team_id)
        .where(TeamMember.active_on(day), WorkTeam.active_on(day)))
    return [tuple(r) for r in rows]
