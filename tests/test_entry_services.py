"""Data-entry services without the CLI: validation, the household rules, audit rows, history kept."""

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from povmon.models import Area, AuditLog, Benefit, Household, HouseholdEvent, Income, Member, Pairing, Policy
from povmon.reports.household import household_view
from povmon.rules import idcard
from povmon.services import areas, assistance, benefits, cadres, events, household_entry, incomes, members, pairings
from povmon.services import households as hh
from povmon.services.entry import Refused

from . import factories as f

U = "clerk1"


def audit_rows(session, table=None):
    query = select(AuditLog).order_by(AuditLog.id)
    if table:
        query = query.where(AuditLog.table_name == table)
    return list(session.scalars(query))


# --- areas ----------------------------------------------------------------------------------------------------


def test_areas_add_find_rename_and_list(session):
    county = areas.add(session, name="交城县", level="县", code="141122", user=U).record
    town = areas.add(session, name="西营镇", level="乡镇", parent="交城县", code="141122102", user=U).record
    village = areas.add(session, name="东营村", level="村", parent="141122102", code="141122102001", user=U).record
    assert village.parent is town and town.parent is county
    assert areas.find(session, "西营镇/东营村") is village
    assert areas.find(session, "141122102001") is village
    assert areas.path_of(village) == "交城县/西营镇/东营村"

    with pytest.raises(Refused) as bad_code:
        areas.add(session, name="西营村", level="村", parent="西营镇", code="141122999001", user=U)
    assert bad_code.value.codes == ["bad_value"] and "141122102" in str(bad_code.value)  # the importer's code
    with pytest.raises(Refused) as dup:
        areas.add(session, name="东营村", level="村", parent="西营镇", user=U)
    assert "已经存在" in str(dup.value)
    with pytest.raises(Refused) as unknown:
        areas.add(session, name="某村", level="村", parent="不存在镇", user=U)
    assert unknown.value.codes == ["unknown_area"]

    areas.rename(session, village, "东营社区", user=U, reason="撤村建居")
    row = audit_rows(session, "area")[-1]
    assert (row.field, row.old_value, row.new_value, row.user) == ("name", "东营村", "东营社区", U)
    assert row.note == "撤村建居"
    rows = areas.listing(session)
    assert [r.name for r in rows] == ["交城县", "西营镇", "东营社区"]
    assert len(audit_rows(session, "area")) == 4  # three inserts, one rename


def test_an_ambiguous_village_name_asks_for_its_township(session):
    f.area_tree(session, "西营镇", "新村")
    f.area_tree(session, "会立乡", "新村")
    with pytest.raises(Refused) as exc:
        areas.find(session, "新村", "village")
    assert exc.value.codes == ["unknown_area"] and "会立乡" in str(exc.value) and "西营镇" in str(exc.value)
    assert areas.find(session, "会立乡/新村", "village").parent.name == "会立乡"


# --- households and members -----------------------------------------------------------------------------------


def add_household(session, code="H1", head_id=None, **kw):
    f.area_tree(session, "西营镇", "东营村")
    head_id = head_id or f.new_id(dt.date(1970, 3, 1))
    return household_entry.add(session, code=code, village="东营村", head_name="张三", head_id=head_id,
                               user=U, **kw).record


def test_household_add_creates_the_head_and_audits_both(session):
    f.area_tree(session, "西营镇", "东营村")
    number = f.new_id(dt.date(1970, 3, 1))
    outcome = household_entry.add(session, code="H1", village="西营镇/东营村", head_name="张三", head_id=number,
                                  fields={"住房安全": "C级危房", "phone": "13800001234", "两不愁": "是"},
                                  head_fields={"医保": "是", "劳动技能": "普通劳动力"}, user=U)
    household, head = outcome.stored
    assert household.housing_safety == "C" and household.food_clothing_secure is True
    assert head.relation == "head" and head.medical_insurance is True and head.labour == "ordinary"
    assert head.birth_date == dt.date(1970, 3, 1) and head.sex == idcard.sex(number)
    assert household.created_by == U
    inserts = [(r.table_name, r.row_id, r.user) for r in audit_rows(session)]
    assert inserts == [("household", household.id, U), ("member", head.id, U)]
    data = outcome.as_json()
    assert data["stored"][0]["code"] == "H1" and data["stored"][1]["household"] == "H1"


