"""povmon ledger from the command line: selections, output paths, --split, --show-ids audit, refusals."""

from __future__ import annotations

from openpyxl import load_workbook
from sqlalchemy import select
from typer.testing import CliRunner

from povmon.cli import app
from povmon.models import AuditLog
from tests.factories import acting

from . import ledger_register as reg

AUD = acting("auditor1")

runner = CliRunner()
NAMES = {reg.A_CODE: f"{reg.A_CODE} 张建国", reg.B_CODE: f"{reg.B_CODE} 刘大山", reg.C_CODE: f"{reg.C_CODE} 丁红梅"}


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def setup(cli_session) -> dict:
    objs = reg.build(cli_session)
    cli_session.commit()
    return objs


def sheets(path) -> list[str]:
    return load_workbook(path).sheetnames


def test_codes_write_one_workbook_and_say_where(cli_db, cli_session, tmp_path):
    setup(cli_session)
    out = tmp_path / "两户.xlsx"
    result = invoke("ledger", reg.C_CODE, reg.A_CODE, "-o", out, "--as-of", "2019-12-31", "--db", cli_db)
    assert result.exit_code == 0, result.output
    assert sheets(out) == [NAMES[reg.C_CODE], NAMES[reg.A_CODE]]
    assert "已生成 2 户的五本账（截至 2019-12-31）" in result.stdout and str(out) in result.stdout
    assert cli_session.scalars(select(AuditLog)).all() == []  # masked: nothing to record


def test_village_township_and_cadre_selections(cli_db, cli_session, tmp_path):
    objs = setup(cli_session)
    cases = [
        (["--village", "东营村"], [reg.A_CODE, reg.B_CODE]),
        (["--township", "会立乡"], [reg.C_CODE]),
        (["--township", "西营镇", "--village", "东营村"], [reg.A_CODE, reg.B_CODE]),
        (["--cadre", objs["li"].id_number], [reg.C_CODE]),  # 李四's pairing with A was replaced in 2019
        (["--cadre", "赵六"], [reg.A_CODE, reg.B_CODE]),
    ]
    for number, (selection, codes) in enumerate(cases):
        out = tmp_path / f"{number}.xlsx"
        result = invoke("ledger", *selection, "--as-of", "2019-12-31", "-o", out, "--db", cli_db)
        assert result.exit_code == 0, (selection, result.output)
        assert sheets(out) == [NAMES[c] for c in codes], selection
    earlier = invoke("ledger", "--cadre", "李四", "--as-of", "2018-06-01", "-o", tmp_path / "e.xlsx", "--db", cli_db)
    assert earlier.exit_code == 0 and sheets(tmp_path / "e.xlsx") == [NAMES[reg.A_CODE], NAMES[reg.C_CODE]]


def test_default_output_is_in_the_current_folder(cli_db, cli_session, tmp_path, monkeypatch):
    setup(cli_session)
    monkeypatch.chdir(tmp_path)
    result = invoke("ledger", "--village", "东营村", "--as-of", "2019-12-31", "--db", cli_db)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "五本账_东营村_2019-12-31.xlsx").is_file()
    assert "五本账_东营村_2019-12-31.xlsx" in result.stdout
    folder = tmp_path / "folder"
    folder.mkdir()
    assert invoke("ledger", reg.A_CODE, "-o", folder, "--as-of", "2019-12-31", "--db", cli_db).exit_code == 0
    assert (folder / f"五本账_{reg.A_CODE}_2019-12-31.xlsx").is_file()


def test_split_writes_a_folder_of_files(cli_db, cli_session, tmp_path, monkeypatch):
    setup(cli_session)
    monkeypatch.chdir(tmp_path)
    result = invoke("ledger", "--cadre", "赵六", "--split", "--as-of", "2019-12-31", "--db", cli_db)
    assert result.exit_code == 0, result.output
    folder = tmp_path / "五本账_赵六_2019-12-31"
    assert sorted(p.name for p in folder.iterdir()) == [f"{reg.A_CODE}_张建国.xlsx", f"{reg.B_CODE}_刘大山.xlsx"]
    assert sheets(folder / f"{reg.B_CODE}_刘大山.xlsx") == [NAMES[reg.B_CODE]]
    chosen = tmp_path / "mine"
    assert invoke("ledger", reg.C_CODE, "--split", "-o", chosen, "--db", cli_db).exit_code == 0
    assert [p.name for p in chosen.iterdir()] == [f"{reg.C_CODE}_丁红梅.xlsx"]


