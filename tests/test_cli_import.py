"""povmon import / povmon template on the command line: JSON only on stdout, exit codes, --dry-run, --strict,
--errors, refusals as one sentence, and an import killed midway leaving the database as it was."""

import json
import signal
import subprocess
import sys
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import func, select
from typer.testing import CliRunner

from povmon.cli import app
from povmon.models import Household, ImportBatch, Member

from . import workbooks as wb
from .processes import wait_for_pause

EXAMPLE = Path(__file__).parent / "data" / "roster-example.xlsx"
runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def count(session, model):
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


def test_example_json_exactly_and_second_run_unchanged(cli_db, cli_session):
    result = invoke("import", EXAMPLE, "--create-areas", "--json", "--as-of", "2019-01-31", "--db", cli_db)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)  # nothing but JSON on stdout
    assert list(data) == ["batch", "dry_run", "files", "counts", "errors", "warnings"]
    assert data["counts"]["households"] == {"created": 42, "updated": 0, "unchanged": 0, "rejected": 3}
    assert data["counts"]["members"] == {"created": 147, "updated": 0, "unchanged": 0, "rejected": 11}
    assert sorted((e["row"], e["code"]) for e in data["errors"] if e["code"] != "household_rejected") == [
        (11, "id_checksum"), (34, "bad_value"), (55, "multiple_heads"), (56, "multiple_heads")]
    assert result.stderr == ""  # no progress bar when not at a terminal
    again = invoke("import", EXAMPLE, "--create-areas", "--json", "--as-of", "2019-02-28", "--db", cli_db)
    assert again.exit_code == 0
    second = json.loads(again.stdout)
    assert second["batch"] is None
    assert all(c["created"] == 0 and c["updated"] == 0 for c in second["counts"].values())
    assert count(cli_session, ImportBatch) == 1


def test_human_report(cli_db):
    result = invoke("import", EXAMPLE, "--create-areas", "--as-of", "2019-01-31", "--db", cli_db)
    assert result.exit_code == 0
    out = result.stdout
    assert "导入结果" in out and "已导入，批次号 1" in out
    assert "第 11 行【证件号码】" in out and "第 12–14 行" in out and "[household_rejected]" in out


def test_dry_run_reports_the_same_and_writes_nothing(cli_db, cli_session):
    result = invoke("import", EXAMPLE, "--create-areas", "--dry-run", "--json", "--db", cli_db)
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["dry_run"] is True and data["batch"] is None
    assert data["counts"]["households"]["created"] == 42
    assert count(cli_session, Household) == 0 and count(cli_session, ImportBatch) == 0


def test_strict_refuses_with_exit_1_and_writes_nothing(cli_db, cli_session):
    result = invoke("import", EXAMPLE, "--create-areas", "--strict", "--json", "--db", cli_db)
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["batch"] is None and data["counts"]["households"]["rejected"] == 45
    assert "--strict" in result.stderr and result.stderr.count("\n") == 1
    assert count(cli_session, Household) == 0


def test_errors_workbook_option(cli_db, tmp_path):
    out = tmp_path / "错误.xlsx"
    result = invoke("import", EXAMPLE, "--create-areas", "--errors", out, "--db", cli_db)
    assert result.exit_code == 0 and out.exists()
    book = load_workbook(out)
    assert book.sheetnames[0] == "错误清单"  # what a clerk prints first; then the rows in the file's layout
    ws = book.worksheets[1]
    assert ws.max_row == 2 + 11  # title, header, the 11 rejected rows
    assert "错误.xlsx" in result.stdout


