"""povmon db: create, inspect and check the database schema."""

from __future__ import annotations

import typer

from povmon import console
from povmon.cli.common import DbOption
from povmon.config import database_url
from povmon.db import current_revision, describe, head_revision, make_engine, upgrade
from povmon.errors import PovmonError
from povmon.schema import schema_differences

app = typer.Typer(help="数据库：建立/升级表结构，查看版本，检查模型与迁移是否一致。", no_args_is_help=True)


@app.command("upgrade")
def upgrade_cmd(db: DbOption = None) -> None:
    """建立数据库，或把表结构升级到最新版本（新建的 SQLite 文件只有本人可读）。

    Example: povmon db upgrade --db sqlite:///county.db
    """
    engine = make_engine(database_url(db))
    before = current_revision(engine)
    upgrade(engine)
    after = current_revision(engine)
    if before == after:
        console.success(f"数据库 {describe(engine)} 已是最新结构（{after}）。")
    else:
        console.success(f"数据库 {describe(engine)} 已升级：{before or '空库'} → {after}。")
    engine.dispose()


@app.command("current")
def current_cmd(db: DbOption = None) -> None:
    """显示数据库的结构版本和程序的最新版本（数据库不存在时不新建）。

    Example: povmon db current
    """
    engine = make_engine(database_url(db))
    current = current_revision(engine)
    head = head_revision(engine)
    console.info(f"{current or '（无：还没有建表）'}{' (head)' if current == head else f'；最新为 {head}'}")
    engine.dispose()


@app.command("check")
def check_cmd(db: DbOption = None) -> None:
    """检查数据库：版本不是最新，或模型与迁移脚本不一致时失败（退出码 1）。

    Example: povmon db check --db postgresql://postgres@127.0.0.1/povmon
    """
    engine = make_engine(database_url(db))
    current, head = current_revision(engine), head_revision(engine)
    if current != head:
        engine.dispose()
        raise PovmonError(f"数据库版本是 {current or '空库'}，最新为 {head}；请运行 povmon db upgrade。")
    diffs = schema_differences(engine)
    engine.dispose()
    if diffs:
        for diff in diffs:
            console.err.print(f"  {diff}")
        raise PovmonError(
            f"模型与迁移脚本不一致（{len(diffs)} 处，见上）；请生成新的迁移（alembic revision --autogenerate）。"
        )
    console.success(f"数据库结构与模型一致（{head}）。")
