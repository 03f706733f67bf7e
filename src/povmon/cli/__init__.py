"""The povmon command line: one Typer sub-app per noun; each command calls one library function."""

from __future__ import annotations

import typer

from povmon import __version__
from povmon.cli import db, household, importing, lines
from povmon.cli.common import PovmonGroup

app = typer.Typer(
    name="povmon",
    cls=PovmonGroup,
    help="povmon：贫困户“五本账”（家庭账、识别账、政策账、收入账、帮扶账）的登记、导入、打印与月报。",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(db.app, name="db")
app.add_typer(household.app, name="household")
app.add_typer(lines.app, name="lines")
importing.register(app)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"povmon {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="显示版本。"),
) -> None:
    """povmon: the five ledgers of every household — import, print, report, audit."""


def main() -> None:
    """Console-script entry point."""
    app(prog_name="povmon")
