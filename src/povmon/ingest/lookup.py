"""Stage 2 of an import, lookup: what the register already holds about the records of the files.

Everything the later stages compare with is fetched here, in bulk, before anything is decided: the area tree,
the households the files name (by 户编号, else by their head's ID number), their members, incomes, events,
pairings, benefits, measures and visits, the cadres and policies the files refer to, and where the files'
people are present outside those households. One query per table and chunk of keys, never one per row; Core
rows, not ORM objects; provenance columns are not fetched (less to compare with). The result is a ``Register``:
plain data that the check and plan stages read (the check stage plans the areas it creates in its area tree, so
that the next household finds them).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy import Table, select, text
from sqlalchemy.orm import Session

from povmon.ingest.clean import Parsed, Unit
from povmon.models import Benefit, Cadre, Household, HouseholdEvent, Income, Measure, Member, Pairing, Policy, Visit
from povmon.services.lookup import AreaTree, present_households

HOUSEHOLD = Household.__table__
MEMBER = Member.__table__
INCOME = Income.__table__
EVENT = HouseholdEvent.__table__
CADRE = Cadre.__table__
POLICY = Policy.__table__
OTHER_TABLES = {"pairing": Pairing.__table__, "benefit": Benefit.__table__, "measure": Measure.__table__,
                "visit": Visit.__table__}
# what identifies a pairing, benefit, measure or visit of a household (the register's columns)
OTHER_KEYS = {"pairing": ("cadre_id", "start_on"), "benefit": ("policy_id", "benefit_date", "member_id"),
              "measure": ("kind", "measure_date", "description"), "visit": ("cadre_id", "visit_date")}

CHUNK = 2000  # keys per IN (...) query
_PROVENANCE = frozenset({"batch_id", "source_file", "source_sheet", "source_row", "created_at", "created_by",
                         "updated_at"})


def data_columns(table: Table) -> list:
    """A table's columns without the provenance ones: what comparing with a file needs (less to fetch)."""
    return [c for c in table.columns if c.name not in _PROVENANCE]


def fetch(session: Session, build: Callable[[list], object], keys: Iterable) -> list:
    """Rows for many keys, a chunk of keys per query."""
    keys = list(dict.fromkeys(k for k in keys if k is not None))
    rows: list = []
    for i in range(0, len(keys), CHUNK):
        rows.extend(session.execute(build(keys[i:i + CHUNK])).all())
    return rows


@dataclass
class Register:
    """What the register holds about the files' records (``lookup`` builds it; the later stages read it)."""

    tree: AreaTree
    households: dict[str, object] = field(default_factory=dict)  # unit key → the household row
    codes: dict[int, str] = field(default_factory=dict)  # household id → 户编号, of those households
    members: dict[int, list] = field(default_factory=lambda: defaultdict(list))  # household id → member stints
    stints: dict[str, list] = field(default_factory=lambda: defaultdict(list))  # ID number → stints (those households)
    elsewhere: dict[str, object] = field(default_factory=dict)  # ID number → where present outside them
    cadres: dict[str, object] = field(default_factory=dict)  # ID number → cadre row
    incomes: dict[int, dict[tuple[int, int], object]] = field(default_factory=lambda: defaultdict(dict))
    events: dict[int, list] = field(default_factory=lambda: defaultdict(list))  # household id → its events
    others: dict[str, dict[tuple, object]] = field(default_factory=dict)  # level → (household id, *key) → row
    policies: dict[str, object] = field(default_factory=dict)  # name → policy row
    hidden: dict[str, int] = field(default_factory=dict)  # unit key → village of a household the login may not see
    rls: set[str] | None = None  # PostgreSQL: the tables whose row-level security applies to this login

    def household(self, unit: Unit):
        """The register's row of the unit's household, or None for a household new to the register."""
        return self.households.get(unit.key)

    def household_id(self, unit: Unit) -> int | None:
        """The id of the unit's household in the register, or None when it is new."""
        row = self.households.get(unit.key)
        return None if row is None else row.id

    def code(self, unit: Unit) -> str | None:
        """The unit's 户编号: the file's, or the register's for a household found by its head's ID number."""
        row = self.households.get(unit.key)
        return unit.code if row is None else row.code

    def member_ids(self) -> dict[tuple[int, str], int]:
        """{(household id, ID number): member id} of the stints fetched."""
        return {(s.household_id, s.id_number): s.id for stints in self.stints.values() for s in stints}


def lookup(session: Session, parsed: Parsed) -> Register:
    """Fetch what the register holds about everything the files name (see the module docstring)."""
    register = Register(AreaTree.load(session))  # the same tree data entry finds areas in (services.lookup)
    _households(session, parsed, register)
    _members(session, parsed, register)
    _cadres(session, parsed, register)
    _incomes_and_events(session, parsed, register)
    _others(session, parsed, register)
    return register


def _head_id(unit: Unit) -> str | None:
    if unit.head_id:
        return unit.head_id
    return next((m.values.get("id_number") for m in unit.members
                 if m.values.get("relation") == "head" and m.values.get("id_number")), None)


