"""The error workbook (``--errors OUT.xlsx``): the rejected rows in their file's own layout, fixable in place.

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
    taken: list[str] = []
    written = 0
    several_files = len({s.file for s in result.rejected}) > 1
    for sheet in result.rejected:
        name = xlsx.sheet_title(f"{Path(sheet.file).stem}-{sheet.sheet}" if several_files else sheet.sheet, taken)
        taken.append(name)
        ws = wb.create_sheet(name)
        width = max(1, sheet.width, *(len(r) for r in sheet.header_rows), *(len(r.values) for r in sheet.rows))
        explain_col = width + 1
        header_row = len(sheet.header_rows)
        for i, values in enumerate(sheet.header_rows, start=1):
            # a title (one text across the row) stays on one line; header cells are centred and may wrap
            filled = {v for v in values if v != "" and v is not None}
            align = TITLE_ALIGN if len(filled) == 1 and i < header_row else xlsx.CENTER
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
