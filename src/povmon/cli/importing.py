"""povmon import and povmon template: load clerks' workbooks, write the blank template."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.exc import IntegrityError

from povmon import console
from povmon.cli.common import (
    AsOfOption,
    DbOption,
    ForceOption,
    JsonOption,
    UserOption,
    acting,
    audit_refusal,
    forget_actor,
    open_engine,
    output_file,
    parse_day,
    user_of,
)
from povmon.db import ensure_schema, session_factory
from povmon.errors import PovmonError
from povmon.ingest import ImportOptions, ImportResult, errors_book, import_files, template
from povmon.ingest.columns import Mapping
from povmon.rules.text import excerpt
from povmon.services.access import Refused

KIND_LABELS = {"areas": "区划", "households": "户", "members": "成员", "incomes": "收入", "events": "识别变动",
               "cadres": "帮扶干部", "pairings": "结对", "benefits": "享受政策", "measures": "帮扶措施",
               "visits": "走访"}
SHOWN_ERRORS = 40
PROGRESS_MIN_ROWS = 3000


def import_cmd(
    files: Annotated[
        list[Path], typer.Argument(help="要导入的 Excel 文件（模板或花名册，可多个）。", show_default=False)
    ],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="完整检查并报告结果，但不写入数据库。")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="有任何错误就整批拒绝（默认只拒绝有错的户）。")] = False,
    create_areas: Annotated[
        bool, typer.Option("--create-areas", help="自动建立数据库中还没有的县、乡镇、行政村。")] = False,
    mapping: Annotated[
        Path | None,
        typer.Option("--mapping", show_default=False,
                     help="列名对照文件（TOML）：在 columns 表里写 \"原列名\" = \"标准列名\"（见 README）。"),
    ] = None,
    errors: Annotated[
        Path | None,
        typer.Option("--errors", help="把未导入的行（原格式加“错误说明”列）写入这个 .xlsx 文件。", show_default=False),
    ] = None,
    as_of: AsOfOption = None,
    json: JsonOption = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="不显示进度条。")] = False,
    force: Annotated[bool, typer.Option("--force", help="--errors 文件已存在时用新文件替换（导入的文件不会被覆盖）。")]
    = False,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """导入工作簿（模板或花名册），一次一个事务；有错的户报告出来，不导入。

    Example: povmon import 会立乡花名册.xlsx --create-areas --errors 错误.xlsx
    """
    day = parse_day(as_of, future=True)
    if day > dt.date.today():
        raise typer.BadParameter("文件描述的日期不能晚于今天", param_hint="--as-of")
    if errors is not None and errors.suffix.lower() != ".xlsx":
        raise typer.BadParameter("错误文件应以 .xlsx 结尾", param_hint="--errors")
    if errors is not None and not errors.resolve().parent.is_dir():
        # checked before importing: a committed import must never end in a failure about the error file
        raise PovmonError(f"放错误文件的文件夹 {errors.resolve().parent} 不存在；请先建立它或换一个 --errors 路径。")
    if errors is not None:
        output_file(errors, force=force, inputs=[*files, mapping], option="--errors", uses_db=True, db=db)
    options = ImportOptions(
        user=user_of(user), as_of=day, dry_run=dry_run, strict=strict, create_areas=create_areas,
        mapping=Mapping.load(mapping) if mapping else None, mapping_file=str(mapping) if mapping else None,
    )
    engine = open_engine(db)
    try:
        ensure_schema(engine)
        with ImportProgress(quiet) as progress:
            options.progress = progress
            with session_factory(engine)() as session, session.begin() as transaction:
                acting(session)
                options.user = user_of(user)
                result = import_files(session, files, options)
                if dry_run or result.refused:
                    transaction.rollback()
    except Refused as exc:
        audit_refusal(engine, exc)
        raise
    except KeyboardInterrupt:
        raise PovmonError("导入已中断，数据库没有任何改动；可以重新导入。") from None
    except IntegrityError as exc:
        # another import wrote the same records between our check and our write: nothing of ours was kept
        raise PovmonError("写入时与数据库中刚出现的记录冲突（可能有人同时在导入），本次导入已撤销、数据库没有改动；"
                          "请稍后重新导入。") from exc
    finally:
        forget_actor()
        engine.dispose()

    written, unwritable = None, None
    if errors is not None and result.rejected:
        try:
            written = errors_book.write(errors, result)
        except OSError as exc:
            unwritable = exc.strerror or str(exc)
        except Exception as exc:  # the import is committed: say so, whatever failed with the file
            unwritable = console.printable(f"{type(exc).__name__}: {exc}")[:200]
    if json:
        console.print_json(result.as_json())
    else:
        _report(result, errors if written else None)
    if unwritable:
        saved = f"导入本身已完成（批次 {result.batch}）" if result.batch else "数据库没有改动"
        raise PovmonError(f"{saved}，但无法写入错误文件 {errors}（{unwritable}）；文件是否正在 Excel 中打开？"
                          "关闭后用 --dry-run --errors 重新生成即可。")
    if result.refused:
        raise PovmonError(
            f"有 {len(result.errors)} 处错误，--strict 下整批拒绝，数据库没有任何改动；"
            "请改正后重新导入（或去掉 --strict，只拒绝有错的户）。"
        )
    if nothing_imported(result):
        raise PovmonError(f"没有导入任何记录：文件中每一户都有错误（{len(result.errors)} 处，见上）；"
                          "请改正后重新导入。")
    if json and written:
        console.err.print(f"未导入的 {written} 行已写入 {errors}。")


def nothing_imported(result: ImportResult) -> bool:
    """Every record of the files was rejected: the import did nothing at all (exit 1, not a success)."""
    return bool(result.errors) and not any(
        c["created"] or c["updated"] or c["unchanged"] for c in result.counts.values()
    )


class ImportProgress:
    """A rich progress bar on stderr for big files, only for a person at a terminal."""

    def __init__(self, quiet: bool):
        # only for a person watching: not when the output goes to a file or a pipe, nor with --quiet
        self.enabled = console.progress_enabled(quiet) and console.out.is_terminal
        self.bar = None
        self.tasks: dict[str, int] = {}

    def __enter__(self):
        return self.update if self.enabled else None

    def update(self, stage: str, done: int, total: int) -> None:
        """The progress callback: one bar per stage, started once the file is big enough."""
        if self.bar is None:
            if stage == "读取" and total < PROGRESS_MIN_ROWS:
                return
            if stage != "读取" and not self.tasks:
                return
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                TimeElapsedColumn(), console=console.err, transient=True)
            self.bar.start()
        if stage not in self.tasks:
            for task in self.tasks.values():
                self.bar.update(task, completed=self.bar.tasks[task].total or 0)
            self.tasks[stage] = self.bar.add_task(stage, total=total or None)
        self.bar.update(self.tasks[stage], completed=done, total=total or None)

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.stop()
        return False


def _report(result: ImportResult, errors_file: Path | None) -> None:
    """The counts, the errors (the first ones) and the warnings, for a person."""
    rows = [[KIND_LABELS.get(kind, kind), c["created"], c["updated"], c["unchanged"], c["rejected"]]
            for kind, c in result.counts.items()]
    title = "导入结果（试运行，未写入）" if result.dry_run else "导入结果"
    console.show(console.table(title, ["类别", "新增", "更新", "未变", "拒绝"], rows))
    if result.errors:
        console.info(f"错误（{len(result.errors)} 处，有错的户整户未导入）：")
        _problems(result.errors)
    if result.warnings:
        console.info(f"提示（{len(result.warnings)} 处，不影响导入）：")
        _problems(result.warnings)
    if errors_file is not None:
        console.info(f"未导入的行已写入 {errors_file}（含“错误说明”列），改正后可直接再导入。")
    if result.refused:
        return
    if nothing_imported(result):
        return  # the command ends with the reason, on stderr
    if result.dry_run:
        console.success("试运行完成（--dry-run），数据库没有改动。")
    elif result.batch is None:
        console.success("文件中的内容数据库里都已有，没有任何改动。")
    else:
        console.success(f"已导入，批次号 {result.batch}。")


def _problems(problems: list) -> None:
    """Problems as lines under their file and sheet; a household's innocent rows as one range."""
    place = None
    lines = 0
    i = 0
    while i < len(problems) and lines < SHOWN_ERRORS:
        p = problems[i]
        if (p.file, p.sheet) != place:
            place = (p.file, p.sheet)
            console.info(f"  {p.file}「{p.sheet}」")
        j = i
        while (p.code == "household_rejected" and j + 1 < len(problems)
               and problems[j + 1].code == p.code and problems[j + 1].message == p.message
               and problems[j + 1].row == problems[j].row + 1):
            j += 1
        rows = f"第 {p.row} 行" if j == i else f"第 {p.row}–{problems[j].row} 行"
        if p.row is None:
            rows = "表头"
        where = f"【{p.column}】" if p.column else ""
        value = f"“{excerpt(p.value)}”" if p.value else ""
        console.info(f"    {rows}{where}{value}：{p.message}  [{p.code}]")
        lines += 1
        i = j + 1
    if i < len(problems):
        console.info(f"    …另有 {len(problems) - i} 处；"
                     "用 --errors 错误.xlsx 导出全部未导入的行，或用 --json 查看全部。")


def template_cmd(
    out: Annotated[Path, typer.Argument(help="要写出的模板文件（.xlsx）。", show_default=False)],
    force: ForceOption = False,
) -> None:
    """写出空白导入模板：每类记录一张表，带下拉选项和填表说明。

    Example: povmon template 导入模板.xlsx
    """
    if out.suffix.lower() != ".xlsx":
        raise typer.BadParameter("模板文件应以 .xlsx 结尾", param_hint="OUT")
    if not out.parent.exists():
        raise PovmonError(f"文件夹 {out.parent} 不存在；请先建立它或换一个路径。")
    output_file(out, force=force, option="OUT")
    try:
        template.write(out)
    except OSError as exc:
        raise PovmonError(f"无法写入 {out}（{exc.strerror}）；文件是否正在 Excel 中打开？请关闭后重试。") from exc
    console.success(f"已写出导入模板 {out}：填好后用 povmon import {out.name} 导入。")


def register(app: typer.Typer) -> None:
    """Add ``import`` and ``template`` to the root command."""
    app.command("import")(import_cmd)
    app.command("template")(template_cmd)
