"""One household as the database holds it on a date (``povmon household show``)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from povmon.models import Income, Pairing
from povmon.rules import idcard
from povmon.rules.income import per_capita
from povmon.rules.money import yuan
from povmon.rules.status import status_on
from povmon.rules.vocab import ATTRIBUTE, MEMBER_STATE, RELATION
from povmon.services import households as hh


def household_view(session: Session, code: str, as_of: dt.date, *, show_ids: bool = False) -> dict:
    """The household in the JSON shape of docs/CONTRACTS.md, as of a date; IDs masked unless show_ids."""
    household = hh.by_code(session, code)
    path = hh.area_path(session, household.village_id)
    state = status_on(household.events, as_of)
    members = [m for m in household.members if m.known_on(as_of)]
    head = hh.head_of(members, as_of)
    mask = (lambda n: n) if show_ids else idcard.mask

    incomes = session.scalars(select(Income).where(Income.household_id == household.id)).all()
    income = {}
    for year, total in hh.income_years(incomes, as_of).items():
        present = len(hh.present_members(members, hh.reference_day(year, as_of)))
        income[str(year)] = {
            "wage": yuan(total.wage),
            "business": yuan(total.business),
            "business_expense": yuan(total.business_expense),
            "property": yuan(total.property),
            "transfer": yuan(total.transfer),
            "net": yuan(total.net),
            "per_capita": yuan(per_capita(total.net, present)),
        }

    pairings = session.scalars(
        select(Pairing)
        .where(Pairing.household_id == household.id, Pairing.start_on <= as_of)
        .options(selectinload(Pairing.cadre))
        .order_by(Pairing.start_on, Pairing.id)
    ).all()

    return {
        "code": household.code,
        "county": path["county"].name if "county" in path else None,
        "township": path["township"].name if "township" in path else None,
        "village": path["village"].name if "village" in path else None,
        "head": head.name if head else None,
        "status": state.status,
        # an ordinary household never identified as poor is a 一般农户 even when no attribute was recorded
        "attribute": ATTRIBUTE.label(household.attribute or ("ordinary" if state.status == "non_poor" else None)),
        "monitoring": state.monitoring.as_json() if state.monitoring else None,
        "members_present": len(hh.present_members(members, as_of)),
        "members": [
            {
                "name": m.name,
                "id_number": mask(m.id_number),
                "relation": RELATION.label(m.relation),
                "state": MEMBER_STATE.label(m.state_on(as_of)),
            }
            for m in members
        ],
        "income": income,
        "pairings": [
            {
                "cadre": p.cadre.name,
                "unit": p.cadre.unit,
                "from": p.start_on.isoformat(),
                "to": p.end_on.isoformat() if p.end_on and p.end_on <= as_of else None,
            }
            for p in pairings
        ],
    }
