"""Issue 10: the database — never created by reading, every --db failure one sentence, --db/--user before the
sub-command, backups (items 4, 5, 7, 19)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from povmon.cli import app
from povmon.config import normalize_url
from povmon.db import make_engine
from povmon.models import Area, AuditLog
from tests.factories import acting

from .conftest import TEST_URL, _is_pg

CLERK_WANG = acting("乡镇专干王")

EXAMPLE = Path(__file__).parent / "data" / "roster-example.xlsx"
runner = CliRunner()


def sqlite_file(url: str):
    """The SQLite file of a test database URL (None for a server)."""
    parsed = make_url(normalize_url(url))
    return Path(parsed.database) if parsed.get_backend_name() == "sqlite" else None


def invoke(*args, env=None):
    return runner.invoke(app, [str(a) for a in args], env=env)


def one_sentence(result) -> str:
    """The refusal: exit 1, one line on stderr in Chinese, no traceback."""
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("错误："), result.stderr
    return lines[0]


# --- item 4: reading never creates a database ------------------------------------------------------------------

@pytest.mark.parametrize("args", [
    ("db", "current"), ("db", "check"), ("household", "list"), ("household", "show", "1411221020010001"),
    ("report", "monthly", "--month", "2019-01"), ("lines", "list"), ("ledger", "1411221020010001"),
    ("area", "list"),
], ids=" ".join)
def test_reading_a_missing_database_creates_nothing(args, tmp_path):
    database = tmp_path / "povmon.db"
    line = one_sentence(invoke(*args, "--db", database))
    assert "不存在" in line and "povmon db upgrade" in line
    assert list(tmp_path.iterdir()) == []


def test_the_default_database_is_not_created_by_reading(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("POVMON_DATABASE_URL", raising=False)
    one_sentence(invoke("db", "current"))
    assert not (tmp_path / "povmon.db").exists()
    assert invoke("db", "upgrade").exit_code == 0 and (tmp_path / "povmon.db").is_file()  # upgrade does


# --- item 5: every --db failure is one sentence ----------------------------------------------------------------

def _read_only(path: Path):
    """Make a file unwritable, even for root (whose writes chmod does not stop); returns the undo."""
    if os.geteuid() == 0:
        if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(path)]).returncode != 0:
            pytest.skip("running as root without chattr: a read-only file cannot be made")
        return lambda: subprocess.run(["chattr", "-i", str(path)], check=True)
    path.chmod(0o444)
    return lambda: path.chmod(0o600)


def _migrated_copy(_cli_template: str, folder: Path) -> Path:
    copy = folder / "county.db"
    shutil.copyfile(make_url(_cli_template).database, copy)
    return copy


FAILURES = ["not a database (a workbook)", "not a database (/etc/passwd)", "unsupported scheme", "a folder",
            "a read-only file", "a missing folder", "a server that does not answer", "wrong credentials",
            "no such database on the server", "a newer schema", "a locked SQLite file"]


@pytest.mark.parametrize("case", FAILURES)
def test_db_failures_are_one_sentence(case, tmp_path, _cli_template):
    undo = None
    command = ("household", "list")
    env = None
    if case == "not a database (a workbook)":
        db, expected = str(EXAMPLE), "不是 povmon 的 SQLite 数据库"
    elif case == "not a database (/etc/passwd)":
        db, expected = "/etc/passwd", "不是 povmon 的 SQLite 数据库"
    elif case == "unsupported scheme":
        db, expected = "mysql://clerk@127.0.0.1/povmon", "不支持的数据库类型"
    elif case == "a folder":
        db, expected = str(tmp_path), "是一个文件夹"
    elif case == "a read-only file":
        if _is_pg():
            pytest.skip("a file case: runs in the SQLite pass")
        database = _migrated_copy(_cli_template, tmp_path)
        with sqlite3.connect(database) as conn:  # leave the file in DELETE mode: no -wal/-shm beside it
            conn.execute("PRAGMA journal_mode=DELETE")
        conn.close()
        undo = _read_only(database)
        db, expected = str(database), "只读"
        command = ("area", "add", "交城县", "--level", "县", "--code", "141122")
    elif case == "a missing folder":
        db, expected = str(tmp_path / "没有这个文件夹" / "povmon.db"), "文件夹不存在"
    elif case == "a server that does not answer":
        db, expected = "postgresql://postgres@127.0.0.1:1/povmon", "无法连接数据库服务器 127.0.0.1:1"
    elif case == "wrong credentials":
        if not _is_pg():
            pytest.skip("needs the PostgreSQL server of the PostgreSQL pass")
        db = make_url(normalize_url(TEST_URL)).set(username="nobody_povmon", password="wrong").render_as_string(
            hide_password=False)
        expected = "拒绝了用户 nobody_povmon 的登录"
    elif case == "no such database on the server":
        if not _is_pg():
            pytest.skip("needs the PostgreSQL server of the PostgreSQL pass")
        db = make_url(normalize_url(TEST_URL)).set(database="povmon_no_such_db").render_as_string(hide_password=False)
        expected = "服务器上没有数据库 povmon_no_such_db"
    elif case == "a newer schema":
        db = _cli_template if not _is_pg() else None
        if _is_pg():
            pytest.skip("covered by test_a_newer_schema_is_refused_everywhere on both databases")
        database = _migrated_copy(_cli_template, tmp_path)
        with sqlite3.connect(database) as conn:
            conn.execute("UPDATE alembic_version SET version_num = '9999'")
        conn.close()
        db, expected = str(database), "比本程序新"
    elif case == "a locked SQLite file":
        if _is_pg():
            pytest.skip("a file case: runs in the SQLite pass")
        database = _migrated_copy(_cli_template, tmp_path)
        holder = subprocess.Popen(
            [sys.executable, "-c", "import sqlite3, sys, time; c = sqlite3.connect(sys.argv[1], isolation_level=None);"
             " c.execute('BEGIN EXCLUSIVE'); print('locked', flush=True); time.sleep(30)", str(database)],
            stdout=subprocess.PIPE, text=True)
        assert holder.stdout.readline().strip() == "locked"
        undo = lambda: (holder.kill(), holder.wait())  # noqa: E731
        db, expected = str(database), f"进程 {holder.pid}"
        command = ("area", "add", "交城县", "--level", "县", "--code", "141122")
        env = {"POVMON_BUSY_TIMEOUT": "1"}
    try:
        started = time.monotonic()
        line = one_sentence(invoke(*command, "--db", db, env=env))
        if case == "a locked SQLite file":
            assert time.monotonic() - started >= 0.9  # it waited for the busy timeout first
            assert "等了 1 秒" in line
    finally:
        if undo is not None:
            undo()
    assert expected in line, line


def test_a_newer_schema_is_refused_everywhere(cli_db):
    engine = make_engine(cli_db)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    for args in (("db", "current"), ("db", "check"), ("db", "upgrade"), ("household", "list")):
        line = one_sentence(invoke(*args, "--db", cli_db))
        assert "9999" in line and "比本程序新" in line and "升级" in line


# --- item 7: --db and --user before the sub-command -------------------------------------------------------------

def test_db_and_user_before_the_sub_command(cli_db, cli_session):
    added = invoke("--db", cli_db, "--user", CLERK_WANG, "area", "add", "交城县", "--level", "县", "--code", "141122")
    assert added.exit_code == 0, added.output
    listed = invoke("--db", cli_db, "area", "list")
    assert listed.exit_code == 0 and "交城县" in listed.stdout
    cli_session.expire_all()
    assert cli_session.scalar(select(AuditLog.user).where(AuditLog.table_name == "area")) == CLERK_WANG
    assert cli_session.scalar(select(Area.name)) == "交城县"


def test_after_the_sub_command_wins(cli_db, tmp_path):
    missing = tmp_path / "none.db"
    result = invoke("--db", missing, "area", "list", "--db", cli_db)
    assert result.exit_code == 0, result.output
    assert not missing.exists()


# --- item 19: backup and restore ------------------------------------------------------------------------------

def _areas(url: str) -> list[str]:
    engine = make_engine(url)
    with engine.connect() as conn:
        names = sorted(conn.scalars(select(Area.name)))
    engine.dispose()
    return names


def test_backup_and_restore(cli_db, tmp_path):
    if _is_pg() and shutil.which("pg_dump") is None:
        pytest.skip("no pg_dump on this machine")
    assert invoke("area", "add", "交城县", "--level", "县", "--code", "141122", "--db", cli_db).exit_code == 0
    copy = tmp_path / "备份" / "登记簿.db"
    copy.parent.mkdir()
    made = invoke("db", "backup", copy, "--db", cli_db)
    assert made.exit_code == 0, made.output
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert sorted(p.name for p in copy.parent.iterdir()) == ["登记簿.db"]  # one file, no -wal beside it
    assert invoke("area", "add", "文水县", "--level", "县", "--db", cli_db).exit_code == 0
    assert _areas(cli_db) == ["交城县", "文水县"]
    refused = one_sentence(invoke("db", "restore", copy, "--db", cli_db))
    assert "--force" in refused and _areas(cli_db) == ["交城县", "文水县"]
    restored = invoke("db", "restore", copy, "--force", "--db", cli_db)
    assert restored.exit_code == 0, restored.output
    assert _areas(cli_db) == ["交城县"]
    assert invoke("db", "check", "--db", cli_db).exit_code == 0


def test_restore_into_a_new_sqlite_file_and_refusals(cli_db, tmp_path):
    if _is_pg():
        pytest.skip("SQLite files: runs in the SQLite pass")
    copy = tmp_path / "copy.db"
    assert invoke("db", "backup", copy, "--db", cli_db).exit_code == 0
    fresh = tmp_path / "new" / "county.db"
    fresh.parent.mkdir()
    assert invoke("db", "restore", copy, "--db", fresh).exit_code == 0
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o600 and _areas(f"sqlite:///{fresh}") == []
    assert "不是 SQLite 数据库的备份" in one_sentence(invoke("db", "restore", EXAMPLE, "--db", fresh, "--force"))
    assert "就是要恢复的数据库本身" in one_sentence(invoke("db", "restore", fresh, "--db", fresh, "--force"))


def test_backup_while_another_connection_reads(cli_db, tmp_path):
    path = sqlite_file(cli_db)
    if path is None:
        pytest.skip("the online copy of a SQLite file")
    reader = sqlite3.connect(path, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM area").fetchone()
    try:
        assert invoke("db", "backup", tmp_path / "b.db", "--db", cli_db).exit_code == 0
    finally:
        reader.rollback()
        reader.close()
