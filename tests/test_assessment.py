"""Inspections and the year-end assessment: the rules pure, the services on both databases (issue 15)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from povmon.errors import PovmonError
from povmon.models import Attendance, AuditLog
from povmon.rules import assessment as rules
from povmon.rules import calendar
from povmon.rules import inspection as inspection_rules
from povmon.services import assessment, attendance, inspections, workteams
from povmon.services.entry import Refused
from tests import factories as f

TODAY = dt.date(2026, 12, 1)
HAND_SCHEME = """
name = "test"
[grades]
excellent = 90
competent = 75
basic = 60
[rules]
excellent_share = "1/4"
tie_break = ["b"]
absence_caps = [{ absences = 1, at_most = "称职" }, { absences = 2, at_most = "基本称职" },
                { absences = 3, at_most = "不称职" }]
[[items]]
code = "a"
label = "甲"
weight = 90
method = "hand"
[[items]]
code = "b"
label = "乙"
weight = 10
method = "hand"
"""


def _facts(n: int, a: str, b: str = "10", absences: int = 0) -> rules.Facts:
    return rules.Facts(kind="team", key=n, name=f"队{n}", township="西营镇", village=f"村{n}", unit="单位",
                       team=f"队{n}", people=3, working_days=100, in_village=100, absences=absences, logs=0,
                       logs_due=0, reports=0, reports_due=0, visits=0, visits_due=0,
                       hand={"a": rules.HandScore(Decimal(a), "考核组", None),
                             "b": rules.HandScore(Decimal(b), "考核组", None)})


def _graded(facts):
    results, quotas = rules.assess(rules.parse_scheme(HAND_SCHEME), facts, 2018)
    return {r.facts.key: r for r in results}, quotas


def test_absences_cap_the_grade():
    by, _ = _graded([_facts(1, "90", absences=1), _facts(2, "90", absences=2), _facts(3, "90", absences=3),
                     _facts(4, "70", absences=1)] + [_facts(n, "50") for n in range(5, 13)])
    assert by[1].by_score == "excellent" and by[1].grade == "competent"
    assert by[2].grade == "basic" and by[3].grade == "incompetent"
    assert by[4].grade == "competent"  # 80 is 称职 anyway: the rule does not raise a grade
    assert any("缺勤共 1 次" in r and "称职" in r for r in by[1].reasons)
    assert any("缺勤共 3 次" in r for r in by[3].reasons)


def test_excellent_is_capped_in_score_order_and_ties_are_explained():
    # 8 teams: 2 places. 队1 100; 队2 and 队3 equal at 95 but 队2 better on the tie-break item; 队4 and 队5 equal in
    # everything at 93.
    facts = [_facts(1, "90"), _facts(2, "86", "9"), _facts(3, "87", "8"), _facts(4, "85", "8"), _facts(5, "85", "8"),
             _facts(6, "70"), _facts(7, "60"), _facts(8, "50")]
    by, quotas = _graded(facts)
    assert quotas["team"]["excellent_places"] == 2 and quotas["team"]["excellent"] == 2
    assert [by[k].grade for k in (1, 2, 3)] == ["excellent", "excellent", "competent"]
    assert by[2].rank == by[3].rank == 2  # equal totals share a rank
    assert "同分 95.00" in by[2].reasons[-1] and "乙" in by[2].reasons[-1]
    assert "名额" in by[3].reasons[-1] and "之外" in by[3].reasons[-1]
    # one place left for a group equal in everything: none of them takes it
    by, quotas = _graded([_facts(1, "90"), _facts(4, "85", "8"), _facts(5, "85", "8")] +
                         [_facts(n, "50") for n in range(6, 14)])
    assert quotas["team"]["excellent_places"] == 2
    assert by[1].grade == "excellent" and by[4].grade == by[5].grade == "competent"
    assert "不足以全部评为优秀" in by[4].reasons[-1] and "队5" in by[4].reasons[-1]


def test_shipped_scheme_is_an_example_and_items_score_from_facts(tmp_path):
    scheme = rules.load()
    assert scheme.example and "示例" in scheme.name
    assert sum(i.weight for i in scheme.items) == 100
    facts = rules.Facts(kind="secretary", key=1, name="甲", township="t", village="v", unit=None, team="队", people=1,
                        working_days=200, in_village=140, absences=0, logs=24, logs_due=48, reports=12,
                        reports_due=12, visits=30, visits_due=24,
                        findings=[rules.FindingFact(1, dt.date(2018, 5, 1), "on_post", dt.date(2018, 6, 1),
                                                    dt.date(2018, 6, 10)),
                                  rules.FindingFact(2, dt.date(2018, 9, 1), "visits", dt.date(2018, 10, 1), None)])
    result = rules.score(scheme, facts, 2018)
    got = {i.code: i.score for i in result.items}
    # 140/200 = 70 %: (0.7 − 0.5) / (0.9 − 0.5) of 30
    assert got["attendance"] == Decimal("15.00")
    assert got["logs"] == Decimal("5.00") and got["reports"] == Decimal("10.00") and got["visits"] == Decimal("15.00")
    assert got["findings"] == Decimal("15") - 3 * 2 - 2 - 5  # two findings, one late, one overdue at year end
    assert got["satisfaction"] == 0 and result.warnings  # not scored by hand: 0, and said so
    own = tmp_path / "s.toml"
    own.write_text(rules.shipped_text().replace('method = "hand"', 'method = "guess"'), encoding="utf-8")
    with pytest.raises(PovmonError, match="method"):
        rules.load(own)


def test_finding_status():
    d = dt.date
    assert inspection_rules.status(d(2018, 6, 1), None, d(2018, 5, 1)) == "open"
    assert inspection_rules.status(d(2018, 6, 1), None, d(2018, 6, 2)) == "overdue"
    assert inspection_rules.status(d(2018, 6, 1), d(2018, 5, 20), d(2018, 6, 2)) == "rectified"
    assert inspection_rules.status(d(2018, 6, 1), d(2018, 6, 20), d(2018, 7, 1)) == "late"


# --- on the database ------------------------------------------------------------------------------------


def _teams(session, year=2019):
    start = dt.date(year, 1, 1)
    out = []
    for n, village in enumerate(["东营村", "西营村", "寨子村", "石侯村"]):
        place = f.area_tree(session, village=village)
        team = workteams.add_team(session, village=place, start=start, unit=f"单位{n % 2}", user="t").record
        people = []
        for k, role in enumerate(["队长", "第一书记", "队员"]):
            c = f.cadre(session, name=f"{village}{role}{k}")
            c.unit = f"单位{n % 2}"
            workteams.add_member(session, team, c, role=role, start=start, user="t")
            people.append(c)
        out.append((team, people))
    session.flush()
    return out


def _mark_all(session, people, year=2019):
    days = calendar.workdays(dt.date(year, 1, 1), dt.date(year, 12, 31))
    for c in people:
        attendance.set_marks(session, c, {d: "√" for d in days}, user="t")
    return days


def test_unannounced_absence_marks_the_day_and_caps_the_grade(session):
    teams = _teams(session)
    days = _mark_all(session, [c for _, people in teams for c in people])
    team, (leader, secretary, _member) = teams[0]
    day = days[40]
    insp = inspections.record(session, date=day, kind="明察暗访", inspectors="县督查组 王某", teams=[str(team.id)],
                              user="t", today=TODAY).record
    out = inspections.add_finding(session, insp, category="在岗", description="第一书记不在村", deadline=day,
                                  responsible="第一书记", cadre=secretary.id_number, absent=True, user="t",
                                  today=TODAY)
    finding = out.record
    assert finding.team_id == team.id and finding.cadre_id == secretary.id
    mark = session.scalar(select(Attendance.mark).where(Attendance.cadre_id == secretary.id, Attendance.day == day))
    assert mark == "absent"  # the √ of that day became 缺勤 (changed, audited)
    assert session.scalar(select(AuditLog.id).where(AuditLog.table_name == "attendance", AuditLog.action == "update"))
    announced = inspections.record(session, date=days[50], kind="抽查", inspectors="王某", cadres=[leader.id_number],
                                   user="t", today=TODAY).record
    warned = inspections.add_finding(session, announced, category="考勤", description="不在村", deadline=days[60],
                                     responsible="队长", absent=True, user="t", today=TODAY)
    assert [w.code for w in warned.warnings] == ["not_unannounced"]
    with pytest.raises(Refused, match="问题类别"):
        inspections.add_finding(session, insp, category="闲聊", description="x", deadline=day, responsible="y",
                                user="t", today=TODAY)
    with pytest.raises(Refused, match="整改期限早于"):
        inspections.add_finding(session, insp, category="其他", description="x", deadline=days[0], responsible="y",
                                user="t", today=TODAY)
    # rectification: once, not before the inspection
    inspections.rectify(session, warned.record, date=days[70], evidence="已补记考勤", user="t", today=TODAY)
    with pytest.raises(Refused, match="已于"):
        inspections.rectify(session, warned.record, date=days[71], evidence="again", user="t", today=TODAY)
    session.flush()
    rows = inspections.listing(session, dt.date(2019, 1, 1), dt.date(2019, 12, 31), today=TODAY)
    assert {r["status"] for r in rows} == {"逾期未整改", "逾期整改"}
    overdue = inspections.listing(session, dt.date(2019, 1, 1), dt.date(2019, 12, 31), overdue=True, today=TODAY)
    assert [r["id"] for r in overdue] == [finding.id]

    result = assessment.run(session, 2019, today=TODAY)
    by = {(r.facts.kind, r.facts.key): r for r in result.results}
    assert len(result.of("team")) == 4 and len(result.of("secretary")) == 4
    sec = by[("secretary", secretary.id)]
    assert sec.facts.absences == 1 and len(sec.facts.findings) == 1
    assert sec.grade != "excellent" and any("缺勤 1 次" in r for r in sec.reasons)
    assert by[("team", team.id)].facts.absences == 1
    assert result.warnings[0].startswith("2019 年没有存考核方案")
    units = {u.name: u for u in result.units}
    assert set(units) == {"单位0", "单位1"} and len(units["单位0"].teams) == 2 and len(units["单位0"].secretaries) == 2
    assert units["单位0"].findings() >= 1


def test_hand_scores_appeals_and_close(session):
    teams = _teams(session)
    _mark_all(session, [c for _, people in teams for c in people])
    team, (_leader, secretary, _m) = teams[1]
    with pytest.raises(Refused, match="满分 20"):
        assessment.give_score(session, 2019, team=str(team.id), item="群众满意度", score="25", by="考核组", user="t")
    with pytest.raises(Refused, match="不是 2019 年方案中手工评分"):
        assessment.give_score(session, 2019, team=str(team.id), item="在岗出勤", score="5", by="考核组", user="t")
    assessment.give_score(session, 2019, team=str(team.id), item="群众满意度", score="12", by="考核组", user="t")
    assessment.give_score(session, 2019, team=str(team.id), item="satisfaction", score="18", by="考核组",
                          reason="入户测评", user="t")  # again: the latest counts
    session.flush()
    first = assessment.run(session, 2019, today=TODAY)
    mine = next(r for r in first.results if r.facts.kind == "team" and r.facts.key == team.id)
    assert mine.score_of("satisfaction") == Decimal("18.00")
    closed = assessment.close(session, first, user="县委组织部", today=TODAY)
    session.flush()
    assert closed.sha256 == assessment.digest(first.figures())
    with pytest.raises(PovmonError, match="已于"):
        assessment.close(session, first, user="x", today=TODAY)
    with pytest.raises(PovmonError, match="还没有结束"):
        assessment.close(session, first, user="x", again=True, today=dt.date(2019, 12, 31))
    same = assessment.run(session, 2019, today=TODAY).as_json()["close"]
    assert same["same"] and same["intact"] and same["differences"] == []

    # an appeal for the secretary: upheld or changed; a grade above the absence rule is refused
    appeal = assessment.file_appeal(session, 2019, secretary=secretary.id_number, reason="走访记录漏登",
                                    by=secretary.name, on="2020-01-10", user="t", today=TODAY).record
    with pytest.raises(Refused, match="未决定"):
        assessment.file_appeal(session, 2019, secretary=secretary.id_number, reason="again", by="x",
                               on="2020-01-11", user="t", today=TODAY)
    attendance.set_marks(session, secretary, {dt.date(2019, 3, 5): "×", dt.date(2019, 3, 6): "×"}, user="t")
    session.flush()
    with pytest.raises(Refused, match="缺勤 2 次"):
        assessment.decide_appeal(session, appeal, grade="优秀", reason="x", by="复核组", on="2020-01-20", user="t",
                                 today=TODAY)
    assessment.decide_appeal(session, appeal, grade="基本称职", reason="核实走访属实，维持缺勤认定", by="复核组",
                             on="2020-01-20", user="t", today=TODAY)
    session.flush()
    later = assessment.run(session, 2019, today=TODAY)
    sec = next(r for r in later.results if r.facts.kind == "secretary" and r.facts.key == secretary.id)
    assert sec.grade == "basic" and "复核" in sec.reasons[-1]
    diff = later.as_json()["close"]
    assert not diff["same"] and any(d["name"] == secretary.name for d in diff["differences"])


def test_nothing_to_assess(session):
    with pytest.raises(PovmonError, match="没有在岗的驻村工作队"):
        assessment.run(session, 2017, today=TODAY)
