"""The sample county's supervision and year-end assessment of 2019 (the year the sample work teams have attendance
for, povmon.sample_teams), from a random stream of its own (``random.Random(f"{seed}-assess")``), so that every
figure and file of povmon.sample and povmon.sample_teams stays as it was.

- ``INSPECTIONS`` inspections in 2019 (a third each 不定期抽查, 重点督查, 明察暗访), each of one team, with 0–2
  findings of random categories, a deadline ``DEADLINE_DAYS`` later and the team's leader responsible; of the
  findings about 70 % rectified in time, 15 % late and the rest still open (overdue at the year's end);
- ``ABSENT`` team members found absent on an unannounced check, on a day their sheet marked them in the village:
  that day becomes 缺勤 through services.attendance (as the county's rule says);
- visits (走访) by every team member to households of their team's village, two or three a month from February
  (none in January, so the sample's January 2019 figures stay exactly as they were);
- a 群众满意度 hand score for every team and first secretary (15–20 of 20), and one appeal (复核), upheld.

Everything but the visits is written through the services (validated, audited), as a clerk's commands would.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from povmon.rules import calendar
from povmon.rules.parse import month_end

YEAR = 2019
INSPECTIONS = 36
ABSENT = 6
DEADLINE_DAYS = 15
USER = "县督查组"


def load(session, plan, *, seed: int, user: str = USER) -> dict:
    """Store the year's inspections, findings, rectifications, visits, hand scores and one appeal."""
    from sqlalchemy import insert, select

    from povmon.models import Cadre, Household, TeamMember, Visit, WorkTeam
    from povmon.models.base import utcnow
    from povmon.services import assessment, inspections

    rng = random.Random(f"{seed}-assess")
    today = dt.date(YEAR + 1, 3, 31)
    teams = list(session.scalars(select(WorkTeam).order_by(WorkTeam.id)))
    stints = list(session.scalars(select(TeamMember).order_by(TeamMember.id)))
    by_team: dict[int, list[TeamMember]] = {}
    for s in stints:
        by_team.setdefault(s.team_id, []).append(s)
    workdays = calendar.workdays(dt.date(YEAR, 2, 1), dt.date(YEAR, 11, 30))
    kinds = ["不定期抽查", "重点督查", "明察暗访"]
    categories = ["在岗", "考勤", "走访", "项目", "帮扶成效", "群众满意度", "其他"]
    counts = {"inspections": 0, "findings": 0, "rectified": 0, "late": 0, "open": 0, "absent": 0}

    def rectify(finding, deadline: dt.date) -> None:
        roll = rng.random()
        if roll < 0.70:
            day = deadline - dt.timedelta(days=rng.randint(0, DEADLINE_DAYS - 1))
            counts["rectified"] += 1
        elif roll < 0.85:
            day = deadline + dt.timedelta(days=rng.randint(3, 20))
            counts["late"] += 1
        else:
            counts["open"] += 1
            return
        inspections.rectify(session, finding, date=day, evidence="已整改，佐证材料存乡镇", confirmed_by="乡镇督查员",
                            user=user, today=today)

    for n in range(INSPECTIONS):
        team = rng.choice(teams)
        day = rng.choice(workdays)
        kind = kinds[n % 3]
        insp = inspections.record(session, date=day, kind=kind, inspectors="县督查组", teams=[str(team.id)],
                                  user=user, today=today).record
        counts["inspections"] += 1
        leader = next((s.cadre for s in by_team[team.id] if s.role == "leader"), None)
        for _ in range(rng.choice((0, 1, 1, 2))):
            deadline = day + dt.timedelta(days=DEADLINE_DAYS)
            category = rng.choice(categories)
            found = inspections.add_finding(session, insp, category=category, description=f"{category}方面存在不足",
                                            deadline=deadline, responsible=leader.name if leader else "队长",
                                            user=user, today=today).record
            counts["findings"] += 1
            rectify(found, deadline)

    # unannounced checks that found a member absent on a day their sheet had them in the village
    steady = [s for s in stints if s.end_on is None and s.start_on < dt.date(YEAR, 1, 1)]
    for stint in rng.sample(steady, ABSENT):
        number = stint.cadre.id_number
        present = [d for d in workdays if plan.marks.get((number, d)) == "in_village"]
        day = rng.choice(present)
        insp = inspections.record(session, date=day, kind="明察暗访", inspectors="县督查组", teams=[str(stint.team_id)],
                                  user=user, today=today).record
        found = inspections.add_finding(session, insp, category="在岗", description="暗访时不在村，未请假未报备",
                                        deadline=day + dt.timedelta(days=DEADLINE_DAYS), responsible=stint.cadre.name,
                                        cadre=number, absent=True, user=user, today=today).record
        counts["inspections"] += 1
        counts["findings"] += 1
        counts["absent"] += 1
        rectify(found, found.deadline)

    # visits to households of the team's village, from February (January's figures stay as they were)
    homes: dict[int, list[int]] = {}
    for hid, village in session.execute(select(Household.id, Household.village_id).order_by(Household.id)):
        homes.setdefault(village, []).append(hid)
    common = {"created_at": utcnow(), "created_by": user, "source_file": "sample_assessment"}
    village_of = {t.id: t.village_id for t in teams}
    visits = []
    for stint in stints:
        for month in range(2, 13):
            first = max(dt.date(YEAR, month, 1), stint.start_on)
            last = month_end(YEAR, month)
            if stint.end_on is not None and stint.end_on <= last:
                last = stint.end_on - dt.timedelta(days=1)
            days = calendar.workdays(first, last) if first <= last else []
            pool = homes.get(village_of[stint.team_id], [])
            if not days or not pool:
                continue
            for _ in range(rng.choice((2, 2, 3))):
                visits.append({"household_id": rng.choice(pool), "cadre_id": stint.cadre_id,
                               "visit_date": rng.choice(days), "done": "驻村入户走访", **common})
    session.execute(insert(Visit), visits)
    counts["visits"] = len(visits)

    secretaries = sorted({s.cadre_id for s in stints if s.role == "first_secretary"})
    for team in teams:
        assessment.give_score(session, YEAR, team=str(team.id), item="群众满意度",
                              score=Decimal(rng.randint(30, 40)) / 2, by="县考核组", reason="入户测评", user=user)
    for cid in secretaries:
        assessment.give_score(session, YEAR, secretary=session.get(Cadre, cid).id_number, item="群众满意度",
                              score=Decimal(rng.randint(30, 40)) / 2, by="县考核组", reason="入户测评", user=user)
    appealing = rng.choice(teams)
    appeal = assessment.file_appeal(session, YEAR, team=str(appealing.id), reason="对群众满意度测评结果有异议",
                                    by=f"{appealing.name}队长", on=dt.date(YEAR + 1, 1, 10), user=user,
                                    today=today).record
    session.flush()
    assessment.decide_appeal(session, appeal, reason="复核测评记录，结果属实，维持原等次", by="县考核领导组",
                             on=dt.date(YEAR + 1, 1, 20), user=user, today=today)
    counts["hand_scores"] = len(teams) + len(secretaries)
    counts["appeals"] = 1
    return counts
