"""Benefits (政策账): what a household or one of its members received under a policy of the catalogue."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from povmon.models import Benefit, Household, Member, Policy
from povmon.rules import checks
from povmon.rules.checks import Problem
from povmon.rules.vocab import POLICY_CATEGORY
from povmon.services.entry import Cleaner, Outcome, insert
from povmon.services.fields import column


def add(
    session: Session, household: Household, *, policy: object, date: object, amount: object,
    category: object = None, member: object = None, note: object = None, user: str, today: dt.date | None = None,
) -> Outcome:
    """Record a benefit; a policy not yet in the catalogue is added to it with its category (both audited)."""
    clean = Cleaner()
    policy_name = clean.field(column("benefit", "policy"), policy)
    policy_category = clean.field(column("benefit", "category"), category)
    day = clean.date("发放日期", date, today=today)
    money = clean.field(column("benefit", "amount"), amount, required=True)
    note_text = clean.field(column("benefit", "note"), note)
    person: Member | None = None
    number = clean.field(column("benefit", "member_id"), member, title="成员身份证号")
    if number is not None:
        person = next((m for m in household.members if m.id_number == number), None)
        if person is None:
            clean.add(checks.not_a_member(household.code, number))
    existing = None
    if policy_name:
        existing = session.scalar(select(Policy).where(Policy.name == policy_name))
        if existing is None and policy_category is None:
            clean.problems.append(Problem(
                "required_missing",
                f"政策“{policy_name}”尚未登记；第一次录入时请写明政策类别（可填：{POLICY_CATEGORY.accepted()}）",
                "政策类别"))
        elif existing is not None and policy_category and policy_category != existing.category:
            clean.problems.append(Problem(
                "bad_value", f"政策“{policy_name}”已登记为{POLICY_CATEGORY.label(existing.category)}类，"
                f"不是{POLICY_CATEGORY.label(policy_category)}；请核对", "政策类别"))
    clean.check()
    outcome = Outcome()
    if existing is None:
        existing = Policy(name=policy_name, category=policy_category)
        insert(session, outcome, existing, user=user, note="新政策（录入享受政策时建立）")
    benefit = Benefit(household=household, member=person, policy=existing, benefit_date=day, amount=money,
                      note=note_text)
    insert(session, outcome, benefit, user=user)
    return outcome
