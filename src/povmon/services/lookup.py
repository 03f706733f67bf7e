"""Looking things up in the register the same way for the importer and for data entry, in bulk.

- ``present_households``: where people are on the register (not left), many ID numbers per query: the
  importer asks for every person of its files at once, a data-entry command for one.
- ``AreaTree``: the administrative tree read in one query (a county has a few hundred areas) and held in
  memory: which area a name, a statistical code or a path such as 西营镇/东营村 means, with names compared
  folded (full-width ≡ half-width, spaces ignored). The importer resolves every household's village in it and
  plans the areas it creates there; data entry finds the one area a clerk names.

The problems found (unknown or ambiguous areas) are rules.checks problems, so both ways in say the same.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from povmon.models import Area, Household, Member
from povmon.rules import checks
from povmon.rules.checks import Problem
from povmon.rules.text import clean_text, fold

CHUNK = 2000  # ID numbers per IN (...) list: well under SQLite's and PostgreSQL's parameter limits
PARENT_LEVEL = {"township": "county", "village": "township"}
SEPARATORS = re.compile(r"\s*[/／>＞]\s*")
_MEMBER = Member.__table__
_HOUSEHOLD = Household.__table__
_AREA = Area.__table__


def present_households(session: Session, numbers: Iterable[str | None], *,
                       except_household_id: int | None = None) -> dict[str, object]:
    """{ID number: row} for the people on the register (not left) in some household, looked up in bulk.

    Each row has ``id`` (the member stint), ``id_number``, ``name``, ``household_id`` and ``code`` (the
    household's 户编号). ``except_household_id`` leaves one household out (the one being changed).
    """
    wanted = list(dict.fromkeys(n for n in numbers if n))
    found: dict[str, object] = {}
    for start in range(0, len(wanted), CHUNK):
        query = (select(_MEMBER.c.id, _MEMBER.c.id_number, _MEMBER.c.name, _MEMBER.c.household_id, _HOUSEHOLD.c.code)
                 .join(_HOUSEHOLD, _HOUSEHOLD.c.id == _MEMBER.c.household_id)
                 .where(_MEMBER.c.id_number.in_(wanted[start:start + CHUNK]), _MEMBER.c.left_on.is_(None)))
        if except_household_id is not None:
            query = query.where(_MEMBER.c.household_id != except_household_id)
        found.update((row.id_number, row) for row in session.execute(query))
    return found


@dataclass(eq=False)
class AreaNode:
    """An area as the tree holds it: read from the register, or planned by an import (``new``, no id yet)."""

    level: str
    name: str
    code: str | None
    parent: AreaNode | None
    id: int | None = None
    new: bool = False
    used: bool = False  # the importer: an area its files refer to
    code_update: str | None = None  # the importer: a code its files give an area that has none


class AreaTree:
    """The administrative tree in memory: lookups by name under a parent, by code, or by a path."""

    def __init__(self, rows: Iterable) -> None:
        """Build from rows with id, level, name, code and parent_id (any order)."""
        rows = list(rows)
        self.by_id: dict[int, AreaNode] = {r.id: AreaNode(r.level, r.name, r.code, None, r.id) for r in rows}
        for r in rows:
            if r.parent_id is not None:
                self.by_id[r.id].parent = self.by_id.get(r.parent_id)
        self.nodes: list[AreaNode] = []
        self.counties: list[AreaNode] = []
        self._children: dict[tuple[int, str], AreaNode] = {}
        self._named: dict[str, list[AreaNode]] = defaultdict(list)
        for node in self.by_id.values():
            self._index(node)

    @classmethod
    def load(cls, session: Session) -> AreaTree:
        """The register's whole tree, in one query."""
        return cls(session.execute(select(_AREA.c.id, _AREA.c.level, _AREA.c.name, _AREA.c.code,
                                          _AREA.c.parent_id).order_by(_AREA.c.id)).all())

    def _index(self, node: AreaNode) -> None:
        self._children[(id(node.parent) if node.parent else 0, fold(node.name))] = node
        self._named[fold(node.name)].append(node)
        self.nodes.append(node)
        if node.level == "county":
            self.counties.append(node)

    def child(self, parent: AreaNode | None, name: str) -> AreaNode | None:
        """The area of this name under a parent (None: a county), or None."""
        return self._children.get((id(parent) if parent else 0, fold(name)))

    def add(self, level: str, name: str, parent: AreaNode | None, code: str | None) -> AreaNode:
        """Plan a new area (written later by the caller, who sets its id)."""
        node = AreaNode(level, name, code, parent, None, new=True)
        self._index(node)
        return node

    def matches(self, text: str, level: str | None = None) -> list[AreaNode]:
        """The areas a user means by a name, a statistical code or a path such as 西营镇/东营村 (maybe several).

        In a path every named ancestor must appear, in order, among the area's ancestors (levels may be
        skipped: 交城县/东营村).
        """
        value = clean_text(text) or ""
        if value.isdigit():
            return [n for n in self.nodes if n.code == value and (level is None or n.level == level)]
        parts = [p for p in SEPARATORS.split(value) if p]
        if not parts:
            return []
        found = [n for n in self._named.get(fold(parts[-1]), ()) if level is None or n.level == level]
        wanted = [fold(p) for p in reversed(parts[:-1])]  # nearest ancestor first
        if wanted:
            def fits(node: AreaNode) -> bool:
                ancestors = iter(fold(a.name) for a in _ancestors(node))
                return all(any(name == a for a in ancestors) for name in wanted)

            found = [n for n in found if fits(n)]
        return found

    def find(self, text: str, level: str | None = None) -> tuple[AreaNode | None, list[Problem]]:
        """The one area meant by a name, code or path, or None with ``unknown_area`` saying why.

        An unknown area named under a known parent (西营镇/新村) says where it was looked for, as the importer
        does for the township and village columns of a file.
        """
        found = self.matches(text, level)
        if len(found) == 1:
            return found[0], []
        value = clean_text(text) or ""
        if found:
            return None, checks.area(value, level, [path_of(n) for n in found])
        parts = [] if value.isdigit() else [p for p in SEPARATORS.split(value) if p]
        if len(parts) < 2:
            return None, checks.unknown_area(level, value)
        above = "/".join(parts[:-1])
        parents = self.matches(above)
        if len(parents) == 1:
            return None, checks.unknown_area(level, parts[-1], path_of(parents[0]))
        if not parents:
            return None, self.find(above, PARENT_LEVEL.get(level or "") if len(parts) == 2 else None)[1]
        return None, checks.unknown_area(level, value)


def path_of(area) -> str:
    """交城县/西营镇/东营村: the names from the county down, of an Area or an AreaNode."""
    names = []
    current = area
    while current is not None:
        names.append(current.name)
        current = current.parent
    return "/".join(reversed(names))


def _ancestors(node: AreaNode) -> Iterable[AreaNode]:
    current = node.parent
    while current is not None:
        yield current
        current = current.parent
