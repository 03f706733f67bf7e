"""Loading what was read into the register: the checks that need the database, then one bulk write.

Built for big files: the register's matching rows are fetched in bulk by key (户编号, ID number …) before
anything is decided, new records go in with executemany Core inserts, changed fields with executemany updates,
and every changed field gets an audit row (old → new, the batch). No query per row, no ORM object per row.
Nothing here commits: the caller owns the transaction (``--dry-run`` simply rolls it back).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import Boolean, Table, bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from povmon.ingest import validate
from povmon.ingest.clean import Parsed, Rec, Unit
from povmon.ingest.events import implied_events
from povmon.models import (
    Area,
    AuditLog,
    Benefit,
    Cadre,
    Household,
    HouseholdEvent,
    ImportBatch,
    Income,
    Measure,
    Member,
    Pairing,
    Policy,
    Visit,
)
from povmon.models.base import utcnow
from povmon.rules import checks, idcard
from povmon.rules.text import fold
from povmon.services.audit import render, same
from povmon.services.lookup import AreaNode, AreaTree, path_of, present_households

AREA = Area.__table__
HOUSEHOLD = Household.__table__
MEMBER = Member.__table__
INCOME = Income.__table__
EVENT = HouseholdEvent.__table__
CADRE = Cadre.__table__
PAIRING = Pairing.__table__
POLICY = Policy.__table__
BENEFIT = Benefit.__table__
MEASURE = Measure.__table__
VISIT = Visit.__table__
AUDIT = AuditLog.__table__
BATCH = ImportBatch.__table__

CHUNK = 2000  # keys per IN (...) query
WRITE_CHUNK = 5000  # rows per executemany

HOUSEHOLD_FIELDS = ("group_name", "phone", "declared_size", "attribute", "standard", "main_cause", "other_causes",
                    "arable_land", "forest_land", "housing_safety", "safe_water", "electricity", "road",
                    "food_clothing_secure", "note")
MEMBER_FIELDS = ("name", "relation", "ethnicity", "education", "school_status", "health", "disability_grade",
                 "labour", "work_status", "work_months", "medical_insurance", "pension_insurance",
                 "subsistence_allowance", "extreme_poverty_support", "phone", "note")
MONEY_FIELDS = ("wage", "business", "business_expense", "property", "transfer", "compliant_spending")
EVENT_FIELDS = ("reason", "standard", "cause", "monitoring_type", "risks", "lead_source", "elimination")
CADRE_FIELDS = ("name", "unit", "post", "phone", "role")
LEFT = {"deceased", "moved_out"}
ZERO = Decimal("0.00")
FEN = Decimal("0.01")

Progress = Callable[[str, int, int], None]


_PROVENANCE = frozenset({"batch_id", "source_file", "source_sheet", "source_row", "created_at", "created_by",
                         "updated_at"})


def _data(table: Table) -> list:
    """A table's columns without the provenance ones: what comparing with a file needs (less to fetch)."""
    return [c for c in table.columns if c.name not in _PROVENANCE]


def _repeating(processor: Callable) -> Callable:
    """A bind processor that remembers its last value: created_at, batch_id and the like repeat on every row."""
    last: list = [_UNSET, None]

    def process(value):
        if value is not last[0]:
            last[0], last[1] = value, processor(value)
        return last[1]

    return process


_UNSET = object()


def _problem(message: str) -> list[checks.Problem]:
    """An ``unknown_area`` only a file can cause (no county column, several counties): the importer's own words."""
    return [checks.Problem("unknown_area", message)]


def _blank_counts() -> dict[str, int]:
    return {"created": 0, "updated": 0, "unchanged": 0, "rejected": 0}


@dataclass
class Plan:
    """What the import will write, decided before anything is written."""

    areas: list[AreaNode] = field(default_factory=list)
    households: list[tuple[Unit, dict]] = field(default_factory=list)
    members: list[tuple[Unit, dict]] = field(default_factory=list)
    incomes: list[tuple[Unit, dict]] = field(default_factory=list)
    events: list[tuple[Unit, dict]] = field(default_factory=list)
    cadres: list[tuple[str, dict]] = field(default_factory=list)
    policies: dict[str, dict] = field(default_factory=dict)
    pairings: list[tuple[Rec, dict]] = field(default_factory=list)
    benefits: list[tuple[Rec, dict]] = field(default_factory=list)
    measures: list[tuple[Rec, dict]] = field(default_factory=list)
    visits: list[tuple[Rec, dict]] = field(default_factory=list)
    updates: list[tuple[Table, int, dict[str, tuple[object, object]]]] = field(default_factory=list)

    def empty(self) -> bool:
        """Whether there is nothing to write."""
        return not (self.areas or self.households or self.members or self.incomes or self.events or self.cadres
                    or self.policies or self.pairings or self.benefits or self.measures or self.visits
                    or self.updates)


