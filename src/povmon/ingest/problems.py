"""Problems found in an import, kept as data: where (file, sheet, Excel row, column), what (value, code), and
a message in Chinese that tells the clerk what to do. Errors reject a household; warnings only inform."""

from __future__ import annotations

from dataclasses import dataclass

from povmon.rules.text import shown

__all__ = ["ERROR_CODES", "WARNING_CODES", "Problem", "shown"]

ERROR_CODES = frozenset({
    "id_format", "id_checksum", "id_birthdate", "id_as_number", "id_duplicate_in_file", "id_in_other_household",
    "required_missing", "bad_value", "bad_number", "bad_date", "orphan_member", "no_head", "multiple_heads",
    "unknown_area", "unknown_reference", "household_rejected",
})
WARNING_CODES = frozenset({"size_mismatch", "column_ignored", "id_area", "sex_mismatch"})


@dataclass(frozen=True, slots=True)
class Problem:
    """One error or warning at a place in a file (``row`` is the row number Excel shows)."""

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
        """The JSON shape of CONTRACTS.md."""
        return {"file": self.file, "sheet": self.sheet, "row": self.row, "column": self.column,
                "value": self.value, "code": self.code, "message": self.message}

