"""Loading: keys, updates with audit rows, status events from the roster, member states, areas, the assistance
sheets, provenance and the batch, --mapping."""

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from povmon.errors import PovmonError
from povmon.ingest import ImportOptions, import_files
from povmon.ingest.columns import Mapping
from povmon.models import (
    Area,
    AuditLog,
    Benefit,
    Cadre,
    Household,
    HouseholdEvent,
    ImportBatch,
    Income,
    Measure,
    Member,
    Pairing,
    Policy,
    Visit,
)
from povmon.rules.status import status_on

from . import factories as f
from . import workbooks as wb

AS_OF = dt.date(2019, 1, 31)
HEAD = ["户编号", "乡镇", "行政村", "姓名", "身份证号", "与户主关系", "贫困户属性", "脱贫状态", "识别年度", "脱贫年度",
        "年度", "工资性收入"]


def imp(session, *paths, as_of=AS_OF, **kw):
    kw.setdefault("create_areas", True)
    return import_files(session, list(paths), ImportOptions(user=kw.pop("user", "clerk"), as_of=as_of, **kw))


def n(session, model):
    return session.scalar(select(func.count()).select_from(model))


def roster(tmp_path, name, rows, headers=HEAD):
    return wb.write(tmp_path / name, {"花名册": [headers, *rows]})


def person(code, number, relation, name, attribute=None, status=None, ident=None, exited=None, year=2018,
           wage=1000):
    return [code, "会立乡", "岔口村", name, number, relation, attribute, status, ident, exited, year, wage]


def household(session, code):
    return session.scalar(select(Household).where(Household.code == code))


def test_changed_values_are_updates_with_audit_rows(session, tmp_path):
    a, b = wb.pid(), wb.pid(sex="F")
    first = roster(tmp_path, "1.xlsx", [person("1411221040010001", a, "户主", "张三", "一般贫困户"),
                                        person("1411221040010001", b, "配偶", "李四", "一般贫困户"),
                                        person("1411221040010002", wb.pid(), "户主", "王五")])
    imp(session, first)
    second = roster(tmp_path, "2.xlsx", [person("1411221040010001", a, "户主", "张三", "低保贫困户", wage=1500),
                                         person("1411221040010001", b, "之女", "李四")])
    result = imp(session, second, user="auditor")
    assert result.counts["households"] == {"created": 0, "updated": 1, "unchanged": 0, "rejected": 0}
    assert result.counts["members"] == {"created": 0, "updated": 1, "unchanged": 1, "rejected": 0}
    assert result.counts["incomes"] == {"created": 0, "updated": 1, "unchanged": 0, "rejected": 0}
    entries = {(e.table_name, e.field): e for e in session.scalars(select(AuditLog))}
    assert set(entries) == {("household", "attribute"), ("member", "relation"), ("income", "wage")}
    wage = entries[("income", "wage")]
    assert (wage.old_value, wage.new_value, wage.user, wage.batch_id, wage.action) == (
        "1000.00", "1500.00", "auditor", result.batch, "update")
    assert entries[("member", "relation")].old_value == "spouse"
    assert household(session, "1411221040010002") is not None  # absent from the later file, never deleted
    assert session.scalar(select(Income.wage).where(Income.household_id == household(
        session, "1411221040010001").id)) == Decimal("1500.00")


def test_provenance_and_batch(session, tmp_path):
    path = roster(tmp_path, "prov.xlsx", [person("1411221040010001", wb.pid(), "户主", "张三", status="未脱贫",
                                                 ident=2016)])
    result = imp(session, path, user="clerk7")
    batch = session.get(ImportBatch, result.batch)
    assert batch.user == "clerk7" and batch.as_of == AS_OF and batch.finished_at is not None
    assert batch.file_name == "prov.xlsx" and len(batch.sha256) == 64 and batch.files[0]["size"] > 0
    assert batch.counts["members"]["created"] == 1 and batch.error_count == 0
    for model in (Household, Member, Income, HouseholdEvent):
        record = session.scalar(select(model))
        assert (record.batch_id, record.source_file, record.source_sheet, record.source_row, record.created_by) == (
            result.batch, "prov.xlsx", "花名册", 2, "clerk7"), model


