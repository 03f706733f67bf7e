"""Stage 3 of an import, check: every rule that needs the register, applied to the parsed records.

Given what the files say (``Parsed``) and what the register holds (``Register``, from the lookup stage), each
household's records are judged by the rules data entry applies too (rules.checks, rules.records): the village
it is in (ingest.areas), a person present in another household, one head, the declared size, a member's dates
against their birth, the order of status events; then the records that stand alone: a pairing's, visit's or
measure's cadre, a benefit's member, a cadre's village. A problem is recorded at its file, sheet, row and column
(``Problems``); an error marks the household (or the lone record) rejected. The decisions the plan stage needs
come back as a ``Checked``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol

from povmon.ingest import validate
from povmon.ingest.areas import AreaResolver, Places
from povmon.ingest.clean import Parsed, Problems, Rec, Unit
from povmon.ingest.events import implied_events
from povmon.ingest.lookup import Register
from povmon.rules import checks, idcard, records
from povmon.rules.checks import PlannedEvent
from povmon.rules.status import sort_key
from povmon.rules.vocab import EVENT_KIND
from povmon.services.lookup import AreaNode, path_of

Progress = Callable[[str, int, int], None]
_NEW_EVENT_ID = 1 << 61  # events of the file sort after the register's events of the same day


@dataclass
class Checked:
    """What the check stage decided besides the problems: where households and cadres are."""

    places: Places
    cadre_villages: dict[int, AreaNode | None] = field(default_factory=dict)  # id(cadre rec) → village (or None)

    def village(self, unit: Unit) -> AreaNode | None:
        """The household's village (existing or planned), None when the file gives none."""
        return self.places.village_of.get(unit.key)


def check(parsed: Parsed, register: Register, *, as_of: dt.date, create_areas: bool,
          progress: Progress | None = None, scope: Scope | None = None) -> Checked:
    """Apply every rule that needs the register; marks rejected households and records (see the docstring)."""
    resolver = AreaResolver(register.tree, parsed, create_areas=create_areas)
    resolver.area_sheet()
    units = list(parsed.units.values())
    for n, unit in enumerate(units):
        if progress is not None and n % 5000 == 0:
            progress("检查", n, len(units))
        _unit(parsed.problems, register, resolver, unit, as_of, scope)
    checked = Checked(resolver.places)
    _others(parsed, register)
    _cadre_villages(parsed, register, checked)
    return checked


class Scope(Protocol):
    """Whose households an import may write (services.access.Actor): by id and village, or a new one's area."""

    sees_all: bool
    who: str
    scope_label: str

    def household_visible(self, household_id: int | None, village_id: int | None = None) -> bool: ...

    def area_visible(self, area_id: int | None) -> bool: ...


def _scope(problems: Problems, register: Register, places: Places, unit: Unit, scope: Scope) -> bool:
    """``out_of_scope``: the household (as the register has it, and as the file places it) lies outside the acting
    user's area; rejected whole, naming its area, and the rest of the files imported. True when refused."""
    row = register.household(unit)
    node = places.village_of.get(unit.key)
    where = None
    if row is not None and not scope.household_visible(row.id, row.village_id):
        where = register.tree.by_id.get(row.village_id)
    elif node is not None:
        known = node
        while known is not None and known.id is None:  # a village planned under an existing township
            known = known.parent
        if not (scope.household_visible(None, node.id) if node.id is not None else scope.area_visible(
                known.id if known is not None else None)):
            where = node
    rec = unit.household or (unit.members or unit.incomes or unit.events or unit.others or [None])[0]
    if where is None or rec is None:
        return False
    shown = "/".join(path_of(where).split("/")[1:]) or path_of(where)
    column = rec.src.layout.header_of("household", "village") if unit.household is not None else None
    _report(problems, checks.out_of_scope(register.code(unit), shown, scope.who, scope.scope_label), rec,
            column, where.name, unit)
    return True


def _report(problems: Problems, found: Iterable[checks.Problem], rec: Rec, column: str | None, value: object,
            unit: Unit | None = None) -> None:
    """Record rules.checks problems as errors at a record's row."""
    for p in found:
        problems.error(rec.src, rec.row, column, value, p.code, p.message, unit)


def _unit(problems: Problems, register: Register, resolver: AreaResolver, unit: Unit, as_of: dt.date,
          scope: Scope | None = None) -> None:
    """One household: its area and the acting user's scope, people present elsewhere, members' dates, events' order,
    heads and size. A household outside the scope is refused before anything of the register is compared to it."""
    household_id = register.household_id(unit)
    if unit.household is None and household_id is None:
        _orphan(problems, unit)
        return
    if unit.household is not None and unit.household.values:
        village = resolver.resolve(unit)
        if village is not None:
            resolver.places.village_of[unit.key] = village
    if scope is not None and not scope.sees_all and _scope(problems, register, resolver.places, unit, scope):
        return
    if unit.events:
        _event_order(problems, register.events.get(household_id, []), unit, as_of)
    db_members = register.members.get(household_id, []) if household_id is not None else []
    if not unit.members:
        if db_members and unit.household is not None:  # 户信息 alone: its 家庭人口 against the register
            validate.size_warning(problems, unit, len(_on_register(db_members, as_of)))
        return
    _members(problems, register, unit, household_id, as_of)
    if any(not m.values for m in unit.members):
        return  # a member row is already wrong: heads and size would be judged on part of the household
    file_ids = {m.values.get("id_number") for m in unit.members if m.values.get("id_number")}
    kept = sorted((r for r in _on_register(db_members, as_of) if r.id_number not in file_ids), key=lambda r: r.id)
    file_present = validate.present_in_file(unit)
    validate.check_heads(problems, unit, file_present, kept)
    validate.size_warning(problems, unit, len(file_present) + len(kept))


