"""The data-entry commands through Typer's CliRunner: output, exit codes and what the database holds after."""

import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
import typer
from sqlalchemy import func, select
from typer.testing import CliRunner

from povmon.cli import app
from povmon.models import (
    Area,
    AuditLog,
    Benefit,
    Cadre,
    Household,
    HouseholdEvent,
    Income,
    Measure,
    Member,
    Pairing,
    Policy,
    Visit,
)
from povmon.rules import idcard, parse
from tests.factories import acting

from . import factories as f

CLERK = acting("clerk1")

runner = CliRunner()
README = Path(__file__).resolve().parents[1] / "README.md"


def run(db, *args):
    """A command on the test database, as clerk1 (the login on PostgreSQL)."""
    return runner.invoke(app, [*(str(a) for a in args), "--db", db])


def write(db, *args, user=CLERK):
    return runner.invoke(app, [*(str(a) for a in args), "--db", db, "--user", user])


def ok(result):
    assert result.exit_code == 0, result.output
    return result


def refused(result):
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.stderr.count("\n") == 1  # one sentence
    return result.stderr


def stored(result):
    return json.loads(ok(result).stdout)


def fresh(session):
    """The checking session, out of any earlier transaction, so it sees what the commands committed since."""
    session.rollback()
    return session


def count(session, model):
    fresh(session)
    return session.scalar(select(func.count()).select_from(model))


def setup_village(db):
    ok(write(db, "area", "add", "交城县", "--level", "县", "--code", "141122"))
    ok(write(db, "area", "add", "西营镇", "--level", "乡镇", "--parent", "交城县", "--code", "141122102"))
    ok(write(db, "area", "add", "东营村", "--level", "村", "--parent", "西营镇", "--code", "141122102001"))


def add_household(db, code="H1", head="王大", head_id=None, *extra):
    head_id = head_id or f.new_id(dt.date(1970, 3, 1))
    return stored(write(db, "household", "add", code, "--village", "东营村", "--head", head, "--head-id", head_id,
                        "--json", *extra))


# --- the command tree ------------------------------------------------------------------------------------------


def leaf_commands():
    def walk(group, prefix):
        for name, command in group.commands.items():
            path = f"{prefix} {name}".strip()
            if hasattr(command, "commands"):
                yield from walk(command, path)
            else:
                yield path, command

    return list(walk(typer.main.get_command(app), ""))


def test_every_command_has_help_with_an_example_and_a_readme_row():
    text = README.read_text(encoding="utf-8")
    table = text[text.index("## Commands"):]
    table = table[: table.index("\n## ", 5)]
    commands = leaf_commands()
    assert len(commands) >= 35
    for path, command in commands:
        assert command.help and command.help.strip(), f"{path} has no help"
        assert re.search(r"Examples?: povmon " + re.escape(path), command.help), f"{path}: --help has no example"
        assert re.search(r"`povmon " + re.escape(path) + r"[ `]", table), f"{path} is not in README's command table"
        for param in command.params:
            if param.name not in ("help",):
                assert getattr(param, "help", None) or param.param_type_name == "argument", f"{path} {param.name}"


def test_help_shows_the_example():
    result = runner.invoke(app, ["event", "exit", "--help"], terminal_width=200)
    assert result.exit_code == 0 and "Example: povmon event exit" in result.stdout


# --- missing values: asked at a terminal, named otherwise -----------------------------------------------------------


