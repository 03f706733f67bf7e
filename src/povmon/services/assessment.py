"""The year-end assessment (年终考核): gathering each team's and first secretary's facts from the records, running
the scheme (rules.assessment), the dispatching units' assessment (派出单位目标责任制考核), and the writes — a
year's scheme, hand scores, appeals (复核) and the close that stores a year's result with its sha256.

Attendance figures are the work-team report's (reports.attendance.build for the year: working days, days in the
village, unexcused absences, logs and reports done and due), not computed again here. A team's figures are its
members' summed; a first secretary's are their own over every stint of the year, with their team's reports.
Visits (走访) are the cadre's visits of the year; due: ``visits_per_month`` for each month in post. Findings are
those of the year's inspections about the team, or about the secretary. Writes are audited and never committed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from povmon import __version__
from povmon.errors import PovmonError
from povmon.models import (
    Appeal,
    AssessmentClose,
    AssessmentScheme,
    Cadre,
    Finding,
    HandScore,
    Inspection,
    Pairing,
    Visit,
    WorkTeam,
)
from povmon.models.base import utcnow
from povmon.reports import attendance as attendance_report
from povmon.rules import assessment as rules
from povmon.rules import parse
from povmon.rules.assessment import Facts, FindingFact, Result, Scheme
from povmon.rules.checks import Problem
from povmon.rules.text import clean_text
from povmon.services import audit, lookup, workteams
from povmon.services.closes import digest, when
from povmon.services.entry import Cleaner, Outcome, Refused, change, insert

SUBJECT_TITLE = {"team": "工作队", "secretary": "第一书记"}


def _text(value: object) -> str | None:
    return clean_text(str(value)) if value is not None and str(value).strip() else None


def check_year(value: object) -> int:
    year = parse.year(value)
    if year is None:
        raise PovmonError(f"“{value}”不是年份；请写成 YYYY，如 2018。")
    return year


# --- the scheme of a year -------------------------------------------------------------------------------


def scheme_for(session: Session, year: int, path: Path | None = None) -> tuple[Scheme, str]:
    """The scheme for a year: a file given now, else the one loaded for the year, else the shipped example;
    and where it came from (for the report)."""
    if path is not None:
        return rules.load(path), f"文件 {path.name}"
    stored = session.scalars(select(AssessmentScheme).where(AssessmentScheme.year == year)
                             .order_by(AssessmentScheme.id.desc())).first()
    if stored is not None:
        return rules.parse_scheme(stored.text, f"{year} 年的考核方案"), f"{year} 年方案（#{stored.id}）"
    return rules.load(), "povmon 自带的示例方案"


def load_scheme(session: Session, year: object, path: Path, *, user: str) -> Outcome:
    """Store a county's scheme for a year (checked first; the latest of a year counts, the earlier stay)."""
    y = check_year(year)
    scheme = rules.load(path)
    outcome = Outcome()
    insert(session, outcome, AssessmentScheme(year=y, name=scheme.name, text=scheme.text, loaded_by=user,
                                              sha256=hashlib.sha256(scheme.text.encode("utf-8")).hexdigest()),
           user=user)
    return outcome


# --- subjects -------------------------------------------------------------------------------------------


def find_subject(session: Session, *, team: object = None, secretary: object = None) -> tuple[str, int, str]:
    """(kind, id, name) of the team or first secretary a clerk named."""
    if bool(team) == bool(secretary):
        raise PovmonError("请用 --team 指明工作队，或用 --secretary 指明第一书记（二者选一）。")
    if team:
        found = workteams.find_team(session, str(team))
        return "team", found.id, found.name
    cadre = lookup.find_cadre(session, str(secretary))
    return "secretary", cadre.id, cadre.name


