"""The monthly workbook: every sheet present, in the house style, and consistent with the JSON."""

import datetime as dt
from decimal import Decimal

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from povmon.reports import close as closing
from povmon.reports import monthly, monthly_xlsx
from povmon.services import closes

from . import factories as f
from . import monthly_register as reg


def close_month(session, month, area=None, **kw):
    """Close a month (services.closes) from its report, as ``povmon report close`` does; (close, report)."""
    report = monthly.build(session, month, area)
    return closes.close_month(session, report, **kw), report

D = dt.date


def _write(session, tmp_path, *, area=None, comparison=None, pair_limit=5):
    report = monthly.build(session, reg.MONTH, area)
    details = monthly.details(session, report, pair_limit=pair_limit)
    path = monthly_xlsx.write(report, details, tmp_path / "m.xlsx", comparison=comparison, printed=D(2019, 2, 5))
    return report, details, load_workbook(path)


def _table(ws, header_row: int) -> list[dict]:
    """Rows under a header row, as dicts, until the first empty row."""
    header = [c.value for c in ws[header_row]]
    rows = []
    for row in ws.iter_rows(min_row=header_row + 1, values_only=True):
        if all(v is None for v in row):
            break
        rows.append(dict(zip(header, row, strict=False)))
    return rows


def _number(value):
    return Decimal(str(value)).quantize(Decimal("0.01"))


def test_every_sheet_is_there_in_order(session, tmp_path):
    reg.build(session)
    _, _, wb = _write(session, tmp_path)
    assert wb.sheetnames == list(monthly_xlsx.SHEETS)


def test_summary_sheet_matches_the_json_figure_by_figure_and_totals_add_up(session, tmp_path):
    reg.build(session)
    report, _, wb = _write(session, tmp_path)
    ws = wb["汇总"]
    assert ws["A1"].value == "交城县2019年1月贫困人口动态监测汇总表"
    assert "2019-01-31" in ws["A2"].value and "2995.00" in ws["A2"].value
    first = monthly_xlsx.SUMMARY_FIRST_ROW
    entries = report.as_json()["areas"]
    for offset, entry in enumerate(entries):
        row = [c.value for c in ws[first + offset]]
        assert row[0] == entry["name"] and (row[1] or None) == entry["code"]
        for column, (field, _, _) in enumerate(monthly_xlsx.SUMMARY_COLUMNS, start=2):
            if field in ("incidence_pct", "benefits_yuan"):
                assert _number(row[column]) == Decimal(entry[field]), (entry["name"], field)
            else:
                assert row[column] == entry[field], (entry["name"], field)
    assert ws.cell(first + len(entries), 1).value is None  # a blank row before the notes

    # totals add up: county = Σ townships, township = Σ its villages (cadres are distinct people: ≤)
    by_name = {e["name"]: e for e in entries}
    summed = [f for f, _, _ in monthly_xlsx.SUMMARY_COLUMNS if f not in ("incidence_pct", "cadres", "benefits_yuan")]
    tree = (("交城县", ["西营镇", "会立乡"]), ("西营镇", ["东营村", "西营村"]), ("会立乡", ["岔口村"]))
    for parent, children in tree:
        for field in summed:
            assert by_name[parent][field] == sum(by_name[c][field] for c in children), (parent, field)
        assert Decimal(by_name[parent]["benefits_yuan"]) == sum(Decimal(by_name[c]["benefits_yuan"]) for c in children)
        assert by_name[parent]["cadres"] <= sum(by_name[c]["cadres"] for c in children)


def test_summary_sheet_is_print_ready(session, tmp_path):
    reg.build(session)
    _, _, wb = _write(session, tmp_path)
    for name in wb.sheetnames:
        ws = wb[name]
        orientation = "portrait" if name == "图表" else "landscape"  # 图表: the table over four charts
        assert ws.page_setup.orientation == orientation and int(ws.page_setup.paperSize) == 9, name
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1, name
        assert ws.page_setup.fitToHeight == 0, name
        # every page says whose it is: the scope and month, the sheet, the page
        assert ws.oddFooter.center.text.startswith(f"交城县2019年1月　{name}　第 &P 页 共 &N 页"), name
        # the lines an auditor signs close every sheet, inside its print area
        texts = {r: c.value for r in range(1, ws.max_row + 1) for c in [ws.cell(r, 1)] if isinstance(c.value, str)}
        signed = [r for r, t in texts.items() if t.startswith("制表人：")]
        assert len(signed) == 1 and all(k in texts[signed[0]] for k in ("审核人：", "负责人：")), name
        assert texts[signed[0] + 1].startswith("单位（盖章）：") and "制表日期：" in texts[signed[0] + 1], name
        width = max(ws.max_column, 1)
        assert ws.print_area == f"'{name}'!$A$1:${get_column_letter(width)}${signed[0] + 1}", name
        assert signed[0] + 1 == ws.max_row, name
    summary = wb["汇总"]
    assert summary.freeze_panes == "C5" and summary.print_title_rows == "$3:$4"
    last = get_column_letter(2 + len(monthly_xlsx.SUMMARY_COLUMNS))  # the title spans every column
    assert f"A1:{last}1" in {str(r) for r in summary.merged_cells.ranges}
    assert summary["A5"].font.name == "宋体" and summary["A5"].font.bold
    assert summary["A7"].alignment.indent == 4  # villages indented under their township


