"""Cadres (干部): add one, find one by ID number or name, list them with their pairings."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from povmon.models import Area, Cadre, Pairing
from povmon.rules import checks, idcard, records
from povmon.rules.checks import Problem
from povmon.rules.vocab import CADRE_ROLE
from povmon.services import areas, lookup
from povmon.services.entry import Cleaner, Outcome, Refused, insert
from povmon.services.fields import column


def add(
    session: Session, *, name: object, id_number: object, unit: object = None, post: object = None,
    phone: object = None, role: object = None, village: str | Area | None = None, note: object = None, user: str,
) -> Outcome:
    """Register a cadre (帮扶责任人 by default; 第一书记, 工作队长, 工作队员), maybe stationed in a village."""
    clean = Cleaner()
    cadre_name = clean.field(column("cadre", "name"), name)
    number = clean.field(column("cadre", "id_number"), id_number)
    values = {
        "unit": clean.field(column("cadre", "unit"), unit),
        "post": clean.field(column("cadre", "post"), post),
        "phone": clean.field(column("cadre", "phone"), phone),
        "role": clean.field(column("cadre", "role"), role) or "responsible",
        "note": clean.field(column("household", "note"), note),  # a note, as the importer reads any 备注
    }
    if number:
        taken = session.scalar(select(Cadre).where(Cadre.id_number == number))
        if taken is not None:
            clean.problems.append(Problem(
                "bad_value", f"身份证号 {idcard.mask(number)} 已登记为干部 {taken.name}；不必重复登记", "身份证号"))
    station = None
    if isinstance(village, Area):
        station = village
    elif village is not None and str(village).strip():
        try:
            station = areas.find(session, str(village), "village")
        except Refused as exc:
            clean.add(exc.problems)
    clean.check()
    outcome = Outcome(warnings=list(clean.warnings))
    row = records.new_cadre({"name": cadre_name, "id_number": number, **values})  # as an imported cadre's row
    cadre = Cadre(village=station, **row | {"note": values["note"]})
    insert(session, outcome, cadre, user=user)
    return outcome


def find(session: Session, value: str) -> Cadre:
    """The cadre meant by an ID number or a name (a name shared by several cadres is refused)."""
    raw = (value or "").strip()
    number = idcard.normalize(raw)
    if len(number) == 18 and number[:17].isdigit():
        cadre = session.scalar(select(Cadre).where(Cadre.id_number == number))
        if cadre is None:
            raise Refused(checks.reference("帮扶干部", idcard.mask(number) or raw, 0))
        return cadre
    found = list(session.scalars(select(Cadre).where(Cadre.name == raw).order_by(Cadre.id)))
    problems = checks.reference(
        "帮扶干部", raw, len(found), [f"{c.unit or ''} {idcard.mask(c.id_number)}".strip() for c in found])
    if problems:
        raise Refused(problems)
    return found[0]


def listing(session: Session, as_of: dt.date, village: str | None = None) -> list[dict]:
    """Cadres with their role, unit and the households they are paired with on a day."""
    query = select(Cadre).options(selectinload(Cadre.village)).order_by(Cadre.id)
    if village:
        place = lookup.find_area(session, village, "village")  # a name read (services.lookup)
        query = query.where(Cadre.village_id == place.id)
    cadres = list(session.scalars(query))
    pairings = session.scalars(
        select(Pairing).where(Pairing.cadre_id.in_([c.id for c in cadres])).options(selectinload(Pairing.household))
    ).all() if cadres else []
    paired: dict[int, list[str]] = {}
    for p in pairings:
        if p.active_on(as_of):
            paired.setdefault(p.cadre_id, []).append(p.household.code)
    return [
        {"name": c.name, "id_number": idcard.mask(c.id_number), "role": CADRE_ROLE.label(c.role), "unit": c.unit,
         "post": c.post, "village": c.village.name if c.village else None,
         "households": sorted(paired.get(c.id, []))}
        for c in cadres
    ]
