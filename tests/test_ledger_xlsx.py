"""The printed ledgers, read back with openpyxl: every section's values, print settings, masking, formula guard."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from povmon.reports import ledger as L
from povmon.reports import ledger_xlsx as X

from . import factories as f
from . import ledger_register as reg

D = dt.date
T = dt.datetime
SECTIONS = ("一、明白卡（金额单位：元）", "二、家庭账", "三、识别账", "四、政策账", "五、收入账（元）", "六、帮扶账")


@pytest.fixture
def register(session):
    return reg.build(session)


def write(session, households, day, tmp_path, **kwargs):
    path = tmp_path / "ledger.xlsx"
    count = X.write_workbook(L.ledgers(session, [h.id for h in households], day, **kwargs), path,
                             printed_on=D(2020, 1, 5))
    assert count == len(households)
    return load_workbook(path)


def sections(ws) -> dict[str, list[tuple]]:
    """The non-empty rows under each section title, by title."""
    out: dict[str, list[tuple]] = {}
    current = None
    for row in ws.iter_rows(values_only=True):
        if row and row[0] in SECTIONS:
            current = row[0]
            out[current] = []
        elif current and any(v is not None for v in row):
            out[current].append(row)
    return out


def pairs(rows) -> dict:
    """Label → value of the two-pairs-a-row blocks (label A, value C, label G, value I)."""
    found = {}
    for row in rows:
        if len(row) >= 12 and row[0] is not None and row[2] is not None:
            found[row[0]] = row[2]
            if row[6] is not None:
                found[row[6]] = row[8]
    return found


def after(rows, first_cell):
    """The rows after the one whose first cell is `first_cell`, up to the next sub-heading or table header."""
    start = next(i for i, row in enumerate(rows) if row[0] == first_cell)
    out = []
    for row in rows[start + 1:]:
        if row[0] in ("日期", "项目", "帮扶责任人", "姓名") or (row[0] and all(v is None for v in row[1:])
                                                         and row[0] not in ("无",)):
            break
        out.append(row)
    return out


def test_every_section_of_a_household_with_a_death_a_replaced_pairing_an_exit_and_a_return(
    session, register, tmp_path
):
    wb = write(session, [register["a"]], D(2019, 12, 31), tmp_path)
    assert wb.sheetnames == [f"{reg.A_CODE} 张建国"]
    ws = wb.active
    assert ws["A1"].value == "张建国户 帮扶“五本账”"
    assert ws["A2"].value == f"交城县西营镇东营村（一组）　户编号：{reg.A_CODE}　户主：张建国　截至 2019-12-31"
    s = sections(ws)
    assert list(s) == list(SECTIONS)

    card = pairs(s["一、明白卡（金额单位：元）"])
    assert card["所在村"] == "交城县西营镇东营村（一组）" and card["户编号"] == reg.A_CODE
    assert card["户主"] == "张建国" and card["联系电话"] == "138****1234"
    assert card["贫困户属性"] == "低保贫困户" and card["脱贫状态"] == "返贫（2018-06-30起）"
    assert card["监测对象"] == "否" and card["在册人口（人）"] == 5
    assert card["2018年人均纯收入"] == pytest.approx(3900.13)
    assert card["2018年贫困线"] == pytest.approx(2995.00)
    assert card["2018年监测线\n按贫困线1.5倍推算"] == pytest.approx(4492.50)
    assert card["对比"] == "高于贫困线、低于监测线"
    assert card["帮扶责任人"] == "赵六（交城县教育局 副局长） 电话 136****5432"
    assert card["第一书记"] == "王书记（吕梁市财政局） 电话 139****1111"

    family = s["二、家庭账"]
    facts = pairs(family)
    assert facts["住房安全"] == "B级（安全）" and facts["安全饮水"] == "是" and facts["两不愁（吃穿）"] == "是"
    assert facts["耕地（亩）"] == pytest.approx(5.5) and facts["林地（亩）"] == pytest.approx(2.0)
    members = after(family, "姓名")
    assert [(r[0], r[3], r[4], r[11]) for r in members] == [
        ("张建国", "户主", "男/69", "在册"), ("张伟", "之子", "男/41", "在册"), ("+王芳", "之儿媳", "女/39", "在册"),
        ("张小明", "之孙子", "男/9", "在册"), ("张小丽", "之孙女", "女/0", "新增\n2019-03-01"),
        ("李秀英", "配偶", "女/65", "死亡\n2018-05-03"),
    ]
    head = members[0]
    assert head[1].startswith("142323") and head[1][6:14] == "********"
    # 劳动技能 and 务工状况 share two columns in short print labels
    assert head[5:11] == ("小学", "非在校生", "长期慢性病", "弱/半劳动力\n未务工", None, "医保、养老、低保")

    ident = s["三、识别账"]
    facts = pairs(ident)
    assert facts["识别标准"] == "国家标准" and facts["主要致贫原因"] == "因病"
    assert facts["其他致贫原因"] == "缺技术、缺资金"
    events = after(ident, "日期")
    assert [(r[0], r[1], r[2], r[3], r[10]) for r in events] == [
        ("2014年", "识别纳入", "国家标准", "因病", "农户申请，村民代表评议通过"),
        (T(2017, 12, 31), "脱贫退出", None, None, "人均纯收入稳定超过贫困线，三保障达标"),
        (T(2018, 6, 30), "返贫", None, None, "因病返贫"),
    ]
    checklist = after(ident, "项目")
    assert [(r[0], r[4]) for r in checklist] == [
        ("一达标：人均纯收入高于贫困线", "达标"), ("两不愁：不愁吃、不愁穿", "达标"), ("义务教育有保障", "达标"),
        ("基本医疗有保障", "达标"), ("住房安全有保障", "达标"), ("饮水安全", "达标")]
    assert checklist[0][6] == "2018年人均纯收入 3900.13 元，标准线 2995.00 元"

    policy = after(s["四、政策账"], "日期")
    assert [(r[0], r[1], r[4], r[6], r[7]) for r in policy] == [
        (T(2017, 9, 1), "雨露计划", "教育", "张小明", 3000),
        ("2017年小计", None, None, None, 3000),
        (T(2018, 3, 31), "低保金", "社会保障", "全户", 1200),  # in date order within the year
        (T(2018, 7, 15), "医疗救助", "健康", "李秀英", 8650.75),
        (T(2018, 9, 30), "低保金", "社会保障", "全户", 1200),
        ("2018年小计", None, None, None, 11050.75),
        (T(2019, 12, 20), "资产收益分红", "资产收益", "全户", 1000),
        ("2019年小计", None, None, None, 1000),
        ("合计", None, None, None, 15050.75),
    ]

    # three years share the eight columns right of the labels: labels 3 columns, each year 3, none left empty
    income_rows = after(s["五、收入账（元）"], "项目")
    income = {r[0]: r[3:12:3] for r in income_rows}
    assert all(len(r) == 12 for r in income_rows)
    assert income["工资性收入"] == (20000, 8000, 18000)
    assert income["生产经营性支出"] == (1000, 500, 0)
    assert income["家庭纯收入"] == (27400, 15600.5, 21600)
    assert income["计算人口（人，年末在册）"] == (5, 4, 5)
    assert income["人均纯收入"] == (5480, pytest.approx(3900.13), 4320)
    assert income["当年贫困线"] == (2952, 2995, 3218)
    assert income["当年监测线"] == (4428, 4492.5, 4827)
    assert income["对比"] == ("高于监测线", "高于贫困线、低于监测线", "高于贫困线、低于监测线")
    notes = [r[0] for r in s["五、收入账（元）"] if str(r[0]).startswith("注")]
    assert any("1.5倍推算" in n and "2017、2018、2019年" in n for n in notes)

    help_rows = s["六、帮扶账"]
    pairings = after(help_rows, "帮扶责任人")
    assert [(r[0], r[1], r[4], r[6], r[8], r[10]) for r in pairings] == [
        ("李四", "交城县国土资源局 科员", "135****5678", T(2016, 3, 1), T(2019, 1, 1), "已调整：工作调动"),
        ("赵六", "交城县教育局 副局长", "136****5432", T(2019, 1, 1), None, "在帮"),
    ]
    measure_start = next(i for i, r in enumerate(help_rows) if r[0] == "帮扶措施")
    measures = after(help_rows[measure_start:], "日期")
    assert [(r[0], r[1], r[2], r[8], r[10]) for r in measures] == [
        (T(2018, 4, 10), "产业", "发放白皮松苗木200株，指导栽植", 2000, "李四"),
        (T(2019, 5, 1), "就业", "推荐张伟到县城建筑公司务工", None, "赵六"),
    ]
    visit_start = next(i for i, r in enumerate(help_rows) if r[0] == "走访记录")
    visits = [r for r in after(help_rows[visit_start:], "日期") if isinstance(r[0], dt.datetime)]
    assert [(r[0], r[1], r[2], r[6], r[10]) for r in visits] == [
        (T(2018, 8, 1), "李四", "宣讲健康扶贫政策，协助办理医疗救助", "妻子去世后情绪低落", "已解决"),
        (T(2019, 2, 15), "赵六", "=1+1 核实收入，宣讲低保政策", "房屋漏雨", "未解决"),
        (T(2019, 6, 20), "赵六", "回访房屋维修情况", "无", None),
    ]
    signatures = [r for r in help_rows if r[0] == "户主（签字）："]
    assert signatures and signatures[0][6] == "帮扶责任人（签字）："
    assert any(r[6] == "日期：" for r in help_rows)


def test_empty_sections_say_none(session, register, tmp_path):
    ws = write(session, [register["b"]], D(2019, 12, 31), tmp_path).active
    s = sections(ws)
    assert list(s) == list(SECTIONS)
    assert pairs(s["一、明白卡（金额单位：元）"])["2018年人均纯收入"] == "未录入"
    assert pairs(s["一、明白卡（金额单位：元）"])["对比"] == "2018年收入未录入，此前也无收入记录"
    ident = s["三、识别账"]
    assert after(ident, "日期")[0][0] == "无"
    assert [r[0] for r in after(s["四、政策账"], "日期")] == ["无"]
    assert [r[0] for r in after(s["五、收入账（元）"], "项目")] == ["无"]
    help_rows = s["六、帮扶账"]
    for heading in ("帮扶措施", "走访记录"):
        start = next(i for i, r in enumerate(help_rows) if r[0] == heading)
        assert after(help_rows[start:], "日期")[0][0] == "无"


def test_print_settings_and_house_style(session, register, tmp_path):
    ws = write(session, [register["a"]], D(2019, 12, 31), tmp_path).active
    setup = ws.page_setup
    assert (setup.paperSize, setup.orientation, setup.fitToWidth, setup.fitToHeight) == (9, "portrait", 1, 0)
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert ws.print_title_rows == "$1:$2"
    # each household's pages are numbered on their own, and every footer says whose they are
    breaks = len(ws.row_breaks.brk)
    assert ws.oddFooter.center.text == (f"户编号 {reg.A_CODE}　户主 张建国　第 &P 页 共 {breaks + 1} 页"
                                        "    打印日期：2020-01-05")
    assert setup.firstPageNumber == 1 and setup.useFirstPageNumber is True
    assert "A1:L1" in {str(r) for r in ws.merged_cells.ranges}
    assert [ws.column_dimensions[c].width for c in "ABCDEFGHIJKL"] == list(X.GRID)
    assert ws["A1"].font.name == "宋体" and ws["A1"].font.size == 16 and ws["A1"].font.bold
    cells = [c for row in ws.iter_rows(min_row=3) for c in row if c.value is not None]
    assert {c.font.name for c in cells} == {"宋体"}
    assert min(c.font.size for c in cells) >= 9
    money = [c for c in cells if c.value == 8650.75]
    assert money and all(c.number_format == "#,##0.00" and c.border.left.style == "thin" for c in money)
    dates = [c for c in cells if isinstance(c.value, dt.datetime)]
    assert dates and all(c.number_format == "yyyy-mm-dd" for c in dates)
    # a merged range's covered cells carry the frame too (Excel draws borders cell by cell)
    assert ws["D5"].border.top.style == "thin" and ws["F5"].border.right.style == "thin"
    heights = [ws.row_dimensions[r].height for r in range(1, ws.max_row + 1)]
    assert all(h for h in heights)
    two_lines = next(c for c in cells if c.value == "死亡\n2018-05-03")
    assert ws.row_dimensions[two_lines.row].height >= 2 * 14


def test_ids_and_phones_masked_unless_asked(session, register, tmp_path):
    masked = write(session, [register["a"]], D(2019, 12, 31), tmp_path).active
    texts = [str(c.value) for row in masked.iter_rows() for c in row if c.value is not None]
    numbers = [m.id_number for m in register["a"].members] + [register["a"].phone, register["zhao"].phone]
    assert not any(n in t for n in numbers for t in texts)
    shown = write(session, [register["a"]], D(2019, 12, 31), tmp_path, show_ids=True).active
    texts = " ".join(str(c.value) for row in shown.iter_rows() for c in row if c.value is not None)
    assert all(n in texts for n in numbers)


def test_user_text_never_becomes_a_formula(session, register, tmp_path):
    ws = write(session, [register["a"]], D(2019, 12, 31), tmp_path).active
    cells = {c.value: c for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    for text in ("=HYPERLINK(\"http://x\",\"点我\")", "=1+1 核实收入，宣讲低保政策", "+王芳"):
        assert cells[text].data_type == "s" and cells[text].quotePrefix, text
    assert not cells["张建国"].quotePrefix


def test_many_households_get_unique_sheet_names(session, register, tmp_path):
    long_code = "1411221040010001234567890123456"  # 31 characters: the names collide
    first = f.household(session, long_code + "1", members=[{"name": "欧阳长名字", "relation": "head"}])
    second = f.household(session, long_code + "2", members=[{"name": "欧阳长名字", "relation": "head"}])
    wb = write(session, [register["a"], register["b"], register["c"], first, second], D(2019, 12, 31), tmp_path)
    assert len(set(wb.sheetnames)) == 5 and all(len(n) <= 31 for n in wb.sheetnames)
    assert wb.sheetnames[3] == long_code and wb.sheetnames[4] == long_code[:28] + "(2)"
    assert [ws["A1"].value for ws in wb.worksheets[:3]] == ["张建国户 帮扶“五本账”", "刘大山户 帮扶“五本账”",
                                                          "丁红梅户 帮扶“五本账”"]


def test_many_income_years_and_carried_lines(session, register, tmp_path):
    house = register["c"]
    for year in (2019, 2020, 2021, 2022):
        f.income(session, house, year, wage=10000)
    f.income(session, house, 2023, 1, wage=800)
    ws = write(session, [house], D(2023, 3, 31), tmp_path).active
    rows = sections(ws)["五、收入账（元）"]
    headers = [r for r in rows if r[0] == "项目"]
    assert headers[0][4:12:2] == ("2018年", "2019年", "2020年", "2021年")
    # the last block's two years take four columns each: no empty bordered column is left
    assert [v for v in headers[1] if v is not None] == ["项目", "2022年", "2023年\n（截至3月31日）"]
    assert (headers[1][4], headers[1][8]) == ("2022年", "2023年\n（截至3月31日）")
    notes = " ".join(r[0] for r in rows if str(r[0]).startswith("注"))
    assert "2022年沿用2020年贫困线" in notes and "2022年沿用2021年监测线" in notes
    assert "2018、2019、2020年尚无防返贫监测线" in notes


def test_split_writes_one_file_per_household(session, register, tmp_path):
    ids = [register["a"].id, register["c"].id]
    paths = X.write_split(L.ledgers(session, ids, D(2019, 12, 31)), tmp_path / "out")
    assert [p.name for p in paths] == [f"{reg.A_CODE}_张建国.xlsx", f"{reg.C_CODE}_丁红梅.xlsx"]
    assert [load_workbook(p).sheetnames for p in paths] == [[f"{reg.A_CODE} 张建国"], [f"{reg.C_CODE} 丁红梅"]]


def test_nothing_to_write_leaves_no_file(tmp_path):
    assert X.write_workbook([], tmp_path / "none.xlsx") == 0
    assert list(tmp_path.iterdir()) == []


def test_money_stays_exact(session, register, tmp_path):
    house = register["b"]
    f.benefit(session, house, "护林员工资", D(2019, 3, 1), Decimal("0.10"), category="employment")
    f.benefit(session, house, "护林员工资", D(2019, 4, 1), Decimal("0.20"), category="employment")
    ws = write(session, [house], D(2019, 12, 31), tmp_path).active
    total = next(r for r in ws.iter_rows(values_only=True) if r[0] == "合计")
    assert Decimal(str(total[7])) == Decimal("0.30")


def test_pages_break_before_headings_and_long_tables_repeat_their_header(session, register, tmp_path):
    house = register["a"]
    for day in range(1, 29):  # a long visit log: its table runs over a page by itself
        f.visit(session, register["zhao"], house, D(2019, 10, day), f"第{day}次走访，了解家庭收入和务工情况",
                "房屋漏雨" if day % 2 else None)
    ws = write(session, [house], D(2019, 12, 31), tmp_path).active
    breaks = [b.id for b in ws.row_breaks.brk]
    assert len(breaks) >= 3
    starts = {"二、家庭账", "三、识别账", "四、政策账", "五、收入账（元）", "六、帮扶账", "家庭成员", "状态变化记录",
              "帮扶措施", "走访记录", "户主（签字）："}
    repeated = 0
    for row in breaks:
        first = [ws.cell(row + 1, c).value for c in range(1, 13)]
        if first[:3] == ["日期", "走访人", "帮扶内容"]:  # the visit table's header again
            repeated += 1
            assert isinstance(ws.cell(row + 2, 1).value, dt.datetime)
        else:
            assert first[0] in starts or str(first[0]).startswith("退出标准核查"), (row, first)
    assert repeated >= 1
    # every page holds no more rows than fit under the repeated title rows
    edges = [2, *breaks, ws.max_row]
    for top, bottom in itertools.pairwise(edges):
        assert sum(ws.row_dimensions[r].height for r in range(top + 1, bottom + 1)) <= X.PAGE_BODY + 0.01


def test_every_household_numbers_its_own_pages_and_its_footer_names_it(session, register, tmp_path):
    house = register["a"]
    for day in range(1, 29):  # a long visit log: this household gets more pages than the other
        f.visit(session, register["zhao"], house, D(2019, 10, day), f"第{day}次走访，了解家庭收入和务工情况", None)
    wb = write(session, [register["a"], register["b"]], D(2019, 12, 31), tmp_path)
    counts = []
    for ws in wb.worksheets:
        code, head = ws.title.split(" ", 1)
        pages = len(ws.row_breaks.brk) + 1
        counts.append(pages)
        assert ws.oddFooter.center.text.startswith(f"户编号 {code}　户主 {head}　第 &P 页 共 {pages} 页")
        assert ws.page_setup.firstPageNumber == 1 and ws.page_setup.useFirstPageNumber
        # every page ends at a break of ours, so the count in the footer is the count printed
        edges = [2, *(b.id for b in ws.row_breaks.brk), ws.max_row]
        for top, bottom in itertools.pairwise(edges):
            assert sum(ws.row_dimensions[r].height for r in range(top + 1, bottom + 1)) <= X.PAGE_BODY + 0.01
    assert counts[0] > counts[1] >= 1


def test_the_card_names_the_last_recorded_income_year_when_the_last_full_year_has_none(session, register, tmp_path):
    ws = write(session, [register["a"]], D(2021, 6, 30), tmp_path).active  # 2020 has no income recorded
    card = pairs(sections(ws)["一、明白卡（金额单位：元）"])
    assert card["2020年人均纯收入"] == "未录入"
    assert card["对比"] == "2020年收入未录入；最近录入为2019年，人均纯收入 4,320.00 元"


def test_a_household_whose_head_has_left(session, register, tmp_path):
    house = f.household(session, "H-NOHEAD", members=[
        {"name": "独居者", "relation": "head", "left_on": D(2019, 5, 1), "left_reason": "deceased"}])
    wb = write(session, [house], D(2019, 12, 31), tmp_path)
    ws = wb.active
    assert wb.sheetnames == ["H-NOHEAD"] and ws["A1"].value == "户编号 H-NOHEAD 帮扶“五本账”"
    assert pairs(sections(ws)["一、明白卡（金额单位：元）"])["户主"] == "无在册户主"
    assert pairs(sections(ws)["二、家庭账"])["在册人口（人）"] == 0


def test_sheet_names_differing_only_in_case_are_made_unique(session, tmp_path):
    lower = f.household(session, "abc", members=[{"name": "甲", "relation": "head"}])
    upper = f.household(session, "ABC", members=[{"name": "甲", "relation": "head"}])
    wb = write(session, [lower, upper], D(2019, 12, 31), tmp_path)
    assert wb.sheetnames == ["abc 甲", "ABC 甲(2)"]


def test_the_visit_form_preprints_each_field_beside_a_blank_column_and_ends_with_signatures(session, register,
                                                                                           tmp_path):
    from povmon.reports import form_xlsx

    path = tmp_path / "form.xlsx"
    ledgers = L.ledgers(session, [register["a"].id], D(2019, 12, 31))
    assert X.write_workbook(ledgers, path, printed_on=D(2020, 1, 5), layout=form_xlsx.write_form) == 1
    ws = load_workbook(path).active
    assert ws["A1"].value == "张建国户 2019年入户核实表"
    rows = [tuple(c.value for c in row) for row in ws.iter_rows()]
    header = next(r for r in rows if r[0] == "项目")
    assert (header[3], header[8]) == ("现登记情况", form_xlsx.CHECK)
    fields = {r[0]: r for r in rows if r[0] in ("户主", "联系电话", "住房安全", "工资性收入")}
    assert fields["户主"][3] == "张建国" and fields["联系电话"][3] == "138****1234"  # masked, as on the ledger
    assert fields["住房安全"][3] == "B级（安全）" and fields["工资性收入"][3] == 8000  # 2018, the last full year
    assert all(r[8] is None for r in fields.values())  # the correction column is left blank
    assert ws.cell(next(i for i, r in enumerate(rows, 1) if r[0] == "户主"), 9).border.left.style == "thin"
    members = [r for r in rows if r[0] == "现登记"]
    assert [r[1] for r in members] == ["张建国", "张伟", "+王芳", "张小明", "张小丽"]  # those present
    assert sum(r[0] == "核实" for r in rows) == len(members) and sum(r[0] == "新增" for r in rows) == 2
    assert any(r[0] == "户主（签字或按手印）：" and r[6] == "帮扶责任人（签字）：" for r in rows)
    assert any(r[6] == "核实日期：" for r in rows)
    pages = len(ws.row_breaks.brk) + 1
    assert ws.oddFooter.center.text.startswith(f"户编号 {reg.A_CODE}　户主 张建国　第 &P 页 共 {pages} 页")
