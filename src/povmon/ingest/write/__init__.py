"""Stage 5 of an import, write: the plan into the register, in the caller's transaction, in bulk.

The order follows the references: the batch row, the new areas, households (numbered in their village when
the file has no 户编号), members, incomes and events, cadres, policies, then pairings, benefits, measures and
visits, and last the changed fields with one audit row each (who, when, old → new, the batch). New records go
in through the dialect's bulk path (``bulk_writer``: one module per dialect); the ids a later record needs are
filled into the planned records' slots. Nothing here commits: the caller owns the transaction.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from povmon import crypto
from povmon.ingest.lookup import CADRE, HOUSEHOLD, MEMBER, OTHER_TABLES, POLICY, fetch
from povmon.ingest.plan import NewHousehold, NewRecord, Plan, resolve, rows_of
from povmon.ingest.write.base import WRITE_CHUNK, BulkWriter
from povmon.models import Area, AuditLog, HouseholdEvent, ImportBatch, Income
from povmon.models.base import utcnow
from povmon.models.sealed import hashed_columns
from povmon.services.audit import same, stored

AREA = Area.__table__
AUDIT = AuditLog.__table__
BATCH = ImportBatch.__table__
Progress = Callable[[str, int, int], None]


def bulk_writer(session: Session, total: int, progress: Progress | None) -> BulkWriter:
    """The bulk path of the session's database: SQLite's executemany, PostgreSQL's COPY, else INSERTs."""
    name = session.get_bind().dialect.name
    if name == "sqlite":
        from povmon.ingest.write.sqlite import SqliteWriter
        return SqliteWriter(session, total, progress)
    if name == "postgresql":
        from povmon.ingest.write.postgresql import CopyWriter
        return CopyWriter(session, total, progress)
    return BulkWriter(session, total, progress)


def write(session: Session, plan: Plan, *, user: str, now: dt.datetime, progress: Progress | None = None) -> int:
    """Write the plan; returns the new batch's id (see the module docstring)."""
    bulk = bulk_writer(session, plan.size(), progress)
    try:
        batch_id = session.execute(insert(BATCH).returning(BATCH.c.id), [{
            "files": [], "file_name": "", "sha256": "", "user": user, "started_at": now,
        }]).scalar_one()
        _areas(session, plan, now)
        _households(session, bulk, plan, batch_id)
        bulk.insert(MEMBER, rows_of(plan.members, batch_id))
        bulk.insert(Income.__table__, rows_of(plan.incomes, batch_id))
        bulk.insert(HouseholdEvent.__table__, rows_of(plan.events, batch_id))
        _cadres(bulk, plan, batch_id)
        _policies(bulk, plan)
        _others(session, bulk, plan, batch_id)
        _updates(session, bulk, plan, user=user, now=now, batch_id=batch_id)
        bulk.done()
    finally:
        bulk.close()
    return batch_id


def finish(session: Session, batch_id: int, *, files: list[dict], counts: dict, errors: int, warnings: int,
           as_of: dt.date, options: dict) -> None:
    """Complete the batch row: its files, counts, options and when it finished."""
    session.execute(update(BATCH).where(BATCH.c.id == batch_id).values(
        files=files, file_name=", ".join(f["name"] for f in files),
        sha256=", ".join(f["sha256"] for f in files), finished_at=utcnow(), as_of=as_of,
        options=options, counts=counts, error_count=errors, warning_count=warnings))


def _areas(session: Session, plan: Plan, now: dt.datetime) -> None:
    """New areas one by one, parents first (a county has a few hundred at most)."""
    for node in plan.areas:
        node.id = session.execute(insert(AREA).returning(AREA.c.id), [{
            "level": node.level, "name": node.name, "code": node.code,
            "parent_id": node.parent.id if node.parent else None, "created_at": now}]).scalar_one()


def _households(session: Session, bulk: BulkWriter, plan: Plan, batch_id: int) -> None:
    if not plan.households:
        return
    _number(session, plan.households)
    rows = []
    for item in plan.households:
        row = item.row
        row["village_id"] = item.village.id if item.village is not None else None
        row["batch_id"] = batch_id
        row["code"] = item.code
        rows.append(row)
    for item, new_id in zip(plan.households, bulk.insert(HOUSEHOLD, rows, returning=True), strict=True):
        item.slot.id = new_id


