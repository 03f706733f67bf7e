import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from povmon.models import Benefit, HouseholdEvent, Income, Member, Policy
from povmon.reports.household import household_view
from povmon.rules.lines import Line
from povmon.services import households as hh_service
from povmon.services import lines as line_service

from . import factories as f


def test_money_is_exact_decimal_in_the_database(session):
    hh = f.household(session, "H1")
    for month in range(1, 11):
        f.income(session, hh, 2018, month, wage="0.10", transfer="0.20")
    session.expire_all()
    total = session.scalar(select(func.sum(Income.wage + Income.transfer)))
    assert total == Decimal("3.00")
    assert isinstance(session.scalar(select(Income.wage).limit(1)), Decimal)
    assert session.scalar(select(func.sum(Income.wage))) == Decimal("1.00")


def test_floats_are_refused_for_money(session):
    hh = f.household(session, "H1")
    session.add(Income(household=hh, year=2018, month=0, wage=0.1))
    with pytest.raises(Exception, match="never float"):
        session.flush()


def test_a_person_is_present_in_one_household_at_a_time(session):
    first = f.household(session, "H1")
    number = first.members[0].id_number
    second = f.household(session, "H2", members=[{"name": "别人", "relation": "head"}])
    with pytest.raises(IntegrityError), session.begin_nested():
        session.add(Member(household=second, name="同一人", id_number=number, relation="son"))
        session.flush()
    # once the first stint has ended (moved out), the person may join another household
    first.members[0].left_on = dt.date(2019, 1, 1)
    first.members[0].left_reason = "moved_out"
    session.add(
        Member(household=second, name="同一人", id_number=number, relation="son", joined_on=dt.date(2019, 1, 1))
    )
    session.flush()
    assert session.scalar(select(func.count()).where(Member.id_number == number)) == 2


def test_household_code_is_unique(session):
    f.household(session, "H1")
    with pytest.raises(IntegrityError), session.begin_nested():
        f.household(session, "H1", members=[{"name": "x", "relation": "head"}])


def test_household_view_matches_the_contract(session):
    village = f.area_tree(session, "西营镇", "东营村")
    hh = f.household(
        session, "1411221010010001", village=village, attribute="general_poor",
        members=[
            {"name": "张三", "relation": "head", "id_number": "14232319530208645X"},
            {"name": "王芳", "relation": "spouse", "sex": "F"},
            {"name": "张老汉", "relation": "father", "left_on": dt.date(2018, 5, 1), "left_reason": "deceased"},
            {"name": "张小", "relation": "son", "joined_on": dt.date(2019, 3, 1)},
        ],
    )
    f.event(session, hh, "identified", dt.date(2015, 12, 31))
    f.event(session, hh, "exited", dt.date(2017, 12, 31))
    f.event(session, hh, "monitoring_added", dt.date(2018, 9, 1), monitoring_type="unstable")
    f.income(session, hh, 2018, wage="10000", business="2000.5", business_expense="500", property="3000",
             transfer="1776")
    c1 = f.cadre(session, "李四", "交城县国土资源局")
    c2 = f.cadre(session, "赵六", "交城县农业局")
    f.pairing(session, c1, hh, dt.date(2016, 3, 1), dt.date(2018, 6, 30))
    f.pairing(session, c2, hh, dt.date(2018, 6, 30))
    f.pairing(session, c1, hh, dt.date(2020, 1, 1))  # after the as-of day: not shown

    view = household_view(session, "1411221010010001", dt.date(2019, 1, 31))
    assert view == {
        "code": "1411221010010001", "county": "交城县", "township": "西营镇", "village": "东营村",
        "head": "张三", "status": "exited", "attribute": "一般贫困户",
        "monitoring": {"type": "unstable", "risk_eliminated": False},
        "members_present": 2,
        "members": [
            {"name": "张三", "id_number": "142323********645X", "relation": "户主", "state": "在册"},
            {"name": "王芳", "id_number": view["members"][1]["id_number"], "relation": "配偶", "state": "在册"},
            {"name": "张老汉", "id_number": view["members"][2]["id_number"], "relation": "之父", "state": "死亡"},
        ],
        "income": {"2018": {"wage": "10000.00", "business": "2000.50", "business_expense": "500.00",
                            "property": "3000.00", "transfer": "1776.00", "net": "16276.50",
                            "per_capita": "8138.25"}},
        "pairings": [
            {"cadre": "李四", "unit": "交城县国土资源局", "from": "2016-03-01", "to": "2018-06-30"},
            {"cadre": "赵六", "unit": "交城县农业局", "from": "2018-06-30", "to": None},
        ],
    }
    assert all("*" in m["id_number"] for m in view["members"])
    # the son born in 2019 appears once he is there; the per-capita of 2018 still counts 31 Dec 2018
    later = household_view(session, "1411221010010001", dt.date(2019, 6, 1), show_ids=True)
    assert later["members_present"] == 3 and later["members"][3]["state"] == "新增"
    assert later["members"][0]["id_number"] == "14232319530208645X"
    assert later["income"]["2018"]["per_capita"] == "8138.25"
    # as of 2016 the household was poor, not monitored, and had no income known yet
    early = household_view(session, "1411221010010001", dt.date(2016, 6, 1))
    assert early["status"] == "poor" and early["monitoring"] is None and early["income"] == {}
    assert early["pairings"][0]["to"] is None  # the pairing had not ended yet


def test_household_view_per_capita_with_no_member_present(session):
    hh = f.household(session, "H9", members=[{"name": "独居", "relation": "head", "left_on": dt.date(2018, 2, 1),
                                             "left_reason": "deceased"}])
    f.income(session, hh, 2018, transfer="1200")
    view = household_view(session, "H9", dt.date(2019, 1, 1))
    assert view["members_present"] == 0 and view["head"] is None
    assert view["income"]["2018"]["per_capita"] is None


def test_unknown_household_is_not_found(session):
    from povmon.errors import NotFound

    with pytest.raises(NotFound, match="H404"):
        hh_service.by_code(session, "H404")


def test_events_benefits_and_lines_round_trip(session):
    hh = f.household(session, "H1")
    session.add(HouseholdEvent(household=hh, kind="monitoring_added", event_date=dt.date(2021, 1, 5),
                               monitoring_type="near_poor", risks="illness,schooling"))
    policy = Policy(name="扶贫小额信贷分红", category="finance")
    session.add(Benefit(household=hh, policy=policy, benefit_date=dt.date(2018, 12, 20), amount=Decimal("3000")))
    session.flush()
    assert hh_service.status(session, hh.id, dt.date(2021, 2, 1)).monitoring.type == "near_poor"
    assert session.scalar(select(Benefit.amount)) == Decimal("3000.00")
    created, updated = line_service.load(session, [Line(2018, "山西省", "poverty", Decimal("3200"))], user="t")
    assert (created, updated) == (1, 0)
    book = line_service.LineBook(session)
    assert book.poverty(2018).yuan == Decimal("3200.00")
    assert line_service.load(session, [Line(2018, "山西省", "poverty", Decimal("3300"))], user="t") == (0, 1)
