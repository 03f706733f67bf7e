"""povmon lines: the poverty and monitoring lines in use, and loading a county's own."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from povmon import console
from povmon.cli.common import DbOption, JsonOption, UserOption, unit_of_work, user_of
from povmon.errors import PovmonError
from povmon.rules import lines as rules
from povmon.rules.money import yuan
from povmon.rules.vocab import LINE_KIND
from povmon.services import lines as service

app = typer.Typer(help="标准线：查看贫困线、监测线，导入本县（省）标准。", no_args_is_help=True)


@app.command("list")
def list_cmd(json: JsonOption = False, db: DbOption = None) -> None:
    """列出在用的标准线：程序自带的国家标准和本县导入的标准。

    Example: povmon lines list
    """
    with unit_of_work(db) as session:
        lines = service.all_lines(session)
    if json:
        console.print_json([
            {"year": ln.year, "region": ln.region, "kind": ln.kind, "yuan": yuan(ln.yuan), "note": ln.note}
            for ln in lines
        ])
        return
    console.show(console.table(
        "标准线（元/人·年）", ["年度", "地区", "类别", "标准", "说明"],
        [[ln.year, rules.region_label(ln.region), LINE_KIND.label(ln.kind) or ln.kind, yuan(ln.yuan), ln.note or ""]
         for ln in lines],
    ))


@app.command("load")
def load_cmd(
    file: Annotated[
        Path, typer.Argument(help="CSV 文件：年度,地区,类别,标准（元）[,说明]（或 year,region,kind,yuan[,note]）。")
    ],
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """从 CSV 导入本县或本省的标准线（导入的优先于程序自带的）。

    Example: povmon lines load shanxi-lines.csv
    """
    if not file.is_file():
        raise PovmonError(f"找不到文件 {file}；请检查路径。")
    try:
        lines = rules.parse_csv(file.read_text(encoding="utf-8-sig"), file.name)
    except UnicodeDecodeError as exc:
        raise PovmonError(f"{file.name} 不是 UTF-8 编码的 CSV；请在 Excel 中另存为“CSV UTF-8”。") from exc
    except rules.LineFileError as exc:
        raise PovmonError(str(exc)) from exc
    with unit_of_work(db, writes=True) as session:
        created, updated = service.load(session, lines, user=user_of(user))
    console.success(f"已导入标准线：新增 {created} 条，更新 {updated} 条，未变 {len(lines) - created - updated} 条。")
