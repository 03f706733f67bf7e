"""The exit standard 一达标、两不愁、三保障 (and safe drinking water, checked with them).

- 一达标: per-capita net income of the last full year above that year's poverty line.
- 两不愁: no worry about food or clothing, as recorded for the household.
- 三保障: compulsory education (no member aged 6–15 out of school, except for health reasons),
  basic medical care (every member present insured), safe housing (A/B; C/D is 危房).
- 饮水安全: safe drinking water.
Each item is met (True), not met (False) or not recorded (None); a household may exit only when every
item is met (data entry refuses otherwise unless forced with a reason).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from povmon.rules.dates import aged_between
from povmon.rules.money import yuan

SCHOOL_AGE = (6, 15)
HEALTH_EXCUSED = frozenset({"serious", "disabled"})
SAFE_HOUSING = frozenset({"A", "B"})
UNSAFE_HOUSING = frozenset({"C", "D"})  # 危房
NOT_IN_SCHOOL = "not_student"


# --- the items, one member or household at a time (models.Member / Household carry them into SQL) ---------


def out_of_school(born: dt.date | None, school_status: str | None, health: str | None, day: dt.date) -> bool:
    """义务教育: a child of 6–15 on the day recorded out of school (非在校生), unless for health (大病、残疾)."""
    return (school_status == NOT_IN_SCHOOL and health not in HEALTH_EXCUSED
            and aged_between(born, SCHOOL_AGE[0], SCHOOL_AGE[1], day))


def school_unknown(born: dt.date | None, school_status: str | None, day: dt.date) -> bool:
    """义务教育 not recorded: a child of 6–15 on the day whose school status is not entered."""
    return school_status is None and aged_between(born, SCHOOL_AGE[0], SCHOOL_AGE[1], day)


def uninsured(medical_insurance: bool | None) -> bool:
    """基本医疗: a member recorded as not insured (not merely unrecorded)."""
    return medical_insurance is False


def housing_unsafe(grade: str | None) -> bool:
    """住房安全: a house assessed C or D (危房)."""
    return grade in UNSAFE_HOUSING


@dataclass(frozen=True)
class MemberFacts:
    name: str
    birth_date: dt.date | None
    school_status: str | None
    health: str | None
    medical_insurance: bool | None


@dataclass(frozen=True)
class HouseholdFacts:
    per_capita: Decimal | None  # last full year
    income_year: int | None
    poverty_line: Decimal | None
    food_clothing_secure: bool | None
    housing_safety: str | None  # A B C D
    safe_water: bool | None
    members: Sequence[MemberFacts]  # present on the day


@dataclass(frozen=True)
class ExitItem:
    key: str
    label: str
    met: bool | None
    detail: str


def check(facts: HouseholdFacts, day: dt.date) -> list[ExitItem]:
    """The exit-standard checklist for a household on a day."""
    items = []
    if facts.per_capita is None or facts.poverty_line is None:
        items.append(ExitItem("income", "一达标：人均纯收入高于贫困线", None, "未录入上年收入或当年标准线"))
    else:
        met = facts.per_capita > facts.poverty_line
        items.append(ExitItem(
            "income", "一达标：人均纯收入高于贫困线", met,
            f"{facts.income_year}年人均纯收入 {yuan(facts.per_capita)} 元，标准线 {yuan(facts.poverty_line)} 元",
        ))
    food = facts.food_clothing_secure
    items.append(ExitItem("food_clothing", "两不愁：不愁吃、不愁穿", food,
                          {True: "已保障", False: "未保障", None: "未录入"}[food]))

    dropped = [m.name for m in facts.members if out_of_school(m.birth_date, m.school_status, m.health, day)]
    unknown_school = [m.name for m in facts.members if school_unknown(m.birth_date, m.school_status, day)]
    if dropped:
        items.append(ExitItem("education", "义务教育有保障", False, "6–15岁失学：" + "、".join(dropped)))
    elif unknown_school:
        items.append(ExitItem("education", "义务教育有保障", None, "在校情况未录入：" + "、".join(unknown_school)))
    else:
        items.append(ExitItem("education", "义务教育有保障", True, "无6–15岁失学辍学"))

    not_insured = [m.name for m in facts.members if uninsured(m.medical_insurance)]
    unknown_ins = [m.name for m in facts.members if m.medical_insurance is None]
    if not_insured:
        items.append(ExitItem("medical", "基本医疗有保障", False, "未参加医保：" + "、".join(not_insured)))
    elif unknown_ins or not facts.members:
        items.append(ExitItem("medical", "基本医疗有保障", None, "参保情况未录入：" + "、".join(unknown_ins)))
    else:
        items.append(ExitItem("medical", "基本医疗有保障", True, "全员参加城乡居民基本医疗保险"))

    housing = facts.housing_safety
    items.append(ExitItem(
        "housing", "住房安全有保障", None if housing is None else housing in SAFE_HOUSING,
        "未鉴定" if housing is None else f"{housing}级" + ("安全" if housing in SAFE_HOUSING else "危房"),
    ))
    water = facts.safe_water
    items.append(ExitItem("water", "饮水安全", water, {True: "安全", False: "不安全", None: "未录入"}[water]))
    return items


def met(items: Sequence[ExitItem]) -> bool:
    """Whether every item of the exit standard is met."""
    return all(item.met is True for item in items)


def failing(items: Sequence[ExitItem]) -> list[ExitItem]:
    """The items not met or not recorded."""
    return [item for item in items if item.met is not True]
