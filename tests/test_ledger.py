"""The five ledgers as data (reports.ledger): as-of reading, selection, batching, masking."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import event

from povmon.errors import NotFound, PovmonError
from povmon.reports import ledger as L
from povmon.rules.lines import LineValue

from . import factories as f
from . import ledger_register as reg

D = dt.date


@pytest.fixture
def register(session):
    return reg.build(session)


def one(session, household, day, **kwargs) -> L.Ledger:
    (result,) = L.ledgers(session, [household.id], day, **kwargs)
    return result


def test_card_and_family_of_a_household_with_a_death_and_a_newborn(session, register):
    led = one(session, register["a"], D(2019, 12, 31))
    assert (led.code, led.county, led.township, led.village, led.group) == (
        reg.A_CODE, "交城县", "西营镇", "东营村", "一组")
    assert led.place == "交城县西营镇东营村（一组）"
    assert led.head == "张建国" and led.phone == "138****1234"
    assert led.attribute == "低保贫困户" and led.status == "returned" and led.status_label == "返贫"
    assert led.status_since == D(2018, 6, 30) and led.monitoring is None  # monitoring only from 2021
    assert led.members_present == 5
    assert (led.housing, led.safe_water, led.food_clothing, led.arable_land) == ("B", True, True, Decimal("5.50"))

    names = [m.name for m in led.members]
    assert names == ["张建国", "张伟", "+王芳", "张小明", "张小丽", "李秀英"]  # head first, those who left last
    head, *_, baby, wife = led.members
    assert head.relation == "户主" and head.sex == "男" and head.age == 69 and head.present
    assert head.cover == "医保、养老、低保" and head.health == "长期慢性病" and head.labour == "弱劳动力或半劳动力"
    assert head.id_number.startswith("142323") and "********" in head.id_number and len(head.id_number) == 18
    assert (baby.state, baby.state_date, baby.present) == ("新增", D(2019, 3, 1), True)
    assert (wife.state, wife.state_date, wife.present, wife.age) == ("死亡", D(2018, 5, 3), False, 65)
    assert led.members[1].work == "省外务工（10个月）"
    assert led.members[2].health == "残疾（二级）"

    # the card: last full year's per-capita income against that year's lines
    assert led.card_year == 2018
    assert led.card_income.per_capita == Decimal("3900.13")  # 15,600.50 / 4 present on 31 Dec 2018
    assert led.card_poverty_line.yuan == Decimal("2995.00")
    assert led.card_monitoring_line == LineValue(Decimal("4492.50"), 2018, "national", derived=True)
    assert [c.name for c in led.cadres] == ["赵六"]
    assert led.cadres[0].text() == "赵六（交城县教育局 副局长） 电话 136****5432"
    assert [c.name for c in led.first_secretaries] == ["王书记"]


def test_identification_policy_income_and_assistance(session, register):
    led = one(session, register["a"], D(2019, 12, 31))
    assert [(e.date, e.kind, e.year_only) for e in led.events] == [
        (D(2014, 12, 31), "识别纳入", True), (D(2017, 12, 31), "脱贫退出", False), (D(2018, 6, 30), "返贫", False)]
    assert (led.events[0].standard, led.events[0].cause) == ("国家标准", "因病")
    assert led.standard == "国家标准" and led.main_cause == "因病" and led.other_causes == "缺技术、缺资金"
    checklist = {item.key: item.met for item in led.exit_items}
    assert checklist == {"income": True, "food_clothing": True, "education": True, "medical": True,
                         "housing": True, "water": True}

    assert [(y.year, y.total) for y in led.policy_years] == [
        (2017, Decimal("3000.00")), (2018, Decimal("11050.75")), (2019, Decimal("1000.00"))]  # 2020 is later
    assert [(b.policy, b.member) for b in led.policy_years[1].benefits] == [  # in date order
        ("低保金", None), ("医疗救助", "李秀英"), ("低保金", None)]
    assert led.policy_total == Decimal("15050.75")

    years = {line.year: line for line in led.incomes}
    assert list(years) == [2017, 2018, 2019]  # 2021 is after the day
    assert (years[2017].net, years[2017].members, years[2017].per_capita) == (
        Decimal("27400.00"), 5, Decimal("5480.00"))
    assert (years[2019].net, years[2019].members, years[2019].per_capita) == (
        Decimal("21600.00"), 5, Decimal("4320.00"))  # twelve monthly entries; the newborn counts, the dead not
    assert years[2018].comparison() == "高于贫困线、低于监测线"
    assert years[2017].comparison() == "高于监测线"

    assert [(p.cadre.name, p.start, p.end, p.end_reason, p.current) for p in led.pairings] == [
        ("李四", D(2016, 3, 1), D(2019, 1, 1), "工作调动", False), ("赵六", D(2019, 1, 1), None, None, True)]
    assert [(m.kind, m.amount, m.cadre) for m in led.measures] == [
        ("产业", Decimal("2000.00"), "李四"), ("就业", None, "赵六")]
    assert [(v.date, v.cadre, v.resolved) for v in led.visits] == [
        (D(2018, 8, 1), "李四", True), (D(2019, 2, 15), "赵六", False), (D(2019, 6, 20), "赵六", None)]


def test_everything_is_read_as_of_the_day(session, register):
    led = one(session, register["a"], D(2018, 12, 31))
    assert led.members_present == 4 and "张小丽" not in [m.name for m in led.members]
    assert [p.cadre.name for p in led.pairings] == ["李四"]
    assert led.pairings[0].end is None and led.pairings[0].current  # it ends only in 2019
    assert [y.year for y in led.policy_years] == [2017, 2018]
    assert [line.year for line in led.incomes] == [2017, 2018]
    assert len(led.visits) == 1 and len(led.measures) == 1
    assert led.card_year == 2017 and led.card_income.per_capita == Decimal("5480.00")

    later = one(session, register["a"], D(2022, 6, 30))
    assert later.monitoring == "脱贫不稳定户（风险未消除）"
    assert later.events[-1].risks == "因病、因务工就业不稳" and later.events[-1].source == "基层干部排查"
    assert later.card_year == 2021 and later.card_income.per_capita == Decimal("7000.00")
    assert later.card_monitoring_line.yuan == Decimal("6000.00") and not later.card_monitoring_line.derived

    before = one(session, register["a"], D(2014, 6, 1))
    assert before.status == "non_poor" and before.events == [] and before.card_income is None
    assert {i.key: i.met for i in before.exit_items}["income"] is None


def test_a_cancelled_event_is_shown_and_marked_void(session, register):
    house = register["c"]
    exited = f.event(session, house, "exited", D(2018, 12, 31))
    f.event(session, house, "cancelled", D(2019, 2, 1), cancels_event_id=exited.id, reason="收入核算有误")
    led = one(session, house, D(2019, 12, 31))
    assert [(e.kind, e.voided) for e in led.events] == [("识别纳入", False), ("脱贫退出", True), ("更正作废", False)]
    assert led.events[-1].reason == "作废 2018-12-31 脱贫退出；收入核算有误"
    assert led.status == "poor"
    assert one(session, house, D(2019, 1, 15)).events[1].voided is False  # not yet cancelled then


def test_household_without_benefits_income_or_events(session, register):
    led = one(session, register["b"], D(2019, 12, 31))
    assert led.policy_years == [] and led.policy_total == Decimal("0.00")
    assert led.incomes == [] and led.card_income is None and led.events == []
    assert led.measures == [] and led.visits == []
    assert led.status == "non_poor" and led.attribute == "一般农户"


def test_show_ids_reveals_numbers_and_phones(session, register):
    led = one(session, register["a"], D(2019, 12, 31), show_ids=True)
    assert "*" not in led.members[0].id_number and len(led.members[0].id_number) == 18
    assert led.phone == "13834561234" and led.cadres[0].phone == "13698765432"


def test_loading_is_batched_not_one_query_per_household(session, engine, register):
    extra = [f.household(session, f"X{i:03d}", members=[{"name": f"户主{i}", "relation": "head"}])
             for i in range(12)]
    for house in extra:
        f.income(session, house, 2018, wage=1000)
        f.pairing(session, register["li"], house, D(2018, 1, 1))
    statements = []

    def count(*_args):
        statements.append(1)

    ids = [register["a"].id] + [h.id for h in extra]
    event.listen(engine, "before_cursor_execute", count)
    try:
        few = list(L.ledgers(session, ids[:2], D(2019, 12, 31)))
        n_few = len(statements)
        statements.clear()
        many = list(L.ledgers(session, ids, D(2019, 12, 31)))
        n_many = len(statements)
        statements.clear()
        chunked = list(L.ledgers(session, ids, D(2019, 12, 31), chunk=5))
        n_chunked = len(statements)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert n_many == n_few  # the same queries for 2 households as for 13
    assert n_chunked < 3 * n_few + 3
    assert [x.code for x in many] == [reg.A_CODE] + [h.code for h in extra]
    assert many == chunked and few == many[:2]


# --- selection ------------------------------------------------------------------------------------------


def test_select_by_codes_village_township_and_cadre(session, register):
    day = D(2019, 12, 31)
    a, b, c = register["a"], register["b"], register["c"]
    chosen = L.select_households(session, day, codes=[reg.C_CODE, reg.A_CODE, reg.C_CODE])
    assert chosen.household_ids == [c.id, a.id] and chosen.label == "2户"
    assert L.select_households(session, day, village="东营村").household_ids == [a.id, b.id]
    assert L.select_households(session, day, township="会立乡").household_ids == [c.id]
    assert L.select_households(session, day, township="西营镇", village="东营村").label == "西营镇东营村"
    # a replaced pairing: 李四 left household A on 2019-01-01 and still helps C
    assert L.select_households(session, day, cadre=register["li"].id_number).household_ids == [c.id]
    assert L.select_households(session, D(2018, 6, 1), cadre="李四").household_ids == [a.id, c.id]
    assert L.select_households(session, day, cadre="赵六", village="东营村").household_ids == [a.id, b.id]


def test_unknown_or_ambiguous_selections_say_what_to_do(session, register):
    day = D(2019, 12, 31)
    with pytest.raises(NotFound, match="NOPE"):
        L.select_households(session, day, codes=["NOPE", reg.A_CODE])
    with pytest.raises(NotFound, match="没有名为 西村 的村"):
        L.select_households(session, day, village="西村")
    with pytest.raises(NotFound, match="没有名为 东乡 的乡镇"):
        L.select_households(session, day, township="东乡")
    with pytest.raises(NotFound, match="西营镇下没有名为 岔口村"):
        L.select_households(session, day, township="西营镇", village="岔口村")
    with pytest.raises(NotFound, match="帮扶干部"):
        L.select_households(session, day, cadre="无名氏")
    with pytest.raises(NotFound, match="没有结对帮扶的户"):
        L.select_households(session, D(2015, 1, 1), cadre="李四")
    f.cadre(session, "李四", "交城县民政局")
    with pytest.raises(PovmonError, match=r"有 2 位干部叫 李四.*身份证号"):
        L.select_households(session, day, cadre="李四")
    f.area_tree(session, "会立乡", "东营村")
    with pytest.raises(PovmonError, match=r"有 2 个村叫 东营村.*--township"):
        L.select_households(session, day, village="东营村")
    assert len(L.select_households(session, day, township="西营镇", village="东营村").household_ids) == 2
