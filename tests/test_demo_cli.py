"""`povmon demo` and `povmon sample generate` as a newcomer runs them (SQLite only: the demo is its own database)."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from povmon import demo
from povmon.cli import app
from povmon.db import make_engine, session_factory
from povmon.models import Household, ImportBatch
from povmon.sample import FILE_ATTENDANCE, FILES

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("POVMON_TEST_DATABASE_URL")),
    reason="the demo and the generator do not touch the test database; they run once, in the SQLite pass",
)
runner = CliRunner()


def test_demo_builds_its_database_and_replaces_it_only_with_force(tmp_path):
    folder = tmp_path / "demo"
    result = runner.invoke(app, ["demo", str(folder)])
    assert result.exit_code == 0, result.output
    assert "交城县" in result.stdout and "西营镇" in result.stdout and "29287" in result.stdout
    assert (folder / demo.REPORT_FILE).is_file() and (folder / demo.LEDGER_FILE).is_file()
    assert demo.is_demo_database(folder / "povmon.db")
    again = runner.invoke(app, ["demo", str(folder)])
    assert again.exit_code == 1 and "--force" in again.stderr
    (folder / "povmon.db-wal").write_bytes(b"stale")
    forced = runner.invoke(app, ["demo", str(folder), "--force"])
    assert forced.exit_code == 0, forced.output
    engine = make_engine(f"sqlite:///{folder / 'povmon.db'}")
    with session_factory(engine)() as session:
        # a fresh database, not added to: the register's import, the sample work teams, their attendance
        assert session.scalar(select(func.count()).select_from(ImportBatch)) == 3
        assert session.scalar(select(func.count()).select_from(Household)) > 15_000
    engine.dispose()


def test_the_committed_sample_workbooks_are_what_the_generator_writes(tmp_path):
    result = runner.invoke(app, ["sample", "generate", str(tmp_path)])
    assert result.exit_code == 0, result.output
    committed = demo.sample_files()
    for name, path in zip(FILES, committed, strict=True):  # the register's three
        assert (tmp_path / name).read_bytes() == path.read_bytes(), f"{name} differs from sample_data/"
    assert (tmp_path / FILE_ATTENDANCE).read_bytes() == demo.attendance_file().read_bytes()
