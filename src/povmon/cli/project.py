"""povmon project / asset: projects, their funding, beneficiaries and dividends; the assets they created."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from povmon import console
from povmon.cli.common import (
    AsOfOption,
    DbOption,
    ForceOption,
    JsonOption,
    UserOption,
    output_file,
    parse_day,
    unit_of_work,
    user_of,
)
from povmon.cli.entry import Asker, DateHelp, Text, arg, opt, report
from povmon.reports import extras
from povmon.services import areas, exports, projects
from povmon.services import households as hh

app = typer.Typer(help="项目：登记项目、资金来源、受益户，发放资产收益分红；导入、模板、台账。", no_args_is_help=True)
asset_app = typer.Typer(help="帮扶项目资产：登记资产，记录状态变化（在用、闲置、损毁、处置），列出资产。",
                        no_args_is_help=True)

AreaOpt = Annotated[Text, opt("--area", help="所在地：区划代码、名称或 乡镇/村（同名项目须写）。")]
ProjectArg = Annotated[Text, arg("项目名称。")]


def _area(session, text):
    return areas.find(session, text) if text else None


@app.command("add")
def add_cmd(
    name: ProjectArg = None,
    area: Annotated[Text, opt("--area", help="项目所在地：区划代码、名称或 乡镇/村（必填）。")] = None,
    kind: Annotated[Text, opt("--kind", help="项目类别：基础设施、产业、资产收益、就业、其他。")] = None,
    investment: Annotated[Text, opt("--investment", help="总投资（元）。")] = None,
    start: Annotated[Text, opt("--start", help="开工日期。" + DateHelp)] = None,
    completed: Annotated[Text, opt("--completed", help="完工日期。")] = None,
    dividend: Annotated[Text, opt("--dividend", help="资产收益项目每户每年分红（元）。")] = None,
    description: Annotated[Text, opt("--description", help="项目内容。")] = None,
    json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """登记一个项目。

    Example: povmon project add 光伏电站 --area 西营镇/东营村 --kind 资产收益 --investment 1285714 --dividend 1000
    """
    ask = Asker()
    name = ask(name, "NAME", "项目名称")
    area = ask(area, "--area", "所在地")
    kind = ask(kind, "--kind", "项目类别")
    investment = ask(investment, "--investment", "总投资")
    ask.check()
    with unit_of_work(db, writes=True) as session:
        outcome = projects.add(session, areas.find(session, area), name=name, kind=kind, investment=investment,
                               start=start, completed=completed, dividend=dividend, description=description,
                               user=user_of(user))
        data = outcome.as_json()
    report(outcome, data, json, f"已登记项目“{name}”，总投资 {data['stored'][0]['investment']} 元。")


@app.command("fund")
def fund_cmd(
    name: ProjectArg = None,
    source: Annotated[Text, opt("--source", help="资金来源：中央财政、省级财政、市级财政、县级财政、涉农整合资金、"
                                "帮扶单位、社会捐助、银行贷款、群众自筹、其他。")] = None,
    amount: Annotated[Text, opt("--amount", help="金额（元）。")] = None,
    area: AreaOpt = None,
    note: Annotated[Text, opt("--note", help="备注。")] = None,
    json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """登记项目的一项资金来源。

    Example: povmon project fund 光伏电站 --source 涉农整合资金 --amount 1000000
    """
    ask = Asker()
    name = ask(name, "NAME", "项目名称")
    source = ask(source, "--source", "资金来源")
    amount = ask(amount, "--amount", "金额")
    ask.check()
    with unit_of_work(db, writes=True) as session:
        project = projects.find(session, name, _area(session, area))
        outcome = projects.fund(session, project, source=source, amount=amount, note=note, user=user_of(user))
        data = outcome.as_json()
    report(outcome, data, json, f"已登记项目“{name}”的资金 {data['stored'][0]['amount']} 元。")


@app.command("beneficiary")
def beneficiary_cmd(
    name: ProjectArg = None,
    codes: Annotated[list[str] | None, typer.Argument(help="受益户的户编号（可写多个）。", show_default=False)] = None,
    area: AreaOpt = None,
    since: Annotated[Text, opt("--since", help="受益日期。")] = None,
    mu: Annotated[Text, opt("--mu", help="面积（亩），如种植面积。")] = None,
    quantity: Annotated[Text, opt("--quantity", help="数量（株、只、头等）。")] = None,
    json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """登记项目的受益户。

    Example: povmon project beneficiary 饮水工程 1411221020010001 1411221020010002
    """
    ask = Asker()
    name = ask(name, "NAME", "项目名称")
    codes = ask(codes, "CODES", "户编号")
    ask.check()
    with unit_of_work(db, writes=True) as session:
        project = projects.find(session, name, _area(session, area))
        outcomes = [projects.add_beneficiary(session, project, hh.by_code(session, c), since=since, area_mu=mu,
                                             quantity=quantity, user=user_of(user)) for c in codes]
        data = {"stored": [r for o in outcomes for r in o.as_json()["stored"]], "changed": [],
                "warnings": [w for o in outcomes for w in o.as_json()["warnings"]]}
    report(outcomes[0], data, json, f"已登记项目“{name}”的 {len(codes)} 个受益户。")


@app.command("dividend")
def dividend_cmd(
    name: ProjectArg = None,
    codes: Annotated[list[str] | None,
                     typer.Argument(help="领取分红的户编号（可写多个）。", show_default=False)] = None,
    year: Annotated[Text, opt("--year", help="分红年度。")] = None,
    date: Annotated[Text, opt("--date", help="发放日期。" + DateHelp)] = None,
    amount: Annotated[Text, opt("--amount", help="每户分红金额（元；默认取项目登记的每户年分红）。")] = None,
    no_income: Annotated[bool, typer.Option("--no-income",
                                            help="收入账已经计入这笔分红，不再记为财产性收入。")] = False,
    area: AreaOpt = None,
    json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """发放资产收益分红：记入政策账（享受政策）和收入账（财产性收入），只录一次。

    Example: povmon project dividend 光伏电站 1411221020010001 --year 2018 --date 2019-01-15
    """
    ask = Asker()
    name = ask(name, "NAME", "项目名称")
    codes = ask(codes, "CODES", "户编号")
    year = ask(year, "--year", "分红年度")
    date = ask(date, "--date", "发放日期")
    ask.check()
    with unit_of_work(db, writes=True) as session:
        project = projects.find(session, name, _area(session, area))
        outcomes = [projects.pay_dividend(session, project, hh.by_code(session, c), year=year, paid_on=date,
                                          amount=amount, count_income=not no_income, user=user_of(user))
                    for c in codes]
        data = {"stored": [r for o in outcomes for r in o.as_json()["stored"]], "changed":
                [c for o in outcomes for c in o.as_json()["changed"]], "warnings": []}
    report(outcomes[0], data, json, f"已为 {len(codes)} 户发放项目“{name}”{year}年分红。")


@app.command("list")
def list_cmd(
    area: Annotated[Text, opt("--area", help="只列这个地区（及其下各村）的项目。")] = None,
    year: Annotated[int | None,
                    typer.Option("--year", help="统计哪一年的分红（默认今年）。", show_default=False)] = None,
    json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """列出项目：类别、投资、资金来源、受益户、当年分红、资产。

    Example: povmon project list --area 西营镇 --year 2019
    """
    import datetime as dt

    year = year or dt.date.today().year
    with unit_of_work(db) as session:
        rows = extras.projects(session, extras.under(session, _area(session, area)), year)
    if json:
        console.print_json({"year": year, "projects": rows})
        return
    columns = ["项目", "所在地", "类别", "总投资", "受益户", "分红户", "分红金额"]
    console.show(console.table(f"项目（{year}年分红）", columns,
                               [[r["name"], r["area"], r["kind_label"], r["investment"], r["beneficiary_households"],
                                 r["dividend_households"], r["dividends_yuan"]] for r in rows]))


@app.command("unpaid")
def unpaid_cmd(
    year: Annotated[int, typer.Option("--year", help="分红年度。")],
    area: Annotated[Text, opt("--area", help="只查这个地区（及其下各村）。")] = None,
    json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """列出某年分红没有发到每个受益户的项目。

    Example: povmon project unpaid --year 2018 --area 西营镇
    """
    with unit_of_work(db) as session:
        rows = projects.unpaid(session, year, extras.under(session, _area(session, area)))
    if json:
        console.print_json({"year": year, "projects": rows})
        return
    if not rows:
        console.success(f"{year}年各资产收益项目的分红都已发到每个受益户。")
        return
    console.show(console.table(f"{year}年未发放分红的项目", ["项目", "所在地", "受益户", "已发", "未发户"],
                               [[r["project"], r["area"], r["beneficiaries"], r["paid"],
                                 "、".join(r["unpaid"][:5]) + ("…" if len(r["unpaid"]) > 5 else "")] for r in rows]))


@app.command("import")
def import_cmd(
    files: Annotated[list[Path], typer.Argument(
        help="要导入的工作簿（项目、资金、受益户、分红、资产、企业、务工、培训、政治面貌各表）。", show_default=False)],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="完整检查并报告结果，但不写入数据库。")] = False,
    json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """导入项目工作簿：有任何一行出错则整批不写入，并逐条指出工作表、行、列。

    Example: povmon project import 05-交城县-项目与就业.xlsx --dry-run
    """
    from povmon.ingest import extras as ingest_extras

    with unit_of_work(db, writes=True) as session:
        result = ingest_extras.import_files(session, files, user=user_of(user), dry_run=dry_run)
    if json:
        console.print_json(result.as_json())
    else:
        for p in result.errors[:50]:
            where = f"“{p.column}”列" if p.column else ""
            console.error(f"{p.file}「{p.sheet}」第 {p.row} 行{where}：{p.message}")
        for p in result.warnings[:20]:
            console.warning(f"{p.file}「{p.sheet}」第 {p.row} 行：{p.message}")
        counts = "；".join(f"{k} {c['created']} 条" for k, c in result.counts.items())
        if result.errors:
            console.error(f"有 {len(result.errors)} 处错误，整批没有写入；请改正后重新导入。")
        elif dry_run:
            console.success(f"检查通过（未写入）：{counts}。")
        else:
            console.success(f"已导入（批次 {result.batch}）：{counts}。")
    if result.errors:
        raise typer.Exit(1)


@app.command("template")
def template_cmd(
    out: Annotated[Path, typer.Argument(help="模板文件路径（.xlsx）。", show_default=False)],
    force: ForceOption = False,
) -> None:
    """生成项目工作簿的空白模板（含下拉列表和填表说明）。

    Example: povmon project template 项目模板.xlsx
    """
    from povmon.ingest import extras as ingest_extras

    output_file(out, force=force)
    ingest_extras.write_template(out)
    console.success(f"已生成模板 {out}。")


@app.command("report")
def report_cmd(
    area: Annotated[Text, opt("--area", help="地区：区划代码、名称或 乡镇/村（默认全县）。")] = None,
    as_of: AsOfOption = None,
    year: Annotated[int | None, typer.Option("--year", help="培训、分红统计的年度（默认 --as-of 那年）。",
                                             show_default=False)] = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="把台账写入这个 .xlsx 文件（A4，可直接打印）。",
                                                show_default=False)] = None,
    show_ids: Annotated[bool, typer.Option("--show-ids", help="显示完整身份证号（会记入审计日志）。")] = False,
    json: JsonOption = False,
    force: ForceOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """项目、资产、就业、培训、党员的汇总和台账（JSON 或 A4 工作簿）。

    Example: povmon project report --area 西营镇 --as-of 2019-01-31 -o 西营镇项目台账.xlsx
    """
    day = parse_day(as_of)
    if output is not None:
        output_file(output, force=force, uses_db=True, db=db)
    with unit_of_work(db, writes=show_ids and output is not None) as session:
        if show_ids:
            exports.may_show_ids(session)
        place = _area(session, area)
        data = extras.summary(session, place, day, year)
        if output is not None:
            from povmon.reports import extras_xlsx

            book = extras_xlsx.collect(session, place, day, year, show_ids=show_ids)
            # docs/CONTRACTS.md, "masking": one audit row per household shown
            exports.record_codes_shown(session, book.unmasked, user=user_of(user), command="project report --show-ids")
            extras_xlsx.write(book, output)
    if json:
        console.print_json(data)
        return
    if output is not None:
        console.success(f"已写入 {output}。")
    emp = data["employment"]
    console.show(console.table(f"{data['area'] or '全部'}（{data['as_of']}）", ["指标", "数值"], [
        ["党员人数", data["party_members"]], ["务工人数", emp["people"]],
        ["其中贫困户务工人数", emp["registered_people"]],
        ["月工资1000元以上的贫困户（户/人）", f"{emp['wage_households']} / {emp['wage_people']}"],
        ["累计培训（户/人）", f"{data['trained_households']} / {data['trained_people']}"],
        ["项目数", data["projects"]], ["项目总投资（元）", data["investment_yuan"]],
        ["当年分红（户/元）", f"{data['dividend_households']} / {data['dividends_yuan']}"],
        ["资产（其中闲置、损毁）", f"{data['assets']}（{data['assets_needing_attention']}）"]]))


# --- asset ------------------------------------------------------------------------------------------------


@asset_app.command("add")
def asset_add_cmd(
    name: Annotated[Text, arg("资产名称。")] = None,
    project: Annotated[Text, opt("--project", help="形成资产的项目名称。")] = None,
    value: Annotated[Text, opt("--value", help="资产价值（元）。")] = None,
    owner: Annotated[Text, opt("--owner", help="资产权属：村集体、国有、农户。")] = None,
    custodian: Annotated[Text, opt("--custodian", help="管护主体。")] = None,
    status: Annotated[str, typer.Option("--status", help="资产状态：在用、闲置、损毁、处置。")] = "在用",
    date: Annotated[Text, opt("--date", help="状态日期（默认项目完工日期）。")] = None,
    area: AreaOpt = None,
    json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """登记项目形成的一项资产。

    Example: povmon asset add 东营村光伏电站 --project 光伏电站 --value 1285714 --owner 村集体 --date 2017-10-01
    """
    ask = Asker()
    name = ask(name, "NAME", "资产名称")
    project = ask(project, "--project", "项目名称")
    value = ask(value, "--value", "资产价值")
    owner = ask(owner, "--owner", "资产权属")
    ask.check()
    with unit_of_work(db, writes=True) as session:
        found = projects.find(session, project, _area(session, area))
        outcome = projects.add_asset(session, found, name=name, value=value, owner=owner, custodian=custodian,
                                     status=status, status_on=date, user=user_of(user))
        data = outcome.as_json()
    report(outcome, data, json, f"已登记资产“{name}”。")


@asset_app.command("status")
def asset_status_cmd(
    name: Annotated[Text, arg("资产名称。")] = None,
    status: Annotated[Text, arg("新状态：在用、闲置、损毁、处置。")] = None,
    date: Annotated[Text, opt("--date", help="状态日期。" + DateHelp)] = None,
    note: Annotated[Text, opt("--note", help="原因或说明。")] = None,
    json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """记录资产某日起的状态（保留历史，不改旧记录）。

    Example: povmon asset status 东营村蓄水池 闲置 --date 2019-03-01 --note 水泵损坏待修
    """
    ask = Asker()
    name = ask(name, "NAME", "资产名称")
    status = ask(status, "STATUS", "资产状态")
    date = ask(date, "--date", "状态日期")
    ask.check()
    with unit_of_work(db, writes=True) as session:
        asset = projects.find_asset(session, name)
        outcome = projects.set_status(session, asset, status=status, on=date, note=note, user=user_of(user))
        data = outcome.as_json()
    report(outcome, data, json, f"资产“{name}”自 {data['stored'][0]['status_on']} 起为{status}。")


@asset_app.command("list")
def asset_list_cmd(
    area: Annotated[Text, opt("--area", help="只列这个地区（及其下各村）的资产。")] = None,
    attention: Annotated[bool, typer.Option("--attention", help="只列闲置、损毁的资产。")] = False,
    as_of: AsOfOption = None,
    json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """列出项目资产及其某日的状态。

    Example: povmon asset list --attention --as-of 2019-03-31
    """
    day = parse_day(as_of)
    with unit_of_work(db) as session:
        rows = extras.assets(session, day, extras.under(session, _area(session, area)), attention_only=attention)
    if json:
        console.print_json({"as_of": day.isoformat(), "assets": rows})
        return
    console.show(console.table(f"项目资产（{day.isoformat()}）", ["资产", "项目", "所在地", "价值", "权属", "管护主体",
                                                                "状态", "自"],
                               [[r["name"], r["project"], r["area"], r["value"], r["owner"], r["custodian"],
                                 r["status_label"], r["since"]] for r in rows]))
