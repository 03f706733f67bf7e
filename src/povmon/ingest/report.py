"""Stage 6 of an import, report: what the import did (or would do), as docs/CONTRACTS.md's JSON and for the error book.

The problems are listed in the order of the files' sheets and rows; the rejected rows are grouped by sheet with
the sheet's header rows, so that the error workbook (ingest.errors_book) can write them back in their file's own
layout with a 错误说明 column (the cells themselves are read again from the file).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from povmon.ingest.clean import Parsed
from povmon.ingest.problems import FileProblem

KIND_ORDER = ("areas", "households", "members", "incomes", "events", "cadres", "pairings", "benefits", "measures",
              "visits")


@dataclass
class RejectedRow:
    row: int  # Excel row
    problems: list[FileProblem]
    values: list | None = None  # the row's cells, read again from the file when the error workbook is written


@dataclass
class RejectedSheet:
    """A sheet's rejected rows with its header rows, for the error workbook."""

    file: str
    path: Path
    sheet: str
    header_rows: list[list]
    merged: list[tuple[tuple[int, int], tuple[int, int]]]
    width: int
    columns: dict[str, int]  # header → 0-based column, to highlight bad cells
    rows: list[RejectedRow]


@dataclass
class ImportResult:
    """What an import did (or would do): the JSON of docs/CONTRACTS.md plus what the error workbook needs."""

    batch: int | None
    dry_run: bool
    files: list[str]
    counts: dict[str, dict[str, int]]
    errors: list[FileProblem]
    warnings: list[FileProblem]
    refused: bool = False
    rows_read: int = 0
    rejected: list[RejectedSheet] = field(default_factory=list)

    def as_json(self) -> dict:
        """Exactly docs/CONTRACTS.md's shape (docs/CONTRACTS.md, "import --json")."""
        return {
            "batch": self.batch,
            "dry_run": self.dry_run,
            "files": self.files,
            "counts": self.counts,
            "errors": [p.as_json() for p in self.errors],
            "warnings": [p.as_json() for p in self.warnings],
        }


def counts_of(parsed: Parsed, counts: dict[str, dict[str, int]], refused: bool) -> dict[str, dict[str, int]]:
    """The counts of each kind the files had, in docs/CONTRACTS.md's order (a refused import created nothing)."""
    if refused:
        counts = {kind: {"created": 0, "updated": 0, "unchanged": 0, "rejected": sum(c.values())}
                  for kind, c in counts.items()}
    return {kind: dict(counts.get(kind) or {"created": 0, "updated": 0, "unchanged": 0, "rejected": 0})
            for kind in KIND_ORDER if kind in parsed.kinds}


def in_file_order(parsed: Parsed, problems: list[FileProblem]) -> list[FileProblem]:
    """Problems by file and sheet (in the order they were read), then by row."""
    order = {}
    for i, src in enumerate(parsed.sources):
        order.setdefault((src.file, src.name), i)
    return sorted(problems, key=lambda p: (order.get((p.file, p.sheet), 0), p.row or 0))


def rejected_sheets(parsed: Parsed, errors: list[FileProblem]) -> list[RejectedSheet]:
    """The rejected rows of every sheet, with what the error workbook needs to lay them out."""
    by_place: dict[tuple[str, str, int], list[FileProblem]] = {}
    for p in errors:
        if p.row is not None:
            by_place.setdefault((p.file, p.sheet, p.row), []).append(p)
    out = []
    for src in parsed.sources:
        h = src.layout.header_row
        rows = []
        for (file, sheet, row), problems in by_place.items():
            if file == src.file and sheet == src.name and row > h + 1:
                rows.append(RejectedRow(row, problems))
        if not rows:
            continue
        rows.sort(key=lambda r: r.row)
        merged = [m for m in src.sheet.merged if m[1][0] <= h]
        columns = {c.header: c.index for c in src.layout.columns}
        for c in src.layout.columns:
            columns.setdefault(c.field.header, c.index)
        out.append(RejectedSheet(src.file, src.path, src.name, [list(r) for r in src.sheet.rows[:h + 1]], merged,
                                 src.sheet.width, columns, rows))
    return out
