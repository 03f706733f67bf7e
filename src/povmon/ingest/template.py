"""The import template (``povmon template OUT.xlsx``), optionally filled with data rows.

One sheet per kind of record (docs/TEMPLATE.md), one header row of canonical names — required columns in red —
dropdown lists on every controlled column (from a hidden 代码表 sheet), ID and code columns formatted as text
(so Excel keeps all 18 digits), and a 填表说明 sheet generated from the same column declarations the importer
reads. ``write(path, rows_by_sheet)`` fills sheets with rows keyed by canonical header; the sample-data
generator uses it, and importing what it writes gives back the same data.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping as MappingABC
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from povmon import files, xlsx
from povmon.ingest.columns import TEMPLATE_KINDS, Field, SheetKind
from povmon.rules.money import to_fen
from povmon.rules.vocab import Vocabulary

CODE_SHEET = "代码表"
HELP_SHEET = "填表说明"
PREPARED_ROWS = 500
RULED_ROWS = 18  # a blank template's ruled rows: one printed page (landscape) a village fills in by hand
RULED_HEIGHT = 24  # points: room for handwriting
PAGE_WIDTH = 190  # width units that still print at a readable size on A4 landscape; wider sheets take more pages
HELP_WIDTH = 70  # empty rows under the header that get the text format and the dropdowns
REQUIRED_FONT = Font(name=xlsx.FONT_NAME, size=10.5, bold=True, color="C00000")
TEXT_PARSERS = frozenset({"text", "area", "name", "code", "id", "phone", "vocabs"})
_WIDTH = {"id": 21, "code": 19, "phone": 14, "date": 12, "date_or_year": 12, "name": 10, "amount": 12,
          "decimal": 10, "year": 8, "int": 8, "bool": 8}


def write(path: Path | str, rows_by_sheet: MappingABC[str, list[dict[str, object]]] | None = None) -> Path:
    """Write the template to ``path``, with data rows keyed by canonical header (sheet name → rows)."""
    path = Path(path)
    rows_by_sheet = dict(rows_by_sheet or {})
    names = {k.name for k in TEMPLATE_KINDS}
    unknown = set(rows_by_sheet) - names
    if unknown:
        raise ValueError(f"no such template sheet: {', '.join(sorted(unknown))} (sheets: {', '.join(names)})")
    ruled = not rows_by_sheet  # a blank template is also printed and filled in by hand
    wb = Workbook()
    help_ws = wb.active
    help_ws.title = HELP_SHEET
    codes = wb.create_sheet(CODE_SHEET)
    ranges = _code_sheet(codes)
    for kind in TEMPLATE_KINDS:
        ws = wb.create_sheet(kind.name)
        _data_sheet(ws, kind, rows_by_sheet.get(kind.name, []), ranges, ruled=ruled)
    codes.sheet_state = "hidden"
    _help_sheet(help_ws)
    with files.atomic(path, private=False) as temporary:
        wb.save(temporary)
    return path


def _vocabularies() -> list[Vocabulary]:
    seen: dict[str, Vocabulary] = {}
    for kind in TEMPLATE_KINDS:
        for f in kind.fields:
            if f.vocab is not None and f.parser == "vocab":
                seen.setdefault(f.vocab.name, f.vocab)
    return list(seen.values())


def _code_sheet(ws: Worksheet) -> dict[str, str]:
    """One column per vocabulary: its title and labels. Returns vocabulary name → absolute range."""
    ranges = {}
    for j, vocab in enumerate(_vocabularies(), start=1):
        xlsx.put(ws, 1, j, vocab.title, font=xlsx.FONT_BOLD)
        labels = vocab.labels()
        for i, label in enumerate(labels, start=2):
            xlsx.put(ws, i, j, label, border=False)
        letter = get_column_letter(j)
        ranges[vocab.name] = f"{quote_sheetname(CODE_SHEET)}!${letter}$2:${letter}${len(labels) + 1}"
    return ranges


def _cell_value(f: Field, value: object) -> object:
    """A data value as the template stores it: text for IDs and codes, 是/否 for booleans, exact amounts."""
    if value is None:
        return None
    if f.parser in TEXT_PARSERS:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return to_fen(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    return value


def _data_sheet(ws: Worksheet, kind: SheetKind, rows: list[dict[str, object]], ranges: dict[str, str], *,
                ruled: bool = False) -> None:
    fields = list(kind.fields)
    headers = {f.header: f for f in fields}
    for j, f in enumerate(fields, start=1):
        cell = xlsx.put(ws, 1, j, f.header, font=REQUIRED_FONT if f.required else xlsx.FONT_BOLD, align=xlsx.CENTER,
                        fill=xlsx.HEADER_FILL)
        cell.border = xlsx.BORDER
    painter = xlsx.Painter(ws)
    for n, row in enumerate(rows, start=2):
        extra = set(row) - set(headers)
        if extra:
            raise ValueError(f"sheet {kind.name}: unknown columns {', '.join(sorted(extra))}")
        for j, f in enumerate(fields, start=1):
            value = _cell_value(f, row.get(f.header))
            if value is None:
                continue
            fmt = xlsx.TEXT_FORMAT if f.parser in TEXT_PARSERS else None
            if isinstance(value, dt.date):
                fmt = xlsx.DATE_FORMAT
            painter.put(n, j, value, number_format=fmt, border=False)
    last = max(len(rows) + 1, PREPARED_ROWS + 1)
    for j, f in enumerate(fields, start=1):
        letter = get_column_letter(j)
        dim = ws.column_dimensions[letter]
        dim.width = max(_WIDTH.get(f.parser, 10), xlsx.display_width(f.header) + 3)
        if f.parser in TEXT_PARSERS:
            # the column's own style makes cells typed later text too: Excel keeps all 18 digits of an ID
            dim.number_format = xlsx.TEXT_FORMAT
            for i in range(len(rows) + 2, PREPARED_ROWS + 2):
                ws.cell(row=i, column=j).number_format = xlsx.TEXT_FORMAT
        elif f.parser in ("date",):
            dim.number_format = xlsx.DATE_FORMAT
        area = f"{letter}2:{letter}{last}"
        validation = None
        if f.parser == "vocab" and f.vocab is not None:
            validation = DataValidation(type="list", formula1=f"={ranges[f.vocab.name]}", allow_blank=True,
                                        showErrorMessage=True, errorStyle="warning",
                                        errorTitle=f.header, error=f"请从下拉列表中选择{f.header}（也可写常见别名）")
        elif f.parser == "bool":
            validation = DataValidation(type="list", formula1='"是,否"', allow_blank=True, showErrorMessage=True,
                                        errorStyle="warning", errorTitle=f.header, error="请填 是 或 否")
        elif f.parser == "year":
            validation = DataValidation(type="whole", operator="between", formula1="1949", formula2="2100",
                                        allow_blank=True, showErrorMessage=True, errorTitle=f.header,
                                        error="请填四位年份，如 2018")
        elif f.key == "month":
            validation = DataValidation(type="whole", operator="between", formula1="1", formula2="12",
                                        allow_blank=True, showErrorMessage=True, errorTitle=f.header,
                                        error="请填 1 到 12；全年收入留空")
        if validation is not None:
            validation.promptTitle = f.header
            validation.prompt = f.help[:250] if f.help else None
            validation.showInputMessage = bool(f.help)
            validation.add(area)
            ws.add_data_validation(validation)
    ws.freeze_panes = "A2"
    ws.row_dimensions[1].height = 30
    xlsx.a4(ws, landscape=True, repeat_rows="1:1")
    if ruled:
        _rule(ws, len(fields))
        # whose pages they are, and who filled them in: in the page's header and footer, not in the cells
        # (row 1 stays the header row the import reads)
        ws.oddHeader.left.text = "填报单位（盖章）：＿＿＿＿＿＿＿＿＿＿＿＿"
        ws.oddHeader.right.text = "填表人：＿＿＿＿＿＿　　审核人：＿＿＿＿＿＿　　填表日期：　　　　年　　月　　日"
        for part in (ws.oddHeader.left, ws.oddHeader.right):
            part.font, part.size = xlsx.FONT_NAME, 10
        ws.oddFooter.center.text = f"{kind.name}　第 &P 页 共 &N 页"
        ws.page_margins.top, ws.page_margins.header = 1.0, 0.45  # the header lines above the table, not on it


def _rule(ws: Worksheet, columns: int) -> None:
    """Ruled blank rows under the header, the print area over them; a sheet too wide for one page prints on
    several pages wide, each repeating the first column (户编号) so that the pages of a row can be matched."""
    for r in range(2, RULED_ROWS + 2):
        for j in range(1, columns + 1):
            ws.cell(row=r, column=j).border = xlsx.BORDER
        ws.row_dimensions[r].height = RULED_HEIGHT
    last = get_column_letter(columns)
    ws.print_area = f"A1:{last}{RULED_ROWS + 1}"
    total = sum(ws.column_dimensions[get_column_letter(j)].width or 10 for j in range(1, columns + 1))
    ws.page_setup.fitToWidth = max(1, math.ceil(total / PAGE_WIDTH))
    if ws.page_setup.fitToWidth > 1:
        ws.print_title_cols = "A:A"


def _help_sheet(ws: Worksheet) -> None:
    xlsx.title(ws, 1, "povmon 导入模板 填表说明", 5)
    general = [
        "1. 每张表的第一行是列名，请不要修改列名；红色列名为必填项。"
        "可以删去不用的列，也可以增加备注列（导入时会提示并忽略）。",
        "2. 身份证号、户编号、电话等列已设为“文本”格式，请直接输入；如从别处粘贴，请用“选择性粘贴-数值”，"
        "否则 Excel 会把18位身份证号变成科学计数法并丢掉后几位。",
        "3. 有下拉箭头的列请从列表中选择；也可以填写常见写法（如 儿子、妻子、是/否、√），导入时会自动识别。",
        "4. 日期写成 2016-03-01、2016.3.1 或 2016年3月1日；识别年度、脱贫年度只填年份时按当年12月31日。",
        "5. 金额单位为元，可写 1,234.50 或 3000元；空着为0。多个致贫原因、风险类型用顿号（、）分隔。",
        "6. 同一户的任何一行有错，整户（含其成员）都不导入；其余户照常导入。povmon import --errors 错误.xlsx "
        "会把未导入的行连同错误说明写成一个表，改正后可直接再导入。",
        "7. 重复导入同一文件不会重复登记：已有的记录按户编号、身份证号等对应，"
        "只有改动过的内容才会更新，并记入审计日志。",
        "8. 各表可分开导入；先导入行政区划（或导入时加 --create-areas）、户信息、家庭成员，再导入收入、结对关系等。",
    ]
    row = 3
    for text in general:
        xlsx.put(ws, row, 1, text, border=False, align=xlsx.LEFT)
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=5)
        ws.row_dimensions[row].height = 30
        row += 1
    row += 1
    xlsx.header_row(ws, row, ["表", "列名", "必填", "说明", "示例"])
    ws.print_title_rows = f"{row}:{row}"
    row += 1
    for kind in TEMPLATE_KINDS:
        first = row
        for f in kind.fields:
            xlsx.put(ws, row, 1, kind.name, align=xlsx.CENTER)
            xlsx.put(ws, row, 2, f.header, font=REQUIRED_FONT if f.required else xlsx.FONT)
            xlsx.put(ws, row, 3, "是" if f.required else "", align=xlsx.CENTER)
            help_text = f.help
            if f.aliases:
                help_text += f"（也认：{'、'.join(f.aliases[:6])}）"
            xlsx.put(ws, row, 4, help_text)
            xlsx.put(ws, row, 5, f.example or "", number_format=xlsx.TEXT_FORMAT)
            lines = math.ceil(xlsx.display_width(help_text) / (HELP_WIDTH - 2))
            if lines > 1:
                ws.row_dimensions[row].height = 14 * lines
            row += 1
        if row - first > 1:
            ws.merge_cells(start_row=first, start_column=1, end_row=row - 1, end_column=1)
    xlsx.widths(ws, [11, 22, 6, HELP_WIDTH, 20])
    xlsx.a4(ws, landscape=False)
