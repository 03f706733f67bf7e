"""povmon cadre: register a cadre (帮扶责任人, 第一书记, 工作队长, 工作队员); list cadres and their households."""

from __future__ import annotations

from typing import Annotated

import typer

from povmon import console
from povmon.cli.common import AsOfOption, DbOption, JsonOption, UserOption, parse_day, unit_of_work, user_of
from povmon.cli.entry import Asker, Text, opt, report
from povmon.cli.household import idcard_check
from povmon.services import cadres

app = typer.Typer(help="干部：登记帮扶干部、第一书记、工作队员；列出干部及其结对户。", no_args_is_help=True)


@app.command("add")
def add_cmd(
    name: Annotated[Text, opt("--name", help="姓名。")] = None,
    id_number: Annotated[Text, opt("--id-number", help="身份证号（18位，用来区分同名的人）。")] = None,
    unit: Annotated[Text, opt("--unit", help="帮扶单位或工作单位。")] = None,
    post: Annotated[Text, opt("--post", help="职务。")] = None,
    phone: Annotated[Text, opt("--phone", help="联系电话。")] = None,
    role: Annotated[Text, opt("--role", help="角色：帮扶责任人（默认）、第一书记、工作队长、工作队员。")] = None,
    village: Annotated[Text, opt("--village", help="驻村的村（第一书记、工作队员）。")] = None,
    note: Annotated[Text, opt("--note", help="备注。")] = None,
    json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """登记一名帮扶干部。

    Example: povmon cadre add --name 李四 --id-number 14232319750505123X --unit 交城县国土资源局 --phone 13800001234
    """
    ask = Asker()
    name = ask(name, "--name", "姓名")
    id_number = ask(id_number, "--id-number", "身份证号", idcard_check)
    ask.check()
    with unit_of_work(db, writes=True) as session:
        outcome = cadres.add(session, name=name, id_number=id_number, unit=unit, post=post, phone=phone, role=role,
                             village=village, note=note, user=user_of(user))
        data = outcome.as_json()
    report(outcome, data, json, f"已登记干部 {name}" + (f"（{unit}）" if unit else "") + "。")


@app.command("list")
def list_cmd(
    village: Annotated[Text, opt("--village", help="只列出驻这个村的干部。")] = None,
    as_of: AsOfOption = None,
    json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """列出干部：角色、单位和某日结对的户（身份证号打码）。

    Example: povmon cadre list --json
    """
    day = parse_day(as_of)
    with unit_of_work(db) as session:
        rows = cadres.listing(session, day, village)
    if json:
        console.print_json(rows)
        return
    console.show(console.table(
        f"干部（截至 {day.isoformat()}）", ["姓名", "身份证号", "角色", "单位", "驻村", "结对户"],
        [[r["name"], r["id_number"], r["role"], r["unit"], r["village"], "、".join(r["households"])] for r in rows],
    ))
