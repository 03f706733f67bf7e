"""povmon db: create, inspect and check the database schema; back it up and restore it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from povmon import backup, console
from povmon.cli.common import DbOption, ForceOption, open_engine, output_file
from povmon.db import current_revision, describe, head_revision, refuse_newer, sqlite_path, upgrade
from povmon.errors import PovmonError
from povmon.schema import schema_differences

app = typer.Typer(help="数据库：建立/升级表结构，查看版本，检查模型与迁移是否一致，备份与恢复。", no_args_is_help=True)


@app.command("upgrade")
def upgrade_cmd(db: DbOption = None) -> None:
    """建立数据库，或把表结构升级到最新版本（新建的 SQLite 文件只有本人可读）。

    Example: povmon db upgrade --db sqlite:///county.db
    """
    engine = open_engine(db, create=True)
    try:
        before = refuse_newer(engine) if _exists(engine) else None
        upgrade(engine)
        after = current_revision(engine)
    finally:
        engine.dispose()
    if before == after:
        console.success(f"数据库 {describe(engine)} 已是最新结构（{after}）。")
    else:
        console.success(f"数据库 {describe(engine)} 已升级：{before or '空库'} → {after}。")


def _exists(engine) -> bool:
    path = sqlite_path(engine)
    return path is None or path.exists()


@app.command("current")
def current_cmd(db: DbOption = None) -> None:
    """显示数据库的结构版本和程序的最新版本（数据库不存在时不新建）。

    Example: povmon db current
    """
    engine = open_engine(db)
    try:
        current = refuse_newer(engine)
        head = head_revision(engine)
    finally:
        engine.dispose()
    console.info(f"{current or '（无：还没有建表）'}{' (head)' if current == head else f'；最新为 {head}'}")


@app.command("check")
def check_cmd(db: DbOption = None) -> None:
    """检查数据库：版本不是最新，或模型与迁移脚本不一致时失败（退出码 1）。

    Example: povmon db check --db postgresql://postgres@127.0.0.1/povmon
    """
    engine = open_engine(db)
    try:
        current, head = refuse_newer(engine), head_revision(engine)
        if current != head:
            raise PovmonError(f"数据库版本是 {current or '空库'}，最新为 {head}；请运行 povmon db upgrade。")
        diffs = schema_differences(engine)
    finally:
        engine.dispose()
    if diffs:
        for diff in diffs:
            console.err.print(f"  {diff}")
        raise PovmonError(
            f"模型与迁移脚本不一致（{len(diffs)} 处，见上）；请生成新的迁移（alembic revision --autogenerate）。"
        )
    console.success(f"数据库结构与模型一致（{head}）。")


@app.command("backup")
def backup_cmd(
    file: Annotated[Path, typer.Argument(help="备份写到这个文件（SQLite：一个完整的数据库文件；"
                                             "PostgreSQL：pg_dump 格式）。", show_default=False)],
    force: ForceOption = False,
    db: DbOption = None,
) -> None:
    """备份整个数据库到一个文件（其他命令同时运行也可以）；文件只有本人可读。

    Example: povmon db backup 备份/登记簿-2019-01-31.db
    """
    output_file(file, force=force, uses_db=True, db=db)
    engine = open_engine(db)
    try:
        copied = backup.backup(engine, file)
    finally:
        engine.dispose()
    size = f"{copied.size / 1048576:.1f} MB"
    console.success(f"已备份 {describe(engine)} → {file}（{size}，结构版本 {copied.revision}）；"
                    f"恢复：povmon db restore {file}")


@app.command("restore")
def restore_cmd(
    file: Annotated[Path, typer.Argument(help="povmon db backup 写出的备份文件。", show_default=False)],
    force: Annotated[bool, typer.Option("--force", help="数据库里已有登记簿时，用备份替换它的全部内容。")] = False,
    db: DbOption = None,
) -> None:
    """用备份文件恢复数据库（替换全部内容；数据库里已有登记簿时须加 --force）。

    Example: povmon db restore 备份/登记簿-2019-01-31.db --db county.db --force
    """
    engine = open_engine(db, create=True)
    try:
        copied = backup.restore(engine, file, force=force)
        stale = backup.behind(engine, copied.revision)
    finally:
        engine.dispose()
    console.success(f"已从 {file} 恢复数据库 {describe(engine)}（结构版本 {copied.revision}）。")
    if stale:
        console.warning(f"备份的结构版本较旧；请运行 povmon db upgrade --db {describe(engine)} 升级后再用。")
