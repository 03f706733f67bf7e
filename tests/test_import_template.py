"""The template: its sheets, headers, dropdowns and text columns, and the round trip template → import → data."""

import datetime as dt
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from sqlalchemy import select

from povmon.ingest import ImportOptions, errors_book, import_files, template
from povmon.ingest.columns import TEMPLATE_KINDS
from povmon.models import Benefit, Cadre, Household, HouseholdEvent, Income, Measure, Member, Pairing, Visit
from povmon.rules import idcard

from . import workbooks as wb

SPEC_SHEETS = ["行政区划", "户信息", "家庭成员", "收入", "识别变动", "帮扶干部", "结对关系", "享受政策", "帮扶措施",
    "走访记录"]


def test_blank_template_sheets_headers_dropdowns_and_text_columns(tmp_path):
    path = template.write(tmp_path / "t.xlsx")
    book = load_workbook(path)
    assert book.sheetnames == ["填表说明", "代码表", *SPEC_SHEETS]
    assert book["代码表"].sheet_state == "hidden"
    households = book["户信息"]
    headers = [c.value for c in households[1]]
    assert headers[:8] == ["户编号", "县", "乡镇", "行政村", "村民小组", "户主姓名", "户主身份证号", "联系电话"]
    assert headers[-1] == "备注" and "耕地面积（亩）" in headers
    assert households["A1"].font.color.rgb.endswith("C00000")  # required: red
    assert households["A2"].number_format == "@" and households["G300"].number_format == "@"  # 户编号, 户主身份证号
    validations = {str(dv.sqref).split(":")[0]: dv for dv in households.data_validations.dataValidation}
    col = {h: i for i, h in enumerate(headers)}
    letter = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    assert "代码表" in validations[letter[col["贫困户属性"]] + "2"].formula1
    assert validations[letter[col["饮水安全"]] + "2"].formula1 == '"是,否"'
    members = book["家庭成员"]
    assert [c.value for c in members[1]][:4] == ["户编号", "姓名", "身份证号", "与户主关系"]
    codes = book["代码表"]
    titles = [c.value for c in codes[1]]
    relation = [codes.cell(row=i, column=titles.index("与户主关系") + 1).value for i in range(2, 6)]
    assert relation == ["户主", "配偶", "之子", "之女"]
    help_text = " ".join(str(c.value) for row in book["填表说明"].iter_rows() for c in row if c.value)
    for kind in TEMPLATE_KINDS:
        assert kind.name in help_text
    assert "文本" in help_text and "--create-areas" in help_text


def test_template_rows_must_use_known_sheets_and_headers(tmp_path):
    with pytest.raises(ValueError, match="no such template sheet"):
        template.write(tmp_path / "x.xlsx", {"户口": []})
    with pytest.raises(ValueError, match="unknown columns"):
        template.write(tmp_path / "x.xlsx", {"户信息": [{"户编号": "1", "不存在": 2}]})


