"""Reading workbooks with python-calamine (about ten times faster than openpyxl for data).

A sheet comes back as a list of rows (lists of cell values, '' for an empty cell), indexed from the sheet's
first row so that ``index + 1`` is the row number Excel shows, with its merged ranges. Merged cells are
filled with the value of their top-left cell: a household's cells merged over its member rows then read like
cells repeated on every row, and a merged two-level header reads like a plain one.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import python_calamine

from povmon.errors import PovmonError

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
    """Read every sheet of a workbook; a missing or unreadable file is one clear sentence."""
    if not path.exists():
        raise PovmonError(f"找不到文件 {path}；请检查文件名和路径。")
    if not path.is_file():
        raise PovmonError(f"{path} 不是文件；请给出 Excel 文件的路径。")
    if path.suffix.lower() not in READABLE:
        raise PovmonError(
            f"{path.name} 不是 Excel 文件（可读：{'、'.join(READABLE)}）；请在 Excel 或 WPS 中另存为 .xlsx 后再导入。"
        )
    sha, size = digest(path)
    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for damaged or encrypted files
        raise PovmonError(
            f"无法读取 {path.name}（{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}）；"
            "文件可能已损坏或加了密码，请在 Excel 或 WPS 中打开后另存为 .xlsx 再导入。"
        ) from exc
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


def read_sheet(book, name: str) -> RawSheet:
    """One sheet's rows (absolute positions) with merged cells filled from their top-left cell."""
    sheet = book.get_sheet_by_name(name)
    start = sheet.start
    if start is None:  # an empty sheet
        return RawSheet(name, [], [], 0)
    end = sheet.end
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
    fill_merged(rows, merged)
    return RawSheet(name, rows, merged, width)


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
            if len(row) <= c1:
                row.extend([""] * (c1 + 1 - len(row)))
            for c in range(c0, c1 + 1):
                row[c] = value
