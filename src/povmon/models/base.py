"""Declarative base, naming convention and the column kinds every ledger shares."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Annotated

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    and_,
    or_,
)
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column
from sqlalchemy.types import TypeDecorator

from povmon.rules import dates

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

FEN = Decimal("0.01")


def utcnow() -> dt.datetime:
    """Now, in UTC, without tzinfo (stored the same way on SQLite and PostgreSQL)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Fixed2(TypeDecorator):
    """An exact amount with two decimals (yuan, mu), always a Decimal in Python.

    PostgreSQL stores NUMERIC(14, 2). SQLite has no exact decimal type (NUMERIC becomes a float),
    so there the value is stored as an integer count of hundredths: sums in SQL stay exact.
    """

    impl = Numeric(14, 2)
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(14, 2, asdecimal=True))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if not isinstance(value, Decimal):
            if isinstance(value, float):
                raise TypeError("amounts must be Decimal or int, never float")
            value = Decimal(value)
        value = value.quantize(FEN, rounding=ROUND_HALF_UP)
        if dialect.name == "sqlite":
            return int(value * 100)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if dialect.name == "sqlite":
            if isinstance(value, float):  # an aggregate such as AVG: round back to fen
                return (Decimal(repr(value)) / 100).quantize(FEN, rounding=ROUND_HALF_UP)
            return (Decimal(int(value)) / 100).quantize(FEN)
        return Decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)


intpk = Annotated[int, mapped_column(Integer, primary_key=True)]
money = Annotated[Decimal, mapped_column(Fixed2(), nullable=False, default=Decimal("0"))]
money_opt = Annotated[Decimal | None, mapped_column(Fixed2(), nullable=True)]
timestamp = Annotated[dt.datetime, mapped_column(DateTime(), nullable=False, default=utcnow)]
code = Annotated[str, mapped_column(String(32))]
code_opt = Annotated[str | None, mapped_column(String(32), nullable=True)]
name = Annotated[str, mapped_column(String(100))]
text_opt = Annotated[str | None, mapped_column(Text, nullable=True)]


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Provenance:
    """Where a record came from: its import batch and its place in the source file, or a user's entry."""

    @declared_attr
    def batch_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("import_batch.id", ondelete="SET NULL"), nullable=True, index=True)

    source_file: Mapped[str | None] = mapped_column(String(255), nullable=True)
    source_sheet: Mapped[str | None] = mapped_column(String(100), nullable=True)
    source_row: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[timestamp]
    created_by: Mapped[str | None] = mapped_column(String(100), nullable=True)


class Stint:
    """A record that holds from ``start_on`` (inclusive) to ``end_on`` (exclusive, None: still holds): a pairing,
    a team's term, a member's stint in a team, a job. One ``active_on`` for all, in Python (rules.dates) and SQL."""

    if TYPE_CHECKING:  # the columns are each model's own (their comments differ)
        start_on: Mapped[dt.date]
        end_on: Mapped[dt.date | None]

    @hybrid_method
    def active_on(self, day: dt.date) -> bool:
        """Whether it holds on a day (rules.dates.active_on)."""
        return dates.active_on(self.start_on, self.end_on, day)

    @active_on.inplace.expression
    @classmethod
    def _active_on_sql(cls, day: dt.date) -> ColumnElement[bool]:
        return and_(cls.start_on <= day, or_(cls.end_on.is_(None), cls.end_on > day))
