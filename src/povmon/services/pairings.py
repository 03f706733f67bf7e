"""Pairings (结对帮扶): pair a cadre with a household, end a pairing, replace a cadre on a date.

History is kept: a pairing is never edited into another. Ending one sets its end date (audited);
replacing a cadre ends each of the old cadre's active pairings on the date and starts a new pairing of
the same household with the new cadre on that same date (end dates are exclusive: models.Pairing.active_on),
so on every day each household has exactly the cadre it had.
Pairing dates may lie ahead (a replacement decided for the first of next month).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from povmon.models import Cadre, Household, Pairing
from povmon.rules.checks import Problem
from povmon.rules.text import clean_text
from povmon.services.entry import Cleaner, Outcome, Refused, change, insert


def _active(session: Session, household: Household, cadre: Cadre, day: dt.date) -> Pairing | None:
    return session.scalar(select(Pairing).where(
        Pairing.household_id == household.id, Pairing.cadre_id == cadre.id, Pairing.active_on(day)))


def _overlapping(session: Session, household: Household, cadre: Cadre, start: dt.date) -> Pairing | None:
    """A pairing of the same cadre and household still open on or after ``start`` (the new one is open-ended)."""
    return session.scalar(select(Pairing).where(
        Pairing.household_id == household.id, Pairing.cadre_id == cadre.id,
        (Pairing.end_on.is_(None)) | (Pairing.end_on > start),
    ))


def pair(session: Session, household: Household, cadre: Cadre, *, start: object, user: str,
         note: str | None = None) -> Outcome:
    """Pair a cadre with a household from a date."""
    clean = Cleaner()
    day = clean.date("结对开始日期", start, future=True)
    clean.check()
    existing = _overlapping(session, household, cadre, day)
    if existing is not None:
        clean.problems.append(Problem(
            "bad_value", f"{cadre.name} 已与户 {household.code} 结对（自 {existing.start_on.isoformat()} 起"
            f"{'' if existing.end_on is None else '至 ' + existing.end_on.isoformat()}）；不必重复结对", "结对"))
    clean.check()
    outcome = Outcome()
    insert(session, outcome, Pairing(household=household, cadre=cadre, start_on=day), user=user, note=clean_text(note))
    return outcome


def end(session: Session, household: Household, cadre: Cadre, *, on: object, reason: str | None, user: str) -> Outcome:
    """End a cadre's pairing with a household on a date (the cadre is no longer paired from that day)."""
    clean = Cleaner()
    day = clean.date("结束日期", on, future=True)
    clean.check()
    current = _active(session, household, cadre, day)
    if current is None:
        raise Refused([Problem(
            "unknown_reference", f"{day.isoformat()} 这天 {cadre.name} 没有与户 {household.code} 结对，无可结束",
            "结对")],
            hint="结对情况见 povmon pair list")
    outcome = Outcome()
    change(session, outcome, current, {"end_on": day, "end_reason": clean_text(reason)}, user=user,
           note=clean_text(reason))
    return outcome


def replace(session: Session, old: Cadre, new: Cadre, *, on: object, reason: str | None, user: str) -> Outcome:
    """Replace a cadre for all their households on a date: old pairings end, new ones start that same day."""
    clean = Cleaner()
    day = clean.date("更换日期", on, future=True)
    if old.id == new.id:
        clean.problems.append(Problem("bad_value", "原干部和新干部是同一人", "干部"))
    clean.check()
    active = [p for p in session.scalars(
        select(Pairing).where(Pairing.cadre_id == old.id).options(selectinload(Pairing.household))
        .order_by(Pairing.id)) if p.active_on(day)]
    if not active:
        raise Refused([Problem("unknown_reference", f"{day.isoformat()} 这天 {old.name} 没有结对的户，无可更换",
                               "结对")])
    why = clean_text(reason) or f"更换帮扶干部：{old.name} → {new.name}"
    outcome = Outcome()
    for pairing in active:
        change(session, outcome, pairing, {"end_on": day, "end_reason": why}, user=user, note=why)
        if _overlapping(session, pairing.household, new, day) is not None:
            outcome.warnings.append(Problem(
                "already_paired", f"{new.name} 已与户 {pairing.household.code} 结对，只结束了 {old.name} 的结对"))
            continue
        insert(session, outcome, Pairing(household=pairing.household, cadre=new, start_on=day), user=user, note=why)
    outcome.facts["households"] = [p.household.code for p in active]
    return outcome


def listing(session: Session, as_of: dt.date, household: Household | None = None, cadre: Cadre | None = None,
            history: bool = False) -> list[dict]:
    """Pairings active on a day (or every pairing ever, with history), by household or cadre."""
    query = select(Pairing).options(selectinload(Pairing.cadre), selectinload(Pairing.household))
    if household is not None:
        query = query.where(Pairing.household_id == household.id)
    if cadre is not None:
        query = query.where(Pairing.cadre_id == cadre.id)
    rows = []
    for p in session.scalars(query.order_by(Pairing.start_on, Pairing.id)):
        if not history and not p.active_on(as_of):
            continue
        rows.append({"id": p.id, "household": p.household.code, "cadre": p.cadre.name, "unit": p.cadre.unit,
                     "from": p.start_on.isoformat(), "to": p.end_on.isoformat() if p.end_on else None,
                     "end_reason": p.end_reason, "active": p.active_on(as_of)})
    return rows