class Loader:
    """Checks the parsed files against the register, then writes them (see the module docstring)."""

    def __init__(self, session: Session, parsed: Parsed, *, user: str, as_of: dt.date, create_areas: bool,
                 progress: Progress | None = None):
        self.session = session
        self.parsed = parsed
        self.problems = parsed.problems
        self.user = user
        self.as_of = as_of
        self.create_areas = create_areas
        self.progress = progress
        self.now = utcnow()
        self.counts: dict[str, dict[str, int]] = defaultdict(_blank_counts)
        self.plan = Plan()
        self.batch_id: int | None = None

    # --- helpers -------------------------------------------------------------------------------------------
    def fetch(self, build: Callable[[list], object], keys: Iterable) -> list:
        """Rows for many keys, a chunk of keys per query."""
        keys = list(dict.fromkeys(k for k in keys if k is not None))
        rows: list = []
        for i in range(0, len(keys), CHUNK):
            rows.extend(self.session.execute(build(keys[i:i + CHUNK])).all())
        return rows

    def provenance(self, rec: Rec) -> dict:
        """The provenance columns of a record created from this row (the batch id comes at write time)."""
        return {"batch_id": None, "source_file": rec.src.file, "source_sheet": rec.src.name,
                "source_row": rec.row, "created_at": self.now, "created_by": self.user}

    def diff(self, table: Table, row, new: dict, fields: Iterable[str]) -> bool:
        """Plan an update of the fields whose value changes (with their audit rows)."""
        changes = {}
        mapping = row._mapping
        for name in fields:
            if name not in new:
                continue
            old = mapping[name]
            value = new[name]
            if not same(old, value):
                changes[name] = (old, value)
        if changes:
            self.plan.updates.append((table, mapping["id"], changes))
        return bool(changes)

    def tick(self, stage: str, done: int, total: int) -> None:
        """Report progress, when someone listens."""
        if self.progress is not None:
            self.progress(stage, done, total)

    # --- the whole run -------------------------------------------------------------------------------------
    def check(self) -> None:
        """Every check that needs the register; marks rejected units and records."""
        self.load_areas()
        self.area_sheet()
        self.find_households()
        self.find_members()
        self.find_cadres()
        self.check_units()
        self.check_others()

    def write(self) -> int | None:
        """Plan and write the valid records; returns the batch id (None when nothing changed)."""
        self.plan_units()
        self.plan_cadres()
        self.plan_others()
        self.count_rejected()
        if self.plan.empty():
            return None
        self.execute()
        return self.batch_id

    # --- areas ---------------------------------------------------------------------------------------------
    def load_areas(self) -> None:
        """The whole area tree (small) and the statistical codes the files' 户编号 carry."""
        self.tree = AreaTree.load(self.session)  # the same tree data entry finds areas in (services.lookup)
        self.counties = self.tree.counties
        self.codes_in_use = {n.code for n in self.tree.nodes if n.code}
        self.area_by_id = self.tree.by_id
        self._inferred: tuple[str | None, str | None] | None = None
        # statistical codes a 16-digit 户编号 carries, per township and village name, kept when unanimous
        prefixes: dict[tuple, set[str]] = defaultdict(set)
        for unit in self.parsed.units.values():
            hh = unit.household
            code = unit.code or ""
            if hh is None or len(code) != 16 or not code.isdigit():
                continue
            t, v = hh.values.get("township"), hh.values.get("village")
            if t:
                prefixes[("t", fold(t))].add(code[:9])
                if v:
                    prefixes[("v", fold(t), fold(v))].add(code[:12])
        self.prefixes = {k: next(iter(s)) for k, s in prefixes.items() if len(s) == 1}

    def child(self, parent: AreaNode | None, name: str) -> AreaNode | None:
        """The area of this name under a parent (None: a county), or None."""
        return self.tree.child(parent, name)

    def new_area(self, level: str, name: str, parent: AreaNode | None, code: str | None) -> AreaNode:
        """Plan a new area; its code is kept only when unused and consistent with its parent's."""
        if code and (code in self.codes_in_use or (parent and parent.code and not code.startswith(parent.code))):
            code = None
        node = self.tree.add(level, name, parent, code)
        if code:
            self.codes_in_use.add(code)
        self.plan.areas.append(node)
        return node

    def infer_county(self) -> tuple[str | None, str | None]:
        """(name, code) of the county the files are about, from 户编号 (first 6 digits) or the members' IDs."""
        if self._inferred is None:
            votes: Counter = Counter()
            for unit in self.parsed.units.values():
                if unit.code and len(unit.code) >= 6 and unit.code[:6].isdigit():
                    votes[unit.code[:6]] += 1
            source = "code"
            if not votes:
                source = "ids"
                for unit in self.parsed.units.values():
                    for m in unit.members:
                        number = m.values.get("id_number")
                        if number:
                            votes[number[:6]] += 1
            name = code = None
            for prefix, _n in votes.most_common():
                name = idcard.area_name(prefix)
                if name:
                    code = prefix if idcard.area_current(prefix) else None
                    break
            if source == "ids" and name and code is None:
                code = None  # an old code of first registration is not the county's code today
            self._inferred = (name, code)
        return self._inferred

    def resolve_area(self, unit: Unit) -> AreaNode | None:
        """The household's village, creating missing areas with --create-areas; None (and unknown_area) if not."""
        hh = unit.household
        values = hh.values
        township, village = values.get("township"), values.get("village")
        if not township or not village:
            return None  # already reported as required_missing
        layout = hh.src.layout
        county_name = values.get("county")
        county: AreaNode | None = None
        if county_name:
            county = self.child(None, county_name)
            if county is None:
                if not self.create_areas:
                    self.unknown_area(unit, layout.header_of("household", "county"), county_name,
                                      checks.unknown_area("county", county_name))
                    return None
                inferred_name, inferred_code = self.infer_county()
                county = self.new_area("county", county_name, None,
                                       inferred_code if inferred_name == county_name else None)
        elif len(self.counties) == 1:
            county = self.counties[0]
        elif not self.counties:
            name, code = self.infer_county()
            if name is None:
                self.unknown_area(unit, layout.header_of("household", "county"), None, _problem(
                    "数据库中还没有县，文件中也没有“县”列，户编号和身份证号也推断不出所属县；请在文件中加“县”列"))
                return None
            if not self.create_areas:
                self.unknown_area(unit, layout.header_of("household", "county"), name, _problem(
                    f"数据库中还没有县（按编号推断为{name}）；"
                    "请先建立该县（povmon area add、导入文件中的“行政区划”表，或导入时加 --create-areas）"))
                return None
            county = self.new_area("county", name, None, code)
        else:
            matches = [c for c in self.counties if self.child(c, township) is not None]
            if len(matches) != 1 and unit.code:
                matches = [c for c in self.counties if c.code and unit.code.startswith(c.code)] or matches
            if len(matches) != 1:
                self.unknown_area(unit, layout.header_of("household", "township"), township, _problem(
                    f"数据库中有多个县，无法确定乡镇“{township}”属于哪个县；请在文件中加“县”列"))
                return None
            county = matches[0]
        town = self.child(county, township)
        if town is None:
            if not self.create_areas:
                self.unknown_area(unit, layout.header_of("household", "township"), township,
                                  checks.unknown_area("township", township, path_of(county)))
                return None
            town = self.new_area("township", township, county, self.prefixes.get(("t", fold(township))))
        place = self.child(town, village)
        if place is None:
            if not self.create_areas:
                self.unknown_area(unit, layout.header_of("household", "village"), village,
                                  checks.unknown_area("village", village, path_of(town)))
                return None
            place = self.new_area("village", village, town, self.prefixes.get(("v", fold(township), fold(village))))
        for node in (county, town, place):
            node.used = True
        return place

    def unknown_area(self, unit: Unit, column: str, value: object, problems: list[checks.Problem]) -> None:
        """Report a place the register does not know (rules.checks: data entry says the same)."""
        hh = unit.household
        self.report(problems, hh, column, value, unit)

    def report(self, problems: Iterable[checks.Problem], rec: Rec, column: str | None, value: object,
               unit: Unit | None = None) -> None:
        """Record the household rules' problems (rules.checks) as errors at a record's row."""
        for p in problems:
            self.problems.error(rec.src, rec.row, column, value, p.code, p.message, unit)

    def area_sheet(self) -> None:
        """The 行政区划 sheet: create its areas (that is what it is for) and fill in missing codes."""
        for rec in self.parsed.areas:
            if rec.bad:
                continue
            v = rec.values
            county_name, township, village, code = v.get("county"), v.get("township"), v.get("village"), v.get("code")
            target = "village" if village else "township"
            known = self.child(None, county_name)
            if village and known is not None:
                known = self.child(known, township)
            # the rule area add applies to a code: its length, and within the parent's code when that is known
            wrong = checks.area_code(target, code, known.code if known else None, known.name if known else None)
            if wrong:
                self.report(wrong, rec, rec.src.layout.header_of("area", "code"), code)
                rec.bad = True
                continue
            county = self.child(None, county_name)
            if county is None:
                county = self.new_area("county", county_name, None,
                                       code[:6] if code and idcard.area_name(code[:6]) == county_name else None)
            town = self.child(county, township)
            if town is None:
                town = self.new_area("township", township, county, code[:9] if code else None)
            node = town
            if village:
                node = self.child(town, village)
                if node is None:
                    node = self.new_area("village", village, town, code)
            if code and not node.new and node.code != code and code not in self.codes_in_use:
                node.code_update = code
                self.codes_in_use.add(code)
            for n in (county, town, node):
                n.used = True

    # --- households and members ---------------------------------------------------------------------------
    def find_households(self) -> None:
        """The households the files name: by 户编号, else by their head's ID number."""
        units = self.parsed.units
        by_code = {u.code: u for u in units.values() if u.code}
        rows = self.fetch(lambda keys: select(*_data(HOUSEHOLD)).where(HOUSEHOLD.c.code.in_(keys)), by_code)
        self.household_rows: dict[int, object] = {}
        for row in rows:
            unit = by_code[row.code]
            unit.household_id, unit.exists = row.id, True
            self.household_rows[row.id] = row
        # households without 户编号 are found by their head's ID
        headless = {}
        for unit in units.values():
            if unit.code is None:
                head = unit.head_id or next((m.values.get("id_number") for m in unit.members
                                             if m.values.get("relation") == "head" and m.values.get("id_number")),
                                            None)
                unit.head_id = head
                if head:
                    headless[head] = unit
        if headless:
            found = self.fetch(lambda keys: select(MEMBER.c.id_number, MEMBER.c.household_id).where(
                MEMBER.c.id_number.in_(keys), MEMBER.c.left_on.is_(None), MEMBER.c.relation == "head"), headless)
            ids = {r.household_id: headless[r.id_number] for r in found}
            for row in self.fetch(lambda keys: select(*_data(HOUSEHOLD)).where(HOUSEHOLD.c.id.in_(keys)), ids):
                unit = ids[row.id]
                unit.household_id, unit.exists, unit.code = row.id, True, row.code
                self.household_rows[row.id] = row

    def find_members(self) -> None:
        """Members of the households in the files, and anyone in the files present in another household."""
        existing = [u.household_id for u in self.parsed.units.values() if u.exists]
        self.members_of: dict[int, list] = defaultdict(list)
        by_id: dict[str, list] = defaultdict(list)
        for row in self.fetch(lambda keys: select(*_data(MEMBER)).where(MEMBER.c.household_id.in_(keys)), existing):
            self.members_of[row.household_id].append(row)
            by_id[row.id_number].append(row)
        wanted = [m.values["id_number"] for u in self.parsed.units.values() for m in u.members
                  if m.values.get("id_number") and m.values["id_number"] not in by_id]
        # the lookup data entry makes for one person, here for everyone in the files at once
        self.present_elsewhere = present_households(self.session, wanted)
        self.stints = by_id

    def find_cadres(self) -> None:
        """The cadres the files name or refer to, from the register and from the files."""
        wanted = {rec.values.get("id_number") for rec in self.parsed.cadres}
        for rec in self.parsed.others:
            wanted.add(rec.values.get("cadre_id"))
        self.cadre_rows = {r.id_number: r for r in self.fetch(
            lambda keys: select(*_data(CADRE)).where(CADRE.c.id_number.in_(keys)), wanted)}
        self.file_cadres = {rec.values["id_number"]: rec for rec in self.parsed.cadres
                            if not rec.bad and rec.values.get("id_number")}

    def check_units(self) -> None:
        """Per household: its area, people present elsewhere, its heads and its size."""
        problems = self.problems
        units = list(self.parsed.units.values())
        for n, unit in enumerate(units):
            if n % 5000 == 0:
                self.tick("检查", n, len(units))
            if unit.household is None and not unit.exists:
                self.orphan(unit)
                continue
            if unit.household is not None and unit.household.values:
                unit.village = self.resolve_area(unit)  # type: ignore[attr-defined]
            db_members = self.members_of.get(unit.household_id, []) if unit.exists else []
            if not unit.members:
                if db_members and unit.household is not None:  # 户信息 alone: its 家庭人口 against the register
                    validate.size_warning(problems, unit, len(self.on_register(db_members)))
                continue
            file_ids = {m.values.get("id_number") for m in unit.members if m.values.get("id_number")}
            for rec in unit.members:
                number = rec.values.get("id_number")
                if not number or rec.values.get("state") in LEFT:
                    continue
                other = self.present_elsewhere.get(number)
                if other is None:
                    for stint in self.stints.get(number, ()):
                        if stint.left_on is None and stint.household_id != unit.household_id:
                            other = stint
                if other is not None:
                    code = getattr(other, "code", None) or self.household_rows[other.household_id].code
                    self.report(checks.id_in_other_household(number, other.name, code), rec,
                                rec.src.layout.header_of("member", "id_number"), number, unit)
            if any(not m.values for m in unit.members):
                continue  # a member row is already wrong: heads and size would be judged on part of the household
            kept = sorted((r for r in self.on_register(db_members) if r.id_number not in file_ids), key=lambda r: r.id)
            file_present = validate.present_in_file(unit)
            validate.check_heads(problems, unit, file_present, kept)
            validate.size_warning(problems, unit, len(file_present) + len(kept))

    def on_register(self, rows: list) -> list:
        """The register's members of a household who are present on the import's as-of day."""
        return [r for r in rows if r.left_on is None and (r.joined_on is None or r.joined_on <= self.as_of)]

    def orphan(self, unit: Unit) -> None:
        """Records of a household that is neither in the files nor in the register."""
        for rec in unit.members:
            header = rec.src.layout.header_of("household", "code")
            self.problems.error(rec.src, rec.row, header, unit.code, "orphan_member",
                                f"户编号 {unit.code} 的户不在本次导入的户信息中，数据库中也没有；"
                                "请先导入该户（户信息表或花名册），或核对户编号", unit)
        unknown = checks.unknown_household(unit.code)
        for rec in (*unit.incomes, *unit.events):
            self.report(unknown, rec, rec.src.layout.header_of("household", "code"), unit.code, unit)
        for rec in unit.others:
            if rec.bad:
                continue
            self.report(unknown, rec, rec.src.layout.header_of("household", "code"), unit.code)
            rec.bad = True

    def check_others(self) -> None:
        """Pairings, visits and measures need a known cadre; benefits a known member when one is named."""
        for rec in self.parsed.others:
            if rec.bad or rec.unit is None:
                continue
            cadre_id = rec.values.get("cadre_id")
            if cadre_id and cadre_id not in self.file_cadres and cadre_id not in self.cadre_rows:
                self.report(checks.reference("帮扶干部", idcard.mask(cadre_id), 0), rec,
                            rec.src.layout.header_of(rec.level, "cadre_id"), cadre_id)
                rec.bad = True
                continue
            member_id = rec.values.get("member_id")
            if member_id:
                in_file = any(m.values.get("id_number") == member_id for m in rec.unit.members)
                in_db = any(s.household_id == rec.unit.household_id for s in self.stints.get(member_id, ()))
                if not in_file and not in_db:
                    self.report(checks.not_a_member(rec.unit.code, member_id), rec,
                                rec.src.layout.header_of(rec.level, "member_id"), member_id)
                    rec.bad = True

    # --- planning -----------------------------------------------------------------------------------------
    def plan_units(self) -> None:
        """Plan the writes of every accepted household: the household, members, incomes, events."""
        units = [u for u in self.parsed.units.values() if not u.bad]
        self.new_codes: dict[int, int] = {}
        for n, unit in enumerate(units):
            if n % 5000 == 0:
                self.tick("比对", n, len(units))
            hh = unit.household
            if hh is not None and hh.values:
                self.plan_household(unit, hh)
            if unit.members:
                self.plan_members(unit)
            for rec in unit.incomes:
                self.plan_income(unit, rec)
            if hh is not None and "status" in hh.values:
                self.plan_status(unit, hh)
            for rec in unit.events:
                self.plan_event(unit, rec)

    def plan_household(self, unit: Unit, hh: Rec) -> None:
        """A new household, or the changed fields of an existing one."""
        values = hh.values
        village: AreaNode | None = getattr(unit, "village", None)
        count = self.counts["households"]
        fields = {k: values[k] for k in HOUSEHOLD_FIELDS if k in values}
        if not unit.exists:
            row = {k: values.get(k) for k in HOUSEHOLD_FIELDS}
            row.update(code=unit.code, updated_at=None, **self.provenance(hh))
            row["_village"] = village
            self.plan.households.append((unit, row))
            count["created"] += 1
            return
        db = self.household_rows[unit.household_id]
        if village is not None and (village.new or village.id != db.village_id):
            fields["village_id"] = village  # resolved to an id when written
        changed = self.diff(HOUSEHOLD, db, fields, [*fields])
        count["updated" if changed else "unchanged"] += 1

    def plan_members(self, unit: Unit) -> None:
        """New members (stints) and changed fields of the ones the household already has."""
        count = self.counts["members"]
        stints = self.stints
        for rec in unit.members:
            v = rec.values
            number = v["id_number"]
            state = v.get("state") or "present"
            day = v.get("state_date")
            new = {k: v[k] for k in MEMBER_FIELDS if k in v}
            new["sex"] = idcard.sex(number)
            new["birth_date"] = idcard.birth_date(number)
            if state in LEFT:
                new["left_reason"] = state
                if day is not None:
                    new["left_on"] = day
            elif state == "added" and day is not None:
                new["joined_on"] = day
            mine = [s for s in stints.get(number, ()) if unit.exists and s.household_id == unit.household_id]
            current = next((s for s in mine if s.left_on is None), None) or (mine[-1] if mine else None)
            if current is None:
                row = {k: v.get(k) for k in MEMBER_FIELDS}
                joined = new.get("joined_on") or (self.as_of if state == "added" else None)
                row.update(id_number=number, sex=new["sex"], birth_date=new["birth_date"], joined_on=joined,
                           left_on=None, left_reason=None, updated_at=None, **self.provenance(rec))
                if state in LEFT:
                    row["left_reason"] = state
                    row["left_on"] = day or self.as_of
                self.plan.members.append((unit, row))
                count["created"] += 1
                continue
            if state in LEFT and current.left_on is None and "left_on" not in new:
                new["left_on"] = self.as_of
            if state not in LEFT and current.left_on is not None:
                # the register already knows this person left: a roster listing them is older news
                new.pop("left_on", None)
            fields = [*new]
            changed = self.diff(MEMBER, current, new, fields)
            count["updated" if changed else "unchanged"] += 1

    def plan_income(self, unit: Unit, rec: Rec) -> None:
        """A new income entry (household, year, month) or its changed amounts."""
        v = rec.values
        count = self.counts["incomes"]
        year, month = v.get("year"), v.get("month") or 0
        if year is None:
            return
        new = {k: v[k] if v.get(k) is not None else ZERO for k in MONEY_FIELDS if k in v}
        if "note" in v:
            new["note"] = v["note"]
        existing = self.incomes_of(unit).get((year, month))
        if existing is None:
            row = {k: new.get(k, ZERO) for k in MONEY_FIELDS}
            row.update(year=year, month=month, note=new.get("note"), **self.provenance(rec))
            self.plan.incomes.append((unit, row))
            self.incomes_of(unit)[(year, month)] = row  # a second entry for the same key updates nothing twice
            count["created"] += 1
            return
        if isinstance(existing, dict):
            count["unchanged"] += 1  # the same key twice in the files: the first one wins
            return
        changed = self.diff(INCOME, existing, new, [*new])
        count["updated" if changed else "unchanged"] += 1

    def incomes_of(self, unit: Unit) -> dict:
        """The register's income entries of a household by (year, month), fetched in bulk once."""
        if not hasattr(self, "_incomes"):
            ids = [u.household_id for u in self.parsed.units.values() if u.exists and u.incomes and not u.bad]
            self._incomes: dict[int, dict] = defaultdict(dict)
            for row in self.fetch(lambda keys: select(*_data(INCOME)).where(INCOME.c.household_id.in_(keys)), ids):
                self._incomes[row.household_id][(row.year, row.month)] = row
            self._new_incomes: dict[int, dict] = defaultdict(dict)
        if unit.exists:
            return self._incomes[unit.household_id]
        return self._new_incomes[id(unit)]

    def events_of(self, unit: Unit) -> list:
        """The register's events of a household, fetched in bulk once."""
        if not hasattr(self, "_events"):
            ids = [u.household_id for u in self.parsed.units.values()
                   if u.exists and not u.bad and (u.events or (u.household and "status" in u.household.values))]
            self._events: dict[int, list] = defaultdict(list)
            for row in self.fetch(lambda keys: select(*_data(EVENT)).where(EVENT.c.household_id.in_(keys)), ids):
                self._events[row.household_id].append(row)
        return self._events[unit.household_id] if unit.exists else []

    def plan_status(self, unit: Unit, hh: Rec) -> None:
        """The status events a roster implies that the register lacks (see events.py)."""
        v = hh.values
        count = self.counts["events"]
        existing = self.events_of(unit)
        added, stated = implied_events(v.get("status"), v.get("identified_year"), v.get("exited_year"), existing,
                                       self.as_of)
        for ev in added:
            row = self.event_row(hh, ev.kind, ev.event_date, ev.year_only)
            if ev.kind == "identified":
                row["standard"], row["cause"] = v.get("standard"), v.get("main_cause")
            self.plan.events.append((unit, row))
        count["created"] += len(added)
        count["unchanged"] += max(stated - len(added), 0)

    def event_row(self, rec: Rec, kind: str, day: dt.date, year_only: bool) -> dict:
        """An event row with its provenance."""
        row = {k: None for k in EVENT_FIELDS}
        row.update(kind=kind, event_date=day, year_only=year_only, cancels_event_id=None, note=None,
                   **self.provenance(rec))
        return row

    def plan_event(self, unit: Unit, rec: Rec) -> None:
        """An event of the 识别变动 sheet: new, or the changed details of the same (kind, date)."""
        v = rec.values
        count = self.counts["events"]
        day, year_only = v["event_date"]
        existing = next((e for e in self.events_of(unit) if e.kind == v["kind"] and e.event_date == day), None)
        new = {k: v[k] for k in EVENT_FIELDS if k in v}
        if existing is None:
            planned = [r for u, r in self.plan.events if u is unit and r["kind"] == v["kind"]
                       and r["event_date"] == day]
            if planned:
                count["unchanged"] += 1
                return
            row = self.event_row(rec, v["kind"], day, year_only)
            row.update(new)
            self.plan.events.append((unit, row))
            count["created"] += 1
            return
        changed = self.diff(EVENT, existing, new, [*new])
        count["updated" if changed else "unchanged"] += 1

    def plan_cadres(self) -> None:
        """New cadres, or the changed fields of known ones (key: ID number)."""
        if not self.parsed.cadres:
            return
        count = self.counts["cadres"]
        self.cadre_villages: dict[str, AreaNode | None] = {}
        seen: set[str] = set()
        for rec in self.parsed.cadres:
            if rec.bad:
                count["rejected"] += 1
                continue
            v = rec.values
            number = v["id_number"]
            if number in seen:
                count["unchanged"] += 1
                continue
            seen.add(number)
            new = {k: v[k] for k in CADRE_FIELDS if k in v}
            if "role" in new and new["role"] is None:
                new["role"] = "responsible"
            village = self.cadre_village(rec)
            if village is False:
                count["rejected"] += 1
                continue
            existing = self.cadre_rows.get(number)
            if existing is None:
                row = {k: new.get(k) for k in CADRE_FIELDS}
                row["role"] = row["role"] or "responsible"
                row.update(id_number=number, note=None, **self.provenance(rec))
                row["_village"] = village
                self.plan.cadres.append((number, row))
                count["created"] += 1
                continue
            if village is not None:
                new["village_id"] = village if village.new else village.id  # a new area gets its id when written
            changed = self.diff(CADRE, existing, new, [*new])
            count["updated" if changed else "unchanged"] += 1

    def cadre_village(self, rec: Rec):
        """The village a cadre is stationed in (驻村乡镇 + 驻村村): a node, None, or False when unknown."""
        township, village = rec.values.get("township"), rec.values.get("village")
        if not village:
            return None
        # found as data entry finds the village of ``cadre add --village 乡镇/村`` (services.lookup)
        place, problems = self.tree.find(f"{township}/{village}" if township else village, "village")
        if place is not None:
            return place
        self.report(problems, rec, rec.src.layout.header_of("cadre", "village"), village)
        rec.bad = True
        return False

    def plan_others(self) -> None:
        """Pairings, benefits, measures and visits: new ones, or changes to the same key."""
        others = [r for r in self.parsed.others if r.unit is not None and r.level in
                  ("pairing", "benefit", "measure", "visit")]
        if not others:
            return
        ids = [r.unit.household_id for r in others if r.unit.exists]
        existing: dict[str, dict] = {}
        for level, table, key in (("pairing", PAIRING, ("cadre_id", "start_on")),
                                  ("benefit", BENEFIT, ("policy_id", "benefit_date", "member_id")),
                                  ("measure", MEASURE, ("kind", "measure_date", "description")),
                                  ("visit", VISIT, ("cadre_id", "visit_date"))):
            if any(r.level == level for r in others):
                rows = self.fetch(
                    lambda keys, table=table: select(*_data(table)).where(table.c.household_id.in_(keys)), ids)
                existing[level] = {(r.household_id, *(getattr(r, k) for k in key)): r for r in rows}
        if any(r.level == "benefit" for r in others):
            names = {r.values.get("policy") for r in others if r.level == "benefit"}
            self.policies = {p.name: p for p in self.fetch(
                lambda keys: select(POLICY).where(POLICY.c.name.in_(keys)), names)}
        cadre_ids = {n: r.id for n, r in self.cadre_rows.items()}
        member_ids = {}
        for stints in self.stints.values():
            for s in stints:
                member_ids[(s.household_id, s.id_number)] = s.id
        self.member_ids = member_ids
        seen: set = set()
        for rec in others:
            level = rec.level
            count = self.counts[level + "s"]
            if rec.bad or rec.unit.bad:
                continue
            v = rec.values
            unit = rec.unit
            hh_id = unit.household_id if unit.exists else None
            cadre = v.get("cadre_id")
            cadre_db = cadre_ids.get(cadre) if cadre else None
            if level == "pairing":
                key = (hh_id, cadre_db, v["start_on"])
                new = {"end_on": v.get("end_on"), "end_reason": v.get("end_reason")}
                new = {k: x for k, x in new.items() if k in v}
            elif level == "benefit":
                policy = self.policies.get(v["policy"])
                if policy is None and v["policy"] not in self.plan.policies:
                    self.plan.policies[v["policy"]] = {"name": v["policy"], "category": v.get("category") or "other",
                                                        "description": None, "created_at": self.now}
                member = v.get("member_id")
                member_db = member_ids.get((hh_id, member)) if member else None
                key = (hh_id, policy.id if policy else None, v["benefit_date"], member_db)
                new = {k: v[k] for k in ("amount", "note") if k in v}
                if "amount" in new and new["amount"] is None:
                    new["amount"] = ZERO
            elif level == "measure":
                key = (hh_id, v["kind"], v["measure_date"], v.get("description"))
                new = {k: v[k] for k in ("amount",) if k in v}
                if "cadre_id" in v:
                    new["cadre_id"] = cadre_db if cadre_db is not None else cadre
            else:
                key = (hh_id, cadre_db, v["visit_date"])
                new = {k: v[k] for k in ("done", "problems", "resolved") if k in v}
            known = None
            if hh_id is not None and None not in key[:2]:
                known = existing.get(level, {}).get(key)
            file_key = (id(unit), level, cadre, *key[2:]) if level != "benefit" else (
                id(unit), level, v["policy"], v["benefit_date"], v.get("member_id"))
            if known is None:
                if file_key in seen:
                    count["unchanged"] += 1
                    continue
                seen.add(file_key)
                row = dict(new)
                row.update(self.provenance(rec))
                row["_rec"] = rec
                getattr(self.plan, level + "s").append((rec, row))
                count["created"] += 1
                continue
            if level == "measure" and isinstance(new.get("cadre_id"), str):
                new["cadre_id"] = None  # a cadre new in this import: resolved only for new measures
            changed = self.diff({"pairing": PAIRING, "benefit": BENEFIT, "measure": MEASURE,
                                 "visit": VISIT}[level], known, new, [*new])
            count["updated" if changed else "unchanged"] += 1

    def count_rejected(self) -> None:
        """Rejected records per kind (a rejected household's records all count)."""
        c = self.counts
        for unit in self.parsed.units.values():
            if not unit.bad:
                continue
            if unit.household is not None:
                c["households"]["rejected"] += 1
            c["members"]["rejected"] += len(unit.members)
            c["incomes"]["rejected"] += len(unit.incomes)
            c["events"]["rejected"] += len(unit.events)
            for rec in unit.others:
                c[rec.level + "s"]["rejected"] += 1
        for rec in self.parsed.others:
            if rec.bad and (rec.unit is None or not rec.unit.bad):
                c[rec.level + "s"]["rejected"] += 1
        for rec in self.parsed.areas:
            if rec.bad:
                c["areas"]["rejected"] += 1
        area = c["areas"] if "areas" in self.parsed.kinds else None
        if area is not None:
            area["created"] = sum(1 for n in self.plan.areas)
            area["updated"] = sum(1 for n in self.area_by_id.values() if n.code_update)
            area["unchanged"] = sum(1 for n in self.area_by_id.values() if n.used and not n.code_update)

    # --- writing ------------------------------------------------------------------------------------------
    def execute(self) -> None:
        """Write the plan: batch, areas, households, members, incomes, events, cadres, the rest, audit rows."""
        s = self.session
        plan = self.plan
        if s.get_bind().dialect.name == "sqlite":
            # a bigger page cache for this connection while it inserts: ID-number indexes take keys in random
            # order and a large import spends most of its time in their B-trees (restored in finish_batch)
            raw = s.connection().connection.dbapi_connection
            self._cache_size = raw.execute("PRAGMA cache_size").fetchone()[0]
            raw.execute("PRAGMA cache_size=-65536")
        self.batch_id = s.execute(insert(BATCH).returning(BATCH.c.id), [{
            "files": [], "file_name": "", "sha256": "", "user": self.user, "started_at": self.now,
        }]).scalar_one()
        total = (len(plan.households) + len(plan.members) + len(plan.incomes) + len(plan.events)
                 + len(plan.updates) + len(plan.pairings) + len(plan.benefits) + len(plan.measures)
                 + len(plan.visits) + len(plan.cadres))
        self.written, self.total = 0, total
        for node in plan.areas:
            node.id = s.execute(insert(AREA).returning(AREA.c.id), [{
                "level": node.level, "name": node.name, "code": node.code,
                "parent_id": node.parent.id if node.parent else None, "created_at": self.now}]).scalar_one()
        for node in self.area_by_id.values():
            if node.code_update:
                self.plan.updates.append((AREA, node.id, {"code": (node.code, node.code_update)}))

        if plan.households:
            self.generate_codes()
            rows = []
            for unit, row in plan.households:
                village = row.pop("_village")
                row["village_id"] = village.id if village is not None else None
                row["batch_id"] = self.batch_id
                row["code"] = unit.code
                rows.append(row)
            ids = self.insert(HOUSEHOLD, rows, returning=True)
            for (unit, _row), new_id in zip(plan.households, ids, strict=True):
                unit.household_id = new_id
        pause = os.environ.get("POVMON_IMPORT_PAUSE")
        if pause:  # for the test that kills an import midway: a moment with half the writes done
            sys.stderr.write("povmon: import paused mid-transaction\n")
            sys.stderr.flush()
            time.sleep(float(pause))
        self.insert(MEMBER, self.with_household(plan.members))
        self.insert(INCOME, self.with_household(plan.incomes))
        self.insert(EVENT, self.with_household(plan.events))
        if plan.cadres:
            rows = []
            for _number, row in plan.cadres:
                village = row.pop("_village")
                row["village_id"] = village.id if village is not None else None
                row["batch_id"] = self.batch_id
                rows.append(row)
            ids = self.insert(CADRE, rows, returning=True)
            for (number, _row), new_id in zip(plan.cadres, ids, strict=True):
                self.cadre_rows[number] = type("CadreRef", (), {"id": new_id})
        if plan.policies:
            rows = list(plan.policies.values())
            ids = self.insert(POLICY, rows, returning=True)
            for row, new_id in zip(rows, ids, strict=True):
                self.policies[row["name"]] = type("PolicyRef", (), {"id": new_id})
        self.write_others()
        self.write_updates()
        self.tick("写入", self.total, self.total)

    def with_household(self, planned: list[tuple[Unit, dict]]) -> list[dict]:
        """The rows, with the (now known) household id and the batch."""
        rows = []
        for unit, row in planned:
            row["household_id"] = unit.household_id
            row["batch_id"] = self.batch_id
            rows.append(row)
        return rows

    def write_others(self) -> None:
        """Write pairings, benefits, measures and visits with their cadre, policy and member ids."""
        plan = self.plan
        cadre_id = {n: r.id for n, r in self.cadre_rows.items()}
        member_of = dict(self.member_ids) if hasattr(self, "member_ids") else {}
        if plan.benefits:
            # members created by this import, for benefits that name one
            wanted = {r["_rec"].values.get("member_id") for _rec, r in plan.benefits} - {None}
            for row in self.fetch(lambda keys: select(MEMBER.c.id, MEMBER.c.household_id, MEMBER.c.id_number)
                                  .where(MEMBER.c.id_number.in_(keys)), wanted):
                member_of[(row.household_id, row.id_number)] = row.id
        for level, table in (("pairing", PAIRING), ("benefit", BENEFIT), ("measure", MEASURE), ("visit", VISIT)):
            rows = []
            for rec, row in getattr(plan, level + "s"):
                row.pop("_rec", None)
                v = rec.values
                row["household_id"] = rec.unit.household_id
                row["batch_id"] = self.batch_id
                if level == "pairing":
                    row.update(cadre_id=cadre_id[v["cadre_id"]], start_on=v["start_on"])
                    row.setdefault("end_on", None)
                    row.setdefault("end_reason", None)
                elif level == "benefit":
                    member = v.get("member_id")
                    row.update(policy_id=self.policies[v["policy"]].id, benefit_date=v["benefit_date"],
                               member_id=member_of.get((rec.unit.household_id, member)) if member else None)
                    row.setdefault("amount", ZERO)
                    row["amount"] = row["amount"] if row["amount"] is not None else ZERO
                    row.setdefault("note", None)
                elif level == "measure":
                    cadre = v.get("cadre_id")
                    row.update(kind=v["kind"], measure_date=v["measure_date"], description=v.get("description"),
                               cadre_id=cadre_id.get(cadre) if cadre else None)
                    row.setdefault("amount", None)
                else:
                    row.update(cadre_id=cadre_id[v["cadre_id"]], visit_date=v["visit_date"])
                    for k in ("done", "problems", "resolved"):
                        row.setdefault(k, None)
                rows.append(row)
            self.insert(table, rows)

    def generate_codes(self) -> None:
        """户编号 for new households of a roster that has none: the village code and a running number."""
        needing = [(u, r) for u, r in self.plan.households if u.code is None]
        if not needing:
            return
        prefixes: dict[str, int] = {}
        for unit, row in needing:
            village = row["_village"]
            prefix = village.code if village is not None and village.code else f"V{village.id if village else 0}-"
            if prefix not in prefixes:
                taken = [c for (c,) in self.session.execute(
                    select(HOUSEHOLD.c.code).where(HOUSEHOLD.c.code.like(prefix + "%")))]
                taken += [u.code for u, _r in self.plan.households if u.code and u.code.startswith(prefix)]
                numbers = [int(c[len(prefix):]) for c in taken if c[len(prefix):].isdigit()]
                prefixes[prefix] = max(numbers, default=0)
            prefixes[prefix] += 1
            unit.code = f"{prefix}{prefixes[prefix]:04d}"

    def insert(self, table: Table, rows: list[dict], *, returning: bool = False) -> list[int]:
        """Insert many rows; with ``returning`` the new ids in the order of the rows.

        SQLite: executemany in chunks. PostgreSQL: COPY, about ten times faster than multi-row INSERTs for
        hundreds of thousands of rows; ids that must be known are drawn from the table's sequence first.
        """
        if not rows:
            return []
        dialect = self.session.get_bind().dialect
        if dialect.name == "postgresql":
            return self.copy(table, rows, returning)
        if dialect.name == "sqlite":
            return self.executemany(table, rows, returning)
        ids: list[int] = []
        for i in range(0, len(rows), WRITE_CHUNK):
            chunk = rows[i:i + WRITE_CHUNK]
            if returning:
                result = self.session.execute(
                    insert(table).returning(table.c.id, sort_by_parameter_order=True), chunk)
                ids.extend(r[0] for r in result)
            else:
                self.session.execute(insert(table), chunk)
            self.written += len(chunk)
            self.tick("写入", self.written, self.total)
        return ids

    def executemany(self, table: Table, rows: list[dict], returning: bool) -> list[int]:
        """SQLite: the driver's executemany with values converted by the columns' own bind processors.

        SQLAlchemy's per-row parameter handling costs more than SQLite's insert itself at this scale. New ids
        follow the table's largest id: the batch row written first holds SQLite's write lock, so no other
        writer can take them in between.
        """
        dialect = self.session.get_bind().dialect
        ids: list[int] = []
        if returning:
            start = self.session.execute(select(func.max(table.c.id))).scalar() or 0
            ids = list(range(start + 1, start + 1 + len(rows)))
            for row, new_id in zip(rows, ids, strict=True):
                row["id"] = new_id
        names = [c.name for c in table.columns if c.name in rows[0]]
        converted = []
        for j, name in enumerate(names):
            column_type = table.c[name].type
            if isinstance(column_type, Boolean):
                continue  # sqlite3 stores Python's True/False as 1/0 itself
            processor = column_type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                converted.append((j, _repeating(processor)))
        quoted = ", ".join(f'"{n}"' for n in names)
        sql = f'INSERT INTO "{table.name}" ({quoted}) VALUES ({", ".join("?" * len(names))})'
        raw = self.session.connection().connection.dbapi_connection
        cursor = raw.cursor()
        try:
            for i in range(0, len(rows), WRITE_CHUNK):
                params = []
                for row in rows[i:i + WRITE_CHUNK]:
                    values = [row[n] for n in names]
                    for j, proc in converted:
                        values[j] = proc(values[j])
                    params.append(values)
                cursor.executemany(sql, params)
                self.written += len(params)
                self.tick("写入", self.written, self.total)
        finally:
            cursor.close()
        return ids

    def copy(self, table: Table, rows: list[dict], returning: bool) -> list[int]:
        """PostgreSQL COPY … FROM STDIN on the session's own connection (so inside the same transaction)."""
        ids: list[int] = []
        if returning:
            seq = self.session.execute(
                select(func.pg_get_serial_sequence(table.name, "id"))).scalar_one()
            ids = list(self.session.execute(
                select(func.nextval(seq)).select_from(func.generate_series(1, len(rows)))).scalars())
            for row, new_id in zip(rows, ids, strict=True):
                row["id"] = new_id
        names = [c.name for c in table.columns if c.name in rows[0]]
        for row in rows:
            for name in names:
                value = row[name]
                if isinstance(value, Decimal):
                    row[name] = value.quantize(FEN, rounding=ROUND_HALF_UP)
        raw = self.session.connection().connection.dbapi_connection
        columns = ", ".join(f'"{n}"' for n in names)
        with raw.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
            for n, row in enumerate(rows, 1):
                copy.write_row([row[name] for name in names])
                if n % WRITE_CHUNK == 0:
                    self.written += WRITE_CHUNK
                    self.tick("写入", self.written, self.total)
        self.written += len(rows) % WRITE_CHUNK
        return ids

    def write_updates(self) -> None:
        """Changed fields, grouped by table and set of fields (one executemany each), and their audit rows."""
        groups: dict[tuple, list[dict]] = defaultdict(list)
        audit: list[dict] = []
        for table, row_id, changes in self.plan.updates:
            params = {"_id": row_id}
            for name, (old, new) in changes.items():
                if isinstance(new, AreaNode):
                    new = new.id
                    if same(old, new):
                        continue
                params[name] = new
                audit.append({"at": self.now, "user": self.user, "action": "update", "table_name": table.name,
                              "row_id": row_id, "field": name, "old_value": render(old), "new_value": render(new),
                              "batch_id": self.batch_id, "note": None})
            if len(params) > 1:
                groups[(table.name, tuple(sorted(k for k in params if k != "_id")))].append(params)
        tables = {t.name: t for t in (AREA, HOUSEHOLD, MEMBER, INCOME, EVENT, CADRE, PAIRING, BENEFIT, MEASURE,
                                      VISIT)}
        for (name, keys), rows in groups.items():
            table = tables[name]
            stmt = update(table).where(table.c.id == bindparam("_id")).values(
                {table.c[k]: bindparam(k, type_=table.c[k].type) for k in keys})
            for i in range(0, len(rows), WRITE_CHUNK):
                self.session.execute(stmt, rows[i:i + WRITE_CHUNK])
                self.written += len(rows[i:i + WRITE_CHUNK])
                self.tick("写入", self.written, self.total)
        if audit:
            for i in range(0, len(audit), WRITE_CHUNK):
                self.session.execute(insert(AUDIT), audit[i:i + WRITE_CHUNK])

    def finish_batch(self, files: list[dict], counts: dict, errors: int, warnings: int, options: dict) -> None:
        """Complete the batch row: its files, counts and when it finished."""
        if getattr(self, "_cache_size", None) is not None:
            self.session.connection().connection.dbapi_connection.execute(f"PRAGMA cache_size={self._cache_size}")
        if self.batch_id is None:
            return
        self.session.execute(update(BATCH).where(BATCH.c.id == self.batch_id).values(
            files=files, file_name=", ".join(f["name"] for f in files),
            sha256=", ".join(f["sha256"] for f in files), finished_at=utcnow(), as_of=self.as_of,
            options=options, counts=counts, error_count=errors, warning_count=warnings))