def rows_for_round_trip():
    code = "1411221010010001"
    head = idcard.make("142323", dt.date(1986, 4, 25), 295)
    spouse = idcard.make("142323", dt.date(1976, 7, 13), 938)
    cadre = idcard.make("142323", dt.date(1975, 5, 5), 123)
    return code, head, spouse, cadre, {
        "行政区划": [{"县": "交城县", "乡镇": "西营镇", "区划代码": "141122101"},
                 {"县": "交城县", "乡镇": "西营镇", "行政村": "东营村", "区划代码": "141122101001"}],
        "户信息": [{"户编号": code, "县": "交城县", "乡镇": "西营镇", "行政村": "东营村", "村民小组": "一组",
            "户主姓名": "张三",
                 "户主身份证号": head, "联系电话": "13812345678", "家庭人口": 2, "贫困户属性": "一般贫困户",
                     "脱贫状态": "已脱贫",
                 "识别标准": "国家标准", "识别年度": 2015, "脱贫年度": 2017, "主要致贫原因": "因病",
                 "其他致贫原因": "缺技术、缺资金", "耕地面积（亩）": Decimal("5.5"), "林地面积（亩）": Decimal("2.25"),
                 "住房安全": "B级", "饮水安全": True, "通电": True, "通路": False, "两不愁": True,
                     "备注": "=危房已改造"}],
        "家庭成员": [
            {"户编号": code, "姓名": "张三", "身份证号": head, "与户主关系": "户主", "性别": "男", "民族": "汉族",
             "文化程度": "初中", "在校生状况": "非在校生", "健康状况": "健康", "劳动技能": "普通劳动力",
                 "务工状况": "省外务工",
             "务工时间（月）": 10, "参加城乡居民基本医疗保险": True, "参加养老保险": True, "享受低保": False,
                 "特困供养": False,
             "联系电话": "13812345678"},
            {"户编号": code, "姓名": "李四", "身份证号": spouse, "与户主关系": "配偶", "健康状况": "长期慢性病",
             "残疾等级": "二级", "成员状态": "新增", "状态日期": dt.date(2018, 3, 1), "备注": "婚入"}],
        "收入": [{"户编号": code, "年度": 2018, "工资性收入": Decimal("12000.50"), "生产经营性收入": 3000,
                "生产经营性支出": Decimal("800.25"), "财产性收入": 3000, "转移性收入": Decimal("1776.10"),
                "合规自付支出": Decimal("450")},
               {"户编号": code, "年度": 2019, "月份": 1, "工资性收入": 1000}],
        "识别变动": [{"户编号": code, "变动类型": "纳入监测", "日期": dt.date(2019, 6, 1), "原因": "大病",
                  "监测对象类型": "脱贫不稳定户", "风险类型": "因病、因学", "线索来源": "农户自主申报"}],
        "帮扶干部": [{"姓名": "王五", "身份证号": cadre, "工作单位": "交城县国土资源局", "职务": "科员",
            "联系电话": "0358-1234567",
                  "帮扶角色": "第一书记", "驻村乡镇": "西营镇", "驻村村": "东营村"}],
        "结对关系": [{"户编号": code, "帮扶干部身份证号": cadre, "帮扶干部姓名": "王五", "开始日期": dt.date(2016, 3,
            1),
                  "结束日期": dt.date(2019, 1, 15), "结束原因": "工作调动"}],
        "享受政策": [{"户编号": code, "成员身份证号": spouse, "政策名称": "医疗救助", "政策类别": "健康",
                  "日期": dt.date(2018, 5, 1), "金额": Decimal("800"), "备注": "住院"}],
        "帮扶措施": [{"户编号": code, "措施类别": "产业", "日期": dt.date(2018, 4, 1), "措施内容": "种植白皮松",
            "金额": 3000,
                  "帮扶干部身份证号": cadre}],
        "走访记录": [{"户编号": code, "帮扶干部身份证号": cadre, "走访日期": dt.date(2018, 5, 20),
            "走访内容": "入户核实收入",
                  "发现问题": "无", "是否解决": True}],
    }


