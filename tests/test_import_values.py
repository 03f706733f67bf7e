"""Every cleaning rule and every error and warning code, on small rosters built here."""

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from povmon.ingest import ImportOptions, import_files
from povmon.models import Household, Income, Member
from povmon.rules import idcard

from . import factories as f
from . import workbooks as wb

AS_OF = dt.date(2019, 1, 31)
HEAD = ["户编号", "乡镇", "行政村", "姓名", "身份证号", "与户主关系"]


def imp(session, *paths, **kw):
    kw.setdefault("create_areas", True)
    f.area_tree(session, "会立乡", "岔口村")  # the county exists: area problems stay out of these tests
    return import_files(session, list(paths), ImportOptions(user="t", as_of=AS_OF, **kw))


def roster(tmp_path, extra_headers=(), rows=(), name="r.xlsx", text_ids=False):
    """A roster with the HEAD columns plus extra ones; rows are full rows."""
    return wb.write(tmp_path / name, {"S": [[*HEAD, *extra_headers], *rows]},
                    text_columns={"S": [5]} if text_ids else None)


def row(code, number, relation="户主", name="某人", *extra):
    return [code, "会立乡", "岔口村", name, number, relation, *extra]


def problems(result, code):
    return [p for p in (*result.errors, *result.warnings) if p.code == code]


# --- IDs ------------------------------------------------------------------------------------------------

def test_id_cleaning_full_width_spaces_and_lower_case_x(session, tmp_path):
    number = idcard.make("142323", dt.date(1976, 7, 13), 938)  # ends in X
    assert number.endswith("X")
    typed = " ".join(number[:6]) + number[6:17].translate(str.maketrans("0123456789", "０１２３４５６７８９")) + "x"
    path = roster(tmp_path, rows=[row("H1", typed)])
    result = imp(session, path)
    assert result.errors == []
    assert session.scalar(select(Member.id_number)) == number


def test_id_typed_as_a_number(session, tmp_path):
    path = roster(tmp_path, rows=[row("H1", 142323198604252955)])
    result = imp(session, path)
    (p,) = problems(result, "id_as_number")
    assert p.column == "身份证号" and p.row == 2 and "文本" in p.message
    assert p.value.startswith("14232319860425") and len(p.value) == 18  # the digits that were kept


@pytest.mark.parametrize(("number", "code"), [
    ("14232319860425295", "id_format"),
    ("1423231986042529A5", "id_format"),
    ("142323198602302955", "id_birthdate"),
    ("142323198604252954", "id_checksum"),
])
def test_bad_ids(session, tmp_path, number, code):
    path = roster(tmp_path, rows=[row("H1", number)])
    result = imp(session, path)
    assert [(p.code, p.row, p.value) for p in result.errors] == [(code, 2, number)]
    assert result.counts["households"]["rejected"] == 1


def test_id_area_warning_does_not_reject(session, tmp_path):
    late = idcard.make("141122", dt.date(1990, 5, 5), 11)  # 141122 came into use in 2003: late registration
    path = roster(tmp_path, rows=[row("H1", late)])
    result = imp(session, path)
    assert result.errors == [] and [p.code for p in result.warnings] == ["id_area"]
    assert result.counts["members"]["created"] == 1


def test_sex_mismatch_warns_and_the_id_wins(session, tmp_path):
    man = wb.pid(sex="M")
    path = roster(tmp_path, ["性别"], rows=[row("H1", man, "户主", "某人", "女")])
    result = imp(session, path)
    (p,) = problems(result, "sex_mismatch")
    assert p.column == "性别" and p.value == "女"
    assert session.scalar(select(Member.sex)) == "M"


def test_id_duplicate_in_file_rejects_both_households(session, tmp_path):
    same = wb.pid()
    path = roster(tmp_path, rows=[row("H1", same), row("H1", wb.pid(), "配偶"), row("H2", same)])
    result = imp(session, path)
    dups = problems(result, "id_duplicate_in_file")
    assert [p.row for p in dups] == [2, 4] and "第4行" in dups[0].message
    assert [(p.row, p.code) for p in result.errors if p.code == "household_rejected"] == [(3, "household_rejected")]
    assert result.counts["households"]["rejected"] == 2


def test_id_in_other_household(session, tmp_path):
    village = f.area_tree(session, "会立乡", "岔口村")
    existing = f.household(session, "OLD1", village=village)
    taken = existing.members[1].id_number
    path = roster(tmp_path, rows=[row("NEW1", wb.pid()), row("NEW1", taken, "配偶")])
    result = imp(session, path)
    (p,) = problems(result, "id_in_other_household")
    assert p.row == 3 and "OLD1" in p.message and "迁出" in p.message
    assert session.scalar(select(Household).where(Household.code == "NEW1")) is None


