"""povmon assess: the year-end assessment (年终考核) of work teams and first secretaries (services.assessment)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from povmon import console
from povmon.cli.common import DbOption, JsonOption, UserOption, unit_of_work, user_of
from povmon.cli.entry import Asker, DateHelp, Text, arg, opt, report
from povmon.rules import assessment as rules
from povmon.services import assessment

app = typer.Typer(help="年终考核：驻村工作队和第一书记的评分、等次、定案、手工评分与复核。", no_args_is_help=True)
appeal_app = typer.Typer(help="复核：对考核等次的复核申请与决定。", no_args_is_help=True)
scheme_app = typer.Typer(help="考核方案：按年度存本县的评分办法（TOML）。", no_args_is_help=True)
app.add_typer(appeal_app, name="appeal")
app.add_typer(scheme_app, name="scheme")

YearOpt = Annotated[Text, opt("--year", help="考核年度 YYYY，如 2018。")]
SchemeOpt = Annotated[Path | None, opt("--scheme", help="这次用这份方案文件（TOML），不用该年度存的方案。")]
TeamOpt = Annotated[Text, opt("--team", help="工作队：编号、队名或村名。")]
SecretaryOpt = Annotated[Text, opt("--secretary", help="第一书记：身份证号或姓名。")]
SHOWN = 20


def _year(value: Text) -> int:
    ask = Asker()
    value = ask(value, "--year", "考核年度")
    ask.check()
    return assessment.check_year(value)


@app.command("run")
def run_cmd(
    year: YearOpt = None,
    scheme: SchemeOpt = None,
    json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """按考核方案给每个工作队和第一书记评分、定等次，并说明理由；已定案的年度列出与定案的不同。

    Example: povmon assess run --year 2018 --json
    """
    y = _year(year)
    with unit_of_work(db) as session:
        result = assessment.run(session, y, scheme_path=scheme)
        data = result.as_json()
    if json:
        console.print_json(data)
        return
    for w in data["warnings"][:SHOWN]:
        console.warning(w)
    for key, title in (("teams", "驻村工作队"), ("secretaries", "第一书记")):
        rows = data[key]
        s = data["summary"][key]
        console.show(console.table(
            f"{y} 年{title}考核（{s['assessed']} 个，优秀名额 {s['excellent_places']}）",
            ["名次", "乡镇", "村", "名称", "得分", "等次", "理由"],
            [[r["rank"], r["township"], r["village"], r["name"], r["total"], r["grade"], r["reasons"][-1]]
             for r in rows[:SHOWN]]))
        if len(rows) > SHOWN:
            console.show(f"……共 {len(rows)} 个，全部见 --json 或 povmon report assessment -o。")
        console.show("等次：" + "，".join(f"{g} {n}" for g, n in s["grades"].items()))
    close = data["close"]
    if close is not None:
        if close["same"]:
            console.show(f"与 {close['closed_at']} {close['user']} 的定案一致（sha256 {close['sha256'][:12]}…）。")
        else:
            console.warning(f"与 {close['closed_at']} {close['user']} 的定案不同，{len(close['differences'])} 处：")
            for d in close["differences"][:SHOWN]:
                console.show(f"  {d['name']} {d['what']}：{d['then']} → {d['now']}")


@app.command("close")
def close_cmd(
    year: YearOpt = None,
    again: Annotated[bool, typer.Option("--again", help="该年度已定案时按现在的数据再定案（原记录保留）。")] = False,
    note: Annotated[Text, opt("--note", help="备注（如文件号）。")] = None,
    scheme: SchemeOpt = None,
    json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """年终考核定案：存下全部得分、等次和理由及其 sha256、操作人和时间。

    Example: povmon assess close --year 2018 --note 交组发〔2019〕3号
    """
    y = _year(year)
    with unit_of_work(db, writes=True) as session:
        result = assessment.run(session, y, scheme_path=scheme)
        record = assessment.close(session, result, user=user_of(user), note=note, again=again)
        session.flush()
        data = {"id": record.id, "year": y, "sha256": record.sha256, "scheme_sha256": record.scheme_sha256,
                "user": record.user, "closed_at": assessment.when(record.closed_at)}
    if json:
        console.print_json(data)
        return
    console.success(f"{y} 年考核已定案（#{data['id']}，sha256 {data['sha256']}）。")


@app.command("score")
def score_cmd(
    year: YearOpt = None,
    team: TeamOpt = None,
    secretary: SecretaryOpt = None,
    item: Annotated[Text, opt("--item", help="手工评分的项目：名称或代码，如 群众满意度。")] = None,
    score: Annotated[Text, opt("--score", help="分数（0 至该项满分）。")] = None,
    by: Annotated[Text, opt("--by", help="评分人或评分组。")] = None,
    reason: Annotated[Text, opt("--reason", help="评分依据（如入户测评结果）。")] = None,
    scheme: SchemeOpt = None,
    json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """录入手工评分的项目（如群众满意度）；再录一次以最后一次为准，历次都保留。

    Example: povmon assess score --year 2018 --team 东营村 --item 群众满意度 --score 18 --by 考核组
    """
    y = _year(year)
    ask = Asker()
    item = ask(item, "--item", "考核项目")
    score = ask(score, "--score", "分数")
    by = ask(by, "--by", "评分人")
    ask.check()
    with unit_of_work(db, writes=True) as session:
        outcome = assessment.give_score(session, y, team=team, secretary=secretary, item=item, score=score,
                                        reason=reason, by=by, user=user_of(user), scheme_path=scheme)
        data = outcome.as_json()
    report(outcome, data, json, f"已录入 {data['subject']} {y} 年 {item} {data['stored'][0]['score']} 分。")


@appeal_app.command("file")
def appeal_file_cmd(
    year: YearOpt = None,
    team: TeamOpt = None,
    secretary: SecretaryOpt = None,
    reason: Annotated[Text, opt("--reason", help="复核理由。")] = None,
    by: Annotated[Text, opt("--by", help="申请人。")] = None,
    date: Annotated[Text, opt("--date", help="申请日期。" + DateHelp)] = None,
    json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """登记对某个工作队或第一书记考核等次的复核申请。

    Example: povmon assess appeal file --year 2018 --secretary 张三 --reason 走访记录漏登 --by 张三 --date 2019-01-10
    """
    y = _year(year)
    ask = Asker()
    reason = ask(reason, "--reason", "复核理由")
    by = ask(by, "--by", "申请人")
    date = ask(date, "--date", "申请日期")
    ask.check()
    with unit_of_work(db, writes=True) as session:
        outcome = assessment.file_appeal(session, y, team=team, secretary=secretary, reason=reason, by=by, on=date,
                                         user=user_of(user))
        data = outcome.as_json()
    aid = data["stored"][0]["id"]
    report(outcome, data, json, f"已登记复核申请 #{aid}；决定后请用 povmon assess appeal decide {aid} 登记。")


@appeal_app.command("decide")
def appeal_decide_cmd(
    appeal: Annotated[Text, arg("复核申请编号（见 povmon assess appeal list）。")] = None,
    grade: Annotated[Text, opt("--grade", help=f"改定的等次：{rules.GRADE.accepted()}；不给表示维持原等次。")] = None,
    reason: Annotated[Text, opt("--reason", help="复核结论及理由。")] = None,
    by: Annotated[Text, opt("--by", help="复核人或复核组。")] = None,
    date: Annotated[Text, opt("--date", help="复核日期。" + DateHelp)] = None,
    json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """登记复核决定：维持原等次，或改定为另一等次（不能高于缺勤规定允许的等次）。

    Example: povmon assess appeal decide 2 --grade 称职 --reason 核实属实 --by 复核组 --date 2019-01-20
    """
    ask = Asker()
    appeal = ask(appeal, "APPEAL", "复核申请编号")
    reason = ask(reason, "--reason", "复核结论")
    by = ask(by, "--by", "复核人")
    date = ask(date, "--date", "复核日期")
    ask.check()
    with unit_of_work(db, writes=True) as session:
        found = assessment.find_appeal(session, appeal)
        outcome = assessment.decide_appeal(session, found, grade=grade, reason=reason, by=by, on=date,
                                           user=user_of(user))
        data = outcome.as_json()
    report(outcome, data, json, f"已登记复核 #{found.id} 的决定：{rules.GRADE.label(found.grade) or '维持原等次'}。")


@appeal_app.command("list")
def appeal_list_cmd(
    year: YearOpt = None,
    json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """列出一年的复核申请及决定。

    Example: povmon assess appeal list --year 2018
    """
    y = _year(year)
    with unit_of_work(db) as session:
        rows = assessment.appeals_json(session, y)
    if json:
        console.print_json(rows)
        return
    console.show(console.table(f"{y} 年考核复核", ["编号", "对象", "名称", "申请日期", "理由", "决定", "复核人"],
                               [[r["id"], r["subject"], r["name"], r["filed_on"], r["reason"], r["grade"] or "未决定",
                                 r["decided_by"] or ""] for r in rows]))


@scheme_app.command("load")
def scheme_load_cmd(
    file: Annotated[Path | None, arg("考核方案文件（TOML，格式同 povmon 自带的示例）。")] = None,
    year: YearOpt = None,
    json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """把本县某年度的考核方案存入数据库（先检查；以最后存的为准，历次保留）。

    Example: povmon assess scheme load 交城县2018年考核办法.toml --year 2018
    """
    ask = Asker()
    file = ask(file, "FILE", "方案文件")
    ask.check()
    y = _year(year)
    with unit_of_work(db, writes=True) as session:
        outcome = assessment.load_scheme(session, y, Path(file), user=user_of(user))
        data = outcome.as_json()
    report(outcome, data, json, f"已存 {y} 年考核方案“{data['stored'][0]['name']}”。")


@scheme_app.command("show")
def scheme_show_cmd(
    year: YearOpt = None,
    example: Annotated[bool, typer.Option("--example",
                                          help="打印 povmon 自带的示例方案（TOML），可另存后修改。")] = False,
    json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """显示某年度用的考核方案：项目、分值、等次分数线和规则。

    Example: povmon assess scheme show --year 2018
    """
    if example:
        typer.echo(rules.shipped_text())
        return
    y = _year(year)
    with unit_of_work(db) as session:
        scheme, source = assessment.scheme_for(session, y)
    data = {**scheme.as_json(), "source": source}
    if json:
        console.print_json(data)
        return
    console.show(console.table(f"{y} 年考核方案：{scheme.name}（{source}）", ["代码", "项目", "分值", "计分方法"],
                               [[i["code"], i["label"], i["weight"], i["method"]] for i in data["items"]]))
    console.show("等次分数线：" + "，".join(f"{g} {v}" for g, v in data["grades"].items())
                 + f"；优秀不超过 {data['excellent_share']}；"
                 + "；".join(f"缺勤 {c['absences']} 次及以上最高{c['at_most']}" for c in data["absence_caps"]))
