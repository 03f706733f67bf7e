"""povmon ledger: print households' five ledgers (明白卡, 家庭账, 识别账, 政策账, 收入账, 帮扶账) on A4."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Annotated

import typer

from povmon import console, files
from povmon.cli.common import (
    AsOfOption,
    DbOption,
    ForceOption,
    ShowIdsOption,
    UserOption,
    output_file,
    parse_day,
    unit_of_work,
    user_of,
)
from povmon.errors import PovmonError
from povmon.reports import form_xlsx, ledger_xlsx
from povmon.reports import ledger as library
from povmon.services import exports


def default_output(label: str, day: dt.date, split: bool, kind: str = "五本账") -> Path:
    """五本账_<what was chosen>_<date>.xlsx (or a folder of that name with --split), in the current folder."""
    name = re.sub(r'[\\/:*?"<>|\s]+', "_", f"{kind}_{label}_{day.isoformat()}")
    return Path(name if split else name + ".xlsx")


def _target(output: Path | None, label: str, day: dt.date, split: bool, kind: str = "五本账") -> Path:
    if output is None:
        return default_output(label, day, split, kind)
    if split:
        if output.exists() and not output.is_dir():
            raise PovmonError(f"{output} 是一个文件；--split 需要一个文件夹，请换一个 -o 路径。")
        return output
    if output.is_dir():
        return output / default_output(label, day, False, kind)
    if not output.parent.is_dir():
        raise PovmonError(f"文件夹 {output.parent} 不存在；请先建立它或换一个 -o 路径。")
    return output


def _checked(ledgers, folder: Path, force: bool):
    """The ledgers of a --split run, each refused before it is written when its file exists (without --force)."""
    for one in ledgers:
        files.check_target(folder / ledger_xlsx.file_name(one), force=force, option="-o")
        yield one


def ledger(
    codes: Annotated[
        list[str] | None, typer.Argument(help="户编号（可写多个）。", show_default=False, metavar="CODE")
    ] = None,
    village: Annotated[
        str | None, typer.Option("--village", help="打印这个村的所有户（村名或12位区划代码）。", show_default=False)
    ] = None,
    township: Annotated[
        str | None,
        typer.Option("--township", help="打印这个乡镇的所有户；与 --village 同用时指明是哪个乡镇的村。",
                     show_default=False),
    ] = None,
    cadre: Annotated[
        str | None,
        typer.Option("--cadre", help="打印这位干部在当天结对帮扶的所有户（身份证号，或不重名时的姓名）。",
                     show_default=False),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="输出的 .xlsx 文件（--split 时为文件夹）；默认在当前文件夹。",
                     show_default=False),
    ] = None,
    split: Annotated[bool, typer.Option("--split", help="每户一个文件，放在一个文件夹里。")] = False,
    form: Annotated[
        bool,
        typer.Option("--form", help="打印年度入户核实表：每项现登记情况旁留一栏核实更正，户主和帮扶责任人签字。"),
    ] = False,
    as_of: AsOfOption = None,
    show_ids: ShowIdsOption = False,
    force: ForceOption = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """打印户的五本账（A4）：每户一张表（加 --split 时每户一个文件）；加 --form 打印入户核实表。

    Examples: povmon ledger 1411221040010006 ; povmon ledger --village 东营村 --as-of 2019-12-31 ;
    povmon ledger --cadre 142323197505050011 -o 走访.xlsx ; povmon ledger --form --village 东营村
    """
    kind = "入户核实表" if form else "五本账"
    layout = form_xlsx.write_form if form else None
    day = parse_day(as_of)
    codes = codes or []
    filters = [x for x in (village, township, cadre) if x is not None]
    if codes and filters:
        raise typer.BadParameter("请只用一种方式选户：户编号，或 --village/--township/--cadre。", param_hint="CODE")
    if not codes and not filters:
        raise typer.BadParameter(
            "请指明要打印哪些户：户编号，或 --village 村名、--township 乡镇名、--cadre 干部身份证号。",
            param_hint="CODE",
        )
    if output is not None and not split and not output.is_dir() and output.suffix.lower() != ".xlsx":
        raise typer.BadParameter(f"{output} 不是 .xlsx 文件名；请写成 例如 -o 五本账.xlsx。", param_hint="-o")

    def choose(session):
        chosen = library.select_households(session, day, codes=codes, village=village, township=township,
                                           cadre=cadre)
        place = _target(output, chosen.label, day, split, kind)
        if not split:
            output_file(place, force=force, option="-o", uses_db=True, db=db)
        return chosen, place

    if show_ids:
        # audit first, in the transaction that decides what is exported: committed before any full ID reaches
        # a file, so that no file with IDs exists without its audit rows (if writing fails, the rows only say more)
        with unit_of_work(db, writes=True) as session:
            selection, target = choose(session)
            exports.record_unmasked_export(session, selection.household_ids, selection.codes, user=user_of(user),
                                           note=f"ledger --show-ids 截至 {day.isoformat()}")
    with unit_of_work(db) as session:
        if not show_ids:
            selection, target = choose(session)
        ledgers = library.ledgers(session, selection.household_ids, day, show_ids=show_ids)
        try:
            if split:
                count = len(ledger_xlsx.write_split(_checked(ledgers, target, force), target, layout=layout))
            else:
                count = ledger_xlsx.write_workbook(ledgers, target, layout=layout)
        except OSError as exc:
            raise PovmonError(
                f"无法写入 {target}：{exc.strerror or exc}；请检查路径和权限，或先关闭在 Excel 中打开的同名文件。"
            ) from exc
    where = f"文件夹 {target}（每户一个文件）" if split else str(target)
    console.success(f"已生成 {count} 户的{kind}（截至 {day.isoformat()}）：{where}")
