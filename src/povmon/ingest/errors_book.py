"""The error workbook (``--errors OUT.xlsx``): a list to print, then the rejected rows in their file's own layout.

The first sheet, 错误清单, is what a clerk prints to fix each row: where (sheet and row, township and village),
the household, the person, the bad column's header, what was typed there and what is wrong, one problem a line,
readable on A4 landscape. Its header names none of the import's columns, so importing the workbook skips it.

Each input sheet with rejected rows becomes a sheet with the same title and header rows (two-level headers
and their merges included), the rejected rows with every column where it was, a 错误说明 column saying what is
wrong in each row, and the bad cells highlighted. The clerk corrects it and imports it on its own: the header
is recognised as before and the 错误说明 column is ignored.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter

from povmon import files, xlsx
from povmon.ingest.importer import ImportResult, RejectedSheet
from povmon.ingest.read import reread

EXPLAIN = "错误说明"
EXPLAIN_WIDTH = 70
TITLE_ALIGN = Alignment(horizontal="left", vertical="center", wrap_text=False)
LIST_SHEET = "错误清单"
# 错误清单: (header, width); the headers are none of the import's column names, so a re-import skips the sheet
LIST_COLUMNS = (("序号", 5), ("所在表及行号", 16), ("乡镇、村", 18), ("所在户的编号", 19), ("人员", 9),
                ("出错的列", 13), ("填写的内容", 20), ("错误说明（改正方法）", 46))
_TOWNSHIP = ("乡（镇）", "乡镇", "乡(镇)", "乡")
_VILLAGE = ("行政村", "村")
_CODE = ("户编号",)
_PERSON = ("姓名", "成员姓名", "户主", "户主姓名")


def _load_values(sheets: list[RejectedSheet]) -> None:
    """Read the rejected rows' cells again from their files (the import keeps only what it parsed)."""
    by_file: dict[Path, list[RejectedSheet]] = {}
    for sheet in sheets:
        if any(r.values is None for r in sheet.rows):
            by_file.setdefault(sheet.path, []).append(sheet)
    for file, wanted in by_file.items():
        sheets = reread(file, [sheet.sheet for sheet in wanted])  # with the reader's limits, as the import read it
        for sheet in wanted:
            rows = sheets[sheet.sheet].rows
            for r in sheet.rows:
                r.values = list(rows[r.row - 1]) if r.row - 1 < len(rows) else []


def write(path: Path | str, result: ImportResult) -> int:
    """Write the rejected rows of an import; returns how many rows were written."""
    path = Path(path)
    _load_values(result.rejected)
    wb = Workbook()
    wb.remove(wb.active)
    taken: list[str] = [LIST_SHEET]
    written = 0
    if result.rejected:
        _list_sheet(wb.create_sheet(LIST_SHEET), result)
    several_files = len({s.file for s in result.rejected}) > 1
    for sheet in result.rejected:
        name = xlsx.sheet_title(f"{Path(sheet.file).stem}-{sheet.sheet}" if several_files else sheet.sheet, taken)
        taken.append(name)
        ws = wb.create_sheet(name)
        width = max(1, sheet.width, *(len(r) for r in sheet.header_rows), *(len(r.values) for r in sheet.rows))
        explain_col = width + 1
        header_row = len(sheet.header_rows)
        for i, values in enumerate(sheet.header_rows, start=1):
            # a title or a 填报单位 / 数据截至 line (a few texts across the row) stays on one line, left-aligned,
            # and gets its own height; header cells are centred and may wrap
            filled = {v for v in values if v != "" and v is not None}  # a merged title fills its range
            line = i < header_row and len(filled) <= 2 and not _is_group_row(sheet, i - 1)
            align = TITLE_ALIGN if line else xlsx.CENTER
            if line:
                ws.row_dimensions[i].height = 24 if i == 1 else 18
            for j, value in enumerate(values, start=1):
                if value != "" and value is not None:
                    xlsx.put(ws, i, j, value, font=xlsx.FONT_BOLD, align=align, border=False)
        for (r0, c0), (r1, c1) in sheet.merged:
            if r1 < header_row and (r0, c0) != (r1, c1):
                ws.merge_cells(start_row=r0 + 1, start_column=c0 + 1, end_row=r1 + 1, end_column=c1 + 1)
        for j in range(1, width + 1):
            ws.cell(row=header_row, column=j).fill = xlsx.HEADER_FILL
            ws.cell(row=header_row, column=j).border = xlsx.BORDER
        xlsx.put(ws, header_row, explain_col, EXPLAIN, font=xlsx.FONT_BOLD, align=xlsx.CENTER, fill=xlsx.ERROR_FILL)
        text_columns = set(sheet.columns.values())
        for n, rejected in enumerate(sheet.rows, start=header_row + 1):
            for j, value in enumerate(rejected.values, start=1):
                if value == "" or value is None:
                    continue
                if isinstance(value, dt.datetime) and value.time() == dt.time():
                    value = value.date()
                value = _as_text(value) if (j - 1) in text_columns else value
                fmt = xlsx.TEXT_FORMAT if isinstance(value, str) and (j - 1) in text_columns else None
                xlsx.put(ws, n, j, value, number_format=fmt)
            notes = []
            for problem in rejected.problems:
                where = f"【{problem.column}】" if problem.column else ""
                notes.append(f"{where}{problem.message}")
                col = sheet.columns.get(problem.column) if problem.column else None
                if col is not None:
                    cell = ws.cell(row=n, column=col + 1)
                    cell.fill = xlsx.ERROR_FILL
                    cell.border = xlsx.BORDER
                    cell.comment = Comment(xlsx.safe_text(problem.message), "povmon")
            text = "\n".join(dict.fromkeys(notes))
            xlsx.put(ws, n, explain_col, text, align=xlsx.LEFT)
            lines = sum(max(1, math.ceil(xlsx.display_width(line) / (EXPLAIN_WIDTH + 8))) for line in text.split("\n"))
            if lines > 1:
                ws.row_dimensions[n].height = 14 * lines
            note_cell = ws.cell(row=n, column=explain_col)
            if any(p.code != "household_rejected" for p in rejected.problems):
                note_cell.fill = xlsx.ERROR_FILL
            written += 1
        xlsx.fit_widths(ws, first_row=header_row, maximum=30)
        ws.column_dimensions[get_column_letter(explain_col)].width = EXPLAIN_WIDTH + 2
        ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
        xlsx.a4(ws, landscape=True, repeat_rows=f"1:{header_row}")
    if not wb.sheetnames:
        ws = wb.create_sheet("没有错误")
        xlsx.put(ws, 1, 1, "本次导入没有被拒绝的行。", border=False)
    with files.atomic(path) as temporary:  # the roster's own rows, ID numbers included
        wb.save(temporary)
    return written


