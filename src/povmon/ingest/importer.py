"""One import, as stages: read and clean the files, look up the register, check, plan, write, report.

    lock ─► parse (read, layout, clean: ingest.read, .layout, .clean) ─► validate (across rows, no database)
         ─► lookup (what the register holds: ingest.lookup) ─► check (the rules that need it: ingest.check)
         ─► plan (insert, update, leave: ingest.plan) ─► write (bulk, per dialect: ingest.write) ─► report

Each stage hands the next an explicit value: ``Parsed`` → ``Register`` → ``Checked`` → ``Plan`` → the batch id →
``ImportResult`` (docs/ARCHITECTURE.md draws them). ``import_files(session, paths, options)`` is what the CLI and
the demo call. It never commits: the caller commits on success, or rolls back for a dry run or a refusal
(``result.refused`` under ``strict``).
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from povmon.errors import PovmonError
from povmon.ingest import lock, validate
from povmon.ingest import write as writer
from povmon.ingest.check import Scope, check
from povmon.ingest.clean import Parsed, SheetReader, Source
from povmon.ingest.columns import Mapping
from povmon.ingest.layout import detect
from povmon.ingest.lookup import lookup
from povmon.ingest.plan import plan
from povmon.ingest.read import read_book
from povmon.ingest.report import ImportResult, RejectedRow, RejectedSheet, counts_of, in_file_order, rejected_sheets
from povmon.models.base import utcnow
from povmon.services import access

__all__ = ["ImportOptions", "ImportResult", "Progress", "RejectedRow", "RejectedSheet", "import_files",
           "parse_files"]

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
    scope: Scope | None = None  # whose households may be written (default: the session's actor, services.access)


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
    with _no_cyclic_gc():
        parsed, books = parse_files(paths, options)
        try:
            return _import(session, parsed, books, options)
        except OperationalError as exc:
            if lock.is_busy(exc):  # another writer held the database past the wait: never the --db address's fault
                raise lock.ImportBusy() from exc
            raise


@contextmanager
def _no_cyclic_gc():
    """No cyclic garbage collection while importing (issue 18).

    An import allocates millions of objects (cells, records, rows) that live until it ends; the collector would
    walk all of them again and again (a tenth of the import's time at 60,000 rows, more the larger the file) to
    find almost no cycles. Reference counting still frees everything else at once; the collector is switched back
    on afterwards, as it was."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _import(session: Session, parsed: Parsed, books: list, options: ImportOptions) -> ImportResult:
    access.require(session, "import")
    scope = options.scope or access.actor_of(session)
    lock.take(session)
    validate.duplicate_ids(parsed)
    validate.duplicate_cadres(parsed)
    validate.duplicate_incomes(parsed)
    register = lookup(session, parsed)
    checked = check(parsed, register, as_of=options.as_of, create_areas=options.create_areas,
                    progress=options.progress, scope=scope)
    parsed.problems.errors.extend(validate.reject(parsed))
    errors = in_file_order(parsed, parsed.problems.errors)
    warnings = in_file_order(parsed, parsed.problems.warnings)
    refused = bool(options.strict and errors)
    now = utcnow()
    planned = plan(parsed, register, checked, user=options.user, as_of=options.as_of, now=now,
                   progress=options.progress)
    batch = None
    if not refused and not planned.empty():
        batch = writer.write(session, planned, user=options.user, now=now, progress=options.progress)
    counts = counts_of(parsed, planned.counts, refused)
    if batch is not None:
        files = [{"name": b.name, "sha256": b.sha256, "size": b.size} for b in books]
        writer.finish(session, batch, files=files, counts=counts, errors=len(errors), warnings=len(warnings),
                      as_of=options.as_of, options={"dry_run": options.dry_run, "strict": options.strict,
                                                    "create_areas": options.create_areas,
                                                    "mapping": options.mapping_file})
    return ImportResult(
        batch=None if options.dry_run else batch,
        dry_run=options.dry_run,
        files=[b.name for b in books],
        counts=counts,
        errors=errors,
        warnings=warnings,
        refused=refused,
        rows_read=parsed.rows_read,
        rejected=rejected_sheets(parsed, errors),
    )
