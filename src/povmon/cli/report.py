"""povmon report: the auditors' monthly summary, month closes and the list of closes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Group
from rich.text import Text

from povmon import console
from povmon.cli.common import (
    DbOption,
    ForceOption,
    JsonOption,
    UserOption,
    output_file,
    unit_of_work,
    user_of,
)
from povmon.errors import PovmonError
from povmon.reports import close as closing
from povmon.reports import monthly, monthly_xlsx
from povmon.rules import parse
from povmon.services import closes

app = typer.Typer(help="报表：审计用的月度汇总、结账与核对；驻村考勤；督查与年终考核。", no_args_is_help=True)

MonthOption = Annotated[str, typer.Option("--month", help="月份，YYYY-MM，如 2019-01。", show_default=False)]
AreaOption = Annotated[
    str | None,
    typer.Option("--area", help="只统计这个区划及其下级：区划代码、名称，或 乡镇/村。", show_default=False),
]
SHOWN = 30  # differences and changes shown on screen; the workbook's 结账核对 sheet lists them all


def _month(value: str, *, begun: bool = True) -> monthly.Month:
    """The --month option; with ``begun``, a month that has not begun yet is refused (its figures would be
    a guess presented as fact)."""
    try:
        month = monthly.Month.parse(value)
    except parse.ValueProblem as exc:
        raise typer.BadParameter(exc.message, param_hint="--month") from None
    if begun and month.first > dt.date.today():
        raise PovmonError(f"{month.label} 还没有开始（今天是 {dt.date.today().isoformat()}），没有可统计的数字；"
                          "请给本月或以前的月份。")
    return month


@app.command("monthly")
def monthly_cmd(
    month: MonthOption,
    area: AreaOption = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="写出工作簿（汇总、变动、低于标准线、未结对、走访、"
                                  "政策资金、数据质量、图表）。", show_default=False)
    ] = None,
    json: JsonOption = False,
    pair_limit: Annotated[
        int, typer.Option("--pair-limit", min=1, help="数据质量：每名干部结对户数的上限。")
    ] = monthly.DEFAULT_PAIR_LIMIT,
    force: ForceOption = False,
    db: DbOption = None,
) -> None:
    """月报：县、各乡镇、各村截至月末的全部指标；已结账的月份与结账数字核对。

    Example: povmon report monthly --month 2019-01 -o 2019-01.xlsx
    """
    wanted = _month(month)
    if output is not None and output.suffix.lower() != ".xlsx":
        raise typer.BadParameter(f"{output} 不是 .xlsx 文件名；请写成 例如 -o 月报-2019-01.xlsx。", param_hint="-o")
    if output is not None and not output.parent.is_dir():
        raise PovmonError(f"文件夹 {output.parent} 不存在；请先建立，或换一个 -o 路径。")
    if output is not None:
        output_file(output, force=force, option="-o", uses_db=True, db=db)
    with unit_of_work(db) as session:
        report = monthly.build(session, wanted, area)
        comparison = closing.compare(session, report)
        details = monthly.details(session, report, pair_limit=pair_limit) if output is not None else None
    if output is not None:
        try:
            monthly_xlsx.write(report, details, output, comparison=comparison)
        except PermissionError as exc:
            raise PovmonError(f"无法写入 {output}：文件可能正在 Excel/WPS 中打开；请关闭后重试。") from exc
    if json:
        console.print_json(report.as_json())
        if comparison is not None and not comparison.same:
            c = comparison.close
            console.warning(
                f"{report.month.label} 已于 {closing.when(c.closed_at)} 由 {c.user} 结账，"
                f"重新计算与结账时不同（{len(comparison.differences)} 处）；不加 --json 运行可看变化及原因。"
            )
        return
    console.show(render(report))
    if comparison is not None:
        console.show(render_comparison(comparison))
    if output is not None:
        console.success(f"已写出 {output}")


def render(report: monthly.MonthlyReport):
    """The terminal view: the top area and the level below it (county and townships), in two narrow tables."""
    if not report.areas:
        return Text("登记簿里还没有区划和户；请先用 povmon import 导入花名册。")
    rows = [a for a in report.areas if a.depth <= 1]
    top = report.areas[0].name if report.areas else ""
    people = console.table(
        f"{top} {report.month.label} 月度汇总（截至 {report.as_of.isoformat()}；户/人）",
        ["区划", "在册", "建档立卡", "未脱贫", "已脱贫", "监测对象", "发生率%"],
        [[_name(a), f"{a.households}/{a.people}", f"{a.registered_households}/{a.registered_people}",
          f"{a.poor_households}/{a.poor_people}", f"{a.exited_households}/{a.exited_people}",
          f"{a.monitored_households}/{a.monitored_people}", f"{a.incidence:.2f}"] for a in rows],
    )
    work = console.table(
        "帮扶与本月情况（低于线：上年人均纯收入低于贫困线的户；变动：识别/脱贫/返贫/纳入监测/风险消除的事件数）",
        ["区划", "低于线", "结对/未结", "干部", "走访户", "资金(元)", "变动"],
        [[_name(a), a.below_line_households, f"{a.paired_households}/{a.unpaired_households}", a.cadres,
          a.visited_households, f"{a.benefits:,.2f}",
          f"{a.identified}/{a.exited}/{a.returned}/{a.monitoring_added}/{a.risk_eliminated}"] for a in rows],
    )
    line = report.line
    foot = (f"收入年度 {report.month.income_year}，贫困线 {line.yuan:.2f} 元。" if line else
            f"缺少 {report.month.income_year} 年贫困线，低于贫困线户数无法计算。")
    more = sum(1 for a in report.areas if a.depth > 1)
    if more:
        foot += f"另有 {more} 个下级区划的数字见 -o 工作簿或 --json。"
    return Group(people, work, Text(foot))


def _name(area: monthly.AreaFigures) -> str:
    return ("  " * area.depth) + area.name


def render_comparison(comparison: closing.Comparison):
    """What the auditor must know about the close: the same, or what changed and why."""
    c = comparison.close
    head = console.printable(
        f"{c.month} 已于 {closing.when(c.closed_at)} 由 {c.user} 结账（{comparison.scope}，sha256 {c.sha256[:16]}…）")
    if comparison.same:
        return Text(f"✓ {head}；重新计算与结账时完全一致。")
    parts: list = []
    if not comparison.intact:
        parts.append(Text("警告：结账记录里保存的数字与它的 sha256 不符——结账记录在 povmon 之外被改动过。",
                          style="bold red"))
    parts.append(Text(f"注意：{head}；现在重新计算的数字与结账时不同，共 {len(comparison.differences)} 处：",
                      style="bold yellow"))
    diffs = comparison.differences
    parts.append(console.table(None, ["区划", "指标", "结账时", "现在"], [
        [d.area, "区划" if d.field == "area" else d.label, _shown(d.closed), _shown(d.now)] for d in diffs[:SHOWN]
    ]))
    if len(diffs) > SHOWN:
        parts.append(Text(f"……另有 {len(diffs) - SHOWN} 处，见 -o 工作簿的“结账核对”表。"))
    changes = comparison.changes
    if changes:
        parts.append(Text(f"原因：结账后新建或修改了 {len(changes)} 条生效日期在本月末及以前的记录：", style="bold"))
        parts.append(console.table(None, ["时间", "操作人", "记录", "户编号", "生效日期", "操作", "内容"], [
            [closing.when(ch.at), ch.user, ch.table_label, ch.household or "", ch.effective, ch.action, ch.detail]
            for ch in changes[:SHOWN]
        ]))
        if len(changes) > SHOWN:
            parts.append(Text(f"……另有 {len(changes) - SHOWN} 条，见 -o 工作簿的“结账核对”表。"
                              "按类别、操作人和日期汇总："))
            parts.append(console.table(None, ["记录", "操作", "操作人", "日期", "条数"],
                                       [list(row) for row in comparison.summary()]))
    else:
        parts.append(Text("未找到结账后新建或修改的记录：差异可能来自程序版本不同（结账时为 "
                          f"{console.printable(c.note or '未记录')}），或有人绕过 povmon 直接改了数据库。"))
    return Group(*parts)


def _shown(value) -> str:
    return "（无）" if value is None else str(value)


@app.command("close")
def close_cmd(
    month: MonthOption,
    area: AreaOption = None,
    note: Annotated[str | None, typer.Option("--note", help="结账说明（写入结账记录）。", show_default=False)] = None,
    again: Annotated[bool, typer.Option("--again", help="本月已结账时，按现在的数据再结一次（原记录保留）。")] = False,
    json: JsonOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """结账：保存本月数字及其 sha256、结账人和时间，供以后核对。

    Example: povmon report close --month 2019-01 --user 审计员张
    """
    wanted = _month(month, begun=False)  # a month not over is refused by close_month itself
    with unit_of_work(db, writes=True) as session:
        stored = closes.close_month(session, monthly.build(session, wanted, area), user=user_of(user), note=note,
                                    again=again)
        data = closing.close_json(session, stored)
    if json:
        console.print_json(data)
        return
    console.success(f"已结账：{data['month']}（{data['scope']}），结账人 {data['user']}，"
                    f"时间 {closing.when(stored.closed_at)}，sha256 {data['sha256']}")


@app.command("closes")
def closes_cmd(
    month: Annotated[str | None, typer.Option("--month", help="只列这个月份（YYYY-MM）。", show_default=False)] = None,
    json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """列出已结账的月份：范围、结账人、时间和数字的 sha256。

    Example: povmon report closes
    """
    label = _month(month, begun=False).label if month is not None else None
    with unit_of_work(db) as session:
        data = [closing.close_json(session, c) for c in closing.list_closes(session, label)]
        shown = [[c.month, closing.scope_name(session, c), c.as_of.isoformat(), closing.when(c.closed_at), c.user,
                  c.sha256[:16] + "…", c.note or ""] for c in closing.list_closes(session, label)]
    if json:
        console.print_json(data)
        return
    if not data:
        console.info("还没有结账的月份。" if label is None else f"{label} 还没有结账。")
        return
    console.show(console.table("已结账的月份", ["月份", "范围", "截至", "结账时间", "结账人", "sha256", "说明"], shown))


@app.command("attendance")
def attendance_cmd(
    month: Annotated[str | None, typer.Option("--month", help="月份，YYYY-MM，如 2019-03。",
                                              show_default=False)] = None,
    year: Annotated[str | None, typer.Option("--year", help="全年，YYYY，如 2019。", show_default=False)] = None,
    area: AreaOption = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="写出工作簿（考勤汇总、请销假台账、应交未交），A4 可打印。",
                                  show_default=False)
    ] = None,
    json: JsonOption = False,
    force: ForceOption = False,
    db: DbOption = None,
) -> None:
    """考勤统计：各乡镇、各工作队每名队员的工作日、在村天数与比例、请假、缺勤；低于 2/3 的标出。

    Example: povmon report attendance --month 2019-03 --area 会立乡 -o 考勤-2019-03.xlsx
    """
    from povmon.reports import attendance, attendance_xlsx

    if (month is None) == (year is None):
        raise PovmonError("请给 --month YYYY-MM 或 --year YYYY 之一。")
    try:
        period = attendance.Period.month(month) if month else attendance.Period.year(year)
    except parse.ValueProblem as exc:
        raise typer.BadParameter(exc.message, param_hint="--month" if month else "--year") from None
    if output is not None and output.suffix.lower() != ".xlsx":
        raise typer.BadParameter(f"{output} 不是 .xlsx 文件名；请写成 例如 -o 考勤-2019-03.xlsx。", param_hint="-o")
    if output is not None and not output.parent.is_dir():
        raise PovmonError(f"文件夹 {output.parent} 不存在；请先建立，或换一个 -o 路径。")
    if output is not None:
        output_file(output, force=force, option="-o", uses_db=True, db=db)
    with unit_of_work(db) as session:
        built = attendance.build(session, period, area)
    if output is not None:
        try:
            attendance_xlsx.write(built, output)
        except PermissionError as exc:
            raise PovmonError(f"无法写入 {output}：文件可能正在 Excel/WPS 中打开；请关闭后重试。") from exc
    if json:
        console.print_json(built.as_json())
        return
    console.show(render_attendance(built))
    if output is not None:
        console.success(f"已写出 {output}")


def render_attendance(built):
    """The terminal view: one line per team, then the members below the threshold."""
    if not built.teams:
        return Text(f"{built.period.title}没有在岗的工作队队员；请先用 povmon team add 和 team member add 登记。")
    teams = console.table(
        f"{built.scope_name} 驻村工作队考勤（{built.period.title}，截至 {built.as_of.isoformat()}）",
        ["乡镇", "工作队", "人数", "工作日", "在村", "比例%", "请假", "缺勤", "低于"],
        [_team_line(built, t) for t in built.teams])
    below = built.below()
    parts = [teams]
    if below:
        parts.append(console.table(
            f"在村不足工作日 {built.rules.share_text} 的队员（{len(below)} 人）",
            ["工作队", "姓名", "工作日", "在村", "比例%"],
            [[t.name, m.name, m.figures.working_days, m.figures.in_village, f"{m.figures.share_pct() or 0:.1f}"]
             for t, m in below]))
    else:
        parts.append(Text(f"所有队员在村均不少于工作日的 {built.rules.share_text}。"))
    missing = built.missing()
    if missing:
        parts.append(Text(f"应交未交：{len(missing)} 项（定期汇报或工作日志），见 -o 工作簿或 --json。"))
    return Group(*parts)


def _team_line(built, team) -> list:
    f = team.figures()
    below = sum(1 for m in team.members if m.figures.below(built.rules))
    return [team.township, team.name, len(team.members), f.working_days, f.in_village, f"{f.share_pct() or 0:.1f}",
            f.leave_days, f.absent, below]


from povmon.cli import report_supervision  # noqa: E402  (督查 and 年终考核 workbooks, issue 15)

report_supervision.register(app)
