"""Dynamic monitoring (issue 12) in the library: departments' lists, rules as data, screening, leads, steps."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from povmon.ingest.dept import import_dept
from povmon.models import DeptRow, HouseholdEvent, Lead, MonitorRule
from povmon.rules import idcard
from povmon.rules import monitoring as R
from povmon.services import monitoring as M
from povmon.services.entry import Refused

from . import factories as f

D = dt.date


TITLE = "交城县医疗保障局 2019年3月结算明细"


def sheet_file(path: Path, header: list[str], rows: list[list], title: str = TITLE) -> Path:
    """A department's own layout: a title row, a blank row, then the header and the data."""
    wb = Workbook()
    ws = wb.active
    ws.title = "明细"
    ws.append([title])
    ws.append([])
    ws.append(header)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


@pytest.fixture
def county(session):
    """An exited household (A) with a child of 11, a poor one (P), two ordinary households (B low income, C)."""
    village = f.area_tree(session)
    a = f.household(session, "1411221040010001", village=village, members=[
        {"name": "张大", "relation": "head"},
        {"name": "张小", "relation": "son", "born": D(2008, 5, 1)}])
    f.event(session, a, "identified", D(2016, 12, 31))
    f.event(session, a, "exited", D(2018, 12, 31))
    p = f.household(session, "1411221040010002", village=village)
    f.event(session, p, "identified", D(2016, 12, 31))
    b = f.household(session, "1411221040010003", village=village, attribute="ordinary")
    f.income(session, b, 2018, wage=3000, transfer=1000)  # 2 people: 2000 a head, below 1.5 × 2995
    c = f.household(session, "1411221040010004", village=village, attribute="ordinary")
    f.income(session, c, 2018, wage=60000, compliant_spending=2000)
    return {"a": a, "p": p, "b": b, "c": c}


def _ids(hh):
    return [m.id_number for m in hh.members]


def test_rule_file_and_thresholds():
    rules = R.shipped()
    assert {r.code for r in rules} == set(R.SCREENED) and all(r.approximate for r in rules)
    former = R.threshold_for(rules, "medical_oop", 2019, R.populations("exited", False))
    ordinary = R.threshold_for(rules, "medical_oop", 2019, R.populations("non_poor", False))
    assert former.threshold == Decimal("10000.00") and ordinary.threshold == Decimal("26000.00")
    with pytest.raises(R.RuleFileError, match="第2行"):
        R.parse_rules("code,population,threshold,from_year\nnope,all_rural,1,2019\n")
    with pytest.raises(R.RuleFileError, match="人群"):
        R.parse_rules("code,population,threshold,from_year\nmedical_oop,everyone,1,2019\n")


def test_window_is_by_dates():
    assert R.window_start(D(2019, 3, 31), 12) == D(2018, 4, 1)
    assert R.window_start(D(2019, 2, 28), 12) == D(2018, 3, 1)
    assert R.window_start(D(2020, 2, 29), 12) == D(2019, 3, 1)


def test_import_medical_list_matches_by_id(session, county, tmp_path):
    a, c = county["a"], county["c"]
    stranger = f.new_id(D(1980, 2, 2))
    bad = idcard.make("142323", D(1981, 1, 1), 7)[:-1] + "0"
    if idcard.check(bad).ok:
        bad = bad[:-1] + "1"
    header = ["序号", "患者姓名", "证件号码", "出院日期", "医疗总费用", "统筹支付", "个人负担"]
    path = sheet_file(tmp_path / "yb.xlsx", header, [
        [1, "张大", _ids(a)[0], "2019-01-10", 20000, 14000, 6000],
        [2, "张大", _ids(a)[0], "2019-03-02", 15000, 10000, 5000],
        [3, "王五", _ids(c)[0], "2019-02-01", 50000, 20000, "30,000.00"],
        [4, "外来", stranger, "2019-03-01", 1000, 500, 500],
        [5, "错号", bad, "2019-03-01", 1000, 500, 500],
    ])
    result = import_dept(session, path, "医保", as_of=D(2019, 3, 31), user="clerk")
    data = result.as_json()
    assert data["counts"]["rows"] == {"matched": 3, "not_in_register": 1, "rejected": 1, "unchanged": 0}
    assert data["not_in_register"] == [{"row": 7, "name": "外来", "id_number": idcard.mask(stranger)}]
    assert [e["code"] for e in data["errors"]] == ["id_checksum"] and data["errors"][0]["row"] == 8
    assert data["errors"][0]["column"] == "证件号码"
    assert data["batch"] is not None and not data["dry_run"]
    stored = session.scalars(select(DeptRow).order_by(DeptRow.source_row)).all()
    assert [r.amount for r in stored] == [Decimal("6000.00"), Decimal("5000.00"), Decimal("30000.00"),
                                          Decimal("500.00")]
    assert stored[0].member_id == a.members[0].id and stored[3].member_id is None
    again = import_dept(session, path, "医保", as_of=D(2019, 3, 31), user="clerk").as_json()
    assert again["batch"] is None and again["counts"]["rows"]["unchanged"] == 4
    assert session.scalar(select(func.count()).select_from(DeptRow)) == 4


