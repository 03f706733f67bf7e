"""povmon area: the administrative tree — add a county, township or village, rename one, list them."""

from __future__ import annotations

from typing import Annotated

import typer

from povmon import console
from povmon.cli.common import DbOption, JsonOption, UserOption, unit_of_work, user_of
from povmon.cli.entry import Asker, ReasonOption, Text, arg, opt, report
from povmon.services import areas

app = typer.Typer(help="区划：建立县、乡镇、村，改名，列出。", no_args_is_help=True)

LEVELS = "县、乡镇 或 村"


@app.command("add")
def add_cmd(
    name: Annotated[str | None, typer.Argument(help="名称，如 东营村。", show_default=False)] = None,
    level: Annotated[str | None, typer.Option("--level", help=f"级别：{LEVELS}。", show_default=False)] = None,
    parent: Annotated[
        str | None,
        typer.Option("--parent", help="上级（乡镇或县）：名称、区划代码或 县/乡镇 路径；县不填。", show_default=False),
    ] = None,
    code: Annotated[Text, opt("--code", help="统计用区划代码：县6位、乡镇9位、村12位（可不填）。")] = None,
    json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """建立一个县、乡镇或行政村（知道统计用区划代码时一并填写）。

    Example: povmon area add 东营村 --level 村 --parent 西营镇 --code 141122102001
    """
    ask = Asker()
    name = ask(name, "NAME", "名称")
    level = ask(level, "--level", f"级别（{LEVELS}）")
    ask.check()
    with unit_of_work(db, writes=True) as session:
        outcome = areas.add(session, name=name, level=level, parent=parent, code=code, user=user_of(user))
        data = outcome.as_json()
    report(outcome, data, json, f"已建立 {data['path']}" + (f"（{code}）" if code else "") + "。")


@app.command("rename")
def rename_cmd(
    area: Annotated[Text, arg("现名称、区划代码或路径，如 西营镇/东营村。")] = None,
    new_name: Annotated[str | None, typer.Argument(help="新名称。", show_default=False)] = None,
    code: Annotated[str | None, typer.Option("--code", help="同时设置或更正区划代码。", show_default=False)] = None,
    reason: ReasonOption = None,
    json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """区划改名（也可补填或更正代码）；原名留在审计日志里。

    Example: povmon area rename 西营镇/东营村 东营社区 --reason 撤村建居
    """
    ask = Asker()
    area = ask(area, "AREA", "要改名的区划")
    new_name = ask(new_name, "NEW_NAME", "新名称")
    ask.check()
    with unit_of_work(db, writes=True) as session:
        outcome = areas.rename(session, area, new_name, code=code, reason=reason, user=user_of(user))
        data = outcome.as_json()
    report(outcome, data, json, f"已改名为 {data['path']}。")


@app.command("list")
def list_cmd(
    under: Annotated[
        str | None, typer.Option("--under", help="只列出这个县或乡镇之下的区划。", show_default=False)
    ] = None,
    json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """按层级列出区划：代码和各区划登记的户数。

    Example: povmon area list --under 西营镇 --json
    """
    with unit_of_work(db) as session:
        rows = areas.listing(session, under)
    if json:
        console.print_json([r.as_json() for r in rows])
        return
    indent = {"county": "", "township": "  ", "village": "    "}
    console.show(console.table(
        "区划", ["名称", "区划代码", "户数"],
        [[indent.get(r.level, "") + r.name, r.code or "", r.households] for r in rows],
    ))
