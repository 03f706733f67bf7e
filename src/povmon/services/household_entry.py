"""Households entered by hand: add one with its head, edit a field, list and search them as of a date.

(Finding one household by code and describing it stays in services.households; this module writes.)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from povmon.errors import PovmonError
from povmon.models import Area, Household, HouseholdEvent, Member
from povmon.rules import checks, dates, idcard, records
from povmon.rules.checks import Problem
from povmon.rules.fields import header_key
from povmon.rules.parse import ValueProblem
from povmon.rules.status import REGISTERED, StatusOn, status_on
from povmon.rules.text import clean_text, fold
from povmon.rules.vocab import ATTRIBUTE, STATUS
from povmon.services import areas, lookup
from povmon.services import members as member_service
from povmon.services.entry import Cleaner, Outcome, Refused, change, insert
from povmon.services.fields import HOUSEHOLD_FIELDS, MEMBER_FIELDS, column
from povmon.services.fields import find as find_field
from povmon.services.fields import names as field_names

# household edit's own fields, by the names a spreadsheet's columns use too
_VILLAGE_NAMES = frozenset(header_key(h) for h in ("village", "所在村", *column("household", "village").headers()))
_CODE_NAMES = frozenset(header_key(h) for h in ("code", *column("household", "code").headers()))


def add(
    session: Session,
    *,
    code: object,
    village: str | Area,
    head_name: object,
    head_id: object,
    fields: dict[str, object] | None = None,
    head_fields: dict[str, object] | None = None,
    user: str,
) -> Outcome:
    """Register a household of a village with its head (户主); every other member is added with member add."""
    clean = Cleaner()
    household_code = clean.field(column("household", "code"), code)
    name = clean.field(column("household", "head_name"), head_name, required=True)
    number = clean.field(column("household", "head_id"), head_id, required=True)
    values = clean.named(HOUSEHOLD_FIELDS, fields or {}, "户")
    head_values = clean.named(MEMBER_FIELDS, head_fields or {}, "成员")
    head_values.pop("name", None)
    if head_values.pop("relation", "head") not in ("head", None):
        clean.problems.append(Problem("bad_value", "户主的与户主关系只能是“户主”；其他成员请用 member add 添加",
                                      "与户主关系"))
    if household_code and session.scalar(select(Household.id).where(Household.code == household_code)):
        clean.problems.append(Problem(
            "bad_value", f"户编号 {household_code} 已经存在；请核对，或用 household edit 修改该户", "户编号"))
    village_area: Area | None = None
    if isinstance(village, Area):
        village_area = village
    elif village is None or not str(village).strip():
        clean.problems.append(checks.missing("村"))
    else:
        try:
            village_area = areas.find(session, str(village), "village")
        except Refused as exc:
            clean.add(exc.problems)
    if number:
        elsewhere = member_service.present_elsewhere(session, number, None)
        if elsewhere is not None:
            clean.add(checks.id_in_other_household(number, elsewhere.name, elsewhere.code))
    clean.check()
    outcome = Outcome(warnings=list(clean.warnings))
    # the rows a household's row and its head's row of a file become (rules.records)
    household = Household(code=household_code, village=village_area,
                          **records.household({k: v for k, v in values.items() if v is not None}))
    insert(session, outcome, household, user=user)
    head_row = {k: v for k, v in head_values.items() if v is not None} | {"name": name, "id_number": number,
                                                                         "relation": "head"}
    head = Member(household=household, **records.member(head_row, dt.date.today()))
    insert(session, outcome, head, user=user, note="户主")
    outcome.warnings.extend(checks.size(household.declared_size, 1))
    return outcome


def edit(session: Session, household: Household, field: str, value: object, *, user: str,
         reason: str | None = None) -> Outcome:
    """Correct one field of a household (audited old → new); village and code are checked like everything else."""
    clean = Cleaner()
    key = header_key(field).replace("-", "_")
    changes: dict[str, object] = {}
    if key in _VILLAGE_NAMES:
        target = None
        try:
            target = areas.find(session, str(value or ""), "village")
        except Refused as exc:
            clean.add(exc.problems)
        changes = {"village_id": target.id if target else None}
    elif key in _CODE_NAMES:
        new_code = clean.field(column("household", "code"), value)
        if new_code and new_code != household.code and session.scalar(
                select(Household.id).where(Household.code == new_code)):
            clean.problems.append(Problem("bad_value", f"户编号 {new_code} 已属于另一户；请核对", "户编号"))
        changes = {"code": new_code}
    else:
        spec = find_field(HOUSEHOLD_FIELDS, field)
        if spec is None:
            raise Refused([Problem(
                "bad_value",
                f"没有名为“{field}”的户字段；可改：village（村）、code（户编号）、{field_names(HOUSEHOLD_FIELDS)}"
                "（成员的信息请用 member edit）", "字段")])
        changes = {spec.key: clean.field(spec, value)}
    clean.check()
    outcome = Outcome()
    change(session, outcome, household, changes, user=user, note=reason)
    if "village_id" in changes:
        session.refresh(household, ["village"])
    if not outcome.changed:
        outcome.warnings.append(Problem("unchanged", f"户 {household.code} 的这一项本来就是这个值，未作改动"))
    if "declared_size" in changes:
        present = sum(1 for m in household.members if m.left_on is None)
        outcome.warnings.extend(checks.size(household.declared_size, present))
    return outcome


def status_filter(value: object) -> str | None:
    """A status to list by: a status code or label (未脱贫, 已脱贫, 返贫, 一般农户), 监测 or 建档立卡."""
    text_value = clean_text(value)
    if text_value is None:
        return None
    folded = fold(text_value)
    if folded in ("monitored", "监测", "监测对象", "监测户", "纳入监测"):
        return "monitored"
    if folded in ("registered", "建档立卡", "建档立卡户", "贫困户"):
        return "registered"
    code = STATUS.lookup(text_value)
    if code is None:
        raise ValueProblem("bad_value",
                           f"“{text_value}”不是可查询的状态；可填：{STATUS.accepted()}、监测对象、建档立卡")
    return code


@dataclass(frozen=True)
class HouseholdRow:
    code: str
    township: str | None
    village: str
    group: str | None
    head: str | None
    attribute: str | None
    state: StatusOn
    members_present: int

    def as_json(self) -> dict:
        return {
            "code": self.code, "township": self.township, "village": self.village, "group": self.group,
            "head": self.head, "status": self.state.status, "attribute": ATTRIBUTE.label(self.attribute),
            "monitoring": self.state.monitoring.as_json() if self.state.monitoring else None,
            "members_present": self.members_present,
        }


@dataclass(frozen=True)
class _Event:
    """An event as rules.status needs it, read as plain columns (listing a county reads tens of thousands)."""

    id: int
    kind: str
    event_date: dt.date
    monitoring_type: str | None
    cancels_event_id: int | None


@dataclass(frozen=True)
class _Member:
    name: str
    id_number: str
    relation: str
    joined_on: dt.date | None
    left_on: dt.date | None
    birth_date: dt.date | None

    def present_on(self, day: dt.date) -> bool:
        return dates.present_on(self.joined_on or self.birth_date, self.left_on, day)  # Member.present_on's rule


def search(
    session: Session,
    *,
    as_of: dt.date,
    area: str | None = None,
    name: str | None = None,
    id_number: str | None = None,
    status: object = None,
    limit: int | None = None,
) -> list[HouseholdRow]:
    """Households of an area, with a present member of that name or ID number, in a status, as of a date.

    Reads plain columns rather than ORM objects and loads members only for the households whose status
    matches, so listing a whole county stays quick.
    """
    clean = Cleaner()
    wanted_status = clean.value("状态", status_filter, status)
    clean.check()
    query = select(Household.id, Household.code, Household.village_id, Household.group_name, Household.attribute)
    if area:
        place = lookup.find_area(session, area)  # a name read: the nearest names when none is found
        ids = [a.id for a in _subtree(session, place) if a.level == "village"]
        query = query.where(Household.village_id.in_(ids))
    name_text = clean_text(name)
    longest = Member.__table__.c.name.type.length
    if name_text and longest and len(name_text) > longest:
        # no name is that long; and SQLite refuses a LIKE pattern of 50,000 characters as "too complex"
        raise PovmonError(f"要找的姓名有 {len(name_text)} 个字，登记簿里的姓名最多 {longest} 个字；"
                          "请只写姓名（或其中几个字）。")
    if name_text:
        query = query.where(Household.members.any(Member.name.contains(name_text)))
    number = idcard.normalize(id_number) if id_number and id_number.strip() else None
    if number:
        query = query.where(Household.members.any(Member.id_number == number))
    households = session.execute(query.order_by(Household.code)).all()
    wanted_ids = {h.id for h in households}
    if not wanted_ids:
        return []
    narrowed = bool(area or name_text or number)

    def restrict(q, column, ids=wanted_ids):
        # a county-wide listing reads whole tables; a narrowed one asks only for its households, in chunks
        return [q] if not narrowed else [q.where(column.in_(chunk)) for chunk in _chunks(sorted(ids))]

    events: dict[int, list[_Event]] = {}
    event_cols = select(HouseholdEvent.household_id, HouseholdEvent.id, HouseholdEvent.kind,
                        HouseholdEvent.event_date, HouseholdEvent.monitoring_type, HouseholdEvent.cancels_event_id)
    for q in restrict(event_cols, HouseholdEvent.household_id):
        for row in session.execute(q):
            events.setdefault(row.household_id, []).append(_Event(*row[1:]))
    states: dict[int, StatusOn] = {}
    for h in households:
        state = status_on(events.get(h.id, ()), as_of)
        if wanted_status == "monitored" and not state.monitored:
            continue
        if wanted_status == "registered" and state.status not in REGISTERED:
            continue
        if wanted_status not in (None, "monitored", "registered") and state.status != wanted_status:
            continue
        states[h.id] = state
    members: dict[int, list[_Member]] = {}
    member_cols = select(Member.household_id, Member.name, Member.id_number, Member.relation, Member.joined_on,
                         Member.left_on, Member.birth_date)
    narrowed = narrowed or len(states) < len(households)
    for q in restrict(member_cols, Member.household_id, set(states)):
        for row in session.execute(q):
            members.setdefault(row.household_id, []).append(_Member(*row[1:]))
    places = {a.id: a for a in session.scalars(select(Area))}
    rows = []
    for h in households:
        if h.id not in states:
            continue
        present = [m for m in members.get(h.id, ()) if m.present_on(as_of)]
        if name_text and not any(name_text in m.name for m in present):
            continue
        if number and not any(m.id_number == number for m in present):
            continue
        head = next((m for m in present if m.relation == "head"), None)
        village = places[h.village_id]
        parent = places.get(village.parent_id)
        rows.append(HouseholdRow(h.code, parent.name if parent else None, village.name, h.group_name,
                                 head.name if head else None, h.attribute, states[h.id], len(present)))
        if limit is not None and len(rows) >= limit:
            break
    return rows


def _chunks(ids: list[int], size: int = 500) -> list[list[int]]:
    return [ids[i:i + size] for i in range(0, len(ids), size)]


def _subtree(session: Session, root: Area) -> list[Area]:
    everything = list(session.scalars(select(Area)))
    children: dict[int | None, list[Area]] = {}
    for a in everything:
        children.setdefault(a.parent_id, []).append(a)
    found, stack = [], [root]
    while stack:
        node = stack.pop()
        found.append(node)
        stack.extend(children.get(node.id, []))
    return found
