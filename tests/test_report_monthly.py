"""The monthly summary: every figure at every level of a hand-built register, and as-of behaviour."""

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from povmon.errors import PovmonError
from povmon.models import Member, Pairing
from povmon.reports import monthly
from povmon.rules import parse

from . import factories as f
from . import monthly_register as reg

D = dt.date


def test_every_figure_at_every_level(session):
    reg.build(session)
    report = monthly.build(session, reg.MONTH)
    assert report.as_json() == reg.EXPECTED


def test_json_keys_are_exactly_the_contracts_in_its_order(session):
    reg.build(session)
    entry = monthly.build(session, reg.MONTH).as_json()["areas"][0]
    assert list(entry) == [
        "level", "code", "name", "parent", "households", "people", "registered_households", "registered_people",
        "poor_households", "poor_people", "exited_households", "exited_people", "monitored_households",
        "monitored_people", "incidence_pct", "below_line_households", "paired_households", "unpaired_households",
        "cadres", "visited_households", "benefits_yuan", "identified", "exited", "returned", "monitoring_added",
        "risk_eliminated", "work_teams", "first_secretaries",
        # issue 16, after the contract's first keys (docs/CONTRACTS.md)
        "party_members", "employed_people", "wage_households", "trained_people", "dividends_yuan",
        # issue 12 item 9, after the projects' keys
        "leads_new", "leads_open", "leads_decided", "leads_overdue",
    ]


def test_area_restricts_to_the_area_and_its_descendants(session):
    reg.build(session)
    by_name = monthly.build(session, reg.MONTH, "西营镇").as_json()
    assert by_name["areas"] == reg.EXPECTED["areas"][1:4]
    assert monthly.build(session, reg.MONTH, "141122100202").as_json()["areas"] == [reg.EXPECTED["areas"][3]]
    assert monthly.build(session, reg.MONTH, "会立乡/岔口村").as_json()["areas"] == [reg.EXPECTED["areas"][5]]


def test_unknown_and_ambiguous_areas_are_refused_in_one_sentence(session):
    built = reg.build(session)
    with pytest.raises(PovmonError, match="没有名为或代码为“东风村”的区划"):
        monthly.build(session, reg.MONTH, "东风村")
    # a second 东营村 under 会立乡 makes the bare name ambiguous; the path still works
    reg.area(session, "village", "东营村", "141122200202", built["areas"]["会立乡"])
    with pytest.raises(PovmonError, match="有 2 个区划叫“东营村”"):
        monthly.build(session, reg.MONTH, "东营村")
    assert monthly.build(session, reg.MONTH, "西营镇/东营村").as_json()["areas"] == [reg.EXPECTED["areas"][2]]


def test_later_dated_records_leave_the_month_unchanged(session):
    built = reg.build(session)
    before = monthly.build(session, reg.MONTH).as_json()
    hh, cadres = built["households"], built["cadres"]
    # status events after the month, and a correction dated after the month voiding an event inside it
    f.event(session, hh["H1"], "exited", D(2019, 2, 1))
    f.event(session, hh["H3"], "cancelled", D(2019, 2, 2), cancels_event_id=built["returned"].id)
    f.event(session, hh["H2"], "monitoring_added", D(2019, 3, 1), monitoring_type="unstable")
    f.event(session, hh["H4"], "risk_eliminated", D(2019, 2, 1))
    f.event(session, hh["H8"], "monitoring_added", D(2019, 2, 1), monitoring_type="hardship")
    # members joining and leaving after the month
    hh["H2"].members.append(Member(name="新人", id_number=f.new_id(), relation="son", joined_on=D(2019, 2, 1)))
    hh["H1"].members[0].left_on, hh["H1"].members[0].left_reason = D(2019, 2, 1), "deceased"
    # pairings starting after the month, one ended after as_of; visits, benefits and incomes after the month
    f.pairing(session, cadres["赵四"], hh["H3"], D(2019, 2, 1))
    session.scalars(select(Pairing).where(Pairing.household_id == hh["H1"].id)).one().end_on = D(2019, 2, 15)
    f.visit(session, cadres["王二"], hh["H4"], D(2019, 2, 1))
    f.visit(session, cadres["王二"], hh["H6"], D(2019, 2, 28))
    f.benefit(session, hh["H4"], "雨露计划", D(2019, 2, 3), "999.99", category="education")
    f.income(session, hh["H3"], 2019, wage="1")
    # a new household whose members joined after the month
    f.household(session, "H10", village=built["areas"]["东营村"],
                members=[{"name": "后来", "relation": "head", "joined_on": D(2019, 2, 20)}])
    session.flush()
    after = monthly.build(session, reg.MONTH).as_json()
    assert after == before
    # and the next month does see them (the edits were real)
    assert monthly.build(session, "2019-02").as_json() != before


def test_incidence_rounds_half_up():
    fig = monthly.AreaFigures(1, "village", None, "x", None, 0, people=32, poor_people=1)
    assert fig.incidence == Decimal("3.13")  # 3.125: half-up, not to even
    assert monthly.AreaFigures(1, "village", None, "x", None, 0, people=800, poor_people=1).incidence == Decimal("0.13")
    assert monthly.AreaFigures(1, "village", None, "x", None, 0).as_json()["incidence_pct"] == "0.00"


def test_month_parsing():
    m = monthly.Month.parse("2019-02")
    assert (m.label, m.first, m.as_of, m.income_year) == ("2019-02", D(2019, 2, 1), D(2019, 2, 28), 2018)
    assert monthly.Month.parse("2020年2月").as_of == D(2020, 2, 29)
    for bad in ("2019-13", "201901", "abc", ""):
        with pytest.raises(parse.ValueProblem):
            monthly.Month.parse(bad)


def test_an_empty_register_gives_zero_figures(session):
    f.area_tree(session)
    report = monthly.build(session, "2019-01").as_json()
    county = report["areas"][0]
    assert county["households"] == 0 and county["incidence_pct"] == "0.00" and county["benefits_yuan"] == "0.00"
