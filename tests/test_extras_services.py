"""Projects, assets, employment, training and party members through the services and the figures (no CLI)."""

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from povmon.models import AuditLog, Benefit, Income, ProjectDividend
from povmon.reports import extras
from povmon.services import employment, projects
from povmon.services.entry import Refused

from . import factories as f

U = "clerk1"
D = dt.date(2019, 1, 15)


def _village(session):
    return f.area_tree(session, "西营镇", "东营村")


def test_project_funding_beneficiaries_and_dividends(session):
    village = _village(session)
    hh = f.household(session, "141122102001X001", village=village)
    f.event(session, hh, "identified", dt.date(2015, 5, 1))
    other = f.household(session, "141122102001X002", village=village)
    p = projects.add(session, village, name="光伏电站", kind="资产收益类", investment="1,285,714.29", start="2017-5-1",
                     completed="2017.10.1", dividend="1000", user=U).record
    assert p.kind == "asset_income" and p.investment == Decimal("1285714.29")
    warned = projects.fund(session, p, source="整合资金", amount="2000000", user=U)
    assert warned.warnings and warned.warnings[0].code == "funding_exceeds"
    projects.add_beneficiary(session, p, hh, user=U)
    with pytest.raises(Refused) as twice:
        projects.add_beneficiary(session, p, hh, user=U)
    assert twice.value.codes == ["bad_value"]
    with pytest.raises(Refused) as not_beneficiary:
        projects.pay_dividend(session, p, other, year=2018, paid_on=D, user=U)
    assert not_beneficiary.value.codes == ["unknown_reference"]
    assert [r["unpaid"] for r in projects.unpaid(session, 2018)] == [[hh.code]]

    paid = projects.pay_dividend(session, p, hh, year=2018, paid_on=D, user=U)
    dividend = paid.stored[-1]
    assert isinstance(dividend, ProjectDividend) and dividend.amount == Decimal("1000.00")
    benefit = session.get(Benefit, dividend.benefit_id)
    assert benefit.policy.category == "asset_income" and benefit.amount == Decimal("1000.00")
    income = session.get(Income, dividend.income_id)
    assert (income.year, income.month, income.property) == (2019, 1, Decimal("1000.00"))
    assert projects.unpaid(session, 2018) == []
    with pytest.raises(Refused) as again:
        projects.pay_dividend(session, p, hh, year=2018, paid_on=D, user=U)
    assert again.value.codes == ["bad_value"]
    tables = {a.table_name for a in session.scalars(select(AuditLog).where(AuditLog.user == U))}
    assert {"project", "project_funding", "project_beneficiary", "benefit", "income", "project_dividend"} <= tables
    assert extras.dividends_paid(session, dt.date(2019, 1, 1), dt.date(2019, 1, 31)) == (1, Decimal("1000.00"))


def test_a_dividend_already_in_the_policy_ledger_is_linked_not_doubled(session):
    village = _village(session)
    hh = f.household(session, "141122102001X003", village=village)
    existing = f.benefit(session, hh, "资产收益扶贫分红", D, "1000", category="asset_income")
    p = projects.add(session, village, name="养殖园区", kind="资产收益", investment="900000", dividend="1000",
                     user=U).record
    projects.add_beneficiary(session, p, hh, user=U)
    paid = projects.pay_dividend(session, p, hh, year=2018, paid_on=D, user=U)
    assert paid.stored[-1].benefit_id == existing.id and paid.stored[-1].income_id is None
    assert session.scalar(select(Income.id).where(Income.household_id == hh.id)) is None
    assert len(session.scalars(select(Benefit).where(Benefit.household_id == hh.id)).all()) == 1


def test_asset_status_is_history_and_idle_assets_are_listed(session):
    village = _village(session)
    p = projects.add(session, village, name="饮水工程", kind="基础设施", investment="500000", completed="2018-06-28",
                     user=U).record
    asset = projects.add_asset(session, p, name="东营村蓄水池", value="480000", owner="村集体", custodian="东营村委会",
                               user=U).stored[0]
    assert asset.status_on(dt.date(2018, 7, 1)).status == "in_use"
    projects.set_status(session, asset, status="闲置", on="2019-03-01", note="水泵损坏待修", user=U)
    assert [a["name"] for a in extras.assets(session, dt.date(2019, 3, 2), attention_only=True)] == ["东营村蓄水池"]
    assert extras.assets(session, dt.date(2019, 2, 1), attention_only=True) == []  # as of before the change
    with pytest.raises(Refused) as same:
        projects.set_status(session, asset, status="停用", on="2019-04-01", user=U)
    assert same.value.codes == ["bad_value"]
    with pytest.raises(Refused) as earlier:
        projects.set_status(session, asset, status="在用", on="2019-02-01", user=U)
    assert earlier.value.codes == ["bad_date"]
    projects.set_status(session, asset, status="处置", on="2019-05-01", user=U)
    with pytest.raises(Refused) as closed:
        projects.set_status(session, asset, status="在用", on="2019-06-01", user=U)
    assert closed.value.codes == ["status_transition"]
    with pytest.raises(Refused) as bad:
        projects.add_asset(session, p, name="管网", value="abc", owner="集体所有制", user=U)
    assert set(bad.value.codes) == {"bad_number", "bad_value"}


