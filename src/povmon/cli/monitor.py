"""povmon monitor: 防止返贫动态监测 — departments' lists, the screening rules, screening, leads, steps, the workbook."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from povmon import console
from povmon.cli.common import (
    DbOption,
    ForceOption,
    JsonOption,
    UserOption,
    output_file,
    parse_day,
    unit_of_work,
    user_of,
)
from povmon.cli.entry import Asker, Text, arg, opt, report
from povmon.errors import PovmonError
from povmon.ingest import dept as dept_import
from povmon.rules import monitoring as R
from povmon.services import households as hh
from povmon.services import monitoring as service

app = typer.Typer(
    help="防止返贫动态监测：导入部门名单、筛查规则、筛查预警、线索办理（入户核实至县级审定）、监测报表。",
    no_args_is_help=True,
)
rules_app = typer.Typer(help="筛查规则和阈值：查看在用的规则，导入本县的规则。", no_args_is_help=True)
lead_app = typer.Typer(help="手工登记线索：农户自主申报、基层干部排查。", no_args_is_help=True)
app.add_typer(rules_app, name="rules")
app.add_typer(lead_app, name="lead")

AsOf = Annotated[Text, opt("--as-of", help="按哪一天（YYYY-MM-DD，默认今天）。")]
DATE_HELP = "日期：2019-03-01、2019.3.1 或 2019年3月1日。"


def _dept(value: str) -> str:
    try:
        return dept_import.dept_code(value)
    except PovmonError as exc:
        raise typer.BadParameter(str(exc).rstrip("。"), param_hint="--dept") from None


@app.command("import-dept")
def import_dept_cmd(
    file: Annotated[Path, typer.Argument(help="部门名单（Excel），按部门自己的格式，表头自动识别。",
                                         show_default=False)],
    dept: Annotated[str, typer.Option("--dept", help=f"哪个部门的名单：{'、'.join(R.DEPTS)}。",
                                      show_default=False)],
    as_of: AsOf = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只检查和比对，不写入数据库。")] = False,
    mapping: Annotated[Path | None, typer.Option(
        "--mapping", help="列名对照文件（TOML）：[columns] 原列名 = 标准列名。", show_default=False)] = None,
    json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """导入一个部门的名单，按身份证号与花名册比对；不在册的人列出，不阻止其余各行。

    同一份名单导入两次不会重复记录。
    Example: povmon monitor import-dept 医保2019年3月.xlsx --dept 医保 --as-of 2019-03-31
    """
    code = _dept(dept)
    day = parse_day(as_of)
    with unit_of_work(db, writes=not dry_run) as session:
        result = dept_import.import_dept(session, file, code, as_of=day, dry_run=dry_run, mapping=mapping,
                                         user=user_of(user))
    if json:
        console.print_json(result.as_json())
        return
    for problem in result.errors:
        console.warning(f"{problem.sheet} 第{problem.row}行 {problem.column}：{problem.message}")
    n = result.rows
    shown = result.as_json()["not_in_register"]
    for row in shown[:20]:
        console.info(f"不在册：第{row['row']}行 {row['name'] or ''} {row['id_number']}")
    if len(shown) > 20:
        console.info(f"……另有 {len(shown) - 20} 人不在册（--json 列出全部）")
    verb = "检查（未写入）" if dry_run else (f"导入（批次 {result.batch}）" if result.batch else "导入（没有新行）")
    console.success(f"{code}名单已{verb}：在册 {n['matched']} 行，不在册 {n['not_in_register']} 行，"
                    f"有误 {n['rejected']} 行，已导入过 {n['unchanged']} 行。")


@rules_app.command("list")
def rules_list_cmd(json: JsonOption = False, db: DbOption = None) -> None:
    """列出在用的筛查规则和阈值（程序自带的为参考值，各县应导入自己的）。

    Example: povmon monitor rules list
    """
    with unit_of_work(db) as session:
        rules = service.rules_in_use(session)
    data = [service.rule_json(r) for r in rules]
    if json:
        console.print_json(data)
        return
    console.show(console.table(
        "筛查规则", ["规则", "人群", "阈值（元）", "比例", "窗口（月）", "年度", "说明"],
        [[f"{d['code']}\n{d['label']}", R.POPULATIONS[d["population"]], d["threshold"] or "", d["ratio"] or "",
          d["window_months"], f"{d['from_year']}–{d['to_year'] or ''}",
          ("（参考值）" if d["approximate"] else "") + (d["note"] or "")] for d in data]))


@rules_app.command("load")
def rules_load_cmd(
    file: Annotated[Path, typer.Argument(
        help="规则 CSV 文件，列：code,population,threshold,ratio,window_months,from_year"
             "[,to_year,approximate,note]。", show_default=False)],
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """导入本县的筛查规则：文件里出现的规则替换原有的阈值。

    Example: povmon monitor rules load jiaocheng-rules.csv
    """
    if not file.is_file():
        raise PovmonError(f"找不到文件 {file}；请检查路径。")
    try:
        rules = R.parse_rules(file.read_text(encoding="utf-8-sig"), file.name)
    except UnicodeDecodeError as exc:
        raise PovmonError(f"{file.name} 不是 UTF-8 编码的 CSV；请在 Excel 中另存为“CSV UTF-8”。") from exc
    except R.RuleFileError as exc:
        raise PovmonError(str(exc) + "。") from exc
    with unit_of_work(db, writes=True) as session:
        done = service.load_rules(session, rules, user=user_of(user))
    console.success(f"已导入筛查规则 {done['loaded']} 条（{done['codes']} 项规则），替换原有 {done['replaced']} 条。")


@app.command("screen")
def screen_cmd(as_of: AsOf = None, json: JsonOption = False, db: DbOption = None, user: UserOption = None) -> None:
    """按各项规则筛查花名册和部门数据，每户每项规则登记一条线索（已有未决线索的不重复登记）。

    Example: povmon monitor screen --as-of 2019-03-31 --json
    """
    day = parse_day(as_of)
    with unit_of_work(db, writes=True) as session:
        result = service.screen(session, day, user=user_of(user))
        data = result.as_json()
    if json:
        console.print_json(data)
        return
    by_rule: dict[str, int] = {}
    for lead in data["leads"]:
        if lead["new"]:
            by_rule[lead["rule"]] = by_rule.get(lead["rule"], 0) + 1
    if by_rule:
        console.show(console.table("新线索", ["规则", "户数"], [[R.RULES[k], v] for k, v in by_rule.items()]))
    console.success(f"筛查完毕（{day.isoformat()}）：新线索 {data['counts']['new']} 条，"
                    f"已有未决线索 {data['counts']['already_open']} 条。")


@lead_app.command("add")
def lead_add_cmd(
    code: Annotated[Text, arg("户编号。")] = None,
    source: Annotated[Text, opt("--source", help="来源：self_application（农户自主申报）或 "
                                                 "cadre_check（基层干部排查）。")] = None,
    date: Annotated[Text, opt("--date", help=DATE_HELP)] = None,
    note: Annotated[Text, opt("--note", help="情况说明。")] = None,
    json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """手工登记一条线索：农户自主申报或基层干部排查发现的风险。

    Example: povmon monitor lead add 1411221040010006 --source self_application --date 2019-03-05 --note 户主住院
    """
    ask = Asker()
    code = ask(code, "CODE", "户编号")
    source = ask(source, "--source", "线索来源")
    date = ask(date, "--date", "线索日期")
    ask.check()
    with unit_of_work(db, writes=True) as session:
        household = hh.by_code(session, code)
        outcome = service.add_lead(session, household, source=source, date=date, note=note, user=user_of(user))
        lead = outcome.record
        data = service.lead_json(lead, dt.date.today())
    report(outcome, data, json, f"已登记线索 {data['id']}（户 {code}，{data['rule_label']}），"
           f"应于 {data['deadline']} 前作出决定。")


STATUSES = ("open", "overdue", "decided")


@app.command("leads")
def leads_cmd(
    status: Annotated[Text, opt("--status", help="open（未决）、overdue（逾期未决）或 decided（已决定）。")] = None,
    area: Annotated[Text, opt("--area", help="只列这个区划及其下级：代码、名称，或 乡镇/村。")] = None,
    source: Annotated[Text, opt("--source", help="来源：部门（医保 等）、register（花名册）或 hand（手工）。")] = None,
    as_of: AsOf = None,
    json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """列出线索和各自的办理步骤；超过15天未决定的为逾期。

    Example: povmon monitor leads --status overdue --area 西营镇
    """
    if status is not None and status not in STATUSES:
        raise typer.BadParameter("应为 open、overdue 或 decided", param_hint="--status")
    day = parse_day(as_of)
    with unit_of_work(db) as session:
        area_ids = service.area_scope(session, area) if area else None
        found = service.leads(session, day, status=status, area_ids=area_ids, source=source)
        data = [service.lead_json(x, day) for x in found]
    if json:
        console.print_json(data)
        return
    labels = {"open": "未决", "overdue": "逾期", "decided": "已决定"}
    console.show(console.table(
        f"监测线索（{day.isoformat()}）", ["编号", "户", "村", "规则", "情况", "发现", "状态", "已办"],
        [[d["id"], d["household"], d["village"], d["rule_label"], d["detail"] or "", d["detected_on"],
          labels[d["status"]] + (f"：{R.RESULTS[d['result']]}" if d["result"] else ""),
          "、".join(s["label"] for s in d["steps"])] for d in data]))


@app.command("step")
def step_cmd(
    lead_id: Annotated[Text, arg("线索编号（见 monitor leads）。")] = None,
    step: Annotated[Text, arg("步骤：入户核实、民主评议、公示、乡镇初审、县级审定、纳入监测 或 不纳入。")] = None,
    date: Annotated[Text, opt("--date", help=DATE_HELP)] = None,
    until: Annotated[Text, opt("--until", help="公示的最后一天（公示至少5天）。")] = None,
    result: Annotated[Text, opt("--result", help="决定：纳入 或 不纳入（县级审定时可一并写明）。")] = None,
    kind: Annotated[Text, opt(
        "--type", help="纳入时的监测类型（默认：脱贫户为脱贫不稳定户，其余为边缘易致贫户）。")] = None,
    risks: Annotated[list[str] | None, opt("--risk", help="纳入时的风险类型，可重复（默认按线索的规则）。")] = None,
    consent: Annotated[bool | None, typer.Option("--consent/--no-consent",
                                                 help="入户核实时农户已签承诺授权书。", show_default=False)] = None,
    by: Annotated[Text, opt("--by", help="经办人或机构。")] = None,
    note: Annotated[Text, opt("--note", help="说明；不纳入时写明理由。")] = None,
    json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """记录线索的一个办理步骤；顺序不对、公示不足5天、未经县级审定的决定都会被拒绝。

    纳入监测时同时记录该户的纳入监测事件（识别账），注明线索编号。
    Example: povmon monitor step 17 公示 --date 2019-03-10 --until 2019-03-14
    """
    ask = Asker()
    lead_id = ask(lead_id, "LEAD_ID", "线索编号")
    step = ask(step, "STEP", "步骤")
    date = ask(date, "--date", "步骤日期")
    ask.check()
    with unit_of_work(db, writes=True) as session:
        outcome = service.record_step(session, lead_id, step, date=date, until=until, result=result,
                                      monitoring_type=kind, risks=risks, consent=consent, by=by, note=note,
                                      user=user_of(user))
        data = outcome.facts["lead"]
    last = data["steps"][-1]
    done = f"线索 {data['id']}：已记录“{last['label']}”（{last['date']}）"
    if data["result"]:
        done += f"，决定{R.RESULTS[data['result']]}" + ("，已记入识别账" if last.get("event") else "")
    report(outcome, data, json, done + "。")


@app.command("report")
def report_cmd(
    month: Annotated[str, typer.Option("--month", help="月份 YYYY-MM。", show_default=False)],
    area: Annotated[Text, opt("--area", help="只统计这个区划及其下级：代码、名称，或 乡镇/村。")] = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="写出 Excel 工作簿（A4 打印）。",
                                                show_default=False)] = None,
    force: ForceOption = False,
    json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """监测月报：各乡镇、村的线索（按来源、规则）、未决、逾期、已决定、新纳入、风险消除，及预警、逾期、公示、部门反馈表。

    Example: povmon monitor report --month 2019-03 -o 监测月报.xlsx
    """
    from povmon.reports import monitoring as monthly

    try:
        wanted = monthly.parse_month(month)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--month") from None
    if output is not None:
        output_file(output, force=force, option="-o", uses_db=True, db=db)
    with unit_of_work(db) as session:
        built = monthly.build(session, wanted, area)
        if output is not None:
            from povmon.reports import monitoring_xlsx

            monitoring_xlsx.write(built, output, force=force)
    if json:
        console.print_json(built.as_json())
        return
    console.show(console.table(
        f"{built.title} 监测月报 {built.month}", ["区划", "线索", "未决", "逾期", "已决定", "新纳入", "风险消除"],
        [[("  " * a["depth"]) + a["name"], a["leads"], a["open"], a["overdue"], a["decided"], a["included"],
          a["eliminated"]] for a in built.as_json()["areas"] if a["depth"] <= 1]))
    if output is not None:
        console.success(f"已写出 {output}。")