def test_detail_sheets_list_what_the_figures_count(session, tmp_path):
    reg.build(session)
    report, _, wb = _write(session, tmp_path, pair_limit=2)
    county = report.as_json()["areas"][0]

    changes = _table(wb["变动"], 3)
    events = [r for r in changes if r["类别"] == "状态变动" and r["变动"] != "更正作废"]
    assert len(events) == sum(county[k] for k in ("identified", "exited", "returned", "monitoring_added",
                                                  "risk_eliminated"))
    assert {(r["户编号"], r["变动"]) for r in changes} == {
        ("H3", "返贫"), ("H4", "纳入监测"), ("H5", "识别纳入"), ("H5", "更正作废"), ("H6", "纳入监测"),
        ("H6", "风险消除"),
    }
    assert all(r["户编号"] != "H5" or r["变动"] != "脱贫退出" for r in changes)  # voided in the month

    below = _table(wb["低于标准线"], 3)
    assert len(below) == county["below_line_households"]
    assert {r["户编号"]: _number(r["人均纯收入"]) for r in below} == {
        "H1": Decimal("2000.00"), "H4": Decimal("2990.00"), "H9": Decimal("0.00"),
    }
    assert all(_number(r["贫困线"]) == Decimal("2995.00") for r in below)
    assert _number(next(r for r in below if r["户编号"] == "H4")["差额"]) == Decimal("5.00")

    unpaired = _table(wb["未结对"], 3)
    assert len(unpaired) == county["unpaired_households"]
    assert {r["户编号"]: r["上次结对结束日期"] for r in unpaired} == {
        "H3": dt.datetime(2018, 12, 31), "H6": "从未结对", "H9": dt.datetime(2019, 1, 31),
    }

    visits = wb["走访"]
    places = {r["区划"]: r for r in _table(visits, 3)}  # per township and village, as on 汇总
    assert list(places) == [e["name"] for e in report.as_json()["areas"]]
    for entry in report.as_json()["areas"]:
        assert places[entry["name"]]["已结对户"] == entry["paired_households"]
        assert places[entry["name"]]["本月走访户数"] == entry["visited_households"]
    assert places["交城县"]["60天未走访的结对户"] == 2 and places["交城县"]["有60天未走访结对户的干部"] == 2
    assert places["西营镇"]["60天未走访的结对户"] == 2
    cadre_header = next(r for r in range(4, visits.max_row + 1) if visits.cell(r, 1).value == "单位")
    cadres = {r["帮扶干部"]: r for r in _table(visits, cadre_header)}
    assert set(cadres) == {"李一", "王二"}  # only the cadres with households unvisited in 60 days
    assert cadres["李一"]["结对户数"] == 3 and cadres["李一"]["最近走访日期"] == dt.datetime(2019, 1, 30)
    assert cadres["李一"]["60天未走访的结对户"] == 1 and cadres["王二"]["60天未走访的结对户"] == 1
    second = next(r for r in range(cadre_header + 1, visits.max_row + 1) if visits.cell(r, 1).value == "户编号")
    assert {r["户编号"]: r["帮扶干部"] for r in _table(visits, second)} == {"H2": "李一", "H4": "王二"}

    money = {r["政策类别"]: r for r in _table(wb["政策资金"], 3)}
    assert _number(money["合计"]["合计"]) == Decimal(county["benefits_yuan"])
    assert _number(money["教育"]["西营镇"]) == Decimal("500.00")
    assert _number(money["社会保障"]["合计"]) == Decimal("1000.50")
    assert _number(money["合计"]["会立乡"]) == Decimal("0.00")

    quality = _table(wb["数据质量"], 3)
    found = {(r["类别"], r["户编号"] or r["人员"]) for r in quality}
    assert found == {("住房为C/D级危房", "H9"), ("未录入2018年收入", "H3"), ("干部结对超过2户", "李一")}

    charts = wb["图表"]
    assert [c.value for c in charts[2]][:5] == ["乡镇", "未脱贫户（含返贫）", "已脱贫户", "监测户", "贫困发生率（%）"]
    assert [c.value for c in charts[3]][:4] == ["西营镇", 3, 2, 1]
    # one chart per measure, each on its own scale and with data labels, so small bars do not vanish
    assert len(charts._charts) == 4
    for chart in charts._charts:
        assert len(chart.series) == 1 and chart.dataLabels.showVal


