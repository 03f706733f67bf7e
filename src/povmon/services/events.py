"""Status events (识别账): identify, exit, return to poverty, monitoring, risk elimination, revocation, cancellation.

Every status change is a new HouseholdEvent with its date; nothing is overwritten. A wrong event is
corrected by a ``cancelled`` event that names it (rules.status voids it from the cancellation's date),
so a report for a month before the correction can still be reproduced when the correction is dated later.
Each new event must follow from the status on its date and keep every later event valid (rules.checks.history).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from povmon.models import Household, HouseholdEvent, Income
from povmon.rules import checks, exit_standard, parse, records
from povmon.rules.checks import PlannedEvent, Problem
from povmon.rules.dates import last_full_year
from povmon.rules.income import per_capita_of
from povmon.rules.text import clean_text
from povmon.rules.vocab import (
    CAUSE,
    ELIMINATION,
    EVENT_KIND,
    LEAD_SOURCE,
    MONITORING_TYPE,
    RISK,
    STANDARD,
    labels_of,
)
from povmon.services import households as hh
from povmon.services.entry import Cleaner, Outcome, Refused, change, insert
from povmon.services.fields import column
from povmon.services.lines import LineBook

POOR_ATTRIBUTES = ("general_poor", "dibao_poor", "tekun_poor")


def _record(
    session: Session, household: Household, clean: Cleaner, kind: str, day: dt.date, *, user: str,
    year_only: bool = False, note: str | None = None, **fields,
) -> Outcome:
    clean.add(checks.history(household.events, PlannedEvent(kind, day, fields.get("monitoring_type"),
                                                             fields.get("cancels_event_id"))))
    clean.check()
    outcome = Outcome(warnings=list(clean.warnings))
    row = records.new_event(kind, day, year_only, fields)  # the row an imported event becomes (rules.records)
    event = HouseholdEvent(household=household, **row | {"note": note})
    insert(session, outcome, event, user=user, note=f"{EVENT_KIND.label(kind)} {household.code}")
    return outcome


def identify(
    session: Session, household: Household, *, date: object, standard: object, cause: object,
    attribute: object = None, reason: str | None = None, user: str, today: dt.date | None = None,
) -> Outcome:
    """Identify a household as poor (识别纳入) in a year or on a date, with its standard and main cause.

    The household's own standard, main cause and attribute follow the identification (audited); an
    ordinary household (一般农户) becomes 一般贫困户 unless another poor attribute is given.
    """
    clean = Cleaner()
    day, year_only = clean.date_or_year("识别日期", date, today=today)
    std = clean.field(column("event", "standard"), standard, required=True)
    main_cause = clean.field(column("event", "cause"), cause, title="主要致贫原因", required=True)
    attr = clean.field(column("household", "attribute"), attribute)
    if attr == "ordinary":
        clean.problems.append(Problem(
            "bad_value", "识别为贫困户时，贫困户属性应为一般贫困户、低保贫困户或特困供养贫困户", "贫困户属性"))
    clean.check()
    outcome = _record(session, household, clean, "identified", day, user=user, year_only=year_only,
                      reason=reason, standard=std, cause=main_cause)
    if attr is None and household.attribute not in POOR_ATTRIBUTES:
        attr = "general_poor"
    changes = {"standard": std, "main_cause": main_cause}
    if attr is not None:
        changes["attribute"] = attr
    change(session, outcome, household, changes, user=user, note="识别纳入")
    return outcome


def exit_facts(session: Session, household: Household, day: dt.date,
               book: LineBook | None = None) -> exit_standard.HouseholdFacts:
    """What the register records about a household on a day, as the exit standard needs it.

    一达标 uses the last full year's per-capita net income (members present on 31 December of that year)
    against that year's poverty line (services.lines: a county's own line wins over the shipped one).
    """
    year = last_full_year(day)
    incomes = session.scalars(select(Income).where(Income.household_id == household.id)).all()
    total = hh.income_years(incomes, day).get(year)
    members = list(household.members)
    per_capita = None
    if total is not None:
        per_capita = per_capita_of(total, len(hh.present_members(members, hh.reference_day(year, day))))
    line = (book or LineBook(session)).poverty(year)
    present = hh.present_members(members, day)
    return exit_standard.HouseholdFacts(
        per_capita=per_capita, income_year=year, poverty_line=line.yuan if line else None,
        food_clothing_secure=household.food_clothing_secure, housing_safety=household.housing_safety,
        safe_water=household.safe_water,
        members=[exit_standard.MemberFacts(m.name, m.birth_date, m.school_status, m.health, m.medical_insurance)
                 for m in present],
    )


def checklist(items: list[exit_standard.ExitItem]) -> list[dict]:
    """The exit standard's items as JSON."""
    return [{"key": i.key, "label": i.label, "met": i.met, "detail": i.detail} for i in items]


