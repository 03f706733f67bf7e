"""Every layout clerks send: titles, two-level merged headers, merged/repeated/first-row household cells,
separator rows, totals and signatures, extra sheets, odd headers, rosters without 户编号."""

import datetime as dt

from sqlalchemy import func, select

from povmon.ingest import ImportOptions, import_files
from povmon.models import Household, Income, Member

from . import workbooks as wb
from .workbooks import ROSTER_HEADERS

AS_OF = dt.date(2019, 1, 31)


def imp(session, *paths, **kw):
    kw.setdefault("create_areas", True)
    return import_files(session, list(paths), ImportOptions(user="t", as_of=AS_OF, **kw))


def n(session, model):
    return session.scalar(select(func.count()).select_from(model))


def codes(result):
    return [(e.row, e.code) for e in result.errors]


def test_title_rows_above_the_header_and_excel_row_numbers(session, tmp_path):
    a = wb.household("1411221040010001", 3)
    a[1][4] = "14232319800101123"  # 17 digits, on Excel row 5 (two titles, header on row 3)
    path = wb.write(tmp_path / "t.xlsx", {"花名册": [["会立乡花名册"], ["填报单位：会立乡人民政府"], ROSTER_HEADERS,
                                                     *a, *wb.household("1411221040010002", 2)]})
    result = imp(session, path)
    assert (5, "id_format") in codes(result)
    assert result.counts["households"] == {"created": 1, "updated": 0, "unchanged": 0, "rejected": 1}
    assert {e.row for e in result.errors} == {4, 5, 6}


def test_two_level_merged_header(session, tmp_path):
    head = ["户编号", "户基本情况", None, "家庭成员情况", None, None, "收入情况（元）", None]
    sub = [None, "乡（镇）", "行政村", "姓名", "身份证号码", "与户主关系", "年度", "工资性收入"]
    rows = [["会立乡建档立卡户花名册"] + [None] * 7, head, sub]
    for r in wb.household("1411221040010001", 2) + wb.household("1411221040010002", 3):
        rows.append([r[0], r[1], r[2], r[3], r[4], r[5], r[10], r[11]])
    path = wb.write(tmp_path / "h.xlsx", {"Sheet1": rows},
                    merges={"Sheet1": ["A1:H1", "A2:A3", "B2:C2", "D2:F2", "G2:H2"]})
    result = imp(session, path)
    assert result.errors == [] and result.warnings == []
    assert result.counts["members"]["created"] == 5 and result.counts["incomes"]["created"] == 2
    assert session.scalar(select(Income.wage).limit(1)) == 1000


def test_group_name_completes_a_field_name(session, tmp_path):
    """户主信息 over 姓名/身份证号 means the head's name and ID; 家庭成员 over them means the member's."""
    rows = [["户编号", "乡镇", "行政村", "户主信息", None, "家庭成员", None, None],
            [None, None, None, "姓名", "身份证号", "姓名", "身份证号", "与户主关系"]]
    for r in wb.household("1411221040010001", 2):
        rows.append([r[0], r[1], r[2], "成员0010", wb.pid(), r[3], r[4], r[5]])
    rows[2][4] = rows[2][6]  # the head's ID is the head's member ID
    rows[3][4] = rows[2][6]
    path = wb.write(tmp_path / "g.xlsx", {"S": rows}, merges={"S": ["A1:A2", "B1:B2", "C1:C2", "D1:E1", "F1:H1"]})
    result = imp(session, path)
    assert result.errors == [] and result.warnings == []
    assert n(session, Member) == 2


def test_household_cells_merged_over_member_rows(session, tmp_path):
    a = wb.household("1411221040010001", 3)
    b = wb.household("1411221040010002", 2)
    for rows in (a, b):
        for r in rows[1:]:
            for j in (0, 1, 2, 7, 8, 9, 10, 11, 12, 13):
                r[j] = None
    path = wb.write(tmp_path / "m.xlsx", {"花名册": [ROSTER_HEADERS, *a, *b]},
                    merges={"花名册": [f"{c}2:{c}4" for c in "ABCHIJKLMN"] + [f"{c}5:{c}6" for c in "ABCHIJKLMN"]})
    result = imp(session, path)
    assert result.errors == []
    assert result.counts["households"]["created"] == 2 and result.counts["members"]["created"] == 5
    assert n(session, Income) == 2


def test_household_cells_only_on_the_first_row(session, tmp_path):
    a = wb.household("1411221040010001", 3, status="未脱贫", identified=2016)
    b = wb.household("1411221040010002", 2)
    for rows in (a, b):
        for r in rows[1:]:
            for j in (0, 1, 2, 7, 8, 9, 10, 11, 12, 13):
                r[j] = None
    path = wb.write(tmp_path / "f.xlsx", {"花名册": [ROSTER_HEADERS, *a, *b]})
    result = imp(session, path)
    assert result.errors == []
    hh = session.scalar(select(Household).where(Household.code == "1411221040010001"))
    assert len(hh.members) == 3 and [e.kind for e in hh.events] == ["identified"]


