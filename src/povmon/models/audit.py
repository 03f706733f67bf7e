"""Import batches, the audit log and the auditors' month closes."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from povmon.models.base import Base, intpk, text_opt, timestamp


class ImportBatch(Base):
    """One committed import: its files (name and sha256), who ran it, when, and what it counted."""

    __tablename__ = "import_batch"

    id: Mapped[intpk]
    files: Mapped[list] = mapped_column(JSON)  # [{"name": ..., "sha256": ..., "size": ...}]
    file_name: Mapped[str] = mapped_column(Text)  # the names joined, for listings
    sha256: Mapped[str] = mapped_column(Text)  # the digests joined, in the same order
    user: Mapped[str] = mapped_column(String(100))
    started_at: Mapped[timestamp]
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(), nullable=True)
    as_of: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    options: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    counts: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    warning_count: Mapped[int] = mapped_column(Integer, default=0)


class AuditLog(Base):
    """Who changed what, when: one row per changed field (old → new), or per inserted/deleted record.

    Records created by an import carry their batch in their own columns; the log holds every later change.
    """

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_table_row", "table_name", "row_id"),)

    id: Mapped[intpk]
    at: Mapped[timestamp]
    user: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(16))  # insert / update / delete / export (e.g. --show-ids)
    table_name: Mapped[str] = mapped_column(String(40))
    row_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    field: Mapped[str | None] = mapped_column(String(40), nullable=True)
    old_value: Mapped[text_opt]
    new_value: Mapped[text_opt]
    batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_batch.id", ondelete="SET NULL"), nullable=True, index=True
    )
    note: Mapped[text_opt]


class CountyKey(Base):
    """The fingerprint of the county key the ID numbers and phones are encrypted with (povmon.crypto).

    Written with the first commit that encrypted something; a commit under any other key is refused, so one
    database never holds values sealed with two keys. One row.
    """

    __tablename__ = "county_key"

    fingerprint: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[timestamp]


class MonthClose(Base):
    """A month's summary as an auditor signed it: the figures, their hash, who and when."""

    __tablename__ = "month_close"

    id: Mapped[intpk]
    month: Mapped[str] = mapped_column(String(7), index=True)  # YYYY-MM
    area: Mapped[str | None] = mapped_column(String(100), nullable=True)  # None = the whole register
    as_of: Mapped[dt.date] = mapped_column(Date)
    figures: Mapped[dict] = mapped_column(JSON)
    sha256: Mapped[str] = mapped_column(String(64))
    user: Mapped[str] = mapped_column(String(100))
    closed_at: Mapped[timestamp]
    note: Mapped[text_opt]
