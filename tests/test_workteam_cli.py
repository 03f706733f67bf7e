"""povmon team … and povmon report attendance, end to end on a fresh database (both databases)."""

from __future__ import annotations

import datetime as dt
import json

from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from typer.testing import CliRunner

from povmon.cli import app
from povmon.models import Attendance, AuditLog
from povmon.rules import calendar
from tests import factories as f
from tests.factories import acting

CLERK = acting("乡专干")

runner = CliRunner()


def _run(db, *args):
    return runner.invoke(app, ["--db", db, "--user", CLERK, *args])


def _setup(cli_db, cli_session):
    f.area_tree(cli_session, "会立乡", "岔口村")
    for name in ("张队长", "王书记", "李队员"):
        f.cadre(cli_session, name=name)
    cli_session.commit()
    added = _run(cli_db, "team", "add", "会立乡/岔口村", "--from", "2018-03-01", "--unit", "交城县农业农村局")
    assert added.exit_code == 0, added.output
    for name, role in (("张队长", "队长"), ("王书记", "第一书记"), ("李队员", "队员")):
        result = _run(cli_db, "team", "member", "add", "岔口村", name, "--role", role, "--date", "2018-03-01")
        assert result.exit_code == 0, result.output


def _sheet(path, marks_by_name: dict[str, dict[int, str]], *, title="会立乡驻村工作队2019年3月考勤表", legend=True):
    wb = Workbook()
    ws = wb.active
    ws.title = "3月"
    ws.append([title])
    ws.append(["填报单位：会立乡人民政府（盖章）"])
    ws.append(["序号", "姓名", "工作队", "职务", *range(1, 32), "在村天数", "备注"])
    for n, (name, marks) in enumerate(marks_by_name.items(), start=1):
        ws.append([n, name, "岔口村", "", *[marks.get(d, "") for d in range(1, 32)]])
    if legend:
        ws.append(["说明：√在村 公公务外出 假请假 休休息 ×缺勤"])
        ws.append(["制表人：", "", "审核人："])
    wb.save(path)
    return path


