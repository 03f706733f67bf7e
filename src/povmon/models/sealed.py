"""Column types of the values encrypted at rest (povmon.crypto): phones (``Sealed``) and ID numbers (``SealedId``).

Python sees the clear value; the database holds ``v1:…`` ciphertext. An ID number column has a keyed-hash column
beside it (``id_hash``): ``==``, ``!=``, ``in_`` and ``not_in`` on the ID column — against a value, a list, or another
ID column (a join) — compare the hashes instead (the comparator below), so the code that looks people up by ID
number reads as before. The hash is kept in step on the ORM side (an attribute event), by a column default for Core
inserts, and by ``add_hashes`` for the importer's bulk rows.
"""

from __future__ import annotations

import functools

from sqlalchemy import ColumnElement, String, Text, event
from sqlalchemy.orm import Mapper, Session
from sqlalchemy.sql import operators
from sqlalchemy.sql.expression import ClauseElement
from sqlalchemy.types import TypeDecorator

from povmon import crypto

HASH_TYPE = String(64)


class Sealed(TypeDecorator):
    """Text encrypted with the county key (AES-256-GCM, the column's name as associated data)."""

    impl = Text
    cache_ok = True

    def __init__(self, column: str):
        super().__init__()
        self.column = column

    def process_bind_param(self, value, dialect):
        return crypto.seal(value, self.column)

    def process_result_value(self, value, dialect):
        return crypto.unseal(value, self.column)

    def copy(self, **kw):
        return self.__class__(self.column)


class SealedId(Sealed):
    """An ID number, sealed, whose comparisons use its keyed hash in the column ``hash_column`` of the same table."""

    cache_ok = True

    def __init__(self, column: str = "id_number", hash_column: str = "id_hash"):
        super().__init__(column)
        self.hash_column = hash_column

    def copy(self, **kw):
        return self.__class__(self.column, self.hash_column)

    class comparator_factory(Sealed.Comparator):
        def hashed(self) -> ColumnElement:
            table = getattr(self.expr, "table", None)
            if table is None or self.type.hash_column not in table.c:
                raise TypeError(f"{self.expr} is an encrypted ID column without its hash beside it")
            return table.c[self.type.hash_column]

        def operate(self, op, *other, **kwargs):
            if op in (operators.eq, operators.ne) and other[0] is not None:
                return op(self.hashed(), _hashed_side(other[0]))
            if op in (operators.in_op, operators.not_in_op):
                if isinstance(other[0], ClauseElement) or hasattr(other[0], "__clause_element__"):
                    raise TypeError("an encrypted ID column's in_() takes values; for a subquery compare id_hash")
                return op(self.hashed(), [crypto.id_hash(v) for v in other[0]])
            if op in _MEANINGLESS:
                raise TypeError(f"{op.__name__} cannot work on an encrypted ID column: do it in Python")
            return super().operate(op, *other, **kwargs)

        def reverse_operate(self, op, other, **kwargs):
            if op in (operators.eq, operators.ne) and other is not None:
                return op(_hashed_side(other), self.hashed())
            return super().reverse_operate(op, other, **kwargs)


# what ciphertext cannot answer in SQL (ordering by it still "works" but sorts nonsense: do not)
_MEANINGLESS = frozenset({operators.lt, operators.le, operators.gt, operators.ge, operators.like_op,
                          operators.not_like_op, operators.ilike_op, operators.not_ilike_op, operators.startswith_op,
                          operators.endswith_op, operators.contains_op, operators.between_op})


def _hashed_side(other):
    """The other side of a comparison, hashed: another ID column's hash column, or a value's keyed hash."""
    element = other.__clause_element__() if hasattr(other, "__clause_element__") else other
    if isinstance(element, ColumnElement):
        if isinstance(element.type, SealedId):
            return element.comparator.hashed()
        raise TypeError(f"an encrypted ID column can be compared with a value or another ID column, not {element}")
    return crypto.id_hash(element)


def hash_default(column: str):
    """A column default for the hash column: the keyed hash of the row's ID number (Core inserts)."""
    def default(context):
        return crypto.id_hash(context.get_current_parameters().get(column))
    return default


def hashed_columns(table) -> list[tuple[str, str]]:
    """(ID column, hash column) pairs of a table."""
    return [(c.name, c.type.hash_column) for c in table.columns if isinstance(c.type, SealedId)]


def add_hashes(table, rows: list[dict]) -> None:
    """Fill the hash column of rows about to be inserted in bulk (the importer's executemany and COPY paths)."""
    for column, hash_column in hashed_columns(table):
        if rows and column in rows[0]:
            for row in rows:
                row[hash_column] = crypto.id_hash(row[column])


def sealed_column(table_name: str, field: str | None) -> str | None:
    """The associated-data name when ``table.field`` is encrypted at rest (for copies such as the audit log)."""
    from povmon.models.base import Base

    table = Base.metadata.tables.get(table_name)
    if table is None or field is None or field not in table.c:
        return None
    column_type = table.c[field].type
    return column_type.column if isinstance(column_type, Sealed) else None


def _set_hash(hash_key: str, target, value, _old, _initiator):
    setattr(target, hash_key, crypto.id_hash(value))


@event.listens_for(Mapper, "mapper_configured")
def _keep_hashes(mapper: Mapper, cls) -> None:
    """Setting an ID number on an object sets its hash too (ORM inserts and updates)."""
    for prop in mapper.column_attrs:
        column = prop.columns[0]
        if isinstance(getattr(column, "type", None), SealedId):
            hash_prop = mapper.get_property_by_column(column.table.c[column.type.hash_column])
            event.listen(getattr(cls, prop.key), "set", functools.partial(_set_hash, hash_prop.key))


_CHECKED = "povmon_county_key"


def check_fingerprint(conn, *, write: bool = True) -> str | None:
    """Refuse a key that is not this database's (WrongKey); a database without a fingerprint yet gets the key's.

    Returns the stored fingerprint (None: none stored and ``write`` is False). Remembered per connection."""
    from sqlalchemy import insert, select

    from povmon.models.audit import CountyKey
    from povmon.models.base import utcnow

    mine = crypto.fingerprint()
    if conn.info.get(_CHECKED) == mine:
        return mine
    table = CountyKey.__table__
    if not conn.dialect.has_table(conn, table.name):
        return None  # a database before the migration that encrypts (0010_encrypt_pii)
    stored = conn.execute(select(table.c.fingerprint)).scalars().all()
    if not stored:
        if not write or not _may_insert(conn, table.name):
            return None  # a login that may not write it (a cadre's, an auditor's): the first writer who may does
        conn.execute(insert(table).values(fingerprint=mine, created_at=utcnow()))
        return mine  # not remembered: the transaction may yet roll back
    if mine not in stored:
        raise crypto.WrongKey(crypto.WRONG_KEY)
    conn.info[_CHECKED] = mine
    return mine


def _may_insert(conn, table: str) -> bool:
    if conn.dialect.name != "postgresql":
        return True
    from sqlalchemy import text

    return bool(conn.execute(text("SELECT has_table_privilege(:t, 'INSERT')"), {"t": table}).scalar())


@event.listens_for(Session, "before_commit")
def _one_key(session: Session) -> None:
    """Nothing is committed under a key that is not the database's (once this process has used a key)."""
    if crypto.loaded() is not None:
        check_fingerprint(session.connection())
