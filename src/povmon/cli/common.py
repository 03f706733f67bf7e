"""What every command shares: the --db/--user options, the unit of work, dates, output files, failures as one
sentence."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, ProgrammingError, StatementError
from sqlalchemy.orm import Session
from typer.core import TyperGroup

from povmon import console, files
from povmon.config import acting_user, database_url, sqlite_file
from povmon.db import ensure_schema, explain, make_engine, session_factory
from povmon.errors import PovmonError
from povmon.rules import parse

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="数据库：SQLAlchemy 地址或 SQLite 文件路径（默认取 POVMON_DATABASE_URL，否则 ./povmon.db）。",
        show_default=False,
    ),
]
UserOption = Annotated[
    str | None,
    typer.Option("--user", help="操作人（写入审计日志；默认取 POVMON_USER，否则系统用户名）。", show_default=False),
]
JsonOption = Annotated[bool, typer.Option("--json", help="只在标准输出打印 JSON。")]
AsOfOption = Annotated[
    str | None,
    typer.Option("--as-of", help="按哪一天的情况（YYYY-MM-DD，默认今天）。", show_default=False),
]
ShowIdsOption = Annotated[bool, typer.Option("--show-ids", help="显示完整身份证号和电话（会记入审计日志）。")]
ForceOption = Annotated[
    bool, typer.Option("--force", help="目标文件已存在时用新文件替换（本命令读取的文件任何时候都不会被覆盖）。"),
]
INSUFFICIENT_PRIVILEGE = "42501"  # PostgreSQL: a login without the grant (not a povmon user, or a role's limit)
_root: dict[str, str | None] = {"db": None, "user": None}  # --db/--user given before the sub-command


def fail(message: str) -> typer.Exit:
    """Print one sentence on stderr and return the exit (code 1) to raise."""
    console.error(message)
    return typer.Exit(1)


HELP_OPTION_TEXT = "显示本帮助并退出。"


def _fold_help_text() -> None:
    """Help wraps Chinese anywhere instead of cutting it with "…".

    Typer puts each help text in a rich table cell, whose default overflow crops a "word" wider than the cell —
    and a Chinese sentence has no spaces, so it is one word. Folding breaks it between characters, as Chinese
    text is broken; ``tests/test_help.py`` renders every command's help at 80 columns to keep it so.
    """
    from rich.text import Text
    from typer import rich_utils

    original = rich_utils._make_rich_text
    if getattr(original, "povmon_folds", False):
        return

    def folding(*args, **kwargs):
        made = original(*args, **kwargs)
        if isinstance(made, Text):
            made.overflow = "fold"
        return made

    folding.povmon_folds = True
    rich_utils._make_rich_text = folding


def _chinese_help_options(command) -> None:
    """The -h/--help option of every command says what it does in Chinese; its help folds Chinese text.

    The folding is set up when a help is first formatted, not when the command is built: typer's rich help
    module (with rich's markdown and syntax highlighting) would cost every command's start-up (issue 18)."""
    original = command.get_help_option
    original_format = command.format_help

    def get_help_option(ctx):
        option = original(ctx)
        if option is not None:
            option.help = HELP_OPTION_TEXT
        return option

    def format_help(ctx, formatter):
        _fold_help_text()
        return original_format(ctx, formatter)

    command.get_help_option = get_help_option
    command.format_help = format_help
    for sub in getattr(command, "commands", {}).values():
        _chinese_help_options(sub)


class PovmonGroup(TyperGroup):
    """The root command group: turns refusals and unreachable databases into one clear sentence, exit 1."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _chinese_help_options(self)

    def invoke(self, ctx: typer.Context):
        try:
            return super().invoke(ctx)
        except PovmonError as exc:
            raise fail(str(exc)) from exc
        except typer.TyperException as exc:  # a bad command line (exit 2): its message may quote a typed value
            if isinstance(getattr(exc, "message", None), str):
                exc.message = console.printable(exc.message)
            raise
        except ProgrammingError as exc:
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            if getattr(exc.orig, "sqlstate", None) == INSUFFICIENT_PRIVILEGE:
                raise fail(f"数据库拒绝了这次操作：当前登录没有这样做的权限（{console.printable(reason)}）；"
                           "请确认该登录已由县级管理员用 povmon user add 开户且未停用，或请有权限的人办理。") from exc
            raise fail(f"数据库结构与程序不符：{console.printable(reason)}；请运行 povmon db upgrade。") from exc
        except DBAPIError as exc:
            raise fail(str(explain(exc, _engine_of(exc)))) from exc
        except StatementError as exc:  # a refusal while SQLAlchemy bound a value (e.g. the county key missing)
            if isinstance(exc.orig, PovmonError):
                raise fail(str(exc.orig)) from exc
            raise


def _engine_of(exc: DBAPIError) -> Engine | None:
    return getattr(exc, "povmon_engine", None)


def chosen_db(db: str | None) -> str | None:
    """--db after the sub-command, else --db before it (``povmon --db X household list``)."""
    return db or _root["db"]


def remember_root_options(db: str | None, user: str | None) -> None:
    """Keep --db/--user given before the sub-command for the command below (the root callback, every run)."""
    _root["db"], _root["user"] = db, user


def open_engine(db: str | None, *, create: bool = False) -> Engine:
    """The engine of the chosen database; only ``create=True`` (db upgrade, db restore) may make a new SQLite file."""
    return make_engine(database_url(chosen_db(db)), create=create)


def database_path(db: str | None) -> Path | None:
    """The chosen database's SQLite file (an input of every command that uses it), None for a server."""
    try:
        return sqlite_file(database_url(chosen_db(db)))
    except Exception:
        return None


def output_file(path: Path, *, force: bool, inputs: tuple | list = (), option: str = "", uses_db: bool = False,
                db: str | None = None) -> Path:
    """Check a file the command will write, before any work: refused when it exists (unless --force) or is one of
    the command's inputs (never) — its database too, when it uses one (``uses_db``, ``db`` its --db value)."""
    sources = list(inputs)
    if uses_db:
        sources.append(database_path(db))
    return files.check_target(path, force=force, inputs=sources, option=option)


def parse_day(value: str | None, option: str = "--as-of", *, future: bool = False) -> dt.date:
    """A date option (today when absent); a bad value is a command-line error (exit 2).

    A day after today is refused (exit 1) unless ``future``: figures "as of" a day that has not come would
    look like facts.
    """
    if value is None:
        return dt.date.today()
    try:
        day = parse.date(value)
    except parse.ValueProblem as exc:
        raise typer.BadParameter(exc.message, param_hint=option) from None
    assert day is not None
    if not future:
        not_after_today(day, option)
    return day


def not_after_today(day: dt.date, option: str = "--as-of") -> dt.date:
    """Refuse a day after today: nothing is known about it yet."""
    today = dt.date.today()
    if day > today:
        raise PovmonError(f"{option} {day.isoformat()} 晚于今天（{today.isoformat()}），那天的情况还不知道；"
                          "请给今天或以前的日期。")
    return day


def user_of(value: str | None) -> str:
    """Who acts: on PostgreSQL the database login (a different --user is refused); on SQLite --user after the
    sub-command, else before it, else POVMON_USER, else the OS user."""
    actor = _acting["actor"]
    if actor is not None and not actor.single_user:
        wanted = value or _root["user"]
        if wanted and wanted != actor.name:
            raise PovmonError(access_login_mismatch(actor.name, wanted))
        return actor.name
    return acting_user(value or _root["user"])


def access_login_mismatch(login: str, wanted: str) -> str:
    from povmon.services.access import login_mismatch

    return login_mismatch(login, wanted)


_acting: dict = {"actor": None}  # the actor of the unit of work under way (services.access.Actor)


def acting(session: Session, user: str | None = None):
    """Resolve who acts on the session's database and put their scope on the session (services.access)."""
    from povmon.services import access

    actor = access.install(session, access.resolve(session, user or _root["user"]))
    _acting["actor"] = actor
    return actor


def forget_actor() -> None:
    """The unit of work is over: nobody acts any more (a library caller running commands in one process)."""
    _acting["actor"] = None


def audit_refusal(engine: Engine, refusal) -> None:
    """Keep a refused attempt on record in a transaction of its own, after the refused work rolled back."""
    import sys

    from povmon.services import access

    actor = _acting["actor"]
    if actor is None:
        return
    from typer._click.globals import get_current_context

    context = get_current_context(silent=True)
    command = context.command_path if context is not None else " ".join(["povmon", *sys.argv[1:3]])
    try:
        with session_factory(engine, writes=True)() as session, session.begin():
            access.install(session, actor)
            access.record_refusal(session, actor, refusal, command)
    except Exception:  # the refusal itself must reach the user whatever happens to its audit row
        console.err.print("（拒绝记录未能写入审计日志）")


@contextmanager
def unit_of_work(db: str | None, *, writes: bool = False) -> Iterator[Session]:
    """A session in one transaction on an up-to-date schema: committed on success, rolled back on error.

    ``writes``: the command changes the register, so on SQLite it waits its turn behind another writer
    (POVMON_BUSY_TIMEOUT) and then says who holds the database, instead of failing at once."""
    from povmon.services.access import Refused

    engine = open_engine(db)
    try:
        ensure_schema(engine)
        with session_factory(engine, writes=writes)() as session, session.begin():
            acting(session)
            yield session
    except Refused as exc:
        audit_refusal(engine, exc)
        raise
    except DBAPIError as exc:
        exc.povmon_engine = engine  # the failure is explained with the database's own address
        raise
    finally:
        forget_actor()
        engine.dispose()
