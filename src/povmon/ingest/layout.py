"""Finding a sheet's header row and kind from its content.

The header row is the row (among the first 40) naming the most known columns; titles above it and a group row
of a two-level header (户基本情况 / 家庭成员情况 / 收入情况（元）) are not data. A column whose header cell is
empty takes the name from the cell above (an unmerged two-level header); a group name plus a field name may
make a known name (户主 + 身份证号 → 户主身份证号). The kind is the one whose signature columns are all present
and which names the most columns; the other columns are ignored with a ``column_ignored`` warning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from povmon.ingest.columns import KINDS, ROSTER, SILENT_HEADERS, Field, Mapping, SheetKind, header_key, known_header
from povmon.ingest.read import RawSheet
from povmon.rules.text import clean_text

SCAN_ROWS = 40
_GROUP_SUFFIX = re.compile(r"(基本)?(情况|信息|资料)$")


@dataclass
class Column:
    index: int  # 0-based column
    field: Field
    header: str  # as the file writes it (cleaned of line breaks)


@dataclass
class Layout:
    """How to read one sheet: its kind, header row, columns and the columns it ignores."""

    kind: SheetKind
    header_row: int  # 0-based
    columns: list[Column]
    ignored: list[tuple[int, str, str]] = field(default_factory=list)  # (index, header, why)
    missing: list[Field] = field(default_factory=list)  # required fields with no column

    def __post_init__(self) -> None:
        self.by_key = {(c.field.level, c.field.key): c for c in self.columns}

    def col(self, level: str, key: str) -> Column | None:
        """The column of a field, or None when the sheet has none."""
        return self.by_key.get((level, key))

    def header_of(self, level: str, key: str) -> str:
        """The header the file uses for a field (the canonical one when the file has no such column)."""
        column = self.by_key.get((level, key))
        if column is not None:
            return column.header
        for f in self.kind.fields:
            if f.level == level and f.key == key:
                return f.header
        return key


def _text(value: object) -> str:
    if value is None or value == "":
        return ""
    return clean_text(str(value)) or ""


def _mapped(header: str, mapping: Mapping | None) -> str | None:
    """The canonical header the clerk's mapping gives a header ("" = ignore), or None."""
    if mapping is None:
        return None
    return mapping.column(header)


def find_header_row(sheet: RawSheet, mapping: Mapping | None = None) -> int | None:
    """The row naming the most known columns (at least two), or None for a sheet that is not data."""
    best, best_count = None, 1
    for index, row in enumerate(sheet.rows[:SCAN_ROWS]):
        count = 0
        seen = set()
        for value in row:
            if not isinstance(value, str) or not value:
                continue
            target = _mapped(value, mapping)
            if target == "":
                continue
            key = header_key(target or value)
            if key in seen:
                continue
            if known_header(target or value):
                seen.add(key)
                count += 1
        if count > best_count:
            best, best_count = index, count
    return best


def detect(sheet: RawSheet, mapping: Mapping | None = None) -> Layout | None:
    """The layout of a sheet, or None when no kind of povmon sheet is recognised in it."""
    h = find_header_row(sheet, mapping)
    if h is None:
        return None
    header = sheet.rows[h]
    above = sheet.rows[h - 1] if h > 0 else []
    above2 = sheet.rows[h - 2] if h > 1 else []
    names: list[tuple[int, str, str | None]] = []  # (index, header, group)
    for j, value in enumerate(header):
        text = _text(value)
        group = _text(above[j]) if j < len(above) else ""
        if not text:
            # an unmerged two-level header: the name sits in the row above (or the one above that)
            for row in (above, above2):
                candidate = _text(row[j]) if j < len(row) else ""
                if candidate and known_header(candidate):
                    text, group = candidate, ""
                    break
        if text:
            names.append((j, text, group if group and group != text else None))

    best: Layout | None = None
    best_score = 0
    for kind in KINDS:
        layout = _fit(kind, h, names, mapping)
        if layout is None:
            continue
        score = len(layout.columns)
        if score > best_score:
            best, best_score = layout, score
    return best


def _fit(kind: SheetKind, h: int, names: list[tuple[int, str, str | None]], mapping: Mapping | None) -> Layout | None:
    columns: list[Column] = []
    ignored: list[tuple[int, str, str]] = []
    taken: set[tuple[str, str]] = set()
    for j, text, group in names:
        target = _mapped(text, mapping)
        if target == "":
            continue  # the clerk said to ignore this column
        found: Field | None = None
        if target:
            found = kind.match(target)
        if found is None and group:
            stem = _GROUP_SUFFIX.sub("", group)
            found = kind.match(stem + text) if stem else None
        if found is None and not target:
            found = kind.match(text)
        if found is None:
            if header_key(text) not in SILENT_HEADERS:
                ignored.append((j, text, "unknown"))
            continue
        if found.ref in taken:
            ignored.append((j, text, "duplicate"))
            continue
        taken.add(found.ref)
        columns.append(Column(j, found, text))
    if not any(sig <= taken for sig in kind.signature):
        return None
    missing = [f for f in kind.required() if f.ref not in taken]
    if kind.name == ROSTER:
        # a roster without 户编号 is grouped by its heads (户主 rows or 户主身份证号)
        missing = [f for f in missing if f.ref != ("household", "code")]
        if not any(ref[0] == "income" and ref[1] != "year" for ref in taken):
            missing = [f for f in missing if f.level != "income"]  # a roster without income columns
    return Layout(kind, h, columns, ignored, missing)
