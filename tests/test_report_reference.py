"""The set-based summary equals a slow, obvious computation with the single-household rules, on random registers."""

import datetime as dt
import random
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from povmon.models import Area, Benefit, Income, Pairing, Visit
from povmon.reports import extras, monthly
from povmon.rules.income import IncomeYear, per_capita
from povmon.rules.lines import resolve
from povmon.rules.status import POOR_NOW, REGISTERED, effective, status_on
from povmon.services.lines import all_lines

from . import factories as f

D = dt.date


def _random_register(session, rng: random.Random) -> list:
    county = Area(level="county", name="交城县", code="141122")
    session.add(county)
    villages = []
    for t in range(2):
        town = Area(level="township", name=f"镇{t}", code=f"141122{100 + t}", parent=county)
        for v in range(2):
            villages.append(Area(level="village", name=f"村{t}{v}", code=f"141122{100 + t}{201 + v}", parent=town))
    session.add_all(villages)
    session.flush()
    cadres = [f.cadre(session, f"干部{i}") for i in range(6)]
    households = []

    def day() -> dt.date:
        return D(2017, 1, 1) + dt.timedelta(days=rng.randrange(3 * 365))

    for n in range(80):
        members = []
        for m in range(rng.randrange(1, 5)):
            spec = {"name": f"人{n}-{m}", "relation": "head" if m == 0 else "son"}
            if rng.random() < 0.2:
                spec["joined_on"] = day()
            if rng.random() < 0.2:
                spec["left_on"] = day()
                spec["left_reason"] = "deceased"
            if "joined_on" in spec and "left_on" in spec and spec["left_on"] < spec["joined_on"]:
                spec["left_on"] = spec["joined_on"] + dt.timedelta(days=30)
            members.append(spec)
        hh = f.household(session, f"R{n:03d}", village=rng.choice(villages), members=members)
        events = []
        for _ in range(rng.randrange(0, 5)):
            kind = rng.choice(["identified", "exited", "returned", "monitoring_added", "risk_eliminated",
                               "elimination_revoked"])
            events.append(f.event(session, hh, kind, day(),
                                  monitoring_type="near_poor" if kind == "monitoring_added" else None))
        if events and rng.random() < 0.3:
            f.event(session, hh, "cancelled", day(), cancels_event_id=rng.choice(events).id)
        for year in (2017, 2018):
            if rng.random() < 0.7:
                if rng.random() < 0.3:
                    for month in rng.sample(range(1, 13), 3):
                        f.income(session, hh, year, month, wage=rng.randrange(0, 300000) / 100)
                else:
                    f.income(session, hh, year, 0, wage=rng.randrange(0, 1500000) / 100,
                             business_expense=rng.randrange(0, 100000) / 100)
        for _ in range(rng.randrange(0, 3)):
            start = day()
            end = start + dt.timedelta(days=rng.randrange(1, 500)) if rng.random() < 0.5 else None
            f.pairing(session, rng.choice(cadres), hh, start, end)
        for _ in range(rng.randrange(0, 4)):
            f.visit(session, rng.choice(cadres), hh, day())
        for _ in range(rng.randrange(0, 3)):
            f.benefit(session, hh, "雨露计划", day(), Decimal(rng.randrange(1, 100000)) / 100, category="education")
        households.append(hh)
    session.flush()
    return households


def _reference(session, households, month: monthly.Month) -> dict:
    """The figures by the book: one household at a time, with the rules' own functions."""
    as_of, first, year = month.as_of, month.first, month.income_year
    line = resolve(all_lines(session), year, "poverty")
    leaf: dict[int, dict] = defaultdict(lambda: defaultdict(int))
    cadres: dict[int, set] = defaultdict(set)
    benefits: dict[int, Decimal] = defaultdict(Decimal)
    for hh in households:
        session.refresh(hh)
        v = hh.village_id
        present = [m for m in hh.members if m.present_on(as_of)]
        state = status_on(hh.events, as_of)
        active = [p for p in session.query(Pairing).filter_by(household_id=hh.id) if p.active_on(as_of)]
        for p in active:
            cadres[v].add(p.cadre_id)
        visits = session.query(Visit).filter_by(household_id=hh.id)
        if any(first <= x.visit_date <= as_of for x in visits):
            leaf[v]["visited_households"] += 1
        paid = session.query(Benefit).filter_by(household_id=hh.id)
        benefits[v] += sum((b.amount for b in paid if first <= b.benefit_date <= as_of), Decimal(0))
        for e in effective(hh.events, as_of):
            if e.event_date >= first and e.kind in monthly.EVENT_FIELDS:
                leaf[v][e.kind] += 1
        if not present:
            continue
        n = len(present)
        fig = leaf[v]
        fig["households"] += 1
        fig["people"] += n
        for name, cond in (("registered", state.status in REGISTERED), ("poor", state.status in POOR_NOW),
                           ("exited", state.status == "exited"), ("monitored", state.monitored)):
            if cond:
                fig[f"{name}_households"] += 1
                fig[f"{name}_people"] += n
        if state.registered or state.monitored:
            fig["paired_households" if active else "unpaired_households"] += 1
            incomes = session.query(Income).filter_by(
                household_id=hh.id, year=year).all()
            if incomes:
                total = IncomeYear.total(IncomeYear(i.wage, i.business, i.business_expense, i.property, i.transfer)
                                         for i in incomes)
                pc = per_capita(total.net, sum(1 for m in hh.members if m.present_on(D(year, 12, 31))))
                if pc is not None and pc < line.yuan:
                    fig["below_line_households"] += 1
    out = []
    areas = {a.id: a for a in session.query(Area)}
    report_order = monthly.build(session, month).areas
    for entry in report_order:
        ids = {entry.area_id} | {a.id for a in areas.values() if _under(a, entry.area_id, areas)}
        sums = defaultdict(int)
        for i in ids:
            for k, val in leaf[i].items():
                sums[k] += val
        people, poor = sums["people"], sums["poor_people"]
        pct = (Decimal(poor) * 100 / people).quantize(Decimal("0.01"), ROUND_HALF_UP) if people else Decimal("0.00")
        row = {"level": entry.level, "code": entry.code, "name": entry.name, "parent": entry.parent}
        for k in monthly.JSON_FIELDS[4:]:
            row[k] = sums[k]
        row["incidence_pct"] = f"{pct:.2f}"
        row["cadres"] = len(set().union(*(cadres[i] for i in ids)))
        row["benefits_yuan"] = f"{sum((benefits[i] for i in ids), Decimal(0)):.2f}"
        row.update(extras.monthly_json(extras.monthly_zero()))  # the random registers have no projects or jobs
        row.update(dict.fromkeys(monthly.LEAD_FIELDS, 0))  # nor monitoring leads
        out.append(row)
    return {"month": month.label, "as_of": as_of.isoformat(), "areas": out}


def _under(area, root_id, areas) -> bool:
    node = areas.get(area.parent_id)
    while node is not None:
        if node.id == root_id:
            return True
        node = areas.get(node.parent_id)
    return False


def test_random_registers_agree_with_the_reference(session):
    rng = random.Random(5)
    households = _random_register(session, rng)
    checked = 0
    for label in ("2017-03", "2018-02", "2018-12", "2019-06", "2019-12"):
        month = monthly.Month.parse(label)
        expected = _reference(session, households, month)
        assert monthly.build(session, month).as_json() == expected, label
        checked += expected["areas"][0]["registered_households"] + expected["areas"][0]["below_line_households"]
    assert checked > 20  # the random register really had registered and below-line households to count