# --- vocabularies, numbers, dates -----------------------------------------------------------------------

def test_vocabulary_aliases_and_bad_values(session, tmp_path):
    extra = ["健康状况", "劳动技能", "务工状况", "在校生状况", "参加城乡居民基本医疗保险", "享受低保", "特困供养"]
    rows = [row("H1", wb.pid(), "本人", "甲", "良好", "劳动力", "乡(镇)内务工", "非在校", "√", "N", "无"),
            row("H1", wb.pid(sex="F"), "妻子", "乙", "慢性病", "半劳力", "省外", "不在校", "Y", "否", "有"),
            row("H1", wb.pid(dt.date(2010, 1, 1)), "儿子", "丙", "健康", "无劳力", "未务工", "小学三年级", "是", "0",
                "1"),
            row("H2", wb.pid(), "户主", "丁", "很好", "普通劳动力", "省外务工", "非在校生", "是", "否", "否")]
    path = roster(tmp_path, extra, rows)
    result = imp(session, path)
    (bad,) = result.errors[:1]
    assert (bad.code, bad.row, bad.column, bad.value) == ("bad_value", 5, "健康状况", "很好")
    assert "长期慢性病" in bad.message  # names the accepted values
    members = {m.name: m for m in session.scalars(select(Member))}
    assert members["甲"].relation == "head" and members["乙"].relation == "spouse" and members["丙"].relation == "son"
    assert (members["甲"].health, members["乙"].health) == ("healthy", "chronic")
    assert members["甲"].work_status == "in_township" and members["乙"].work_status == "out_of_province"
    assert members["丙"].school_status == "primary"
    assert (members["甲"].medical_insurance, members["乙"].medical_insurance) == (True, True)
    assert (members["甲"].subsistence_allowance, members["乙"].subsistence_allowance) == (False, False)
    assert (members["甲"].extreme_poverty_support, members["乙"].extreme_poverty_support,
            members["丙"].extreme_poverty_support) == (False, True, True)


def test_numbers_amounts_and_blanks(session, tmp_path):
    extra = ["年度", "工资性收入", "生产经营性收入", "财产性收入", "转移性收入", "家庭人口"]
    rows = [row("H1", wb.pid(), "户主", "甲", 2018, "1,234.50", "3000元", None, 12.3, 1),
            row("H2", wb.pid(), "户主", "乙", 2018, "很多", 0, 0, 0, 1),
            row("H3", wb.pid(), "户主", "丙", 2018, 0, 0, 0, 0, "一人")]
    result = imp(session, roster(tmp_path, extra, rows))
    assert [(p.row, p.code, p.column) for p in result.errors] == [(3, "bad_number", "工资性收入"),
                                                                 (4, "bad_number", "家庭人口")]
    income = session.scalar(select(Income))
    assert (income.wage, income.business, income.property, income.transfer) == (
        Decimal("1234.50"), Decimal("3000.00"), Decimal("0.00"), Decimal("12.30"))


@pytest.mark.parametrize("value", [2016, 2016.0, "2016", "2016年", dt.date(2016, 12, 31)])
def test_years_in_every_form(session, tmp_path, value):
    rows = [row("H1", wb.pid(), "户主", "甲", "未脱贫", value)]
    result = imp(session, roster(tmp_path, ["脱贫状态", "识别年度"], rows))
    assert result.errors == []
    event = session.scalar(select(Household)).events[0]
    assert event.event_date == dt.date(2016, 12, 31)


@pytest.mark.parametrize("value", [dt.datetime(2018, 3, 1), "2018-03-01", "2018.3.1", "2018/3/1", "2018年3月1日"])
def test_dates_in_every_form(session, tmp_path, value):
    result = imp(session, roster(tmp_path, ["成员状态", "状态日期"],
                                 [row("H1", wb.pid(), "户主", "甲"), row("H1", wb.pid(), "之子", "乙", "新增", value)]))
    assert result.errors == []
    added = session.scalar(select(Member).where(Member.name == "乙"))
    assert added.joined_on == dt.date(2018, 3, 1)


def test_bad_dates_and_years(session, tmp_path):
    rows = [row("H1", wb.pid(), "户主", "甲", "未脱贫", "去年", None),
            row("H2", wb.pid(), "户主", "乙", None, None, "2018-02-30")]
    result = imp(session, roster(tmp_path, ["脱贫状态", "识别年度", "状态日期"], rows))
    assert [(p.row, p.code, p.column) for p in result.errors] == [(2, "bad_date", "识别年度"),
                                                                 (3, "bad_date", "状态日期")]