def test_dry_run_writes_nothing(session, county, tmp_path):
    path = sheet_file(tmp_path / "mz.xlsx", ["姓名", "公民身份号码", "救助类别", "起始日期"],
                      [["王五", _ids(county["c"])[0], "低保", "2019-01-01"]])
    result = import_dept(session, path, "民政", as_of=D(2019, 3, 31), dry_run=True)
    assert result.batch is None and result.rows["matched"] == 1
    assert session.scalar(select(func.count()).select_from(DeptRow)) == 0


def test_a_list_without_an_id_column_is_one_sentence(session, county, tmp_path):
    from povmon.errors import PovmonError

    path = sheet_file(tmp_path / "x.xlsx", ["姓名", "电话"], [["王五", "1"]])
    with pytest.raises(PovmonError, match="身份证号"):
        import_dept(session, path, "医保", as_of=D(2019, 3, 31))


def test_screen_each_rule(session, county, tmp_path):
    a, b, c, p = county["a"], county["b"], county["c"], county["p"]
    day = D(2019, 3, 31)
    sheet_file(tmp_path / "yb.xlsx", ["姓名", "身份证号", "结算日期", "个人自付"], [
        ["张大", _ids(a)[0], "2019-01-10", 6000], ["张大", _ids(a)[0], "2019-03-02", 5000],
        ["王五", _ids(c)[0], "2019-02-01", 20000],  # an ordinary person under 26,000
        ["老李", _ids(p)[0], "2019-02-01", 90000],  # poor now: assisted as poor, not screened
        ["张大", _ids(a)[0], "2017-03-02", 50000],  # outside the window
    ])
    import_dept(session, tmp_path / "yb.xlsx", "医保", as_of=day)
    sheet_file(tmp_path / "jy.xlsx", ["学生姓名", "身份证号", "学校", "学籍状态", "日期"],
               [["张小", _ids(a)[1], "东营小学", "辍学", "2019-03-01"]])
    import_dept(session, tmp_path / "jy.xlsx", "教育", as_of=day)
    sheet_file(tmp_path / "cl.xlsx", ["姓名", "身份证号", "残疾类别", "残疾等级", "发证日期"],
               [["王五", _ids(c)[1], "肢体", "二级", "2019-02-01"], ["王五", _ids(c)[0], "视力", "四级", "2019-02-01"]])
    import_dept(session, tmp_path / "cl.xlsx", "残联", as_of=day)
    sheet_file(tmp_path / "zj.xlsx", ["姓名", "身份证号", "鉴定等级", "鉴定日期"],
               [["王五", _ids(c)[0], "C级", "2019-01-05"]])
    import_dept(session, tmp_path / "zj.xlsx", "住建", as_of=day)

    result = M.screen(session, day, user="clerk")
    got = sorted((lead.household, lead.rule) for lead in result.leads)
    assert got == sorted([
        (a.code, "medical_oop"), (a.code, "dropout"), (b.code, "income_below_line"),
        (c.code, "disability"), (c.code, "housing_unsafe"),
    ])
    medical = next(lead for lead in result.leads if lead.rule == "medical_oop")
    assert "11000.00" in medical.detail and medical.source == "医保" and medical.member_id == a.members[0].id
    assert result.counts == {"new": 5, "already_open": 0}
    again = M.screen(session, day, user="clerk")
    assert again.counts == {"new": 0, "already_open": 5}
    assert session.scalar(select(func.count()).select_from(Lead)) == 5
    data = again.as_json()
    assert data["as_of"] == "2019-03-31" and all(not x["new"] for x in data["leads"])
    assert {x["member"] for x in data["leads"] if x["rule"] == "medical_oop"} == {idcard.mask(_ids(a)[0])}