def test_status_changes_over_later_rosters(session, tmp_path):
    code, head = "1411221040010001", wb.pid()
    imp(session, roster(tmp_path, "a.xlsx", [person(code, head, "户主", "甲", "一般贫困户", "未脱贫", 2015)]))
    hh = household(session, code)
    assert [(e.kind, e.event_date, e.year_only) for e in hh.events] == [("identified", dt.date(2015, 12, 31), True)]
    # a year later the roster says exited in 2018: one event, dated 31 Dec 2018
    result = imp(session, roster(tmp_path, "b.xlsx", [person(code, head, "户主", "甲", "一般贫困户", "已脱贫", 2015,
                                                             2018)]), as_of=dt.date(2019, 3, 1))
    assert result.counts["events"] == {"created": 1, "updated": 0, "unchanged": 1, "rejected": 0}
    # 返贫 has no date of its own: the as-of day; importing again on another day adds nothing
    imp(session, roster(tmp_path, "c.xlsx", [person(code, head, "户主", "甲", "一般贫困户", "返贫", 2015, 2018)]),
        as_of=dt.date(2019, 6, 30))
    again = imp(session, roster(tmp_path, "c.xlsx", [person(code, head, "户主", "甲", "一般贫困户", "返贫", 2015,
                                                            2018)]), as_of=dt.date(2019, 9, 30))
    assert again.counts["events"]["created"] == 0
    session.expire_all()
    events = session.scalars(select(HouseholdEvent).order_by(HouseholdEvent.id)).all()
    assert [(e.kind, e.event_date) for e in events] == [
        ("identified", dt.date(2015, 12, 31)), ("exited", dt.date(2018, 12, 31)), ("returned", dt.date(2019, 6, 30))]
    assert status_on(events, dt.date(2019, 1, 31)).status == "exited"
    assert status_on(events, dt.date(2019, 7, 1)).status == "returned"


def test_a_status_the_register_already_has_records_nothing(session, tmp_path):
    village = f.area_tree(session, "会立乡", "岔口村")
    hh = f.household(session, "1411221040010009", village=village)
    f.event(session, hh, "identified", dt.date(2014, 6, 1))
    head = hh.members[0]
    path = roster(tmp_path, "r.xlsx", [person(hh.code, head.id_number, "户主", head.name, None, "未脱贫", 2016),
                                       person(hh.code, hh.members[1].id_number, "配偶", hh.members[1].name)])
    result = imp(session, path)
    assert result.counts["events"] == {"created": 0, "updated": 0, "unchanged": 1, "rejected": 0}
    assert n(session, HouseholdEvent) == 1


def test_member_states_deceased_added_and_the_as_of_day(session, tmp_path):
    headers = ["户编号", "乡镇", "行政村", "姓名", "身份证号", "与户主关系", "成员状态", "状态日期"]
    a, b, c = wb.pid(), wb.pid(dt.date(1940, 1, 1)), wb.pid(dt.date(2018, 5, 1))
    rows = [["H1", "会立乡", "岔口村", "甲", a, "户主", "在册", None],
            ["H1", "会立乡", "岔口村", "乙", b, "之父", None, None]]
    imp(session, roster(tmp_path, "1.xlsx", rows, headers))
    rows2 = [["H1", "会立乡", "岔口村", "甲", a, "户主", "在册", None],
             ["H1", "会立乡", "岔口村", "乙", b, "之父", "死亡", None],
             ["H1", "会立乡", "岔口村", "丙", c, "之子", "新增", "2018-05-20"]]
    result = imp(session, roster(tmp_path, "2.xlsx", rows2, headers), as_of=dt.date(2019, 2, 28))
    assert result.counts["members"] == {"created": 1, "updated": 1, "unchanged": 1, "rejected": 0}
    father = session.scalar(select(Member).where(Member.id_number == b))
    assert (father.left_on, father.left_reason) == (dt.date(2019, 2, 28), "deceased")
    child = session.scalar(select(Member).where(Member.id_number == c))
    assert child.joined_on == dt.date(2018, 5, 20) and child.state_on(dt.date(2019, 1, 1)) == "added"
    # the same file imported later changes nothing (the register keeps the day it learned of the death)
    again = imp(session, roster(tmp_path, "2.xlsx", rows2, headers), as_of=dt.date(2019, 6, 30))
    assert again.counts["members"] == {"created": 0, "updated": 0, "unchanged": 3, "rejected": 0}


