"""Poverty and monitoring lines from the database, over the national lines povmon ships."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from povmon.models import PovertyLine
from povmon.rules import lines as rules
from povmon.services import audit


def all_lines(session: Session) -> list[rules.Line]:
    """Shipped national lines, replaced by any loaded line with the same year, region and kind."""
    merged = {(ln.year, ln.region, ln.kind): ln for ln in rules.shipped()}
    for row in session.scalars(select(PovertyLine)):
        merged[(row.year, row.region, row.kind)] = rules.Line(row.year, row.region, row.kind, row.yuan, row.note)
    return sorted(merged.values(), key=lambda ln: (ln.year, ln.kind, ln.region))


class LineBook:
    """The lines loaded once, then looked up per year without further queries."""

    def __init__(self, session: Session, region: str | None = None):
        self._lines = all_lines(session)
        self._region = region
        self._cache: dict[tuple[int, str], rules.LineValue | None] = {}

    def get(self, year: int, kind: str = "poverty") -> rules.LineValue | None:
        key = (year, kind)
        if key not in self._cache:
            self._cache[key] = rules.resolve(self._lines, year, kind, self._region)
        return self._cache[key]

    def poverty(self, year: int) -> rules.LineValue | None:
        return self.get(year, "poverty")

    def monitoring(self, year: int) -> rules.LineValue | None:
        return self.get(year, "monitoring")


def load(session: Session, lines: Iterable[rules.Line], *, user: str) -> tuple[int, int]:
    """Store a county's lines (insert or update by year, region, kind); returns (created, updated)."""
    created = updated = 0
    existing = {(r.year, r.region, r.kind): r for r in session.scalars(select(PovertyLine))}
    for line in lines:
        row = existing.get((line.year, line.region, line.kind))
        if row is None:
            row = PovertyLine(year=line.year, region=line.region, kind=line.kind, yuan=line.yuan, note=line.note)
            session.add(row)
            audit.inserted(session, row, user=user)
            existing[(line.year, line.region, line.kind)] = row
            created += 1
        elif audit.update(session, row, {"yuan": line.yuan, "note": line.note}, user=user):
            updated += 1
    return created, updated
