import datetime as dt
import zipfile
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.worksheet.datavalidation import DataValidation

from povmon import xlsx
from povmon.xlsxstream import StreamingWorkbook


def setup(ws):
    xlsx.a4(ws, footer_date=dt.date(2020, 1, 5))


def test_values_styles_merges_and_print_setup_read_back(tmp_path):
    path = tmp_path / "s.xlsx"
    with StreamingWorkbook(path, print_setup=setup) as book:
        money = book.styles.id(font=xlsx.FONT, border=xlsx.BORDER, align=xlsx.RIGHT, number_format=xlsx.MONEY_FORMAT)
        day = book.styles.id(font=xlsx.FONT, number_format=xlsx.DATE_FORMAT)
        text = book.styles.id(font=xlsx.FONT_BOLD, fill=xlsx.HEADER_FILL, align=xlsx.CENTER)
        quoted = book.styles.id(font=xlsx.FONT, quote_prefix=True)
        assert book.styles.id(font=xlsx.FONT, quote_prefix=True) == quoted  # combinations are reused
        sheet = book.add_sheet("甲 '表'", [10, 20, 5], repeat_rows="1:2")
        sheet.append([("标题 & <说明>", text), (None, text), (None, text)], height=30)
        sheet.merge(1, 3)
        sheet.append([(Decimal("1234.50"), money), (dt.date(2019, 12, 31), day), (7, text)])
        sheet.append([("=HYPERLINK(\"x\")", quoted), ("控制\x0b字符", text), ("  两行\n文字 ", text)])
        sheet.page_break()
        sheet.close()
        second = book.add_sheet("乙", [8])
        second.append([("+1", quoted)])
        second.close()
    wb = load_workbook(path)
    assert wb.sheetnames == ["甲 '表'", "乙"]
    ws = wb["甲 '表'"]
    assert ws["A1"].value == "标题 & <说明>" and ws["A1"].font.bold and ws["A1"].fill.fgColor.rgb == "00D9E1F2"
    assert [str(r) for r in ws.merged_cells.ranges] == ["A1:C1"]
    assert ws["A2"].value == 1234.5 and ws["A2"].number_format == "#,##0.00" and ws["A2"].border.top.style == "thin"
    assert ws["B2"].value == dt.datetime(2019, 12, 31) and ws["B2"].number_format == "yyyy-mm-dd"
    assert ws["C2"].value == 7
    formula = ws["A3"]
    assert formula.value == "=HYPERLINK(\"x\")" and formula.data_type == "s" and formula.quotePrefix
    assert ws["B3"].value == "控制字符" and ws["C3"].value == "  两行\n文字 "
    assert wb["乙"]["A1"].value == "+1" and wb["乙"]["A1"].data_type == "s"
    assert ws.row_dimensions[1].height == 30
    assert [ws.column_dimensions[c].width for c in "ABC"] == [10, 20, 5]
    assert ws.print_title_rows == "$1:$2" and wb["乙"].print_title_rows is None
    assert [b.id for b in ws.row_breaks.brk] == [3]
    assert ws.page_setup.paperSize == 9 and ws.page_setup.fitToWidth == 1
    assert ws.oddFooter.center.text == "第 &P 页 共 &N 页    打印日期：2020-01-05"


def test_a_failure_leaves_no_file(tmp_path):
    path = tmp_path / "x.xlsx"
    with pytest.raises(RuntimeError), StreamingWorkbook(path) as book:
        sheet = book.add_sheet("a", [8])
        sheet.append([("x", 0)])
        sheet.close()
        raise RuntimeError("stop")
    assert list(tmp_path.iterdir()) == []


def test_an_existing_file_is_replaced_only_when_complete(tmp_path):
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"old")
    book = StreamingWorkbook(path)
    book.add_sheet("a", [8]).close()
    assert path.read_bytes() == b"old"
    book.close()
    assert load_workbook(path).sheetnames == ["a"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.xlsx"]


def test_numbers_are_written_plainly():
    from povmon.xlsxstream import cell_xml

    assert cell_xml("A1", Decimal("1E+3"), 0) == '<c r="A1" s="0"><v>1000</v></c>'
    assert cell_xml("B2", "", 3) == '<c r="B2" s="3"/>'
    assert cell_xml("C3", "a<b&c", 1) == '<c r="C3" s="1" t="inlineStr"><is><t>a&lt;b&amp;c</t></is></c>'
    with pytest.raises(TypeError):
        cell_xml("D4", object(), 0)


def test_charts_validations_frozen_panes_print_areas_and_a_sheets_own_footer_read_back(tmp_path):
    path = tmp_path / "c.xlsx"
    book = StreamingWorkbook(path, print_setup=lambda ws: xlsx.a4(ws, landscape=True), private=False)
    style = book.styles.id(font=xlsx.FONT, border=xlsx.BORDER)
    sheet = book.add_sheet("图表", [12, 10, 10], repeat_rows="1:1", freeze="B2", landscape=False)
    sheet.append([("乡镇", style), ("户数", style), ("是否", style)])
    for n in range(3):
        sheet.append([(f"镇{n}", style), (n * 7, style), ("是", style)])
    chart = BarChart()
    chart.add_data(Reference(range_string="'图表'!$B$1:$B$4"), titles_from_data=True)
    chart.set_categories(Reference(range_string="'图表'!$A$2:$A$4"))
    sheet.add_chart(chart, "E2")
    choice = DataValidation(type="list", formula1='"是,否"', allow_blank=True)
    choice.add("C2:C4")
    sheet.add_validation(choice)
    sheet.merge_range("A5:A6")
    sheet.footer = "某户　第 &P 页 共 2 页"
    sheet.print_area = "A1:C4"
    sheet.close()
    plain = book.add_sheet("二", [10])
    plain.append([("x", style)])
    plain.close()
    book.close()

    wb = load_workbook(path)
    ws = wb["图表"]
    assert ws.freeze_panes == "B2" and ws.print_area == "'图表'!$A$1:$C$4" and ws.print_title_rows == "$1:$1"
    assert ws.page_setup.orientation == "portrait" and ws.oddFooter.center.text == "某户　第 &P 页 共 2 页"
    assert len(ws._charts) == 1 and len(ws._charts[0].series) == 1
    assert [str(dv.sqref) for dv in ws.data_validations.dataValidation] == ["C2:C4"]
    assert "A5:A6" in {str(r) for r in ws.merged_cells.ranges}
    other = wb["二"]  # the workbook's print setup, unchanged
    assert other.page_setup.orientation == "landscape" and other.oddFooter.center.text == "第 &P 页 共 &N 页"
    assert other.freeze_panes is None and not other.print_area
    with zipfile.ZipFile(path) as archive:  # a theme, so applications colour chart series
        assert "xl/theme/theme1.xml" in archive.namelist()
