"""povmon job / training / party: enterprises and who works there, training courses and their participants,
members' political status (政治面貌)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from povmon import console
from povmon.cli.common import (
    AsOfOption,
    DbOption,
    JsonOption,
    ShowIdsOption,
    UserOption,
    parse_day,
    unit_of_work,
    user_of,
)
from povmon.cli.entry import Asker, DateHelp, Text, arg, opt, report
from povmon.reports import extras
from povmon.rules import idcard
from povmon.services import areas, employment, exports, members

job_app = typer.Typer(help="务工就业：登记企业，登记成员在企业务工（起止日期、月工资），列出务工情况。",
                      no_args_is_help=True)
training_app = typer.Typer(help="技能培训：登记培训（内容、日期、机构），登记参加的成员，列出培训。",
                           no_args_is_help=True)
party_app = typer.Typer(help="政治面貌：记录成员某日起的政治面貌（入党、转正），统计党员人数。", no_args_is_help=True)

AreaOpt = Annotated[Text, opt("--area", help="地区：区划代码、名称或 乡镇/村。")]
IdArg = Annotated[Text, arg("成员的身份证号。")]


def _area(session, text):
    return areas.find(session, text) if text else None


@job_app.command("enterprise")
def enterprise_cmd(
    name: Annotated[Text, arg("企业名称（企业、合作社、扶贫车间）。")] = None,
    industry: Annotated[Text, opt("--industry", help="行业：畜牧养殖、种植、农产品加工、工业、商贸物流、服务、合作社、"
                                  "公益岗位、其他。")] = None,
    area: AreaOpt = None,
    json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """登记一家吸纳就业的企业。

    Example: povmon job enterprise 山西文源包装 --industry 工业 --area 西营镇
    """
    ask = Asker()
    name = ask(name, "NAME", "企业名称")
    industry = ask(industry, "--industry", "行业")
    ask.check()
    with unit_of_work(db, writes=True) as session:
        outcome = employment.add_enterprise(session, name=name, industry=industry, area=_area(session, area),
                                            user=user_of(user))
        data = outcome.as_json()
    report(outcome, data, json, f"已登记企业“{name}”。")


@job_app.command("add")
def job_add_cmd(
    id_number: IdArg = None,
    enterprise: Annotated[Text, opt("--enterprise", help="企业名称。")] = None,
    start: Annotated[Text, opt("--from", help="务工开始日期。" + DateHelp)] = None,
    wage: Annotated[Text, opt("--wage", help="月工资（元）。")] = None,
    end: Annotated[Text, opt("--to", help="务工结束日期（仍在岗则不填）。")] = None,
    post: Annotated[Text, opt("--post", help="岗位。")] = None,
    json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """登记一名成员在企业务工。

    Example: povmon job add 142323198001011234 --enterprise 山西文源包装 --from 2018-03-01 --wage 1800
    """
    ask = Asker()
    id_number = ask(id_number, "ID_NUMBER", "身份证号")
    enterprise = ask(enterprise, "--enterprise", "企业名称")
    start = ask(start, "--from", "务工开始日期")
    wage = ask(wage, "--wage", "月工资")
    ask.check()
    with unit_of_work(db, writes=True) as session:
        member = members.find(session, id_number)
        outcome = employment.hire(session, member, employment.find_enterprise(session, enterprise), start=start,
                                  wage=wage, end=end, post=post, user=user_of(user))
        data = outcome.as_json()
        who = member.name
    report(outcome, data, json, f"已登记 {who} 在“{enterprise}”务工，月工资 {data['stored'][0]['monthly_wage']} 元。")


@job_app.command("end")
def job_end_cmd(
    id_number: IdArg = None,
    enterprise: Annotated[Text, opt("--enterprise", help="企业名称。")] = None,
    date: Annotated[Text, opt("--date", help="结束日期（从这天起不再务工）。")] = None,
    json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """某日结束一名成员在企业的务工。

    Example: povmon job end 142323198001011234 --enterprise 山西文源包装 --date 2019-06-30
    """
    ask = Asker()
    id_number = ask(id_number, "ID_NUMBER", "身份证号")
    enterprise = ask(enterprise, "--enterprise", "企业名称")
    date = ask(date, "--date", "结束日期")
    ask.check()
    with unit_of_work(db, writes=True) as session:
        member = members.find(session, id_number)
        outcome = employment.leave_job(session, member, employment.find_enterprise(session, enterprise), on=date,
                                       user=user_of(user))
        data = outcome.as_json()
    report(outcome, data, json, f"已结束在“{enterprise}”的务工。")


@job_app.command("list")
def job_list_cmd(
    area: AreaOpt = None,
    as_of: AsOfOption = None,
    show_ids: ShowIdsOption = False,
    json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """列出某日在岗的务工人员（身份证号默认遮挡）。

    Example: povmon job list --area 野则河村 --as-of 2019-01-31
    """
    day = parse_day(as_of)
    with unit_of_work(db, writes=show_ids) as session:
        if show_ids:
            exports.may_show_ids(session)
        rows = extras.jobs(session, day, extras.under(session, _area(session, area)), show_ids=show_ids)
        if show_ids:
            exports.record_codes_shown(session, sorted({r["household"] for r in rows}), user=user_of(user),
                                       command="job list --show-ids")
    if json:
        console.print_json({"as_of": day.isoformat(), "jobs": rows})
        return
    columns = ["户编号", "姓名", "身份证号", "企业", "行业", "月工资"]
    console.show(console.table(f"务工人员（{day.isoformat()}）", columns,
                               [[r["household"], r["name"], r["id_number"], r["enterprise"], r["industry"],
                                 r["monthly_wage"]] for r in rows]))


@training_app.command("add")
def training_add_cmd(
    course: Annotated[Text, arg("培训内容。")] = None,
    date: Annotated[Text, opt("--date", help="培训日期。" + DateHelp)] = None,
    provider: Annotated[Text, opt("--provider", help="培训机构。")] = None,
    area: AreaOpt = None,
    json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """登记一期培训。

    Example: povmon training add 电商运营 --date 2018-05-10 --provider 县人社局 --area 西营镇
    """
    ask = Asker()
    course = ask(course, "COURSE", "培训内容")
    date = ask(date, "--date", "培训日期")
    ask.check()
    with unit_of_work(db, writes=True) as session:
        outcome = employment.add_training(session, course=course, held_on=date, provider=provider,
                                          area=_area(session, area), user=user_of(user))
        data = outcome.as_json()
    report(outcome, data, json, f"已登记培训“{course}”（{data['stored'][0]['held_on']}）。")


@training_app.command("join")
def training_join_cmd(
    course: Annotated[Text, arg("培训内容。")] = None,
    id_numbers: Annotated[list[str] | None, typer.Argument(help="参加培训的成员身份证号（可写多个）。",
                                                           show_default=False)] = None,
    date: Annotated[Text, opt("--date", help="培训日期。")] = None,
    json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """登记参加一期培训的成员。

    Example: povmon training join 电商运营 142323198001011234 --date 2018-05-10
    """
    ask = Asker()
    course = ask(course, "COURSE", "培训内容")
    id_numbers = ask(id_numbers, "ID_NUMBERS", "身份证号")
    date = ask(date, "--date", "培训日期")
    ask.check()
    with unit_of_work(db, writes=True) as session:
        training = employment.find_training(session, course, date)
        outcomes = [employment.attend(session, training, members.find(session, n), user=user_of(user))
                    for n in id_numbers]
        data = {"stored": [r for o in outcomes for r in o.as_json()["stored"]], "changed": [], "warnings": []}
    report(outcomes[0], data, json, f"已登记 {len(id_numbers)} 人参加培训“{course}”。")


@training_app.command("list")
def training_list_cmd(
    area: AreaOpt = None,
    start: Annotated[Text, opt("--from", help="从哪天起（默认今年1月1日）。")] = None,
    end: Annotated[Text, opt("--to", help="到哪天（默认今天）。")] = None,
    json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """列出一段时间内的培训和参加人数。

    Example: povmon training list --area 西营镇 --from 2018-01-01 --to 2018-12-31
    """
    last = parse_day(end, "--to")
    first = parse_day(start, "--from") if start else dt.date(last.year, 1, 1)
    with unit_of_work(db) as session:
        ids = extras.under(session, _area(session, area))
        rows = extras.trainings(session, first, last, ids)
        households, people = extras.trained(session, first, last, ids)
    if json:
        console.print_json({"from": first.isoformat(), "to": last.isoformat(), "trained_households": households,
                            "trained_people": people, "trainings": rows})
        return
    console.show(console.table(f"培训（{first.isoformat()} 至 {last.isoformat()}，{households}户{people}人）",
                               ["培训内容", "日期", "机构", "地区", "人数"],
                               [[r["course"], r["date"], r["provider"], r["area"], r["participants"]] for r in rows]))


@party_app.command("set")
def party_set_cmd(
    id_number: IdArg = None,
    status: Annotated[Text, opt("--status",
                                help="政治面貌：中共党员、中共预备党员、共青团员、民主党派、群众。")] = None,
    date: Annotated[Text, opt("--date", help="自哪天起（入党、转正日期）。" + DateHelp)] = None,
    json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """记录成员某日起的政治面貌（保留历史）。

    Example: povmon party set 142323198001011234 --status 中共党员 --date 2005-07-01
    """
    ask = Asker()
    id_number = ask(id_number, "ID_NUMBER", "身份证号")
    status = ask(status, "--status", "政治面貌")
    date = ask(date, "--date", "日期")
    ask.check()
    with unit_of_work(db, writes=True) as session:
        member = members.find(session, id_number)
        outcome = employment.set_political(session, member, status=status, since=date, user=user_of(user))
        data = outcome.as_json()
        data["stored"][0]["id_number"] = idcard.mask(data["stored"][0]["id_number"])
        who = member.name
    report(outcome, data, json, f"已记录 {who} 自 {data['stored'][0]['since']} 起为{status}。")


@party_app.command("count")
def party_count_cmd(
    area: AreaOpt = None,
    as_of: AsOfOption = None,
    json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """某日一个地区在册的党员人数（中共党员和预备党员）。

    Example: povmon party count --area 野则河村 --as-of 2019-01-31
    """
    day = parse_day(as_of)
    with unit_of_work(db) as session:
        place = _area(session, area)
        count = extras.party_members(session, day, extras.under(session, place))
    if json:
        console.print_json({"area": place.name if place else None, "as_of": day.isoformat(), "party_members": count})
        return
    console.success(f"{place.name if place else '全部'}在 {day.isoformat()} 有党员 {count} 人。")