def exit_household(
    session: Session, household: Household, *, date: object, force: bool = False, reason: str | None = None,
    user: str, today: dt.date | None = None,
) -> Outcome:
    """Record an exit from poverty (脱贫退出), only when the exit standard is met, unless forced with a reason.

    The checklist of rules.exit_standard is worked out from the household's recorded facts on the exit
    date; every failing or unrecorded item is named in the refusal. Forcing needs a written reason, and
    the event keeps the failing items in its note.
    """
    clean = Cleaner()
    day, year_only = clean.date_or_year("退出日期", date, today=today)
    reason_text = clean_text(reason) if reason else None
    if force and not reason_text:
        clean.problems.append(Problem("required_missing", "强制退出必须写明理由（--reason）", "理由"))
    clean.check()
    clean.add(checks.history(household.events, PlannedEvent("exited", day)))
    clean.check()
    items = exit_standard.check(exit_facts(session, household, day), day)
    failing = exit_standard.failing(items)
    if failing and not force:
        raise Refused(
            [Problem("exit_standard", f"{i.label}：{i.detail}", i.label) for i in failing],
            hint=f"户 {household.code} 未达到退出标准；请先补录或落实上述各项，"
                 "如确需退出，请加 --force 并用 --reason 写明理由",
        )
    note = None
    if failing:
        note = "强制退出；未达标项：" + "；".join(f"{i.label}（{i.detail}）" for i in failing)
    outcome = _record(session, household, clean, "exited", day, user=user, year_only=year_only,
                      reason=reason_text, note=note)
    outcome.facts["exit_standard"] = checklist(items)
    outcome.facts["forced"] = bool(failing)
    if failing:
        outcome.warnings.append(Problem("exit_standard", note or ""))
    return outcome


def return_to_poverty(
    session: Session, household: Household, *, date: object, reason: str | None = None, cause: object = None,
    user: str, today: dt.date | None = None,
) -> Outcome:
    """Record that an exited household returned to poverty (返贫)."""
    clean = Cleaner()
    day, year_only = clean.date_or_year("返贫日期", date, today=today)
    why = clean.field(column("event", "cause"), cause, title="返贫原因")
    clean.check()
    return _record(session, household, clean, "returned", day, user=user, year_only=year_only,
                   reason=clean_text(reason) if reason else None, cause=why)


def monitor(
    session: Session, household: Household, *, date: object, monitoring_type: object, risks: object,
    lead: object = None, reason: str | None = None, user: str, today: dt.date | None = None,
) -> Outcome:
    """Include a household in monitoring (纳入监测) with its type, up to five risks and the lead's source."""
    clean = Cleaner()
    day = clean.date("纳入监测日期", date, today=today)
    kind = clean.field(column("event", "monitoring_type"), monitoring_type, required=True)
    if isinstance(risks, (list, tuple)):
        risks = "、".join(str(r) for r in risks)
    risk_codes = clean.field(column("event", "risks"), risks, required=True)
    source = clean.field(column("event", "lead_source"), lead)
    clean.check()
    return _record(session, household, clean, "monitoring_added", day, user=user,
                   reason=clean_text(reason) if reason else None, monitoring_type=kind,
                   risks=risk_codes, lead_source=source)


def eliminate(
    session: Session, household: Household, *, date: object, how: object, reason: str | None = None, user: str,
    today: dt.date | None = None, force: bool = False,
) -> Outcome:
    """Mark a monitored household's risk eliminated (风险消除) — never for a household without labour capacity.

    Like an exit, the elimination is checked item by item (services.monitoring.elimination_check: six months
    monitored, income stably above the monitoring line, no open lead of rigid spending, 三保障 and water) and
    refused naming every failing item, unless forced with a reason; the event then keeps the failing items.
    """
    from povmon.services.monitoring import elimination_check

    clean = Cleaner()
    day = clean.date("风险消除日期", date, today=today)
    way = clean.field(column("event", "elimination"), how, title="风险消除方式", required=True)
    reason_text = clean_text(reason) if reason else None
    if force and not reason_text:
        clean.problems.append(Problem("required_missing", "强制标注风险消除必须写明理由（--reason）", "理由"))
    clean.check()
    clean.add(checks.history(household.events, PlannedEvent("risk_eliminated", day)))
    clean.check()
    present = hh.present_members(household.members, day)
    clean.add(checks.labour_capacity([m.labour for m in present]))
    clean.check()
    items = elimination_check(session, household, day)
    failing = exit_standard.failing(items)
    if failing and not force:
        raise Refused(
            [Problem("exit_standard", f"{i.label}：{i.detail}", i.label) for i in failing],
            hint=f"户 {household.code} 未达到风险消除条件；请先落实上述各项，"
                 "如确需标注，请加 --force 并用 --reason 写明理由",
        )
    note = None
    if failing:
        note = "强制标注风险消除；未达标项：" + "；".join(f"{i.label}（{i.detail}）" for i in failing)
    outcome = _record(session, household, clean, "risk_eliminated", day, user=user, reason=reason_text,
                      elimination=way, note=note)
    outcome.facts["elimination_check"] = checklist(items)
    outcome.facts["forced"] = bool(failing)
    if failing:
        outcome.warnings.append(Problem("exit_standard", note or ""))
    return outcome


