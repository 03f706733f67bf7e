import json
import subprocess
import sys

from typer.testing import CliRunner

from povmon.cli import app
from povmon.db import head_revision, make_engine
from tests.factories import acting

from . import factories as f

AUD = acting("auditor1")

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_db_upgrade_current_and_check_on_a_fresh_database(tmp_path, database_url):
    if database_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'fresh.db'}"
        result = invoke("db", "upgrade", "--db", url)
        assert result.exit_code == 0, result.output
        assert head_revision(make_engine(url)) in result.output  # the newest migration, whichever it is
    else:
        url = database_url  # already migrated by the fixtures
    assert invoke("db", "current", "--db", url).output.strip().endswith("(head)")
    result = invoke("db", "check", "--db", url)
    assert result.exit_code == 0, result.output


def test_commands_on_a_missing_schema_say_how_to_create_it(tmp_path):
    url = f"sqlite:///{tmp_path / 'none.db'}"
    result = invoke("household", "show", "X", "--db", url)
    assert result.exit_code == 1
    assert "povmon db upgrade" in result.stderr
    assert not (tmp_path / "none.db").exists()  # nothing created by a read


def test_db_check_fails_on_an_unmigrated_database(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    import sqlite3

    sqlite3.connect(tmp_path / "empty.db").close()
    result = invoke("db", "check", "--db", url)
    assert result.exit_code == 1 and "db upgrade" in result.stderr


def test_household_show_json_and_unknown_household(cli_db, cli_session):
    hh = f.household(cli_session, "1411221040010006", village=f.area_tree(cli_session, "会立乡", "岔口村"),
                     members=[{"name": "丁红梅", "relation": "head", "id_number": "142323198604252955"}])
    f.event(cli_session, hh, "identified", __import__("datetime").date(2016, 12, 31))
    cli_session.commit()

    result = invoke("household", "show", "1411221040010006", "--json", "--db", cli_db, "--as-of", "2019-01-31")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["status"] == "poor" and data["village"] == "岔口村" and data["head"] == "丁红梅"
    assert data["members"][0]["id_number"] == "142323********2955"

    shown = invoke("household", "show", "1411221040010006", "--db", cli_db, "--as-of", "2015-01-01")
    assert shown.exit_code == 0 and "一般农户" in shown.stdout and "丁红梅" in shown.stdout

    missing = invoke("household", "show", "NOPE", "--db", cli_db)
    assert missing.exit_code == 1
    assert missing.stderr.count("\n") == 1 and "NOPE" in missing.stderr
    assert "Traceback" not in missing.output


def test_show_ids_is_audited(cli_db, cli_session):
    from sqlalchemy import select

    from povmon.models import AuditLog

    f.household(cli_session, "H1")
    cli_session.commit()
    result = invoke("household", "show", "H1", "--show-ids", "--json", "--db", cli_db, "--user", AUD)
    assert result.exit_code == 0
    assert "*" not in json.loads(result.stdout)["members"][0]["id_number"]
    entry = cli_session.scalars(select(AuditLog)).one()
    assert entry.user == AUD and entry.action == "export" and "H1" in entry.note


def test_a_wrong_command_line_exits_2(cli_db):
    assert invoke("household", "show", "H1", "--as-of", "2019-13-45", "--db", cli_db).exit_code == 2
    assert invoke("household", "show").exit_code == 2
    assert invoke("no-such-command").exit_code == 2


def test_unreachable_database_is_one_sentence():
    result = invoke("household", "show", "X", "--db", "postgresql://nobody@127.0.0.1:1/none")
    assert result.exit_code == 1
    assert "无法连接数据库" in result.stderr and "Traceback" not in result.output


def test_python_dash_m_works():
    out = subprocess.run([sys.executable, "-m", "povmon", "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.startswith("povmon ")