def test_household_add_refuses_with_every_problem_at_once(session):
    existing = add_household(session, "H1")
    taken = existing.members[0].id_number
    with pytest.raises(Refused) as exc:
        household_entry.add(session, code="H1", village="无此村", head_name="", head_id=taken[:-1] + "0",
                            fields={"住房安全": "E级", "颜色": "红"}, user=U)
    codes = exc.value.codes
    assert "bad_value" in codes and "unknown_area" in codes and "required_missing" in codes
    assert "id_checksum" in codes or "id_in_other_household" in codes
    assert "不是有效的住房安全" in str(exc.value) and "没有名为“颜色”的户字段" in str(exc.value)
    with pytest.raises(Refused) as elsewhere:
        household_entry.add(session, code="H2", village="东营村", head_name="张三", head_id=taken, user=U)
    assert elsewhere.value.codes == ["id_in_other_household"] and "H1" in str(elsewhere.value)


def test_an_id_from_an_unused_area_code_is_a_warning_not_a_refusal(session):
    late = idcard.make("141122", dt.date(1960, 5, 1), 13)  # 141122 did not exist in 1960: late registration
    outcome = household_entry.add(session, code="H9", village=f.area_tree(session), head_name="李五", head_id=late,
                                  user=U)
    assert [w.code for w in outcome.warnings] == ["id_area"]


def test_household_edit_is_an_audited_change(session):
    household = add_household(session)
    household_entry.edit(session, household, "住房安全", "B级", user=U, reason="危房改造完成")
    household_entry.edit(session, household, "housing-safety", "B级", user=U)  # unchanged: no row
    other = f.area_tree(session, "会立乡", "岔口村")
    household_entry.edit(session, household, "village", "会立乡/岔口村", user=U)
    assert household.housing_safety == "B" and household.village_id == other.id
    updates = [(r.field, r.old_value, r.new_value) for r in audit_rows(session, "household") if r.action == "update"]
    assert updates == [("housing_safety", None, "B"), ("village_id", str(f.area_tree(session).id), str(other.id))]
    with pytest.raises(Refused, match="没有名为“age”的户字段"):
        household_entry.edit(session, household, "age", "3", user=U)


def test_members_birth_death_move_and_the_head_rule(session):
    household = add_household(session, head_id=f.new_id(dt.date(1970, 3, 1)))
    head = household.members[0]
    wife = members.add(session, household, name="王芳", id_number=f.new_id(dt.date(1972, 1, 1), "F"), relation="妻",
                       reason="婚入", joined_on="2015.5.1", user=U).record
    baby_id = f.new_id(dt.date(2018, 6, 2))
    baby = members.add(session, household, name="张小", id_number=baby_id, relation="之子", reason="出生",
                       user=U).record
    assert baby.joined_on == dt.date(2018, 6, 2) and "出生" in baby.note
    with pytest.raises(Refused) as two_heads:
        members.add(session, household, name="张四", id_number=f.new_id(), relation="户主", reason="迁入",
                    joined_on="2019-01-01", user=U)
    assert two_heads.value.codes == ["multiple_heads"]

    outcome = members.leave(session, head, reason="去世", on="2019-03-05", user=U)
    assert head.left_on == dt.date(2019, 3, 5) and head.left_reason == "deceased"
    assert [w.code for w in outcome.warnings] == ["no_head"]  # until the next head is named
    members.edit(session, wife, "relation", "户主", user=U, reason="原户主去世")
    assert hh.head_of(household.members, dt.date(2019, 4, 1)) is wife

    other = add_household(session, "H2")
    moved = members.move(session, baby, other, on="2019-05-01", relation="之孙子", user=U)
    old_stint, new_stint = baby, moved.stored[0]
    assert old_stint.left_on == dt.date(2019, 5, 1) and old_stint.left_reason == "moved_out"
    assert new_stint.household is other and new_stint.joined_on == dt.date(2019, 5, 1)
    assert new_stint.id_number == baby_id and new_stint.relation == "grandson"
    assert members.find(session, baby_id) is new_stint
    view = household_view(session, "H1", dt.date(2019, 6, 1))
    assert view["head"] == "王芳" and view["members_present"] == 1
    assert {m["name"]: m["state"] for m in view["members"]} == {"张三": "死亡", "王芳": "新增", "张小": "迁出"}
    # as of before these changes the register looks as it did
    assert household_view(session, "H1", dt.date(2018, 12, 31))["members_present"] == 3