def test_show_ids_prints_full_numbers_and_is_audited(cli_db, cli_session, tmp_path):
    objs = setup(cli_session)
    out = tmp_path / "ids.xlsx"
    result = invoke("ledger", "--village", "东营村", "--show-ids", "-o", out, "--as-of", "2019-12-31",
                    "--db", cli_db, "--user", AUD)
    assert result.exit_code == 0, result.output
    texts = " ".join(str(c.value) for row in load_workbook(out).worksheets[0].iter_rows() for c in row if c.value)
    assert objs["a"].members[0].id_number in texts
    rows = cli_session.scalars(select(AuditLog).order_by(AuditLog.id)).all()
    assert [(r.action, r.user, r.table_name, r.row_id) for r in rows] == [
        ("export", AUD, "household", objs["a"].id), ("export", AUD, "household", objs["b"].id)]
    assert reg.A_CODE in rows[0].note and "--show-ids" in rows[0].note


def test_unknown_selections_exit_1_with_one_sentence(cli_db, cli_session, tmp_path, monkeypatch):
    setup(cli_session)
    monkeypatch.chdir(tmp_path)
    cases = [
        (["NOPE"], "没有户编号为 NOPE 的户"),
        (["--village", "西村"], "没有名为 西村 的村"),
        (["--township", "东乡"], "没有名为 东乡 的乡镇"),
        (["--cadre", "142323197505050000"], "没有身份证号或姓名为 142323197505050000 的帮扶干部"),
        (["--cadre", "李四", "--as-of", "2015-01-01"], "没有结对帮扶的户"),
    ]
    for args, message in cases:
        result = invoke("ledger", *args, "--db", cli_db)
        assert result.exit_code == 1, args
        assert message in result.stderr and result.stderr.count("\n") == 1, result.stderr
        assert "Traceback" not in result.output
    assert not list(tmp_path.glob("*.xlsx*")) and not list(tmp_path.glob("五本账*"))  # nothing written


def test_a_wrong_command_line_exits_2(cli_db, tmp_path):
    assert invoke("ledger", "--db", cli_db).exit_code == 2
    assert invoke("ledger", reg.A_CODE, "--village", "东营村", "--db", cli_db).exit_code == 2
    assert invoke("ledger", reg.A_CODE, "-o", tmp_path / "out.txt", "--db", cli_db).exit_code == 2
    assert invoke("ledger", reg.A_CODE, "--as-of", "2019-02-30", "--db", cli_db).exit_code == 2


def test_output_problems_are_one_sentence(cli_db, cli_session, tmp_path):
    setup(cli_session)
    missing = invoke("ledger", reg.A_CODE, "-o", tmp_path / "no" / "such.xlsx", "--db", cli_db)
    assert missing.exit_code == 1 and "文件夹" in missing.stderr and "不存在" in missing.stderr
    (tmp_path / "file").write_text("x")
    clash = invoke("ledger", reg.A_CODE, "--split", "-o", tmp_path / "file", "--db", cli_db)
    assert clash.exit_code == 1 and "--split 需要一个文件夹" in clash.stderr


def test_ledger_has_help():
    result = invoke("ledger", "--help")
    assert result.exit_code == 0
    for option in ("--village", "--township", "--cadre", "--split", "--show-ids", "--as-of", "-o"):
        assert option in result.stdout


def test_form_writes_the_visit_form(cli_db, cli_session, tmp_path):
    setup(cli_session)
    result = invoke("ledger", "--form", reg.A_CODE, "-o", tmp_path, "--as-of", "2019-12-31", "--db", cli_db)
    assert result.exit_code == 0, result.output
    assert "已生成 1 户的入户核实表（截至 2019-12-31）" in result.stdout
    written = list(tmp_path.glob("入户核实表_*.xlsx"))
    assert len(written) == 1, written
    assert load_workbook(written[0]).active["A1"].value.endswith("2019年入户核实表")