def revoke(
    session: Session, household: Household, *, date: object, reason: str | None, user: str,
    today: dt.date | None = None,
) -> Outcome:
    """Roll back a risk elimination (撤销风险消除): the household is monitored with its risk again."""
    clean = Cleaner()
    day = clean.date("撤销日期", date, today=today)
    why = clean.value("撤销理由", clean_text, reason, required=True)
    clean.check()
    return _record(session, household, clean, "elimination_revoked", day, user=user, reason=why)


def find_event(session: Session, event_id: object) -> HouseholdEvent:
    """An event by its number (shown by event list)."""
    try:
        number = int(str(event_id).strip())
    except ValueError:
        raise Refused([Problem("bad_number", f"事件编号应为整数，这里是“{event_id}”；事件编号见 event list")]) from None
    event = session.get(HouseholdEvent, number)
    if event is None:
        raise Refused(checks.reference("事件", str(number), 0), hint="事件编号见 povmon event list 户编号")
    return event


def cancel(
    session: Session, event_id: object, *, reason: str | None, on: object = None, user: str,
    today: dt.date | None = None,
) -> Outcome:
    """Void a wrong event with a ``cancelled`` event naming it (from its own date unless another is given).

    The wrong event stays in the register and in the audit log; reports as of a date before the
    cancellation's date still show it, which keeps closed months reproducible when the correction is dated later.
    """
    event = find_event(session, event_id)
    clean = Cleaner()
    why = clean.value("作废理由", clean_text, reason, required=True)
    day = event.event_date if parse.is_blank(on) else clean.date("作废生效日期", on, today=today)
    if event.kind == "cancelled":
        clean.problems.append(Problem(
            "bad_value", f"事件 {event.id} 本身是一条作废记录，不能再作废；如需恢复原事件，请重新录入", "事件"))
    already = session.scalar(select(HouseholdEvent).where(HouseholdEvent.cancels_event_id == event.id))
    if already is not None:
        clean.problems.append(Problem(
            "bad_value", f"事件 {event.id} 已于 {already.event_date.isoformat()} 作废（事件 {already.id}）", "事件"))
    if day is not None and day < event.event_date:
        clean.problems.append(Problem(
            "bad_date", f"作废生效日期 {day.isoformat()} 早于原事件日期 {event.event_date.isoformat()}",
            "作废生效日期"))
    clean.check()
    household = event.household
    outcome = _record(session, household, clean, "cancelled", day, user=user, reason=why,
                      cancels_event_id=event.id)
    outcome.facts["cancels"] = event_json(event)
    return outcome


def event_json(event: HouseholdEvent, cancelled_by: HouseholdEvent | None = None) -> dict:
    """An event as event list shows it (codes, with the kind's Chinese label)."""
    return {
        "id": event.id, "household": event.household.code, "date": event.event_date.isoformat(),
        "year_only": event.year_only, "kind": event.kind, "label": EVENT_KIND.label(event.kind),
        "standard": event.standard, "cause": event.cause, "monitoring_type": event.monitoring_type,
        "risks": [r for r in (event.risks or "").split(",") if r], "lead_source": event.lead_source,
        "elimination": event.elimination, "cancels": event.cancels_event_id,
        "cancelled_by": cancelled_by.id if cancelled_by else None, "reason": event.reason, "note": event.note,
        "created_by": event.created_by,
    }


def listing(household: Household) -> list[dict]:
    """A household's events in the order they take effect, each with what cancelled it (if anything)."""
    from povmon.rules.status import sort_key

    cancels = {e.cancels_event_id: e for e in household.events if e.kind == "cancelled"}
    return [event_json(e, cancels.get(e.id)) for e in sorted(household.events, key=sort_key)]


def describe(event: dict) -> str:
    """One line for the terminal: the event's facts in Chinese."""
    parts = []
    if event["standard"]:
        parts.append(STANDARD.label(event["standard"]))
    if event["cause"]:
        parts.append(CAUSE.label(event["cause"]))
    if event["monitoring_type"]:
        parts.append(MONITORING_TYPE.label(event["monitoring_type"]))
    if event["risks"]:
        parts.append(labels_of(RISK, ",".join(event["risks"])))
    if event["lead_source"]:
        parts.append(LEAD_SOURCE.label(event["lead_source"]))
    if event["elimination"]:
        parts.append(ELIMINATION.label(event["elimination"]))
    if event["cancels"]:
        parts.append(f"作废事件 {event['cancels']}")
    if event["reason"]:
        parts.append(event["reason"])
    return "，".join(p for p in parts if p)