def _months_in_post(start: dt.date, end: dt.date | None, year: int) -> int:
    first = max(start, dt.date(year, 1, 1))
    last = min(end - dt.timedelta(days=1), dt.date(year, 12, 31)) if end is not None else dt.date(year, 12, 31)
    if last < first:
        return 0
    return (last.year - first.year) * 12 + last.month - first.month + 1


def gather(session: Session, year: int, scheme: Scheme, *, today: dt.date | None = None) -> list[Facts]:
    """Every team and first secretary in post during the year, with the facts the scheme scores."""
    today = today or dt.date.today()
    built = attendance_report.build(session, attendance_report.Period.year(year), today=today)
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    visits = dict(session.execute(select(Visit.cadre_id, func.count()).where(
        Visit.visit_date >= first, Visit.visit_date <= last).group_by(Visit.cadre_id)).all())
    findings = list(session.scalars(
        select(Finding).join(Inspection, Inspection.id == Finding.inspection_id)
        .where(Inspection.inspect_date >= first, Inspection.inspect_date <= last)
        .options(selectinload(Finding.rectification), selectinload(Finding.inspection))))
    by_team: dict[int, list[FindingFact]] = defaultdict(list)
    by_cadre: dict[int, list[FindingFact]] = defaultdict(list)
    for f in findings:
        fact = FindingFact(f.id, f.inspection.inspect_date, f.category, f.deadline,
                           f.rectification.rectified_on if f.rectification else None)
        if f.team_id is not None:
            by_team[f.team_id].append(fact)
        if f.cadre_id is not None:
            by_cadre[f.cadre_id].append(fact)
    hand = _hand_scores(session, year)
    appeals = _appeals(session, year)
    units = dict(session.execute(select(WorkTeam.id, WorkTeam.unit)).all())

    out: list[Facts] = []
    secretaries: dict[int, list] = defaultdict(list)
    for team in built.teams:
        members = team.members
        visits_due = sum(scheme.visits_per_month * _months_in_post(m.start_on, m.end_on, year) for m in members)
        out.append(Facts(
            kind="team", key=team.id, name=team.name, township=team.township, village=team.village,
            unit=units.get(team.id), team=team.name, people=len({m.cadre_id for m in members}),
            working_days=sum(m.figures.working_days for m in members),
            in_village=sum(m.figures.in_village for m in members),
            absences=sum(m.figures.absent for m in members),
            logs=sum(m.logs for m in members), logs_due=sum(m.logs_due for m in members),
            reports=team.reports, reports_due=team.reports_due,
            visits=sum(visits.get(cid, 0) for cid in {m.cadre_id for m in members}), visits_due=visits_due,
            findings=by_team.get(team.id, []), hand=hand.get(("team", team.id), {}),
            appeal=appeals.get(("team", team.id))))
        for m in members:
            if m.role == "first_secretary":
                secretaries[m.cadre_id].append((team, m))
    people = built.people()
    for cid, rows in secretaries.items():
        team, m = rows[-1]
        person = people[cid]
        all_rows = [mm for t in built.teams for mm in t.members if mm.cadre_id == cid]
        out.append(Facts(
            kind="secretary", key=cid, name=m.name, township=team.township, village=team.village, unit=m.unit,
            team=team.name, people=1, working_days=person.figures.working_days,
            in_village=person.figures.in_village, absences=person.figures.absent,
            logs=sum(r.logs for r in all_rows), logs_due=sum(r.logs_due for r in all_rows),
            reports=sum(t.reports for t, _ in rows), reports_due=sum(t.reports_due for t, _ in rows),
            visits=visits.get(cid, 0),
            visits_due=sum(scheme.visits_per_month * _months_in_post(r.start_on, r.end_on, year) for r in all_rows),
            findings=by_cadre.get(cid, []), hand=hand.get(("secretary", cid), {}),
            appeal=appeals.get(("secretary", cid))))
    return out