def test_jobs_and_the_monthly_wage_threshold(session):
    village = _village(session)
    poor = f.household(session, "141122102001X004", village=village, members=[
        {"name": "务工甲", "relation": "head"}, {"name": "配偶", "relation": "spouse", "sex": "F"},
        {"name": "孩子", "relation": "son", "born": dt.date(2010, 1, 1)}])
    f.event(session, poor, "identified", dt.date(2015, 5, 1))
    ordinary = f.household(session, "141122102001X005", village=village)
    firm = employment.add_enterprise(session, name="山西文源包装", industry="包装", area=village, user=U).record
    assert firm.industry == "manufacturing"
    employment.hire(session, poor.members[0], firm, start="2018-03-01", wage="1800", user=U)
    employment.hire(session, poor.members[1], firm, start="2018-03-01", wage="900", user=U)
    employment.hire(session, ordinary.members[0], firm, start="2018-03-01", wage="2500", user=U)
    with pytest.raises(Refused) as child:
        employment.hire(session, poor.members[2], firm, start="2018-03-01", wage="500", user=U)
    assert child.value.codes == ["bad_date"]
    with pytest.raises(Refused) as twice:
        employment.hire(session, poor.members[0], firm, start="2018-06-01", wage="1800", user=U)
    assert twice.value.codes == ["bad_value"]
    day = dt.date(2019, 1, 31)
    figures = extras.employed(session, day)
    assert (figures.people, figures.households, figures.registered_people) == (3, 2, 2)
    assert (figures.wage_households, figures.wage_people) == (1, 3)  # the 1,800-yuan job; the household's 3 people
    assert figures.yearly_wage == Decimal("32400.00")
    employment.leave_job(session, poor.members[0], firm, on="2018-12-31", user=U)
    assert extras.employed(session, day).wage_households == 0


def test_training_and_party_members(session):
    village = _village(session)
    hh = f.household(session, "141122102001X006", village=village)
    course = employment.add_training(session, course="电商运营", held_on="2018-05-10", provider="县人社局",
                                     area=village, user=U).record
    employment.attend(session, course, hh.members[0], user=U)
    employment.attend(session, course, hh.members[1], user=U)
    with pytest.raises(Refused):
        employment.attend(session, course, hh.members[1], user=U)
    assert extras.trained(session, dt.date(2018, 1, 1), dt.date(2018, 12, 31)) == (1, 2)
    assert employment.find_training(session, "电商运营", "2018.5.10") is course

    employment.set_political(session, hh.members[0], status="预备党员", since="2010-07-01", user=U)
    employment.set_political(session, hh.members[0], status="党员", since="2011-07-01", user=U)
    with pytest.raises(Refused) as same:
        employment.set_political(session, hh.members[0], status="中共党员", since="2012-07-01", user=U)
    assert same.value.codes == ["bad_value"]
    assert extras.party_members(session, dt.date(2009, 1, 1)) == 0
    assert extras.party_members(session, dt.date(2019, 1, 31)) == 1
    assert extras.party_members(session, dt.date(2019, 1, 31), extras.under(session, village.parent)) == 1


def test_the_household_ledger_lists_jobs_training_projects_and_party(session):
    from povmon.reports import ledger

    village = _village(session)
    hh = f.household(session, "141122102001X007", village=village)
    firm = employment.add_enterprise(session, name="欧格软包", industry="工业", user=U).record
    employment.hire(session, hh.members[0], firm, start="2018-03-01", wage="1500", user=U)
    employment.hire(session, hh.members[1], firm, start="2019-03-01", wage="1500", user=U)  # after the ledger's day
    employment.set_political(session, hh.members[0], status="党员", since="2001-07-01", user=U)
    p = projects.add(session, village, name="冷库", kind="资产收益", investment="100", dividend="500",
                     completed="2018-01-01", user=U).record
    projects.add_beneficiary(session, p, hh, user=U)
    projects.pay_dividend(session, p, hh, year=2018, paid_on=D, user=U)
    (one,) = ledger.ledgers(session, [hh.id], dt.date(2019, 1, 31))
    assert [(w.kind, w.amount) for w in one.work] == [
        ("政治面貌", None), ("项目", None), ("务工", Decimal("1500.00")), ("分红", Decimal("500.00"))]
