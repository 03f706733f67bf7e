"""The household-level rules shared by data entry and the importer (pure functions, no database), and the
fields data entry sets by name (the importer's columns)."""

import datetime as dt

from povmon.rules import checks
from povmon.rules.checks import MemberRow, PlannedEvent
from povmon.rules.status import status_on
from povmon.services.fields import HOUSEHOLD_FIELDS, MEMBER_FIELDS, describe, find, parser

D = dt.date


class Ev:
    """An event as rules.status sees it."""

    def __init__(self, id, kind, day, monitoring_type=None, cancels=None):
        self.id, self.kind, self.event_date = id, kind, day
        self.monitoring_type, self.cancels_event_id = monitoring_type, cancels


def test_exactly_one_head():
    assert checks.heads([MemberRow("甲", "head"), MemberRow("乙", "spouse")]) == []
    none = checks.heads([MemberRow("乙", "spouse")])
    assert [p.code for p in none] == ["no_head"] and "请指定户主" in none[0].message
    two = checks.heads([MemberRow("甲", "head"), MemberRow("乙", "head")])
    assert [p.code for p in two] == ["multiple_heads"] and "甲、乙" in two[0].message
    assert checks.heads([]) == []  # nobody present: nobody to head the household


def test_head_problems_are_attributed_to_the_members_being_entered():
    # 甲 is on the register; 乙, 丙 and 丁 come in now (the importer: rows 56-58)
    rows = [MemberRow("甲", "head"), MemberRow("乙", "head", 56), MemberRow("丙", "son", 57),
            MemberRow("丁", "head", 58)]
    problems = checks.heads(rows, "H1")
    assert [(p.code, p.ref) for p in problems] == [("multiple_heads", 56), ("multiple_heads", 58)]
    assert problems[0].message.startswith("户 H1 有3位户主（甲、乙、丁）") and "更换户主" in problems[0].message
    only_new = checks.heads([MemberRow("乙", "head", 1), MemberRow("丁", "head", 2)])
    assert only_new[0].message.startswith("该户有2位户主") and "更换户主" not in only_new[0].message
    assert [(p.code, p.ref) for p in checks.heads([MemberRow("丙", "son", 3)], "H2")] == [("no_head", 3)]
    assert checks.heads([MemberRow("丙", "son", 3)], "H2")[0].message.startswith("户 H2 没有户主")


def test_a_problem_names_its_field_for_data_entry_and_keeps_its_message():
    typed = checks.Problem("bad_number", "“三千”不是金额", "工资性收入", about_value=True)
    assert typed.text == "工资性收入：“三千”不是金额" and typed.message == "“三千”不是金额"
    hinted = checks.Problem("no_head", "户 H1 没有户主", "与户主关系", hint="member edit")
    assert hinted.text == "户 H1 没有户主；member edit" and hinted.as_json()["hint"] == "member edit"
    assert checks.size(3, 3) == [] and checks.size(None, 2) == []
    assert checks.size(4, 3)[0].code == "size_mismatch" and "4 人" in checks.size(4, 3)[0].message


def test_areas_and_references():
    assert checks.area("东营村", "village", ["交城县/西营镇/东营村"]) == []
    assert checks.area("新村", "village", [])[0].code == "unknown_area"
    many = checks.area("新村", "village", ["交城县/西营镇/新村", "交城县/会立乡/新村"])
    assert many[0].code == "unknown_area" and "请写明上级" in many[0].message
    assert checks.area_code("village", "141122102001", "141122102") == []
    assert checks.area_code("village", "14112210200", "141122102")[0].code == "bad_value"
    assert "应以 141122102 开头" in checks.area_code("village", "141122103001", "141122102", "西营镇")[0].message
    assert checks.reference("帮扶干部", "李四", 1) == []
    assert checks.reference("帮扶干部", "李四", 0)[0].code == "unknown_reference"
    assert "请改用身份证号" in checks.reference("帮扶干部", "李四", 2, ["国土局", "水利局"])[0].message


def test_dates():
    today = D(2020, 1, 1)
    assert checks.not_future(D(2020, 1, 1), "日期", today) == []
    assert "晚于今天" in checks.not_future(D(2020, 1, 2), "日期", today)[0].message
    assert "只填了年份" in checks.not_future(D(2020, 12, 31), "日期", today, year_only=True)[0].message
    assert checks.stint_dates(D(2019, 1, 1), D(2018, 1, 1))[0].code == "bad_date"
    assert checks.stint_dates(None, D(2018, 1, 1)) == []


