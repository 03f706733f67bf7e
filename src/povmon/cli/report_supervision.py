"""povmon report inspections / report assessment: the inspection workbook and the year-end assessment workbook
(reports.inspections, reports.assessment_xlsx). Registered on the report group by cli.report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import select

from povmon import console
from povmon.cli.common import DbOption, ForceOption, JsonOption, output_file, unit_of_work
from povmon.cli.inspect import period_of
from povmon.errors import PovmonError
from povmon.models import Area
from povmon.services import assessment

Output = Annotated[Path | None, typer.Option("-o", "--output", help="写出工作簿（.xlsx），A4 可打印。",
                                             show_default=False)]


def _target(output: Path | None, force: bool, db: str | None, example: str) -> None:
    if output is None:
        return
    if output.suffix.lower() != ".xlsx":
        raise typer.BadParameter(f"{output} 不是 .xlsx 文件名；请写成 例如 -o {example}。", param_hint="-o")
    if not output.parent.is_dir():
        raise PovmonError(f"文件夹 {output.parent} 不存在；请先建立，或换一个 -o 路径。")
    output_file(output, force=force, option="-o", uses_db=True, db=db)


def _save(write, output: Path) -> None:
    try:
        write()
    except PermissionError as exc:
        raise PovmonError(f"无法写入 {output}：文件可能正在 Excel/WPS 中打开；请关闭后重试。") from exc


def inspections_cmd(
    year: Annotated[str | None, typer.Option("--year", help="全年，YYYY，如 2018。", show_default=False)] = None,
    month: Annotated[str | None, typer.Option("--month", help="月份，YYYY-MM。", show_default=False)] = None,
    area: Annotated[str | None, typer.Option("--area", help="只统计督查这个区划内对象的：代码、名称或 乡镇/村。",
                                             show_default=False)] = None,
    output: Output = None,
    json: JsonOption = False,
    force: ForceOption = False,
    db: DbOption = None,
) -> None:
    """督查统计：按督查方式和问题类别的问题数，整改中、逾期未整改、已整改的清单。

    Example: povmon report inspections --year 2018 -o 督查-2018.xlsx
    """
    from povmon.reports import inspections

    if (year is None) == (month is None):
        raise PovmonError("请给 --year YYYY 或 --month YYYY-MM 之一。")
    period = period_of(year, month)
    _target(output, force, db, f"督查-{period.label}.xlsx")
    with unit_of_work(db) as session:
        built = inspections.build(session, period, area)
    if output is not None:
        _save(lambda: inspections.write(built, output), output)
    if json:
        console.print_json(built.as_json())
        return
    data = built.as_json()
    console.show(console.table(
        f"{built.scope_name}{period.title}督查：{data['inspections']} 次，问题 {data['findings']} 个",
        ["方式", "类别", "问题", *data["status"]],
        [[m["kind"], m["category"], m["findings"], *(m[s] for s in data["status"])]
         for m in data["by_kind_and_category"]]))
    console.show("整改情况：" + "，".join(f"{s} {n}" for s, n in data["status"].items()))
    if output is not None:
        console.success(f"已写出 {output}")


def assessment_cmd(
    year: Annotated[str | None, typer.Option("--year", help="考核年度，YYYY，如 2018。", show_default=False)] = None,
    scheme: Annotated[Path | None, typer.Option("--scheme", help="这次用这份方案文件（TOML）。",
                                                show_default=False)] = None,
    output: Output = None,
    json: JsonOption = False,
    force: ForceOption = False,
    db: DbOption = None,
) -> None:
    """年终考核工作簿：按乡镇、按派出单位排名，逐项得分、等次及理由，附签字栏，供县委组织部用。

    Example: povmon report assessment --year 2018 -o 年终考核-2018.xlsx
    """
    from povmon.reports import assessment_xlsx

    if year is None:
        raise PovmonError("请用 --year YYYY 给出考核年度。")
    y = assessment.check_year(year)
    _target(output, force, db, f"年终考核-{y}.xlsx")
    with unit_of_work(db) as session:
        run = assessment.run(session, y, scheme_path=scheme)
        county = session.scalar(select(Area.name).where(Area.level == "county").order_by(Area.id)) or ""
        data = run.as_json()
    if output is not None:
        _save(lambda: assessment_xlsx.write(run, output, county=county), output)
    if json:
        console.print_json(data)
        return
    for key, title in (("teams", "驻村工作队"), ("secretaries", "第一书记")):
        s = data["summary"][key]
        console.show(f"{y} 年{title} {s['assessed']} 个：" + "，".join(f"{g} {n}" for g, n in s["grades"].items()))
    console.show(console.table(f"{y} 年派出单位", ["名次", "派出单位", "平均分", "工作队", "第一书记", "督查问题"],
                               [[u["rank"], u["unit"], u["average"] or "", len(u["teams"]), len(u["secretaries"]),
                                 u["findings"]] for u in data["units"][:20]]))
    if output is not None:
        console.success(f"已写出 {output}")


def register(app: typer.Typer) -> None:
    app.command("inspections")(inspections_cmd)
    app.command("assessment")(assessment_cmd)