def test_blank_separator_rows_totals_and_signatures_are_skipped(session, tmp_path):
    rows = [ROSTER_HEADERS, *wb.household("1411221040010001", 2), [None] * 14, [""] * 14,
            *wb.household("1411221040010002", 2),
            ["小计", None, None, None, None, None, None, None, None, None, None, 2000, 200, 4],
            *wb.household("1411221040010003", 1),
            ["合计", None, None, None, None, None, None, None, None, None, None, 3000, 300, 5],
            [None, None, None, "合  计", None, None, None, None, None, None, None, 3000, 300, 5],
            [],
            ["填表人：王芳", None, None, "审核人：李强", None, None, "填表日期：2019年1月5日"],
            [None, None, None, "单位负责人（签字）："]]
    path = wb.write(tmp_path / "s.xlsx", {"花名册": rows})
    result = imp(session, path)
    assert result.errors == [] and result.warnings == []
    assert result.counts["members"]["created"] == 5 and n(session, Household) == 3


def test_extra_sheets_and_header_found_by_content(session, tmp_path):
    path = wb.write(tmp_path / "x.xlsx", {
        "填表说明": [["填表说明"], ["1. 身份证号请设为文本格式"], ["2. 户主姓名、姓名、身份证号不能为空"]],
        "汇总": [["乡镇", "户数", "人数"], ["会立乡", 2, 4]],
        "空表": [],
        "第3页": [["说明：本表由村委会填写"], [], ROSTER_HEADERS, *wb.household("1411221040010001", 2),
                 *wb.household("1411221040010002", 2)],
    })
    result = imp(session, path)
    assert result.errors == []
    assert result.counts["households"]["created"] == 2


def test_header_spellings_brackets_stars_line_breaks_and_a_numbering_row(session, tmp_path):
    headers = ["序号", "户码", "乡(镇)", "行政村（社区）", "*姓名", "身份证\n号码", "与户主的关系", "耕地面积(亩)",
               "工资性收入（元）", "年度", "备用列"]
    rows = [headers, list(range(1, 12))]
    for i, r in enumerate(wb.household("1411221040010001", 2), start=1):
        rows.append([i, r[0], r[1], r[2], r[3], r[4], r[5], "3.5亩", "1,200.50", "2018年", "x"])
    path = wb.write(tmp_path / "b.xlsx", {"Sheet1": rows})
    result = imp(session, path)
    assert result.errors == []
    assert [(w.code, w.column) for w in result.warnings] == [("column_ignored", "备用列")]
    hh = session.scalar(select(Household))
    assert str(hh.arable_land) == "3.50"
    assert str(session.scalar(select(Income.wage))) == "1200.50"


def test_roster_without_household_code_is_grouped_by_heads(session, tmp_path):
    headers = ["乡镇", "行政村", "姓名", "身份证号", "与户主关系"]
    rows = [headers]
    ids = []
    for code in ("A", "B"):
        for r in wb.household(f"14112210400100{code}", 3):
            rows.append([r[1], r[2], r[3], r[4], r[5]])
            ids.append(r[4])
    path = wb.write(tmp_path / "nocode.xlsx", {"S": rows})
    first = imp(session, path)
    assert first.errors == [] and first.counts["households"]["created"] == 2
    made = sorted(session.scalars(select(Household.code)))
    # the village has no statistical code here: its id and a running number
    assert [c[-5:] for c in made] == ["-0001", "-0002"] and made[0][:-4] == made[1][:-4]
    again = imp(session, path)  # found again by the heads' ID numbers
    assert again.counts["households"] == {"created": 0, "updated": 0, "unchanged": 2, "rejected": 0}
    assert again.counts["members"]["unchanged"] == 6


def test_roster_grouped_by_head_id_column(session, tmp_path):
    headers = ["户主身份证号", "乡镇", "行政村", "姓名", "身份证号", "与户主关系"]
    rows = [headers]
    for code in ("1", "2"):
        hh = wb.household(f"141122104001000{code}", 2)
        for r in hh:
            rows.append([hh[0][4], r[1], r[2], r[3], r[4], r[5]])
    path = wb.write(tmp_path / "headid.xlsx", {"S": rows})
    result = imp(session, path)
    assert result.errors == [] and result.counts["households"]["created"] == 2


def test_member_rows_before_any_household_are_orphans(session, tmp_path):
    rows = [["乡镇", "行政村", "姓名", "身份证号", "与户主关系"], ["会立乡", "岔口村", "某人", wb.pid(), "之子"]]
    rows += [[r[1], r[2], r[3], r[4], r[5]] for r in wb.household("X", 2)]
    path = wb.write(tmp_path / "orph.xlsx", {"S": rows})
    result = imp(session, path)
    assert codes(result) == [(2, "orphan_member")]
    assert result.counts["households"]["created"] == 1 and result.counts["members"]["rejected"] == 1


def test_an_unrecognisable_workbook_is_refused(session, tmp_path):
    import pytest

    from povmon.errors import PovmonError

    path = wb.write(tmp_path / "other.xlsx", {"S": [["品名", "数量"], ["化肥", 3]]})
    with pytest.raises(PovmonError, match="没有能识别的表"):
        imp(session, path)


def test_reader_fills_merged_cells_and_keeps_excel_positions(tmp_path):
    from povmon.ingest.read import read_book

    path = wb.write(tmp_path / "m.xlsx", {"S": [[None, None, None], [None, "标题", None], [None, "户编号", "姓名"],
                                                [None, "H1", "甲"], [None, None, "乙"], [None, None, "丙"]]},
                    merges={"S": ["B2:C2", "B4:B6"]})
    sheet = read_book(path).sheets[0]
    assert sheet.rows[1] == ["", "标题", "标题"]  # row 2, columns A-C: positions as in Excel
    assert [r[1] for r in sheet.rows[3:6]] == ["H1", "H1", "H1"]
    assert ((3, 1), (5, 1)) in sheet.merged