def test_required_missing_cell_and_column(session, tmp_path):
    result = imp(session, roster(tmp_path, rows=[row("H1", wb.pid(), "户主", None), row("H2", wb.pid())]))
    assert [(p.row, p.code, p.column) for p in result.errors] == [(2, "required_missing", "姓名")]
    path = wb.write(tmp_path / "nocol.xlsx", {"S": [["户编号", "乡镇", "姓名", "身份证号", "与户主关系"],
                                                    ["H1", "会立乡", "甲", wb.pid(), "户主"]]})
    result = imp(session, path)
    assert [(p.row, p.code, p.column) for p in result.errors] == [(1, "required_missing", "行政村")]
    assert "缺少必填列" in result.errors[0].message


# --- households -----------------------------------------------------------------------------------------

def test_a_required_cell_of_spaces_is_missing_on_every_row(session, tmp_path):
    # the parsed-value memo must not let the second blank relation through (it reached the database as NULL)
    rows = [r for code in ("H1", "H2", "H3")
            for r in (row(code, wb.pid(), "户主", "甲"), row(code, wb.pid(), " ", "乙"))]
    result = imp(session, roster(tmp_path, rows=rows))
    assert [p.row for p in problems(result, "required_missing")] == [3, 5, 7]
    assert result.counts["members"]["created"] == 0


def test_text_longer_than_the_register_holds_and_negative_amounts(session, tmp_path):
    rows = [row("H1", wb.pid(), "户主", "张" * 101, 2018, "100"), row("H2", wb.pid(), "户主", "乙", 2018, "-100")]
    result = imp(session, roster(tmp_path, ["年度", "工资性收入"], rows))
    assert [(p.row, p.code, p.column) for p in result.errors] == [
        (2, "bad_value", "姓名"), (3, "bad_number", "工资性收入")]
    assert "最多100个字" in result.errors[0].message and "负数" in result.errors[1].message


def test_no_head_and_multiple_heads(session, tmp_path):
    rows = [row("H1", wb.pid(), "配偶"), row("H1", wb.pid(), "之子"),
            row("H2", wb.pid(), "户主"), row("H2", wb.pid(), "本人"),
            row("H3", wb.pid(), "户主")]
    result = imp(session, roster(tmp_path, rows=rows))
    assert [(p.row, p.code) for p in result.errors] == [
        (2, "no_head"), (3, "household_rejected"), (4, "multiple_heads"), (5, "multiple_heads")]
    assert result.counts["households"] == {"created": 1, "updated": 0, "unchanged": 0, "rejected": 2}


def test_size_mismatch_is_a_warning(session, tmp_path):
    rows = [row("H1", wb.pid(), "户主", "甲", 3), row("H1", wb.pid(), "配偶", "乙", 3)]
    result = imp(session, roster(tmp_path, ["家庭人口"], rows))
    (p,) = result.warnings
    assert (p.code, p.row, p.column, p.value) == ("size_mismatch", 2, "家庭人口", "3")
    assert result.counts["households"]["created"] == 1


def test_unknown_area_without_create_areas(session, tmp_path):
    f.area_tree(session, "会立乡", "岔口村")
    rows = [row("H1", wb.pid()), ["H2", "会立乡", "野则河村", "乙", wb.pid(), "户主"]]
    result = imp(session, roster(tmp_path, rows=rows), create_areas=False)
    (p,) = result.errors
    assert (p.code, p.row, p.column, p.value) == ("unknown_area", 3, "行政村", "野则河村")
    assert "--create-areas" in p.message and "会立乡" in p.message
    assert result.counts["households"] == {"created": 1, "updated": 0, "unchanged": 0, "rejected": 1}


def test_household_atomic_across_sheets(session, tmp_path):
    """A bad member in 家庭成员 rejects the household's 户信息 row and its income too."""
    good, bad = wb.pid(), "142323198604252954"
    path = wb.write(tmp_path / "t.xlsx", {
        "户信息": [["户编号", "乡镇", "行政村"], ["H1", "会立乡", "岔口村"], ["H2", "会立乡", "岔口村"]],
        "家庭成员": [["户编号", "姓名", "身份证号", "与户主关系"], ["H1", "甲", good, "户主"],
                 ["H2", "乙", bad, "户主"]],
        "收入": [["户编号", "年度", "工资性收入"], ["H1", 2018, 100], ["H2", 2018, 200]],
    })
    result = imp(session, path)
    assert [(p.sheet, p.row, p.code) for p in result.errors] == [
        ("户信息", 3, "household_rejected"), ("家庭成员", 3, "id_checksum"), ("收入", 3, "household_rejected")]
    assert [h.code for h in session.scalars(select(Household))] == ["H1"]
    assert result.counts["incomes"] == {"created": 1, "updated": 0, "unchanged": 0, "rejected": 1}


