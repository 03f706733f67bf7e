from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell

from povmon import xlsx


def test_user_text_never_becomes_a_formula(tmp_path):
    wb = Workbook()
    ws = wb.active
    for column, text in enumerate(["=HYPERLINK(\"x\")", "+1", "-2", "@SUM(A1)", "张三"], start=1):
        xlsx.put(ws, 1, column, text)
    path = tmp_path / "guard.xlsx"
    wb.save(path)
    cells = load_workbook(path).active[1]
    assert [c.value for c in cells] == ["=HYPERLINK(\"x\")", "+1", "-2", "@SUM(A1)", "张三"]
    assert all(c.data_type == "s" for c in cells)
    assert [c.quotePrefix for c in cells] == [True, True, True, True, False]


def test_write_only_guard(tmp_path):
    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append([xlsx.guard(WriteOnlyCell(ws), "=1+1")])
    wb.save(tmp_path / "w.xlsx")
    cell = load_workbook(tmp_path / "w.xlsx").active["A1"]
    assert cell.value == "=1+1" and cell.data_type == "s"


def test_sheet_titles_are_valid_and_unique():
    assert xlsx.sheet_title("1411/22[张三]") == "1411_22_张三_"
    assert xlsx.sheet_title("a" * 40, ["a" * 31]) == "a" * 28 + "(2)"
    assert xlsx.display_width("张三ab") == 6
