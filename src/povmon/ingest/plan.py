"""Stage 4 of an import, plan: what to insert, what to update and what to leave, decided before anything is written.

For every accepted household (and every record that stands alone) the planner compares what the file says with
what the register holds (``Register``): a record the register lacks becomes a new row (its columns built by
rules.records, the functions data entry builds its records with), a record it has becomes an ``Update`` of the
fields whose value differs (each with its audit row when written), and the rest is counted ``unchanged``. A new
record that refers to another new one (a member to its new household, a pairing to a new cadre, a benefit to a
new policy) holds that record's ``Slot``, which the write stage fills with the id it gets. The result is a
``Plan`` with the counts of docs/CONTRACTS.md (docs/CONTRACTS.md, "import --json").
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy import Table

from povmon.ingest.check import Checked
from povmon.ingest.clean import Parsed, Rec, Unit
from povmon.ingest.events import implied_events
from povmon.ingest.lookup import CADRE, EVENT, HOUSEHOLD, INCOME, MEMBER, OTHER_TABLES, Register
from povmon.models import Area
from povmon.rules import records
from povmon.services.audit import same
from povmon.services.lookup import AreaNode

AREA = Area.__table__
Progress = Callable[[str, int, int], None]


def blank_counts() -> dict[str, int]:
    """The counts of one kind of record (docs/CONTRACTS.md)."""
    return {"created": 0, "updated": 0, "unchanged": 0, "rejected": 0}


@dataclass(eq=False, slots=True)
class Slot:
    """The id of a record: known for what the register has, filled in by the writer for what the import creates."""

    id: int | None = None


@dataclass(slots=True)
class NewHousehold:
    unit: Unit
    village: AreaNode | None
    row: dict
    slot: Slot
    code: str | None  # None: a roster without 户编号 (the writer numbers the household in its village)


@dataclass(slots=True)
class NewRow:
    """A member, income entry or status event of a household (maybe a household new in this import)."""

    household: Slot
    row: dict


@dataclass(slots=True)
class NewCadre:
    village: AreaNode | None
    row: dict
    slot: Slot


@dataclass(slots=True)
class NewPolicy:
    row: dict
    slot: Slot


@dataclass(slots=True)
class NewRecord:
    """A pairing, benefit, measure or visit, with the records it refers to."""

    level: str
    household: Slot
    row: dict
    cadre: Slot | None = None
    policy: Slot | None = None
    member: str | None = None  # a benefit's member, by ID number (maybe a member new in this import)


@dataclass(slots=True)
class Update:
    """Fields of one row that change: {field: (old, new)}; a new value may be an AreaNode or a Slot."""

    table: Table
    id: int
    changes: dict[str, tuple[object, object]]


@dataclass
class Plan:
    """What the import will write, and the counts per kind of record."""

    areas: list[AreaNode] = field(default_factory=list)
    households: list[NewHousehold] = field(default_factory=list)
    members: list[NewRow] = field(default_factory=list)
    incomes: list[NewRow] = field(default_factory=list)
    events: list[NewRow] = field(default_factory=list)
    cadres: list[NewCadre] = field(default_factory=list)
    policies: dict[str, NewPolicy] = field(default_factory=dict)
    others: dict[str, list[NewRecord]] = field(default_factory=lambda: {level: [] for level in OTHER_TABLES})
    updates: list[Update] = field(default_factory=list)
    member_ids: dict[tuple[int, str], int] = field(default_factory=dict)  # the register's stints of the files
    counts: dict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(blank_counts))

    def empty(self) -> bool:
        """Whether there is nothing to write."""
        return not (self.areas or self.households or self.members or self.incomes or self.events or self.cadres
                    or self.policies or self.updates or any(self.others.values()))

    def size(self) -> int:
        """How many rows the writer writes (for its progress)."""
        return (len(self.households) + len(self.members) + len(self.incomes) + len(self.events) + len(self.cadres)
                + len(self.updates) + sum(len(rows) for rows in self.others.values()))


class Planner:
    """Compares the accepted records with the register and fills a Plan (see the module docstring)."""

    def __init__(self, parsed: Parsed, register: Register, checked: Checked, *, user: str, as_of: dt.date,
                 now: dt.datetime, progress: Progress | None = None):
        self.parsed = parsed
        self.register = register
        self.checked = checked
        self.user = user
        self.as_of = as_of
        self.now = now
        self.progress = progress
        # the register's stints by household and ID number: what a benefit that names a member refers to
        benefits = any(r.level == "benefit" for r in parsed.others)
        self.plan = Plan(member_ids=register.member_ids() if benefits else {})
        self.slots: dict[str, Slot] = {}  # unit key → its household's slot
        self.cadre_slots: dict[str, Slot] = {number: Slot(row.id) for number, row in register.cadres.items()}
        self.new_incomes: dict[int, dict] = defaultdict(dict)  # id(unit) → (year, month) → planned row

    def provenance(self, rec: Rec) -> dict:
        """The provenance columns of a record created from this row (the batch id comes when written)."""
        return {"batch_id": None, "source_file": rec.src.file, "source_sheet": rec.src.name,
                "source_row": rec.row, "created_at": self.now, "created_by": self.user}

    def diff(self, table: Table, row, new: dict, count: dict[str, int]) -> None:
        """Plan an update of the fields whose value changes (with their audit rows), and count it."""
        changes = {}
        mapping = row._mapping
        for name, value in new.items():
            old = mapping[name]
            # equal by == is the same for the register too (a re-import compares millions of unchanged values)
            if old != value and not same(old, value):
                changes[name] = (old, value)
        if changes:
            self.plan.updates.append(Update(table, mapping["id"], changes))
        count["updated" if changes else "unchanged"] += 1

    # --- the whole plan -------------------------------------------------------------------------------------
    def run(self) -> Plan:
        """Plan areas, households (with members, incomes, events), cadres, the rest; count the rejected."""
        self.plan.areas = list(self.checked.places.created)
        self.units()
        self.cadres()
        self.others()
        self.area_codes()
        self.rejected()
        return self.plan

    def area_codes(self) -> None:
        """The codes the files give areas that have none (or another)."""
        by_id = self.register.tree.by_id
        for area_id, code in self.checked.places.codes.items():
            self.plan.updates.append(Update(AREA, area_id, {"code": (by_id[area_id].code, code)}))

    def units(self) -> None:
        """Every accepted household: the household, its members, incomes and events."""
        units = [u for u in self.parsed.units.values() if not u.bad]
        for n, unit in enumerate(units):
            if self.progress is not None and n % 5000 == 0:
                self.progress("比对", n, len(units))
            hh = unit.household
            slot = self.household(unit, hh) if hh is not None and hh.values else None
            if slot is None:
                slot = Slot(self.register.household_id(unit))
            self.slots[unit.key] = slot
            if unit.members:
                self.members(unit, slot)
            for rec in unit.incomes:
                self.income(unit, slot, rec)
            if hh is not None and "status" in hh.values:
                self.status(unit, slot, hh)
            for rec in unit.events:
                self.event(unit, slot, rec)

    def household(self, unit: Unit, hh: Rec) -> Slot:
        """A new household, or the changed fields of an existing one."""
        village = self.checked.village(unit)
        count = self.plan.counts["households"]
        db = self.register.household(unit)
        if db is None:
            row = records.household(hh.values)
            row.update(code=unit.code, updated_at=None, **self.provenance(hh))
            slot = Slot()
            self.plan.households.append(NewHousehold(unit, village, row, slot, unit.code))
            count["created"] += 1
            return slot
        fields = records.household_changes(hh.values)
        if village is not None and (village.new or village.id != db.village_id):
            fields["village_id"] = village  # resolved to an id when written
        self.diff(HOUSEHOLD, db, fields, count)
        return Slot(db.id)

    def members(self, unit: Unit, slot: Slot) -> None:
        """New members (stints) and changed fields of the ones the household already has."""
        count = self.plan.counts["members"]
        stints = self.register.stints
        household_id = slot.id
        as_of = self.as_of
        for rec in unit.members:
            v = rec.values
            mine = [s for s in stints.get(v["id_number"], ()) if household_id is not None
                    and s.household_id == household_id]
            current = next((s for s in mine if s.left_on is None), None) or (mine[-1] if mine else None)
            if current is None:
                row = records.member(v, as_of)
                row.update(updated_at=None, **self.provenance(rec))
                self.plan.members.append(NewRow(slot, row))
                count["created"] += 1
                continue
            self.diff(MEMBER, current, records.member_changes(v, as_of, current.left_on), count)

    def income(self, unit: Unit, slot: Slot, rec: Rec) -> None:
        """A new income entry (household, year, month) or its changed amounts."""
        v = rec.values
        count = self.plan.counts["incomes"]
        year, month = v.get("year"), v.get("month") or 0
        if year is None:
            return
        planned = self.new_incomes[id(unit)]
        existing = self.register.incomes.get(slot.id, {}).get((year, month)) if slot.id is not None else None
        if existing is None:
            if (year, month) in planned:
                count["unchanged"] += 1  # the same key twice in the files: the first one wins
                return
            row = records.new_income(v)
            row.update(self.provenance(rec))
            self.plan.incomes.append(NewRow(slot, row))
            planned[(year, month)] = row
            count["created"] += 1
            return
        self.diff(INCOME, existing, records.income(v), count)

    def status(self, unit: Unit, slot: Slot, hh: Rec) -> None:
        """The status events a roster implies that the register lacks (ingest.events)."""
        v = hh.values
        count = self.plan.counts["events"]
        existing = self.register.events.get(slot.id, []) if slot.id is not None else []
        added, stated = implied_events(v.get("status"), v.get("identified_year"), v.get("exited_year"), existing,
                                       self.as_of)
        for ev in added:
            details = {"standard": v.get("standard"), "cause": v.get("main_cause")} if ev.kind == "identified" else None
            row = records.new_event(ev.kind, ev.event_date, ev.year_only, details)
            row.update(self.provenance(hh))
            self.plan.events.append(NewRow(slot, row))
        count["created"] += len(added)
        count["unchanged"] += max(stated - len(added), 0)

    def event(self, unit: Unit, slot: Slot, rec: Rec) -> None:
        """An event of the 识别变动 sheet: new, or the changed details of the same (kind, date)."""
        v = rec.values
        count = self.plan.counts["events"]
        day, year_only = v["event_date"]
        existing = self.register.events.get(slot.id, []) if slot.id is not None else []
        known = next((e for e in existing if e.kind == v["kind"] and e.event_date == day), None)
        new = records.event(v)
        if known is not None:
            self.diff(EVENT, known, new, count)
            return
        if any(p.household is slot and p.row["kind"] == v["kind"] and p.row["event_date"] == day
               for p in self.plan.events):
            count["unchanged"] += 1
            return
        row = records.new_event(v["kind"], day, year_only, new)
        row.update(self.provenance(rec))
        self.plan.events.append(NewRow(slot, row))
        count["created"] += 1

    # --- cadres and the records that stand alone ------------------------------------------------------------
    def cadres(self) -> None:
        """New cadres, or the changed fields of known ones (key: ID number)."""
        if not self.parsed.cadres:
            return
        count = self.plan.counts["cadres"]
        villages = self.checked.cadre_villages
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
            village = villages.get(id(rec))
            existing = self.register.cadres.get(number)
            if existing is None:
                row = records.new_cadre(v)
                row.update(self.provenance(rec))
                slot = Slot()
                self.cadre_slots[number] = slot
                self.plan.cadres.append(NewCadre(village, row, slot))
                count["created"] += 1
                continue
            new = records.cadre(v)
            if village is not None:
                new["village_id"] = village if village.new else village.id  # a new area gets its id when written
            self.diff(CADRE, existing, new, count)

    def others(self) -> None:
        """Pairings, benefits, measures and visits: new ones, or changes to the same key."""
        seen: set = set()
        for rec in self.parsed.others:
            if rec.unit is None or rec.level not in OTHER_TABLES or rec.bad or rec.unit.bad:
                continue
            slot = self.slots.get(rec.unit.key) or Slot(self.register.household_id(rec.unit))
            self.other(rec, slot, seen)

    def other(self, rec: Rec, slot: Slot, seen: set) -> None:
        """One pairing, benefit, measure or visit: new (once per file key), or the changes to the register's."""
        level, v = rec.level, rec.values
        count = self.plan.counts[level + "s"]
        cadre = v.get("cadre_id")
        cadre_slot = self.cadre_slots.get(cadre) if cadre else None
        item = NewRecord(level, slot, {}, cadre_slot)
        key, new = self._columns(item, v)
        known = None
        if slot.id is not None and key[0] is not None:
            known = self.register.others.get(level, {}).get((slot.id, *key))
        if known is not None:
            self.diff(OTHER_TABLES[level], known, new, count)
            return
        file_key = (id(rec.unit), level, cadre, *key[1:]) if level != "benefit" else (
            id(rec.unit), level, v["policy"], v["benefit_date"], v.get("member_id"))
        if file_key in seen:
            count["unchanged"] += 1
            return
        seen.add(file_key)
        item.row.update(new)
        item.row.update(self.provenance(rec))
        self.plan.others[level].append(item)
        count["created"] += 1

    def _columns(self, item: NewRecord, v: dict) -> tuple[tuple, dict]:
        """The register's key of a pairing, benefit, measure or visit (household left out), and its values.

        Fills the item's own columns (the ids of what it refers to come when written) and, for a benefit,
        its policy and member. A cadre new in this import has no id yet: nothing of the register matches it.
        """
        level = item.level
        cadre_id = item.cadre.id if item.cadre is not None else None
        if level == "pairing":
            item.row = {"start_on": v["start_on"], "end_on": None, "end_reason": None}
            return (cadre_id, v["start_on"]), {k: v[k] for k in ("end_on", "end_reason") if k in v}
        if level == "benefit":
            item.policy = self.policy(v)
            item.member = v.get("member_id")
            member_id = self.plan.member_ids.get((item.household.id, item.member)) if item.member else None
            item.row = {"benefit_date": v["benefit_date"], "amount": records.ZERO, "note": None}
            new = {k: v[k] for k in ("amount", "note") if k in v}
            if "amount" in new and new["amount"] is None:
                new["amount"] = records.ZERO
            return (item.policy.id, v["benefit_date"], member_id), new
        if level == "measure":
            item.row = {"kind": v["kind"], "measure_date": v["measure_date"], "description": v.get("description"),
                        "amount": None}
            new = {k: v[k] for k in ("amount",) if k in v}
            key = (v["kind"], v["measure_date"], v.get("description"))
            if "cadre_id" in v:
                return key, {**new, "cadre_id": cadre_id}
            return key, new
        item.row = {"visit_date": v["visit_date"], "done": None, "problems": None, "resolved": None}
        return (cadre_id, v["visit_date"]), {k: v[k] for k in ("done", "problems", "resolved") if k in v}

    def policy(self, v: dict) -> Slot:
        """The slot of a benefit's policy: the register's, or a new one in the catalogue (by name)."""
        name = v["policy"]
        known = self.register.policies.get(name)
        if known is not None:
            return Slot(known.id)
        planned = self.plan.policies.get(name)
        if planned is None:
            planned = self.plan.policies[name] = NewPolicy(
                {"name": name, "category": v.get("category") or "other", "description": None, "created_at": self.now},
                Slot())
        return planned.slot

    def rejected(self) -> None:
        """Rejected records per kind (a rejected household's records all count) and the areas' counts."""
        c = self.plan.counts
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
        if "areas" in self.parsed.kinds:
            places = self.checked.places
            area = c["areas"]
            area["created"] = len(places.created)
            area["updated"] = len(places.codes)
            area["unchanged"] = len(places.used - set(places.codes))


def plan(parsed: Parsed, register: Register, checked: Checked, *, user: str, as_of: dt.date, now: dt.datetime,
         progress: Progress | None = None) -> Plan:
    """What the import writes (see the module docstring)."""
    return Planner(parsed, register, checked, user=user, as_of=as_of, now=now, progress=progress).run()


def resolve(value: object) -> object:
    """A planned value as the register stores it: a planned area or record by its (now known) id."""
    if isinstance(value, (AreaNode, Slot)):
        return value.id
    return value


def rows_of(items: Iterable[NewRow], batch_id: int) -> list[dict]:
    """The rows of members, incomes or events, with their household's (now known) id and the batch."""
    rows = []
    for item in items:
        row = item.row
        row["household_id"] = item.household.id
        row["batch_id"] = batch_id
        rows.append(row)
    return rows