def _number(session: Session, households: list[NewHousehold]) -> None:
    """户编号 for new households of a roster that has none: the village's code and a running number."""
    needing = [h for h in households if h.code is None]
    numbers: dict[str, int] = {}
    for item in needing:
        village = item.village
        prefix = village.code if village is not None and village.code else f"V{village.id if village else 0}-"
        if prefix not in numbers:
            taken = [c for (c,) in session.execute(
                select(HOUSEHOLD.c.code).where(HOUSEHOLD.c.code.like(prefix + "%")))]
            taken += [h.code for h in households if h.code and h.code.startswith(prefix)]
            found = [int(c[len(prefix):]) for c in taken if c[len(prefix):].isdigit()]
            numbers[prefix] = max(found, default=0)
        numbers[prefix] += 1
        item.code = f"{prefix}{numbers[prefix]:04d}"


def _cadres(bulk: BulkWriter, plan: Plan, batch_id: int) -> None:
    if not plan.cadres:
        return
    rows = []
    for item in plan.cadres:
        row = item.row
        row["village_id"] = item.village.id if item.village is not None else None
        row["batch_id"] = batch_id
        rows.append(row)
    for item, new_id in zip(plan.cadres, bulk.insert(CADRE, rows, returning=True), strict=True):
        item.slot.id = new_id


def _policies(bulk: BulkWriter, plan: Plan) -> None:
    if not plan.policies:
        return
    items = list(plan.policies.values())
    for item, new_id in zip(items, bulk.insert(POLICY, [i.row for i in items], returning=True), strict=True):
        item.slot.id = new_id


def _others(session: Session, bulk: BulkWriter, plan: Plan, batch_id: int) -> None:
    """Pairings, benefits, measures and visits with the ids of their household, cadre, policy and member."""
    member_of = dict(plan.member_ids)
    benefits = plan.others["benefit"]
    if benefits:
        # members created by this import, for benefits that name one
        wanted = {item.member for item in benefits} - {None}
        for row in fetch(session, lambda keys: select(MEMBER.c.id, MEMBER.c.household_id, MEMBER.c.id_number)
                         .where(MEMBER.c.id_number.in_(keys)), wanted):
            member_of[(row.household_id, row.id_number)] = row.id
    for level, table in OTHER_TABLES.items():
        bulk.insert(table, [_other_row(item, batch_id, member_of) for item in plan.others[level]])


def _other_row(item: NewRecord, batch_id: int, member_of: dict[tuple[int, str], int]) -> dict:
    row = item.row
    row["household_id"] = item.household.id
    row["batch_id"] = batch_id
    if item.level == "benefit":
        row["policy_id"] = item.policy.id
        row["member_id"] = member_of.get((item.household.id, item.member)) if item.member else None
    else:
        row["cadre_id"] = item.cadre.id if item.cadre is not None else None
    return row


def _updates(session: Session, bulk: BulkWriter, plan: Plan, *, user: str, now: dt.datetime,
             batch_id: int) -> None:
    """Changed fields, grouped by table and set of fields (one executemany each), and their audit rows."""
    groups: dict[tuple, list[dict]] = defaultdict(list)
    tables = {}
    audit: list[dict] = []
    for change in plan.updates:
        params = {"_id": change.id}
        for name, (old, value) in change.changes.items():
            new = resolve(value)
            if new is not value and same(old, new):
                continue  # a planned area or cadre that turned out to be the one the row already has
            params[name] = new
            table_name = change.table.name
            audit.append({"at": now, "user": user, "action": "update", "table_name": table_name,
                          "row_id": change.id, "field": name, "old_value": stored(table_name, name, old),
                          "new_value": stored(table_name, name, new), "batch_id": batch_id, "note": None})
        for column, hash_column in hashed_columns(change.table):
            if column in params:  # a changed ID number: its keyed hash with it
                params[hash_column] = crypto.id_hash(params[column])
        if len(params) > 1:
            tables[change.table.name] = change.table
            groups[(change.table.name, tuple(sorted(k for k in params if k != "_id")))].append(params)
    for (name, keys), rows in groups.items():
        table = tables[name]
        stmt = update(table).where(table.c.id == bindparam("_id")).values(
            {table.c[k]: bindparam(k, type_=table.c[k].type) for k in keys})
        for i in range(0, len(rows), WRITE_CHUNK):
            session.execute(stmt, rows[i:i + WRITE_CHUNK])
            bulk.advance(len(rows[i:i + WRITE_CHUNK]))
    for i in range(0, len(audit), WRITE_CHUNK):
        session.execute(insert(AUDIT), audit[i:i + WRITE_CHUNK])
