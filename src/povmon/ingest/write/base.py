"""The bulk path any database has: multi-row INSERTs through SQLAlchemy, with RETURNING for new ids.

The dialect modules beside this one (sqlite, postgresql) replace ``insert_rows`` with a faster path of their own;
what they share — chunks, the progress of the writing, the ids in the order of the rows — lives here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from povmon.models.sealed import add_hashes

WRITE_CHUNK = 5000  # rows per executemany
Progress = Callable[[str, int, int], None]


def convert_column(values: Sequence, processor: Callable) -> list:
    """One column's values through its bind processor, each distinct value once (issue 18: by columns).

    created_at, batch_id, dates and amounts repeat down a column, so converting the distinct values and mapping
    the column through them costs a fraction of a call per row. Values that cannot be hashed (JSON) are
    converted one by one. Equal values convert alike for every type written here (5 and Decimal("5.00") are the
    same amount; a date never equals a datetime)."""
    try:
        memo = {value: processor(value) for value in set(values)}
    except TypeError:
        return [processor(value) for value in values]
    return list(map(memo.__getitem__, values))


class BulkWriter:
    """Inserts many rows of a table; with ``returning`` the new ids come back in the order of the rows."""

    def __init__(self, session: Session, total: int, progress: Progress | None = None):
        self.session = session
        self.total = total
        self.written = 0
        self.progress = progress

    def advance(self, rows: int) -> None:
        """Count rows written and report the progress, when someone listens."""
        self.written += rows
        if self.progress is not None:
            self.progress("写入", self.written, self.total)

    def insert(self, table: Table, rows: list[dict], *, returning: bool = False) -> list[int]:
        """Insert the rows (nothing for none); their new ids when asked."""
        if not rows:
            return []
        add_hashes(table, rows)  # the ID numbers' keyed hashes (the ID numbers are sealed by their column type)
        return self.insert_rows(table, rows, returning)

    def insert_rows(self, table: Table, rows: list[dict], returning: bool) -> list[int]:
        ids: list[int] = []
        for i in range(0, len(rows), WRITE_CHUNK):
            chunk = rows[i:i + WRITE_CHUNK]
            if returning:
                result = self.session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), chunk)
                ids.extend(r[0] for r in result)
            else:
                self.session.execute(insert(table), chunk)
            self.advance(len(chunk))
        return ids

    def done(self) -> None:
        """Everything is written: the progress says so."""
        if self.progress is not None:
            self.progress("写入", self.total, self.total)

    def close(self) -> None:
        """Undo what the writer set on the connection for its work (nothing here)."""
