"""Work teams, attendance, leave and the attendance report: the library, on both databases (issue 14)."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest
from sqlalchemy import select

from povmon.errors import PovmonError
from povmon.models import Attendance, AuditLog, TeamMember
from povmon.reports import attendance as report
from povmon.rules import calendar
from povmon.rules import workteam as rules
from povmon.services import attendance, workteams
from povmon.services.entry import Refused
from tests import factories as f

TODAY = dt.date(2026, 12, 1)


def test_calendar_knows_make_up_days_and_holidays():
    assert calendar.is_workday(dt.date(2019, 9, 29))  # a Sunday made a working day before 国庆节
    assert not calendar.is_workday(dt.date(2019, 10, 1))
    assert calendar.holiday_name(dt.date(2019, 10, 1)) == "国庆节"
    assert len(calendar.workdays(dt.date(2019, 10, 1), dt.date(2019, 10, 31))) == 18 + 1  # 10-12 Saturday worked
    with pytest.raises(PovmonError, match="chinesecalendar"):
        calendar.check_year(calendar.LAST_YEAR + 1)


def test_thresholds_are_data(tmp_path):
    shipped = rules.load()
    assert shipped.share == Fraction(2, 3) and shipped.leave_year_days == 30 and shipped.township_days == 3
    assert shipped.min_members == 3 and shipped.min_term_years == 2
    own = tmp_path / "rules.toml"
    text = (rules.resources.files("povmon.data") / "workteam_rules.toml").read_text(encoding="utf-8")
    own.write_text(text.replace('share = "2/3"', 'share = "3/4"'), encoding="utf-8")
    assert rules.load(own).share == Fraction(3, 4)
    own.write_text("[attendance]\n", encoding="utf-8")
    with pytest.raises(PovmonError, match="规则文件"):
        rules.load(own)


def test_approval_level_and_team_rules():
    r = rules.load()
    assert rules.approval_problems(3, "township", r) == []
    assert [p.code for p in rules.approval_problems(4, "township", r)] == ["wrong_approval_level"]
    assert rules.approval_problems(10, "county", r) == []
    codes = [p.code for p in rules.team_warnings(2, dt.date(2019, 1, 1), dt.date(2020, 6, 30), r)]
    assert codes == ["team_too_small", "team_term_short"]
    assert rules.team_warnings(3, dt.date(2019, 1, 1), dt.date(2021, 1, 1), r) == []


def _team(session, members=3, start=dt.date(2019, 1, 1)):
    village = f.area_tree(session)
    outcome = workteams.add_team(session, village=village, start=start, unit="交城县农业农村局", user="t")
    team = outcome.record
    people = []
    for n, role in enumerate(["队长", "第一书记", "队员", "队员"][:members]):
        c = f.cadre(session, name=f"队员{n}")
        workteams.add_member(session, team, c, role=role, start=start, user="t")
        people.append(c)
    session.flush()
    return team, people


def test_team_members_replacement_keeps_history(session):
    team, (_leader, secretary, member) = _team(session)
    assert team.name == "东营村驻村工作队"
    with pytest.raises(Refused, match="已有第一书记"):
        workteams.add_member(session, team, f.cadre(session, name="又一书记"), role="第一书记",
                             start="2019-02-01", user="t")
    with pytest.raises(Refused, match="已在"):
        workteams.add_member(session, team, member, role="队员", start="2019-03-01", user="t")
    newcomer = f.cadre(session, name="新书记")
    outcome = workteams.replace_member(session, team, secretary, newcomer, on="2019-07-01", reason="工作调动",
                                       user="t")
    stints = list(session.scalars(select(TeamMember).where(TeamMember.team_id == team.id).order_by(TeamMember.id)))
    assert [(s.cadre.name, s.role, s.start_on, s.end_on) for s in stints] == [
        ("队员0", "leader", dt.date(2019, 1, 1), None),
        ("队员1", "first_secretary", dt.date(2019, 1, 1), dt.date(2019, 7, 1)),
        ("队员2", "member", dt.date(2019, 1, 1), None),
        ("新书记", "first_secretary", dt.date(2019, 7, 1), None),
    ]
    assert outcome.changed[0].field == "end_on"
    logged = session.scalars(select(AuditLog.action).where(AuditLog.table_name == "work_team_member")).all()
    assert logged.count("insert") == 4 and "update" in logged
    ended = workteams.end_member(session, team, member, on="2019-08-01", reason="病退", user="t")
    assert [w.code for w in ended.warnings] == ["team_too_small"]  # the leader and the new secretary remain
    shown = workteams.team_json(team, dt.date(2019, 8, 15))
    assert shown["members_in_post"] == 2 and [w["code"] for w in shown["warnings"]] == ["team_too_small"]


def test_leave_needs_the_right_level(session):
    _, (leader, *_rest) = _team(session)
    long = attendance.request_leave(session, leader, start="2019-03-04", end="2019-03-08", reason="探亲", user="t")
    leave = long.record
    assert leave.days == 5 and long.facts["approve_by"] == "县委组织部"
    with pytest.raises(Refused) as refused:
        attendance.approve_leave(session, leave, level="乡镇", by="乡党委书记", on="2019-03-01", user="t")
    assert refused.value.codes == ["wrong_approval_level"]
    attendance.approve_leave(session, leave, level="县委组织部", by="组织部长", on="2019-03-01", user="t")
    back = attendance.return_leave(session, leave, on="2019-03-12", user="t")
    assert leave.returned_on == dt.date(2019, 3, 12) and [w.code for w in back.warnings] == ["leave_overrun"]


def test_marks_are_changed_not_duplicated(session):
    _, (leader, *_rest) = _team(session)
    attendance.set_marks(session, leader, {"2019-03-01": "√", "2019-03-04": "公"}, user="t")
    again = attendance.set_marks(session, leader, {"2019-03-04": "×"}, user="t")
    rows = session.scalars(select(Attendance).where(Attendance.cadre_id == leader.id).order_by(Attendance.day)).all()
    assert [(a.day.day, a.mark) for a in rows] == [(1, "in_village"), (4, "absent")]
    assert again.changed[0].old == "official" and again.changed[0].new == "absent"
    with pytest.raises(Refused, match="不是考勤标记"):
        attendance.set_marks(session, leader, {"2019-03-05": "Q"}, user="t")


def test_month_figures(session):
    team, (leader, secretary, member) = _team(session)
    days = calendar.workdays(dt.date(2019, 3, 1), dt.date(2019, 3, 31))
    assert len(days) == 21
    marks = {d: "√" for d in days[:10]} | {d: "公" for d in days[10:14]}
    marks |= {days[14]: "假", days[15]: "假", days[16]: "×", days[17]: "假"}
    attendance.set_marks(session, leader, marks, user="t")
    leave = attendance.request_leave(session, leader, start=days[14], end=days[15], reason="看病", user="t").record
    attendance.approve_leave(session, leave, level="乡镇", by="乡长", on=days[13], user="t")
    attendance.return_leave(session, leave, on=days[16], user="t")
    attendance.set_marks(session, secretary, {d: "在" for d in days[:13]}, user="t")  # 13/21 < 2/3
    attendance.add_report(session, team, kind="月报", date="2019-03-30", content="三月工作", user="t")
    for d in days[:4]:
        attendance.add_log(session, member, date=d, done="入户走访", households="1411221020010001", user="t")
    session.flush()
    built = report.build(session, report.Period.month("2019-03"), today=TODAY)
    (row,) = built.teams
    by_name = {m.name: m for m in row.members}
    lead = by_name["队员0"].figures
    assert (lead.working_days, lead.in_village, lead.official, lead.absent, lead.leave_days, lead.unrecorded) == \
        (21, 14, 4, 2, 3, 3)
    assert lead.share() == Fraction(2, 3) and not lead.below(built.rules)
    assert by_name["队员1"].figures.below(built.rules)
    assert [m.name for _, m in built.below()] == ["队员1", "队员2"]
    missing = {(d.name, d.what) for d in built.missing()}
    assert missing == {("队员0", "工作日志"), ("队员1", "工作日志")}  # the team reported; 队员2 logged 4
    data = built.as_json()
    assert data["teams"] == 1 and data["below_members"] == 2 and data["leaves"][0]["days"] == 2
    assert "*" in data["townships"][0]["teams"][0]["members"][0]["id_number"]


def test_overrun_and_unapproved_leave_are_absences(session):
    _, (leader, secretary, _member) = _team(session)
    days = calendar.workdays(dt.date(2019, 4, 1), dt.date(2019, 4, 30))
    leave = attendance.request_leave(session, leader, start=days[0], end=days[1], reason="事假", user="t").record
    attendance.approve_leave(session, leave, level="乡镇", by="乡长", on=days[0], user="t")
    attendance.return_leave(session, leave, on=days[4], user="t")  # back on 8 April: 3 and 4 April are absences
    attendance.set_marks(session, leader, {d: "√" for d in days[4:]}, user="t")
    attendance.request_leave(session, secretary, start=days[0], end=days[0], reason="事假", user="t")
    attendance.set_marks(session, secretary, {days[0]: "假"}, user="t")
    built = report.build(session, report.Period.month("2019-04"), today=TODAY)
    by_name = {m.name: m.figures for m in built.teams[0].members}
    assert by_name["队员0"].absent == 2 and by_name["队员0"].absent_days == days[2:4]
    assert by_name["队员1"].absent == 1
    problems = {r.name: r.problem for r in built.leaves}
    assert problems == {"队员0": "超假 5 天", "队员1": "未批准"}  # 3 to 7 April (calendar days)


def test_yearly_totals_and_recall(session):
    _, (leader, *_rest) = _team(session)
    year = calendar.workdays(dt.date(2019, 1, 1), dt.date(2019, 12, 31))
    leave = attendance.request_leave(session, leader, start="2019-05-06", end="2019-06-10", reason="手术",
                                     user="t").record
    attendance.approve_leave(session, leave, level="县委组织部", by="组织部", on="2019-05-01", user="t")
    attendance.return_leave(session, leave, on="2019-06-11", user="t")
    attendance.set_marks(session, leader, {d: "√" for d in year if not leave.start_on <= d <= leave.end_on},
                         user="t")
    totals = attendance.yearly(session, 2019, today=TODAY)
    mine = totals[leader.id]
    leave_workdays = sum(1 for d in year if leave.start_on <= d <= leave.end_on)
    assert mine["working_days"] == 250 and mine["in_village_days"] == 250 - leave_workdays
    assert mine["leave_days_this_year"] == 36 and mine["recall"] is True and mine["absences"] == 0
    june = report.build(session, report.Period.month("2019-06"), today=TODAY)
    assert june.teams[0].members[0].leave_year_days == 36  # counted from 1 January


def test_scope_and_future(session):
    _team(session)
    other = f.area_tree(session, "会立乡", "岔口村")
    workteams.add_team(session, village=other, start="2019-01-01", user="t")
    session.flush()
    built = report.build(session, report.Period.month("2019-03"), "会立乡", today=TODAY)
    assert built.teams == []  # its team has no members yet
    assert len(report.build(session, report.Period.month("2019-03"), "西营镇", today=TODAY).teams) == 1
    with pytest.raises(PovmonError, match="还没有开始"):
        report.build(session, report.Period.month("2026-12"), today=dt.date(2026, 11, 30))


def test_the_ledger_names_the_team_and_first_secretary(session):
    from povmon.reports import ledger

    team, (leader, secretary, _member) = _team(session)
    house = f.household(session, "1411221000010001", village=team.village)
    (book,) = ledger.ledgers(session, [house.id], dt.date(2019, 6, 30))
    assert book.work_teams == [f"东营村驻村工作队（交城县农业农村局；队长 {leader.name}）"]
    assert [c.name for c in book.first_secretaries] == [secretary.name]
    workteams.end_member(session, team, secretary, on="2019-06-01", reason="调回", user="t")
    (later,) = ledger.ledgers(session, [house.id], dt.date(2019, 6, 30))
    assert later.first_secretaries == []


def test_the_monthly_summary_counts_teams_and_secretaries(session):
    from povmon.reports import monthly

    team, _people = _team(session)
    second = workteams.add_team(session, village=team.village, start="2019-01-01", user="t").record
    assert second.name == "东营村驻村工作队（2）"
    session.flush()
    county = monthly.build(session, "2019-03").areas[0].as_json()
    assert (county["work_teams"], county["first_secretaries"]) == (2, 1)
    keys = list(county)  # right after the contract's first keys (docs/CONTRACTS.md), before other chapters'
    at = keys.index("risk_eliminated")
    assert keys[at + 1:at + 3] == ["work_teams", "first_secretaries"]