def test_loaded_rules_replace_shipped(session, county, tmp_path):
    a = county["a"]
    day = D(2019, 3, 31)
    sheet_file(tmp_path / "yb.xlsx", ["姓名", "身份证号", "结算日期", "个人自付"],
               [["张大", _ids(a)[0], "2019-01-10", 6000]])
    import_dept(session, tmp_path / "yb.xlsx", "医保", as_of=day)
    assert not [c for c in M.candidates(session, day) if c.rule == "medical_oop"]
    M.load_rules(session, R.parse_rules("code,population,threshold,window_months,from_year\n"
                                        "medical_oop,former_poor,5000,12,2019\nmedical_oop,all_rural,8000,12,2019\n"),
                 user="county")
    assert session.scalar(select(func.count()).select_from(MonitorRule)) == 2
    assert [c.rule for c in M.candidates(session, day) if c.rule == "medical_oop"] == ["medical_oop"]


def _lead(session, county, day=D(2019, 3, 1)):
    outcome = M.add_lead(session, county["a"], source="self_application", date=day, note="户主住院", user="clerk")
    return outcome.record


def test_steps_in_order_to_inclusion(session, county):
    lead = _lead(session, county)
    with pytest.raises(Refused, match="入户核实"):
        M.record_step(session, lead.id, "民主评议", date=D(2019, 3, 2), user="u")
    with pytest.raises(Refused, match="承诺授权"):
        M.record_step(session, lead.id, "入户核实", date=D(2019, 3, 2), consent=False, user="u")
    M.record_step(session, lead.id, "入户核实", date=D(2019, 3, 2), consent=True, user="u")
    M.record_step(session, lead.id, "民主评议", date=D(2019, 3, 3), user="u")
    with pytest.raises(Refused, match="只有 4 天"):
        M.record_step(session, lead.id, "公示", date=D(2019, 3, 4), until=D(2019, 3, 7), user="u")
    M.record_step(session, lead.id, "公示", date=D(2019, 3, 4), until=D(2019, 3, 8), user="u")
    with pytest.raises(Refused, match="公示期满之后"):
        M.record_step(session, lead.id, "乡镇初审", date=D(2019, 3, 8), user="u")
    M.record_step(session, lead.id, "乡镇初审", date=D(2019, 3, 9), user="u")
    with pytest.raises(Refused, match="县级审定"):
        M.record_step(session, lead.id, "纳入监测", date=D(2019, 3, 10), user="u")
    out = M.record_step(session, lead.id, "县级审定", date=D(2019, 3, 10), result="纳入", user="u")
    data = out.facts["lead"]
    assert data["status"] == "decided" and data["result"] == "include" and not data["late"]
    event = session.scalar(select(HouseholdEvent).where(HouseholdEvent.kind == "monitoring_added"))
    assert event.household_id == county["a"].id and event.monitoring_type == "unstable"
    assert event.lead_source == "self_report" and f"线索 {lead.id}" in event.reason
    assert data["steps"][-1]["event"] == event.id
    with pytest.raises(Refused, match="已经作出决定"):
        M.record_step(session, lead.id, "不纳入", date=D(2019, 3, 11), note="x", user="u")


def test_exclusion_needs_a_reason_and_overdue(session, county):
    lead = _lead(session, county)
    for step, day in (("入户核实", 2), ("民主评议", 3)):
        M.record_step(session, lead.id, step, date=D(2019, 3, day), consent=True, user="u")
    M.record_step(session, lead.id, "公示", date=D(2019, 3, 4), until=D(2019, 3, 10), user="u")
    M.record_step(session, lead.id, "乡镇初审", date=D(2019, 3, 11), user="u")
    M.record_step(session, lead.id, "县级审定", date=D(2019, 3, 14), user="u")
    assert M.lead_status(lead, D(2019, 3, 16)) == "open"
    assert M.lead_status(lead, D(2019, 3, 17)) == "overdue"
    with pytest.raises(Refused, match="理由"):
        M.record_step(session, lead.id, "不纳入", date=D(2019, 3, 20), user="u")
    M.record_step(session, lead.id, "不纳入", date=D(2019, 3, 20), note="收入稳定", user="u")
    assert M.lead_status(lead, D(2019, 3, 31)) == "decided"
    assert M.lead_json(lead, D(2019, 3, 31))["late"] is True
    assert session.scalar(select(func.count()).select_from(HouseholdEvent)
                          .where(HouseholdEvent.kind == "monitoring_added")) == 0