def test_round_trip_template_with_data_imports_the_same_data(session, tmp_path):
    code, head, spouse, cadre, rows = rows_for_round_trip()
    path = template.write(tmp_path / "filled.xlsx", rows)
    result = import_files(session, [path], ImportOptions(user="t", as_of=dt.date(2019, 7, 1)))
    assert result.errors == [] and result.warnings == []
    hh = session.scalar(select(Household).where(Household.code == code))
    assert (hh.village.name, hh.village.code, hh.group_name, hh.phone, hh.declared_size) == (
        "东营村", "141122101001", "一组", "13812345678", 2)
    assert (hh.attribute, hh.standard, hh.main_cause, hh.other_causes) == (
        "general_poor", "national", "illness", "no_skills,no_funds")
    assert (hh.arable_land, hh.forest_land, hh.housing_safety) == (Decimal("5.50"), Decimal("2.25"), "B")
    assert (hh.safe_water, hh.electricity, hh.road, hh.food_clothing_secure, hh.note) == (
        True, True, False, True, "=危房已改造")
    events = [(e.kind, e.event_date) for e in session.scalars(select(HouseholdEvent).order_by(HouseholdEvent.id))]
    assert events == [("identified", dt.date(2015, 12, 31)), ("exited", dt.date(2017, 12, 31)),
                      ("monitoring_added", dt.date(2019, 6, 1))]
    monitored = session.scalar(select(HouseholdEvent).where(HouseholdEvent.kind == "monitoring_added"))
    assert (monitored.monitoring_type, monitored.risks, monitored.lead_source, monitored.reason) == (
        "unstable", "illness,schooling", "self_report", "大病")
    identified = session.scalar(select(HouseholdEvent).where(HouseholdEvent.kind == "identified"))
    assert (identified.standard, identified.cause) == ("national", "illness")
    m = {x.id_number: x for x in session.scalars(select(Member))}
    assert (m[head].name, m[head].relation, m[head].ethnicity, m[head].education, m[head].labour) == (
        "张三", "head", "汉族", "junior", "ordinary")
    assert (m[head].work_status, m[head].work_months, m[head].medical_insurance, m[head].pension_insurance,
            m[head].subsistence_allowance, m[head].extreme_poverty_support, m[head].phone) == (
        "out_of_province", 10, True, True, False, False, "13812345678")
    assert (m[spouse].relation, m[spouse].health, m[spouse].disability_grade, m[spouse].joined_on,
            m[spouse].note) == ("spouse", "chronic", "2", dt.date(2018, 3, 1), "婚入")
    incomes = {(i.year, i.month): i for i in session.scalars(select(Income))}
    y = incomes[(2018, 0)]
    assert (y.wage, y.business, y.business_expense, y.property, y.transfer, y.compliant_spending) == (
        Decimal("12000.50"), Decimal("3000.00"), Decimal("800.25"), Decimal("3000.00"), Decimal("1776.10"),
        Decimal("450.00"))
    assert incomes[(2019, 1)].wage == Decimal("1000.00")
    c = session.scalar(select(Cadre))
    assert (c.name, c.id_number, c.unit, c.post, c.phone, c.role, c.village.name) == (
        "王五", cadre, "交城县国土资源局", "科员", "0358-1234567", "first_secretary", "东营村")
    p = session.scalar(select(Pairing))
    assert (p.start_on, p.end_on, p.end_reason, p.cadre_id) == (dt.date(2016, 3, 1), dt.date(2019, 1, 15), "工作调动",
                                                                c.id)
    b = session.scalar(select(Benefit))
    assert (b.policy.name, b.policy.category, b.benefit_date, b.amount, b.member.id_number, b.note) == (
        "医疗救助", "health", dt.date(2018, 5, 1), Decimal("800.00"), spouse, "住院")
    me = session.scalar(select(Measure))
    assert (me.kind, me.measure_date, me.description, me.amount, me.cadre_id) == (
        "industry", dt.date(2018, 4, 1), "种植白皮松", Decimal("3000.00"), c.id)
    v = session.scalar(select(Visit))
    assert (v.visit_date, v.done, v.problems, v.resolved) == (dt.date(2018, 5, 20), "入户核实收入", "无", True)
    again = import_files(session, [path], ImportOptions(user="t", as_of=dt.date(2019, 8, 1)))
    assert again.batch is None and all(c["created"] == c["updated"] == 0 for c in again.counts.values())


def test_error_workbook_keeps_the_layout_and_reimports(session, tmp_path):
    rows = [["会立乡花名册"], ["户编号", "户基本情况", None, "家庭成员情况", None, None],
            [None, "乡镇", "行政村", "姓名", "身份证号", "与户主关系"]]
    good = wb.household("1411221040010001", 2)
    bad = wb.household("1411221040010002", 2)
    bad[1][4] = "142323198604252954"
    for r in good + bad:
        rows.append([r[0], r[1], r[2], r[3], r[4], r[5]])
    path = wb.write(tmp_path / "in.xlsx", {"花名册": rows}, merges={"花名册": ["A1:F1", "A2:A3", "B2:C2", "D2:F2"]})
    result = import_files(session, [path], ImportOptions(user="t", create_areas=True))
    assert [e.row for e in result.errors] == [6, 7]
    out = tmp_path / "errors.xlsx"
    assert errors_book.write(out, result) == 2
    book = load_workbook(out)
    ws = book["花名册"]
    assert ws["A1"].value == "会立乡花名册" and ws["B2"].value == "户基本情况" and ws["D3"].value == "姓名"
    assert "B2:C2" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["A4"].value == "1411221040010002" and ws["A5"].value == "1411221040010002"
    assert ws["G3"].value == "错误说明" and "校验位" in ws["G5"].value and "整户" in ws["G4"].value
    assert ws["E5"].fill.fgColor.rgb.endswith("FFC7CE") and ws["E5"].comment is not None
    assert ws["E4"].fill.fgColor.rgb in ("00000000", None) or not ws["E4"].fill.fgColor.rgb.endswith("FFC7CE")
    # the clerk fixes the ID and imports the error workbook on its own
    ws["E5"].value = bad[1][4][:17] + idcard.make(bad[1][4][:6], idcard.birth_date(bad[1][4]),
                                                  int(bad[1][4][14:17]))[-1]
    book.save(out)
    fixed = import_files(session, [out], ImportOptions(user="t", create_areas=True))
    assert fixed.errors == [] and [w.code for w in fixed.warnings] == []
    assert fixed.counts["households"]["created"] == 1


