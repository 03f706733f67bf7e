"""Shared openpyxl helpers for every workbook povmon writes (template, error workbook, ledgers, reports).

One place for the house style (宋体/SimSun, thin borders, A4 print setup, 第 &P 页 共 &N 页 footers), for the
formula guard (text that came from users is written so that Excel or WPS can never take it for a formula) and for
``safe_text``: whatever the database already holds, a workbook gets only characters its XML can carry.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Sequence
from copy import copy
from decimal import Decimal

from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

FONT_NAME = "宋体"  # SimSun: what county offices print with
FONT = Font(name=FONT_NAME, size=10.5)
FONT_BOLD = Font(name=FONT_NAME, size=10.5, bold=True)
FONT_TITLE = Font(name=FONT_NAME, size=16, bold=True)
FONT_SMALL = Font(name=FONT_NAME, size=9)
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")
WARNING_FILL = PatternFill("solid", fgColor="FFEB9C")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
LEFT_NOWRAP = Alignment(horizontal="left", vertical="center")
RIGHT = Alignment(horizontal="right", vertical="center")
MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
TEXT_FORMAT = "@"

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
# what XML 1.0 cannot carry: C0 controls but tab and line breaks, lone surrogates, U+FFFE/U+FFFF
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def safe_text(value: str) -> str:
    """Text as a workbook can hold it: the characters XML cannot carry (control characters) removed.

    Text entered since rules.text cleans input has none; older records, file and sheet names may. Every writer
    (openpyxl cells and sheet names here, the streaming writer's XML) passes text through this one function.
    """
    return _NOT_XML.sub("", value) if _NOT_XML.search(value) else value


def is_formula_like(value: object) -> bool:
    """Whether text would be taken for a formula by Excel or WPS (= + - @ and control characters)."""
    return isinstance(value, str) and value.startswith(_FORMULA_STARTS)


def guard(cell: Cell, value: object) -> Cell:
    """Store a value in a cell (normal or write-only) so that text can never become a formula."""
    if isinstance(value, str):
        value = safe_text(value)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl would otherwise store "=..." as a formula
        if is_formula_like(value):
            cell.quotePrefix = True  # shown exactly as typed
    return cell


def put(
    ws: Worksheet,
    row: int,
    column: int,
    value: object,
    *,
    font: Font | None = FONT,
    border: bool = True,
    align: Alignment | None = None,
    number_format: str | None = None,
    fill: PatternFill | None = None,
) -> Cell:
    """Write one cell in the house style. Text is always stored as text (data_type 's'), never a formula,
    and text starting with = + - @ keeps Excel's quote prefix so it displays as typed."""
    cell = guard(ws.cell(row=row, column=column), value)
    if isinstance(value, Decimal):
        cell.number_format = number_format or MONEY_FORMAT
    elif isinstance(value, (dt.date, dt.datetime)):
        cell.number_format = number_format or DATE_FORMAT
    if number_format and not isinstance(value, (Decimal, dt.date, dt.datetime)):
        cell.number_format = number_format
    if font is not None:
        cell.font = font
    if border:
        cell.border = BORDER
    if align is not None:
        cell.alignment = align
    elif isinstance(value, (Decimal, int, float)) and not isinstance(value, bool):
        cell.alignment = RIGHT
    else:
        cell.alignment = LEFT
    if fill is not None:
        cell.fill = fill
    return cell


class Painter:
    """Writes many cells in the house style, fast.

    openpyxl hashes every style object each time one is assigned to a cell (about 40 µs a cell); a painter
    works out each combination of style and kind of value once, with ``put``, and afterwards copies the
    resulting raw style array. Same look, same formula guard, a fraction of the time for big sheets.
    """

    def __init__(self, ws: Worksheet):
        self.ws = ws
        self._styles: dict[tuple, object] = {}

    def put(self, row: int, column: int, value: object, **style) -> Cell:
        """Like ``put``, for the same keyword arguments."""
        key = (_kind(value), *sorted((name, id(v) if not isinstance(v, (str, bool)) else v)
                                     for name, v in style.items()))
        cached = self._styles.get(key)
        if cached is None:
            cell = put(self.ws, row, column, value, **style)
            self._styles[key] = (copy(cell._style), style)  # keep the style objects alive: ids stay theirs
            return cell
        cell = guard(self.ws.cell(row=row, column=column), value)
        cell._style = copy(cached[0])
        return cell


def _kind(value: object) -> str:
    if isinstance(value, bool) or value is None:
        return "plain"
    if isinstance(value, Decimal):
        return "money"
    if isinstance(value, (dt.date, dt.datetime)):
        return "date"
    if isinstance(value, (int, float)):
        return "number"
    return "text"


def header_row(ws: Worksheet, row: int, labels: Sequence[str], *, start_column: int = 1) -> None:
    """A bold, shaded, bordered header row."""
    for offset, label in enumerate(labels):
        put(ws, row, start_column + offset, label, font=FONT_BOLD, align=CENTER, fill=HEADER_FILL)


def title(ws: Worksheet, row: int, text: str, last_column: int, *, font: Font = FONT_TITLE, height: float = 28) -> None:
    """A merged, centred title across the columns."""
    put(ws, row, 1, text, font=font, border=False, align=CENTER)
    if last_column > 1:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last_column)
    ws.row_dimensions[row].height = height


