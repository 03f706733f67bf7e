"""povmon benefit: record a benefit a household (or one member) received under a policy."""

from __future__ import annotations

from typing import Annotated

import typer

from povmon.cli.common import DbOption, JsonOption, UserOption, unit_of_work, user_of
from povmon.cli.entry import Asker, DateHelp, Text, arg, opt, report
from povmon.services import benefits
from povmon.services import households as hh

app = typer.Typer(help="政策账：记录一户（或一名成员）享受的一项政策。", no_args_is_help=True)


@app.command("add")
def add_cmd(
    code: Annotated[Text, arg("户编号。")] = None,
    policy: Annotated[Text, opt("--policy", help="政策名称，如 雨露计划、低保金。")] = None,
    category: Annotated[
        Text,
        opt("--category",
            help="政策类别（新政策必填）：教育、健康、住房、社会保障、金融、产业、就业、生态、资产收益、其他。"),
    ] = None,
    date: Annotated[Text, opt("--date", help="发放日期。" + DateHelp)] = None,
    amount: Annotated[Text, opt("--amount", help="金额（元）。")] = None,
    member: Annotated[Text, opt("--member", help="享受的成员的身份证号（全户享受则不填）。")] = None,
    note: Annotated[Text, opt("--note", help="备注。")] = None,
    json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """记录一项享受的政策；目录中还没有的政策连同类别一起加入目录。

    Example: povmon benefit add 1411221020010001 --policy 雨露计划 --category 教育 --date 2019-09-10 --amount 1500
    """
    ask = Asker()
    code = ask(code, "CODE", "户编号")
    policy = ask(policy, "--policy", "政策名称")
    date = ask(date, "--date", "发放日期")
    amount = ask(amount, "--amount", "金额")
    ask.check()
    with unit_of_work(db, writes=True) as session:
        household = hh.by_code(session, code)
        outcome = benefits.add(session, household, policy=policy, category=category, date=date, amount=amount,
                               member=member, note=note, user=user_of(user))
        data = outcome.as_json()
    stored = data["stored"][-1]
    report(outcome, data, json, f"已记录户 {code} 享受 {policy} {stored['amount']} 元（{stored['benefit_date']}）。")
