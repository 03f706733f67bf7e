"""povmon visit: record a cadre's visit to a household."""

from __future__ import annotations

from typing import Annotated

import typer

from povmon.cli.common import DbOption, JsonOption, UserOption, unit_of_work, user_of
from povmon.cli.entry import Asker, DateHelp, Text, arg, opt, report
from povmon.services import assistance, cadres
from povmon.services import households as hh

app = typer.Typer(help="走访：记录一次入户走访。", no_args_is_help=True)


@app.command("add")
def add_cmd(
    code: Annotated[Text, arg("户编号。")] = None,
    cadre: Annotated[Text, opt("--cadre", help="走访的干部：身份证号或姓名。")] = None,
    date: Annotated[Text, opt("--date", help="走访日期。" + DateHelp)] = None,
    done: Annotated[Text, opt("--done", help="做了什么（走访内容）。")] = None,
    problems: Annotated[Text, opt("--problems", help="发现的问题。")] = None,
    resolved: Annotated[Text, opt("--resolved", help="问题是否已解决：是 或 否。")] = None,
    json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """记录干部的一次入户走访：做了什么、发现的问题、是否解决。

    Example: povmon visit add 1411221020010001 --cadre 李四 --date 2019-03-02 --done 了解春耕准备 --problems 缺化肥 \\
      --resolved 否
    """
    ask = Asker()
    code = ask(code, "CODE", "户编号")
    cadre = ask(cadre, "--cadre", "走访干部")
    date = ask(date, "--date", "走访日期")
    done = ask(done, "--done", "走访内容")
    ask.check()
    with unit_of_work(db, writes=True) as session:
        household = hh.by_code(session, code)
        person = cadres.find(session, cadre)
        outcome = assistance.add_visit(session, household, person, date=date, done=done, problems=problems,
                                       resolved=resolved, user=user_of(user))
        data = outcome.as_json()
        name = person.name
    report(outcome, data, json, f"已记录 {name} {data['stored'][0]['visit_date']} 走访户 {code}。")
