"""povmon report monthly / close / closes, through the command line."""

import datetime as dt
import json

from openpyxl import load_workbook
from typer.testing import CliRunner

from povmon.cli import app
from povmon.reports import monthly_xlsx
from tests.factories import acting

from . import factories as f
from . import monthly_register as reg

AUD_A, AUD_B = acting("审计甲"), acting("审计乙")

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def _register(cli_session):
    built = reg.build(cli_session)
    cli_session.commit()
    return built


def test_monthly_json_prints_only_the_json(cli_db, cli_session):
    _register(cli_session)
    result = invoke("report", "monthly", "--month", "2019-01", "--json", "--db", cli_db)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == reg.EXPECTED
    assert result.stderr == ""


def test_monthly_area_and_workbook(cli_db, cli_session, tmp_path):
    _register(cli_session)
    out = tmp_path / "月报.xlsx"
    result = invoke("report", "monthly", "--month", "2019-01", "--area", "西营镇", "-o", out, "--json",
                    "--db", cli_db)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["areas"] == reg.EXPECTED["areas"][1:4]
    assert load_workbook(out).sheetnames == list(monthly_xlsx.SHEETS)


def test_monthly_terminal_view_shows_county_and_townships(cli_db, cli_session):
    _register(cli_session)
    result = invoke("report", "monthly", "--month", "2019-01", "--db", cli_db)
    assert result.exit_code == 0, result.output
    assert "交城县" in result.stdout and "西营镇" in result.stdout and "会立乡" in result.stdout
    assert "东营村" not in result.stdout  # villages are in the workbook and the JSON
    assert "8/21" in result.stdout and "61.90" in result.stdout and "1,500.50" in result.stdout


def test_unknown_area_is_one_sentence_and_exit_1(cli_db, cli_session):
    _register(cli_session)
    result = invoke("report", "monthly", "--month", "2019-01", "--area", "东风村", "--json", "--db", cli_db)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and "东风村" in result.stderr and "Traceback" not in result.stderr


def test_bad_or_missing_month_is_a_command_line_error(cli_db):
    for args in (["--month", "2019-13"], ["--month", "一月"], []):
        result = invoke("report", "monthly", *args, "--db", cli_db)
        assert result.exit_code == 2, (args, result.output)
    assert invoke("report", "close", "--month", "2019/1/1", "--db", cli_db).exit_code == 2


def test_close_then_closes_then_a_back_dated_change_is_reported(cli_db, cli_session):
    built = _register(cli_session)
    result = invoke("report", "close", "--month", "2019-01", "--user", AUD_A, "--note", "一月", "--db", cli_db)
    assert result.exit_code == 0, result.output
    assert "已结账" in result.stdout and AUD_A in result.stdout

    listed = invoke("report", "closes", "--json", "--db", cli_db)
    assert listed.exit_code == 0
    [entry] = json.loads(listed.stdout)
    assert entry["month"] == "2019-01" and entry["user"] == AUD_A and entry["area"] is None
    assert len(entry["sha256"]) == 64 and entry["note"].endswith("一月")
    assert "2019-01" in invoke("report", "closes", "--db", cli_db).stdout

    same = invoke("report", "monthly", "--month", "2019-01", "--db", cli_db)
    assert "重新计算与结账时完全一致" in same.stdout

    again = invoke("report", "close", "--month", "2019-01", "--user", AUD_B, "--db", cli_db)
    assert again.exit_code == 1 and "--again" in again.stderr

    h8 = cli_session.merge(built["households"]["H8"])
    f.event(cli_session, h8, "identified", dt.date(2019, 1, 15), created_by="王会计")
    cli_session.commit()
    changed = invoke("report", "monthly", "--month", "2019-01", "--db", cli_db)
    assert changed.exit_code == 0
    assert "与结账时不同" in changed.stdout and "王会计" in changed.stdout and "H8" in changed.stdout
    as_json = invoke("report", "monthly", "--month", "2019-01", "--json", "--db", cli_db)
    assert json.loads(as_json.stdout)["areas"][0]["registered_households"] == 7
    assert "与结账时不同" in as_json.stderr


def test_closing_a_month_not_over_is_refused(cli_db):
    next_month = (dt.date.today().replace(day=1) + dt.timedelta(days=32)).strftime("%Y-%m")
    result = invoke("report", "close", "--month", next_month, "--db", cli_db)
    assert result.exit_code == 1 and "还没有结束" in result.stderr


def test_every_report_command_has_help():
    for command in ("monthly", "close", "closes"):
        result = invoke("report", command, "--help")
        assert result.exit_code == 0 and "Example: povmon report" in result.stdout


def test_area_close_through_the_cli_covers_its_villages(cli_db, cli_session):
    _register(cli_session)
    closed = invoke("report", "close", "--month", "2019-01", "--area", "西营镇", "--json", "--user", AUD_A,
                    "--db", cli_db)
    assert closed.exit_code == 0, closed.output
    data = json.loads(closed.stdout)
    assert data["area"] == "141122100" and data["scope"] == "交城县/西营镇"
    village = invoke("report", "monthly", "--month", "2019-01", "--area", "东营村", "--db", cli_db)
    assert "重新计算与结账时完全一致" in village.stdout and "交城县/西营镇" in village.stdout
    other = invoke("report", "monthly", "--month", "2019-01", "--area", "会立乡", "--db", cli_db)
    assert "结账" not in other.stdout  # 会立乡 was not closed
    unknown = invoke("report", "close", "--month", "2019-01", "--area", "东风村", "--db", cli_db)
    assert unknown.exit_code == 1 and "东风村" in unknown.stderr
