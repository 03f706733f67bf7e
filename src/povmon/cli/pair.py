"""povmon pair: pair a cadre with a household, end a pairing, replace a cadre on a date, list pairings."""

from __future__ import annotations

from typing import Annotated

import typer

from povmon import console
from povmon.cli.common import AsOfOption, DbOption, JsonOption, UserOption, parse_day, unit_of_work, user_of
from povmon.cli.entry import Asker, ReasonOption, Text, arg, opt, report
from povmon.services import cadres, pairings
from povmon.services import households as hh

app = typer.Typer(help="结对帮扶：结对、结束结对、更换帮扶干部（保留历史）、列出结对。", no_args_is_help=True)

CadreHelp = "帮扶干部：身份证号或姓名（同名时用身份证号）。"
DateOpt = Annotated[Text, opt("--date", help="日期：2019-07-01、2019.7.1 或 2019年7月1日（可为以后的日期）。")]


@app.command("add")
def add_cmd(
    code: Annotated[Text, arg("户编号。")] = None,
    cadre: Annotated[Text, arg(CadreHelp)] = None,
    date: DateOpt = None,
    reason: ReasonOption = None,
    json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """从某日起让一名干部与一户结对。

    Example: povmon pair add 1411221020010001 14232319750505123X --date 2016-03-01
    """
    ask = Asker()
    code = ask(code, "CODE", "户编号")
    cadre = ask(cadre, "CADRE", "帮扶干部")
    date = ask(date, "--date", "结对开始日期")
    ask.check()
    with unit_of_work(db, writes=True) as session:
        household = hh.by_code(session, code)
        person = cadres.find(session, cadre)
        outcome = pairings.pair(session, household, person, start=date, note=reason, user=user_of(user))
        data = outcome.as_json()
        name = person.name
    report(outcome, data, json, f"{name} 已与户 {code} 结对，自 {data['stored'][0]['start_on']} 起。")


@app.command("end")
def end_cmd(
    code: Annotated[Text, arg("户编号。")] = None,
    cadre: Annotated[Text, arg(CadreHelp)] = None,
    date: DateOpt = None,
    reason: ReasonOption = None,
    json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """某日结束干部与一户的结对（从那天起不再结对）。

    Example: povmon pair end 1411221020010001 李四 --date 2020-01-01 --reason 该户已销户
    """
    ask = Asker()
    code = ask(code, "CODE", "户编号")
    cadre = ask(cadre, "CADRE", "帮扶干部")
    date = ask(date, "--date", "结束日期")
    ask.check()
    with unit_of_work(db, writes=True) as session:
        household = hh.by_code(session, code)
        person = cadres.find(session, cadre)
        outcome = pairings.end(session, household, person, on=date, reason=reason, user=user_of(user))
        data = outcome.as_json()
        name = person.name
    report(outcome, data, json, f"{name} 与户 {code} 的结对已于 {data['changed'][0]['new']} 结束。")


@app.command("replace")
def replace_cmd(
    old: Annotated[Text, arg("原帮扶干部：身份证号或姓名。")] = None,
    new: Annotated[Text, arg("新帮扶干部：身份证号或姓名。")] = None,
    date: DateOpt = None,
    reason: ReasonOption = None,
    json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """某日更换帮扶干部：原干部的结对全部结束，新干部从那天起结对。

    Example: povmon pair replace 李四 赵六 --date 2019-07-01 --reason 工作调动
    """
    ask = Asker()
    old = ask(old, "OLD", "原帮扶干部")
    new = ask(new, "NEW", "新帮扶干部")
    date = ask(date, "--date", "更换日期")
    ask.check()
    with unit_of_work(db, writes=True) as session:
        before, after = cadres.find(session, old), cadres.find(session, new)
        outcome = pairings.replace(session, before, after, on=date, reason=reason, user=user_of(user))
        data = outcome.as_json()
        names = (before.name, after.name)
    codes = "、".join(data["households"])
    report(outcome, data, json, f"已将 {len(data['households'])} 户的帮扶干部由 {names[0]} 换为 {names[1]}：{codes}。")


@app.command("list")
def list_cmd(
    household: Annotated[Text, opt("--household", help="只列出这一户。")] = None,
    cadre: Annotated[Text, opt("--cadre", help="只列出这位干部（身份证号或姓名）。")] = None,
    history: Annotated[bool, typer.Option("--history", help="也列出已结束的结对。")] = False,
    as_of: AsOfOption = None,
    json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """列出某日有效的结对（加 --history 列出全部），可按户或干部。

    Example: povmon pair list --cadre 李四 --history
    """
    day = parse_day(as_of, future=True)  # pairings may be dated ahead: the planned ones can be listed
    with unit_of_work(db) as session:
        place = hh.by_code(session, household) if household else None
        person = cadres.find(session, cadre) if cadre else None
        rows = pairings.listing(session, day, place, person, history)
    if json:
        console.print_json(rows)
        return
    console.show(console.table(
        f"结对（截至 {day.isoformat()}）", ["户编号", "帮扶干部", "单位", "开始", "结束", "原因"],
        [[r["household"], r["cadre"], r["unit"], r["from"], r["to"] or "至今", r["end_reason"]] for r in rows],
    ))
