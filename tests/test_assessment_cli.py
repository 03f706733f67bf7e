"""povmon inspect …, povmon assess … and the two workbooks, end to end on a fresh database (both databases)."""

from __future__ import annotations

import datetime as dt
import json

from openpyxl import load_workbook
from sqlalchemy import select
from typer.testing import CliRunner

from povmon.cli import app
from povmon.models import AssessmentClose, Attendance
from povmon.rules import calendar
from povmon.services import attendance, workteams
from tests import factories as f
from tests.factories import acting

INSPECTOR = acting("县督查组")

runner = CliRunner()
VILLAGES = ["东营村", "西营村", "寨子村", "石侯村"]


def _run(db, *args):
    return runner.invoke(app, ["--db", db, "--user", INSPECTOR, *args])


def _json(result):
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _setup(cli_session):
    start = dt.date(2018, 1, 1)
    days = calendar.workdays(start, dt.date(2018, 12, 31))
    for n, village in enumerate(VILLAGES):
        place = f.area_tree(cli_session, village=village)
        team = workteams.add_team(cli_session, village=place, start=start, unit=f"交城县单位{n % 2}", user="t").record
        for role in ("队长", "第一书记", "队员"):
            c = f.cadre(cli_session, name=f"{village[:2]}{role}")
            c.unit = f"交城县单位{n % 2}"
            workteams.add_member(cli_session, team, c, role=role, start=start, user="t")
            attendance.set_marks(cli_session, c, {d: "√" for d in days}, user="t")
    cli_session.commit()
    return days


def test_inspections_and_the_assessment_end_to_end(cli_db, cli_session, tmp_path):
    days = _setup(cli_session)
    day = days[100].isoformat()
    made = _json(_run(cli_db, "inspect", "record", "--date", day, "--kind", "明察暗访", "--inspectors", "王某,李某",
                      "--team", "东营村", "--json"))
    iid = made["stored"][0]["id"]
    assert made["targets"] == [{"kind": "工作队", "name": "东营村驻村工作队"}]
    found = _json(_run(cli_db, "inspect", "finding", str(iid), "--category", "在岗", "--description", "第一书记不在村",
                       "--deadline", days[110].isoformat(), "--responsible", "东营第一书记", "--cadre", "东营第一书记",
                       "--absent", "--json"))
    assert found["attendance"].endswith("记为缺勤")
    cli_session.rollback()
    mark = cli_session.scalar(select(Attendance.mark).where(Attendance.day == days[100], Attendance.mark == "absent"))
    assert mark == "absent"
    second = _json(_run(cli_db, "inspect", "finding", str(iid), "--category", "走访", "--description", "走访记录不全",
                        "--deadline", days[120].isoformat(), "--responsible", "东营队长", "--json"))
    fid = second["stored"][0]["id"]
    rect = _run(cli_db, "inspect", "rectify", str(fid), "--date", days[118].isoformat(), "--evidence", "已补齐")
    assert rect.exit_code == 0, rect.output
    overdue = _json(_run(cli_db, "inspect", "list", "--year", "2018", "--overdue", "--json"))
    assert [r["description"] for r in overdue] == ["第一书记不在村"]
    bad = _run(cli_db, "inspect", "finding", str(iid), "--category", "闲聊", "--description", "x",
               "--deadline", day, "--responsible", "y")
    assert bad.exit_code == 1 and "不是问题类别" in bad.stderr and "Traceback" not in bad.output

    for n, village in enumerate(VILLAGES):
        scored = _run(cli_db, "assess", "score", "--year", "2018", "--team", village, "--item", "群众满意度",
                      "--score", str(20 - n), "--by", "考核组")
        assert scored.exit_code == 0, scored.output
    data = _json(_run(cli_db, "assess", "run", "--year", "2018", "--json"))
    teams = {t["village"]: t for t in data["teams"]}
    assert len(data["teams"]) == 4 and len(data["secretaries"]) == 4
    assert data["summary"]["teams"]["excellent_places"] == 1
    assert teams["东营村"]["absences"] == 1 and teams["东营村"]["grade"] != "优秀"
    assert all(t["reasons"] for t in data["teams"]) and data["example_scheme"] is True
    assert sum(1 for t in data["teams"] if t["grade"] == "优秀") <= 1
    assert {u["unit"] for u in data["units"]} == {"交城县单位0", "交城县单位1"}

    closed = _json(_run(cli_db, "assess", "close", "--year", "2018", "--json"))
    cli_session.rollback()
    stored = cli_session.scalar(select(AssessmentClose))
    assert stored.sha256 == closed["sha256"] and stored.user == INSPECTOR
    again = _run(cli_db, "assess", "close", "--year", "2018")
    assert again.exit_code == 1 and "--again" in again.stderr
    appeal = _json(_run(cli_db, "assess", "appeal", "file", "--year", "2018", "--team", "西营村", "--reason",
                        "满意度测评有误", "--by", "西营队长", "--date", "2019-01-10", "--json"))
    decided = _run(cli_db, "assess", "appeal", "decide", str(appeal["stored"][0]["id"]), "--grade", "称职",
                   "--reason", "经复核", "--by", "复核组", "--date", "2019-01-20")
    assert decided.exit_code == 0, decided.output
    now = _json(_run(cli_db, "assess", "run", "--year", "2018", "--json"))
    assert now["close"]["same"] is False
    assert {(d["name"], d["what"]) for d in now["close"]["differences"]} == {("西营村驻村工作队", "等次"),
                                                                          ("西营村驻村工作队", "理由")}
    shown = _run(cli_db, "assess", "run", "--year", "2018")
    assert shown.exit_code == 0 and "与" in shown.output and "定案不同" in shown.output

    out = tmp_path / "督查-2018.xlsx"
    made = _run(cli_db, "report", "inspections", "--year", "2018", "-o", str(out))
    assert made.exit_code == 0, made.output
    wb = load_workbook(out)
    assert wb.sheetnames == ["督查汇总", "问题清单", "逾期未整改"]
    assert wb["逾期未整改"].print_title_rows == "$3:$3"
    listed = [row for row in wb["问题清单"].iter_rows(min_row=4, values_only=True) if isinstance(row[0], int)]
    assert len(listed) == 2
    book = tmp_path / "年终考核-2018.xlsx"
    made = _run(cli_db, "report", "assessment", "--year", "2018", "-o", str(book))
    assert made.exit_code == 0, made.output
    wb = load_workbook(book)
    assert wb.sheetnames == ["工作队考核", "第一书记考核", "派出单位考核", "考核办法"]
    ws = wb["工作队考核"]
    assert ws.page_setup.orientation == "landscape" and "2018年度" in ws.oddHeader.center.text
    cells = [c for row in ws.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert "制表人：" in cells and "单位（盖章）：" in cells
    assert any("复核" in c for c in cells) and any("缺勤共 1 次" in c for c in cells)
    refused = _run(cli_db, "report", "assessment", "--year", "2018", "-o", str(book))
    assert refused.exit_code == 1 and "--force" in refused.stderr
