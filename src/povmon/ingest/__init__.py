"""Spreadsheet import, as stages: lock → parse (read, layout, clean) → validate → lookup → check → plan → write
→ report (docs/ARCHITECTURE.md draws them; ingest.importer runs them).

The entry point is ``import_files(session, paths, options) -> ImportResult``; ``template.write`` writes the
import template; ``errors_book.write`` writes the rejected rows back in their file's layout.
"""

from povmon.ingest.importer import ImportOptions, ImportResult, import_files
from povmon.ingest.problems import FileProblem

Problem = FileProblem  # the name ImportResult's errors had before rules.checks.Problem took it

__all__ = ["FileProblem", "ImportOptions", "ImportResult", "Problem", "import_files"]