def test_hand_lead_not_twice_and_monitored_household_not_screened_again(session, county, tmp_path):
    _lead(session, county)
    with pytest.raises(Refused, match="未决"):
        _lead(session, county)
    a = county["a"]
    f.event(session, a, "monitoring_added", D(2019, 2, 1), monitoring_type="unstable", risks="illness")
    sheet_file(tmp_path / "yb.xlsx", ["姓名", "身份证号", "结算日期", "个人自付"],
               [["张大", _ids(a)[0], "2019-03-10", 16000]])
    import_dept(session, tmp_path / "yb.xlsx", "医保", as_of=D(2019, 3, 31))
    assert not [c for c in M.candidates(session, D(2019, 3, 31)) if c.household_id == a.id]


def test_risk_elimination_lists_every_failing_item(session, county):
    from povmon.services import events

    a = county["a"]
    for m in a.members:
        m.labour, m.medical_insurance, m.school_status = "ordinary", True, "primary"
    a.housing_safety, a.safe_water, a.food_clothing_secure = "B", True, True
    f.event(session, a, "monitoring_added", D(2019, 3, 1), monitoring_type="unstable", risks="illness")
    lead = _lead(session, county, D(2019, 3, 5))
    lead.rule = "medical_oop"  # an open lead of rigid spending
    f.income(session, a, 2019, wage=20000)
    session.flush()
    with pytest.raises(Refused) as refused:
        events.eliminate(session, a, date=D(2019, 6, 30), how="帮扶消除", user="u", today=D(2020, 1, 1))
    text = str(refused.value)
    assert "2019-09-01 才满6个月" in text and f"未决线索：{lead.id}" in text
    assert "人均纯收入稳定高于监测线：未录入2018年收入" in text
    M.record_step(session, lead.id, "入户核实", date=D(2019, 3, 6), consent=True, user="u")
    for step, day in (("民主评议", 7), ("乡镇初审", 14), ("县级审定", 15)):
        if step == "乡镇初审":
            M.record_step(session, lead.id, "公示", date=D(2019, 3, 8), until=D(2019, 3, 12), user="u")
        M.record_step(session, lead.id, step, date=D(2019, 3, day), user="u")
    M.record_step(session, lead.id, "不纳入", date=D(2019, 3, 16), note="已纳入监测", user="u")
    items = M.elimination_check(session, a, D(2019, 12, 31))
    assert [i.key for i in items if i.met is not True] == []  # 2019: 20,000 for two, over 1.5 × 2,995
    done = events.eliminate(session, a, date=D(2019, 12, 31), how="帮扶消除", user="u", today=D(2020, 1, 1))
    assert done.facts["forced"] is False and all(i["met"] for i in done.facts["elimination_check"])


def test_mapping_names_a_column_the_aliases_do_not_know(session, county, tmp_path):
    path = sheet_file(tmp_path / "yb.xlsx", ["姓名", "身份证号", "结算日期", "本人承担"],
                      [["张大", _ids(county["a"])[0], "2019-03-01", 700]])
    from povmon.errors import PovmonError

    with pytest.raises(PovmonError, match="个人自付"):
        import_dept(session, path, "医保", as_of=D(2019, 3, 31))
    mapping = tmp_path / "map.toml"
    mapping.write_text('[columns]\n"本人承担" = "个人自付"\n', encoding="utf-8")
    result = import_dept(session, path, "医保", as_of=D(2019, 3, 31), mapping=mapping)
    assert result.rows["matched"] == 1
    assert session.scalar(select(DeptRow.amount)) == Decimal("700.00")


