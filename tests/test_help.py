"""Every --help is readable at 80 columns, nothing cut by "…", and in Chinese (issue 10, item 8)."""

from __future__ import annotations

import re

import pytest
import typer
from typer.testing import CliRunner

from povmon.cli import app

CJK = re.compile(r"[\u3400-\u9fff]")
# the line a panel row would be cut on: rich puts "…" where text did not fit
ELLIPSIS = "…"


def _commands(command=None, path=()):
    command = command or typer.main.get_command(app)
    yield path, command
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from _commands(sub, (*path, name))


COMMANDS = list(_commands())


def test_the_tree_is_walked():
    paths = {" ".join(p) for p, _ in COMMANDS}
    assert {"", "import", "household add", "report monthly", "db backup", "db restore", "lines load"} <= paths


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=lambda p: " ".join(p) or "povmon")
def test_help_at_80_columns(path):
    result = CliRunner().invoke(app, [*path, "--help"], terminal_width=80, env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert all(len(line) <= 80 or _cells(line) <= 80 for line in lines), result.stdout
    assert ELLIPSIS not in result.stdout, f"povmon {' '.join(path)} --help cuts text:\n{result.stdout}"
    assert "Show this message" not in result.stdout and "Install completion" not in result.stdout


@pytest.mark.parametrize("path,command", COMMANDS, ids=lambda p: " ".join(p) if isinstance(p, tuple) else "")
def test_summary_and_options_are_chinese(path, command):
    summary = (command.help or "").strip().split("\n\n")[0]
    assert CJK.search(summary), f"povmon {' '.join(path)}: summary not in Chinese: {summary!r}"
    for param in command.params:
        text = getattr(param, "help", None)
        if text:
            assert CJK.search(text), f"povmon {' '.join(path)} {param.name}: option help not in Chinese: {text!r}"


def _cells(line: str) -> int:
    from rich.cells import cell_len

    return cell_len(line)
