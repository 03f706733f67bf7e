"""povmon household: look at one household as the register holds it."""

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
from povmon.reports.household import household_view
from povmon.rules.status import STATUS_LABELS
from povmon.rules.vocab import MONITORING_TYPE
from povmon.services import audit

app = typer.Typer(help="户：查看一户在某一天的情况。", no_args_is_help=True)


@app.command("show")
def show(
    code: Annotated[str, typer.Argument(help="户编号。")],
    as_of: AsOfOption = None,
    json: JsonOption = False,
    show_ids: ShowIdsOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Show one household as the database holds it on a date (members, status, income, pairings).

    Example: povmon household show 1411221040010006 --as-of 2018-12-31 --json
    """
    day = parse_day(as_of)
    with unit_of_work(db) as session:
        view = household_view(session, code, day, show_ids=show_ids)
        if show_ids:
            audit.log(session, user=user_of(user), action="export", table="household", row_id=None,
                      note=f"household show --show-ids {view['code']}")
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
