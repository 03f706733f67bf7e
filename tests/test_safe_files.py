"""Issue 10: no file a command writes destroys what the user has (items 1, 2, 3, 17, 18, 21 — files).

Every command that writes a file refuses an existing target unless --force, never writes over one of its own
inputs (even with --force), writes atomically (a kill leaves the old file or the complete new one), and files
holding personal data are owner-only.
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from povmon.cli import app
from povmon.config import normalize_url
from povmon.models import AuditLog

from . import ledger_register as reg

EXAMPLE = Path(__file__).parent / "data" / "roster-example.xlsx"
runner = CliRunner()


def sqlite_file(url: str):
    """The SQLite file of a test database URL (None for a server)."""
    parsed = make_url(normalize_url(url))
    return Path(parsed.database) if parsed.get_backend_name() == "sqlite" else None
OLD = b"the clerk's own workbook, 5.9 MB of filled rows"


def invoke(*args, env=None):
    return runner.invoke(app, [str(a) for a in args], env=env)


def sqlite_only(url: str) -> None:
    if sqlite_file(url) is None:
        pytest.skip("the database is a server, not a file a command could write over")


# --- item 2: an existing target is refused without --force, replaced with it --------------------------------

def _commands(tmp_path: Path, db: str) -> dict:
    """Each command that writes one file, with the target it writes (the arguments after the target's name)."""
    return {
        "template": lambda out, *extra: invoke("template", out, *extra),
        "import --errors": lambda out, *extra: invoke("import", EXAMPLE, "--create-areas", "--as-of", "2019-01-31",
                                                      "--errors", out, *extra, "--db", db),
        "ledger -o": lambda out, *extra: invoke("ledger", reg.A_CODE, "--as-of", "2019-12-31", "-o", out, *extra,
                                                "--db", db),
        "report monthly -o": lambda out, *extra: invoke("report", "monthly", "--month", "2019-12", "-o", out, *extra,
                                                        "--db", db),
        "db backup": lambda out, *extra: invoke("db", "backup", out, *extra, "--db", db),
    }


@pytest.mark.parametrize("command", ["template", "import --errors", "ledger -o", "report monthly -o", "db backup"])
def test_an_existing_file_is_refused_and_replaced_only_with_force(command, cli_db, cli_session, tmp_path):
    if command == "db backup" and not _pg_dump_usable(cli_db):
        pytest.skip("no pg_dump for this server")
    reg.build(cli_session)
    cli_session.commit()
    run = _commands(tmp_path, cli_db)[command]
    target = tmp_path / ("备份.db" if command == "db backup" else "已填好的.xlsx")
    target.write_bytes(OLD)
    refused = run(target)
    assert refused.exit_code == 1, refused.output
    assert "已经存在" in refused.stderr and "--force" in refused.stderr and "Traceback" not in refused.output
    assert target.read_bytes() == OLD
    replaced = run(target, "--force")
    assert replaced.exit_code == 0, replaced.output
    assert target.read_bytes() != OLD
    if command != "db backup":
        load_workbook(target)  # a complete workbook took the old file's place


def _pg_dump_usable(url: str) -> bool:
    import shutil

    return sqlite_file(url) is not None or shutil.which("pg_dump") is not None


def test_ledger_default_file_in_the_current_folder_is_not_overwritten(cli_db, cli_session, tmp_path, monkeypatch):
    reg.build(cli_session)
    cli_session.commit()
    monkeypatch.chdir(tmp_path)
    first = invoke("ledger", reg.A_CODE, "--as-of", "2019-12-31", "--db", cli_db)
    assert first.exit_code == 0, first.output
    [made] = list(tmp_path.glob("五本账_*.xlsx"))
    made.write_bytes(OLD)
    second = invoke("ledger", reg.A_CODE, "--as-of", "2019-12-31", "--db", cli_db)
    assert second.exit_code == 1 and "已经存在" in second.stderr and made.read_bytes() == OLD


def test_ledger_split_refuses_a_household_file_that_exists(cli_db, cli_session, tmp_path):
    reg.build(cli_session)
    cli_session.commit()
    folder = tmp_path / "每户"
    first = invoke("ledger", reg.A_CODE, reg.B_CODE, "--split", "-o", folder, "--as-of", "2019-12-31", "--db", cli_db)
    assert first.exit_code == 0, first.output
    kept = sorted(folder.glob("*.xlsx"))[0]
    kept.write_bytes(OLD)
    again = invoke("ledger", reg.A_CODE, reg.B_CODE, "--split", "-o", folder, "--as-of", "2019-12-31", "--db", cli_db)
    assert again.exit_code == 1 and "已经存在" in again.stderr and kept.read_bytes() == OLD
    forced = invoke("ledger", reg.A_CODE, reg.B_CODE, "--split", "-o", folder, "--as-of", "2019-12-31", "--force",
                    "--db", cli_db)
    assert forced.exit_code == 0 and kept.read_bytes() != OLD


def test_sample_generate_refuses_existing_workbooks(tmp_path):
    from povmon.sample import FILES

    (tmp_path / FILES[0]).write_bytes(OLD)
    refused = invoke("sample", "generate", tmp_path)
    assert refused.exit_code == 1 and "--force" in refused.stderr
    assert (tmp_path / FILES[0]).read_bytes() == OLD and not (tmp_path / FILES[1]).exists()


def test_a_command_never_writes_over_its_own_input_even_with_force(cli_db, tmp_path):
    roster = tmp_path / "花名册.xlsx"
    roster.write_bytes(EXAMPLE.read_bytes())
    before = roster.read_bytes()
    result = invoke("import", roster, "--create-areas", "--as-of", "2019-01-31", "--errors", roster, "--force",
                    "--db", cli_db)
    assert result.exit_code == 1 and "正是本命令要读取的文件" in result.stderr
    assert roster.read_bytes() == before
    mapping = tmp_path / "对照.toml"
    mapping.write_text('[columns]\n"家庭代码" = "户编号"\n', encoding="utf-8")
    named = mapping.with_suffix(".xlsx")
    os.link(mapping, named)  # the same file under another name is still the input
    again = invoke("import", roster, "--mapping", mapping, "--errors", named, "--force", "--db", cli_db)
    assert again.exit_code == 1 and "正是本命令要读取的文件" in again.stderr


def test_the_database_is_an_input_of_every_command_that_uses_it(cli_db, cli_session):
    sqlite_only(cli_db)
    reg.build(cli_session)
    cli_session.commit()
    database = sqlite_file(cli_db)
    size = database.stat().st_size
    named = database.with_name("登记簿.xlsx")
    os.link(database, named)  # the database under a workbook's name is still the database
    for args in (("report", "monthly", "--month", "2019-12", "-o", named, "--force"),
                 ("ledger", reg.A_CODE, "--as-of", "2019-12-31", "-o", named, "--force"),
                 ("db", "backup", database, "--force")):
        result = invoke(*args, "--db", cli_db)
        assert result.exit_code == 1 and "正是本命令要读取的文件" in result.stderr, result.output
    assert database.stat().st_size == size


# --- item 1 and 19: demo never touches a database it did not create ---------------------------------------------

@pytest.mark.skipif(bool(os.environ.get("POVMON_TEST_DATABASE_URL")), reason="the demo is SQLite only")
def test_demo_refuses_a_folder_with_the_offices_database(tmp_path, _cli_template):
    folder = tmp_path / "县扶贫办"
    folder.mkdir()
    office = folder / "povmon.db"
    office.write_bytes(Path(_cli_template.removeprefix("sqlite:///")).read_bytes())  # a real povmon register
    before = office.read_bytes()
    for extra in ((), ("--force",)):
        result = invoke("demo", folder, *extra)
        assert result.exit_code == 1, result.output
        assert "不是演示建立的" in result.stderr and "povmon demo povmon-demo" in result.stderr
        assert office.read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == ["povmon.db"]  # nothing written beside it either


@pytest.mark.skipif(bool(os.environ.get("POVMON_TEST_DATABASE_URL")), reason="the demo is SQLite only")
def test_demo_never_takes_the_default_database_place(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("POVMON_DATABASE_URL", raising=False)
    here = invoke("demo", ".")
    assert here.exit_code == 1 and "默认数据库" in here.stderr and not (tmp_path / "povmon.db").exists()
    office = tmp_path / "county" / "county.db"
    office.parent.mkdir()
    monkeypatch.setenv("POVMON_DATABASE_URL", str(office))
    named = invoke("demo", "county")
    assert named.exit_code == 0 or "默认数据库" not in named.stderr  # county/povmon.db is not county.db
    assert not office.exists()


# --- item 3 and 21: atomic writes, tested with a kill ---------------------------------------------------------

WRITER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from povmon import xlsx
    from povmon.xlsxstream import StreamingWorkbook
    book = StreamingWorkbook(Path(sys.argv[1]), print_setup=lambda ws: xlsx.a4(ws))
    style = book.styles.id(font=xlsx.FONT)
    print("writing", flush=True)
    for n in range(400):
        sheet = book.add_sheet(f"户{n}", [12, 30])
        for r in range(200):
            sheet.append([(f"第{r}行", style), ("某某" * 10, style)])
        sheet.close()
        time.sleep(0.01)
    book.close()
    print("done", flush=True)
""")


def _start_writer(target: Path) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-c", WRITER, str(target)], stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "writing"
    return process


@pytest.mark.parametrize("delay", [0.0, 0.3, 1.0])
def test_a_kill_leaves_the_old_file_whole(tmp_path, delay):
    from povmon import files

    target = tmp_path / "五本账.xlsx"
    target.write_bytes(OLD)
    process = _start_writer(target)
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert target.read_bytes() == OLD  # never a part of the new workbook at the target path
    assert not list(tmp_path.glob("*.part"))  # no NAME.xlsx.part beside it (item 21)
    leftovers = [p for p in tmp_path.iterdir() if p != target]
    assert all(p.name.startswith(".五本账.xlsx.") and p.name.endswith(files.TEMP_SUFFIX) for p in leftovers)
    assert files.remove_stale(target) == leftovers  # the next write to the target clears what kill -9 left
    assert sorted(tmp_path.iterdir()) == [target]


def test_a_caught_kill_leaves_nothing_behind(tmp_path):
    target = tmp_path / "五本账.xlsx"
    process = _start_writer(target)
    time.sleep(0.3)
    process.send_signal(signal.SIGTERM)
    assert process.wait() == -signal.SIGTERM  # ended as killed, the temporary file removed first
    assert list(tmp_path.iterdir()) == []


def test_a_write_that_finishes_replaces_the_file_complete(tmp_path):
    target = tmp_path / "五本账.xlsx"
    target.write_bytes(OLD)
    process = _start_writer(target)
    assert process.stdout.readline().strip() == "done" and process.wait() == 0
    assert len(load_workbook(target, read_only=True).sheetnames) == 400
    assert sorted(tmp_path.iterdir()) == [target]


def test_an_error_while_writing_leaves_the_target_untouched(tmp_path):
    from povmon import files

    target = tmp_path / "模板.xlsx"
    target.write_bytes(OLD)
    with pytest.raises(RuntimeError), files.atomic(target) as temporary:
        temporary.write_bytes(b"half")
        raise RuntimeError("the writer failed")
    assert target.read_bytes() == OLD and sorted(tmp_path.iterdir()) == [target]


# --- item 17: --show-ids audits before any file holds the IDs --------------------------------------------------

def test_show_ids_audit_is_committed_before_the_file_is_written(cli_db, cli_session, tmp_path, monkeypatch):
    from povmon.reports import ledger_xlsx

    reg.build(cli_session)
    cli_session.commit()
    seen = {}
    original = ledger_xlsx.write_workbook

    def spy(ledgers, path, **kwargs):
        cli_session.expire_all()  # another connection: only what is committed is visible
        seen["audited"] = cli_session.scalar(select(func.count()).select_from(AuditLog).where(
            AuditLog.action == "export"))
        return original(ledgers, path, **kwargs)

    monkeypatch.setattr(ledger_xlsx, "write_workbook", spy)
    out = tmp_path / "全号.xlsx"
    result = invoke("ledger", reg.A_CODE, reg.B_CODE, "--show-ids", "--as-of", "2019-12-31", "-o", out, "--db", cli_db)
    assert result.exit_code == 0, result.output
    assert seen["audited"] == 2 and out.is_file()


def test_show_ids_failing_to_audit_leaves_no_file(cli_db, cli_session, tmp_path, monkeypatch):
    from povmon.services import exports

    reg.build(cli_session)
    cli_session.commit()

    def busy(*args, **kwargs):
        from sqlalchemy.exc import OperationalError

        raise OperationalError("INSERT INTO audit_log", {}, Exception("database is locked"))

    monkeypatch.setattr(exports, "record_unmasked_export", busy)
    folder = tmp_path / "out"
    folder.mkdir()
    result = invoke("ledger", reg.A_CODE, "--show-ids", "--as-of", "2019-12-31", "-o", folder / "全号.xlsx",
                    "--db", cli_db)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert list(folder.iterdir()) == []


def test_show_ids_while_another_writer_holds_the_database(cli_db, cli_session, tmp_path):
    sqlite_only(cli_db)
    import sqlite3

    reg.build(cli_session)
    cli_session.commit()
    holder = sqlite3.connect(sqlite_file(cli_db), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another povmon is writing
    folder = tmp_path / "out"
    folder.mkdir()
    try:
        result = invoke("ledger", reg.A_CODE, "--show-ids", "--as-of", "2019-12-31", "-o", folder / "全号.xlsx",
                        "--db", cli_db, env={"POVMON_BUSY_TIMEOUT": "0.5"})
    finally:
        holder.rollback()
        holder.close()
    assert result.exit_code == 1 and "正被" in result.stderr, result.output
    assert list(folder.iterdir()) == []
    cli_session.expire_all()
    assert cli_session.scalar(select(func.count()).select_from(AuditLog)) == 0


# --- item 18: owner-only files ---------------------------------------------------------------------------------

def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_database_and_its_wal_are_owner_only(tmp_path):
    database = tmp_path / "county.db"
    result = invoke("db", "upgrade", "--db", database)
    assert result.exit_code == 0, result.output
    assert _mode(database) == 0o600
    area = invoke("area", "add", "交城县", "--level", "县", "--code", "141122", "--db", database)
    assert area.exit_code == 0, area.output
    for extra in tmp_path.glob("county.db-*"):
        assert _mode(extra) == 0o600, extra


def test_files_holding_ids_are_owner_only(cli_db, cli_session, tmp_path):
    reg.build(cli_session)
    cli_session.commit()
    ledger = tmp_path / "全号.xlsx"
    report = tmp_path / "月报.xlsx"
    errors = tmp_path / "错误.xlsx"
    assert invoke("ledger", reg.A_CODE, "--show-ids", "--as-of", "2019-12-31", "-o", ledger, "--db", cli_db).exit_code \
        == 0
    assert invoke("report", "monthly", "--month", "2019-12", "-o", report, "--db", cli_db).exit_code == 0
    assert invoke("import", EXAMPLE, "--create-areas", "--as-of", "2019-01-31", "--errors", errors,
                  "--db", cli_db).exit_code == 0
    for path in (ledger, report, errors):
        assert _mode(path) == 0o600, path
    old = os.umask(0o022)
    try:
        template = tmp_path / "模板.xlsx"
        assert invoke("template", template).exit_code == 0
        assert _mode(template) == 0o644  # no one's data: as any program makes a file
    finally:
        os.umask(old)