@pytest.mark.parametrize("args, named", [
    (["household", "add"], ["CODE（户编号）", "--village（所在村）", "--head（户主姓名）",
                            "--head-id（户主身份证号）"]),
    (["household", "add", "H1", "--village", "东营村"], ["--head（户主姓名）", "--head-id"]),
    (["member", "add", "H1", "--name", "张三"], ["--id-number", "--relation", "--how"]),
    (["event", "identify", "H1"], ["--date", "--standard", "--cause"]),
    (["event", "monitor", "H1", "--date", "2021-01-01"], ["--type", "--risk"]),
    (["event", "cancel", "3"], ["--reason"]),
    (["income", "set", "H1"], ["--year"]),
    (["pair", "replace", "李四"], ["NEW", "--date"]),
    (["visit", "add", "H1"], ["--cadre", "--date", "--done"]),
    (["benefit", "add", "H1", "--policy", "雨露计划"], ["--date", "--amount"]),
    (["area", "add", "东营村"], ["--level"]),
    (["cadre", "add"], ["--name", "--id-number"]),
])
def test_missing_values_fail_naming_each_when_not_a_terminal(cli_db, cli_session, args, named):
    message = refused(write(cli_db, *args))
    assert message.startswith("错误：缺少必填项：")
    for option in named:
        assert option in message
    assert count(cli_session, AuditLog) == 0


def test_at_a_terminal_missing_values_are_asked_and_checked_by_the_same_rule(cli_db, cli_session, monkeypatch):
    import povmon.cli.entry

    setup_village(cli_db)
    monkeypatch.setattr(povmon.cli.entry, "interactive", lambda: True)
    good = f.new_id(dt.date(1970, 3, 1))
    bad = good[:-1] + ("1" if good[-1] != "1" else "2")
    answers = "\n".join(["H7", "东营村", "王大", bad, good]) + "\n"
    result = runner.invoke(app, ["household", "add", "--db", cli_db, "--user", CLERK], input=answers)
    assert result.exit_code == 0, result.output
    assert "户编号" in result.stdout and "户主身份证号" in result.stdout
    assert idcard.check(bad).error.message in result.output  # the importer's message, then asked again
    household = fresh(cli_session).scalar(select(Household).where(Household.code == "H7"))
    assert household.members[0].id_number == good


# --- areas -----------------------------------------------------------------------------------------------------


def test_area_add_rename_and_list(cli_db, cli_session):
    setup_village(cli_db)
    listed = stored(run(cli_db, "area", "list", "--json"))
    assert [(a["level"], a["name"], a["code"]) for a in listed] == [
        ("county", "交城县", "141122"), ("township", "西营镇", "141122102"), ("village", "东营村", "141122102001")]
    message = refused(write(cli_db, "area", "add", "西营村", "--level", "村", "--parent", "西营镇", "--code", "1411"))
    assert "12位数字" in message
    message = refused(write(cli_db, "area", "add", "某村", "--level", "村", "--parent", "无此镇"))
    assert "没有名为“无此镇”的乡镇" in message
    data = stored(write(cli_db, "area", "rename", "西营镇/东营村", "东营社区", "--reason", "撤村建居", "--json"))
    assert data["changed"] == [{"table": "area", "id": 3, "field": "name", "old": "东营村", "new": "东营社区"}]
    assert fresh(cli_session).get(Area, 3).name == "东营社区"
    rows = fresh(cli_session).scalars(select(AuditLog).where(AuditLog.table_name == "area").order_by(AuditLog.id)).all()
    assert [(r.action, r.user) for r in rows] == [("insert", CLERK)] * 3 + [("update", CLERK)]
    assert "东营社区" in ok(run(cli_db, "area", "list")).stdout


# --- households and members ------------------------------------------------------------------------------------