def _hand_scores(session: Session, year: int) -> dict[tuple[str, int], dict[str, rules.HandScore]]:
    out: dict[tuple[str, int], dict[str, rules.HandScore]] = defaultdict(dict)
    for s in session.scalars(select(HandScore).where(HandScore.year == year).order_by(HandScore.id)):
        out[(s.subject, s.subject_id)][s.item] = rules.HandScore(s.score, s.scored_by, s.reason)  # latest wins
    return out


def _appeals(session: Session, year: int) -> dict[tuple[str, int], rules.Appeal]:
    out = {}
    for a in session.scalars(select(Appeal).where(Appeal.year == year, Appeal.decided_on.is_not(None))
                             .order_by(Appeal.id)):
        out[(a.subject, a.subject_id)] = rules.Appeal(a.id, a.grade, a.decided_by or "", a.decision)
    return out


# --- the run --------------------------------------------------------------------------------------------


@dataclass
class Unit:
    """A dispatching unit (派出单位) and what its people did in the year."""

    name: str
    teams: list[Result] = field(default_factory=list)
    secretaries: list[Result] = field(default_factory=list)
    paired_cadres: int = 0
    paired_findings: int = 0
    rank: int = 0

    def average(self) -> Decimal | None:
        scored = self.teams + self.secretaries
        if not scored:
            return None
        return rules.q(sum((r.total for r in scored), Decimal(0)) / len(scored))

    def findings(self) -> int:
        return sum(len(r.facts.findings) for r in self.teams) + self.paired_findings

    def grades(self, results: list[Result]) -> dict:
        return {rules.GRADE.label(g): sum(1 for r in results if r.grade == g) for g in rules.ORDER}

    def as_json(self) -> dict:
        avg = self.average()
        return {"unit": self.name, "rank": self.rank, "average": None if avg is None else str(avg),
                "teams": [{"name": r.facts.name, "total": str(r.total), "grade": rules.GRADE.label(r.grade)}
                          for r in self.teams],
                "secretaries": [{"name": r.facts.name, "team": r.facts.team, "total": str(r.total),
                                 "grade": rules.GRADE.label(r.grade)} for r in self.secretaries],
                "team_grades": self.grades(self.teams), "secretary_grades": self.grades(self.secretaries),
                "paired_cadres": self.paired_cadres, "findings": self.findings(),
                "team_findings": sum(len(r.facts.findings) for r in self.teams),
                "paired_cadre_findings": self.paired_findings}


@dataclass
class Run:
    year: int
    scheme: Scheme
    scheme_source: str
    results: list[Result]
    quotas: dict
    units: list[Unit]
    warnings: list[str]
    close: AssessmentClose | None = None

    def of(self, kind: str) -> list[Result]:
        return [r for r in self.results if r.facts.kind == kind]

    def figures(self) -> dict:
        """What a close stores and hashes: the scheme, every result and the units."""
        return {"year": self.year, "scheme": self.scheme.as_json(),
                "teams": [r.as_json() for r in self.of("team")],
                "secretaries": [r.as_json() for r in self.of("secretary")],
                "summary": {"teams": self.quotas["team"], "secretaries": self.quotas["secretary"]},
                "units": [u.as_json() for u in self.units]}

    def as_json(self) -> dict:
        data = {**self.figures(), "scheme_source": self.scheme_source, "example_scheme": self.scheme.example,
                "warnings": self.warnings}
        data["close"] = None if self.close is None else compare(self.close, self.figures())
        return data


