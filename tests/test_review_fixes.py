"""Defects found in review, each pinned by the behaviour a clerk or an auditor relies on."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import func, select
from typer.testing import CliRunner

from povmon.cli import app
from povmon.ingest import ImportOptions, import_files
from povmon.models import Household
from povmon.reports.household import household_view
from povmon.rules.status import status_on

from . import factories as f
from . import workbooks as wb

runner = CliRunner()
HEAD = ["户编号", "乡镇", "行政村", "姓名", "身份证号", "与户主关系", "脱贫状态", "识别年度", "脱贫年度"]


def _roster(tmp_path, *rows, name="r.xlsx"):
    return wb.write(tmp_path / name, {"花名册": [HEAD, *rows]})


def _imp(session, path, as_of):
    f.area_tree(session, "会立乡", "岔口村")
    return import_files(session, [path], ImportOptions(user="t", as_of=as_of, create_areas=True))


def test_a_year_after_the_rosters_day_is_refused(session, tmp_path):
    path = _roster(tmp_path, ["R1", "会立乡", "岔口村", "甲", wb.pid(), "户主", "已脱贫", 2016, 2099])
    result = _imp(session, path, dt.date(2019, 1, 31))
    assert [(p.code, p.column) for p in result.errors] == [("bad_date", "脱贫年度")]
    assert "2099" in result.errors[0].message and "--as-of" in result.errors[0].message
    assert result.counts["households"]["created"] == 0


def test_a_year_in_the_rosters_own_year_holds_on_that_day(session, tmp_path):
    path = _roster(tmp_path, ["R2", "会立乡", "岔口村", "乙", wb.pid(), "户主", "未脱贫", 2019, None])
    day = dt.date(2019, 6, 30)
    result = _imp(session, path, day)
    assert result.errors == []
    household = session.scalar(select(Household).where(Household.code == "R2"))
    assert status_on(household.events, day).status == "poor"  # what the roster says, on its own day
    assert household.events[0].event_date == day


def test_import_as_of_after_today_is_a_wrong_command_line(cli_db, tmp_path):
    path = _roster(tmp_path, ["R3", "会立乡", "岔口村", "丙", wb.pid(), "户主", None, None, None])
    later = (dt.date.today() + dt.timedelta(days=400)).isoformat()
    result = runner.invoke(app, ["import", str(path), "--create-areas", "--as-of", later, "--db", cli_db])
    assert result.exit_code == 2


def test_errors_file_in_a_missing_folder_is_refused_before_anything_is_written(cli_db, cli_session, tmp_path):
    path = _roster(tmp_path, ["R4", "会立乡", "岔口村", "丁", wb.pid(), "户主", None, None, None],
                   ["R5", "会立乡", "岔口村", "戊", "142323197402193070", "户主", None, None, None])
    result = runner.invoke(app, ["import", str(path), "--create-areas", "--json", "--db", cli_db,
                                 "--errors", str(tmp_path / "no-such-folder" / "err.xlsx")])
    assert result.exit_code == 1 and "--errors" in result.stderr
    assert cli_session.scalar(select(func.count()).select_from(Household)) == 0


def test_an_import_where_every_household_fails_is_not_a_success(cli_db, tmp_path):
    path = _roster(tmp_path, ["R6", "会立乡", "岔口村", "己", "142323197402193070", "户主", None, None, None])
    result = runner.invoke(app, ["import", str(path), "--create-areas", "--json", "--db", cli_db])
    assert result.exit_code == 1
    assert json.loads(result.stdout)["errors"][0]["code"] == "id_checksum"  # the JSON is still printed
    assert "没有导入任何记录" in result.stderr


def test_nobody_is_present_before_being_born(session):
    hh = f.household(session, "B1", members=[
        {"name": "父", "relation": "head", "born": dt.date(1980, 5, 1)},
        {"name": "女", "relation": "daughter", "born": dt.date(2018, 3, 19), "sex": "F"},
    ])
    f.income(session, hh, 2017, wage="3000")
    f.income(session, hh, 2018, wage="3000")
    view = household_view(session, "B1", dt.date(2019, 1, 31))
    assert view["income"]["2017"]["per_capita"] == "3000.00"  # the daughter was born in 2018
    assert view["income"]["2018"]["per_capita"] == "1500.00"
    assert household_view(session, "B1", dt.date(2017, 6, 30))["members_present"] == 1


def test_report_output_must_be_xlsx(cli_db):
    result = runner.invoke(app, ["report", "monthly", "--month", "2019-01", "-o", "m.csv", "--db", cli_db])
    assert result.exit_code == 2


def test_an_ordinary_household_is_shown_as_such(session):
    f.household(session, "O1", attribute=None)
    assert household_view(session, "O1", dt.date(2019, 1, 31))["attribute"] == "一般农户"


def test_a_household_code_is_found_however_it_is_typed(session):
    f.household(session, "H1A")
    assert household_view(session, " h1a ", dt.date(2019, 1, 31))["code"] == "H1A"