def test_household_add_edit_and_list(cli_db, cli_session):
    setup_village(cli_db)
    data = add_household(cli_db, "H1", "王大", None, "--group", "一组", "--set", "住房安全=C级",
                         "--head-set", "医保=是")
    household, head = data["stored"]
    assert household["code"] == "H1" and household["housing_safety"] == "C" and household["group_name"] == "一组"
    assert head["relation"] == "head" and head["medical_insurance"] is True and head["household"] == "H1"

    edited = ok(write(cli_db, "household", "edit", "H1", "住房安全", "B级", "--reason", "危房改造验收"))
    assert "住房安全：C级 → B级" in edited.stdout
    row = fresh(cli_session).scalars(select(AuditLog).where(AuditLog.action == "update")).one()
    assert (row.table_name, row.field, row.old_value, row.new_value, row.note, row.user) == (
        "household", "housing_safety", "C", "B", "危房改造验收", CLERK)
    assert "不是有效的住房安全" in refused(write(cli_db, "household", "edit", "H1", "住房安全", "E级"))
    assert "没有户编号为 H9 的户" in refused(write(cli_db, "household", "edit", "H9", "住房安全", "A"))

    add_household(cli_db, "H2", "李二")
    ok(write(cli_db, "event", "identify", "H2", "--date", "2016", "--standard", "国家标准", "--cause", "因病"))
    assert [h["code"] for h in stored(run(cli_db, "household", "list", "--json"))] == ["H1", "H2"]
    poor = stored(run(cli_db, "household", "list", "--status", "未脱贫", "--as-of", "2019-01-31", "--json"))
    assert [(h["code"], h["status"], h["head"], h["village"]) for h in poor] == [("H2", "poor", "李二", "东营村")]
    assert stored(run(cli_db, "household", "list", "--status", "poor", "--as-of", "2016-06-30", "--json")) == []
    assert [h["code"] for h in stored(run(cli_db, "household", "list", "--name", "王", "--json"))] == ["H1"]
    head_id = fresh(cli_session).scalar(select(Member.id_number).where(Member.name == "李二"))
    assert [h["code"] for h in stored(run(cli_db, "household", "list", "--id", head_id, "--json"))] == ["H2"]
    assert "H1" in ok(run(cli_db, "household", "list", "--village", "西营镇/东营村")).stdout
    assert run(cli_db, "household", "list", "--limit", "x").exit_code == 2  # the command line itself is wrong


def test_same_rules_same_messages_as_the_importer(cli_db, cli_session):
    setup_village(cli_db)
    short = "14232319700301123"
    message = refused(write(cli_db, "household", "add", "H1", "--village", "东营村", "--head", "王大",
                            "--head-id", short))
    assert idcard.check(short).error.message in message
    add_household(cli_db, "H1")
    for bad_date in ("2019-13-01", "下个月"):
        with pytest.raises(parse.ValueProblem) as expected:
            parse.date(bad_date)
        message = refused(write(cli_db, "visit", "add", "H1", "--cadre", "x", "--date", bad_date, "--done", "走访"))
        assert expected.value.message in message or "没有找到帮扶干部" in message
        message = refused(write(cli_db, "event", "monitor", "H1", "--date", bad_date, "--type", "边缘户",
                                "--risk", "因病"))
        assert expected.value.message in message
    with pytest.raises(parse.ValueProblem) as amount:
        parse.amount("三千")
    message = refused(write(cli_db, "income", "set", "H1", "--year", "2018", "--wage", "三千"))
    assert amount.value.message in message and message.startswith("错误：工资性收入：")
    with pytest.raises(parse.ValueProblem) as relation:
        parse.term(__import__("povmon.rules.vocab", fromlist=["RELATION"]).RELATION, "邻居")
    message = refused(write(cli_db, "member", "add", "H1", "--name", "赵五", "--id-number", f.new_id(),
                            "--relation", "邻居", "--how", "迁入", "--date", "2019-01-01"))
    assert relation.value.message in message
    assert count(cli_session, Income) == 0 and count(cli_session, Member) == 1


