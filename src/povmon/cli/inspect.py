"""povmon inspect: inspections (督查), their findings and rectifications (services.inspections)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from povmon import console
from povmon.cli.common import AsOfOption, DbOption, JsonOption, UserOption, parse_day, unit_of_work, user_of
from povmon.cli.entry import Asker, DateHelp, Text, arg, opt, report
from povmon.errors import PovmonError
from povmon.reports import attendance as periods
from povmon.rules import inspection as rules
from povmon.rules import parse
from povmon.services import inspections
from povmon.services.lookup import find_area

app = typer.Typer(help="督查：不定期抽查、重点督查、明察暗访，发现的问题及整改。", no_args_is_help=True)


@app.command("record")
def record_cmd(
    date: Annotated[Text, opt("--date", help="督查日期。" + DateHelp)] = None,
    kind: Annotated[Text, opt("--kind", help=f"督查方式：{rules.KIND.accepted()}。")] = None,
    inspectors: Annotated[Text, opt("--inspectors", help="督查人员（可写多人，用逗号分开）。")] = None,
    team: Annotated[list[str] | None, opt("--team", help="督查的工作队：编号、队名或村名（可多次给）。")] = None,
    secretary: Annotated[list[str] | None,
                         opt("--secretary", help="督查的第一书记：身份证号或姓名（可多次给）。")] = None,
    cadre: Annotated[list[str] | None, opt("--cadre", help="督查的干部：身份证号或姓名（可多次给）。")] = None,
    village: Annotated[list[str] | None, opt("--village", help="督查的村：名称、代码或 乡镇/村（可多次给）。")] = None,
    household: Annotated[list[str] | None, opt("--household", help="督查的农户：户编号（可多次给）。")] = None,
    project: Annotated[list[str] | None, opt("--project", help="督查的项目：项目名称（可多次给）。")] = None,
    note: Annotated[Text, opt("--note", help="备注。")] = None,
    json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """登记一次督查：日期、方式、督查人员、督查了什么。

    Example: povmon inspect record --date 2018-05-10 --kind 明察暗访 --inspectors 县督查组 --team 东营村
    """
    ask = Asker()
    date = ask(date, "--date", "督查日期")
    kind = ask(kind, "--kind", "督查方式")
    inspectors = ask(inspectors, "--inspectors", "督查人员")
    ask.check()
    with unit_of_work(db, writes=True) as session:
        outcome = inspections.record(session, date=date, kind=kind, inspectors=inspectors, teams=team,
                                     secretaries=secretary, cadres=cadre, villages=village, households_=household,
                                     projects=project, note=note, user=user_of(user))
        data = outcome.as_json()
    shown = "、".join(t["name"] for t in data["targets"])
    report(outcome, data, json, f"已登记督查 #{data['stored'][0]['id']}（{shown}）；发现问题请用 povmon inspect "
                                f"finding {data['stored'][0]['id']} 登记。")


@app.command("finding")
def finding_cmd(
    inspection: Annotated[Text, arg("督查编号（见 povmon inspect list）。")] = None,
    category: Annotated[Text, opt("--category", help=f"问题类别：{rules.CATEGORY.accepted()}。")] = None,
    description: Annotated[Text, opt("--description", help="问题描述。")] = None,
    deadline: Annotated[Text, opt("--deadline", help="整改期限。" + DateHelp)] = None,
    responsible: Annotated[Text, opt("--responsible", help="整改责任人（人或单位）。")] = None,
    team: Annotated[Text, opt("--team", help="问题所属工作队（默认：该次督查的工作队）。")] = None,
    cadre: Annotated[Text, opt("--cadre", help="问题所涉干部：身份证号或姓名。")] = None,
    absent: Annotated[bool, typer.Option("--absent", help="该干部不在岗：明察暗访发现的，当天考勤记为缺勤。")] = False,
    json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """登记督查发现的问题：类别、描述、整改期限、责任人；明察暗访发现脱岗的记为当天缺勤。

    Example: povmon inspect finding 3 --category 在岗 --description 第一书记不在村 --deadline 2018-05-20
    --responsible 第一书记 --cadre 张三 --absent
    """
    ask = Asker()
    inspection = ask(inspection, "INSPECTION", "督查编号")
    category = ask(category, "--category", "问题类别")
    description = ask(description, "--description", "问题描述")
    deadline = ask(deadline, "--deadline", "整改期限")
    responsible = ask(responsible, "--responsible", "整改责任人")
    ask.check()
    with unit_of_work(db, writes=True) as session:
        found = inspections.find(session, inspection)
        outcome = inspections.add_finding(session, found, category=category, description=description,
                                          deadline=deadline, responsible=responsible, team=team, cadre=cadre,
                                          absent=absent, user=user_of(user))
        data = outcome.as_json()
        fid = outcome.record.id
    extra = f"；{data['attendance']}" if data.get("attendance") else ""
    report(outcome, data, json, f"已登记问题 #{fid}{extra}；整改后请用 povmon inspect rectify {fid} 登记。")


@app.command("rectify")
def rectify_cmd(
    finding: Annotated[Text, arg("问题编号（见 povmon inspect list）。")] = None,
    date: Annotated[Text, opt("--date", help="整改完成日期。" + DateHelp)] = None,
    evidence: Annotated[Text, opt("--evidence", help="整改佐证：做了什么、有何材料。")] = None,
    confirmed_by: Annotated[Text, opt("--confirmed-by", help="确认人。")] = None,
    json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """登记一个问题的整改：完成日期、佐证、确认人。

    Example: povmon inspect rectify 7 --date 2018-05-18 --evidence 已补齐走访记录 --confirmed-by 李四
    """
    ask = Asker()
    finding = ask(finding, "FINDING", "问题编号")
    date = ask(date, "--date", "整改日期")
    evidence = ask(evidence, "--evidence", "整改佐证")
    ask.check()
    with unit_of_work(db, writes=True) as session:
        found = inspections.find_finding(session, finding)
        outcome = inspections.rectify(session, found, date=date, evidence=evidence, confirmed_by=confirmed_by,
                                      user=user_of(user))
        data = outcome.as_json()
    report(outcome, data, json, f"已登记问题 #{found.id} 的整改（{data['stored'][0]['rectified_on']}）。")


def period_of(year: str | None, month: str | None) -> periods.Period:
    """--year or --month (one of them; neither: this year)."""
    if year and month:
        raise PovmonError("--year 和 --month 只能给一个。")
    try:
        if month:
            return periods.Period.month(month)
        return periods.Period.year(year or str(dt.date.today().year))
    except parse.ValueProblem as exc:
        raise typer.BadParameter(exc.message, param_hint="--month" if month else "--year") from None


@app.command("list")
def list_cmd(
    year: Annotated[Text, opt("--year", help="年份 YYYY（默认今年）。")] = None,
    month: Annotated[Text, opt("--month", help="月份 YYYY-MM。")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="只列逾期未整改的问题。")] = False,
    area: Annotated[Text, opt("--area", help="只列督查这个区划内对象的：代码、名称或 乡镇/村。")] = None,
    as_of: AsOfOption = None,
    json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """列出一年或一个月督查发现的问题及整改情况；--overdue 只列逾期未整改的。

    Example: povmon inspect list --year 2018 --overdue
    """
    period = period_of(year, month)
    day = parse_day(as_of)
    with unit_of_work(db) as session:
        scope = find_area(session, area) if area else None
        rows = inspections.listing(session, period.first, period.last, overdue=overdue, scope=scope, today=day)
    if json:
        console.print_json(rows)
        return
    title = f"{period.title}督查发现的问题" + ("（逾期未整改）" if overdue else "") + f"，截至 {day.isoformat()}"
    if not rows:
        console.show(f"{title}：没有。")
        return
    console.show(console.table(title, ["编号", "督查", "日期", "方式", "类别", "工作队", "干部", "整改期限", "情况"],
                               [[r["id"], r["inspection"], r["date"], r["kind"], r["category"], r["team"] or "",
                                 r["cadre"] or "", r["deadline"] or "", r["status"]] for r in rows]))


@app.command("show")
def show_cmd(
    inspection: Annotated[Text, arg("督查编号。")] = None,
    as_of: AsOfOption = None,
    json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """显示一次督查：方式、人员、对象、发现的问题及整改。

    Example: povmon inspect show 3
    """
    ask = Asker()
    inspection = ask(inspection, "INSPECTION", "督查编号")
    ask.check()
    day = parse_day(as_of)
    with unit_of_work(db) as session:
        data = inspections.inspection_json(inspections.find(session, inspection), day)
    if json:
        console.print_json(data)
        return
    console.show(f"督查 #{data['id']}  {data['date']}  {data['kind']}  督查人员：{data['inspectors']}\n"
                 f"对象：{'、'.join(t['kind'] + ' ' + str(t['name']) for t in data['targets'])}")
    if data["findings"]:
        console.show(console.table("发现的问题", ["编号", "类别", "描述", "期限", "责任人", "情况"],
                                   [[f["id"], f["category"], f["description"], f["deadline"] or "", f["responsible"],
                                     f["status"]] for f in data["findings"]]))
    else:
        console.show("没有登记问题。")
