"""The bulk "as of" helpers agree with the single-household rules they make bulk."""

import datetime as dt
import random
from decimal import Decimal

from povmon.rules.status import status_on
from povmon.services import snapshot

from . import factories as f

D = dt.date


def test_bulk_status_equals_status_on_for_random_histories(session):
    """Random histories with same-day events, cancellations (some dated after the day) and monitoring:
    the window-function query must give exactly what rules.status.status_on gives, on many days."""
    rng = random.Random(20190131)
    village = f.area_tree(session)
    kinds = ["identified", "exited", "returned", "monitoring_added", "risk_eliminated", "elimination_revoked"]
    days = [D(2016, 1, 1) + dt.timedelta(days=rng.randrange(0, 5 * 365)) for _ in range(6)]
    households = []
    for n in range(60):
        hh = f.household(session, f"SNAP{n:04d}", village=village, members=[{"name": "甲", "relation": "head"}])
        events = []
        for _ in range(rng.randrange(0, 7)):
            day = D(2016, 1, 1) + dt.timedelta(days=rng.randrange(0, 4 * 365))
            if events and rng.random() < 0.3:
                day = rng.choice(events).event_date  # same-day events: the procedure's order decides
            kind = rng.choice(kinds)
            typ = rng.choice(["unstable", "near_poor", "hardship", None]) if kind == "monitoring_added" else None
            events.append(f.event(session, hh, kind, day, monitoring_type=typ))
        for target in list(events):
            if rng.random() < 0.2:
                when = target.event_date + dt.timedelta(days=rng.randrange(0, 400))
                events.append(f.event(session, hh, "cancelled", when, cancels_event_id=target.id))
        households.append((hh, events))

    seen = set()
    for day in [*days, D(2015, 1, 1), D(2030, 1, 1)]:
        bulk = snapshot.statuses(session, day)
        for hh, events in households:
            expected = status_on(events, day)
            seen.add((expected.status, expected.monitored))
            got = bulk.get(hh.id)
            if expected.status == "non_poor" and expected.monitoring is None:
                assert got is None or got == expected, (hh.code, day)
            else:
                assert got == expected, (hh.code, day, [(e.id, e.kind, e.event_date) for e in events])
    assert len(seen) >= 6  # the histories really exercised every status, with and without monitoring


def test_members_present_and_heads_follow_membership_dates(session):
    village = f.area_tree(session)
    hh = f.household(session, "P1", village=village, members=[
        {"name": "户主", "relation": "head", "left_on": D(2019, 3, 1), "left_reason": "deceased"},
        {"name": "配偶", "relation": "spouse"},
        {"name": "新生儿", "relation": "son", "joined_on": D(2019, 2, 1)},
    ])
    empty = f.household(session, "P2", village=village, members=[
        {"name": "迁走", "relation": "head", "joined_on": D(2018, 1, 1), "left_on": D(2018, 6, 1),
         "left_reason": "moved_out"},
    ])
    assert snapshot.members_present(session, D(2019, 1, 31)) == {hh.id: 2}
    assert snapshot.members_present(session, D(2019, 2, 28)) == {hh.id: 3}
    assert snapshot.members_present(session, D(2019, 3, 1)) == {hh.id: 2}  # left on that day: gone
    assert snapshot.members_present(session, D(2018, 3, 1))[empty.id] == 1
    assert snapshot.heads(session, D(2019, 2, 28)) == {hh.id: "户主"}
    assert snapshot.heads(session, D(2019, 3, 1)) == {}
    other = f.area_tree(session, "会立乡", "岔口村")
    assert snapshot.members_present(session, D(2019, 1, 31), area_ids=[other.id]) == {}
    assert snapshot.household_villages(session, [village.id]) == {hh.id: village.id, empty.id: village.id}


def test_income_of_a_year_sums_months_and_divides_by_members_on_31_december(session):
    village = f.area_tree(session)
    hh = f.household(session, "I1", village=village, members=[
        {"name": "甲", "relation": "head"},
        {"name": "乙", "relation": "spouse", "sex": "F"},
        {"name": "丙", "relation": "son", "left_on": D(2018, 12, 31), "left_reason": "moved_out"},
    ])
    f.income(session, hh, 2018, 0, wage="5000.00", business="1000.01", business_expense="300.00")
    f.income(session, hh, 2018, 7, transfer="100.00", property="0.02")
    f.income(session, hh, 2017, 0, wage="99999")
    got = snapshot.incomes_of_year(session, 2018)
    assert set(got) == {hh.id}
    year = got[hh.id]
    assert year.net == Decimal("5800.03") and year.members == 2 and year.components is None
    assert year.per_capita == Decimal("2900.02")  # 2900.015 rounded half-up
    full = snapshot.incomes_of_year(session, 2018, components=True)[hh.id]
    assert full.components.net == full.net and full.components.wage == Decimal("5000.00")
    assert full.components.transfer == Decimal("100.00") and full.components.property == Decimal("0.02")


def test_active_pairings_on_a_day(session):
    village = f.area_tree(session)
    hh = f.household(session, "A1", village=village)
    c1, c2 = f.cadre(session, "甲"), f.cadre(session, "乙")
    f.pairing(session, c1, hh, D(2016, 1, 1), D(2019, 1, 31))
    f.pairing(session, c2, hh, D(2019, 1, 31))
    assert snapshot.active_pairings(session, D(2019, 1, 30)) == [(hh.id, c1.id)]
    assert snapshot.active_pairings(session, D(2019, 1, 31)) == [(hh.id, c2.id)]
