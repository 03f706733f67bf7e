"""`povmon demo` and `povmon sample generate` as a newcomer runs them (SQLite only: the demo is its own database)."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from povmon import crypto, demo, sample_monitor
from povmon.cli import app
from povmon.db import make_engine, session_factory
from povmon.models import Household, ImportBatch
from povmon.sample import FILE_ATTENDANCE, FILES
from povmon.sample_extras import FILE_EXTRAS

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("POVMON_TEST_DATABASE_URL")),
    reason="the demo and the generator do not touch the test database; they run once, in the SQLite pass",
)
runner = CliRunner()


@pytest.fixture
def no_key(monkeypatch, tmp_path):
    """No county key configured (a newcomer's machine): the demo makes its own."""
    monkeypatch.delenv("POVMON_KEY", raising=False)
    monkeypatch.delenv("POVMON_KEY_FILE", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    crypto.reset()
    yield
    crypto.reset()


def test_demo_builds_its_database_and_replaces_it_only_with_force(tmp_path, no_key):
    folder = tmp_path / "demo"
    result = runner.invoke(app, ["demo", str(folder)])
    assert result.exit_code == 0, result.output
    assert "交城县" in result.stdout and "西营镇" in result.stdout and "29287" in result.stdout
    key_file = folder / demo.KEY_FILE  # its own county key, since none is configured, and where it is
    assert key_file.stat().st_mode & 0o777 == 0o600 and str(key_file) in result.stdout
    shown = runner.invoke(app, ["household", "list", "--db", str(folder / "povmon.db")],
                          env={"POVMON_KEY_FILE": str(key_file)})
    assert shown.exit_code == 0, shown.output
    assert (folder / demo.REPORT_FILE).is_file() and (folder / demo.LEDGER_FILE).is_file()
    assert demo.is_demo_database(folder / "povmon.db")
    again = runner.invoke(app, ["demo", str(folder)])
    assert again.exit_code == 1 and "--force" in again.stderr
    (folder / "povmon.db-wal").write_bytes(b"stale")
    forced = runner.invoke(app, ["demo", str(folder), "--force"])
    assert forced.exit_code == 0, forced.output
    engine = make_engine(f"sqlite:///{folder / 'povmon.db'}")
    with session_factory(engine)() as session:
        # a fresh database, not added to: the register's import, the sample work teams, their attendance,
        # the projects workbook and the departments' lists (issue 12), once each
        assert session.scalar(select(func.count()).select_from(ImportBatch)) == 4 + len(sample_monitor.DEPT_FILES)
        assert session.scalar(select(func.count()).select_from(Household)) > 15_000
    engine.dispose()


def test_the_committed_sample_workbooks_are_what_the_generator_writes(tmp_path):
    result = runner.invoke(app, ["sample", "generate", str(tmp_path)])
    assert result.exit_code == 0, result.output
    committed = demo.sample_files()
    committed = [*committed, demo.extras_file(committed)]
    for name, path in zip((*FILES, FILE_EXTRAS), committed, strict=True):
        assert (tmp_path / name).read_bytes() == path.read_bytes(), f"{name} differs from sample_data/"
    assert (tmp_path / FILE_ATTENDANCE).read_bytes() == demo.attendance_file().read_bytes()
    for path, _ in sample_monitor.dept_files():
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), f"{path.name} differs from sample_data/"
