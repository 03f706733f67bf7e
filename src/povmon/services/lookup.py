"""Looking things up in the register the same way for the importer and for data entry, in bulk.

- ``present_households``: where people are on the register (not left), many ID numbers per query: the
  importer asks for every person of its files at once, a data-entry command for one.
- ``find_area``, ``find_areas``, ``find_cadre``, ``households_not_found``: one area, cadre or household that a
  user names to read (ledger, household list, report --area …), with the nearest names when none is found and
  never the advice to create one (the user only reads).
- ``AreaTree``: the administrative tree read in one query (a county has a few hundred areas) and held in
  memory: which area a name, a statistical code or a path such as 西营镇/东营村 means, with names compared
  folded (full-width ≡ half-width, spaces ignored). The importer resolves every household's village in it and
  plans the areas it creates there; data entry finds the one area a clerk names.

The problems found (unknown or ambiguous areas) are rules.checks problems, so both ways in say the same.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from povmon.errors import NotFound, PovmonError
from povmon.models import Area, Cadre, Household, Member
from povmon.rules import checks, idcard
from povmon.rules.checks import Problem
from povmon.rules.parse import AREA_SEPARATORS
from povmon.rules.text import clean_text, fold

CHUNK = 2000  # ID numbers per IN (...) list: well under SQLite's and PostgreSQL's parameter limits
PARENT_LEVEL = {"township": "county", "village": "township"}
SEPARATORS = AREA_SEPARATORS  # 西营镇/东营村: the one rule of rules.parse, which area names obey
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
    new: bool = False  # planned by an import, not yet written


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


# --- looking a name up to read: one area, cadre or household, with the nearest names when none is found ------
#
# Names are compared folded (as everywhere above) and the nearest ones are found with rapidfuzz: its Indel
# similarity on the folded names (a typed name and the right one share most characters), and its Levenshtein
# distance on 户编号 (a mistyped code differs in a digit or two). difflib would give the same answers but compares
# a code with every one of a county's few hundred thousand in pure Python; rapidfuzz does it in well under
# a tenth of a second. Suggestions never include ID numbers: a mistyped ID must not show someone else's.

NEAREST = 3
NAME_CUTOFF = 50  # Indel similarity, 0–100: 西村 ~ 西营村 is 80, 西村 ~ 东营村 40
CODE_DISTANCE = 2  # edits between a typed 户编号 and a suggested one


def nearest_names(text: str, names: Iterable[str], limit: int = NEAREST) -> list[str]:
    """The names most like ``text`` (folded), best first; none below NAME_CUTOFF."""
    from rapidfuzz import fuzz, process

    choices = {name: fold(name) for name in dict.fromkeys(names)}
    found = process.extract(fold(text), choices, scorer=fuzz.ratio, limit=limit, score_cutoff=NAME_CUTOFF)
    return [name for _folded, _score, name in found]


def nearest_codes(text: str, codes: Iterable[str], limit: int = NEAREST) -> list[str]:
    """The 户编号 within CODE_DISTANCE edits of ``text``, nearest first."""
    from rapidfuzz import process
    from rapidfuzz.distance import Levenshtein

    found = process.extract(text, list(codes), scorer=Levenshtein.distance, limit=limit,
                            score_cutoff=CODE_DISTANCE)
    return [code for code, _distance, _index in found]


def _shown(nodes: list[AreaNode]) -> list[str]:
    """Names of areas for a suggestion: the name, or the path when two suggested areas share it."""
    names = [n.name for n in nodes]
    return [path_of(n) if names.count(n.name) > 1 else n.name for n in nodes]


def area_nearest(tree: AreaTree, text: str, level: str | None = None,
                 within: Iterable[AreaNode] | None = None) -> list[str]:
    """The areas (of a level, under some parents) whose names are nearest to the last name of ``text``."""
    parents = None if within is None else {id(p) for p in within}
    candidates = [n for n in tree.nodes if (level is None or n.level == level)
                  and (parents is None or id(n.parent) in parents)]
    parts = [p for p in SEPARATORS.split(clean_text(text) or "") if p]
    names = nearest_names(parts[-1] if parts else "", [n.name for n in candidates])
    return _shown([n for name in names for n in candidates if n.name == name][:NEAREST])


def find_areas(tree: AreaTree, text: str, level: str, within: list[AreaNode] | None = None) -> list[AreaNode]:
    """Every area of a level that a name, code or path means (under ``within`` when given); NotFound if none.

    For a selection that may cover several areas of one name (the ledger's --township): the caller decides
    what several mean.
    """
    found = tree.matches(text, level)
    if within is not None:
        allowed = {id(p) for p in within}
        found = [n for n in found if id(n.parent) in allowed]
    if not found:
        where = "、".join(p.name for p in within) if within else None
        problem = checks.area_not_found(level, (clean_text(text) or ""), within=where,
                                        nearest=area_nearest(tree, text, level, within))
        raise NotFound(problem[0].message + "。")
    return found


def find_area(session: Session, text: str, level: str | None = None) -> Area:
    """The one area a user names to read (a name, code or path); NotFound / PovmonError saying what to check."""
    tree = AreaTree.load(session)
    value = clean_text(text) or ""
    if not value:
        raise PovmonError("请写区划代码或名称，如 141122 或 西营镇。")
    found = tree.matches(value, level)
    if not found:
        problem = checks.area_not_found(level, value, nearest=area_nearest(tree, value, level))
        raise NotFound(problem[0].message + "。")
    if len(found) > 1:
        raise PovmonError(checks.area_ambiguous(level, value, [path_of(n) for n in found])[0].message + "。")
    return session.get(Area, found[0].id)


def find_cadre(session: Session, text: str) -> Cadre:
    """The cadre a user names to read: by ID number, or by name when the name is unique."""
    value = (text or "").strip()
    found = session.scalar(select(Cadre).where(Cadre.id_number == idcard.normalize(value)))
    if found is not None:
        return found
    named = list(session.scalars(select(Cadre).where(Cadre.name == value).order_by(Cadre.id)))
    if len(named) == 1:
        return named[0]
    if named:
        who = [f"{idcard.mask(c.id_number)}（{c.unit or '单位未登记'}）" for c in named]
        raise PovmonError(checks.cadre_ambiguous(value, who)[0].message + "。")
    nearest = [] if value[:1].isdigit() else nearest_names(value, session.scalars(select(Cadre.name)))
    raise NotFound(checks.cadre_not_found(value, nearest)[0].message + "。")


def households_not_found(session: Session, missing: list[str]) -> PovmonError:
    """The error for 户编号 the register lacks, with the codes nearest to the first one (of those the acting user
    sees). A household the register holds outside the user's scope is refused as such (``out_of_scope``, audited);
    where the database itself hides it (PostgreSQL's policies) the sentence says it may lie outside the scope."""
    from povmon.services import access

    actor = access.actor_of(session)
    if actor is not None and not actor.sees_all:
        hidden = session.execute(select(_HOUSEHOLD.c.id, _HOUSEHOLD.c.village_id, _HOUSEHOLD.c.code)
                                 .where(_HOUSEHOLD.c.code.in_(missing))).first()
        if hidden is not None:
            return access.out_of_scope(session, actor, hidden.id, hidden.village_id, code=hidden.code)
    codes = session.scalars(select(Household.code)) if len(missing) == 1 else ()
    nearest = nearest_codes(missing[0], codes) if len(missing) == 1 else []
    problems = checks.households_not_found(missing, nearest)
    return NotFound(problems[0].message + access.scope_hint(session) + problems[0].hint + "。", problems)
