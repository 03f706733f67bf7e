"""povmon household: register a household with its head, edit a field, list and search, show one."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Group
from rich.panel import Panel

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
from povmon.cli.entry import Asker, ReasonOption, Text, arg, changes_text, opt, pairs, report
from povmon.reports.household import household_view
from povmon.rules import idcard
from povmon.rules.status import STATUS_LABELS
from povmon.rules.vocab import MONITORING_TYPE
from povmon.services import exports, household_entry
from povmon.services import households as hh
from povmon.services.fields import HOUSEHOLD_FIELDS, MEMBER_FIELDS, names

app = typer.Typer(
    help="户：登记一户（含户主），修改一项，按村、姓名、身份证号或状态查找，查看一户。", no_args_is_help=True
)

SET_HELP = f"户的其他字段，可重复：字段=值。字段：{names(HOUSEHOLD_FIELDS).replace('、', '、 ')}。"
HEAD_SET_HELP = f"户主的其他字段，可重复：字段=值。字段：{names(MEMBER_FIELDS[2:]).replace('、', '、 ')}。"


@app.command("add")
def add_cmd(
    code: Annotated[Text, arg("户编号（唯一）。")] = None,
    village: Annotated[Text, opt("--village", help="所在村：名称、区划代码或 乡镇/村 路径。")] = None,
    head: Annotated[Text, opt("--head", help="户主姓名。")] = None,
    head_id: Annotated[Text, opt("--head-id", help="户主身份证号（18位）。")] = None,
    group: Annotated[Text, opt("--group", help="村民小组或自然村。")] = None,
    phone: Annotated[Text, opt("--phone", help="联系电话。")] = None,
    attribute: Annotated[Text, opt("--attribute", help="贫困户属性（一般农户不填）。")] = None,
    sets: Annotated[list[str] | None, opt("--set", help=SET_HELP)] = None,
    head_sets: Annotated[list[str] | None, opt("--head-set", help=HEAD_SET_HELP)] = None,
    json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """登记一户及其户主；其他成员用 member add 添加。

    Example: povmon household add 1411221020010001 --village 西营镇/东营村 --head 张三 --head-id 142323197003011238 \\
      --set 住房安全=B级 --set 两不愁=是 --head-set 医保=是 --head-set 劳动技能=普通劳动力
    """
    ask = Asker()
    code = ask(code, "CODE", "户编号")
    village = ask(village, "--village", "所在村")
    head = ask(head, "--head", "户主姓名")
    head_id = ask(head_id, "--head-id", "户主身份证号", idcard_check)
    ask.check()
    fields = {"group_name": group, "phone": phone, "attribute": attribute}
    fields = {k: v for k, v in fields.items() if v is not None} | pairs(sets)
    with unit_of_work(db, writes=True) as session:
        outcome = household_entry.add(session, code=code, village=village, head_name=head, head_id=head_id,
                                      fields=fields, head_fields=pairs(head_sets, "--head-set"), user=user_of(user))
        data = outcome.as_json()
    stored, head_row = data["stored"][0], data["stored"][1]  # as cleaned: 户编号 h 9 is stored as H9, as imported
    report(outcome, data, json, f"已登记户 {stored['code']}（户主 {head_row['name']}）。")


def idcard_check(text: str) -> None:
    """For prompts: refuse an ID number the register would refuse (same rule, same message)."""
    from povmon.rules.parse import ValueProblem

    result = idcard.check(text)
    if result.error is not None:
        raise ValueProblem(result.error.code, result.error.message)


@app.command("edit", context_settings={"ignore_unknown_options": True})  # a VALUE may start with "-"
def edit_cmd(
    code: Annotated[Text, arg("户编号。")] = None,
    field: Annotated[
        Text, arg("字段：英文名或中文名，如 housing_safety 或 住房安全；另有 village（村）、code（户编号）。")
    ] = None,
    value: Annotated[Text, arg("新值（写 \"\" 清空）。")] = None,
    reason: ReasonOption = None,
    json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """更正一户的一项内容；改动（原值 → 新值）写入审计日志。

    Example: povmon household edit 1411221020010001 住房安全 B级 --reason 危房改造已验收
    """
    ask = Asker()
    code = ask(code, "CODE", "户编号")
    field = ask(field, "FIELD", "字段")
    ask.check()
    if value is None:
        value = ask(value, "VALUE", "新值")
        ask.check()
    with unit_of_work(db, writes=True) as session:
        household = hh.by_code(session, code)
        outcome = household_entry.edit(session, household, field, value, user=user_of(user), reason=reason)
        data = outcome.as_json()
    changed = changes_text(data)
    report(outcome, data, json, f"户 {code} 已修改：{changed}。")


@app.command("list")
def list_cmd(
    area: Annotated[Text, opt("--area", "--village", help="乡镇或村：名称、区划代码或路径。")] = None,
    name: Annotated[Text, opt("--name", help="在册成员姓名（含这几个字即可）。")] = None,
    id_number: Annotated[Text, opt("--id", help="在册成员身份证号。")] = None,
    status: Annotated[
        Text, opt("--status", help="状态：未脱贫、已脱贫、返贫、一般农户、监测对象、建档立卡（或 poor 等代码）。")
    ] = None,
    limit: Annotated[int | None, opt("--limit", help="最多列出几户。")] = None,
    as_of: AsOfOption = None,
    json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """按某日情况查找户：按区划、成员姓名、身份证号或状态。

    Example: povmon household list --village 西营镇/东营村 --status 未脱贫 --as-of 2019-01-31 --json
    """
    day = parse_day(as_of)
    with unit_of_work(db) as session:
        rows = household_entry.search(session, as_of=day, area=area, name=name, id_number=id_number, status=status,
                                      limit=limit)
    if json:
        console.print_json([r.as_json() for r in rows])
        return
    console.show(console.table(
        f"户（截至 {day.isoformat()}，共 {len(rows)} 户）",
        ["户编号", "乡镇", "村", "户主", "状态", "监测", "在册人数"],
        [[r.code, r.township, r.village, r.head or "（无）", STATUS_LABELS.get(r.state.status),
          _monitoring_text(r.state.monitoring.as_json() if r.state.monitoring else None), r.members_present]
         for r in rows],
    ))


def _monitoring_text(monitoring: dict | None) -> str:
    if not monitoring:
        return ""
    text = MONITORING_TYPE.label(monitoring["type"]) or "监测对象"
    return text + ("（已消除）" if monitoring["risk_eliminated"] else "")


@app.command("show")
def show(
    code: Annotated[str, typer.Argument(help="户编号。")],
    as_of: AsOfOption = None,
    json: JsonOption = False,
    show_ids: ShowIdsOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """查看一户在某日的情况：成员、状态、收入、结对。

    Example: povmon household show 1411221040010006 --as-of 2018-12-31 --json
    """
    day = parse_day(as_of)
    with unit_of_work(db, writes=show_ids) as session:
        view = household_view(session, code, day, show_ids=show_ids)
        if show_ids:
            exports.record_household_shown(session, view["code"], user=user_of(user))
    if json:
        console.print_json(view)
        return
    console.show(render(view, day))


def render(view: dict, day) -> Panel:
    """The rich view of ``household_view``."""
    monitoring = view["monitoring"]
    mon_text = "否"
    if monitoring:
        mon_text = MONITORING_TYPE.label(monitoring["type"]) or "是"
        mon_text += "（风险已消除）" if monitoring["risk_eliminated"] else "（风险未消除）"
    facts = console.table(
        None, ["项目", "内容"],
        [
            ["地址", " ".join(x for x in (view["county"], view["township"], view["village"]) if x)],
            ["户主", view["head"] or "（无在册户主）"],
            ["脱贫状态", STATUS_LABELS.get(view["status"], view["status"])],
            ["贫困户属性", view["attribute"] or ""],
            ["监测对象", mon_text],
            ["在册人数", view["members_present"]],
        ],
        show_header=False, box=None,
    )
    members = console.table(
        "家庭成员", ["姓名", "身份证号", "与户主关系", "状态"],
        [[m["name"], m["id_number"], m["relation"], m["state"]] for m in view["members"]],
    )
    parts = [facts, members]
    if view["income"]:
        parts.append(console.table(
            "收入（元）", ["年度", "工资性", "生产经营性", "经营支出", "财产性", "转移性", "纯收入", "人均纯收入"],
            [[y, i["wage"], i["business"], i["business_expense"], i["property"], i["transfer"], i["net"],
              i["per_capita"] or "—"] for y, i in view["income"].items()],
        ))
    if view["pairings"]:
        parts.append(console.table(
            "结对帮扶", ["帮扶干部", "单位", "开始", "结束"],
            [[p["cadre"], p["unit"], p["from"], p["to"] or "至今"] for p in view["pairings"]],
        ))
    return Panel(Group(*parts), title=f"户编号 {view['code']}（截至 {day.isoformat()}）", expand=False)
