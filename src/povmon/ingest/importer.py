"""One import: read the files, recognise their sheets, clean, check, and load in the caller's transaction.

``import_files(session, paths, options)`` is what the CLI and the demo call. It never commits: the caller
commits on success, or rolls back for a dry run or a refusal (``result.refused`` under ``strict``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from povmon.errors import PovmonError
from povmon.ingest import validate
from povmon.ingest.clean import Parsed, SheetReader, Source
from povmon.ingest.columns import Mapping
from povmon.ingest.layout import detect
from povmon.ingest.load import Loader
from povmon.ingest.problems import Problem
from povmon.ingest.read import read_book

KIND_ORDER = ("areas", "households", "members", "incomes", "events", "cadres", "pairings", "benefits", "measures",
              "visits")

Progress = Callable[[str, int, int], None]


@dataclass
class ImportOptions:
    """How to import: who, as of when, and the clerk's choices (--dry-run, --strict, --create-areas, --mapping)."""

    user: str = "unknown"
    as_of: dt.date = field(default_factory=dt.date.today)
    dry_run: bool = False
    strict: bool = False
    create_areas: bool = False
    mapping: Mapping | None = None
    mapping_file: str | None = None
    progress: Progress | None = None  # progress(stage, done, total); stages 读取 检查 比对 写入


@dataclass
class RejectedRow:
    row: int  # Excel row
    problems: list[Problem]
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
    """What an import did (or would do): the JSON of CONTRACTS.md plus what the error workbook needs."""

    batch: int | None
    dry_run: bool
    files: list[str]
    counts: dict[str, dict[str, int]]
    errors: list[Problem]
    warnings: list[Problem]
    refused: bool = False
    rows_read: int = 0
    rejected: list[RejectedSheet] = field(default_factory=list)

    def as_json(self) -> dict:
        """Exactly CONTRACTS.md's shape."""
        return {
            "batch": self.batch,
            "dry_run": self.dry_run,
            "files": self.files,
            "counts": self.counts,
            "errors": [p.as_json() for p in self.errors],
            "warnings": [p.as_json() for p in self.warnings],
        }


def parse_files(paths: Sequence[Path], options: ImportOptions) -> tuple[Parsed, list]:
    """Read and clean every file (no database); a file with nothing povmon can read is refused."""
    parsed = Parsed()
    books = []
    progress = options.progress
    for path in paths:
        path = Path(path)
        if progress:
            progress("读取", 0, 0)
        book = read_book(path)
        twin = next((b for b in books if b.sha256 == book.sha256), None)
        if twin is not None:
            raise PovmonError(f"{book.name} 与 {twin.name} 是同一个文件（内容完全相同）；每个文件只需给一次。")
        books.append(book)
        layouts = [(sheet, detect(sheet, options.mapping)) for sheet in book.sheets]
        found = [(sheet, layout) for sheet, layout in layouts if layout is not None]
        if not found:
            raise PovmonError(
                f"{book.name} 中没有能识别的表（表头应有 户编号、姓名、身份证号、与户主关系 等列）；"
                "请用 povmon template 生成的模板填写，或用 --mapping 指明各列对应的标准列名。"
            )
        for sheet, layout in found:
            src = Source(book.name, sheet, layout)
            parsed.sources.append(src)
            total = len(sheet.rows)
            tick = (lambda done, total=total: progress("读取", done, total)) if progress else None
            SheetReader(parsed, src, options.mapping, options.as_of, tick).read()
            # the records hold what is needed now; only the header rows are kept (the error workbook reads
            # rejected rows again from the file), which halves the memory of a big import
            src.path = path
            sheet.rows = sheet.rows[:layout.header_row + 1]
    return parsed, books


def import_files(session: Session, paths: Sequence[Path | str], options: ImportOptions | None = None) -> ImportResult:
    """Import workbooks into the register in the caller's transaction; see the module docstring."""
    options = options or ImportOptions()
    paths = [Path(p) for p in paths]
    parsed, books = parse_files(paths, options)
    validate.duplicate_ids(parsed)
    validate.duplicate_cadres(parsed)
    validate.duplicate_incomes(parsed)
    loader = Loader(session, parsed, user=options.user, as_of=options.as_of, create_areas=options.create_areas,
                    progress=options.progress)
    loader.check()
    parsed.problems.errors.extend(validate.reject(parsed))
    errors = _sorted(parsed, parsed.problems.errors)
    warnings = _sorted(parsed, parsed.problems.warnings)
    refused = bool(options.strict and errors)
    if refused:
        loader.plan_units()
        loader.plan_cadres()
        loader.plan_others()
        loader.count_rejected()
        batch = None
        counts = {kind: {"created": 0, "updated": 0, "unchanged": 0, "rejected": sum(c.values())}
                  for kind, c in loader.counts.items()}
    else:
        batch = loader.write()
        counts = {kind: dict(c) for kind, c in loader.counts.items()}
    counts = {kind: counts.get(kind, {"created": 0, "updated": 0, "unchanged": 0, "rejected": 0})
              for kind in KIND_ORDER if kind in parsed.kinds}
    files = [{"name": b.name, "sha256": b.sha256, "size": b.size} for b in books]
    loader.finish_batch(files, counts, len(errors), len(warnings), {
        "dry_run": options.dry_run, "strict": options.strict, "create_areas": options.create_areas,
        "mapping": options.mapping_file,
    })
    return ImportResult(
        batch=None if options.dry_run else batch,
        dry_run=options.dry_run,
        files=[b.name for b in books],
        counts=counts,
        errors=errors,
        warnings=warnings,
        refused=refused,
        rows_read=parsed.rows_read,
        rejected=_rejected_sheets(parsed, errors),
    )


def _sorted(parsed: Parsed, problems: list[Problem]) -> list[Problem]:
    order = {}
    for i, src in enumerate(parsed.sources):
        order.setdefault((src.file, src.name), i)
    return sorted(problems, key=lambda p: (order.get((p.file, p.sheet), 0), p.row or 0))


def _rejected_sheets(parsed: Parsed, errors: list[Problem]) -> list[RejectedSheet]:
    by_place: dict[tuple[str, str, int], list[Problem]] = {}
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