def _units(session: Session, year: int, results: list[Result]) -> list[Unit]:
    units: dict[str, Unit] = {}
    for r in results:
        name = r.facts.unit or "（未登记派出单位）"
        unit = units.setdefault(name, Unit(name))
        (unit.teams if r.facts.kind == "team" else unit.secretaries).append(r)
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    paired = session.execute(
        select(Cadre.unit, func.count(func.distinct(Pairing.cadre_id))).join(Cadre, Cadre.id == Pairing.cadre_id)
        .where(Pairing.start_on <= last, (Pairing.end_on.is_(None)) | (Pairing.end_on > first))
        .group_by(Cadre.unit)).all()
    for name, n in paired:
        if name in units:
            units[name].paired_cadres = n
    paired_findings = session.execute(
        select(Cadre.unit, func.count(Finding.id)).join(Cadre, Cadre.id == Finding.cadre_id)
        .join(Inspection, Inspection.id == Finding.inspection_id)
        .where(Inspection.inspect_date >= first, Inspection.inspect_date <= last, Finding.team_id.is_(None))
        .group_by(Cadre.unit)).all()
    for name, n in paired_findings:
        if name in units:
            units[name].paired_findings = n
    ordered = sorted(units.values(), key=lambda u: (-(u.average() or Decimal(-1)), u.name))
    for n, u in enumerate(ordered):
        prev = ordered[n - 1] if n else None
        u.rank = prev.rank if prev is not None and prev.average() == u.average() else n + 1
    return ordered


def run(session: Session, year: object, *, scheme_path: Path | None = None, today: dt.date | None = None) -> Run:
    """Score and grade every team and first secretary of the year, and the dispatching units; compared with the
    year's close when there is one."""
    y = check_year(year)
    scheme, source = scheme_for(session, y, scheme_path)
    facts = gather(session, y, scheme, today=today)
    if not facts:
        raise PovmonError(f"{y} 年没有在岗的驻村工作队，无从考核；请先用 povmon team add 登记工作队和队员。")
    results, quotas = rules.assess(scheme, facts, y)
    warnings = [w for r in results for w in r.warnings]
    if scheme.example:
        warnings.insert(0, f"{y} 年没有存考核方案，用的是 povmon 自带的示例方案；"
                           f"请用 povmon assess scheme load 文件 --year {y} 存本县的方案")
    return Run(y, scheme, source, results, quotas, _units(session, y, results), warnings,
               latest_close(session, y))


# --- closes ---------------------------------------------------------------------------------------------


def latest_close(session: Session, year: int) -> AssessmentClose | None:
    return session.scalars(select(AssessmentClose).where(AssessmentClose.year == year)
                           .order_by(AssessmentClose.closed_at.desc(), AssessmentClose.id.desc())).first()


def close(session: Session, result: Run, *, user: str, note: str | None = None, again: bool = False,
          today: dt.date | None = None) -> AssessmentClose:
    """Store a year's results with their sha256, the scheme's, the user and the time (audited)."""
    today = today or dt.date.today()
    if dt.date(result.year, 12, 31) >= today:
        raise PovmonError(f"{result.year} 年还没有结束；年终考核请在年底之后定案（assess run 可先预览）。")
    earlier = latest_close(session, result.year)
    if earlier is not None and not again:
        raise PovmonError(f"{result.year} 年的考核已于 {when(earlier.closed_at)} 由 {earlier.user} 定案；"
                          "如确需按现在的数据重新定案，请加 --again（原定案记录保留）。")
    figures = result.figures()
    record = AssessmentClose(year=result.year, results=figures, sha256=digest(figures),
                             scheme_sha256=hashlib.sha256(result.scheme.text.encode("utf-8")).hexdigest(),
                             user=user, closed_at=utcnow(),
                             note=f"povmon {__version__}" + (f"；{note}" if note else ""))
    session.add(record)
    audit.inserted(session, record, user=user, note=f"assess close {result.year} sha256 {record.sha256}")
    return record


