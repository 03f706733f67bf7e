"""povmon member: add a member (birth, marriage, move-in), mark one died or moved out, edit a field, move one."""

from __future__ import annotations

from typing import Annotated

import typer

from povmon.cli.common import DbOption, JsonOption, UserOption, unit_of_work, user_of
from povmon.cli.entry import Asker, DateHelp, ReasonOption, Text, arg, changes_text, opt, pairs, report
from povmon.cli.household import idcard_check
from povmon.services import households as hh
from povmon.services import members
from povmon.services.fields import MEMBER_FIELDS, names

app = typer.Typer(help="成员：新增（出生、婚入、迁入），死亡或迁出，修改一项，迁往另一户。", no_args_is_help=True)

SET_HELP = f"成员的其他字段，可重复：字段=值。字段：{names(MEMBER_FIELDS[2:])}。"
IdArg = Annotated[Text, arg("成员的身份证号。")]


@app.command("add")
def add_cmd(
    code: Annotated[Text, arg("户编号。")] = None,
    name: Annotated[Text, opt("--name", help="姓名。")] = None,
    id_number: Annotated[Text, opt("--id-number", help="身份证号（18位）。")] = None,
    relation: Annotated[Text, opt("--relation", help="与户主关系，如 配偶、之子、之孙女。")] = None,
    how: Annotated[Text, opt("--how", help="新增原因：出生、婚入 或 迁入。")] = None,
    date: Annotated[Text, opt("--date", help="加入日期（出生可不填：取身份证上的出生日期）。" + DateHelp)] = None,
    sets: Annotated[list[str] | None, opt("--set", help=SET_HELP)] = None,
    json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """新增成员：某日因出生、婚入或迁入加入本户。

    Example: povmon member add 1411221020010001 --name 张小明 --id-number 141122201806020016 --relation 之子 \\
      --how 出生 --set 在校生状况=学前教育 --set 医保=是
    """
    ask = Asker()
    code = ask(code, "CODE", "户编号")
    name = ask(name, "--name", "姓名")
    id_number = ask(id_number, "--id-number", "身份证号", idcard_check)
    relation = ask(relation, "--relation", "与户主关系")
    how = ask(how, "--how", "新增原因（出生、婚入、迁入）")
    ask.check()
    with unit_of_work(db, writes=True) as session:
        household = hh.by_code(session, code)
        outcome = members.add(session, household, name=name, id_number=id_number, relation=relation, reason=how,
                              joined_on=date, fields=pairs(sets), user=user_of(user))
        data = outcome.as_json()
    report(outcome, data, json, f"已在户 {code} 新增成员 {name}（{data['stored'][0]['joined_on']} 起）。")


@app.command("leave")
def leave_cmd(
    id_number: IdArg = None,
    how: Annotated[Text, opt("--how", help="减少原因：死亡 或 迁出。")] = None,
    date: Annotated[Text, opt("--date", help="死亡或迁出的日期。" + DateHelp)] = None,
    reason: ReasonOption = None,
    json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """成员某日死亡或迁出；该成员仍留在登记簿中，注明止于那天。

    Example: povmon member leave 142323194501011237 --how 死亡 --date 2019-03-05
    """
    ask = Asker()
    id_number = ask(id_number, "ID_NUMBER", "身份证号")
    how = ask(how, "--how", "减少原因（死亡、迁出）")
    date = ask(date, "--date", "日期")
    ask.check()
    with unit_of_work(db, writes=True) as session:
        member = members.find(session, id_number)
        outcome = members.leave(session, member, reason=how, on=date, note=reason, user=user_of(user))
        data = outcome.as_json()
        who = f"{member.name}（户 {member.household.code}）"
    report(outcome, data, json, f"已登记 {who} {how}，日期 {data['changed'][0]['new']}。")


@app.command("edit", context_settings={"ignore_unknown_options": True})  # a VALUE may start with "-"
def edit_cmd(
    id_number: IdArg = None,
    field: Annotated[
        Text, arg("字段：英文名或中文名，如 labour 或 劳动技能；另有 id_number、joined_on、left_on、left_reason。")
    ] = None,
    value: Annotated[Text, arg("新值（写 \"\" 清空）。")] = None,
    household: Annotated[Text, opt("--household", help="户编号：改一个已离开的人在某户的记录时写明。")] = None,
    reason: ReasonOption = None,
    json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """更正一名成员的一项内容；改动（原值 → 新值）写入审计日志。

    Example: povmon member edit 142323197003011238 劳动技能 弱劳动力 --reason 入户核实
    """
    ask = Asker()
    id_number = ask(id_number, "ID_NUMBER", "身份证号")
    field = ask(field, "FIELD", "字段")
    ask.check()
    if value is None:
        value = ask(value, "VALUE", "新值")
        ask.check()
    with unit_of_work(db, writes=True) as session:
        place = hh.by_code(session, household) if household else None
        member = members.find(session, id_number, place)
        outcome = members.edit(session, member, field, value, user=user_of(user), reason=reason)
        data = outcome.as_json()
        who = member.name
    changed = changes_text(data)
    report(outcome, data, json, f"{who} 已修改：{changed}。")


@app.command("move")
def move_cmd(
    id_number: IdArg = None,
    to: Annotated[Text, opt("--to", help="迁往的户编号。")] = None,
    date: Annotated[Text, opt("--date", help="迁移日期。" + DateHelp)] = None,
    relation: Annotated[Text, opt("--relation", help="在新户的与户主关系。")] = None,
    reason: ReasonOption = None,
    json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """某日把一人迁往另一户：在本户的记录止于那天（迁出），在新户从那天开始。

    Example: povmon member move 14232319720505122X --to 1411221020010007 --date 2019-05-01 --relation 配偶
    """
    ask = Asker()
    id_number = ask(id_number, "ID_NUMBER", "身份证号")
    to = ask(to, "--to", "迁往的户编号")
    date = ask(date, "--date", "迁移日期")
    relation = ask(relation, "--relation", "在新户的与户主关系")
    ask.check()
    with unit_of_work(db, writes=True) as session:
        member = members.find(session, id_number)
        target = hh.by_code(session, to)
        source = member.household.code
        outcome = members.move(session, member, target, on=date, relation=relation, user=user_of(user), reason=reason)
        data = outcome.as_json()
    report(outcome, data, json, f"{data['stored'][0]['name']} 已由户 {source} 迁往户 {to}。")