def _as_text(value: object) -> object:
    """An ID or code Excel kept as a number, as the digits it kept (1.42323195703160E+17 → 142323195703160000)."""
    if isinstance(value, float) and value.is_integer():
        return format(int(value), "d")
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _is_group_row(sheet: RejectedSheet, index: int) -> bool:
    """The row just above the header holding group headers (户基本情况 / 家庭成员情况) over merged columns."""
    return index == len(sheet.header_rows) - 2 and len({v for v in sheet.header_rows[index] if v}) > 2


def _find(columns: dict[str, int], names: tuple[str, ...]) -> int | None:
    for name in names:
        if name in columns:
            return columns[name]
    return None


def _cell(values: list, index: int | None) -> str:
    if index is None or index >= len(values):
        return ""
    value = values[index]
    if value is None:
        return ""
    value = _as_text(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    return str(value)


def _list_sheet(ws, result: ImportResult) -> None:
    """错误清单: one problem a line, with what a clerk needs to find and fix it; A4 landscape."""
    several_files = len({s.file for s in result.rejected}) > 1
    problems = [(sheet, r, p) for sheet in result.rejected for r in sheet.rows for p in r.problems
                if p.code != "household_rejected"]
    with_household = sum(1 for sheet in result.rejected for r in sheet.rows
                         if all(p.code == "household_rejected" for p in r.problems))
    last = len(LIST_COLUMNS)
    xlsx.title(ws, 1, "导入错误清单", last, height=26)
    files = "、".join(dict.fromkeys(s.file for s in result.rejected))
    note = (f"文件：{files}；共 {len(problems)} 处错误"
            + (f"，另有 {with_household} 行因同户其他行有错整户未导入" if with_household else "")
            + "。请按本清单改正后面各表中标红的单元格，再导入该表（错误说明列导入时忽略）。")
    xlsx.put(ws, 2, 1, note, font=xlsx.FONT_SMALL, border=False, align=xlsx.LEFT)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=last)
    ws.row_dimensions[2].height = 14 * xlsx.text_lines(note, sum(w for _, w in LIST_COLUMNS), 9) + 4
    xlsx.header_row(ws, 3, [h for h, _ in LIST_COLUMNS])
    ws.row_dimensions[3].height = 30
    for n, (sheet, rejected, problem) in enumerate(problems, start=1):
        values = rejected.values or []
        where = f"{Path(sheet.file).stem}-{sheet.sheet}" if several_files else sheet.sheet
        township = _cell(values, _find(sheet.columns, _TOWNSHIP))
        village = _cell(values, _find(sheet.columns, _VILLAGE))
        typed = problem.value if problem.value not in (None, "") else \
            _cell(values, sheet.columns.get(problem.column)) if problem.column else ""
        row = [n, f"{where} 第{rejected.row}行", "".join(x for x in (township, village) if x),
               _cell(values, _find(sheet.columns, _CODE)), _cell(values, _find(sheet.columns, _PERSON)),
               problem.column or "", typed or ("（空）" if problem.column else ""), problem.message]
        r = n + 3
        for j, value in enumerate(row, start=1):
            xlsx.put(ws, r, j, value, align=xlsx.CENTER if j == 1 else xlsx.LEFT,
                     number_format=xlsx.TEXT_FORMAT if isinstance(value, str) else None)
        lines = max(xlsx.text_lines(v, w) for v, (_, w) in zip(row, LIST_COLUMNS, strict=True))
        ws.row_dimensions[r].height = max(18, lines * xlsx.line_height() + 4)
    xlsx.widths(ws, [w for _, w in LIST_COLUMNS])
    ws.freeze_panes = "A4"
    xlsx.a4(ws, landscape=True, repeat_rows="3:3")
    ws.print_area = f"A1:{get_column_letter(last)}{max(3, len(problems) + 3)}"