def test_member_add_leave_edit_and_move(cli_db, cli_session):
    setup_village(cli_db)
    add_household(cli_db, "H1", "王大")
    add_household(cli_db, "H2", "李二")
    baby = f.new_id(dt.date(2019, 3, 5), "F")
    data = stored(write(cli_db, "member", "add", "H1", "--name", "王小妹", "--id-number", baby, "--relation", "之女",
                        "--how", "出生", "--set", "在校生状况=学前", "--json"))
    assert data["stored"][0]["joined_on"] == "2019-03-05" and data["stored"][0]["school_status"] == "preschool"
    wife = f.new_id(dt.date(1975, 1, 1), "F")
    ok(write(cli_db, "member", "add", "H1", "--name", "刘芳", "--id-number", wife, "--relation", "配偶",
             "--how", "婚入", "--date", "2018年10月1日"))
    message = refused(write(cli_db, "member", "add", "H2", "--name", "刘芳", "--id-number", wife, "--relation", "配偶",
                            "--how", "婚入", "--date", "2019-01-01"))
    assert "已是户 H1 的在册成员" in message and "member move" in message

    head = fresh(cli_session).scalar(select(Member).where(Member.name == "王大"))
    left = write(cli_db, "member", "leave", head.id_number, "--how", "死亡", "--date", "2019-06-01", "--json")
    data = stored(left)
    assert {(c["field"], c["new"]) for c in data["changed"]} == {("left_on", "2019-06-01"), ("left_reason", "deceased")}
    assert "户 H1 没有户主" in left.stderr and "member edit" in left.stderr  # a warning: the next head comes next
    edited = ok(write(cli_db, "member", "edit", wife, "relation", "户主", "--reason", "原户主去世"))
    assert "与户主关系：配偶 → 户主" in edited.stdout
    assert "一户只能有一位户主" in refused(write(cli_db, "member", "edit", baby, "relation", "户主"))

    moved = stored(write(cli_db, "member", "move", baby, "--to", "H2", "--date", "2019-08-01", "--relation", "之孙女",
                         "--json"))
    assert moved["stored"][0]["household"] == "H2" and moved["stored"][0]["joined_on"] == "2019-08-01"
    stints = fresh(cli_session).scalars(select(Member).where(Member.id_number == baby).order_by(Member.id)).all()
    assert [(m.household.code, m.joined_on, m.left_on, m.left_reason) for m in stints] == [
        ("H1", dt.date(2019, 3, 5), dt.date(2019, 8, 1), "moved_out"), ("H2", dt.date(2019, 8, 1), None, None)]
    show = stored(run(cli_db, "household", "show", "H1", "--as-of", "2019-09-01", "--json"))
    assert show["head"] == "刘芳" and show["members_present"] == 1
    assert {m["name"]: m["state"] for m in show["members"]} == {"王大": "死亡", "王小妹": "迁出", "刘芳": "新增"}


# --- events ----------------------------------------------------------------------------------------------------


def make_exitable(db, session, code, year):
    for field, value in (("两不愁", "是"), ("住房安全", "A级"), ("饮水安全", "是")):
        ok(write(db, "household", "edit", code, field, value))
    household = session.scalar(select(Household).where(Household.code == code))
    for member in household.members:
        ok(write(db, "member", "edit", member.id_number, "医保", "是"))
    ok(write(db, "income", "set", code, "--year", year, "--wage", "20000"))


def test_exit_is_refused_with_each_failing_item_then_accepted(cli_db, cli_session):
    setup_village(cli_db)
    add_household(cli_db, "H1")
    ok(write(cli_db, "event", "identify", "H1", "--date", "2016", "--standard", "国家标准", "--cause", "因病"))
    message = refused(write(cli_db, "event", "exit", "H1", "--date", "2017-12-31"))
    for item in ("一达标", "两不愁", "基本医疗有保障", "住房安全有保障", "饮水安全", "--force"):
        assert item in message
    assert count(cli_session, HouseholdEvent) == 1
    assert "强制退出必须写明理由" in refused(write(cli_db, "event", "exit", "H1", "--date", "2017", "--force"))
    make_exitable(cli_db, cli_session, "H1", "2017")
    data = stored(write(cli_db, "event", "exit", "H1", "--date", "2017", "--json"))
    assert data["forced"] is False and [i["met"] for i in data["exit_standard"]] == [True] * 6
    assert data["stored"][0]["kind"] == "exited" and data["stored"][0]["year_only"] is True
    assert stored(run(cli_db, "household", "show", "H1", "--as-of", "2018-01-01", "--json"))["status"] == "exited"
    message = refused(write(cli_db, "event", "exit", "H1", "--date", "2018"))
    assert "已脱贫" in message and "不能脱贫退出" in message


