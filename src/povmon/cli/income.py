"""povmon income: record a year's or a month's income components; show per-capita income against the line."""

from __future__ import annotations

from typing import Annotated

import typer

from povmon import console
from povmon.cli.common import AsOfOption, DbOption, JsonOption, UserOption, parse_day, unit_of_work, user_of
from povmon.cli.entry import Asker, Text, arg, opt, report
from povmon.services import households as hh
from povmon.services import incomes

app = typer.Typer(help="收入账：录入或更正一户某年（或某月）的收入，查看人均纯收入与贫困线、监测线的比较。",
                  no_args_is_help=True)

Amount = Text


def _line(row: dict | None) -> str:
    if not row:
        return ""
    text = f"{row['year']}年人均纯收入 {row['per_capita'] or '—'} 元（{row['members']}人）"
    if row["poverty_line"]:
        text += f"，贫困线 {row['poverty_line']} 元" + ("，低于贫困线" if row["below_poverty_line"] else "")
    return text


@app.command("set")
def set_cmd(
    code: Annotated[Text, arg("户编号。")] = None,
    year: Annotated[Text, opt("--year", help="年度，如 2018。")] = None,
    month: Annotated[Text, opt("--month", help="月份 1–12（不填：全年）。")] = None,
    wage: Annotated[Amount, opt("--wage", help="工资性收入（元）。")] = None,
    business: Annotated[Amount, opt("--business", help="生产经营性收入（元）。")] = None,
    business_expense: Annotated[Amount, opt("--business-expense", help="生产经营性支出（元）。")] = None,
    property_: Annotated[Amount, opt("--property", help="财产性收入（元），如小额信贷分红。")] = None,
    transfer: Annotated[Amount, opt("--transfer", help="转移性收入（元）：低保金、养老金、各项补贴。")] = None,
    compliant_spending: Annotated[
        Amount, opt("--compliant-spending", help="合规自付支出（元）：医疗、教育（监测用）。")
    ] = None,
    note: Annotated[Text, opt("--note", help="备注。")] = None,
    json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """录入或更正一户某年（或某月）的收入，并显示人均纯收入与标准线的比较。

    没有给出的金额保持原值（新记录为 0）。同一年的全年和各月记录相加。

    Example: povmon income set 1411221020010001 --year 2018 --wage 12000 --business 3000 --business-expense 800 \\
      --transfer 2400
    """
    ask = Asker()
    code = ask(code, "CODE", "户编号")
    year = ask(year, "--year", "年度")
    ask.check()
    amounts = {"wage": wage, "business": business, "business_expense": business_expense, "property": property_,
               "transfer": transfer, "compliant_spending": compliant_spending}
    with unit_of_work(db, writes=True) as session:
        household = hh.by_code(session, code)
        outcome = incomes.record(session, household, year=year, month=month,
                                 amounts={k: v for k, v in amounts.items() if v is not None}, note=note,
                                 user=user_of(user))
        data = outcome.as_json()
    report(outcome, data, json, f"户 {code} 的收入已保存；{_line(data['year'])}。")


@app.command("show")
def show_cmd(
    code: Annotated[Text, arg("户编号。")] = None,
    as_of: AsOfOption = None,
    json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """查看一户各年收入：各项收入、纯收入、人均纯收入，以及贫困线和监测线。

    Example: povmon income show 1411221020010001 --as-of 2019-01-31
    """
    ask = Asker()
    code = ask(code, "CODE", "户编号")
    ask.check()
    day = parse_day(as_of)
    with unit_of_work(db) as session:
        household = hh.by_code(session, code)
        rows = incomes.summary(session, household, day)
    if json:
        console.print_json(rows)
        return
    console.show(console.table(
        f"户 {code} 的收入（元，截至 {day.isoformat()}）",
        ["年度", "工资性", "生产经营性", "经营支出", "财产性", "转移性", "纯收入", "人数", "人均纯收入", "贫困线",
         "监测线", "比较"],
        [[r["year"], r["wage"], r["business"], r["business_expense"], r["property"], r["transfer"], r["net"],
          r["members"], r["per_capita"] or "—", r["poverty_line"] or "—", r["monitoring_line"] or "—",
          "低于贫困线" if r["below_poverty_line"] else "低于监测线" if r["below_monitoring_line"] else "高于监测线"
          if r["below_monitoring_line"] is False else ""]
         for r in rows],
    ))
