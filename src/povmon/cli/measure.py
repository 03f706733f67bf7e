"""povmon measure: record an assistance measure taken for a household."""

from __future__ import annotations

from typing import Annotated

import typer

from povmon.cli.common import DbOption, JsonOption, UserOption, unit_of_work, user_of
from povmon.cli.entry import Asker, DateHelp, Text, arg, opt, report
from povmon.services import assistance, cadres
from povmon.services import households as hh

app = typer.Typer(help="帮扶措施：记录一项帮扶措施。", no_args_is_help=True)


@app.command("add")
def add_cmd(
    code: Annotated[Text, arg("户编号。")] = None,
    kind: Annotated[Text, opt("--kind", help="类别：产业、就业、培训、金融、教育、健康、住房、兜底、其他。")] = None,
    date: Annotated[Text, opt("--date", help="日期。" + DateHelp)] = None,
    description: Annotated[Text, opt("--description", help="措施内容。")] = None,
    amount: Annotated[Text, opt("--amount", help="金额（元，可不填）。")] = None,
    cadre: Annotated[Text, opt("--cadre", help="负责的干部：身份证号或姓名（可不填）。")] = None,
    json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """记录一户的一项帮扶措施：类别、日期、内容、金额。

    Example: povmon measure add 1411221020010001 --kind 产业 --date 2019-04-10 --description 发放鸡苗100只 --amount 800
    """
    ask = Asker()
    code = ask(code, "CODE", "户编号")
    kind = ask(kind, "--kind", "措施类别")
    date = ask(date, "--date", "日期")
    description = ask(description, "--description", "措施内容")
    ask.check()
    with unit_of_work(db, writes=True) as session:
        household = hh.by_code(session, code)
        person = cadres.find(session, cadre) if cadre else None
        outcome = assistance.add_measure(session, household, kind=kind, date=date, description=description,
                                         amount=amount, cadre=person, user=user_of(user))
        data = outcome.as_json()
    report(outcome, data, json, f"已记录户 {code} 的帮扶措施（{data['stored'][0]['measure_date']}）。")