def test_member_add_refuses_a_person_present_elsewhere(session):
    first = add_household(session, "H1")
    second = add_household(session, "H2")
    number = first.members[0].id_number
    with pytest.raises(Refused) as exc:
        members.add(session, second, name="张三", id_number=number, relation="之父", reason="迁入",
                    joined_on="2019-01-01", user=U)
    assert exc.value.codes == ["id_in_other_household"] and "member move" in str(exc.value)


def test_member_edit_of_the_id_number_rederives_birth_and_sex(session):
    household = add_household(session)
    head = household.members[0]
    fixed = idcard.make("142323", dt.date(1968, 8, 8), 22)
    members.edit(session, head, "身份证号", fixed, user=U)
    assert head.id_number == fixed and head.birth_date == dt.date(1968, 8, 8) and head.sex == "F"
    fields = {r.field for r in audit_rows(session, "member") if r.action == "update"}
    assert fields == {"id_number", "birth_date", "sex"}
    with pytest.raises(Refused) as bad:
        members.edit(session, head, "id_number", fixed[:-1] + ("0" if fixed[-1] != "0" else "1"), user=U)
    assert bad.value.codes == ["id_checksum"]


# --- events ---------------------------------------------------------------------------------------------------


def test_identify_sets_the_household_facts_and_refuses_twice(session):
    household = add_household(session)
    events.identify(session, household, date="2016", standard="国家标准", cause="因病", user=U)
    event = household.events[0]
    assert (event.kind, event.event_date, event.year_only) == ("identified", dt.date(2016, 12, 31), True)
    assert household.attribute == "general_poor" and household.main_cause == "illness"
    with pytest.raises(Refused) as again:
        events.identify(session, household, date="2017-03-01", standard="国家标准", cause="因病", user=U)
    assert again.value.codes == ["status_transition"] and "未脱贫" in str(again.value)
    with pytest.raises(Refused) as bad:
        events.identify(session, household, date="明年", standard="国际标准", cause="", user=U)
    assert set(bad.value.codes) == {"bad_date", "bad_value", "required_missing"}


def make_exitable(session, household, year=2017):
    household_entry.edit(session, household, "两不愁", "是", user=U)
    household_entry.edit(session, household, "住房安全", "A", user=U)
    household_entry.edit(session, household, "饮水安全", "是", user=U)
    for m in household.members:
        members.edit(session, m, "医保", "是", user=U)
    incomes.record(session, household, year=year, amounts={"wage": "9000"}, user=U)


def test_exit_is_refused_with_the_failing_items_then_forced_or_accepted(session):
    household = add_household(session)
    events.identify(session, household, date="2016", standard="国家标准", cause="因病", user=U)
    incomes.record(session, household, year=2017, amounts={"wage": "2000"}, user=U)  # under the 2017 line
    with pytest.raises(Refused) as refused:
        events.exit_household(session, household, date="2017-12-31", user=U)
    text = str(refused.value)
    assert set(refused.value.codes) == {"exit_standard"}
    assert "一达标" in text and "2017年人均纯收入 2000.00 元" in text and "两不愁" in text and "--force" in text
    assert len(household.events) == 1
    with pytest.raises(Refused, match="强制退出必须写明理由"):
        events.exit_household(session, household, date="2017-12-31", force=True, user=U)

    make_exitable(session, household)
    outcome = events.exit_household(session, household, date="2017-12-31", user=U)
    assert outcome.facts["forced"] is False and all(i["met"] for i in outcome.facts["exit_standard"])
    assert hh.status(session, household.id, dt.date(2018, 1, 1)).status == "exited"