def test_labour_capacity():
    assert checks.labour_capacity(["lost", "weak"]) == []
    assert "请先录入" in checks.labour_capacity(["lost", None])[0].message
    assert "无劳动能力" in checks.labour_capacity(["lost", "none"])[0].message
    assert checks.labour_capacity([])[0].code == "no_labour_capacity"


def test_transitions_follow_the_status():
    def state(*events, day=D(2030, 1, 1)):
        return status_on(list(events), day)

    never = state()
    assert checks.transition(never, "identified") == []
    assert checks.transition(never, "exited")[0].code == "status_transition"
    poor = state(Ev(1, "identified", D(2016, 12, 31)))
    assert checks.transition(poor, "exited") == [] and checks.transition(poor, "returned")
    assert "仍在帮扶中" in checks.transition(poor, "monitoring_added", "hardship")[0].message
    exited = state(Ev(1, "identified", D(2016, 12, 31)), Ev(2, "exited", D(2017, 12, 31)))
    assert checks.transition(exited, "monitoring_added", "unstable") == []
    assert "只适用于一般农户" in checks.transition(exited, "monitoring_added", "near_poor")[0].message
    assert checks.transition(never, "monitoring_added", "near_poor") == []
    assert checks.transition(never, "risk_eliminated")[0].code == "status_transition"
    monitored = state(Ev(1, "monitoring_added", D(2021, 1, 1), "near_poor"))
    assert checks.transition(monitored, "monitoring_added", "near_poor")[0].code == "status_transition"
    assert checks.transition(monitored, "elimination_revoked")[0].code == "status_transition"
    assert checks.transition(monitored, "risk_eliminated") == []
    eliminated = state(Ev(1, "monitoring_added", D(2021, 1, 1), "near_poor"), Ev(2, "risk_eliminated", D(2021, 6, 1)))
    assert checks.transition(eliminated, "elimination_revoked") == []
    assert checks.transition(eliminated, "risk_eliminated")[0].code == "status_transition"
    assert checks.transition(eliminated, "monitoring_added", "near_poor") == []  # a new risk after elimination


def test_history_checks_later_events_and_does_not_blame_old_ones():
    events = [Ev(1, "identified", D(2016, 12, 31)), Ev(2, "exited", D(2018, 12, 31))]
    assert checks.history(events, PlannedEvent("returned", D(2019, 6, 1))) == []
    earlier = checks.history(events, PlannedEvent("exited", D(2017, 12, 31)))
    assert [p.code for p in earlier] == ["status_transition"] and "事件 2" in earlier[0].message
    # cancelling the identification strands the later exit; cancelling the exit does not
    assert "事件 2" in checks.history(events, PlannedEvent("cancelled", D(2016, 12, 31), cancels_event_id=1))[0].message
    assert checks.history(events, PlannedEvent("cancelled", D(2018, 12, 31), cancels_event_id=2)) == []
    # history already out of order (say, imported) is not blamed on a new, valid event
    broken = [Ev(1, "exited", D(2015, 1, 1)), Ev(2, "identified", D(2016, 12, 31))]
    assert checks.history(broken, PlannedEvent("exited", D(2018, 12, 31))) == []


def test_fields_are_found_by_key_title_or_alias_and_described_for_clerks():
    assert find(HOUSEHOLD_FIELDS, "住房安全").key == "housing_safety"
    assert find(HOUSEHOLD_FIELDS, "housing-safety").key == "housing_safety"
    assert find(MEMBER_FIELDS, "医保").key == "medical_insurance"
    assert find(MEMBER_FIELDS, "颜色") is None
    assert parser(find(HOUSEHOLD_FIELDS, "两不愁"))("√") is True
    assert find(HOUSEHOLD_FIELDS, "住房安全等级").key == "housing_safety"  # a spreadsheet's header alias works too
    assert find(HOUSEHOLD_FIELDS, "脱贫属性") is None  # the importer's alias of 脱贫状态: not a field to set
    assert describe("household", "housing_safety", "C") == ("住房安全", "C级")
    assert describe("member", "medical_insurance", None) == ("参加城乡居民基本医疗保险", "空")
    assert describe("household", "other_causes", "illness,schooling") == ("其他致贫原因", "因病、因学")