def test_orphan_member_and_unknown_reference(session, tmp_path):
    path = wb.write(tmp_path / "o.xlsx", {
        "家庭成员": [["户编号", "姓名", "身份证号", "与户主关系"], ["NOPE", "甲", wb.pid(), "户主"]],
        "收入": [["户编号", "年度", "工资性收入"], ["NOPE2", 2018, 100]],
        "结对关系": [["户编号", "帮扶干部身份证号", "开始日期"], ["NOPE3", wb.pid(), "2016-03-01"]],
    })
    result = imp(session, path)
    assert [(p.sheet, p.code) for p in result.errors] == [
        ("家庭成员", "orphan_member"), ("收入", "unknown_reference"), ("结对关系", "unknown_reference")]


def test_strict_refuses_everything(session, tmp_path):
    rows = [row("H1", wb.pid()), row("H2", "142323198604252954")]
    result = imp(session, roster(tmp_path, rows=rows), strict=True)
    assert result.refused and result.batch is None
    assert result.counts["households"] == {"created": 0, "updated": 0, "unchanged": 0, "rejected": 2}


def test_event_sheet_kinds_and_risk_limit(session, tmp_path):
    village = f.area_tree(session, "会立乡", "岔口村")
    f.household(session, "E1", village=village)
    path = wb.write(tmp_path / "ev.xlsx", {"识别变动": [
        ["户编号", "变动类型", "日期", "监测对象类型", "风险类型"],
        ["E1", "纳入监测", "2018-06-01", "边缘易致贫户", "因病、因学、因残、因自然灾害、因意外事故、缺劳动力"],
        ["E1", "更正作废", "2018-07-01", None, None],
        ["E1", "识别纳入", "2014", None, None]]})
    result = imp(session, path)
    assert [(p.row, p.code, p.column) for p in result.errors] == [
        (2, "bad_value", "风险类型"), (3, "bad_value", "变动类型"), (4, "household_rejected", None)]
    assert "最多填5项" in result.errors[0].message
    assert result.errors[1].message.endswith("可填：识别纳入、脱贫退出、返贫、纳入监测、风险消除、撤销风险消除")


def test_a_cadre_listed_twice_is_rejected(session, tmp_path):
    number = wb.pid(dt.date(1975, 1, 1))
    path = wb.write(tmp_path / "c.xlsx", {"帮扶干部": [["姓名", "身份证号", "工作单位"], ["李四", number, "县财政局"],
                                                       ["李四", number, "县农业局"], ["王五", wb.pid(), "县农业局"]]})
    result = imp(session, path)
    assert [(p.row, p.code) for p in result.errors] == [(2, "id_duplicate_in_file"), (3, "id_duplicate_in_file")]
    assert result.counts["cadres"] == {"created": 1, "updated": 0, "unchanged": 0, "rejected": 2}


def test_household_code_typed_as_a_long_number(session, tmp_path):
    rows = [[1411221040010001, "会立乡", "岔口村", "甲", wb.pid(), "户主"], [141122104001002, "会立乡", "岔口村",
        "乙", wb.pid(), "户主"]]
    result = imp(session, roster(tmp_path, rows=rows))
    assert [(p.row, p.code, p.column) for p in result.errors] == [(2, "bad_value", "户编号")]
    assert "文本" in result.errors[0].message
    assert session.scalar(select(Household.code)) == "141122104001002"  # 15 digits survive as a number
    assert result.counts["members"] == {"created": 1, "updated": 0, "unchanged": 0, "rejected": 1}


def test_the_same_income_twice_with_different_amounts(session, tmp_path):
    village = f.area_tree(session, "会立乡", "岔口村")
    f.household(session, "I1", village=village)
    f.household(session, "I2", village=village)
    path = wb.write(tmp_path / "inc.xlsx", {"收入": [
        ["户编号", "年度", "月份", "工资性收入"], ["I1", 2018, None, 100], ["I1", 2018, None, 200],
        ["I2", 2018, 3, 50], ["I2", 2018, 3, 50]]})
    result = imp(session, path)
    assert [(p.row, p.code) for p in result.errors] == [(2, "household_rejected"), (3, "bad_value")]
    assert "第2行" in result.errors[1].message
    assert result.counts["incomes"] == {"created": 1, "updated": 0, "unchanged": 1, "rejected": 2}