def test_a_forced_exit_keeps_the_failing_items_in_its_note(session):
    household = add_household(session)
    events.identify(session, household, date="2016", standard="国家标准", cause="因病", user=U)
    outcome = events.exit_household(session, household, date="2017-12-31", force=True, reason="县扶贫办批准", user=U)
    event = outcome.record
    assert event.reason == "县扶贫办批准" and event.note.startswith("强制退出；未达标项：一达标")
    assert outcome.facts["forced"] is True


def test_monitoring_elimination_needs_labour_and_can_be_revoked(session):
    household = add_household(session)
    head = household.members[0]
    with pytest.raises(Refused) as wrong_type:
        events.monitor(session, household, date="2021-05-01", monitoring_type="脱贫不稳定户", risks="因病", user=U)
    assert "只适用于已脱贫" in str(wrong_type.value)
    with pytest.raises(Refused, match="最多填5项"):
        events.monitor(session, household, date="2021-05-01", monitoring_type="边缘户",
                       risks=["因病", "因学", "因残", "因灾", "因意外", "辍学"], user=U)
    events.monitor(session, household, date="2021-05-01", monitoring_type="边缘户", risks=["因病", "因学"],
                   lead="干部排查", user=U)
    assert household.events[-1].risks == "illness,schooling" and household.events[-1].lead_source == "cadre_check"

    with pytest.raises(Refused) as unrecorded:
        events.eliminate(session, household, date="2021-12-01", how="帮扶消除", user=U)
    assert unrecorded.value.codes == ["no_labour_capacity"] and "请先录入" in str(unrecorded.value)
    members.edit(session, head, "劳动技能", "丧失劳动力", user=U)
    with pytest.raises(Refused, match="无劳动能力户不标注风险消除"):
        events.eliminate(session, household, date="2021-12-01", how="帮扶消除", user=U)
    members.edit(session, head, "劳动技能", "普通劳动力", user=U)
    with pytest.raises(Refused) as unmet:  # issue 12: every item of the elimination is checked
        events.eliminate(session, household, date="2021-12-01", how="帮扶消除", user=U)
    assert "人均纯收入稳定高于监测线" in str(unmet.value) and "--force" in str(unmet.value)
    forced = events.eliminate(session, household, date="2021-12-01", how="帮扶消除", user=U, force=True,
                              reason="县里批准")
    assert forced.facts["forced"] and household.events[-1].note.startswith("强制标注风险消除；未达标项：")
    assert hh.status(session, household.id, dt.date(2022, 1, 1)).monitoring.risk_eliminated
    with pytest.raises(Refused, match="撤销理由不能为空"):
        events.revoke(session, household, date="2022-02-01", reason="", user=U)
    events.revoke(session, household, date="2022-02-01", reason="复核发现收入不稳", user=U)
    assert hh.status(session, household.id, dt.date(2022, 3, 1)).monitored


def test_events_out_of_order_are_refused_against_later_history(session):
    household = add_household(session)
    events.identify(session, household, date="2016", standard="国家标准", cause="因病", user=U)
    make_exitable(session, household, 2017)
    make_exitable(session, household, 2018)
    events.exit_household(session, household, date="2018-12-31", user=U)
    # an earlier exit would make the recorded 2018 exit impossible
    with pytest.raises(Refused) as exc:
        events.exit_household(session, household, date="2017-12-31", user=U)
    assert exc.value.codes == ["status_transition"] and "与之后的记录冲突" in str(exc.value)


def test_cancel_voids_an_event_without_erasing_it(session):
    household = add_household(session)
    identified = events.identify(session, household, date="2016", standard="国家标准", cause="因病", user=U).record
    make_exitable(session, household)
    exited = events.exit_household(session, household, date="2017-12-31", user=U).record
    # cancelling the identification would leave the exit without a poor status before it
    with pytest.raises(Refused, match="与之后的记录冲突"):
        events.cancel(session, identified.id, reason="误录", user=U)
    outcome = events.cancel(session, exited.id, reason="退出材料不全，重新评议", user=U)
    cancel = outcome.record
    assert cancel.kind == "cancelled" and cancel.cancels_event_id == exited.id
    assert cancel.event_date == exited.event_date
    assert session.get(HouseholdEvent, exited.id) is not None  # still there
    assert hh.status(session, household.id, dt.date(2018, 6, 1)).status == "poor"
    with pytest.raises(Refused, match="已于"):
        events.cancel(session, exited.id, reason="again", user=U)
    with pytest.raises(Refused, match="本身是一条作废记录"):
        events.cancel(session, cancel.id, reason="x", user=U)
    listed = events.listing(household)
    assert [e["kind"] for e in listed] == ["identified", "exited", "cancelled"]
    assert listed[1]["cancelled_by"] == cancel.id


