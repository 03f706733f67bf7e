"""SQLite's bulk path: the driver's executemany, with values converted by the columns' own bind processors.

SQLAlchemy's per-row parameter handling costs more than SQLite's insert itself at this scale. New ids follow the
table's largest id: the batch row written first holds SQLite's write lock, so no other writer can take them in
between. The import's connection gets a bigger page cache while it inserts (ID-number indexes take keys in random
order and a large import spends most of its time in their B-trees); ``close`` gives the old size back.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import itemgetter

from sqlalchemy import Boolean, Table, func, select
from sqlalchemy.orm import Session

from povmon.ingest.write.base import WRITE_CHUNK, BulkWriter, Progress, convert_column

CACHE_KIB = 65536


class SqliteWriter(BulkWriter):
    """executemany on the session's own DB-API connection (so inside the same transaction)."""

    def __init__(self, session: Session, total: int, progress: Progress | None = None):
        super().__init__(session, total, progress)
        self.raw = session.connection().connection.dbapi_connection
        self.cache_size = self.raw.execute("PRAGMA cache_size").fetchone()[0]
        self.raw.execute(f"PRAGMA cache_size=-{CACHE_KIB}")

    def close(self) -> None:
        self.raw.execute(f"PRAGMA cache_size={self.cache_size}")

    def insert_rows(self, table: Table, rows: list[dict], returning: bool) -> list[int]:
        dialect = self.session.get_bind().dialect
        ids: list[int] = []
        if returning:
            start = self.session.execute(select(func.max(table.c.id))).scalar() or 0
            ids = list(range(start + 1, start + 1 + len(rows)))
            for row, new_id in zip(rows, ids, strict=True):
                row["id"] = new_id
        names = [c.name for c in table.columns if c.name in rows[0]]
        processors: dict[str, Callable] = {}
        for name in names:
            column_type = table.c[name].type
            if isinstance(column_type, Boolean):
                continue  # sqlite3 stores Python's True/False as 1/0 itself
            processor = column_type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                processors[name] = processor
        quoted = ", ".join(f'"{n}"' for n in names)
        sql = f'INSERT INTO "{table.name}" ({quoted}) VALUES ({", ".join("?" * len(names))})'
        cursor = self.raw.cursor()
        try:
            values_of = itemgetter(*names) if len(names) > 1 else lambda row: (row[names[0]],)
            converting = [(j, processors[name]) for j, name in enumerate(names) if name in processors]
            for i in range(0, len(rows), WRITE_CHUNK):
                chunk = rows[i:i + WRITE_CHUNK]
                params = list(map(values_of, chunk))
                if converting:  # column by column: each column converted as a whole
                    columns = list(zip(*params, strict=True))
                    for j, processor in converting:
                        columns[j] = convert_column(columns[j], processor)
                    params = zip(*columns, strict=True)
                cursor.executemany(sql, params)
                self.advance(len(chunk))
        finally:
            cursor.close()
        return ids