def test_quality_sheet_finds_school_insurance_head_and_size_problems(session, tmp_path):
    built = reg.build(session)
    hh = built["households"]
    kid = f.household(session, "Q1", village=built["areas"]["东营村"], declared_size=5, members=[
        {"name": "母亲", "relation": "spouse", "sex": "F", "medical_insurance": False},
        {"name": "辍学", "relation": "son", "born": D(2008, 3, 1), "school_status": "not_student"},
        {"name": "病休", "relation": "son", "born": D(2009, 3, 1), "school_status": "not_student",
         "health": "serious"},
        {"name": "太小", "relation": "son", "born": D(2013, 6, 1), "school_status": "not_student"},
    ])
    f.event(session, kid, "identified", D(2016, 12, 31))
    f.income(session, kid, 2018, wage="20000")
    f.event(session, hh["H8"], "monitoring_added", D(2019, 1, 2), monitoring_type="hardship")
    hh["H8"].members[1].medical_insurance = False  # H8 is monitored from January: its members count too
    hh["H8"].members[2].medical_insurance = False
    session.flush()
    _, _, wb = _write(session, tmp_path)
    rows = _table(wb["数据质量"], 3)
    found = {(r["类别"], r["户编号"], r["人员"]) for r in rows}
    assert ("6–15岁未在校", "Q1", "辍学") in found
    assert not any(who in ("病休", "太小") for _, _, who in found)  # excused by health; not yet 6
    assert ("未参加基本医疗保险", "Q1", "母亲") in found
    assert {("未参加基本医疗保险", "H8", "成员1"), ("未参加基本医疗保险", "H8", "成员2")} <= found
    assert ("户主不在册", "Q1", None) in found
    assert ("家庭人口与在册人数不符", "Q1", None) in found


def test_closed_month_adds_a_comparison_sheet(session, tmp_path):
    built = reg.build(session)
    close_month(session, reg.MONTH, user="审计甲", today=D(2019, 3, 1))
    f.event(session, built["households"]["H8"], "identified", D(2019, 1, 15), created_by="王会计")
    report = monthly.build(session, reg.MONTH)
    comparison = closing.compare(session, report)
    _, _, wb = _write(session, tmp_path, comparison=comparison)
    assert wb.sheetnames[-1] == "结账核对"
    ws = wb["结账核对"]
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert any("审计甲" in t and comparison.close.sha256 in t for t in texts)
    assert "王会计" in texts and "H8" in texts


def test_user_text_in_the_workbook_cannot_become_a_formula(session, tmp_path):
    built = reg.build(session)
    f.event(session, built["households"]["H1"], "monitoring_added", D(2019, 1, 3), reason="=HYPERLINK(\"x\")")
    _, _, wb = _write(session, tmp_path)
    cell = next(c for row in wb["变动"].iter_rows() for c in row if c.value == "=HYPERLINK(\"x\")")
    assert cell.data_type == "s"


def test_a_township_workbook_charts_its_villages(session, tmp_path):
    reg.build(session)
    _, _, wb = _write(session, tmp_path, area="西营镇")
    assert wb["汇总"]["A1"].value.startswith("西营镇2019年1月")
    assert wb["图表"]["A2"].value == "村"


def test_an_empty_month_says_so_and_the_registered_note_counts_each_household_once(session, tmp_path):
    reg.build(session)
    report = monthly.build(session, "2019-03")  # nothing happened in March
    details = monthly.details(session, report)
    assert not details.changes
    wb = load_workbook(monthly_xlsx.write(report, details, tmp_path / "m.xlsx", printed=D(2019, 4, 2)))
    changes = wb["变动"]
    assert changes["A4"].value == "本月无变动" and "A4:I4" in {str(r) for r in changes.merged_cells.ranges}
    notes = [c.value for c in wb["汇总"]["A"] if isinstance(c.value, str) and c.value.startswith("2. ")]
    assert notes and notes[0].startswith("2. 建档立卡 = 未脱贫（含返贫）+ 已脱贫，返贫户只计入未脱贫；")
    assert notes[0].count("返贫") == 3  # 含返贫, 返贫户 and the incidence: never added a second time


def test_the_comparison_names_every_area_one_way_and_in_chinese(session, tmp_path):
    built = reg.build(session)
    close_month(session, reg.MONTH, user="审计甲", today=D(2019, 3, 1))
    f.event(session, built["households"]["H8"], "identified", D(2019, 1, 15), created_by="王会计")
    report = monthly.build(session, reg.MONTH)
    _, _, wb = _write(session, tmp_path, comparison=closing.compare(session, report))
    ws = wb["结账核对"]
    header = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "区划")
    areas = [row[0] for row in ws.iter_rows(min_row=header + 1, values_only=True) if row[0]]
    areas = areas[:next(i for i, a in enumerate(areas) if a == "记录")]
    assert areas and all(a == "交城县" or a.startswith("交城县/") for a in areas)  # full paths, as the scope
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert not any(t.isascii() and t.isalpha() for t in texts)  # no English label such as "policy"