def test_head_replaced_when_the_old_head_dies(session, tmp_path):
    headers = ["户编号", "乡镇", "行政村", "姓名", "身份证号", "与户主关系", "成员状态"]
    a, b = wb.pid(), wb.pid(sex="F")
    imp(session, roster(tmp_path, "1.xlsx", [["H1", "会立乡", "岔口村", "甲", a, "户主", None],
                                             ["H1", "会立乡", "岔口村", "乙", b, "配偶", None]], headers))
    # a new head while the old one is still present: refused, naming the present head
    wrong = imp(session, roster(tmp_path, "2.xlsx", [["H1", "会立乡", "岔口村", "乙", b, "户主", None]], headers))
    assert [p.code for p in wrong.errors] == ["multiple_heads"] and "甲" in wrong.errors[0].message
    right = imp(session, roster(tmp_path, "3.xlsx", [["H1", "会立乡", "岔口村", "甲", a, "户主", "死亡"],
                                                     ["H1", "会立乡", "岔口村", "乙", b, "户主", None]], headers))
    assert right.errors == [] and right.counts["members"]["updated"] == 2


def test_county_inferred_from_id_numbers_when_codes_do_not_say(session, tmp_path):
    path = roster(tmp_path, "ids.xlsx", [person("HX1", wb.pid(area="142323"), "户主", "甲")])
    imp(session, path)
    county = session.scalar(select(Area).where(Area.level == "county"))
    assert (county.name, county.code) == ("交城县", None)  # 142323 is the county's old code: not stored


def test_county_column_and_several_counties(session, tmp_path):
    f.area_tree(session, "西营镇", "东营村")
    other = Area(level="county", name="文水县", code="141121")
    session.add(other)
    session.flush()
    town = Area(level="township", name="凤城镇", parent=other)
    session.add(town)
    session.flush()
    session.add(Area(level="village", name="城东村", parent=town))
    session.flush()
    headers = ["户编号", "县", "乡镇", "行政村", "姓名", "身份证号", "与户主关系"]
    rows = [["H1", None, "西营镇", "东营村", "甲", wb.pid(), "户主"],  # the township names one county
            ["H2", "文水县", "凤城镇", "城东村", "乙", wb.pid(), "户主"],
            ["H3", None, "新乡镇", "新村", "丙", wb.pid(), "户主"]]  # unknown township, two counties
    result = imp(session, roster(tmp_path, "c.xlsx", rows, headers), create_areas=False)
    assert [(p.row, p.code) for p in result.errors] == [(4, "unknown_area")]
    assert "多个县" in result.errors[0].message
    assert household(session, "H2").village.parent.parent.name == "文水县"


def test_mapping_file_names_columns_and_values(session, tmp_path):
    mapping = tmp_path / "m.toml"
    mapping.write_text('[columns]\n"家庭代码" = "户编号"\n"人员名字" = "姓名"\n"内部备注" = ""\n\n'
                       '[values."与户主关系"]\n"外甥" = "其他"\n', encoding="utf-8")
    headers = ["家庭代码", "乡镇", "行政村", "人员名字", "身份证号", "与户主关系", "内部备注"]
    rows = [["H1", "会立乡", "岔口村", "甲", wb.pid(), "户主", "x"], ["H1", "会立乡", "岔口村", "乙", wb.pid(),
        "外甥", "y"]]
    result = imp(session, roster(tmp_path, "map.xlsx", rows, headers), mapping=Mapping.load(mapping))
    assert result.errors == [] and result.warnings == []
    assert sorted(session.scalars(select(Member.relation))) == ["head", "other"]
    without = imp(session, roster(tmp_path, "map2.xlsx", rows, headers))
    assert {p.code for p in without.warnings} == {"column_ignored"}


