"""povmon monitor … through the command line: JSON of docs/CONTRACTS.md ("Dynamic monitoring"), exit codes."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import func, select
from typer.testing import CliRunner

from povmon.cli import app
from povmon.models import HouseholdEvent, Lead
from povmon.rules import idcard

from . import factories as f
from .test_monitoring import sheet_file

runner = CliRunner()
D = dt.date


def run(db, *args):
    return runner.invoke(app, [*(str(a) for a in args), "--db", db])


def _register(cli_session):
    village = f.area_tree(cli_session)
    a = f.household(cli_session, "1411221040010001", village=village)
    f.event(cli_session, a, "identified", D(2016, 12, 31))
    f.event(cli_session, a, "exited", D(2018, 12, 31))
    ids = [m.id_number for m in a.members]
    cli_session.commit()
    return a, ids


def test_import_screen_and_decide(cli_db, cli_session, tmp_path):
    a, ids = _register(cli_session)
    stranger = f.new_id(D(1990, 1, 1))
    path = sheet_file(tmp_path / "医保.xlsx", ["姓名", "公民身份号码", "结算日期", "总费用", "基金支付", "自付金额"], [
        ["甲", ids[0], "2019-03", 30000, 18000, 12000], ["外", stranger, "2019-03-05", 100, 50, 50]])
    dry = run(cli_db, "monitor", "import-dept", path, "--dept", "医保", "--as-of", "2019-03-31", "--dry-run", "--json")
    assert dry.exit_code == 0, dry.output
    assert json.loads(dry.stdout)["batch"] is None
    out = run(cli_db, "monitor", "import-dept", path, "--dept", "医保", "--as-of", "2019-03-31", "--json")
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert set(data) == {"batch", "dry_run", "files", "counts", "errors", "warnings", "not_in_register"}
    assert data["files"] == ["医保.xlsx"] and isinstance(data["batch"], int)
    assert data["counts"] == {"rows": {"matched": 1, "not_in_register": 1, "rejected": 0, "unchanged": 0}}
    assert data["not_in_register"] == [{"row": 5, "name": "外", "id_number": idcard.mask(stranger)}]
    again = json.loads(run(cli_db, "monitor", "import-dept", path, "--dept", "医保", "--as-of", "2019-03-31",
                           "--json").stdout)
    assert again["batch"] is None and again["counts"]["rows"]["unchanged"] == 2

    screened = run(cli_db, "monitor", "screen", "--as-of", "2019-03-31", "--json")
    assert screened.exit_code == 0, screened.output
    result = json.loads(screened.stdout)
    assert result["counts"] == {"new": 1, "already_open": 0}
    lead = result["leads"][0]
    assert lead["household"] == a.code and lead["rule"] == "medical_oop" and lead["source"] == "医保"
    assert lead["member"] == idcard.mask(ids[0]) and lead["new"] is True
    assert json.loads(run(cli_db, "monitor", "screen", "--as-of", "2019-03-31", "--json").stdout)["counts"] == \
        {"new": 0, "already_open": 1}

    lid = lead["id"]
    refused = run(cli_db, "monitor", "step", lid, "县级审定", "--date", "2019-04-01")
    assert refused.exit_code == 1 and "乡镇初审" in refused.output and "Traceback" not in refused.output
    for args in (("入户核实", "--date", "2019-04-01", "--consent"), ("民主评议", "--date", "2019-04-02"),
                 ("公示", "--date", "2019-04-03", "--until", "2019-04-07"), ("乡镇初审", "--date", "2019-04-08"),
                 ("县级审定", "--date", "2019-04-09")):
        done = run(cli_db, "monitor", "step", lid, *args)
        assert done.exit_code == 0, done.output
    decided = run(cli_db, "monitor", "step", lid, "纳入监测", "--date", "2019-04-10", "--risk", "因病", "--json")
    assert decided.exit_code == 0, decided.output
    assert json.loads(decided.stdout)["result"] == "include"
    cli_session.expire_all()
    event = cli_session.scalar(select(HouseholdEvent).where(HouseholdEvent.kind == "monitoring_added"))
    assert event.household_id == a.id and event.risks == "illness"

    listed = json.loads(run(cli_db, "monitor", "leads", "--status", "decided", "--as-of", "2019-04-30",
                            "--json").stdout)
    assert [x["id"] for x in listed] == [lid] and listed[0]["steps"][-1]["label"] == "决定"
    assert json.loads(run(cli_db, "monitor", "leads", "--status", "open", "--as-of", "2019-04-30", "--json").stdout) \
        == []


def test_hand_lead_overdue_and_area(cli_db, cli_session):
    _register(cli_session)
    added = run(cli_db, "monitor", "lead", "add", "1411221040010001", "--source", "cadre_check", "--date",
                "2019-03-01", "--note", "房屋漏雨", "--json")
    assert added.exit_code == 0, added.output
    assert json.loads(added.stdout)["rule"] == "cadre_check"
    overdue = json.loads(run(cli_db, "monitor", "leads", "--status", "overdue", "--as-of", "2019-03-20",
                             "--area", "西营镇", "--json").stdout)
    assert len(overdue) == 1 and overdue[0]["source"] == "hand"
    assert run(cli_db, "monitor", "leads", "--area", "没有这个镇").exit_code == 1
    assert cli_session.scalar(select(func.count()).select_from(Lead)) == 1


def test_command_line_mistakes(cli_db, tmp_path):
    assert run(cli_db, "monitor", "import-dept", tmp_path / "x.xlsx", "--dept", "公安").exit_code == 2
    missing = run(cli_db, "monitor", "import-dept", tmp_path / "x.xlsx", "--dept", "医保")
    assert missing.exit_code == 1 and "找不到文件" in missing.output
    assert run(cli_db, "monitor", "leads", "--status", "later").exit_code == 2
    assert run(cli_db, "monitor", "step", "99", "公示", "--date", "2019-01-01").exit_code == 1


def test_rules_list_and_load(cli_db, tmp_path):
    listed = json.loads(run(cli_db, "monitor", "rules", "list", "--json").stdout)
    assert {r["code"] for r in listed} >= {"medical_oop", "income_below_line", "water_unsafe"}
    assert all(r["approximate"] for r in listed)
    csv = tmp_path / "rules.csv"
    csv.write_text("规则,适用人群,阈值,窗口（月）,起始年度\nmedical_oop,脱贫户,8000,12,2019\n", encoding="utf-8")
    assert run(cli_db, "monitor", "rules", "load", csv).exit_code == 0
    medical = [r for r in json.loads(run(cli_db, "monitor", "rules", "list", "--json").stdout)
               if r["code"] == "medical_oop"]
    assert medical == [{"code": "medical_oop", "label": "医疗个人自付费用高", "population": "former_poor",
                        "threshold": "8000.00", "ratio": None, "window_months": 12, "from_year": 2019,
                        "to_year": None, "approximate": False, "note": None}]
    csv.write_text("code,population,from_year\nmedical_oop,nobody,2019\n", encoding="utf-8")
    bad = run(cli_db, "monitor", "rules", "load", csv)
    assert bad.exit_code == 1 and "第2行" in bad.output


def test_report_month_json_and_workbook(cli_db, cli_session, tmp_path):
    from openpyxl import load_workbook

    a, ids = _register(cli_session)
    path = sheet_file(tmp_path / "医保.xlsx", ["姓名", "身份证号", "结算日期", "个人自付"],
                      [["甲", ids[0], "2019-03-05", 12000], ["外", f.new_id(D(1990, 1, 1)), "2019-03-05", 50]])
    assert run(cli_db, "monitor", "import-dept", path, "--dept", "医保", "--as-of", "2019-03-31").exit_code == 0
    assert run(cli_db, "monitor", "screen", "--as-of", "2019-03-31").exit_code == 0
    run(cli_db, "monitor", "lead", "add", a.code, "--source", "cadre_check", "--date", "2019-03-02")
    lead = json.loads(run(cli_db, "monitor", "leads", "--json", "--as-of", "2019-03-31").stdout)[0]["id"]
    for args in (("入户核实", "--date", "2019-03-06", "--consent"), ("民主评议", "--date", "2019-03-07"),
                 ("公示", "--date", "2019-03-08", "--until", "2019-03-12"), ("乡镇初审", "--date", "2019-03-13"),
                 ("县级审定", "--date", "2019-03-14", "--result", "纳入")):
        assert run(cli_db, "monitor", "step", lead, *args).exit_code == 0
    out = run(cli_db, "monitor", "report", "--month", "2019-03", "--json")
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    county = data["areas"][0]
    assert county["level"] == "county" and county["leads"] == 2
    assert county["by_source"] == {"hand": 1, "医保": 1} and county["by_rule"] == {"medical_oop": 1, "cadre_check": 1}
    assert county["open"] == 1 and county["decided"] == 1 and county["included_by_type"] == {"unstable": 1}
    assert data["publicity"][0]["type_label"] == "脱贫不稳定户" and "id_number" not in data["publicity"][0]
    feedback = data["feedback"]["医保"]
    assert [x["outcome"] for x in feedback] == ["核实中", "不在册"]
    target = tmp_path / "监测.xlsx"
    assert run(cli_db, "monitor", "report", "--month", "2019-03", "-o", target).exit_code == 0
    wb = load_workbook(target)
    assert wb.sheetnames == ["汇总", "按规则", "预警名单", "逾期", "公示", "反馈-医保"]
    publicity = wb["公示"]
    texts = " ".join(str(c.value) for row in publicity.iter_rows() for c in row if c.value is not None)
    assert "交城县" in publicity.oddHeader.center.text and ids[0][:6] + "*" not in texts and "医保" not in texts
    assert all(ws.print_title_rows and int(ws.page_setup.paperSize) == 9 for ws in wb.worksheets)  # A4
    assert "签字" in " ".join(str(c.value) for row in wb["汇总"].iter_rows() for c in row if c.value)
    again = run(cli_db, "monitor", "report", "--month", "2019-03", "-o", target)
    assert again.exit_code == 1
    assert run(cli_db, "monitor", "report", "--month", "2019-13").exit_code == 2
