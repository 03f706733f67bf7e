"""Reading workbooks with python-calamine (about ten times faster than openpyxl for data).

A sheet comes back as a list of rows (lists of cell values, '' for an empty cell), indexed from the sheet's
first row so that ``index + 1`` is the row number Excel shows, with its merged ranges. Merged cells are
filled with the value of their top-left cell: a household's cells merged over its member rows then read like
cells repeated on every row, and a merged two-level header reads like a plain one.

A file is known by its content, not its name (a roster saved as .xls that is really an .xlsx is read as one; a
web page or CSV named .xls is refused, saying what it is), and never read past the limits of ``config.ReadLimits``:
``ingest.guard`` scans an .xlsx before calamine sees it, and a sheet too large to read densely but with few cells
(a stray value at XFD1048576) is read sparsely, its empty rows sharing one empty list.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import python_calamine

from povmon.config import ReadLimits, read_limits
from povmon.errors import PovmonError
from povmon.ingest import guard

READABLE = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")


@dataclass
class RawSheet:
    """One sheet's cells: ``rows[i][j]`` is Excel row i + 1, column j + 1."""

    name: str
    rows: list[list]
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)
    width: int = 0


@dataclass
class RawBook:
    """A workbook as read: its name, digest, size and sheets."""

    path: Path
    name: str
    sha256: str
    size: int
    sheets: list[RawSheet]


def digest(path: Path) -> tuple[str, int]:
    """The file's sha256 and size, read in chunks."""
    h = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


def read_book(path: Path) -> RawBook:
    """Read every sheet of a workbook; a missing, unreadable, mislabelled or oversized file is one clear sentence."""
    if not path.exists():
        raise PovmonError(f"找不到文件 {path}；请检查文件名和路径。")
    if not path.is_file():
        raise PovmonError(f"{path} 不是文件；请给出 Excel 文件的路径。")
    if path.suffix.lower() not in READABLE:
        raise PovmonError(
            f"{path.name} 不是 Excel 文件（可读：{'、'.join(READABLE)}）；请在 Excel 或 WPS 中另存为 .xlsx 后再导入。"
        )
    limits = read_limits()
    book = open_book(path, limits)
    sha, size = digest(path)
    sheets = []
    try:
        for name in book.sheet_names:
            sheets.append(read_sheet(book, name))
    except PovmonError:
        raise
    except Exception as exc:
        raise PovmonError(
            f"读取 {path.name} 时出错（{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}）；"
            "请在 Excel 或 WPS 中打开后另存为 .xlsx 再导入。"
        ) from exc
    finally:
        book.close()
    return RawBook(path, path.name, sha, size, sheets)


class Book:
    """An open workbook: calamine's, with what the scan found (sheets to read sparsely) and the limits."""

    def __init__(self, path: Path, calamine, scan: guard.BookScan | None, limits: ReadLimits):
        self.path, self.calamine, self.scan, self.limits = path, calamine, scan, limits

    @property
    def sheet_names(self) -> list[str]:
        return self.calamine.sheet_names

    def close(self) -> None:
        self.calamine.close()


def open_book(path: Path, limits: ReadLimits | None = None) -> Book:
    """Open a workbook by what it really is, after checking what it would expand to (see the module docstring)."""
    limits = limits or read_limits()
    size = path.stat().st_size
    if size > limits.file_bytes:
        raise PovmonError(f"{path.name} 有 {size / 1048576:,.0f} MB，超过上限 {limits.file_bytes / 1048576:,.0f} MB"
                          "（设置 POVMON_MAX_FILE_MB）；请把它拆成几个文件再导入。")
    kind = guard.sniff(path)
    if kind in ("unknown", "zip"):  # damaged, most likely: calamine says what it can
        kind = guard.SUFFIX_KINDS.get(path.suffix.lower(), kind)
    if kind not in guard.READABLE_KINDS:
        claimed = path.suffix.lower()
        raise PovmonError(f"无法读取 {path.name}：扩展名是 {claimed}，但它实际上是{guard.LABELS[kind]}，"
                          f"不是 Excel 工作簿；{guard.advice(kind)}。")
    scan = guard.scan_xlsx(path, limits) if kind == "xlsx" else None
    try:
        if guard.SUFFIX_KINDS.get(path.suffix.lower()) == kind:
            calamine = python_calamine.CalamineWorkbook.from_path(str(path))
        else:  # named for another format: calamine picks the reader by name, so let it see the content
            with path.open("rb") as fh:
                calamine = python_calamine.CalamineWorkbook.from_filelike(fh)
    except Exception as exc:  # calamine raises its own error types for damaged or encrypted files
        raise PovmonError(
            f"无法读取 {path.name}（{guard.LABELS[kind]}：{_first_line(exc)}）；"
            "文件可能已损坏或加了密码，请在 Excel 或 WPS 中打开后另存为 .xlsx 再导入。"
        ) from exc
    return Book(path, calamine, scan, limits)


