import datetime as dt
from decimal import Decimal

import pytest
from openpyxl import load_workbook

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