def test_forced_exit_return_monitoring_elimination_and_cancel(cli_db, cli_session):
    setup_village(cli_db)
    add_household(cli_db, "H1", "王大", None, "--head-set", "劳动技能=丧失劳动力")
    ok(write(cli_db, "event", "identify", "H1", "--date", "2016-05-01", "--standard", "省定", "--cause", "缺劳力"))
    forced = stored(write(cli_db, "event", "exit", "H1", "--date", "2018-12-31", "--force", "--reason", "县里批准",
                          "--json"))
    assert forced["forced"] is True and forced["stored"][0]["note"].startswith("强制退出；未达标项：")
    ok(write(cli_db, "event", "monitor", "H1", "--date", "2021-03-01", "--type", "脱贫不稳定户",
             "--risk", "因病、因学", "--risk", "缺劳力", "--lead", "部门筛查"))
    event = fresh(cli_session).scalars(select(HouseholdEvent).where(HouseholdEvent.kind == "monitoring_added")).one()
    assert event.risks == "illness,schooling,no_labour" and event.lead_source == "department"
    message = refused(write(cli_db, "event", "eliminate", "H1", "--date", "2021-12-01", "--how", "帮扶消除"))
    assert "无劳动能力户不标注风险消除" in message
    ok(write(cli_db, "member", "edit", event.household.members[0].id_number, "劳动技能", "弱劳动力"))
    assert "未达到风险消除条件" in refused(write(cli_db, "event", "eliminate", "H1", "--date", "2021-12-01", "--how",
                                             "帮扶消除"))
    ok(write(cli_db, "event", "eliminate", "H1", "--date", "2021-12-01", "--how", "帮扶消除", "--force",
             "--reason", "县里批准"))
    ok(write(cli_db, "event", "revoke", "H1", "--date", "2022-01-10", "--reason", "复核收入不稳"))
    show = stored(run(cli_db, "household", "show", "H1", "--as-of", "2022-02-01", "--json"))
    assert show["monitoring"] == {"type": "unstable", "risk_eliminated": False}

    listed = stored(run(cli_db, "event", "list", "H1", "--json"))
    assert [e["kind"] for e in listed] == ["identified", "exited", "monitoring_added", "risk_eliminated",
                                          "elimination_revoked"]
    revoked = listed[-1]["id"]
    data = stored(write(cli_db, "event", "cancel", str(revoked), "--reason", "误录", "--json"))
    assert data["stored"][0]["cancels_event_id"] == revoked and data["cancels"]["kind"] == "elimination_revoked"
    assert stored(run(cli_db, "household", "show", "H1", "--as-of", "2022-02-01", "--json"))["monitoring"] == {
        "type": "unstable", "risk_eliminated": True}
    assert count(cli_session, HouseholdEvent) == 6  # nothing deleted
    assert f"已由 {data['stored'][0]['id']} 作废" in ok(run(cli_db, "event", "list", "H1")).stdout
    assert "没有找到事件“999”" in refused(write(cli_db, "event", "cancel", "999", "--reason", "x"))
    ok(write(cli_db, "event", "return", "H1", "--date", "2022-06-30", "--cause", "因病", "--reason", "户主患大病"))
    assert stored(run(cli_db, "household", "show", "H1", "--as-of", "2022-07-01", "--json"))["status"] == "returned"


# --- income, cadres, pairings, visits, measures, benefits --------------------------------------------------------