def test_refusals_are_one_sentence_with_exit_1(cli_db, tmp_path):
    missing = invoke("import", tmp_path / "none.xlsx", "--db", cli_db)
    assert missing.exit_code == 1 and "找不到文件" in missing.stderr
    text = tmp_path / "notes.txt"
    text.write_text("hello", encoding="utf-8")
    wrong = invoke("import", text, "--db", cli_db)
    assert wrong.exit_code == 1 and "不是 Excel 文件" in wrong.stderr
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 this is not a workbook")
    damaged = invoke("import", broken, "--db", cli_db)
    assert damaged.exit_code == 1 and "无法读取" in damaged.stderr
    other = wb.write(tmp_path / "other.xlsx", {"S": [["品名", "数量"], ["化肥", 3]]})
    unknown = invoke("import", other, "--db", cli_db)
    assert unknown.exit_code == 1 and "没有能识别的表" in unknown.stderr
    bad_mapping = tmp_path / "m.toml"
    bad_mapping.write_text("[columns\n", encoding="utf-8")
    mapped = invoke("import", EXAMPLE, "--mapping", bad_mapping, "--db", cli_db)
    assert mapped.exit_code == 1 and "格式有误" in mapped.stderr
    twice = invoke("import", EXAMPLE, EXAMPLE, "--db", cli_db)
    assert twice.exit_code == 1 and "同一个文件" in twice.stderr
    for r in (missing, wrong, damaged, unknown, mapped, twice):
        assert "Traceback" not in r.output and r.stderr.count("\n") == 1


def test_wrong_command_lines_exit_2(cli_db, tmp_path):
    assert invoke("import", "--db", cli_db).exit_code == 2
    assert invoke("import", EXAMPLE, "--as-of", "2019-13-01", "--db", cli_db).exit_code == 2
    assert invoke("import", EXAMPLE, "--errors", tmp_path / "e.csv", "--db", cli_db).exit_code == 2
    assert invoke("import", EXAMPLE, "--no-such-option", "--db", cli_db).exit_code == 2
    assert invoke("template").exit_code == 2
    assert invoke("template", tmp_path / "t.csv").exit_code == 2


def test_template_command(tmp_path):
    out = tmp_path / "模板.xlsx"
    result = invoke("template", out)
    assert result.exit_code == 0 and out.exists() and "povmon import" in result.stdout
    assert "户信息" in load_workbook(out).sheetnames
    missing_dir = invoke("template", tmp_path / "no" / "t.xlsx")
    assert missing_dir.exit_code == 1 and "不存在" in missing_dir.stderr


def test_commands_have_help():
    for command in ("import", "template"):
        result = invoke(command, "--help")
        assert result.exit_code == 0 and "Example:" in result.stdout


# povmon import with a progress listener that stops at the first rows written: the test's own pause, injected
# through ImportOptions.progress (the listener a terminal's progress bar is), not a hook in the importer
PAUSED_IMPORT = """
import sys, time
from povmon.cli import importing, main

class Paused(importing.ImportProgress):
    def __enter__(self):
        def pause(stage, done, total):
            if stage == "写入" and done:
                sys.stderr.write("povmon: import paused mid-transaction\\n")
                sys.stderr.flush()
                time.sleep(60)
        return pause

importing.ImportProgress = Paused
sys.argv = ["povmon", *sys.argv[1:]]
main()
"""


def _start_paused_import(cli_db, tmp_path):
    proc = subprocess.Popen(
        [sys.executable, "-c", PAUSED_IMPORT, "import", str(EXAMPLE), "--create-areas", "--json", "--db", cli_db],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path,
        # Ctrl-C reaches the child whoever started the tests: a shell's background job inherits SIGINT ignored, and
        # Python then installs no KeyboardInterrupt handler (CI runs the two database passes side by side)
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    wait_for_pause(proc, "the import")
    return proc


def test_an_import_killed_midway_leaves_the_database_unchanged(cli_db, cli_session, tmp_path):
    proc = _start_paused_import(cli_db, tmp_path)  # households written, members not yet, nothing committed
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert count(cli_session, Household) == 0 and count(cli_session, Member) == 0
    assert count(cli_session, ImportBatch) == 0
    # and the database is still fine for the next import
    result = invoke("import", EXAMPLE, "--create-areas", "--json", "--db", cli_db)
    assert result.exit_code == 0 and json.loads(result.stdout)["counts"]["households"]["created"] == 42


def test_ctrl_c_midway_rolls_back_and_says_so(cli_db, cli_session, tmp_path):
    proc = _start_paused_import(cli_db, tmp_path)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 1 and "中断" in err and "Traceback" not in err and out == ""
    assert count(cli_session, Household) == 0 and count(cli_session, ImportBatch) == 0