def test_a_township_keeps_a_month(cli_db, cli_session, tmp_path):
    _setup(cli_db, cli_session)
    days = [d.day for d in calendar.workdays(dt.date(2019, 3, 1), dt.date(2019, 3, 31))]
    rest = [d for d in range(1, 32) if d not in days]
    sheet = _sheet(tmp_path / "会立乡-2019年3月考勤.xlsx", {
        "张队长": {d: "√" for d in days} | {d: "休" for d in rest},
        "王书记": {d: "在" for d in days[:12]} | {days[12]: "×", days[13]: "到"},
        "李队员": {d: "√" for d in days[:15]} | {d: "公" for d in days[15:]},
    })
    refused = _run(cli_db, "team", "attendance", "import", str(sheet))
    assert refused.exit_code == 1 and "未导入任何数据" in refused.output and "不是考勤标记" in refused.output
    assert "「3月」 第5行" in refused.output  # 王书记 is the second person: row 5
    assert cli_session.scalar(select(func.count()).select_from(Attendance)) == 0
    result = _run(cli_db, "team", "attendance", "import", str(sheet), "--mapping", "到=在村", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["months"] == ["2019-03"] and data["people"] == 3
    assert data["inserted"] == 31 + 14 + 21
    again = json.loads(_run(cli_db, "team", "attendance", "import", str(sheet), "--mapping", "到=在村",
                            "--json").stdout)
    assert again["inserted"] == 0 and again["unchanged"] == 66

    fixed = _run(cli_db, "team", "attendance", "set", "王书记", "--day", f"2019-03-{days[12]:02d}=公", "--json")
    assert fixed.exit_code == 0 and json.loads(fixed.stdout)["changed"][0]["new"] == "official"
    cli_session.rollback()  # a fresh read: the commands committed since
    assert cli_session.scalar(select(func.count()).select_from(AuditLog).where(
        AuditLog.table_name == "attendance", AuditLog.action == "update")) == 1

    leave = _run(cli_db, "team", "leave", "request", "李队员", "--from", "2019-04-01", "--to", "2019-04-10",
                 "--reason", "住院", "--json")
    leave_id = json.loads(leave.stdout)["stored"][0]["id"]
    wrong = _run(cli_db, "team", "leave", "approve", str(leave_id), "--level", "乡镇", "--by", "乡长",
                 "--date", "2019-03-30")
    assert wrong.exit_code == 1 and "县委组织部" in wrong.output
    assert _run(cli_db, "team", "leave", "approve", str(leave_id), "--level", "县委组织部", "--by", "组织部",
                "--date", "2019-03-30").exit_code == 0
    assert _run(cli_db, "team", "log", "add", "张队长", "--date", "2019-03-04", "--done", "入户走访").exit_code == 0
    assert _run(cli_db, "team", "report", "add", "岔口村", "--kind", "月报", "--date", "2019-03-31",
                "--content", "三月份工作").exit_code == 0

    out = _run(cli_db, "report", "attendance", "--month", "2019-03", "--json")
    assert out.exit_code == 0, out.output
    report = json.loads(out.stdout)
    members = {m["name"]: m for m in report["townships"][0]["teams"][0]["members"]}
    assert members["张队长"]["in_village_days"] == 21 and members["张队长"]["below_threshold"] is False
    assert members["王书记"]["in_village_days"] == 14 and members["王书记"]["below_threshold"] is False  # 14/21
    assert members["李队员"]["official_days"] == 6 and members["李队员"]["absences"] == 0
    assert report["below_members"] == 0 and report["teams"] == 1
    assert {(d["name"], d["what"]) for d in report["missing"]} == {(n, "工作日志") for n in members}

    book = tmp_path / "考勤.xlsx"
    written = _run(cli_db, "report", "attendance", "--month", "2019-03", "-o", str(book))
    assert written.exit_code == 0, written.output
    wb = load_workbook(book)
    assert wb.sheetnames == ["考勤汇总", "请销假台账", "应交未交"]
    ws = wb["考勤汇总"]
    assert ws.print_title_rows == "$3:$3" and int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)
    texts = {c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    assert {"制表人：", "审核人：", "负责人：", "单位（盖章）：", "日期："} <= texts
    assert _run(cli_db, "report", "attendance", "--month", "2019-03", "-o", str(book)).exit_code == 1  # no --force
    year = _run(cli_db, "report", "attendance", "--year", "2019", "--json")
    assert json.loads(year.stdout)["leaves"][0]["days"] == 10


def test_sheet_problems_are_named(cli_db, cli_session, tmp_path):
    _setup(cli_db, cli_session)
    sheet = _sheet(tmp_path / "a.xlsx", {"赵不在": {1: "√"}, "王书记": {31: "√"}}, title="考勤表")
    result = _run(cli_db, "team", "attendance", "import", str(sheet))
    assert result.exit_code == 1 and "--month" in result.output
    result = _run(cli_db, "team", "attendance", "import", str(sheet), "--month", "2019-04")
    assert "没有名为“赵不在”的干部" in result.output and "2019年4月没有31日" in result.output
    assert "Traceback" not in result.output


def test_every_team_record_from_the_command_line(cli_db, cli_session):
    _setup(cli_db, cli_session)
    listed = json.loads(_run(cli_db, "team", "list", "--as-of", "2019-03-01", "--json").stdout)
    assert [(t["name"], t["members_in_post"]) for t in listed] == [("岔口村驻村工作队", 3)]
    assert "*" in listed[0]["members"][0]["id_number"]
    shown = _run(cli_db, "team", "show", "岔口村", "--as-of", "2019-03-01")
    assert shown.exit_code == 0 and "王书记" in shown.stdout and "第一书记" in shown.stdout
    f.cadre(cli_session, name="赵书记")
    cli_session.commit()
    replaced = _run(cli_db, "team", "member", "replace", "岔口村", "王书记", "赵书记", "--date", "2019-07-01",
                    "--reason", "工作调动", "--json")
    assert replaced.exit_code == 0, replaced.output
    assert [c["field"] for c in json.loads(replaced.stdout)["changed"]] == ["end_on", "end_reason"]
    ended = _run(cli_db, "team", "member", "end", "岔口村", "李队员", "--date", "2019-08-01")
    assert ended.exit_code == 0 and "少于规定的 3 人" in ended.output  # a warning on stderr
    outing = _run(cli_db, "team", "outing", "add", "张队长", "--from", "2019-03-07", "--to", "2019-03-07",
                  "--destination", "县城", "--business", "开会", "--approved-by", "乡党委书记", "--json")
    assert outing.exit_code == 0 and json.loads(outing.stdout)["stored"][0]["destination"] == "县城"
    review = _run(cli_db, "team", "review", "add", "岔口村", "--date", "2019-06-30", "--reviewer", "村民代表会",
                  "--grade", "好", "--json")
    assert review.exit_code == 0 and json.loads(review.stdout)["stored"][0]["grade"] == "好"
    leave = json.loads(_run(cli_db, "team", "leave", "request", "张队长", "--from", "2019-05-06", "--to",
                            "2019-05-07", "--reason", "事假", "--json").stdout)
    assert leave["approve_by"] == "乡镇"
    back = _run(cli_db, "team", "leave", "return", str(leave["stored"][0]["id"]), "--date", "2019-05-10")
    assert back.exit_code == 0 and "没有批准记录" in back.output
    rows = json.loads(_run(cli_db, "team", "leave", "list", "--json").stdout)
    assert [(r["name"], r["days"], r["returned_on"]) for r in rows] == [("张队长", 2, "2019-05-10")]
    missing = _run(cli_db, "team", "member", "add", "岔口村", "张队长")
    assert missing.exit_code == 1 and "--role" in missing.output and "--date" in missing.output
    unknown = _run(cli_db, "team", "show", "没有的村")
    assert unknown.exit_code == 1 and "Traceback" not in unknown.output