def test_bad_cells_are_rejected_with_the_importers_codes(session, county, tmp_path):
    path = sheet_file(tmp_path / "yb.xlsx", ["姓名", "身份证号", "结算日期", "个人自付"], [
        ["甲", 141122198001011234, "2019-03-01", 100],  # an ID typed as a number
        ["乙", _ids(county["a"])[0], "2019-13-01", 100],
        ["丙", _ids(county["a"])[0], "2019-03-01", "一百"],
        ["丁", _ids(county["a"])[0], "2020-03-01", 100],  # after the list's date
        ["戊", "", "2019-03-01", 100]])
    result = import_dept(session, path, "医保", as_of=D(2019, 3, 31))
    assert [e.code for e in result.errors] == ["id_as_number", "bad_date", "bad_number", "bad_date",
                                               "required_missing"]
    assert result.rows == {"matched": 0, "not_in_register": 0, "rejected": 5, "unchanged": 0} and result.batch is None


def _decide(session, lead, start: dt.date, result: str, note: str | None = None):
    """The procedure from 入户核实 on ``start`` to the decision eight days later."""
    M.record_step(session, lead.id, "入户核实", date=start, consent=True, user="u")
    M.record_step(session, lead.id, "民主评议", date=start + dt.timedelta(days=1), user="u")
    M.record_step(session, lead.id, "公示", date=start + dt.timedelta(days=2), until=start + dt.timedelta(days=6),
                  user="u")
    M.record_step(session, lead.id, "乡镇初审", date=start + dt.timedelta(days=7), user="u")
    M.record_step(session, lead.id, "县级审定", date=start + dt.timedelta(days=8), result=result, note=note,
                  user="u")


def test_monthly_summary_counts_leads_by_date(session, county):
    from povmon.reports import monthly

    def figures(month):
        entry = monthly.build(session, month).as_json()["areas"][-1]
        return tuple(entry[k] for k in monthly.LEAD_FIELDS)

    first = M.add_lead(session, county["a"], source="self_application", date=D(2019, 3, 1), note="x",
                       user="u").record
    second = M.add_lead(session, county["b"], source="cadre_check", date=D(2019, 3, 10), note="y",
                        user="u").record
    _decide(session, first, D(2019, 3, 2), "纳入")  # decided 2019-03-10
    before = figures("2019-03")
    assert before == (2, 1, 1, 1)  # the second is open 21 days on 03-31: more than 15, overdue
    assert figures("2019-04") == (0, 1, 0, 1)
    third = M.add_lead(session, county["c"], source="cadre_check", date=D(2019, 4, 20), note="z",
                       user="u").record
    _decide(session, second, D(2019, 4, 22), "不纳入", "收入稳定")  # decided 2019-04-30
    assert figures("2019-03") == before  # later leads and decisions leave March alone
    assert figures("2019-04") == (1, 1, 1, 0)  # the third is open 10 days on 04-30
    assert figures("2019-05") == (0, 1, 0, 1)
    assert third


def test_ledger_lists_leads_with_latest_step_and_decision(session, county, tmp_path):
    from openpyxl import load_workbook

    from povmon.reports import ledger as L
    from povmon.reports import ledger_xlsx

    lead = _lead(session, county)  # 2019-03-01, 农户自主申报
    _decide(session, lead, D(2019, 3, 2), "纳入")  # 县级审定 and 纳入 on 2019-03-10
    M.add_lead(session, county["a"], source="cadre_check", date=D(2019, 5, 1), note="再次排查", user="u")

    def lines(day):
        (led,) = L.ledgers(session, [county["a"].id], day)
        return [(x.date, x.source, x.rule, x.step, x.decision) for x in led.leads]

    assert lines(D(2019, 2, 28)) == []
    assert lines(D(2019, 3, 5)) == [(D(2019, 3, 1), "手工", "农户自主申报", "公示 2019-03-04", "未决")]
    assert lines(D(2019, 3, 31)) == [(D(2019, 3, 1), "手工", "农户自主申报", "县级审定 2019-03-10",
                                      "纳入 2019-03-10")]
    assert lines(D(2019, 5, 31))[1] == (D(2019, 5, 1), "手工", "基层干部排查", None, "逾期未决")
    path = tmp_path / "ledger.xlsx"
    ledger_xlsx.write_workbook(L.ledgers(session, [county["a"].id], D(2019, 5, 31)), path)
    cells = [c.value for row in load_workbook(path).worksheets[0].iter_rows() for c in row]
    at = cells.index("风险线索（动态监测）")
    assert cells.index("状态变化记录") < at < cells.index("线索日期") and "纳入 2019-03-10" in cells
    assert "逾期未决" in cells and "基层干部排查" in cells