def test_a_correction_dated_later_keeps_the_past_month_reproducible(session):
    household = add_household(session)
    events.identify(session, household, date="2016", standard="国家标准", cause="因病", user=U)
    make_exitable(session, household)
    exited = events.exit_household(session, household, date="2017-12-31", user=U).record
    events.cancel(session, exited.id, reason="复核", on="2018-06-30", user=U)
    assert hh.status(session, household.id, dt.date(2018, 1, 31)).status == "exited"  # as reported then
    assert hh.status(session, household.id, dt.date(2018, 7, 31)).status == "poor"


# --- income, cadres, pairings, visits, measures, benefits -------------------------------------------------------


def test_income_year_and_months_with_corrections(session):
    household = add_household(session)
    first = incomes.record(session, household, year="2018", month="3", amounts={"wage": "1,000元", "transfer": "50"},
                           user=U)
    assert first.facts["year"]["net"] == "1050.00" and first.facts["year"]["members"] == 1
    incomes.record(session, household, year=2018, month=3, amounts={"wage": "1200"}, user=U)
    entry = session.scalars(select(Income)).one()
    assert entry.wage == Decimal("1200.00") and entry.transfer == Decimal("50.00")
    updates = [(r.field, r.old_value, r.new_value) for r in audit_rows(session, "income") if r.action == "update"]
    assert updates == [("wage", "1000.00", "1200.00")]
    whole = incomes.record(session, household, year=2018, amounts={"business": "500"}, user=U)
    assert [w.code for w in whole.warnings] == ["mixed_periods"]
    with pytest.raises(Refused) as bad:
        incomes.record(session, household, year=2018, month=13, amounts={"wage": "abc"}, user=U)
    assert set(bad.value.codes) == {"bad_number"}
    with pytest.raises(Refused, match="至少填写一项收入"):
        incomes.record(session, household, year=2017, amounts={}, user=U)
    rows = incomes.summary(session, household, dt.date(2019, 1, 1))
    assert rows[0]["per_capita"] == "1750.00" and rows[0]["poverty_line"] is not None
    assert rows[0]["below_poverty_line"] is True


def test_cadres_pairings_and_replacement_keep_history(session):
    h1, h2 = add_household(session, "H1"), add_household(session, "H2")
    old = cadres.add(session, name="李四", id_number=f.new_id(dt.date(1975, 5, 5)), unit="国土局",
                     role="帮扶责任人", user=U).record
    new = cadres.add(session, name="赵六", id_number=f.new_id(dt.date(1980, 1, 1)), unit="水利局", user=U).record
    assert cadres.find(session, "李四") is old and cadres.find(session, old.id_number) is old
    with pytest.raises(Refused) as unknown:
        cadres.find(session, "无名")
    assert unknown.value.codes == ["unknown_reference"]
    for household in (h1, h2):
        pairings.pair(session, household, old, start="2016-03-01", user=U)
    with pytest.raises(Refused, match="不必重复结对"):
        pairings.pair(session, h1, old, start="2017-01-01", user=U)
    outcome = pairings.replace(session, old, new, on="2019-07-01", reason="工作调动", user=U)
    assert outcome.facts["households"] == ["H1", "H2"]
    rows = session.scalars(select(Pairing).order_by(Pairing.id)).all()
    assert [(p.cadre.name, p.start_on, p.end_on) for p in rows] == [
        ("李四", dt.date(2016, 3, 1), dt.date(2019, 7, 1)), ("李四", dt.date(2016, 3, 1), dt.date(2019, 7, 1)),
        ("赵六", dt.date(2019, 7, 1), None), ("赵六", dt.date(2019, 7, 1), None),
    ]
    view = household_view(session, "H1", dt.date(2019, 8, 1))
    assert [(p["cadre"], p["to"]) for p in view["pairings"]] == [("李四", "2019-07-01"), ("赵六", None)]
    pairings.end(session, h2, new, on="2020-01-01", reason="该户销户", user=U)
    assert [r["household"] for r in pairings.listing(session, dt.date(2020, 2, 1))] == ["H1"]
    with pytest.raises(Refused, match="没有与户 H2 结对"):
        pairings.end(session, h2, new, on="2020-02-01", reason=None, user=U)


