"""Spreadsheet import: read (python-calamine) → map headers (columns, layout) → clean → validate → load.

The entry point is ``import_files(session, paths, options) -> ImportResult``; ``template.write`` writes the
import template; ``errors_book.write`` writes the rejected rows back in their file's layout.
"""

from povmon.ingest.importer import ImportOptions, ImportResult, import_files
from povmon.ingest.problems import Problem

__all__ = ["ImportOptions", "ImportResult", "Problem", "import_files"]
