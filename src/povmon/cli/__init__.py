"""The povmon command line: one Typer sub-app per noun; each command calls one library function."""

from __future__ import annotations

import typer

from povmon import __version__
from povmon.cli import (
    area,
    assess,
    benefit,
    cadre,
    db,
    demo,
    event,
    household,
    importing,
    income,
    inspect,
    ledger,
    lines,
    measure,
    member,
    pair,
    report,
    team,
    visit,
)
from povmon.cli.common import DbOption, PovmonGroup, UserOption, remember_root_options

app = typer.Typer(
    name="povmon",
    cls=PovmonGroup,
    help="povmon：贫困户“五本账”（家庭账、识别账、政策账、收入账、帮扶账）的登记、导入、打印与月报。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(db.app, name="db")
app.add_typer(household.app, name="household")
app.add_typer(lines.app, name="lines")
app.add_typer(area.app, name="area")
app.add_typer(member.app, name="member")
app.add_typer(event.app, name="event")
app.add_typer(income.app, name="income")
app.add_typer(cadre.app, name="cadre")
app.add_typer(pair.app, name="pair")
app.add_typer(visit.app, name="visit")
app.add_typer(measure.app, name="measure")
app.add_typer(benefit.app, name="benefit")
app.add_typer(team.app, name="team")
app.add_typer(inspect.app, name="inspect")
app.add_typer(assess.app, name="assess")
app.command("ledger")(ledger.ledger)
app.add_typer(report.app, name="report")
app.command("demo")(demo.demo_cmd)
app.add_typer(demo.sample_app, name="sample")
importing.register(app)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"povmon {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    db: DbOption = None,
    user: UserOption = None,
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="显示版本。"),
) -> None:
    """povmon：贫困户“五本账”的登记、导入、打印与月报。--db 与 --user 写在子命令前后都可以。"""
    remember_root_options(db, user)


def main() -> None:
    """Console-script entry point."""
    app(prog_name="povmon")