def test_bad_mapping_files(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[columns]\n"x" = "不存在的列"\n', encoding="utf-8")
    with pytest.raises(PovmonError, match="不是 povmon 认识的列名"):
        Mapping.load(bad)
    bad.write_text("[columns\n", encoding="utf-8")
    with pytest.raises(PovmonError, match="格式有误"):
        Mapping.load(bad)
    with pytest.raises(PovmonError, match="找不到"):
        Mapping.load(tmp_path / "none.toml")


def test_assistance_sheets_import_and_reimport(session, tmp_path):
    cadre_id, code = wb.pid(dt.date(1975, 5, 5)), "1411221040010001"
    head, spouse = wb.pid(), wb.pid(sex="F")
    sheets = {
        "户信息": [["户编号", "乡镇", "行政村"], [code, "会立乡", "岔口村"]],
        "家庭成员": [["户编号", "姓名", "身份证号", "与户主关系"], [code, "甲", head, "户主"], [code, "乙", spouse,
            "配偶"]],
        "帮扶干部": [["姓名", "身份证号", "工作单位", "帮扶角色", "驻村乡镇", "驻村村"],
                 ["李干部", cadre_id, "交城县国土资源局", "第一书记", "会立乡", "岔口村"]],
        "结对关系": [["户编号", "帮扶干部身份证号", "帮扶干部姓名", "开始日期", "结束日期"],
                 [code, cadre_id, "李干部", "2016-03-01", None]],
        "享受政策": [["户编号", "成员身份证号", "政策名称", "政策类别", "日期", "金额"],
                 [code, spouse, "雨露计划", "教育", "2018-09-01", 1500], [code, None, "医疗救助", "健康",
                     "2018-05-01", 800]],
        "帮扶措施": [["户编号", "措施类别", "日期", "措施内容", "金额", "帮扶干部身份证号"],
                 [code, "产业", "2018-04-01", "白皮松苗", 3000, cadre_id]],
        "走访记录": [["户编号", "帮扶干部身份证号", "走访日期", "走访内容", "是否解决"],
                 [code, cadre_id, "2018-05-20", "核实收入", "是"]],
    }
    path = wb.write(tmp_path / "all.xlsx", sheets)
    first = imp(session, path)
    assert first.errors == []
    for kind in ("cadres", "pairings", "measures", "visits"):
        assert first.counts[kind]["created"] == 1, kind
    assert first.counts["benefits"]["created"] == 2 and n(session, Policy) == 2
    cadre = session.scalar(select(Cadre))
    assert (cadre.role, cadre.village.name) == ("first_secretary", "岔口村")
    benefit = session.scalar(select(Benefit).where(Benefit.amount == Decimal("1500")))
    assert benefit.member.id_number == spouse and benefit.policy.category == "education"
    assert session.scalar(select(Measure)).cadre_id == cadre.id and session.scalar(select(Visit)).resolved is True
    again = imp(session, path)
    assert again.batch is None
    assert all(c["created"] == 0 and c["updated"] == 0 for c in again.counts.values())
    # the pairing ends: an update of the same pairing (key: household, cadre, start), never a second one
    sheets["结对关系"][1][4] = "2019-01-15"
    ended = imp(session, wb.write(tmp_path / "end.xlsx", {"结对关系": sheets["结对关系"]}))
    assert ended.counts["pairings"] == {"created": 0, "updated": 1, "unchanged": 0, "rejected": 0}
    assert n(session, Pairing) == 1 and session.scalar(select(Pairing.end_on)) == dt.date(2019, 1, 15)


def test_unknown_cadre_rejects_only_the_pairing(session, tmp_path):
    code = "1411221040010001"
    path = wb.write(tmp_path / "p.xlsx", {
        "户信息": [["户编号", "乡镇", "行政村"], [code, "会立乡", "岔口村"]],
        "家庭成员": [["户编号", "姓名", "身份证号", "与户主关系"], [code, "甲", wb.pid(), "户主"]],
        "结对关系": [["户编号", "帮扶干部身份证号", "开始日期"], [code, wb.pid(), "2016-03-01"]],
    })
    result = imp(session, path)
    assert [(p.sheet, p.code) for p in result.errors] == [("结对关系", "unknown_reference")]
    assert result.counts["households"]["created"] == 1 and result.counts["pairings"]["rejected"] == 1


def test_area_sheet_creates_areas_with_codes(session, tmp_path):
    path = wb.write(tmp_path / "areas.xlsx", {"行政区划": [
        ["县", "乡镇", "行政村", "区划代码"], ["交城县", "西营镇", None, "141122101"],
        ["交城县", "西营镇", "东营村", "141122101001"], ["交城县", "西营镇", "西营村", "141122101002"],
        ["交城县", "会立乡", "岔口村", "1411221"]]})
    result = imp(session, path, create_areas=False)
    assert [(p.row, p.code) for p in result.errors] == [(5, "bad_value")]
    assert result.counts["areas"]["created"] == 4
    codes = dict(session.execute(select(Area.name, Area.code)).all())
    assert codes == {"交城县": "141122", "西营镇": "141122101", "东营村": "141122101001", "西营村": "141122101002"}
    assert imp(session, path, create_areas=False).counts["areas"]["created"] == 0
