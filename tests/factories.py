"""Small builders for registers with known answers (tests only)."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from povmon.models import (
    Area,
    Benefit,
    Cadre,
    Household,
    HouseholdEvent,
    Income,
    Measure,
    Member,
    Pairing,
    Policy,
    Visit,
)
from povmon.rules import idcard

_seq = itertools.count(1)


def new_id(born: dt.date = dt.date(1970, 1, 1), sex: str = "M", area: str = "142323") -> str:
    """A fresh valid ID number (unique within a test run)."""
    n = next(_seq)
    seq = (n * 2 + (1 if sex == "M" else 0)) % 1000
    # vary the birth day too, so more than 500 IDs per sex and date stay unique
    born = born + dt.timedelta(days=(n * 2) // 1000)
    return idcard.make(area, born, seq)


def area_tree(session: Session, township: str = "西营镇", village: str = "东营村") -> Area:
    """County 交城县 → township → village; returns the village (reusing existing areas)."""

    def get(level: str, name: str, parent: Area | None, code: str | None = None) -> Area:
        found = session.scalar(
            select(Area).where(Area.name == name, Area.parent_id == (parent.id if parent else None))
            if parent else select(Area).where(Area.name == name, Area.parent_id.is_(None))
        )
        if found:
            return found
        area = Area(level=level, name=name, parent=parent, code=code)
        session.add(area)
        session.flush()
        return area

    county = get("county", "交城县", None, "141122")
    town = get("township", township, county)
    return get("village", village, town)


def household(
    session: Session,
    code: str,
    *,
    village: Area | None = None,
    members: list[dict] | None = None,
    attribute: str | None = "general_poor",
    **fields,
) -> Household:
    """A household with members (default: a head and a spouse). Member dicts may set any Member field."""
    village = village or area_tree(session)
    hh = Household(code=code, village=village, attribute=attribute, **fields)
    session.add(hh)
    default = [{"name": "户主甲", "relation": "head"}, {"name": "配偶乙", "relation": "spouse", "sex": "F"}]
    for spec in members or default:
        spec = dict(spec)
        sex = spec.pop("sex", "M")
        born = spec.pop("born", dt.date(1970, 1, 1))
        number = spec.pop("id_number", None) or new_id(born, sex)
        born_on = idcard.birth_date(number)
        hh.members.append(Member(id_number=number, sex=idcard.sex(number), birth_date=born_on, **spec))
    session.flush()
    return hh


def event(session: Session, hh: Household, kind: str, day: dt.date, **fields) -> HouseholdEvent:
    ev = HouseholdEvent(household=hh, kind=kind, event_date=day, **fields)
    session.add(ev)
    session.flush()
    return ev


def income(session: Session, hh: Household, year: int, month: int = 0, **amounts) -> Income:
    inc = Income(household=hh, year=year, month=month, **{k: Decimal(str(v)) for k, v in amounts.items()})
    session.add(inc)
    session.flush()
    return inc


def cadre(session: Session, name: str = "李四", unit: str = "交城县国土资源局", **fields) -> Cadre:
    c = Cadre(name=name, id_number=fields.pop("id_number", None) or new_id(dt.date(1975, 5, 5)), unit=unit, **fields)
    session.add(c)
    session.flush()
    return c


def pairing(
    session: Session, c: Cadre, hh: Household, start: dt.date, end: dt.date | None = None, **fields
) -> Pairing:
    p = Pairing(cadre=c, household=hh, start_on=start, end_on=end, **fields)
    session.add(p)
    session.flush()
    return p


def first_secretary(session: Session, village: Area, name: str = "王书记", **fields) -> Cadre:
    """A first secretary (第一书记) stationed in a village."""
    return cadre(session, name, fields.pop("unit", "吕梁市财政局"), role="first_secretary", village_id=village.id,
                 **fields)


def policy(session: Session, name: str = "雨露计划", category: str = "education") -> Policy:
    """A policy of the catalogue (reused when one of that name exists)."""
    found = session.scalar(select(Policy).where(Policy.name == name))
    if found:
        return found
    p = Policy(name=name, category=category)
    session.add(p)
    session.flush()
    return p


def benefit(
    session: Session, hh: Household, policy_name: str, day: dt.date, amount, *, category: str = "other",
    member: Member | None = None, note: str | None = None,
) -> Benefit:
    b = Benefit(household=hh, policy=policy(session, policy_name, category), benefit_date=day,
                amount=Decimal(str(amount)), member=member, note=note)
    session.add(b)
    session.flush()
    return b


def measure(
    session: Session, hh: Household, kind: str, day: dt.date, description: str | None = None, amount=None,
    cadre: Cadre | None = None,
) -> Measure:
    m = Measure(household=hh, kind=kind, measure_date=day, description=description,
                amount=None if amount is None else Decimal(str(amount)), cadre=cadre)
    session.add(m)
    session.flush()
    return m


def visit(
    session: Session, c: Cadre, hh: Household, day: dt.date, done: str | None = None, problems: str | None = None,
    resolved: bool | None = None,
) -> Visit:
    v = Visit(cadre=c, household=hh, visit_date=day, done=done, problems=problems, resolved=resolved)
    session.add(v)
    session.flush()
    return v


def acting(name: str) -> str:
    """Who a command acts as when the test passes ``--user name``: that name on SQLite; on PostgreSQL the database
    login, since there the acting user is the login and --user may only repeat it (issue 17)."""
    import os

    from sqlalchemy.engine import make_url

    from povmon.config import normalize_url

    url = os.environ.get("POVMON_TEST_DATABASE_URL")
    if not url or not normalize_url(url).startswith("postgresql"):
        return name
    return make_url(normalize_url(url)).username or "postgres"
