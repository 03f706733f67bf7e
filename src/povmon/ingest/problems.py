"""Problems found in an import, kept as data: where (file, sheet, Excel row, column), what (value, code), and
a message in Chinese that tells the clerk what to do. Errors reject a household; warnings only inform.

A ``FileProblem`` is a rules.checks ``Problem`` (code and message, the same as data entry's) placed in a file:
the importer records one for each problem a rule returns, at the row and column it came from."""

from __future__ import annotations

from dataclasses import dataclass

from povmon.rules.text import shown

__all__ = ["ERROR_CODES", "WARNING_CODES", "FileProblem", "shown"]

ERROR_CODES = frozenset({
    "id_format", "id_checksum", "id_birthdate", "id_as_number", "id_duplicate_in_file", "id_in_other_household",
    "required_missing", "bad_value", "bad_number", "bad_date", "orphan_member", "no_head", "multiple_heads",
    "unknown_area", "area_suspect", "status_transition", "unknown_reference", "household_rejected",
})
WARNING_CODES = frozenset({"size_mismatch", "column_ignored", "id_area", "sex_mismatch"})


@dataclass(frozen=True, slots=True)
class FileProblem:
    """One error or warning at a place in a file (``row`` is the row number Excel shows; docs/CONTRACTS.md)."""

    file: str
    sheet: str
    row: int | None
    column: str | None
    value: str | None
    code: str
    message: str

    @property
    def is_warning(self) -> bool:
        return self.code in WARNING_CODES

    def as_json(self) -> dict:
        """The JSON shape of docs/CONTRACTS.md."""
        return {"file": self.file, "sheet": self.sheet, "row": self.row, "column": self.column,
                "value": self.value, "code": self.code, "message": self.message}

