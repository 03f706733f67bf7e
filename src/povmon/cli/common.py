"""What every command shares: the --db/--user options, the unit of work, dates, failures as one sentence."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session
from typer.core import TyperGroup

from povmon import console
from povmon.config import acting_user, database_url
from povmon.db import ensure_schema, make_engine, session_factory
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


def fail(message: str) -> typer.Exit:
    """Print one sentence on stderr and return the exit (code 1) to raise."""
    console.error(message)
    return typer.Exit(1)


class PovmonGroup(TyperGroup):
    """The root command group: turns refusals and unreachable databases into one clear sentence, exit 1."""

    def invoke(self, ctx: typer.Context):
        try:
            return super().invoke(ctx)
        except PovmonError as exc:
            raise fail(str(exc)) from exc
        except OperationalError as exc:
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            raise fail(f"数据库操作失败：{reason}；请检查 --db 地址、数据库服务是否运行，或稍后重试。") from exc
        except ProgrammingError as exc:
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            raise fail(f"数据库结构与程序不符：{reason}；请运行 povmon db upgrade。") from exc


def parse_day(value: str | None, option: str = "--as-of") -> dt.date:
    """A date option (today when absent); a bad value is a command-line error (exit 2)."""
    if value is None:
        return dt.date.today()
    try:
        day = parse.date(value)
    except parse.ValueProblem as exc:
        raise typer.BadParameter(exc.message, param_hint=option) from None
    assert day is not None
    return day


def user_of(value: str | None) -> str:
    return acting_user(value)


@contextmanager
def unit_of_work(db: str | None) -> Iterator[Session]:
    """A session in one transaction on an up-to-date schema: committed on success, rolled back on error."""
    engine = make_engine(database_url(db))
    try:
        ensure_schema(engine)
        with session_factory(engine)() as session, session.begin():
            yield session
    finally:
        engine.dispose()
