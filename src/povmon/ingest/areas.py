"""Part of stage 3 (check): which village each household of the files is in, and the areas the import creates.

The areas are found in the register's tree (services.lookup.AreaTree, where data entry finds them too), with
names compared folded. What the import creates is planned in that tree (nodes without an id until written):
the areas of a 行政区划 sheet (that is what the sheet is for), and with ``--create-areas`` the county, township
or village a household names that the register lacks. A new area's statistical code comes from the sheet, or
from the 16-digit 户编号 of its households when they all agree (county 6 digits, township 9, village 12).

Before it creates an area from a household's row, the importer checks that the row does not simply misspell one
it has (docs/CONTRACTS.md, ``area_suspect``): the statistical code the 户编号 carries already belongs to another
area, or a sibling has the same name but for its level word (岔口材 for 岔口村, 岔口 for 岔口村). An area the clerk
names explicitly — in a 行政区划 sheet, or with ``area add`` beforehand — is never suspect.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from povmon.ingest.clean import Parsed, Problems, Rec, Unit
from povmon.rules import checks, idcard
from povmon.rules.text import fold
from povmon.services.lookup import AreaNode, AreaTree, path_of

PREFIX = {"county": 6, "township": 9, "village": 12}


@dataclass
class Places:
    """What the check stage decided about areas: each household's village, and what the import writes."""

    village_of: dict[str, AreaNode] = field(default_factory=dict)  # unit key → its village (maybe planned)
    created: list[AreaNode] = field(default_factory=list)  # new areas, parents before children
    codes: dict[int, str] = field(default_factory=dict)  # existing area id → the code the files give it
    used: set[int] = field(default_factory=set)  # ids of existing areas the files name

    def use(self, *nodes: AreaNode) -> None:
        """Count existing areas as named by the files (the ``unchanged`` areas of the counts)."""
        for node in nodes:
            if node.id is not None:
                self.used.add(node.id)


def _problem(message: str) -> list[checks.Problem]:
    """An ``unknown_area`` only a file can cause (no county column, several counties): the importer's own words."""
    return [checks.Problem("unknown_area", message)]