def _first_line(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:160]


def reread(path: Path, names: list[str]) -> dict[str, RawSheet]:
    """Some sheets of a workbook read again (the error workbook copies rejected rows from the file)."""
    book = open_book(path)
    try:
        return {name: read_sheet(book, name) for name in names}
    finally:
        book.close()


def read_sheet(book, name: str) -> RawSheet:
    """One sheet's rows (absolute positions) with merged cells filled from their top-left cell.

    ``book`` is a ``Book`` (``open_book``), or a plain calamine workbook for a file known to be small."""
    limits = book.limits if isinstance(book, Book) else read_limits()
    scan = book.scan.sheets.get(name) if isinstance(book, Book) and book.scan is not None else None
    if scan is not None and (scan.dense > limits.cells or not scan.exact):
        sparse = guard.sparse_sheet(book.path, scan.part, name, limits)
        fill_merged(sparse.rows, _clipped(sparse.merged, len(sparse.rows), sparse.width, book.path.name, name, limits))
        return RawSheet(name, sparse.rows, sparse.merged, sparse.width)
    calamine = book.calamine if isinstance(book, Book) else book
    sheet = calamine.get_sheet_by_name(name)
    start = sheet.start
    if start is None:  # an empty sheet
        return RawSheet(name, [], [], 0)
    end = sheet.end
    extent = (end[0] + 1) * (end[1] + 1)
    if extent > limits.cells:
        file = book.path.name if isinstance(book, Book) else "文件"
        raise PovmonError(f"{file}「{name}」从 A1 到 {guard.cell_ref(*end)} 共 {extent:,} 个单元格，"
                          f"超过上限 {limits.cells:,}（设置 POVMON_MAX_CELLS）；请删去远处的空白单元格，"
                          "或把表拆成几个文件再导入。")
    # iter_rows yields rows from the first row of the sheet but columns from the first used column;
    # pad on the left so that list positions are absolute columns.
    col0 = start[1]
    width = end[1] + 1
    rows: list[list] = []
    pad = [""] * col0
    for row in sheet.iter_rows():
        rows.append(pad + row if col0 else row)
    if len(rows) == end[0] + 1 - start[0] and start[0]:
        # an older calamine that starts at the first used row: shift down to absolute positions
        rows = [[""] * width for _ in range(start[0])] + rows
    try:
        merged = list(sheet.merged_cell_ranges or ())
    except Exception:  # a format whose merges calamine cannot list: read the cells as they are
        merged = []
    file = book.path.name if isinstance(book, Book) else "文件"
    fill_merged(rows, _clipped(merged, len(rows), width, file, name, limits))
    return RawSheet(name, rows, merged, width)


def _clipped(merged, height: int, width: int, file: str, sheet: str, limits: ReadLimits):
    """Merged ranges cut to the cells the sheet holds (a merge A1:XFD1048576 fills no more than that), and
    refused when filling them would exceed the cell limit."""
    clipped = []
    filled = 0
    for (r0, c0), (r1, c1) in merged:
        if r0 >= height or c0 >= max(width, 1):
            continue
        r1, c1 = min(r1, height - 1), min(c1, max(width, c0 + 1) - 1)
        filled += (r1 - r0 + 1) * (c1 - c0 + 1)
        if filled > limits.cells:
            raise PovmonError(f"{file}「{sheet}」的合并单元格 {guard.cell_ref(r0, c0)}:{guard.cell_ref(r1, c1)} 等"
                              f"展开后超过 {limits.cells:,} 个单元格（设置 POVMON_MAX_CELLS）；"
                              "请取消不必要的合并后另存再导入。")
        clipped.append(((r0, c0), (r1, c1)))
    return clipped


def fill_merged(rows: list[list], merged: list[tuple[tuple[int, int], tuple[int, int]]]) -> None:
    """Give every cell of a merged range the value of its top-left cell (in place)."""
    for (r0, c0), (r1, c1) in merged:
        if r0 >= len(rows):
            continue
        top = rows[r0]
        value = top[c0] if c0 < len(top) else ""
        if value == "" or value is None:
            continue
        for r in range(r0, min(r1, len(rows) - 1) + 1):
            row = rows[r]
            if row is guard.EMPTY_ROW:  # a sparse sheet's shared empty row: this one gets its own list
                row = rows[r] = []
            if len(row) <= c1:
                row.extend([""] * (c1 + 1 - len(row)))
            for c in range(c0, c1 + 1):
                row[c] = value