def compare(record: AssessmentClose, figures: dict) -> dict:
    """The close and what differs now: each team's or secretary's total or grade, added or gone."""
    intact = digest(record.results) == record.sha256
    differences = []
    for kind, key in (("team", "teams"), ("secretary", "secretaries")):
        then = {r["id"]: r for r in record.results.get(key, [])}
        now = {r["id"]: r for r in figures.get(key, [])}
        for rid in sorted(set(then) | set(now)):
            a, b = then.get(rid), now.get(rid)
            name = (b or a)["name"]
            if a is None:
                differences.append({"kind": kind, "name": name, "what": "新增", "then": None, "now": b["grade"]})
            elif b is None:
                differences.append({"kind": kind, "name": name, "what": "不再在考核之列", "then": a["grade"],
                                    "now": None})
            else:
                for fld, label in (("total", "得分"), ("grade", "等次"), ("reasons", "理由")):
                    if a[fld] != b[fld]:
                        then_, now_ = a[fld], b[fld]
                        if fld == "reasons":
                            then_ = "；".join(x for x in a[fld] if x not in b[fld]) or None
                            now_ = "；".join(x for x in b[fld] if x not in a[fld]) or None
                        differences.append({"kind": kind, "name": name, "what": label, "then": then_,
                                            "now": now_})
    return {"id": record.id, "sha256": record.sha256, "intact": intact, "user": record.user,
            "closed_at": when(record.closed_at), "same": digest(figures) == record.sha256,
            "differences": differences}


# --- hand scores and appeals ----------------------------------------------------------------------------


def give_score(session: Session, year: object, *, team: object = None, secretary: object = None, item: object,
               score: object, reason: object = None, by: object, user: str, scheme_path: Path | None = None) -> Outcome:
    """A hand score for one item (the item must be scored by hand in the year's scheme, within its weight)."""
    y = check_year(year)
    kind, sid, name = find_subject(session, team=team, secretary=secretary)
    scheme, _ = scheme_for(session, y, scheme_path)
    clean = Cleaner()
    wanted = str(item or "").strip()
    spec = next((i for i in scheme.hand_items() if wanted in (i.code, i.label)), None)
    if spec is None:
        hand = "、".join(i.label for i in scheme.hand_items()) or "（本方案没有手工评分项目）"
        clean.problems.append(Problem("bad_value", f"“{wanted}”不是 {y} 年方案中手工评分的项目；可填：{hand}",
                                      "考核项目"))
    elif kind not in spec.applies:
        clean.problems.append(Problem("bad_value", f"“{spec.label}”不考核{SUBJECT_TITLE[kind]}", "考核项目"))
    value = clean.value("分数", parse.decimal2, score, required=True)
    if spec is not None and value is not None and not (0 <= value <= spec.weight):
        clean.problems.append(Problem("bad_number", f"{spec.label}满分 {spec.weight}，分数应在 0 至 {spec.weight} 之间",
                                      "分数"))
    who = clean.value("评分人", _text, by, required=True)
    clean.check()
    outcome = Outcome()
    insert(session, outcome, HandScore(year=y, subject=kind, subject_id=sid, item=spec.code, score=Decimal(value),
                                       reason=_text(reason), scored_by=who[:100]), user=user)
    outcome.facts["subject"] = name
    if latest_close(session, y) is not None:
        outcome.warnings.append(Problem("closed", f"{y} 年的考核已定案；这个评分会使现在的结果与定案不同"))
    return outcome


def file_appeal(session: Session, year: object, *, team: object = None, secretary: object = None, reason: object,
                by: object, on: object, user: str, today: dt.date | None = None) -> Outcome:
    """An appeal (复核) against a year's grade: who asks, why, when."""
    y = check_year(year)
    kind, sid, name = find_subject(session, team=team, secretary=secretary)
    clean = Cleaner()
    why = clean.value("复核理由", _text, reason, required=True)
    who = clean.value("申请人", _text, by, required=True)
    day = clean.date("申请日期", on, today=today)
    clean.check()
    pending = session.scalar(select(Appeal).where(Appeal.year == y, Appeal.subject == kind, Appeal.subject_id == sid,
                                                  Appeal.decided_on.is_(None)))
    if pending is not None:
        raise Refused([Problem("bad_value", f"{name} 已有未决定的复核申请 #{pending.id}", "复核")])
    outcome = Outcome()
    insert(session, outcome, Appeal(year=y, subject=kind, subject_id=sid, filed_on=day, filed_by=who[:100],
                                    reason=why[:2000]), user=user)
    return outcome


