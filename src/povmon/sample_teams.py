"""The sample county's village work teams (驻村帮扶) and a year of their daily management, generated to known
totals from a random stream of their own (``random.Random(f"{seed}-teams")``), so that every figure and file of
povmon.sample stays as it was.

- 144 work teams (docs/DOMAIN.md's table): one for each of the county's 98 villages, and a second one in the first 46
  of the 73 poor villages; terms of three years (second teams two), from 2018.
- 73 first secretaries (第一书记, the sample's first 73 cadres, each stationed in a poor village) in that village's
  first team; every team has a 队长 and two 队员 besides, drawn from the other cadres; ``REPLACED`` members are
  replaced on 1 July 2019 (抽硬人), the old stint ending and the new starting that day.
- 2019: a mark for every working day each member is in post (在村, 公务外出 with its outing report, 请假 within
  their leave, now and then 缺勤); ``BELOW`` members are in the village on fewer than 2/3 of the working days (some
  days unrecorded), ``RECALLED`` take more than 30 days of leave, some leaves come back late (超假) or were never
  approved; monthly reports for every team but ``REPORTS_MISSING`` team-months; work logs, five a month, two for
  the members below the line; one review per team in December.

``write_attendance`` lays the marks out as the townships keep them: one sheet per township and month, one row per
person, one column per day — the fourth sample workbook, which ``povmon demo`` imports through the clerks' path
(ingest.attendance); ``load`` stores the rest (teams, members, leave, outings, reports, reviews, logs).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from povmon.rules import calendar

YEAR = 2019
TEAMS = 144
FIRST_SECRETARIES = 73
REPLACED = 10
BELOW = 12
RECALLED = 3
LATE_RETURNS = 5
UNAPPROVED = 3
REPORTS_MISSING = 8
REPLACED_ON = dt.date(YEAR, 7, 1)
SYMBOL = {"in_village": "√", "official": "公", "leave": "假", "absent": "×"}
LOG_DONE = ("入户走访，了解生产生活情况", "召开村两委会议，研究产业项目", "宣讲惠民政策", "核对贫困户收入台账",
            "协调解决饮水问题", "组织技能培训报名", "走访监测对象，核实风险", "整理扶贫档案")
DESTINATIONS = ("交城县城", "吕梁市", "太原市", "乡政府")
BUSINESS = ("参加县扶贫办业务培训", "到县直部门协调项目资金", "参加乡党委会议", "送材料到县委组织部")


@dataclass
class Team:
    town: str
    village: str
    name: str
    unit: str
    start_on: dt.date
    end_on: dt.date


@dataclass
class Stint:
    team: int  # index into Plan.teams
    cadre: dict  # the sample's cadre row (姓名, 身份证号, 工作单位 …)
    role: str  # leader / first_secretary / member
    start_on: dt.date
    end_on: dt.date | None = None
    end_reason: str | None = None


@dataclass
class Leave:
    cadre: str  # ID number
    start_on: dt.date
    end_on: dt.date
    reason: str
    level: str | None
    approved_by: str | None
    approved_on: dt.date | None
    returned_on: dt.date | None


@dataclass
class Plan:
    teams: list[Team] = field(default_factory=list)
    stints: list[Stint] = field(default_factory=list)
    marks: dict[tuple[str, dt.date], str] = field(default_factory=dict)  # (ID number, day) → mark code
    leaves: list[Leave] = field(default_factory=list)
    outings: list[dict] = field(default_factory=list)
    reports: list[tuple[int, dt.date]] = field(default_factory=list)
    reviews: list[tuple[int, dt.date, str]] = field(default_factory=list)
    logs: list[tuple[str, dt.date, str]] = field(default_factory=list)
    below: set[str] = field(default_factory=set)
    recalled: set[str] = field(default_factory=set)

    def totals(self) -> Counter:
        """The marks by kind (what the year's report must add up to)."""
        return Counter(self.marks.values())


def build(county, seed: int) -> Plan:
    """The work teams of a generated county (povmon.sample.build) and their year."""
    rng = random.Random(f"{seed}-teams")
    plan = Plan()
    villages = [(a["乡镇"], a["行政村"]) for a in county.areas if a["行政村"]]
    secretaries = {c["驻村村"]: c for c in county.cadres[:FIRST_SECRETARIES]}
    poor = [v for v in villages if v[1] in secretaries]
    pool = county.cadres[FIRST_SECRETARIES:]
    leaders = [c for c in pool if c["帮扶角色"] == "工作队长"]
    members = [c for c in pool if c["帮扶角色"] == "工作队员"]
    others = [c for c in pool if c["帮扶角色"] == "帮扶责任人"]
    for group in (leaders, members, others):
        rng.shuffle(group)
    order = leaders + members + others  # leaders first, then team members, then other cadres
    used = 0

    def take() -> dict:
        nonlocal used
        used += 1
        return order[used - 1]

    second = poor[: TEAMS - len(villages)]
    for town, village in villages + second:
        first = not any(t.village == village for t in plan.teams)
        leader = take()
        name = f"{village}驻村工作队" if first else f"{village}驻村第二工作队"
        start = dt.date(2018, 3, 1) if first else dt.date(2018, 9, 1)
        end = dt.date(2021, 3, 1) if first else dt.date(2020, 9, 1)
        index = len(plan.teams)
        plan.teams.append(Team(town, village, name, leader["工作单位"], start, end))
        plan.stints.append(Stint(index, leader, "leader", start))
        if first and village in secretaries:
            plan.stints.append(Stint(index, secretaries[village], "first_secretary", start))
        plan.stints.extend(Stint(index, take(), "member", start) for _ in range(2))
    for stint in rng.sample([s for s in plan.stints if s.role == "member"], REPLACED):
        stint.end_on, stint.end_reason = REPLACED_ON, "工作调动，抽回原单位"
        plan.stints.append(Stint(stint.team, take(), "member", REPLACED_ON))
    steady = [s for s in plan.stints if s.end_on is None and s.start_on < REPLACED_ON]
    picked = rng.sample(steady, BELOW + RECALLED)
    plan.below = {s.cadre["身份证号"] for s in picked[:BELOW]}
    plan.recalled = {s.cadre["身份证号"] for s in picked[BELOW:]}
    for stint in plan.stints:
        _year(rng, plan, stint)
    for index in range(len(plan.teams)):
        for month in range(1, 13):
            plan.reports.append((index, dt.date(YEAR, month, 1) + dt.timedelta(days=24)))
        plan.reviews.append((index, dt.date(YEAR, 12, 20), rng.choice(("好", "好", "较好", "一般"))))
    for gone in sorted(rng.sample(range(len(plan.reports)), REPORTS_MISSING), reverse=True):
        del plan.reports[gone]
    late = rng.sample([i for i, lv in enumerate(plan.leaves) if lv.level], LATE_RETURNS)
    for i in late:
        lv = plan.leaves[i]
        lv.returned_on = lv.end_on + dt.timedelta(days=3)
        for d in calendar.workdays(lv.end_on + dt.timedelta(days=1), lv.returned_on - dt.timedelta(days=1)):
            plan.marks.pop((lv.cadre, d), None)  # away beyond the approval: nobody marked them in the village
    return plan


def _year(rng: random.Random, plan: Plan, stint: Stint) -> None:
    number = stint.cadre["身份证号"]
    first = max(stint.start_on, dt.date(YEAR, 1, 1))
    last = (stint.end_on - dt.timedelta(days=1)) if stint.end_on else dt.date(YEAR, 12, 31)
    days = calendar.workdays(first, last)
    leave_days: set[dt.date] = set()
    if number in plan.recalled:
        start = dt.date(YEAR, 5, 6)
        _leave(plan, number, start, start + dt.timedelta(days=rng.randint(32, 40)), "住院治疗", "county", leave_days)
    else:
        for month in rng.sample(range(1, 13), rng.randint(0, 3)):
            start = dt.date(YEAR, month, rng.randint(3, 20))
            if not first <= start <= last:
                continue
            length = rng.choice((1, 1, 2, 2, 3, 5))
            level = "county" if length > 3 else "township"
            if len([lv for lv in plan.leaves if lv.level is None]) < UNAPPROVED and length <= 2 and rng.random() < 0.1:
                level = None
            _leave(plan, number, start, start + dt.timedelta(days=length - 1), rng.choice(("事假", "病假", "探亲")),
                   level, leave_days)
    low = number in plan.below
    share = rng.uniform(0.4, 0.5) if low else rng.uniform(0.86, 0.97)
    logs_by_month: dict[int, list[dt.date]] = defaultdict(list)
    for day in days:
        if day in leave_days:
            plan.marks[(number, day)] = "leave"
            continue
        roll = rng.random()
        if roll < share:
            mark = "in_village"
        elif roll < share + 0.05:
            mark = "official"
            plan.outings.append({"cadre": number, "day": day, "destination": rng.choice(DESTINATIONS),
                                 "business": rng.choice(BUSINESS)})
        elif low and roll < 0.9:
            continue  # not recorded: not in the village, not excused either
        elif roll < share + 0.052 or low:
            mark = "absent"
        else:
            mark = "in_village"
        plan.marks[(number, day)] = mark
        if mark == "in_village":
            logs_by_month[day.month].append(day)
    for _month, present in sorted(logs_by_month.items()):
        for day in sorted(rng.sample(present, min(len(present), 2 if low else 5))):
            plan.logs.append((number, day, rng.choice(LOG_DONE)))


def _leave(plan: Plan, number: str, start: dt.date, end: dt.date, reason: str, level: str | None,
           taken: set[dt.date]) -> None:
    span = {start + dt.timedelta(days=i) for i in range((end - start).days + 1)}
    if span & taken or any(lv.cadre == number and lv.start_on <= end and lv.end_on >= start for lv in plan.leaves):
        return
    taken.update(span)
    by = {"township": "乡党委书记", "county": "县委组织部"}.get(level) if level else None
    approved_on = start - dt.timedelta(days=2) if level else None
    plan.leaves.append(Leave(number, start, end, reason, level, by, approved_on, end + dt.timedelta(days=1)))


# --- the township's sheets ------------------------------------------------------------------------------

ROLE_LABEL = {"leader": "队长", "first_secretary": "第一书记", "member": "队员"}


def write_attendance(path: Path, plan: Plan) -> None:
    """The attendance workbook: one sheet per township and month, as the township keeps it."""
    from openpyxl import Workbook

    from povmon.sample import _save_stable

    wb = Workbook(write_only=True)
    towns = list(dict.fromkeys(t.town for t in plan.teams))
    for town in towns:
        for month in range(1, 13):
            first = dt.date(YEAR, month, 1)
            last = (dt.date(YEAR, month + 1, 1) if month < 12 else dt.date(YEAR + 1, 1, 1)) - dt.timedelta(days=1)
            ws = wb.create_sheet(f"{town}{month}月")
            ws.append([f"{town}驻村工作队{YEAR}年{month}月考勤表"])
            ws.append([f"填报单位：{town}人民政府（盖章）", "", "", "", "", "",
                       "考勤标记：√ 在村  公 公务外出（已报备）  假 请假  × 缺勤  空白 未登记"])
            ws.append(["序号", "姓名", "身份证号", "工作队", "职务", *range(1, last.day + 1), "在村天数"])
            n = 0
            for stint in plan.stints:
                team = plan.teams[stint.team]
                if team.town != town or stint.start_on > last or (stint.end_on and stint.end_on <= first):
                    continue
                number = stint.cadre["身份证号"]
                n += 1
                cells, present = [], 0
                for d in range(1, last.day + 1):
                    day = dt.date(YEAR, month, d)
                    in_post = stint.start_on <= day and (stint.end_on is None or day < stint.end_on)
                    mark = plan.marks.get((number, day)) if in_post else None
                    present += mark in ("in_village", "official")
                    cells.append(SYMBOL.get(mark, ""))
                ws.append([n, stint.cadre["姓名"], number, team.name, ROLE_LABEL[stint.role], *cells, present])
            ws.append([])
            ws.append(["说明：工作日按国家法定节假日安排（含调休）；公务外出须事先报备。"])
            ws.append(["制表人：", "", "审核人：", "", "负责人：", "", "", "", "日期："])
    _save_stable(wb, path)


# --- loading the rest into a register -------------------------------------------------------------------


def load(session, plan: Plan, *, user: str) -> dict:
    """Store the teams, their members, leave, outings, reports, reviews and logs (one batch, as an import)."""
    from sqlalchemy import insert, select

    from povmon.models import (
        Area,
        Cadre,
        ImportBatch,
        LeaveRequest,
        Outing,
        TeamMember,
        TeamReport,
        TeamReview,
        WorkLog,
        WorkTeam,
    )
    from povmon.models.base import utcnow

    batch = ImportBatch(files=[], file_name="示例县驻村工作队", sha256="", user=user,
                        options={"kind": "sample_teams"}, counts={"work_team": len(plan.teams)})
    session.add(batch)
    session.flush()
    now = utcnow()
    common = {"batch_id": batch.id, "created_at": now, "created_by": user, "source_file": "sample_teams"}
    towns = {a.name: a.id for a in session.scalars(select(Area).where(Area.level == "township"))}
    villages = {(a.parent_id, a.name): a.id for a in session.scalars(select(Area).where(Area.level == "village"))}
    cadres = dict(session.execute(select(Cadre.id_number, Cadre.id)).all())
    team_ids = []
    for t in plan.teams:
        team = WorkTeam(village_id=villages[(towns[t.town], t.village)], name=t.name, unit=t.unit,
                        start_on=t.start_on, end_on=t.end_on, **common)
        session.add(team)
        team_ids.append(team)
    session.flush()
    team_ids = [t.id for t in team_ids]
    session.execute(insert(TeamMember), [
        {"team_id": team_ids[s.team], "cadre_id": cadres[s.cadre["身份证号"]], "role": s.role, "start_on": s.start_on,
         "end_on": s.end_on, "end_reason": s.end_reason, **common} for s in plan.stints])
    session.execute(insert(LeaveRequest), [
        {"cadre_id": cadres[lv.cadre], "start_on": lv.start_on, "end_on": lv.end_on,
         "days": (lv.end_on - lv.start_on).days + 1, "reason": lv.reason, "approval_level": lv.level,
         "approved_by": lv.approved_by, "approved_on": lv.approved_on, "returned_on": lv.returned_on, **common}
        for lv in plan.leaves])
    if plan.outings:
        session.execute(insert(Outing), [
            {"cadre_id": cadres[o["cadre"]], "start_on": o["day"], "end_on": o["day"], "destination": o["destination"],
             "business": o["business"], "approved_by": "乡党委书记", **common} for o in plan.outings])
    session.execute(insert(TeamReport), [
        {"team_id": team_ids[i], "kind": "monthly", "report_date": day, "content": f"{day.month}月份驻村工作汇报",
         **common} for i, day in plan.reports])
    session.execute(insert(TeamReview), [
        {"team_id": team_ids[i], "review_date": day, "reviewer": "乡党委、村民代表", "grade": grade,
         "content": "年度评议", **common} for i, day, grade in plan.reviews])
    session.execute(insert(WorkLog), [
        {"cadre_id": cadres[number], "log_date": day, "done": done, **common} for number, day, done in plan.logs])
    return {"teams": len(plan.teams), "members": len(plan.stints), "leaves": len(plan.leaves),
            "outings": len(plan.outings), "reports": len(plan.reports), "logs": len(plan.logs)}
