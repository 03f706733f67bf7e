"""Small workbooks built in the tests: the layouts clerks send, with known answers (tests only)."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

from openpyxl import Workbook

from povmon.rules import idcard

_seq = itertools.count(1)

ROSTER_HEADERS = ["户编号", "乡镇", "行政村", "姓名", "身份证号", "与户主关系", "性别", "脱贫状态", "识别年度",
                  "脱贫年度", "年度", "工资性收入", "转移性收入", "家庭人口"]


def pid(born: dt.date = dt.date(1970, 1, 1), sex: str = "M", area: str = "142323") -> str:
    """A fresh valid ID number."""
    n = next(_seq)
    seq = (n * 2 + (1 if sex == "M" else 0)) % 1000
    return idcard.make(area, born + dt.timedelta(days=n // 500), seq)


def write(path: Path, sheets: dict[str, list[list]], merges: dict[str, list[str]] | None = None,
          text_columns: dict[str, list[int]] | None = None) -> Path:
    """A workbook with the given rows per sheet (None = empty cell) and merged ranges like "A3:A5"."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for i, row in enumerate(rows, start=1):
            for j, value in enumerate(row, start=1):
                if value is not None:
                    cell = ws.cell(row=i, column=j, value=value)
                    if isinstance(value, str):
                        cell.data_type = "s"
        for ref in (merges or {}).get(name, []):
            ws.merge_cells(ref)
        for col in (text_columns or {}).get(name, []):
            for row in ws.iter_rows(min_col=col, max_col=col):
                for cell in row:
                    cell.number_format = "@"
    wb.save(path)
    return path


def household(code: str, members: int = 2, *, status: str = "", identified=None, exited=None, town: str = "会立乡",
              village: str = "岔口村", size: int | None = None, wage=1000, year=2018) -> list[list]:
    """Roster rows (ROSTER_HEADERS) for one household: a head, a spouse, then children."""
    rows = []
    relations = ["户主", "配偶"] + ["之子"] * 10
    for i in range(members):
        sex = "F" if relations[i] == "配偶" else "M"
        number = pid(dt.date(1970 + i * 10, 3, 1), sex)
        rows.append([code, town, village, f"成员{code[-3:]}{i}", number, relations[i], "女" if sex == "F" else "男",
                     status, identified, exited, year, wage, 100, size if size is not None else members])
    return rows