def find_appeal(session: Session, value: object) -> Appeal:
    text = str(value or "").strip().lstrip("#＃")
    found = session.get(Appeal, int(text)) if text.isdigit() else None
    if found is None:
        raise Refused([Problem("unknown_reference", f"没有编号为“{value}”的复核申请", "复核")],
                      hint="复核编号见 povmon assess appeal list")
    return found


def decide_appeal(session: Session, appeal: Appeal, *, grade: object = None, reason: object, by: object, on: object,
                  user: str, today: dt.date | None = None) -> Outcome:
    """The decision on an appeal: the grade stands (no grade) or another grade, with why, by whom, when. A grade
    above what the absence rule allows is refused: a wrongly recorded absence is corrected in the attendance."""
    clean = Cleaner()
    code = None
    if grade is not None and str(grade).strip():
        code = rules.GRADE.lookup(grade)
        if code is None:
            clean.problems.append(Problem("bad_value", f"“{grade}”不是考核等次；可填：{rules.GRADE.accepted()}",
                                          "考核等次"))
    why = clean.value("复核结论", _text, reason, required=True)
    who = clean.value("复核人", _text, by, required=True)
    day = clean.date("复核日期", on, today=today)
    if day is not None and day < appeal.filed_on:
        clean.problems.append(Problem("bad_date", f"复核日期早于申请日期 {appeal.filed_on.isoformat()}", "复核日期"))
    clean.check()
    if appeal.decided_on is not None:
        raise Refused([Problem("bad_value", f"复核 #{appeal.id} 已于 {appeal.decided_on.isoformat()} 由 "
                                            f"{appeal.decided_by} 决定", "复核")])
    if code is not None:
        current = run(session, appeal.year, today=today)
        mine = next((r for r in current.results if r.facts.kind == appeal.subject and r.facts.key == appeal.subject_id),
                    None)
        if mine is not None:
            scheme = current.scheme
            cap = scheme.cap_for(mine.facts.absences)
            if cap is not None and rules.worse(code, cap[1]) != code:
                raise Refused([Problem("bad_value", f"全年无故缺勤 {mine.facts.absences} 次，按规定最高"
                                                    f"{rules.GRADE.label(cap[1])}，复核不能改为{rules.GRADE.label(code)}",
                                       "考核等次")], hint="如缺勤记录有误，请先用 povmon team attendance set 更正考勤")
    outcome = Outcome()
    change(session, outcome, appeal, {"decided_on": day, "decided_by": who[:100], "grade": code, "decision": why},
           user=user)
    return outcome


def appeals_json(session: Session, year: int) -> list[dict]:
    out = []
    for a in session.scalars(select(Appeal).where(Appeal.year == year).order_by(Appeal.id)):
        name = (session.get(WorkTeam, a.subject_id).name if a.subject == "team"
                else session.get(Cadre, a.subject_id).name)
        out.append({"id": a.id, "year": a.year, "subject": SUBJECT_TITLE[a.subject], "name": name,
                    "filed_on": a.filed_on.isoformat(), "filed_by": a.filed_by, "reason": a.reason,
                    "decided_on": a.decided_on.isoformat() if a.decided_on else None, "decided_by": a.decided_by,
                    "grade": rules.GRADE.label(a.grade) if a.grade else ("维持" if a.decided_on else None),
                    "decision": a.decision})
    return out


def dump(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


__all__ = ["Run", "Unit", "appeals_json", "check_year", "close", "compare", "decide_appeal", "file_appeal",
           "find_appeal", "find_subject", "gather", "give_score", "latest_close", "load_scheme",
           "run", "scheme_for"]
