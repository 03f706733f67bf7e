"""povmon key: the county key that encrypts ID numbers and phones at rest (povmon.crypto)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from povmon import console, crypto
from povmon.cli.common import DbOption, open_engine
from povmon.db import connect, describe, ensure_schema

app = typer.Typer(help="县密钥：生成新的县密钥文件，检查密钥是否属于本库（身份证号和电话用它加密保存）。",
                  no_args_is_help=True)


@app.command("new")
def new_cmd(
    file: Annotated[Path, typer.Argument(help="要写出的密钥文件（已存在时拒绝，加 --force 也不行）")],
    force: Annotated[bool, typer.Option("--force", hidden=True, help="不起作用：已有的密钥文件一律不覆盖。")] = False,
) -> None:
    """生成一把新的县密钥，写到 FILE（只有本人可读）；新建县库时用一次，并与数据库分开备份。

    已有的文件一律不覆盖：覆盖县密钥会让用它加密的数据再也打不开。

    Example: povmon key new ~/.config/povmon/county.key
    """
    path = crypto.write_key_file(file)
    console.success(f"新的县密钥已写到 {path}（只有本人可读）；请另存一份备份，不要与数据库放在一起；"
                    f"povmon 默认读 {crypto.DEFAULT_KEY_FILE}，放在别处时设置 {crypto.KEY_FILE_ENV}。")


@app.command("check")
def check_cmd(db: DbOption = None) -> None:
    """检查现在的县密钥是否属于本库（与库里记下的密钥指纹相符）。

    Example: povmon key check --db sqlite:///county.db
    """
    from povmon.models.sealed import check_fingerprint

    keys = crypto.keys()
    engine = open_engine(db)
    try:
        ensure_schema(engine)
        with connect(engine) as conn:
            stored = check_fingerprint(conn, write=False)
    finally:
        engine.dispose()
    if stored is None:
        console.success(f"数据库 {describe(engine)} 还没有加密的数据；第一次写入时会记下这把密钥（{keys.source}）。")
    else:
        console.success(f"县密钥（{keys.source}）属于数据库 {describe(engine)}。")
