"""Two imports of the same file a moment apart (issue 10 item 16): the second waits its turn, then finds
everything unchanged; past the wait it says in one sentence that another import is running — never a database
traceback (UniqueViolation on PostgreSQL), never a message blaming the --db address (SQLite's "database is
locked"). On SQLite and on PostgreSQL alike (the second import's lock: ingest.lock)."""

import json
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from povmon.models import Household, ImportBatch

from .processes import wait_for_pause

EXAMPLE = Path(__file__).parent / "data" / "roster-example.xlsx"

# povmon import, with what the test injects: a pause of PAUSE seconds at the first rows written (a progress
# listener, as a terminal's progress bar is one) and, for the second import, a shorter wait for the lock
CHILD = """
import os, sys, time
from povmon.cli import importing, main

pause, wait = float(sys.argv[1]), float(sys.argv[2])
if wait:
    os.environ["POVMON_BUSY_TIMEOUT"] = str(wait)

class Paused(importing.ImportProgress):
    def __enter__(self):
        def listen(stage, done, total):
            if pause and stage == "写入" and done:
                sys.stderr.write("povmon: import paused mid-transaction\\n")
                sys.stderr.flush()
                time.sleep(pause)
        return listen

importing.ImportProgress = Paused
sys.argv = ["povmon", *sys.argv[3:]]
main()
"""


def _import(db: str, tmp_path: Path, *, pause: float = 0, wait: float = 0) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(pause), str(wait), "import", str(EXAMPLE), "--create-areas", "--json",
         "--as-of", "2019-01-31", "--db", db],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path)


def _paused(db: str, tmp_path: Path, pause: float) -> subprocess.Popen:
    """The first import, holding the lock with half its rows written."""
    proc = _import(db, tmp_path, pause=pause)
    wait_for_pause(proc, "the first import")
    return proc


def test_a_second_import_waits_its_turn_then_finds_everything_unchanged(cli_db, cli_session, tmp_path):
    first = _paused(cli_db, tmp_path, pause=3)
    time.sleep(0.5)
    second = _import(cli_db, tmp_path)
    out1, err1 = first.communicate(timeout=120)
    out2, err2 = second.communicate(timeout=120)
    assert first.returncode == 0, err1
    assert second.returncode == 0, err2
    assert "Traceback" not in err2 and "UniqueViolation" not in err2 and "locked" not in err2
    assert json.loads(out1)["counts"]["households"]["created"] == 42
    again = json.loads(out2)["counts"]["households"]
    assert (again["created"], again["unchanged"]) == (0, 42)
    cli_session.expire_all()
    assert cli_session.scalar(select(func.count()).select_from(Household)) == 42
    assert cli_session.scalar(select(func.count()).select_from(ImportBatch)) == 1  # the second wrote nothing


def test_past_the_wait_the_second_import_says_another_import_is_running(cli_db, cli_session, tmp_path):
    first = _paused(cli_db, tmp_path, pause=8)
    second = _import(cli_db, tmp_path, wait=1)
    out2, err2 = second.communicate(timeout=60)
    first.communicate(timeout=120)
    assert second.returncode == 1 and out2 == ""
    assert err2.count("\n") == 1 and "另一个导入正在写入这个数据库" in err2, err2
    assert "Traceback" not in err2 and "--db" not in err2
    assert first.returncode == 0
    cli_session.expire_all()
    assert cli_session.scalar(select(func.count()).select_from(Household)) == 42
