"""The audit log: every change records who, when, what (old → new) and from which import batch."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

from sqlalchemy.orm import Session

from povmon import crypto
from povmon.models import AuditLog, Base
from povmon.models.base import utcnow
from povmon.models.sealed import sealed_column


def render(value: object) -> str | None:
    """A value as the audit log stores it (text, exact)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def stored(table: str, field: str | None, value: object) -> str | None:
    """A value as the audit log stores it for that table's field: rendered, and sealed when the field is encrypted
    at rest (an ID number's or a phone's old and new values are no more in clear in the log than in the record)."""
    text = render(value)
    column = sealed_column(table, field)
    return crypto.seal(text, column) if column and text is not None else text


def shown(field: str | None, value: str | None) -> str | None:
    """An audit value as stored, in clear again (a sealed ID number or phone is opened)."""
    if value is None or field is None or not value.startswith(crypto.PREFIX):
        return value
    return crypto.unseal(value, field)


def log(
    session: Session,
    *,
    user: str,
    action: str,
    table: str,
    row_id: int | None,
    field: str | None = None,
    old: object = None,
    new: object = None,
    batch_id: int | None = None,
    note: str | None = None,
    at: dt.datetime | None = None,
) -> AuditLog:
    """Add one audit row."""
    entry = AuditLog(
        at=at or utcnow(), user=user, action=action, table_name=table, row_id=row_id, field=field,
        old_value=stored(table, field, old), new_value=stored(table, field, new), batch_id=batch_id, note=note,
    )
    session.add(entry)
    return entry


def same(old: object, new: object) -> bool:
    """Equality as the register sees it (Decimal 3000 == 3000.00, None == None)."""
    if isinstance(old, Decimal) or isinstance(new, Decimal):
        if old is None or new is None:
            return old is new
        return Decimal(old) == Decimal(new)
    return old == new


def update(
    session: Session,
    record: Base,
    changes: Mapping[str, object],
    *,
    user: str,
    batch_id: int | None = None,
    note: str | None = None,
) -> dict[str, tuple[object, object]]:
    """Set fields on a record and log each one that really changes; returns {field: (old, new)}."""
    changed: dict[str, tuple[object, object]] = {}
    for field, new in changes.items():
        old = getattr(record, field)
        if same(old, new):
            continue
        setattr(record, field, new)
        changed[field] = (old, new)
    if changed:
        session.flush()
        for field, (old, new) in changed.items():
            log(session, user=user, action="update", table=record.__tablename__, row_id=record.id, field=field,
                old=old, new=new, batch_id=batch_id, note=note)
    return changed


def inserted(
    session: Session, record: Base, *, user: str, batch_id: int | None = None, note: str | None = None
) -> None:
    """Log the creation of a record entered by hand (imported records carry their batch instead)."""
    session.flush()
    log(session, user=user, action="insert", table=record.__tablename__, row_id=record.id, batch_id=batch_id, note=note)
