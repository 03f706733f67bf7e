"""povmon event: the status history — identify, exit, return, monitor, eliminate risk, revoke, cancel, list."""

from __future__ import annotations

from typing import Annotated

import typer

from povmon import console
from povmon.cli.common import DbOption, JsonOption, UserOption, unit_of_work, user_of
from povmon.cli.entry import Asker, ReasonOption, Text, arg, opt, report
from povmon.services import events
from povmon.services import households as hh

app = typer.Typer(
    help="识别账：识别纳入、脱贫退出、返贫、纳入监测、风险消除、撤销消除、作废一条错误记录、列出历史。",
    no_args_is_help=True,
)

CodeArg = Annotated[Text, arg("户编号。")]
EventDate = Annotated[
    Text, opt("--date", help="日期：2016-12-31、2016.12.31、2016年12月31日；只写年份表示该年12月31日。")
]
PlainDate = Annotated[Text, opt("--date", help="日期：2021-05-01、2021.5.1、2021年5月1日 或 20210501。")]


@app.command("identify")
def identify_cmd(
    code: CodeArg = None,
    date: EventDate = None,
    standard: Annotated[Text, opt("--standard", help="识别标准：国家标准 或 省定标准。")] = None,
    cause: Annotated[Text, opt("--cause", help="主要致贫原因，如 因病、因学、缺劳力。")] = None,
    attribute: Annotated[
        Text, opt("--attribute", help="贫困户属性（不填：一般农户改为一般贫困户）。")
    ] = None,
    reason: ReasonOption = None,
    json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """识别纳入：某年或某日把一户识别为贫困户，写明识别标准和主要致贫原因。

    Example: povmon event identify 1411221020010001 --date 2016 --standard 国家标准 --cause 因病
    """
    ask = Asker()
    code = ask(code, "CODE", "户编号")
    date = ask(date, "--date", "识别日期或年份")
    standard = ask(standard, "--standard", "识别标准")
    cause = ask(cause, "--cause", "主要致贫原因")
    ask.check()
    with unit_of_work(db, writes=True) as session:
        household = hh.by_code(session, code)
        outcome = events.identify(session, household, date=date, standard=standard, cause=cause, attribute=attribute,
                                  reason=reason, user=user_of(user))
        data = outcome.as_json()
    report(outcome, data, json, f"户 {code} 已识别纳入（{data['stored'][0]['event_date']}）。")


@app.command("exit")
def exit_cmd(
    code: CodeArg = None,
    date: EventDate = None,
    force: Annotated[bool, typer.Option("--force", help="未达到退出标准也退出（必须用 --reason 写明理由）。")] = False,
    reason: ReasonOption = None,
    json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """脱贫退出：按退出标准（一达标、两不愁、三保障、饮水安全）逐项检查后记录。

    一达标：上一个完整年度的人均纯收入与该年贫困线比较。
    每项不达标或没有记录的都列出来，并拒绝退出；除非加 --force 并用 --reason 写明理由。

    Example: povmon event exit 1411221020010001 --date 2017-12-31
    """
    ask = Asker()
    code = ask(code, "CODE", "户编号")
    date = ask(date, "--date", "退出日期或年份")
    ask.check()
    with unit_of_work(db, writes=True) as session:
        household = hh.by_code(session, code)
        outcome = events.exit_household(session, household, date=date, force=force, reason=reason,
                                        user=user_of(user))
        data = outcome.as_json()
    report(outcome, data, json, f"户 {code} 已脱贫退出（{data['stored'][0]['event_date']}）" +
           ("，为强制退出。" if data["forced"] else "，退出标准各项均已达到。"))


@app.command("return")
def return_cmd(
    code: CodeArg = None,
    date: EventDate = None,
    cause: Annotated[Text, opt("--cause", help="返贫原因，如 因病、因灾。")] = None,
    reason: ReasonOption = None,
    json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """返贫：记录一户已脱贫户返贫。

    Example: povmon event return 1411221020010001 --date 2020-06-30 --cause 因病 --reason 户主患大病
    """
    ask = Asker()
    code = ask(code, "CODE", "户编号")
    date = ask(date, "--date", "返贫日期")
    ask.check()
    with unit_of_work(db, writes=True) as session:
        household = hh.by_code(session, code)
        outcome = events.return_to_poverty(session, household, date=date, cause=cause, reason=reason,
                                           user=user_of(user))
        data = outcome.as_json()
    report(outcome, data, json, f"户 {code} 已登记返贫（{data['stored'][0]['event_date']}）。")


@app.command("monitor")
def monitor_cmd(
    code: CodeArg = None,
    date: PlainDate = None,
    kind: Annotated[Text, opt("--type", help="监测对象类型：脱贫不稳定户、边缘易致贫户 或 突发严重困难户。")] = None,
    risks: Annotated[
        list[str] | None, opt("--risk", help="风险类型，可重复或用顿号分隔，最多5项，如 因病、因学。")
    ] = None,
    lead: Annotated[Text, opt("--lead", help="线索来源：农户自主申报、基层干部排查 或 部门筛查预警。")] = None,
    reason: ReasonOption = None,
    json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """纳入监测：写明监测类型、至多五项风险和线索来源。

    Example: povmon event monitor 1411221020010001 --date 2021-05-01 --type 脱贫不稳定户 --risk 因病 --risk 因学 \\
      --lead 基层干部排查
    """
    ask = Asker()
    code = ask(code, "CODE", "户编号")
    date = ask(date, "--date", "纳入监测日期")
    kind = ask(kind, "--type", "监测对象类型")
    risks = ask(risks, "--risk", "风险类型（多项用顿号分隔）")
    ask.check()
    with unit_of_work(db, writes=True) as session:
        household = hh.by_code(session, code)
        outcome = events.monitor(session, household, date=date, monitoring_type=kind,
                                 risks=risks if isinstance(risks, list) else [risks], lead=lead, reason=reason,
                                 user=user_of(user))
        data = outcome.as_json()
    report(outcome, data, json, f"户 {code} 已纳入监测（{data['stored'][0]['event_date']}）。")


@app.command("eliminate")
def eliminate_cmd(
    code: CodeArg = None,
    date: PlainDate = None,
    how: Annotated[Text, opt("--how", help="风险消除方式：帮扶消除 或 自然消除。")] = None,
    force: Annotated[bool, typer.Option(
        "--force", help="未达到风险消除条件也标注（必须用 --reason 写明理由）。")] = False,
    reason: ReasonOption = None,
    json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """风险消除：逐项检查后标记监测户风险已消除；无劳动能力的户不能标记。

    检查：纳入监测满6个月；近12个月（或上年）人均纯收入稳定高于监测线；没有未决的刚性支出线索；
    三保障和饮水安全。不达标的逐项列出并拒绝；除非加 --force 并用 --reason 写明理由。

    Example: povmon event eliminate 1411221020010001 --date 2021-12-20 --how 帮扶消除
    """
    ask = Asker()
    code = ask(code, "CODE", "户编号")
    date = ask(date, "--date", "风险消除日期")
    how = ask(how, "--how", "风险消除方式（帮扶消除、自然消除）")
    ask.check()
    with unit_of_work(db, writes=True) as session:
        household = hh.by_code(session, code)
        outcome = events.eliminate(session, household, date=date, how=how, reason=reason, user=user_of(user),
                                   force=force)
        data = outcome.as_json()
    report(outcome, data, json, f"户 {code} 已标注风险消除（{data['stored'][0]['event_date']}）。")


@app.command("revoke")
def revoke_cmd(
    code: CodeArg = None,
    date: PlainDate = None,
    reason: ReasonOption = None,
    json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """撤销风险消除：该户重新作为有风险的监测户。

    Example: povmon event revoke 1411221020010001 --date 2022-02-01 --reason 复核发现收入不稳
    """
    ask = Asker()
    code = ask(code, "CODE", "户编号")
    date = ask(date, "--date", "撤销日期")
    reason = ask(reason, "--reason", "撤销理由")
    ask.check()
    with unit_of_work(db, writes=True) as session:
        household = hh.by_code(session, code)
        outcome = events.revoke(session, household, date=date, reason=reason, user=user_of(user))
        data = outcome.as_json()
    report(outcome, data, json, f"户 {code} 的风险消除已撤销（{data['stored'][0]['event_date']}）。")


@app.command("cancel")
def cancel_cmd(
    event_id: Annotated[Text, arg("要作废的事件编号（见 event list）。")] = None,
    reason: ReasonOption = None,
    date: Annotated[Text, opt("--date", help="作废从哪天起生效（默认原事件的日期：自始无效）。")] = None,
    json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """作废一条错误的识别记录：另记一条注明作废哪条的记录，原记录保留。

    Example: povmon event cancel 17 --reason 误录：该户2017年未退出
    """
    ask = Asker()
    event_id = ask(event_id, "EVENT_ID", "事件编号")
    reason = ask(reason, "--reason", "作废理由")
    ask.check()
    with unit_of_work(db, writes=True) as session:
        outcome = events.cancel(session, event_id, reason=reason, on=date, user=user_of(user))
        data = outcome.as_json()
    cancelled = data["cancels"]
    report(outcome, data, json, f"事件 {cancelled['id']}（户 {cancelled['household']} {cancelled['date']} "
           f"{cancelled['label']}）已作废，自 {data['stored'][0]['event_date']} 起。")


@app.command("list")
def list_cmd(
    code: CodeArg = None,
    json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """列出一户的识别历史和记录编号（供 event cancel 用），已作废的注明。

    Example: povmon event list 1411221020010001 --json
    """
    ask = Asker()
    code = ask(code, "CODE", "户编号")
    ask.check()
    with unit_of_work(db) as session:
        household = hh.by_code(session, code)
        rows = events.listing(household)
    if json:
        console.print_json(rows)
        return
    console.show(console.table(
        f"户 {code} 的识别账", ["编号", "日期", "事件", "内容", "录入人", "作废"],
        [[r["id"], r["date"] + ("（年）" if r["year_only"] else ""), r["label"], events.describe(r),
          r["created_by"] or "", f"已由 {r['cancelled_by']} 作废" if r["cancelled_by"] else ""] for r in rows],
    ))
