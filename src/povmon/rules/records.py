"""What a record's cleaned values say, as the register stores it: one pure function per kind of record.

The importer's planner and the data-entry services both turn cleaned values (rules.fields) into rows with these
functions, and both judge a record's own dates with ``member_dates``: a member cannot join a household before
being born, nor leave it before joining or before being born (docs/DOMAIN.md, "households and members"). The
checks that need the rest of the household or the register (one head, one household per person, the order of
status events, known areas and references) are rules.checks; the lookups that feed them are services.lookup and
the importer's lookup stage. Nothing here touches a database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

from povmon.rules import idcard
from povmon.rules.checks import Problem, stint_dates

# The columns of each table a record's values set (what an import compares with the register, field by field).
HOUSEHOLD_FIELDS = ("group_name", "phone", "declared_size", "attribute", "standard", "main_cause", "other_causes",
                    "arable_land", "forest_land", "housing_safety", "safe_water", "electricity", "road",
                    "food_clothing_secure", "note")
MEMBER_FIELDS = ("name", "relation", "ethnicity", "education", "school_status", "health", "disability_grade",
                 "labour", "work_status", "work_months", "medical_insurance", "pension_insurance",
                 "subsistence_allowance", "extreme_poverty_support", "phone", "note")
MONEY_FIELDS = ("wage", "business", "business_expense", "property", "transfer", "compliant_spending")
EVENT_FIELDS = ("reason", "standard", "cause", "monitoring_type", "risks", "lead_source", "elimination")
CADRE_FIELDS = ("name", "unit", "post", "phone", "role")
LEFT = frozenset({"deceased", "moved_out"})  # the member states that end a stint
ZERO = Decimal("0.00")
DEFAULT_ROLE = "responsible"  # 帮扶责任人, when a cadre's role is not given


def household(values: Mapping) -> dict:
    """A new household's own columns (every one, None when the record does not give it)."""
    return {k: values.get(k) for k in HOUSEHOLD_FIELDS}


def household_changes(values: Mapping) -> dict:
    """The household columns a record gives, to compare with what the register has."""
    return {k: values[k] for k in HOUSEHOLD_FIELDS if k in values}


def member_dates(id_number: str | None, joined_on: dt.date | None, left_on: dt.date | None, *,
                 joined_title: str = "加入日期", left_title: str = "离开日期") -> list[Problem]:
    """A stint's dates against each other and against the birth date the ID number carries.

    Nobody joins a household before being born (a newborn joins on the birth date), and nobody leaves it
    before joining it or before being born. The titles name the dates in the message (the same both ways in).
    """
    born = idcard.birth_date(id_number) if id_number else None
    problems: list[Problem] = []
    if born is not None and joined_on is not None and joined_on < born:
        problems.append(Problem(
            "bad_date", f"{joined_title} {joined_on.isoformat()} 早于身份证号里的出生日期 {born}；请核对",
            joined_title))
    if joined_on is not None and left_on is not None:
        problems.extend(stint_dates(joined_on, left_on))
    elif born is not None and left_on is not None and left_on < born:
        problems.append(Problem(
            "bad_date", f"{left_title} {left_on.isoformat()} 早于身份证号里的出生日期 {born}；请核对", left_title))
    return problems


def member_state_dates(values: Mapping, as_of: dt.date,
                       current_joined: dt.date | None = None) -> tuple[dt.date | None, dt.date | None]:
    """(joined, left) that a member row's 成员状态 and 状态日期 state, as the stint will have them.

    新增 joins on the date (or the as-of day); 死亡 / 迁出 leave on it (or the as-of day); 在册 states neither.
    ``current_joined`` is the joining date of the stint the register already has (None for a new stint).
    """
    state = values.get("state")
    day = values.get("state_date")
    if state in LEFT:
        return current_joined, day or as_of
    if state == "added":
        return day or current_joined or as_of, None
    return current_joined, None


def member(values: Mapping, as_of: dt.date) -> dict:
    """A new member stint: the member's columns, sex and birth from the ID number, joining and leaving dates."""
    number = values["id_number"]
    state = values.get("state") or "present"
    row = dict(zip(MEMBER_FIELDS, map(values.get, MEMBER_FIELDS), strict=True))
    joined, left = member_state_dates(values, as_of)
    row.update(id_number=number, sex=idcard.sex(number), birth_date=idcard.birth_date(number), joined_on=joined,
               left_on=left, left_reason=state if state in LEFT else None)
    return row


def member_changes(values: Mapping, as_of: dt.date, current_left: dt.date | None) -> dict:
    """What a member row says about a stint the register already has (to compare field by field).

    A row listing someone as present does not bring back a person the register knows has left: the roster is
    older news. A row saying they left, without a date, ends the stint on the as-of day.
    """
    number = values["id_number"]
    state = values.get("state") or "present"
    day = values.get("state_date")
    new = {k: values[k] for k in MEMBER_FIELDS if k in values}
    new["sex"] = idcard.sex(number)
    new["birth_date"] = idcard.birth_date(number)
    if state in LEFT:
        new["left_reason"] = state
        if day is not None:
            new["left_on"] = day
        elif current_left is None:
            new["left_on"] = as_of
    elif state == "added" and day is not None:
        new["joined_on"] = day
    return new


def income(values: Mapping) -> dict:
    """The amounts (and note) of an income entry, a blank amount being 0."""
    new = {k: values[k] if values.get(k) is not None else ZERO for k in MONEY_FIELDS if k in values}
    if "note" in values:
        new["note"] = values["note"]
    return new


def new_income(values: Mapping) -> dict:
    """A new income entry: every amount (0 when not given), year, month (0: the whole year) and note."""
    new = income(values)
    row = {k: new.get(k, ZERO) for k in MONEY_FIELDS}
    row.update(year=values["year"], month=values.get("month") or 0, note=new.get("note"))
    return row


def event(values: Mapping) -> dict:
    """The details of a status event that a record gives (reason, standard, cause, monitoring …)."""
    return {k: values[k] for k in EVENT_FIELDS if k in values}


def new_event(kind: str, day: dt.date, year_only: bool, details: Mapping | None = None) -> dict:
    """A new status event of a kind on a day (every detail column, None when not given)."""
    row = {k: None for k in EVENT_FIELDS}
    row.update(kind=kind, event_date=day, year_only=year_only, cancels_event_id=None, note=None)
    if details:
        row.update(details)
    return row


def cadre(values: Mapping) -> dict:
    """A cadre's columns that a record gives; a blank role is 帮扶责任人."""
    new = {k: values[k] for k in CADRE_FIELDS if k in values}
    if "role" in new and new["role"] is None:
        new["role"] = DEFAULT_ROLE
    return new


def new_cadre(values: Mapping) -> dict:
    """A new cadre: every column (None when not given), the role 帮扶责任人 unless another is given."""
    new = cadre(values)
    row = {k: new.get(k) for k in CADRE_FIELDS}
    row["role"] = row["role"] or DEFAULT_ROLE
    row.update(id_number=values["id_number"], note=None)
    return row
