"""Members (成员): add one (birth, marriage, move-in), mark one died or moved out, edit a field, move one.

A member row is one stint of a person in a household (models.Member). Nothing is erased: a death or a
move-out sets the stint's end (left_on, left_reason); a move to another household ends this stint and
starts one in the other household on the same date; an edit is an audited change of one field.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from povmon.models import Household, Member
from povmon.rules import checks, idcard, parse, records
from povmon.rules.checks import MemberRow, Problem
from povmon.rules.text import fold
from povmon.rules.vocab import Term, Vocabulary
from povmon.services.entry import Cleaner, Outcome, Refused, change, insert
from povmon.services.fields import MEMBER_FIELDS, column
from povmon.services.fields import find as find_field
from povmon.services.fields import names as field_names
from povmon.services.lookup import present_households

__all__ = [
    "JOIN_REASON",
    "LEAVE_REASON",
    "add",
    "edit",
    "find",
    "household_warnings",
    "leave",
    "move",
    "present_elsewhere",
    "present_households",
]

JOIN_REASON = Vocabulary("join_reason", "新增原因", (
    Term("birth", "出生", ("新生", "新生儿", "出生登记")),
    Term("marriage", "婚入", ("结婚", "娶入", "嫁入", "婚嫁", "婚迁")),
    Term("move_in", "迁入", ("迁来", "投靠", "户口迁入", "move-in", "movein")),
))
LEAVE_REASON = Vocabulary("leave_reason", "减少原因", (
    Term("deceased", "死亡", ("去世", "已故", "病故", "死亡注销", "died", "dead")),
    Term("moved_out", "迁出", ("外迁", "户口迁出", "迁出注销", "出嫁", "嫁出", "moved-out", "moveout")),
))
# Copied to the new stint when a person moves to another household (who they are, not their place in it).
PERSONAL = ("name", "id_number", "sex", "birth_date", "ethnicity", "education", "school_status", "health",
            "disability_grade", "labour", "work_status", "work_months", "medical_insurance", "pension_insurance",
            "subsistence_allowance", "extreme_poverty_support", "phone")
SPECIAL_FIELDS = {"id_number": "身份证号", "joined_on": "加入日期", "left_on": "离开日期", "left_reason": "减少原因"}
_SPECIAL_ALIASES = {
    **{fold(h): "id_number" for h in column("member", "id_number").headers()}, "id": "id_number",
    "加入日期": "joined_on", "新增日期": "joined_on", "joined-on": "joined_on",
    "离开日期": "left_on", "减少日期": "left_on", "left-on": "left_on",
    "减少原因": "left_reason", "left-reason": "left_reason",
}


def present_elsewhere(session: Session, number: str, household_id: int | None):
    """Where this person is on the register outside a household (the importer's bulk lookup, for one), or None."""
    return present_households(session, [number], except_household_id=household_id).get(number)


def find(session: Session, id_number: str, household: Household | None = None) -> Member:
    """The member stint of a person: the one on the register, else the latest (in the given household if named)."""
    number = idcard.normalize(str(id_number or ""))
    query = select(Member).where(Member.id_number == number)
    if household is not None:
        query = query.where(Member.household_id == household.id)
    stints = list(session.scalars(query.order_by(Member.id)))
    if not stints:
        where = f"户 {household.code} " if household is not None else ""
        raise Refused(checks.reference(f"{where}成员", idcard.mask(number) or str(id_number), 0))
    current = [m for m in stints if m.left_on is None]
    return current[0] if current else stints[-1]


def household_warnings(session: Session, household: Household) -> list[Problem]:
    """The head rule and the declared size on a household's register after a change, as warnings.

    A second head is refused before any change (checks.heads on the planned register); a household left
    without one only warns, because a head's death leaves it headless until the clerk names the next head
    (one change at a time, each audited). A declared 家庭人口 that no longer fits warns as the importer does.
    """
    session.flush()
    session.refresh(household, ["members"])
    present = [MemberRow(m.name, m.relation) for m in household.members if m.left_on is None]
    if not present:
        return [Problem("no_members", f"户 {household.code} 已没有在册成员；如该户已销户，请在备注中说明")]
    found = [replace(p, hint="用 member edit 身份证号 relation 户主 指定新户主")
             for p in checks.heads(present, household.code) if p.code == "no_head"]
    return found + checks.size(household.declared_size, len(present))


def second_head(household: Household, name: str | None, without: Member | None = None) -> list[Problem]:
    """``multiple_heads`` if one more person became 户主 of a household (the register's members first)."""
    rows = [MemberRow(m.name, m.relation) for m in household.members if m.left_on is None and m is not without]
    rows.append(MemberRow(name, "head", "entered"))
    return [p for p in checks.heads(rows, household.code) if p.code == "multiple_heads"]


def add(
    session: Session,
    household: Household,
    *,
    name: object,
    id_number: object,
    relation: object,
    reason: object,
    joined_on: object = None,
    fields: dict[str, object] | None = None,
    user: str,
    today: dt.date | None = None,
) -> Outcome:
    """Add a member who joined by birth, marriage or move-in on a date (a newborn joins on the birth date).

    How they joined is kept in the member's note (unless a note is given) and in the audit log's note:
    the register has no column for it.
    """
    clean = Cleaner()
    member_name = clean.field(column("member", "name"), name)
    number = clean.field(column("member", "id_number"), id_number)
    relation_code = clean.field(column("member", "relation"), relation)
    why = clean.value("新增原因", lambda v: parse.term(JOIN_REASON, v), reason, required=True)
    other = clean.named(MEMBER_FIELDS, fields or {}, "成员")
    other.pop("name", None)
    other.pop("relation", None)
    if parse.is_blank(joined_on) and why == "birth" and number:
        joined = idcard.birth_date(number)  # a newborn joins the household the day it is born
    else:
        joined = clean.date("加入日期", joined_on, today=today)
    if number:
        clean.add(records.member_dates(number, joined, None))  # the importer's rule for 新增 and its 状态日期
    if number:
        present = present_elsewhere(session, number, None)
        if present is not None and present.household_id == household.id:
            clean.add(checks.already_present(number, present.name, household.code))
        elif present is not None:
            clean.add(checks.id_in_other_household(number, present.name, present.code))
            clean.check(f"如该人迁来本户，请用 member move {number} --to {household.code}")
    if relation_code == "head":
        clean.add(second_head(household, member_name))
    clean.check()
    outcome = Outcome(warnings=list(clean.warnings))
    # the row a 新增 member row of a file becomes (rules.records.member): sex and birth from the ID number
    values = {k: v for k, v in other.items() if v is not None}
    values.update(name=member_name, id_number=number, relation=relation_code, state="added", state_date=joined)
    member = Member(household=household, **records.member(values, joined))
    if member.note is None:
        member.note = f"{JOIN_REASON.label(why)}（{joined.isoformat()}）"
    insert(session, outcome, member, user=user, note=f"新增成员：{JOIN_REASON.label(why)}")
    outcome.warnings.extend(household_warnings(session, household))
    return outcome


def leave(
    session: Session, member: Member, *, reason: object, on: object, user: str, note: str | None = None,
    today: dt.date | None = None,
) -> Outcome:
    """Mark a member died or moved out on a date: the stint ends (left_on, left_reason), nothing is erased."""
    clean = Cleaner()
    why = clean.value("减少原因", lambda v: parse.term(LEAVE_REASON, v), reason, required=True)
    day = clean.date("日期", on, today=today)
    if member.left_on is not None:
        state = LEAVE_REASON.label(member.left_reason) or "离开"
        clean.problems.append(Problem(
            "bad_value", f"{member.name} 已于 {member.left_on.isoformat()} {state}，不在册；如日期有误，"
            f"请用 member edit {member.id_number} left_on 新日期 更正", "成员"))
    clean.add(records.member_dates(member.id_number, member.joined_on, day))
    clean.check()
    outcome = Outcome()
    change(session, outcome, member, {"left_on": day, "left_reason": why}, user=user,
           note=note or f"成员减少：{LEAVE_REASON.label(why)}")
    outcome.warnings.extend(household_warnings(session, member.household))
    return outcome


def _field_key(name: str) -> str | None:
    spec = find_field(MEMBER_FIELDS, name)
    if spec is not None:
        return spec.key
    key = fold(name).replace("-", "_")
    if key in SPECIAL_FIELDS:
        return key
    return _SPECIAL_ALIASES.get(fold(name))


def edit(
    session: Session, member: Member, field: str, value: object, *, user: str, reason: str | None = None,
    today: dt.date | None = None,
) -> Outcome:
    """Correct one field of a member (audited old → new); the head rule and the one-household rule still hold."""
    clean = Cleaner()
    key = _field_key(field)
    if key is None:
        raise Refused([Problem(
            "bad_value",
            f"没有名为“{field}”的成员字段；可改：{field_names(MEMBER_FIELDS)}、id_number（身份证号）、"
            "joined_on（加入日期）、left_on（离开日期）、left_reason（减少原因）", "字段")])
    household = member.household
    changes: dict[str, object] = {}
    if key == "id_number":
        number = clean.field(column("member", "id_number"), value)
        if number:
            if member.left_on is None:
                elsewhere = present_elsewhere(session, number, None)
                if elsewhere is not None and elsewhere.id != member.id:
                    clean.add(checks.id_in_other_household(number, elsewhere.name, elsewhere.code))
            changes = {"id_number": number, "sex": idcard.sex(number), "birth_date": idcard.birth_date(number)}
    elif key in ("joined_on", "left_on"):
        day = clean.date(SPECIAL_FIELDS[key], value, required=False, today=today)
        joined = day if key == "joined_on" else member.joined_on
        left = day if key == "left_on" else member.left_on
        clean.add(records.member_dates(member.id_number, joined, left))
        changes = {key: day}
        if key == "left_on":
            if day is None:
                # back on the register: they must not be on another household's at the same time
                elsewhere = present_elsewhere(session, member.id_number, member.household_id)
                if elsewhere is not None:
                    clean.add(checks.id_in_other_household(member.id_number, member.name, elsewhere.code))
                changes["left_reason"] = None
            elif member.left_reason is None:
                clean.problems.append(Problem(
                    "required_missing", f"{member.name} 仍在册；成员减少请用 member leave（写明死亡或迁出）",
                    "离开日期"))
    elif key == "left_reason":
        why = clean.value("减少原因", lambda v: parse.term(LEAVE_REASON, v), value, required=True)
        if member.left_on is None:
            clean.problems.append(Problem(
                "bad_value", f"{member.name} 仍在册，没有减少原因可改；成员减少请用 member leave", "减少原因"))
        changes = {"left_reason": why}
    else:
        spec = find_field(MEMBER_FIELDS, key)
        new = clean.field(spec, value)
        changes = {key: new}
        if key == "relation" and new == "head" and member.left_on is None:
            clean.add(second_head(household, member.name, without=member))
    clean.check()
    outcome = Outcome(warnings=list(clean.warnings))
    change(session, outcome, member, changes, user=user, note=reason)
    if not outcome.changed:
        outcome.warnings.append(Problem("unchanged", f"{member.name} 的这一项本来就是这个值，未作改动"))
    if key in ("relation", "left_on", "joined_on"):
        outcome.warnings.extend(household_warnings(session, household))
    return outcome


def move(
    session: Session, member: Member, to: Household, *, on: object, relation: object, user: str,
    reason: str | None = None, today: dt.date | None = None,
) -> Outcome:
    """Move a person to another household on a date: this stint ends (迁出), a new one starts there that day."""
    clean = Cleaner()
    day = clean.date("迁移日期", on, today=today)
    relation_code = clean.field(column("member", "relation"), relation, title="在新户的与户主关系")
    if member.left_on is not None:
        clean.problems.append(Problem(
            "bad_value", f"{member.name} 已于 {member.left_on.isoformat()} 离开户 {member.household.code}，不在册",
            "成员"))
    if to.id == member.household_id:
        clean.problems.append(Problem("bad_value", f"{member.name} 已在户 {to.code}；请写明要迁往的另一户", "迁入户"))
    clean.add(records.member_dates(member.id_number, member.joined_on, day))
    if relation_code == "head":
        clean.add(second_head(to, member.name))
    clean.check()
    outcome = Outcome()
    note = reason or f"迁往户 {to.code}"
    change(session, outcome, member, {"left_on": day, "left_reason": "moved_out"}, user=user, note=note)
    session.flush()  # end this stint before the next starts: one present stint per person (uq_member_present_id_number)
    moved = Member(household=to, relation=relation_code, joined_on=day,
                   note=f"迁入（{day.isoformat()}，自户 {member.household.code}）",
                   **{k: getattr(member, k) for k in PERSONAL})
    insert(session, outcome, moved, user=user, note=reason or f"自户 {member.household.code} 迁入")
    for household in (member.household, to):
        outcome.warnings.extend(household_warnings(session, household))
    return outcome
