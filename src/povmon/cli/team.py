"""povmon team: village work teams (驻村工作队) and their members' attendance, leave, outings, reports, reviews
and work logs. Each command calls one library function (services.workteams, services.attendance,
ingest.attendance)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from povmon import console
from povmon.cli.common import AsOfOption, DbOption, JsonOption, UserOption, parse_day, unit_of_work, user_of
from povmon.cli.entry import Asker, DateHelp, ReasonOption, Text, arg, opt, report
from povmon.ingest import attendance as sheets
from povmon.rules import workteam as rules
from povmon.services import attendance, cadres, workteams
from povmon.services.lookup import find_area

app = typer.Typer(help="驻村工作队：队伍、队员任职与更换、考勤、请销假、外出报备、定期汇报、评议、工作日志。",
                  no_args_is_help=True)
member_app = typer.Typer(help="队员：加入、更换（抽硬人）、结束任职（保留历史）。", no_args_is_help=True)
attendance_app = typer.Typer(help="考勤：导入乡镇的月考勤表，或逐日登记。", no_args_is_help=True)
leave_app = typer.Typer(help="请销假：请假、按层级审批、销假、列出。", no_args_is_help=True)
outing_app = typer.Typer(help="外出报备：离村前报备的外出。", no_args_is_help=True)
report_app = typer.Typer(help="定期汇报：周报、月报。", no_args_is_help=True)
review_app = typer.Typer(help="评议：对工作队或队员的评议。", no_args_is_help=True)
log_app = typer.Typer(help="工作日志：每天做了什么、涉及哪些农户。", no_args_is_help=True)
app.add_typer(member_app, name="member")
app.add_typer(attendance_app, name="attendance")
app.add_typer(leave_app, name="leave")
app.add_typer(outing_app, name="outing")
app.add_typer(report_app, name="report")
app.add_typer(review_app, name="review")
app.add_typer(log_app, name="log")

TeamArg = Annotated[Text, arg("工作队：编号（如 12）、队名，或村名（该村只有一个队时）。")]
CadreArg = Annotated[Text, arg("干部：身份证号或姓名（同名时用身份证号）。")]
DateOpt = Annotated[Text, opt("--date", help="日期。" + DateHelp)]
FromOpt = Annotated[Text, opt("--from", help="开始日期。" + DateHelp)]
ToOpt = Annotated[Text, opt("--to", help="结束日期（含这一天）。" + DateHelp)]
ROLES = "、".join(rules.TEAM_ROLE.labels())


@app.command("add")
def add_cmd(
    village: Annotated[Text, arg("派驻的村：名称、代码或 乡镇/村。")] = None,
    start: Annotated[Text, opt("--from", help="派驻日期。" + DateHelp)] = None,
    end: Annotated[Text, opt("--to", help="任期结束日期（可不填）。")] = None,
    unit: Annotated[Text, opt("--unit", help="派出单位。")] = None,
    name: Annotated[Text, opt("--name", help="队名（默认：某某村驻村工作队）。")] = None,
    json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """登记一个村的驻村工作队：派出单位、任期。

    Example: povmon team add 西营镇/东营村 --from 2018-03-01 --to 2021-03-01 --unit 交城县农业农村局
    """
    ask = Asker()
    village = ask(village, "VILLAGE", "派驻的村")
    start = ask(start, "--from", "派驻日期")
    ask.check()
    with unit_of_work(db, writes=True) as session:
        outcome = workteams.add_team(session, village=village, start=start, end=end, unit=unit, name=name,
                                     user=user_of(user))
        data = outcome.as_json()
    team = data["stored"][0]
    report(outcome, data, json, f"已登记 {team['name']}（编号 {team['id']}），自 {team['start_on']} 起。")


@app.command("list")
def list_cmd(
    area: Annotated[Text, opt("--area", help="只列这个区划下的队：代码、名称或 乡镇/村。")] = None,
    history: Annotated[bool, typer.Option("--history", help="也列出任期已结束的队和已离队的队员。")] = False,
    as_of: AsOfOption = None,
    json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """列出某日在岗的工作队：村、派出单位、队长、第一书记、人数及提醒。

    Example: povmon team list --area 西营镇
    """
    day = parse_day(as_of, future=True)
    with unit_of_work(db) as session:
        place = find_area(session, area) if area else None
        rows = workteams.listing(session, day, place, history=history)
    if json:
        console.print_json(rows)
        return
    console.show(console.table(
        f"驻村工作队（截至 {day.isoformat()}）", ["编号", "队名", "村", "派出单位", "队长", "第一书记", "人数", "提醒"],
        [[r["id"], r["name"], r["village"], r["unit"], _role(r, "队长"), _role(r, "第一书记"), r["members_in_post"],
          "；".join(w["message"] for w in r["warnings"])] for r in rows]))


def _role(team: dict, role: str) -> str:
    return "、".join(m["name"] for m in team["members"] if m["role"] == role and m["in_post"])


@app.command("show")
def show_cmd(
    team: TeamArg = None,
    as_of: AsOfOption = None,
    json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """显示一个工作队：任期、全部队员任职（含已离队的）及提醒。

    Example: povmon team show 东营村
    """
    ask = Asker()
    team = ask(team, "TEAM", "工作队")
    ask.check()
    day = parse_day(as_of, future=True)
    with unit_of_work(db) as session:
        data = workteams.team_json(workteams.find_team(session, team), day, history=True)
    if json:
        console.print_json(data)
        return
    console.show(console.table(
        f"{data['name']}（{data['village']}，{data['unit'] or '派出单位未登记'}，"
        f"{data['from']} 至 {data['to'] or '今'}）",
        ["姓名", "身份证号", "职务", "单位", "开始", "结束", "原因"],
        [[m["name"], m["id_number"], m["role"], m["unit"], m["from"], m["to"] or "在岗", m["end_reason"]]
         for m in data["members"]]))
    for w in data["warnings"]:
        console.warning(w["message"])


@member_app.command("add")
def member_add_cmd(
    team: TeamArg = None,
    cadre: CadreArg = None,
    role: Annotated[Text, opt("--role", help=f"队内职务：{ROLES}。")] = None,
    date: Annotated[Text, opt("--date", help="任职开始日期。" + DateHelp)] = None,
    reason: ReasonOption = None,
    json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """让一名干部从某日起加入工作队（队长、第一书记或队员）。

    Example: povmon team member add 东营村 王书记 --role 第一书记 --date 2018-03-01
    """
    ask = Asker()
    team, cadre = ask(team, "TEAM", "工作队"), ask(cadre, "CADRE", "干部")
    role, date = ask(role, "--role", "队内职务"), ask(date, "--date", "开始日期")
    ask.check()
    with unit_of_work(db, writes=True) as session:
        found, person = workteams.find_team(session, team), cadres.find(session, cadre)
        outcome = workteams.add_member(session, found, person, role=role, start=date, user=user_of(user), note=reason)
        data = outcome.as_json()
        text = f"{person.name} 自 {date} 起任 {found.name} {rules.TEAM_ROLE.label(outcome.record.role)}。"
    report(outcome, data, json, text)


@member_app.command("replace")
def member_replace_cmd(
    team: TeamArg = None,
    old: Annotated[Text, arg("原队员：身份证号或姓名。")] = None,
    new: Annotated[Text, arg("新队员：身份证号或姓名。")] = None,
    date: Annotated[Text, opt("--date", help="更换日期：原队员从这天起离队，新队员从这天起任职。")] = None,
    reason: ReasonOption = None,
    json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """某日更换队员（抽硬人）：原队员的任职结束，新队员同日以同一职务任职。

    Example: povmon team member replace 东营村 王书记 赵书记 --date 2019-07-01 --reason 工作调动
    """
    ask = Asker()
    team, old, new = ask(team, "TEAM", "工作队"), ask(old, "OLD", "原队员"), ask(new, "NEW", "新队员")
    date = ask(date, "--date", "更换日期")
    ask.check()
    with unit_of_work(db, writes=True) as session:
        found = workteams.find_team(session, team)
        before, after = cadres.find(session, old), cadres.find(session, new)
        outcome = workteams.replace_member(session, found, before, after, on=date, reason=reason, user=user_of(user))
        data = outcome.as_json()
        text = f"{found.name}：自 {date} 起由 {after.name} 接替 {before.name}。"
    report(outcome, data, json, text)


@member_app.command("end")
def member_end_cmd(
    team: TeamArg = None,
    cadre: CadreArg = None,
    date: Annotated[Text, opt("--date", help="结束日期：从这天起不在队。")] = None,
    reason: ReasonOption = None,
    json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """某日结束一名队员的任职（从那天起不在队）。

    Example: povmon team member end 东营村 李四 --date 2020-03-01 --reason 任期届满
    """
    ask = Asker()
    team, cadre, date = ask(team, "TEAM", "工作队"), ask(cadre, "CADRE", "干部"), ask(date, "--date", "结束日期")
    ask.check()
    with unit_of_work(db, writes=True) as session:
        found, person = workteams.find_team(session, team), cadres.find(session, cadre)
        outcome = workteams.end_member(session, found, person, on=date, reason=reason, user=user_of(user))
        data = outcome.as_json()
        text = f"{person.name} 在 {found.name} 的任职已于 {date} 结束。"
    report(outcome, data, json, text)


@attendance_app.command("import")
def attendance_import_cmd(
    files: Annotated[list[Path] | None, typer.Argument(help="乡镇的月考勤表（.xlsx/.xls），可给多个。",
                                                      show_default=False)] = None,
    month: Annotated[Text, opt("--month", help="月份 YYYY-MM（默认从表的标题读出，如“2019年3月”）。")] = None,
    mapping: Annotated[list[str] | None, typer.Option(
        "--mapping", help="表里的其他记号：记号=含义，如 ○=在村、差=公务外出（可重复）。", show_default=False)] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只检查，不写入。")] = False,
    json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """导入乡镇的月考勤表：每人一行、每天一列（√ 在 公 假 休 × 或空白）；有错则全部不导入。

    Example: povmon team attendance import 会立乡-2019年3月考勤.xlsx --mapping ○=在村
    """
    ask = Asker()
    files = ask(files, "FILES", "考勤表文件")
    ask.check()
    marks = sheets.parse_mapping(mapping or [])
    with unit_of_work(db, writes=not dry_run) as session:
        result = sheets.import_files(session, list(files), user=user_of(user), month=month, mapping=marks,
                                     dry_run=dry_run)
        data = result.as_json()
    for w in result.warnings:
        console.warning(w)
    if json:
        console.print_json(data)
        return
    verb = "检查通过（未写入）" if dry_run else "已导入"
    console.success(f"{verb}：{'、'.join(result.months)} 共 {result.people} 人，新增 {result.inserted} 个标记，"
                    f"改动 {result.changed} 个，未变 {result.unchanged} 个。")


@attendance_app.command("set")
def attendance_set_cmd(
    cadre: CadreArg = None,
    day: Annotated[list[str] | None, typer.Option(
        "--day", help="某日的考勤：日期=标记，如 2019-03-04=√ 或 2019-03-05=公（可重复）。",
        show_default=False)] = None,
    reason: ReasonOption = None,
    json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """逐日登记或改正一个人的考勤（标记：√ 在 公 假 休 ×）。

    Example: povmon team attendance set 李四 --day 2019-03-04=√ --day 2019-03-05=公
    """
    from povmon.cli.entry import pairs

    ask = Asker()
    cadre, day = ask(cadre, "CADRE", "干部"), ask(day, "--day", "日期=标记")
    ask.check()
    wanted = pairs(day, "--day")
    with unit_of_work(db, writes=True) as session:
        person = cadres.find(session, cadre)
        outcome = attendance.set_marks(session, person, wanted, user=user_of(user), note=reason)
        data = outcome.as_json()
        name = person.name
    counts = f"新增 {len(data['stored'])} 天，改动 {len(data['changed'])} 天"
    report(outcome, data, json, f"已登记 {name} 的考勤：{counts}。")


@leave_app.command("request")
def leave_request_cmd(
    cadre: CadreArg = None,
    start: FromOpt = None,
    end: ToOpt = None,
    reason: Annotated[Text, opt("--reason", help="请假事由。")] = None,
    json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """登记书面请假：起止日期和事由（3 天以内乡镇审批，更长县委组织部审批）。

    Example: povmon team leave request 李四 --from 2019-03-04 --to 2019-03-05 --reason 看病
    """
    ask = Asker()
    cadre, start, end = ask(cadre, "CADRE", "干部"), ask(start, "--from", "开始日期"), ask(end, "--to", "结束日期")
    reason = ask(reason, "--reason", "请假事由")
    ask.check()
    with unit_of_work(db, writes=True) as session:
        person = cadres.find(session, cadre)
        outcome = attendance.request_leave(session, person, start=start, end=end, reason=reason, user=user_of(user))
        data = outcome.as_json()
    leave = data["stored"][0]
    report(outcome, data, json, f"已登记请假 #{leave['id']}：{leave['days']} 天，应由{data['approve_by']}审批。")


@leave_app.command("approve")
def leave_approve_cmd(
    leave: Annotated[Text, arg("请假编号（见 povmon team leave list）。")] = None,
    level: Annotated[Text, opt("--level", help="审批层级：乡镇 或 县委组织部。")] = None,
    by: Annotated[Text, opt("--by", help="审批人。")] = None,
    date: DateOpt = None,
    json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """批准请假；层级不对（超过 3 天却由乡镇批准）时拒绝。

    Example: povmon team leave approve 7 --level 乡镇 --by 张书记 --date 2019-03-01
    """
    ask = Asker()
    leave, level = ask(leave, "LEAVE", "请假编号"), ask(level, "--level", "审批层级")
    by, date = ask(by, "--by", "审批人"), ask(date, "--date", "审批日期")
    ask.check()
    with unit_of_work(db, writes=True) as session:
        found = attendance.find_leave(session, leave)
        outcome = attendance.approve_leave(session, found, level=level, by=by, on=date, user=user_of(user))
        data = outcome.as_json()
    report(outcome, data, json, f"请假 #{leave} 已批准。")


@leave_app.command("return")
def leave_return_cmd(
    leave: Annotated[Text, arg("请假编号。")] = None,
    date: Annotated[Text, opt("--date", help="销假日期：回村的第一天。" + DateHelp)] = None,
    json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """销假：登记回村的日期；超出批准的工作日计为缺勤。

    Example: povmon team leave return 7 --date 2019-03-06
    """
    ask = Asker()
    leave, date = ask(leave, "LEAVE", "请假编号"), ask(date, "--date", "销假日期")
    ask.check()
    with unit_of_work(db, writes=True) as session:
        found = attendance.find_leave(session, leave)
        outcome = attendance.return_leave(session, found, on=date, user=user_of(user))
        data = outcome.as_json()
    report(outcome, data, json, f"请假 #{leave} 已于 {date} 销假。")


@leave_app.command("list")
def leave_list_cmd(
    cadre: Annotated[Text, opt("--cadre", help="只列这位干部（身份证号或姓名）。")] = None,
    json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """列出请假记录：起止、天数、事由、审批和销假。

    Example: povmon team leave list --cadre 李四
    """
    from sqlalchemy import select

    from povmon.models import LeaveRequest

    with unit_of_work(db) as session:
        query = select(LeaveRequest).order_by(LeaveRequest.start_on, LeaveRequest.id)
        if cadre:
            query = query.where(LeaveRequest.cadre_id == cadres.find(session, cadre).id)
        rows = [{"id": lv.id, "name": lv.cadre.name, "from": lv.start_on.isoformat(), "to": lv.end_on.isoformat(),
                 "days": lv.days, "reason": lv.reason, "approval_level": rules.APPROVAL_LEVEL.label(lv.approval_level),
                 "approved_by": lv.approved_by, "returned_on": lv.returned_on.isoformat() if lv.returned_on else None}
                for lv in session.scalars(query)]
    if json:
        console.print_json(rows)
        return
    console.show(console.table("请假记录", ["编号", "姓名", "开始", "结束", "天数", "事由", "审批", "销假"], [
        [r["id"], r["name"], r["from"], r["to"], r["days"], r["reason"],
         f"{r['approval_level']} {r['approved_by']}" if r["approval_level"] else "未批准", r["returned_on"] or ""]
        for r in rows]))


@outing_app.command("add")
def outing_add_cmd(
    cadre: CadreArg = None,
    start: FromOpt = None,
    end: ToOpt = None,
    destination: Annotated[Text, opt("--destination", help="外出地点。")] = None,
    business: Annotated[Text, opt("--business", help="外出事由（公务）。")] = None,
    approved_by: Annotated[Text, opt("--approved-by", help="批准人。")] = None,
    json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """登记外出报备：起止日期、地点、事由、批准人（报备的公务外出算在村）。

    Example: povmon team outing add 李四 --from 2019-03-07 --to 2019-03-07 --destination 县城 --business 开会 \\
      --approved-by 张书记
    """
    ask = Asker()
    cadre, start, end = ask(cadre, "CADRE", "干部"), ask(start, "--from", "开始日期"), ask(end, "--to", "结束日期")
    destination, business = ask(destination, "--destination", "外出地点"), ask(business, "--business", "外出事由")
    approved_by = ask(approved_by, "--approved-by", "批准人")
    ask.check()
    with unit_of_work(db, writes=True) as session:
        person = cadres.find(session, cadre)
        outcome = attendance.add_outing(session, person, start=start, end=end, destination=destination,
                                        business=business, approved_by=approved_by, user=user_of(user))
        data = outcome.as_json()
        name = person.name
    report(outcome, data, json, f"已登记 {name} 的外出报备。")


@report_app.command("add")
def report_add_cmd(
    team: TeamArg = None,
    kind: Annotated[Text, opt("--kind", help="类别：周报 或 月报。")] = None,
    date: DateOpt = None,
    content: Annotated[Text, opt("--content", help="汇报内容。")] = None,
    cadre: Annotated[Text, opt("--cadre", help="汇报人（身份证号或姓名，可不填）。")] = None,
    json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """登记工作队的一次定期汇报（周报或月报）。

    Example: povmon team report add 东营村 --kind 月报 --date 2019-03-31 --content 三月份工作汇报
    """
    ask = Asker()
    team, kind = ask(team, "TEAM", "工作队"), ask(kind, "--kind", "汇报类别")
    date, content = ask(date, "--date", "汇报日期"), ask(content, "--content", "汇报内容")
    ask.check()
    with unit_of_work(db, writes=True) as session:
        found = workteams.find_team(session, team)
        person = cadres.find(session, cadre) if cadre else None
        outcome = attendance.add_report(session, found, kind=kind, date=date, content=content, cadre=person,
                                        user=user_of(user))
        data = outcome.as_json()
        name = found.name
    report(outcome, data, json, f"已登记 {name} {date} 的汇报。")


@review_app.command("add")
def review_add_cmd(
    team: TeamArg = None,
    date: DateOpt = None,
    reviewer: Annotated[Text, opt("--reviewer", help="评议人或评议单位。")] = None,
    grade: Annotated[Text, opt("--grade", help="评议等次，如 好、较好、一般、差。")] = None,
    content: Annotated[Text, opt("--content", help="评议内容。")] = None,
    cadre: Annotated[Text, opt("--cadre", help="被评议的队员（不填则评议整个工作队）。")] = None,
    json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """登记对工作队或队员的一次评议：日期、评议人、等次、内容。

    Example: povmon team review add 东营村 --date 2019-06-30 --reviewer 村民代表会 --grade 好
    """
    ask = Asker()
    team, date = ask(team, "TEAM", "工作队"), ask(date, "--date", "评议日期")
    reviewer = ask(reviewer, "--reviewer", "评议人")
    ask.check()
    with unit_of_work(db, writes=True) as session:
        found = workteams.find_team(session, team)
        person = cadres.find(session, cadre) if cadre else None
        outcome = attendance.add_review(session, found, date=date, reviewer=reviewer, grade=grade, content=content,
                                        cadre=person, user=user_of(user))
        data = outcome.as_json()
        name = found.name
    report(outcome, data, json, f"已登记对 {name} 的评议。")


@log_app.command("add")
def log_add_cmd(
    cadre: CadreArg = None,
    date: DateOpt = None,
    done: Annotated[Text, opt("--done", help="当天做了什么。")] = None,
    households: Annotated[Text, opt("--households", help="涉及的农户（户编号，可多个，用逗号分开）。")] = None,
    json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """写一篇工作日志：日期、工作内容、涉及的农户。

    Example: povmon team log add 李四 --date 2019-03-04 --done 入户走访 --households 1411221020010001
    """
    ask = Asker()
    cadre, date, done = ask(cadre, "CADRE", "干部"), ask(date, "--date", "日志日期"), ask(done, "--done", "工作内容")
    ask.check()
    with unit_of_work(db, writes=True) as session:
        person = cadres.find(session, cadre)
        outcome = attendance.add_log(session, person, date=date, done=done, households=households, user=user_of(user))
        data = outcome.as_json()
        name = person.name
    report(outcome, data, json, f"已记录 {name} {date} 的工作日志。")