class AreaResolver:
    """Finds (and with --create-areas plans) the areas the files name; reports what it cannot place."""

    def __init__(self, tree: AreaTree, parsed: Parsed, *, create_areas: bool):
        self.tree = tree
        self.parsed = parsed
        self.problems: Problems = parsed.problems
        self.create_areas = create_areas
        self.places = Places()
        self.codes_in_use = {n.code for n in tree.nodes if n.code}
        self.explicit: set[int] = {id(n) for n in tree.nodes}  # areas the clerk named: the register's, the sheet's
        self.inferred: tuple[str | None, str | None] | None = None  # infer_county's answer, once asked
        self.claimed: dict[str, Counter] | None = None  # claims' answer, once asked (only a new area asks)
        self.prefixes = self._prefixes()

    def _codes(self):
        """(township, village, 户编号) of the households whose 户编号 has 16 digits."""
        for unit in self.parsed.units.values():
            hh = unit.household
            code = unit.code or ""
            if hh is not None and len(code) == 16 and code.isdigit():
                yield hh.values.get("township"), hh.values.get("village"), code

    def _prefixes(self) -> dict[tuple, str]:
        """The codes the 户编号 carry per township and village name, kept when unanimous."""
        prefixes: dict[tuple, set[str]] = defaultdict(set)
        for t, v, code in self._codes():
            if t:
                town = fold(t)
                prefixes[("t", town)].add(code[:9])
                if v:
                    prefixes[("v", town, fold(v))].add(code[:12])
        return {k: next(iter(s)) for k, s in prefixes.items() if len(s) == 1}

    def claims(self) -> dict[str, Counter]:
        """Who claims a statistical code: code → {(level, folded name): households whose 户编号 carry it}."""
        if self.claimed is None:
            self.claimed = defaultdict(Counter)
            for t, v, code in self._codes():
                if t:
                    self.claimed[code[:9]][("township", fold(t))] += 1
                    if v:
                        self.claimed[code[:12]][("village", fold(v))] += 1
        return self.claimed

    # --- planning new areas ---------------------------------------------------------------------------------
    def new_area(self, level: str, name: str, parent: AreaNode | None, code: str | None, *,
                 explicit: bool = False) -> AreaNode:
        """Plan a new area; a code is kept only when unused and within its parent's."""
        if code and (code in self.codes_in_use or (parent and parent.code and not code.startswith(parent.code))):
            code = None
        node = self.tree.add(level, name, parent, code)
        if code:
            self.codes_in_use.add(code)
        if explicit:
            self.explicit.add(id(node))
        self.places.created.append(node)
        return node

    def suspect(self, level: str, name: str, parent: AreaNode | None, unit: Unit) -> list[checks.Problem]:
        """``area_suspect``: the area a household's row would create looks like a misspelling of one that exists."""
        code = unit.code or ""
        size = PREFIX[level]
        if len(code) == 16 and code.isdigit():
            prefix = code[:size]
            owner = next((n for n in self.tree.nodes if n.code == prefix and n.level == level
                          and fold(n.name) != fold(name)), None)
            if owner is not None:
                return checks.area_suspect(level, name, path_of(owner), owner.name, code=code, prefix=prefix)
            claimed = self.claims().get(prefix)
            if claimed:
                mine = claimed[(level, fold(name))]
                rival = next(((n, c) for (lv, n), c in claimed.most_common() if lv == level and n != fold(name)),
                             None)
                if rival is not None and rival[1] > mine:
                    probable = self._named_in_file(level, rival[0]) or rival[0]
                    return checks.area_suspect(level, name, None, probable, code=code, prefix=prefix)
        siblings = [n for n in self.tree.nodes if n.level == level and n.parent is parent and id(n) in self.explicit]
        near = checks.misspelt(name, [n.name for n in siblings])
        if near is not None:
            node = next(n for n in siblings if n.name == near)
            return checks.area_suspect(level, name, path_of(node), near)
        return []

    def _named_in_file(self, level: str, folded: str) -> str | None:
        """The name as the file writes it of a township or village known by its folded name."""
        key = "township" if level == "township" else "village"
        for unit in self.parsed.units.values():
            hh = unit.household
            if hh is not None and fold(hh.values.get(key) or "") == folded:
                return hh.values.get(key)
        return None

    def infer_county(self) -> tuple[str | None, str | None]:
        """(name, code) of the county the files are about, from 户编号 (first 6 digits) or the members' IDs."""
        if self.inferred is None:
            votes: Counter = Counter()
            for unit in self.parsed.units.values():
                if unit.code and len(unit.code) >= 6 and unit.code[:6].isdigit():
                    votes[unit.code[:6]] += 1
            if not votes:
                for unit in self.parsed.units.values():
                    for m in unit.members:
                        number = m.values.get("id_number")
                        if number:
                            votes[number[:6]] += 1
            self.inferred = _county_of(votes)
        return self.inferred

    # --- the household's village ----------------------------------------------------------------------------
    def resolve(self, unit: Unit) -> AreaNode | None:
        """The household's village, creating missing areas with --create-areas; None (and a problem) if not."""
        values = unit.household.values
        township, village = values.get("township"), values.get("village")
        if not township or not village:
            return None  # already reported as required_missing
        county = self._county(unit, values.get("county"), township)
        if county is None:
            return None
        town = self._place(unit, "township", township, county, ("t", township))
        if town is None:
            return None
        place = self._place(unit, "village", village, town, ("v", township, village))
        if place is not None:
            self.places.use(county, town, place)
        return place

    def _place(self, unit: Unit, level: str, name: str, parent: AreaNode, names: tuple) -> AreaNode | None:
        """A township or village under its parent: found, planned (--create-areas), or reported.

        ``names`` are ("t", township) or ("v", township, village): the key of the code the 户编号 carry.
        """
        found = self.tree.child(parent, name)
        if found is not None:
            return found
        column = unit.household.src.layout.header_of("household", level)
        if not self.create_areas:
            self.report(unit, column, name, checks.unknown_area(level, name, path_of(parent)))
            return None
        suspect = self.suspect(level, name, parent, unit)
        if suspect:
            self.report(unit, column, name, suspect)
            return None
        key = (names[0], *(fold(n) for n in names[1:]))
        return self.new_area(level, name, parent, self.prefixes.get(key))

    def _county(self, unit: Unit, name: str | None, township: str) -> AreaNode | None:
        """The household's county: named by the file, the register's only one, inferred, or found by its township."""
        counties = self.tree.counties
        if name:
            county = self.tree.child(None, name)
            if county is not None:
                return county
            if not self.create_areas:
                self.report(unit, unit.household.src.layout.header_of("household", "county"), name,
                            checks.unknown_area("county", name))
                return None
            inferred_name, inferred_code = self.infer_county()
            return self.new_area("county", name, None, inferred_code if inferred_name == name else None)
        if len(counties) == 1:
            return counties[0]
        if not counties:
            return self._inferred_county(unit, unit.household.src.layout.header_of("household", "county"))
        matches = [c for c in counties if self.tree.child(c, township) is not None]
        if len(matches) != 1 and unit.code:
            matches = [c for c in counties if c.code and unit.code.startswith(c.code)] or matches
        if len(matches) != 1:
            self.report(unit, unit.household.src.layout.header_of("household", "township"), township, _problem(
                f"数据库中有多个县，无法确定乡镇“{township}”属于哪个县；请在文件中加“县”列"))
            return None
        return matches[0]

    def _inferred_county(self, unit: Unit, column: str) -> AreaNode | None:
        """The register has no county yet: the one the codes or ID numbers point to, created with --create-areas."""
        name, code = self.infer_county()
        if name is None:
            self.report(unit, column, None, _problem(
                "数据库中还没有县，文件中也没有“县”列，户编号和身份证号也推断不出所属县；请在文件中加“县”列"))
            return None
        if not self.create_areas:
            self.report(unit, column, name, _problem(
                f"数据库中还没有县（按编号推断为{name}）；"
                "请先建立该县（povmon area add、导入文件中的“行政区划”表，或导入时加 --create-areas）"))
            return None
        return self.new_area("county", name, None, code)

    def report(self, unit: Unit, column: str | None, value: object, problems: list[checks.Problem]) -> None:
        """Report a place the register does not know (rules.checks: data entry says the same)."""
        hh = unit.household
        for p in problems:
            self.problems.error(hh.src, hh.row, column, value, p.code, p.message, unit)

    # --- the 行政区划 sheet --------------------------------------------------------------------------------
    def area_sheet(self) -> None:
        """The 行政区划 sheet: create its areas (that is what it is for) and fill in missing codes."""
        for rec in self.parsed.areas:
            if not rec.bad:
                self._area_row(rec)

    def _area_row(self, rec: Rec) -> None:
        v = rec.values
        county_name, township, village, code = v.get("county"), v.get("township"), v.get("village"), v.get("code")
        target = "village" if village else "township"
        known = self.tree.child(None, county_name)
        if village and known is not None:
            known = self.tree.child(known, township)
        # the rules area add applies to a code: its length, within the parent's, not another area's
        wrong = checks.area_code(target, code, known.code if known else None, known.name if known else None)
        node = self._sheet_node(county_name, township, village) if not wrong else None
        if not wrong and code and (node is None or node.code != code):
            taken = next((n for n in self.tree.nodes if n.code == code and n is not node), None)
            if taken is not None:
                wrong = checks.area_code_taken(code, path_of(taken))
        if wrong:
            for p in wrong:
                self.problems.error(rec.src, rec.row, rec.src.layout.header_of("area", "code"), code, p.code,
                                    p.message)
            rec.bad = True
            return
        county = self._sheet_area("county", county_name, None,
                                  code[:6] if code and idcard.area_name(code[:6]) == county_name else None)
        town = self._sheet_area("township", township, county, code[:9] if code else None)
        node = self._sheet_area("village", village, town, code) if village else town
        if code and not node.new and node.code != code:
            self.places.codes[node.id] = code
            self.codes_in_use.add(code)
        self.places.use(county, town, node)

    def _sheet_node(self, county: str, township: str, village: str | None) -> AreaNode | None:
        """The area a 行政区划 row names, when the tree already has it (or has planned it)."""
        node = self.tree.child(None, county)
        for name in (township, village):
            if node is None or not name:
                break
            node = self.tree.child(node, name)
        return node

    def _sheet_area(self, level: str, name: str, parent: AreaNode | None, code: str | None) -> AreaNode:
        return self.tree.child(parent, name) or self.new_area(level, name, parent, code, explicit=True)


def _county_of(votes: Counter) -> tuple[str | None, str | None]:
    """The county the most codes point to, with its code when that code is in use today.

    An old code of first registration (most adults' ID numbers carry 142323, 交城县 before 2003) names the
    county but is not its code today.
    """
    for prefix, _n in votes.most_common():
        name = idcard.area_name(prefix)
        if name:
            return name, prefix if idcard.area_current(prefix) else None
    return None, None