def test_income_set_and_show_against_the_line(cli_db, cli_session):
    setup_village(cli_db)
    add_household(cli_db, "H1")
    result = ok(write(cli_db, "income", "set", "H1", "--year", "2018", "--wage", "1,500元", "--transfer", "600"))
    assert "2018年人均纯收入 2100.00 元（1人）" in result.stdout and "低于贫困线" in result.stdout
    data = stored(write(cli_db, "income", "set", "H1", "--year", "2018", "--wage", "3000", "--json"))
    assert data["changed"] == [{"table": "income", "id": 1, "field": "wage", "old": "1500.00", "new": "3000.00"}]
    assert data["year"]["per_capita"] == "3600.00" and data["year"]["below_poverty_line"] is False
    ok(write(cli_db, "income", "set", "H1", "--year", "2019", "--month", "1", "--business", "800",
             "--business-expense", "300"))
    rows = stored(run(cli_db, "income", "show", "H1", "--as-of", "2019-12-31", "--json"))
    assert [(r["year"], r["net"], r["entries"]) for r in rows] == [(2018, "3600.00", [0]), (2019, "500.00", [1])]
    assert fresh(cli_session).scalars(select(Income).where(Income.year == 2018)).one().wage == Decimal("3000.00")
    assert "还没有到" in refused(write(cli_db, "income", "set", "H1", "--year", dt.date.today().year + 1,
                                       "--wage", "1"))


def test_cadres_pairings_visits_measures_and_benefits(cli_db, cli_session):
    setup_village(cli_db)
    add_household(cli_db, "H1")
    add_household(cli_db, "H2", "李二")
    li, zhao = f.new_id(dt.date(1975, 5, 5)), f.new_id(dt.date(1980, 1, 1))
    data = stored(write(cli_db, "cadre", "add", "--name", "李四", "--id-number", li, "--unit", "国土局",
                        "--role", "第一书记", "--village", "东营村", "--json"))
    assert data["stored"][0]["role"] == "first_secretary"
    ok(write(cli_db, "cadre", "add", "--name", "赵六", "--id-number", zhao, "--unit", "水利局"))
    assert "已登记为干部 李四" in refused(write(cli_db, "cadre", "add", "--name", "李四", "--id-number", li))
    for code in ("H1", "H2"):
        ok(write(cli_db, "pair", "add", code, "李四", "--date", "2016-03-01"))
    replaced = ok(write(cli_db, "pair", "replace", "李四", zhao, "--date", "2019-07-01", "--reason", "工作调动"))
    assert "H1、H2" in replaced.stdout
    pairs = fresh(cli_session).scalars(select(Pairing).order_by(Pairing.id)).all()
    assert [(p.cadre.name, p.start_on, p.end_on, p.end_reason) for p in pairs] == [
        ("李四", dt.date(2016, 3, 1), dt.date(2019, 7, 1), "工作调动"),
        ("李四", dt.date(2016, 3, 1), dt.date(2019, 7, 1), "工作调动"),
        ("赵六", dt.date(2019, 7, 1), None, None), ("赵六", dt.date(2019, 7, 1), None, None)]
    ok(write(cli_db, "pair", "end", "H2", "赵六", "--date", "2020-01-01", "--reason", "销户"))
    active = stored(run(cli_db, "pair", "list", "--as-of", "2020-02-01", "--json"))
    assert [(p["household"], p["cadre"]) for p in active] == [("H1", "赵六")]
    assert len(stored(run(cli_db, "pair", "list", "--cadre", "李四", "--history", "--json"))) == 2
    listed = stored(run(cli_db, "cadre", "list", "--as-of", "2019-08-01", "--json"))
    assert [(c["name"], c["households"]) for c in listed] == [("李四", []), ("赵六", ["H1", "H2"])]
    assert "*" in listed[0]["id_number"]  # masked in listings

    visit = write(cli_db, "visit", "add", "H1", "--cadre", "李四", "--date", "2019-08-02", "--done", "送政策上门",
                  "--problems", "屋顶漏雨", "--resolved", "否")
    assert visit.exit_code == 0 and "未与户 H1 结对" in visit.stderr
    ok(write(cli_db, "visit", "add", "H1", "--cadre", "赵六", "--date", "2019-08-03", "--done", "查看屋顶"))
    assert [(v.cadre.name, v.resolved) for v in fresh(cli_session).scalars(select(Visit).order_by(Visit.id))] == [
        ("李四", False), ("赵六", None)]
    ok(write(cli_db, "measure", "add", "H1", "--kind", "住房", "--date", "2019-08-10", "--description", "维修屋顶",
             "--amount", "2000", "--cadre", "赵六"))
    assert fresh(cli_session).scalars(select(Measure)).one().amount == Decimal("2000.00")
    assert "第一次录入时请写明政策类别" in refused(write(cli_db, "benefit", "add", "H1", "--policy", "危房改造补助",
                                                     "--date", "2019-08-20", "--amount", "5000"))
    benefit = stored(write(cli_db, "benefit", "add", "H1", "--policy", "危房改造补助", "--category", "住房",
                           "--date", "2019-08-20", "--amount", "5000", "--json"))
    assert [r["table"] for r in benefit["stored"]] == ["policy", "benefit"]
    assert fresh(cli_session).scalars(select(Policy)).one().category == "housing"
    assert fresh(cli_session).scalars(select(Benefit)).one().amount == Decimal("5000.00")
    users = set(fresh(cli_session).scalars(select(AuditLog.user)))
    assert users == {CLERK}