def widths(ws: Worksheet, columns: Iterable[float]) -> None:
    """Column widths in Excel character units (a Chinese character needs about 2)."""
    for index, width in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width


def display_width(text: object) -> int:
    """How many Excel width units a value needs: CJK characters count double."""
    s = "" if text is None else str(text)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in s)


def fit_widths(ws: Worksheet, *, minimum: float = 6, maximum: float = 40, first_row: int = 1) -> None:
    """Set each column's width from its longest value (merged title rows excluded by first_row)."""
    best: dict[int, int] = {}
    for row in ws.iter_rows(min_row=first_row):
        for cell in row:
            if cell.value is not None:
                best[cell.column] = max(best.get(cell.column, 0), display_width(cell.value))
    for column, width in best.items():
        ws.column_dimensions[get_column_letter(column)].width = max(minimum, min(maximum, width + 2))


def a4(
    ws: Worksheet,
    *,
    landscape: bool = False,
    repeat_rows: str | None = None,
    footer_date: dt.date | None = None,
    fit_width: bool = True,
) -> None:
    """A4 print setup: fit to one page wide, repeated header rows, footer 第 &P 页 共 &N 页 with the print date."""
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4  # also for write-only sheets
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    if fit_width:
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = 0.6
    ws.page_margins.bottom = 0.7
    ws.print_options.horizontalCentered = True
    if repeat_rows:
        ws.print_title_rows = repeat_rows
    footer = "第 &P 页 共 &N 页"
    if footer_date is not None:
        footer += f"    打印日期：{footer_date.isoformat()}"
    ws.oddFooter.center.text = footer
    ws.oddFooter.center.font = FONT_NAME
    ws.oddFooter.center.size = 9


SIGNERS = ("制表人：", "审核人：", "负责人：", "单位（盖章）：", "日期：")  # what an office signs under a table


def report_head(ws: Worksheet, title_text: str, note: str, width: int, page_header: str, today: dt.date, *,
                header_height: float = 30) -> int:
    """The top of a report sheet an office files: its title, a note on what it counts, the page header naming
    whose figures they are, A4 landscape with row 3 (the table's header, which the caller writes) repeated.
    Returns the header row."""
    title(ws, 1, title_text, width)
    put(ws, 2, 1, note, font=FONT_SMALL, border=False, align=LEFT)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    ws.row_dimensions[2].height = 30
    ws.oddHeader.center.text = page_header
    ws.oddHeader.center.font = FONT_NAME
    ws.oddHeader.center.size = 9
    a4(ws, landscape=True, repeat_rows="3:3", footer_date=today)
    ws.page_margins.top, ws.page_margins.header = 0.8, 0.3  # the page header clear of the table
    ws.row_dimensions[3].height = header_height
    return 3


def signatures(ws: Worksheet, last_row: int, width: int, signers: Sequence[str] = SIGNERS) -> None:
    """The signature line one row below a table that ends at ``last_row``, spread over its width."""
    row = last_row + 2
    step = max(width // len(signers), 2)
    for i, label in enumerate(signers):
        put(ws, row, 1 + i * step, label, border=False, align=LEFT_NOWRAP)
    ws.row_dimensions[row].height = 30


def sheet_title(text: str, taken: Iterable[str] = ()) -> str:
    """A valid, unique sheet name (≤ 31 characters, none of []:*?/\\)."""
    cleaned = "".join("_" if ch in '[]:*?/\\' else ch for ch in safe_text(text)).strip("'").strip() or "Sheet"
    cleaned = cleaned[:31]
    existing = set(taken)
    candidate, n = cleaned, 2
    while candidate in existing:
        suffix = f"({n})"
        candidate = cleaned[: 31 - len(suffix)] + suffix
        n += 1
    return candidate


def text_lines(text: object, width: float, font_size: float = FONT.size) -> int:
    """How many lines a wrapped value takes in a cell (or merged range) this many width units wide.

    A width unit holds one digit of the default font, a CJK character of 10.5-pt 宋体 about two; the
    estimate errs on the generous side, because a row cut too short hides text on paper.
    """
    if text is None or text == "":
        return 1
    usable = max(width - 2, 1.0)  # the cell's padding, and fonts a little wider than SimSun
    scale = font_size / 10.5
    return sum(max(1, math.ceil(display_width(part) * scale / usable)) for part in str(text).split("\n"))


def line_height(font_size: float = FONT.size) -> float:
    """The height in points of one line of 宋体 text at this size (with the cell's padding shared out)."""
    return round(font_size * 1.4, 1)