def test_visits_measures_and_benefits(session):
    household = add_household(session)
    cadre = cadres.add(session, name="李四", id_number=f.new_id(dt.date(1975, 5, 5)), user=U).record
    visit = assistance.add_visit(session, household, cadre, date="2019年3月2日", done="了解春耕", problems="缺化肥",
                                 resolved="否", user=U)
    assert [w.code for w in visit.warnings] == ["not_paired"] and visit.record.resolved is False
    measure = assistance.add_measure(session, household, kind="产业", date="2019-03-05", description="发放鸡苗",
                                     amount="300", cadre=cadre, user=U).record
    assert measure.amount == Decimal("300.00") and measure.kind == "industry"
    with pytest.raises(Refused, match="第一次录入时请写明政策类别"):
        benefits.add(session, household, policy="雨露计划", date="2019-04-01", amount="1500", user=U)
    first = benefits.add(session, household, policy="雨露计划", category="教育", date="2019-04-01", amount="1500",
                         member=household.members[0].id_number, user=U)
    assert [r.__tablename__ for r in first.stored] == ["policy", "benefit"]
    benefits.add(session, household, policy="雨露计划", date="2019-09-01", amount="1500", user=U)
    assert session.scalars(select(Policy)).one().category == "education"
    assert len(session.scalars(select(Benefit)).all()) == 2
    with pytest.raises(Refused, match="已登记为教育类"):
        benefits.add(session, household, policy="雨露计划", category="健康", date="2019-09-01", amount="1", user=U)
    tables = [r.table_name for r in audit_rows(session) if r.action == "insert"]
    assert tables.count("benefit") == 2 and tables.count("policy") == 1 and "visit" in tables and "measure" in tables


def test_household_search_by_area_name_id_and_status(session):
    h1 = add_household(session, "H1")
    add_household(session, "H2")
    f.area_tree(session, "会立乡", "岔口村")
    household_entry.add(session, code="H3", village="岔口村", head_name="王五", head_id=f.new_id(), user=U)
    events.identify(session, h1, date="2016-05-01", standard="国家标准", cause="因病", user=U)
    day = dt.date(2019, 1, 1)
    assert [r.code for r in household_entry.search(session, as_of=day, area="西营镇")] == ["H1", "H2"]
    assert [r.code for r in household_entry.search(session, as_of=day, name="王")] == ["H3"]
    assert [r.code for r in household_entry.search(session, as_of=day, status="未脱贫")] == ["H1"]
    assert [r.code for r in household_entry.search(session, as_of=dt.date(2016, 1, 1), status="poor")] == []
    assert [r.code for r in household_entry.search(session, as_of=day, id_number=h1.members[0].id_number)] == ["H1"]
    with pytest.raises(Refused, match="不是可查询的状态"):
        household_entry.search(session, as_of=day, status="富裕")
    assert session.scalar(select(Household).where(Household.code == "H3")).village.name == "岔口村"
    assert session.scalars(select(Area)).all()
    assert session.scalars(select(Member)).all()


def test_present_households_looks_people_up_in_bulk(session):
    h1 = add_household(session, "H1")
    h2 = add_household(session, "H2")
    numbers = [h1.members[0].id_number, h2.members[0].id_number, f.new_id()]
    def codes(**kw):
        return {number: row.code for number, row in members.present_households(session, numbers, **kw).items()}

    assert codes() == {numbers[0]: "H1", numbers[1]: "H2"}
    assert codes(except_household_id=h1.id) == {numbers[1]: "H2"}
    assert members.present_households(session, numbers)[numbers[0]].name == "张三"
    members.leave(session, h2.members[0], reason="迁出", on="2019-01-01", user=U)
    assert codes() == {numbers[0]: "H1"}