def test_error_workbook_starts_with_a_list_readable_on_a4(session, tmp_path):
    rows = [["会立乡花名册"], ["填报单位：会立乡人民政府（盖章）", None, None, None, None, "数据截至：2022-12-31"],
            ["户编号", "乡镇", "行政村", "姓名", "身份证号", "与户主关系"]]
    bad = wb.household("1411221040010002", 2)
    bad[1][4] = 142323198604252000.0  # typed as a number: Excel kept 15 digits
    for r in wb.household("1411221040010001", 2) + bad:
        rows.append([r[0], r[1], r[2], r[3], r[4], r[5]])
    path = wb.write(tmp_path / "in.xlsx", {"花名册": rows}, merges={"花名册": ["A1:F1"]})
    result = import_files(session, [path], ImportOptions(user="t", create_areas=True))
    out = tmp_path / "errors.xlsx"
    errors_book.write(out, result)
    book = load_workbook(out)
    assert book.sheetnames == [errors_book.LIST_SHEET, "花名册"]
    ws = book[errors_book.LIST_SHEET]
    assert ws["A1"].value == "导入错误清单" and "A1:H1" in {str(r) for r in ws.merged_cells.ranges}
    assert [c.value for c in ws[3]] == [h for h, _ in errors_book.LIST_COLUMNS]
    assert ws.max_row == 4  # one problem: the ID; the household's other row is only counted in the note
    line = [c.value for c in ws[4]]
    assert line[1:6] == ["花名册 第7行", "会立乡岔口村", "1411221040010002", line[4], "身份证号"]
    assert line[6] == "142323198604252000" and "15位" in line[7]  # the digits Excel kept, as text
    assert "1 行因同户其他行有错整户未导入" in ws["A2"].value
    # printed on A4 landscape, one page wide, its header repeated, only the list in the print area
    setup = ws.page_setup
    assert (int(setup.paperSize), setup.orientation, setup.fitToWidth, setup.fitToHeight) == (9, "landscape", 1, 0)
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.print_title_rows == "$3:$3"
    assert ws.print_area == f"'{errors_book.LIST_SHEET}'!$A$1:$H$4"
    assert sum(ws.column_dimensions[c].width for c in "ABCDEFGH") <= 150  # about 10 pt on A4 landscape
    rows_ws = book["花名册"]
    assert rows_ws["E5"].value == "142323198604252000" and rows_ws["E5"].number_format == "@"  # as text
    # the title and the 填报单位 / 数据截至 line each stay on one line, with room for their text
    assert not rows_ws["A1"].alignment.wrap_text and not rows_ws["F2"].alignment.wrap_text
    assert rows_ws.row_dimensions[1].height >= 24 and rows_ws.row_dimensions[2].height >= 18


def test_a_blank_template_prints_ruled_rows_to_fill_in_by_hand(tmp_path):
    book = load_workbook(template.write(tmp_path / "t.xlsx"))
    for kind in TEMPLATE_KINDS:
        ws = book[kind.name]
        last = get_column_letter(len(kind.fields))
        ruled = template.RULED_ROWS + 1
        assert ws.print_area == f"'{kind.name}'!$A$1:${last}${ruled}", kind.name
        assert ws.print_title_rows == "$1:$1" and ws.page_setup.orientation == "landscape", kind.name
        assert int(ws.page_setup.paperSize) == 9 and ws.sheet_properties.pageSetUpPr.fitToPage, kind.name
        assert all(ws.cell(r, c).border.bottom.style == "thin" for r in (2, ruled) for c in (1, len(kind.fields)))
        assert ws.row_dimensions[ruled].height == template.RULED_HEIGHT
        width = sum(ws.column_dimensions[get_column_letter(j)].width for j in range(1, len(kind.fields) + 1))
        # wide sheets print on more pages wide, each repeating 户编号, rather than shrinking to a few points
        assert width / ws.page_setup.fitToWidth <= template.PAGE_WIDTH, kind.name
        assert (ws.page_setup.fitToWidth > 1) == (ws.print_title_cols == "$A:$A"), kind.name
    # a template filled with data (the sample county's workbooks) has no ruled rows
    filled = load_workbook(template.write(tmp_path / "f.xlsx", {"户信息": [{"户编号": "1411221040010001"}]}))
    assert not filled["户信息"].print_area and filled["户信息"]["A3"].border.bottom.style is None
    blank = book["户信息"]
    assert blank.oddFooter.center.text == "户信息　第 &P 页 共 &N 页" and "填表人" in blank.oddHeader.right.text