def _households(session: Session, parsed: Parsed, register: Register) -> None:
    """The households the files name: by 户编号, else by their head's ID number."""
    units = parsed.units.values()
    by_code = {u.code: u for u in units if u.code}
    rows = fetch(session, lambda keys: select(*data_columns(HOUSEHOLD)).where(HOUSEHOLD.c.code.in_(keys)), by_code)
    for row in rows:
        register.households[by_code[row.code].key] = row
        register.codes[row.id] = row.code
    _hidden(session, {code: unit for code, unit in by_code.items() if unit.key not in register.households}, register)
    headless = {}
    for unit in units:
        if unit.code is None:
            head = _head_id(unit)
            if head:
                headless[head] = unit
    if not headless:
        return
    found = fetch(session, lambda keys: select(MEMBER.c.id_number, MEMBER.c.household_id).where(
        MEMBER.c.id_number.in_(keys), MEMBER.c.left_on.is_(None), MEMBER.c.relation == "head"), headless)
    ids = {r.household_id: headless[r.id_number] for r in found}
    for row in fetch(session, lambda keys: select(*data_columns(HOUSEHOLD)).where(HOUSEHOLD.c.id.in_(keys)), ids):
        register.households[ids[row.id].key] = row
        register.codes[row.id] = row.code


def _rls(session: Session, register: Register) -> set[str]:
    """The tables PostgreSQL's policies filter for this login (none on SQLite, none for the owner), asked once."""
    if register.rls is None:
        register.rls = set()
        if session.get_bind().dialect.name == "postgresql":
            from povmon import pgaccess

            register.rls = pgaccess.rls_tables(session.connection())
    return register.rls


def _hidden_people(session: Session, wanted: list[str], register: Register) -> None:
    """Under row-level security: the files' people present in a household this login may not see (by keyed hash,
    ``pgaccess``'s ``povmon_present_people``), so that the check stage says where they are."""
    missing = [n for n in dict.fromkeys(wanted) if n not in register.elsewhere]
    if not missing or "member" not in _rls(session, register):
        return
    from types import SimpleNamespace

    from povmon import crypto

    by_hash = {crypto.id_hash(n): n for n in missing}
    hashes = list(by_hash)
    for keys in (hashes[i:i + CHUNK] for i in range(0, len(hashes), CHUNK)):
        query = text("SELECT id_hash, household_id, code FROM povmon_present_people(:hashes)")
        for hashed, household_id, code in session.execute(query, {"hashes": keys}):
            number = by_hash[hashed]
            register.elsewhere[number] = SimpleNamespace(id=None, id_number=number, name=None,
                                                         household_id=household_id, code=code)


def _hidden(session: Session, by_code: dict, register: Register) -> None:
    """On PostgreSQL under row-level security: the files' 户编号 that the register holds outside the login's scope
    (``pgaccess``'s ``povmon_household_villages``), so that the check stage refuses them by name."""
    if not by_code or "household" not in _rls(session, register):
        return
    for keys in (list(by_code)[i:i + CHUNK] for i in range(0, len(by_code), CHUNK)):
        for code, village_id in session.execute(text("SELECT code, village_id FROM povmon_household_villages(:codes)"),
                                                {"codes": keys}):
            register.hidden[by_code[code].key] = village_id


def _members(session: Session, parsed: Parsed, register: Register) -> None:
    """Members of the files' households, and anyone in the files present in another household."""
    existing = [row.id for row in register.households.values()]
    for row in fetch(session, lambda keys: select(*data_columns(MEMBER)).where(MEMBER.c.household_id.in_(keys)),
                     existing):
        register.members[row.household_id].append(row)
        register.stints[row.id_number].append(row)
    wanted = [m.values["id_number"] for u in parsed.units.values() for m in u.members
              if m.values.get("id_number") and m.values["id_number"] not in register.stints]
    # the lookup data entry makes for one person, here for everyone in the files at once
    register.elsewhere = present_households(session, wanted)
    _hidden_people(session, wanted, register)


def _cadres(session: Session, parsed: Parsed, register: Register) -> None:
    """The cadres the files name or refer to."""
    wanted = {rec.values.get("id_number") for rec in parsed.cadres}
    wanted |= {rec.values.get("cadre_id") for rec in parsed.others}
    register.cadres = {r.id_number: r for r in fetch(
        session, lambda keys: select(*data_columns(CADRE)).where(CADRE.c.id_number.in_(keys)), wanted)}


def _incomes_and_events(session: Session, parsed: Parsed, register: Register) -> None:
    """The register's income entries and status events of the files' households that bring either."""
    with_incomes, with_events = [], []
    for unit in parsed.units.values():
        household_id = register.household_id(unit)
        if household_id is None:
            continue
        if unit.incomes:
            with_incomes.append(household_id)
        if unit.events or (unit.household is not None and "status" in unit.household.values):
            with_events.append(household_id)
    for row in fetch(session, lambda keys: select(*data_columns(INCOME)).where(INCOME.c.household_id.in_(keys)),
                     with_incomes):
        register.incomes[row.household_id][(row.year, row.month)] = row
    for row in fetch(session, lambda keys: select(*data_columns(EVENT)).where(EVENT.c.household_id.in_(keys)),
                     with_events):
        register.events[row.household_id].append(row)


def _others(session: Session, parsed: Parsed, register: Register) -> None:
    """Pairings, benefits, measures and visits of the households the files bring them for; policies by name."""
    others = [r for r in parsed.others if r.unit is not None and r.level in OTHER_TABLES]
    ids = [register.household_id(r.unit) for r in others]
    for level, table in OTHER_TABLES.items():
        if not any(r.level == level for r in others):
            continue
        rows = fetch(session, lambda keys, table=table: select(*data_columns(table)).where(
            table.c.household_id.in_(keys)), ids)
        key = OTHER_KEYS[level]
        register.others[level] = {(r.household_id, *(getattr(r, k) for k in key)): r for r in rows}
    names = {r.values.get("policy") for r in others if r.level == "benefit"}
    if names:
        register.policies = {p.name: p for p in fetch(
            session, lambda keys: select(POLICY).where(POLICY.c.name.in_(keys)), names)}
