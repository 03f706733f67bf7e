"""A short command imports only what it uses (issue 18, item 3): no openpyxl, Alembic, calamine or report writers
for ``household show``; the root's lazy command table agrees with the commands themselves; the schema check's
own reading of the migration chain agrees with Alembic's."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import typer
from alembic.script import ScriptDirectory
from typer.testing import CliRunner

from povmon import db as dbmod
from povmon.cli import COMMANDS, app, load_command
from povmon.db import alembic_config, make_engine, upgrade

HEAVY = ("openpyxl", "alembic", "python_calamine", "rapidfuzz", "povmon.reports.ledger_xlsx",
         "povmon.reports.monthly_xlsx", "povmon.ingest", "povmon.xlsx", "povmon.xlsxstream")

# Runs one command in a fresh interpreter, then prints the names of the modules it imported.
RUNNER = textwrap.dedent("""
    import json, sys
    from povmon.cli import app
    try:
        app(sys.argv[1:], prog_name="povmon")
    except SystemExit as exc:
        code = exc.code
    else:
        code = 0
    sys.stdout.flush()
    print("\\n@@MODULES@@" + json.dumps({"code": code, "modules": sorted(sys.modules)}))
""")


def _imported(*args: str) -> tuple[int, set[str], str]:
    done = subprocess.run([sys.executable, "-c", RUNNER, *args], capture_output=True, text=True,
                          env=dict(os.environ, COLUMNS="100"), timeout=120)
    output, _, tail = done.stdout.rpartition("\n@@MODULES@@")
    data = json.loads(tail)
    return data["code"], set(data["modules"]), output + done.stderr


def _heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY))


@pytest.fixture(scope="module")
def one_household(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("startup") / "p.db"
    upgrade(make_engine(f"sqlite:///{path}"))
    runner = CliRunner()
    for args in (["area", "add", "某县", "--level", "县"],
                 ["area", "add", "某镇", "--level", "乡镇", "--parent", "某县"],
                 ["area", "add", "某村", "--level", "村", "--parent", "某镇"],
                 ["household", "add", "H1", "--village", "某镇/某村", "--head", "张三", "--head-id",
                  "142323197003011238"]):
        result = runner.invoke(app, [*args, "--db", str(path)])
        assert result.exit_code == 0, result.output
    return path


def test_household_show_imports_no_workbook_or_migration_library(one_household):
    code, modules, output = _imported("household", "show", "H1", "--db", str(one_household))
    assert code == 0, output
    assert "张三" in output
    assert "povmon.models" in modules and "sqlalchemy.orm" in modules  # it did run against the register
    assert _heavy(modules) == []


@pytest.mark.parametrize("args", [["--help"], ["household", "--help"], ["area", "list"]], ids=" ".join)
def test_short_commands_import_nothing_heavy(args, one_household):
    code, modules, output = _imported(*args, *(["--db", str(one_household)] if args[-1] == "list" else []))
    assert code == 0, output
    assert _heavy(modules) == []


def test_root_help_imports_no_command_module():
    code, modules, output = _imported("--help")
    assert code == 0
    assert "household" in output and "povmon.cli.household" not in modules
    assert not any(m.startswith("povmon.models") for m in modules)


def test_the_commands_that_need_them_still_get_them(tmp_path):
    code, modules, output = _imported("template", str(tmp_path / "t.xlsx"))
    assert code == 0, output
    assert "openpyxl" in modules and (tmp_path / "t.xlsx").exists()


@pytest.mark.parametrize("name", list(COMMANDS))
def test_each_summary_is_the_first_paragraph_of_the_commands_help(name):
    command = load_command(name)
    assert command.name == name
    first = (command.help or "").split("\n\n")[0].strip()
    assert COMMANDS[name][3] == first


def test_root_help_lists_the_same_as_the_loaded_commands():
    runner = CliRunner()
    lazy = runner.invoke(app, ["--help"], terminal_width=80, env={"COLUMNS": "80"})
    group = typer.main.get_command(app)
    for name in COMMANDS:  # load every command, then render the same help from the real ones
        group.commands[name]
    ctx = group.make_context("povmon", ["--help"], resilient_parsing=True)
    assert lazy.exit_code == 0
    loaded = runner.invoke(app, ["--help"], terminal_width=80, env={"COLUMNS": "80"})
    assert lazy.output == loaded.output
    assert list(group.list_commands(ctx)) == list(COMMANDS)


def test_the_migration_chain_read_without_alembic_agrees_with_alembic(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    scripts = ScriptDirectory.from_config(alembic_config(engine))
    chain = dbmod._script_chain()
    assert chain is not None
    assert chain[1] == scripts.get_current_head()
    assert set(chain[0]) == {s.revision for s in scripts.walk_revisions()}


def test_the_revision_read_without_alembic_agrees_with_alembic(tmp_path):
    from alembic.runtime.migration import MigrationContext

    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    assert dbmod.current_revision(engine) is None  # no tables yet
    upgrade(engine)
    with engine.connect() as conn:
        assert dbmod.current_revision(engine) == MigrationContext.configure(conn).get_current_revision()
    assert dbmod.current_revision(engine) == dbmod.head_revision(engine)


def test_an_unusual_migration_header_falls_back_to_alembic(tmp_path, monkeypatch):
    versions = tmp_path / "versions"
    versions.mkdir()
    (versions / "0001_a.py").write_text("revision = '0001'\ndown_revision = None\n", encoding="utf-8")
    (versions / "0002_b.py").write_text("revision = '0002'\ndown_revision = ('0001', 'x')\n", encoding="utf-8")
    monkeypatch.setattr(dbmod, "migrations_dir", lambda: tmp_path)
    dbmod._script_chain.cache_clear()
    try:
        assert dbmod._script_chain() is None
        (versions / "0002_b.py").write_text("revision = '0002'\ndown_revision = '0001'\n", encoding="utf-8")
        dbmod._script_chain.cache_clear()
        assert dbmod._script_chain() == (frozenset({"0001", "0002"}), "0002")
    finally:
        dbmod._script_chain.cache_clear()