# --- a clerk keeps a village current for a month ------------------------------------------------------------------


def test_a_clerk_keeps_a_village_current_for_a_month(cli_db, cli_session):
    """December 2019 in 东营村, using only the data-entry commands; then household show and the audit log agree."""
    setup_village(cli_db)
    wang, li2, zhang = f.new_id(dt.date(1968, 4, 1)), f.new_id(dt.date(1950, 2, 2)), f.new_id(dt.date(1980, 7, 7))
    add_household(cli_db, "H1", "王大", wang, "--set", "住房安全=C级", "--set", "饮水安全=是")
    add_household(cli_db, "H2", "李二", li2, "--head-set", "劳动技能=普通劳动力")
    add_household(cli_db, "H3", "张三", zhang)
    father = f.new_id(dt.date(1930, 1, 1))
    ok(write(cli_db, "member", "add", "H2", "--name", "李老汉", "--id-number", father, "--relation", "之父",
             "--how", "迁入", "--date", "2012-01-01"))
    # the month: a marriage, a birth, a death
    wife = f.new_id(dt.date(1972, 9, 9), "F")
    ok(write(cli_db, "member", "add", "H1", "--name", "刘芳", "--id-number", wife, "--relation", "配偶",
             "--how", "婚入", "--date", "2019-12-02", "--set", "医保=是"))
    baby = f.new_id(dt.date(2019, 12, 5))
    ok(write(cli_db, "member", "add", "H1", "--name", "王小", "--id-number", baby, "--relation", "之子",
             "--how", "出生", "--set", "医保=是"))
    ok(write(cli_db, "member", "leave", father, "--how", "死亡", "--date", "2019-12-10"))
    # status: H1 registered since 2016, H3 identified this month, H2 monitored as near-poor
    ok(write(cli_db, "event", "identify", "H1", "--date", "2016", "--standard", "国家标准", "--cause", "因病"))
    ok(write(cli_db, "event", "identify", "H3", "--date", "2019-12-03", "--standard", "国家标准", "--cause", "因学"))
    ok(write(cli_db, "event", "monitor", "H2", "--date", "2019-12-15", "--type", "边缘易致贫户", "--risk", "因病",
             "--lead", "农户自主申报"))
    # income, a cadre paired then replaced, visits, a benefit
    ok(write(cli_db, "income", "set", "H1", "--year", "2019", "--wage", "18000", "--transfer", "1200"))
    li, zhao = f.new_id(dt.date(1975, 5, 5)), f.new_id(dt.date(1982, 2, 2))
    ok(write(cli_db, "cadre", "add", "--name", "李四", "--id-number", li, "--unit", "交城县国土资源局"))
    ok(write(cli_db, "cadre", "add", "--name", "赵六", "--id-number", zhao, "--unit", "交城县水利局"))
    ok(write(cli_db, "pair", "add", "H1", "李四", "--date", "2019-12-01"))
    ok(write(cli_db, "pair", "add", "H3", "李四", "--date", "2019-12-04"))
    ok(write(cli_db, "visit", "add", "H1", "--cadre", "李四", "--date", "2019-12-06", "--done", "核实新增人口"))
    ok(write(cli_db, "pair", "replace", "李四", "赵六", "--date", "2019-12-20", "--reason", "工作调动"))
    ok(write(cli_db, "visit", "add", "H3", "--cadre", "赵六", "--date", "2019-12-22", "--done", "了解子女上学"))
    ok(write(cli_db, "benefit", "add", "H3", "--policy", "雨露计划", "--category", "教育", "--date", "2019-12-23",
             "--amount", "1500"))
    # the exit of H1: refused while the house is unsafe and 两不愁 unrecorded, then accepted
    message = refused(write(cli_db, "event", "exit", "H1", "--date", "2019-12-31"))
    assert "住房安全有保障：C级危房" in message and "两不愁" in message and "基本医疗有保障" in message
    ok(write(cli_db, "household", "edit", "H1", "住房安全", "B级", "--reason", "危房改造验收"))
    ok(write(cli_db, "household", "edit", "H1", "两不愁", "是"))
    ok(write(cli_db, "member", "edit", wang, "医保", "是"))
    ok(write(cli_db, "event", "exit", "H1", "--date", "2019-12-31"))

    h1 = stored(run(cli_db, "household", "show", "H1", "--as-of", "2019-12-31", "--json"))
    assert (h1["status"], h1["head"], h1["village"], h1["members_present"]) == ("exited", "王大", "东营村", 3)
    assert [(m["name"], m["relation"], m["state"]) for m in h1["members"]] == [
        ("王大", "户主", "在册"), ("刘芳", "配偶", "新增"), ("王小", "之子", "新增")]
    assert h1["income"]["2019"]["net"] == "19200.00" and h1["income"]["2019"]["per_capita"] == "6400.00"
    assert [(p["cadre"], p["from"], p["to"]) for p in h1["pairings"]] == [
        ("李四", "2019-12-01", "2019-12-20"), ("赵六", "2019-12-20", None)]
    before = stored(run(cli_db, "household", "show", "H1", "--as-of", "2019-11-30", "--json"))
    assert before["status"] == "poor" and before["members_present"] == 1 and before["pairings"] == []
    h2 = stored(run(cli_db, "household", "show", "H2", "--as-of", "2019-12-31", "--json"))
    assert h2["monitoring"] == {"type": "near_poor", "risk_eliminated": False} and h2["status"] == "non_poor"
    assert {m["name"]: m["state"] for m in h2["members"]} == {"李二": "在册", "李老汉": "死亡"}
    h3 = stored(run(cli_db, "household", "show", "H3", "--as-of", "2019-12-31", "--json"))
    assert h3["status"] == "poor" and h3["attribute"] == "一般贫困户"
    assert [(p["cadre"], p["to"]) for p in h3["pairings"]] == [("李四", "2019-12-20"), ("赵六", None)]

    # every record entered has its insert in the audit log, by the acting user; every change its old → new
    logged = fresh(cli_session).scalars(select(AuditLog)).all()
    assert {entry.user for entry in logged} == {CLERK}
    inserts = {(entry.table_name, entry.row_id) for entry in logged if entry.action == "insert"}
    for model in (Area, Household, Member, HouseholdEvent, Income, Cadre, Pairing, Visit, Policy, Benefit):
        ids = set(fresh(cli_session).scalars(select(model.id)))
        assert ids and {(model.__tablename__, i) for i in ids} <= inserts, model.__tablename__
    updates = {(entry.table_name, entry.field, entry.new_value) for entry in logged if entry.action == "update"}
    assert ("household", "housing_safety", "B") in updates and ("member", "left_on", "2019-12-10") in updates
    assert ("pairing", "end_on", "2019-12-20") in updates and ("household", "food_clothing_secure", "true") in updates
    assert count(cli_session, Pairing) == 4 and count(cli_session, Visit) == 2