def _members(problems: Problems, register: Register, unit: Unit, household_id: int | None, as_of: dt.date) -> None:
    """Each member row: not present in another household; joining and leaving dates against birth."""
    for rec in unit.members:
        values = rec.values
        number = values.get("id_number")
        if not number:
            continue
        state = values.get("state")
        mine = None
        if state in records.LEFT or state == "added":
            mine = next((s for s in register.stints.get(number, ()) if s.household_id == household_id), None)
            joined, left = records.member_state_dates(values, as_of, mine.joined_on if mine is not None else None)
            found = records.member_dates(number, joined, left)
            if found:
                _report(problems, found, rec, rec.src.layout.header_of("member", "state_date"),
                        values.get("state_date"), unit)
        if state in records.LEFT:
            continue
        other = register.elsewhere.get(number)
        if other is None:
            for stint in register.stints.get(number, ()):
                if stint.left_on is None and stint.household_id != household_id:
                    other = stint
        if other is not None:
            code = getattr(other, "code", None) or register.codes.get(other.household_id)
            _report(problems, checks.id_in_other_household(number, other.name, code), rec,
                    rec.src.layout.header_of("member", "id_number"), number, unit)


def _event_order(problems: Problems, stored: list, unit: Unit, as_of: dt.date) -> None:
    """The 识别变动 rows of a household, in the order they take effect, each after the status before it.

    The rule of data entry (rules.checks.history): an exit needs a poor household, monitoring one that is
    not poor now, and so on; an event the register already has (same kind and date) is an update, not new.
    The status a roster's columns state (脱贫状态 and its years, ingest.events) comes before the sheet's events.
    """
    history = list(stored)
    hh = unit.household
    if hh is not None and hh.values and "status" in hh.values:
        v = hh.values
        implied, _stated = implied_events(v.get("status"), v.get("identified_year"), v.get("exited_year"), stored,
                                          as_of)
        history.extend(PlannedEvent(e.kind, e.event_date, id=_NEW_EVENT_ID - 1 - n) for n, e in enumerate(implied))
    have = {(e.kind, e.event_date) for e in history}
    rows = [r for r in unit.events if r.values]
    planned = [(PlannedEvent(r.values["kind"], r.values["event_date"][0], r.values.get("monitoring_type"),
                             id=_NEW_EVENT_ID + n), r) for n, r in enumerate(rows)]
    for event, rec in sorted(planned, key=lambda pr: sort_key(pr[0])):
        if (event.kind, event.event_date) in have:
            continue
        found = checks.history(history, event)
        if found:
            _report(problems, found, rec, rec.src.layout.header_of("event", "kind"), EVENT_KIND.label(event.kind),
                    unit)
            continue
        history.append(event)
        have.add((event.kind, event.event_date))


def _on_register(rows: list, as_of: dt.date) -> list:
    """The register's members of a household who are present on the import's as-of day."""
    return [r for r in rows if r.left_on is None and (r.joined_on is None or r.joined_on <= as_of)]


def _orphan(problems: Problems, unit: Unit) -> None:
    """Records of a household that is neither in the files nor in the register."""
    for rec in unit.members:
        header = rec.src.layout.header_of("household", "code")
        problems.error(rec.src, rec.row, header, unit.code, "orphan_member",
                       f"户编号 {unit.code} 的户不在本次导入的户信息中，数据库中也没有；"
                       "请先导入该户（户信息表或花名册），或核对户编号", unit)
    unknown = checks.unknown_household(unit.code)
    for rec in (*unit.incomes, *unit.events):
        _report(problems, unknown, rec, rec.src.layout.header_of("household", "code"), unit.code, unit)
    for rec in unit.others:
        if rec.bad:
            continue
        _report(problems, unknown, rec, rec.src.layout.header_of("household", "code"), unit.code)
        rec.bad = True


def _others(parsed: Parsed, register: Register) -> None:
    """Pairings, visits and measures need a known cadre; benefits a known member when one is named."""
    file_cadres = {rec.values["id_number"] for rec in parsed.cadres if not rec.bad and rec.values.get("id_number")}
    for rec in parsed.others:
        if rec.bad or rec.unit is None:
            continue
        cadre_id = rec.values.get("cadre_id")
        if cadre_id and cadre_id not in file_cadres and cadre_id not in register.cadres:
            _report(parsed.problems, checks.reference("帮扶干部", idcard.mask(cadre_id), 0), rec,
                    rec.src.layout.header_of(rec.level, "cadre_id"), cadre_id)
            rec.bad = True
            continue
        member_id = rec.values.get("member_id")
        if member_id:
            household_id = register.household_id(rec.unit)
            in_file = any(m.values.get("id_number") == member_id for m in rec.unit.members)
            in_db = any(s.household_id == household_id for s in register.stints.get(member_id, ()))
            if not in_file and not in_db:
                _report(parsed.problems, checks.not_a_member(register.code(rec.unit), member_id), rec,
                        rec.src.layout.header_of(rec.level, "member_id"), member_id)
                rec.bad = True


def _cadre_villages(parsed: Parsed, register: Register, checked: Checked) -> None:
    """The village each cadre of the files is stationed in (驻村乡镇 + 驻村村), found as data entry finds it."""
    for rec in parsed.cadres:
        if rec.bad:
            continue
        township, village = rec.values.get("township"), rec.values.get("village")
        if not village:
            continue
        # found as data entry finds the village of ``cadre add --village 乡镇/村`` (services.lookup)
        place, found = register.tree.find(f"{township}/{village}" if township else village, "village")
        if place is not None:
            checked.cadre_villages[id(rec)] = place
            continue
        _report(parsed.problems, found, rec, rec.src.layout.header_of("cadre", "village"), village)
        rec.bad = True
