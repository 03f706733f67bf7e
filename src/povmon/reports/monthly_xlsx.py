"""The monthly summary as a workbook (``povmon report monthly -o OUT.xlsx``), in the house style.

Sheets: 汇总 (every area, county → townships → villages indented, all figures), 变动, 低于标准线, 未结对,
走访 (per township and village, then the cadres and households behind 60 days without a visit), 政策资金,
数据质量, 图表 (one chart per measure, with data labels), and 结账核对 when the month has been closed. Every
sheet prints on A4, fits the width, repeats its header, freezes it on screen, has a print area and ends with the
lines an office signs (制表人, 审核人, 负责人, 单位（盖章）, 制表日期).

The workbook is streamed through ``povmon.xlsxstream``: a county of a million people lists tens of thousands of
rows, and writing their XML directly (no openpyxl cell objects) keeps the workbook within 1.5× the time of the
JSON. Text that came from users is always an inline string, never a formula.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from openpyxl.chart import BarChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname

from povmon import xlsx
from povmon.reports.close import Comparison, when
from povmon.reports.monthly import Details, MonthlyReport
from povmon.rules.money import yuan
from povmon.rules.vocab import POLICY_CATEGORY
from povmon.xlsxstream import StreamingWorkbook

COUNTY_FILL = PatternFill("solid", fgColor="FCE4D6")
TOWNSHIP_FILL = PatternFill("solid", fgColor="F2F2F2")
PCT_FORMAT = "0.00"
INT_FORMAT = "#,##0"

# 汇总: (JSON field, group header, column header); a None group spans both header rows
SUMMARY_COLUMNS: list[tuple[str, str | None, str]] = [
    ("households", "在册", "户数"), ("people", "在册", "人数"),
    ("registered_households", "建档立卡", "户数"), ("registered_people", "建档立卡", "人数"),
    ("poor_households", "未脱贫（含返贫）", "户数"), ("poor_people", "未脱贫（含返贫）", "人数"),
    ("exited_households", "已脱贫", "户数"), ("exited_people", "已脱贫", "人数"),
    ("monitored_households", "监测对象（风险未消除）", "户数"), ("monitored_people", "监测对象（风险未消除）", "人数"),
    ("incidence_pct", None, "贫困发生率（%）"),
    ("below_line_households", None, "上年人均纯收入低于贫困线户数"),
    ("paired_households", "结对帮扶", "已结对户"), ("unpaired_households", "结对帮扶", "未结对户"),
    ("cadres", "结对帮扶", "帮扶干部（人）"),
    ("visited_households", None, "本月走访户数"),
    ("benefits_yuan", None, "本月政策资金（元）"),
    ("identified", "本月变动（事件数）", "识别纳入"), ("exited", "本月变动（事件数）", "脱贫退出"),
    ("returned", "本月变动（事件数）", "返贫"), ("monitoring_added", "本月变动（事件数）", "纳入监测"),
    ("risk_eliminated", "本月变动（事件数）", "风险消除"),
    ("work_teams", "驻村帮扶（在岗）", "工作队（个）"), ("first_secretaries", "驻村帮扶（在岗）", "第一书记（人）"),
    ("leads_new", "风险线索（动态监测）", "本月新增"), ("leads_open", "风险线索（动态监测）", "未决"),
    ("leads_decided", "风险线索（动态监测）", "本月决定"), ("leads_overdue", "风险线索（动态监测）", "逾期未决"),
]
SUMMARY_FIRST_ROW = 5  # the county's row on 汇总 (title, subtitle, two header rows above it)
MAX_CHANGES = 50_000  # 结账核对 lists at most this many records one by one (the summary counts them all)
SHEETS = ("汇总", "变动", "低于标准线", "未结对", "走访", "政策资金", "数据质量", "图表")


SIGNATURES = ("制表人：", "审核人：", "负责人：", "单位（盖章）：", "制表日期：")
SIGN_BLANK = "__________"


class _Sheet:
    """A streamed sheet in the house style: rows are appended top to bottom, each cell a (value, style id)."""

    def __init__(self, book: StreamingWorkbook, title: str, widths: Sequence[float], *, heading: str,
                 landscape: bool = True, freeze: str | None = None, repeat_rows: str | None = None):
        self.sheet = book.add_sheet(title, list(widths), repeat_rows=repeat_rows, freeze=freeze, landscape=landscape)
        self.styles = book.styles
        self.title_text = title
        self.columns = len(widths)
        self._aligns: dict[tuple, Alignment] = {}
        self._ids: dict[tuple, int] = {}
        self.sheet.footer = f"{heading}　{title}　第 &P 页 共 &N 页    打印日期：{book.printed.isoformat()}"

    @property
    def row(self) -> int:
        return self.sheet.row

    def align(self, horizontal: str = "left", indent: int = 0, wrap: bool = True) -> Alignment:
        """A cached alignment."""
        key = (horizontal, indent, wrap)
        if key not in self._aligns:
            self._aligns[key] = Alignment(horizontal=horizontal, vertical="center", wrap_text=wrap, indent=indent)
        return self._aligns[key]

    def cell(self, value, *, font: Font = xlsx.FONT, fmt: str | None = None, fill: PatternFill | None = None,
             border: bool = True, align: Alignment | None = None) -> tuple[object, int]:
        """A styled cell: (value, style id); text that looks like a formula keeps Excel's quote prefix."""
        if fmt is None:
            if isinstance(value, Decimal):
                fmt = xlsx.MONEY_FORMAT
            elif isinstance(value, dt.date):
                fmt = xlsx.DATE_FORMAT
        if align is None:
            numeric = isinstance(value, (int, Decimal)) and not isinstance(value, bool)
            align = self.align("right", wrap=False) if numeric else self.align()
        quote = isinstance(value, str) and xlsx.is_formula_like(value)
        key = (id(font), fmt, id(fill), border, id(align), quote)
        style = self._ids.get(key)
        if style is None:
            style = self._ids[key] = self.styles.id(font=font, border=xlsx.BORDER if border else None, fill=fill,
                                                    align=align, number_format=fmt, quote_prefix=quote)
        return value, style

    def append(self, cells: list, height: float | None = None) -> int:
        """Write the next row; returns its number."""
        return self.sheet.append(cells, height)

    def merge(self, ref: str) -> None:
        self.sheet.merge_range(ref)

    def merged(self, text: str, *, font: Font, height: float, align: Alignment, border: bool = False) -> None:
        """One text across the sheet's columns."""
        cells = [self.cell(text, font=font, border=border, align=align)]
        cells += [self.cell(None, border=border) for _ in range(self.columns - 1)]
        row = self.append(cells, height)
        if self.columns > 1:
            self.merge(f"A{row}:{get_column_letter(self.columns)}{row}")

    def title(self, text: str) -> None:
        """The sheet's title row."""
        self.merged(text, font=xlsx.FONT_TITLE, height=28, align=self.align("center", wrap=False))

    def note(self, text: str, lines: int = 1) -> None:
        """A small-print line under the title or the table."""
        self.merged(text, font=xlsx.FONT_SMALL, height=14 * lines + 2, align=self.align())

    def header(self, labels: Sequence[str], height: float = 30) -> None:
        """A bold, shaded header row."""
        center = self.align("center")
        self.append([self.cell(label, font=xlsx.FONT_BOLD, fill=xlsx.HEADER_FILL, align=center) for label in labels],
                    height)

    def none(self, text: str) -> None:
        """What an empty table says (本月无变动), in a framed row under its header."""
        self.merged(text, font=xlsx.FONT, height=22, align=self.align("center", wrap=False), border=True)

    def data(self, values: Sequence, *, font: Font = xlsx.FONT, fill: PatternFill | None = None,
             formats: dict[int, str] | None = None, indent: int = 0) -> None:
        """A data row in the house style."""
        cells = []
        for index, value in enumerate(values):
            fmt = formats.get(index) if formats else None
            align = self.align("left", indent=indent) if index == 0 and indent else None
            cells.append(self.cell(value, font=font, fill=fill, fmt=fmt, align=align))
        self.append(cells)

    def blank(self) -> None:
        """An empty row."""
        self.append([])

    def close(self, last_column: int | None = None) -> None:
        """The signature lines an auditor signs, the print area, and the sheet into the file."""
        self.blank()
        names, date = SIGNATURES[:3], SIGNATURES[3:]
        self.merged("　　".join(f"{label}{SIGN_BLANK}" for label in names), font=xlsx.FONT, height=30,
                    align=self.align("left", wrap=False))
        self.merged(f"{date[0]}{SIGN_BLANK}　　{date[1]}　　　　年　　月　　日", font=xlsx.FONT, height=30,
                    align=self.align("left", wrap=False))
        self.sheet.print_area = f"A1:{get_column_letter(last_column or self.columns)}{self.row}"
        self.sheet.close()


def write(report: MonthlyReport, details: Details, path: str | Path, *, comparison: Comparison | None = None,
          printed: dt.date | None = None) -> Path:
    """Write the monthly workbook; returns its path."""
    printed = printed or dt.date.today()
    target = Path(path)
    book = StreamingWorkbook(target, print_setup=lambda ws: xlsx.a4(ws, landscape=True, footer_date=printed),
                             private=True)
    book.printed = printed
    try:
        scope = report.areas[0].name if report.areas else "全县"
        y, m = report.as_of.year, report.as_of.month
        heading = f"{scope}{y}年{m}月"
        _summary(book, report, heading)
        _changes(book, report, details, heading)
        _below_line(book, report, details, heading)
        _unpaired(book, report, details, heading)
        _visits(book, report, details, heading)
        _benefits(book, report, details, heading)
        _quality(book, report, details, heading)
        _charts(book, report, heading)
        if comparison is not None:
            _comparison(book, report, comparison, heading)
    except BaseException:
        book.discard()
        raise
    book.close()
    return target


def _summary(book: StreamingWorkbook, report: MonthlyReport, heading: str) -> None:
    widths = [22, 14] + [7.5] * 10 + [9, 11, 8, 8, 8, 8, 12] + [7] * 5
    widths += [8] * (2 + len(SUMMARY_COLUMNS) - len(widths))  # the columns added after the events (work teams, …)
    header_top = SUMMARY_FIRST_ROW - 2
    s = _Sheet(book, "汇总", widths, heading=heading, freeze=f"C{SUMMARY_FIRST_ROW}",
               repeat_rows=f"{header_top}:{header_top + 1}")
    s.title(f"{heading}贫困人口动态监测汇总表")
    line = report.line
    line_text = f"{report.month.income_year}年贫困线 {yuan(line.yuan)} 元" if line else \
        f"缺少{report.month.income_year}年贫困线"
    s.note(f"统计截至 {report.as_of.isoformat()}（{report.month.label} 月末）；收入年度 {report.month.income_year}，"
           f"{line_text}；单位：户、人、元")
    # two header rows: groups over their columns, single headers spanning both rows
    bold, center = xlsx.FONT_BOLD, s.align("center")
    labels = ["区划", "区划代码", *(group or label for _, group, label in SUMMARY_COLUMNS)]
    second = ["", "", *("" if group is None else label for _, group, label in SUMMARY_COLUMNS)]
    top = s.append([s.cell(v, font=bold, fill=xlsx.HEADER_FILL, align=center) for v in labels], 32)
    s.append([s.cell(v, font=bold, fill=xlsx.HEADER_FILL, align=center) for v in second], 46)
    column = 1
    groups = [(None, "区划"), (None, "区划代码"), *((group, label) for _, group, label in SUMMARY_COLUMNS)]
    while column <= len(groups):
        group = groups[column - 1][0]
        if group is None:
            s.merge(f"{get_column_letter(column)}{top}:{get_column_letter(column)}{top + 1}")
            column += 1
            continue
        end = column
        while end < len(groups) and groups[end][0] == group:
            end += 1
        s.merge(f"{get_column_letter(column)}{top}:{get_column_letter(end)}{top}")
        column = end + 1
    assert top == header_top, "the frozen header rows must be the header rows"

    formats = {2 + i: (PCT_FORMAT if f == "incidence_pct" else xlsx.MONEY_FORMAT if f == "benefits_yuan" else
                       INT_FORMAT) for i, (f, _, _) in enumerate(SUMMARY_COLUMNS)}
    for area in report.areas:
        values = [area.name, area.code or ""] + [_figure(area, f) for f, _, _ in SUMMARY_COLUMNS]
        if area.level == "county":
            s.data(values, font=bold, fill=COUNTY_FILL, formats=formats)
        elif area.level == "township":
            s.data(values, font=bold, fill=TOWNSHIP_FILL, formats=formats, indent=area.depth)
        else:
            s.data(values, formats=formats, indent=area.depth * 2)
    s.blank()
    year = report.month.income_year
    notes = [
        "说明：1. 在册户数指月末至少有1名在册成员的户，人数为月末在册成员；"
        "状态按识别账截至月末最后一次有效事件（已更正作废的不计）。",
        f"2. {REGISTERED_NOTE}监测对象只计风险未消除的；贫困发生率 = 未脱贫（含返贫）人数 ÷ 在册人数 × 100。",
        f"3. 低于贫困线：建档立卡户或监测户{year}年人均纯收入（按当年12月31日在册人数）低于当年贫困线；"
        "未录入收入的户不计入，见“数据质量”。",
        "4. 结对按月末有效结对计；帮扶干部按人去重，同一干部结对多村时，上级数小于下级之和。"
        "走访、政策资金、变动按本月内日期计。",
    ]
    for text in notes:
        s.note(text, lines=1)
    s.close()


# 建档立卡 in one sentence that counts every household once
REGISTERED_NOTE = "建档立卡 = 未脱贫（含返贫）+ 已脱贫，返贫户只计入未脱贫；"


def _figure(area, field: str):
    if field == "incidence_pct":
        return area.incidence
    if field == "benefits_yuan":
        return area.benefits
    return getattr(area, field)


def _place_cells(p) -> list:
    return [p.township, p.village, p.code, p.head or "（无在册户主）"]


def _list_sheet(book, name, title, note, labels, widths, heading, freeze: str = "A4") -> _Sheet:
    s = _Sheet(book, name, widths, heading=heading, freeze=freeze, repeat_rows="3:3")
    s.title(title)
    s.note(note)
    s.header(labels)
    return s


def _changes(book, report: MonthlyReport, details: Details, heading: str) -> None:
    s = _list_sheet(
        book, "变动", f"{heading}变动情况",
        f"{report.month.first.isoformat()} 至 {report.as_of.isoformat()} 的识别账事件（已更正作废的不列）和成员增减，"
        f"共 {len(details.changes)} 条",
        ["序号", "乡镇", "村", "户编号", "户主", "类别", "变动", "日期", "说明"],
        [6, 12, 12, 20, 10, 10, 12, 12, 40], heading)
    if not details.changes:
        s.none("本月无变动")
    for n, c in enumerate(details.changes, start=1):
        s.data([n, *_place_cells(c.place), c.category, c.kind, c.day, c.detail])
    s.close()


def _below_line(book, report: MonthlyReport, details: Details, heading: str) -> None:
    year = report.month.income_year
    line = yuan(report.line.yuan) if report.line else "—"
    s = _list_sheet(
        book, "低于标准线", f"{heading}人均纯收入低于贫困线的户",
        f"建档立卡户和监测户中，{year}年人均纯收入低于{year}年贫困线 {line} 元的，共 {len(details.below_line)} 户",
        ["序号", "乡镇", "村", "户编号", "户主", "脱贫状态", "监测对象", f"{year}年纯收入", "年末在册人数",
         "人均纯收入", "贫困线", "差额"],
        [6, 12, 12, 20, 10, 10, 9, 13, 9, 12, 11, 11], heading)
    if not details.below_line:
        s.none(f"没有{year}年人均纯收入低于贫困线的户")
    for n, r in enumerate(details.below_line, start=1):
        s.data([n, *_place_cells(r.place), r.status, "是" if r.monitored else "", r.income.net, r.income.members,
                r.income.per_capita, r.line, r.gap])
    s.close()


def _unpaired(book, report: MonthlyReport, details: Details, heading: str) -> None:
    s = _list_sheet(
        book, "未结对", f"{heading}未结对的建档立卡户和监测户",
        f"{report.as_of.isoformat()} 没有有效结对的建档立卡户和监测户，共 {len(details.unpaired)} 户",
        ["序号", "乡镇", "村", "户编号", "户主", "脱贫状态", "监测对象", "上次结对结束日期"],
        [6, 14, 14, 22, 12, 12, 10, 18], heading)
    if not details.unpaired:
        s.none("所有建档立卡户和监测户都已结对")
    for n, r in enumerate(details.unpaired, start=1):
        s.data([n, *_place_cells(r.place), r.status, "是" if r.monitored else "", r.last_pairing_end or "从未结对"])
    s.close()


VISIT_AREA_HEADER = ["区划", "已结对户", "本月走访户数", "走访户占已结对户（%）", "60天未走访的结对户",
                     "有60天未走访结对户的干部"]
VISIT_CADRE_HEADER = ["单位", "帮扶干部", "角色", "结对户数", "60天未走访的结对户", "最近走访日期"]
VISIT_HOUSEHOLD_HEADER = ["户编号", "户主", "乡镇", "村", "帮扶干部", "最近走访日期"]


def _visits(book, report: MonthlyReport, details: Details, heading: str) -> None:
    """Per township and village first; then only the cadres, and the households, 60 days without a visit."""
    start = report.as_of - dt.timedelta(days=59)
    behind = [c for c in details.cadre_visits if c.not_visited]
    s = _list_sheet(
        book, "走访", f"{heading}帮扶干部走访情况",
        f"结对户按 {report.as_of.isoformat()} 有效结对计；走访按本月日期计；60天指 {start.isoformat()} 至 "
        f"{report.as_of.isoformat()}；共 {len(details.cadre_visits)} 名干部，其中 {len(behind)} 名有60天未走访的结对户",
        VISIT_AREA_HEADER, [26, 14, 14, 16, 16, 18], heading)
    by_village = Counter((r.place.township, r.place.village) for r in details.not_visited)
    by_township = Counter(r.place.township for r in details.not_visited)
    cadres_by_village: dict[tuple[str, str], set[str]] = {}
    for r in details.not_visited:
        for name in (r.cadres or "").split("、"):
            if name:
                cadres_by_village.setdefault((r.place.township, r.place.village), set()).add(name)
    bold = xlsx.FONT_BOLD
    for area in report.areas:
        if area.level == "village":
            township = report.township_of(area.area_id)
            key = (township.name if township else "", area.name)
            unvisited, cadres = by_village.get(key, 0), len(cadres_by_village.get(key, ()))
        elif area.level == "township":
            unvisited = by_township.get(area.name, 0)
            cadres = len({n for (t, _), names in cadres_by_village.items() if t == area.name for n in names})
        else:
            unvisited = len(details.not_visited)
            cadres = len(behind)
        share = (Decimal(area.visited_households) * 100 / Decimal(area.paired_households)).quantize(Decimal("0.1")) \
            if area.paired_households else "—"
        values = [area.name, area.paired_households, area.visited_households, share, unvisited, cadres]
        formats = {1: INT_FORMAT, 2: INT_FORMAT, 3: "0.0", 4: INT_FORMAT, 5: INT_FORMAT}
        if area.level == "county":
            s.data(values, font=bold, fill=COUNTY_FILL, formats=formats)
        elif area.level == "township":
            s.data(values, font=bold, fill=TOWNSHIP_FILL, formats=formats, indent=area.depth)
        else:
            s.data(values, formats=formats, indent=area.depth * 2)
    s.blank()
    s.merged(f"有60天未走访结对户的帮扶干部，共 {len(behind)} 名", font=bold, height=22,
             align=s.align("left", wrap=False))
    s.header(VISIT_CADRE_HEADER)
    if not behind:
        s.none("每位干部的结对户60天内都有走访")
    for c in behind:
        s.data([c.unit or "", c.name, c.role, c.paired, c.not_visited, c.last_visit or "无"])
    s.blank()
    s.merged(f"60天内未走访的结对户，共 {len(details.not_visited)} 户", font=bold, height=22,
             align=s.align("left", wrap=False))
    s.header(VISIT_HOUSEHOLD_HEADER)
    if not details.not_visited:
        s.none("没有60天未走访的结对户")
    for r in details.not_visited:
        s.data([r.place.code, r.place.head or "（无在册户主）", r.place.township, r.place.village, r.cadres,
                r.last_visit or "从未走访"])
    s.close()


def _benefits(book, report: MonthlyReport, details: Details, heading: str) -> None:
    towns = details.townships
    keys = [(t.id, t.name) for t in towns]
    if any(key[1] == 0 for key in details.benefits):
        keys.append((0, "（未归属乡镇）"))
    categories = [c for c in POLICY_CATEGORY.codes() if any(k[0] == c for k in details.benefits)]
    categories += sorted({k[0] for k in details.benefits} - set(POLICY_CATEGORY.codes()))
    labels = ["政策类别", *(name for _, name in keys), "合计"]
    widths = [16] + [max(12.0, 2.2 * len(name) + 2) for _, name in keys] + [14]
    s = _list_sheet(
        book, "政策资金", f"{heading}政策资金发放情况（元）",
        f"{report.month.first.isoformat()} 至 {report.as_of.isoformat()} 发放的政策资金，按政策类别和乡镇汇总",
        labels, widths, heading, freeze="B4")
    zero = Decimal("0.00")
    column_totals = [zero] * len(keys)
    counts_total = 0
    if not categories:
        s.none("本月没有发放政策资金")
    for category in categories:
        amounts = [details.benefits.get((category, tid), (zero, 0))[0] for tid, _ in keys]
        counts_total += sum(details.benefits.get((category, tid), (zero, 0))[1] for tid, _ in keys)
        column_totals = [a + b for a, b in zip(column_totals, amounts, strict=True)]
        s.data([POLICY_CATEGORY.label(category) or category, *amounts, sum(amounts, zero)])
    s.data(["合计", *column_totals, sum(column_totals, zero)], font=xlsx.FONT_BOLD, fill=TOWNSHIP_FILL)
    s.blank()
    top = yuan(report.areas[0].benefits) if report.areas else "0.00"
    s.note(f"共 {counts_total} 笔；合计 {top} 元，与“汇总”表最上一行的“本月政策资金”一致。")
    s.close()


def _quality(book, report: MonthlyReport, details: Details, heading: str) -> None:
    items = details.quality
    counts: dict[str, int] = {}
    for q in items:
        counts[q.category] = counts.get(q.category, 0) + 1
    s = _Sheet(book, "数据质量", [6, 22, 12, 12, 20, 10, 10, 44], heading=heading, freeze="A4", repeat_rows="3:3")
    s.title(f"{heading}数据质量核查清单")
    s.note(f"建档立卡户和监测户：6–15岁未在校、未参加基本医疗保险、C/D级危房、未录入{report.month.income_year}年收入；"
           f"全部在册户：户主不在册、家庭人口与在册人数不符；干部结对超过{details.pair_limit}户。"
           f"共 {len(items)} 条", lines=2)
    s.header(["序号", "类别", "乡镇", "村", "户编号", "户主", "人员", "说明"])
    if not items:
        s.none("未发现数据质量问题")
    for n, q in enumerate(items, start=1):
        p = q.place
        place = [p.township, p.village, p.code, p.head or "（无）"] if p else ["", "", "", ""]
        s.data([n, q.category, *place, q.who, q.detail])
    s.blank()
    s.merged("分类统计", font=xlsx.FONT_BOLD, height=20, align=s.align("left", wrap=False))
    for category, count in counts.items():
        s.data(["", category, count])
    s.close()


def _chart_areas(report: MonthlyReport):
    below = [a for a in report.areas if a.depth == 1]
    return below or report.areas[:1]


# one chart per measure: (column on 图表, title, axis); each has its own scale, so small bars stay visible
CHART_MEASURES = ((2, "未脱贫户（含返贫，户）"), (3, "已脱贫户（户）"), (4, "监测户（风险未消除，户）"),
                  (5, "贫困发生率（%）"))
CHART_ROWS = 17  # rows of 15 pt (0.53 cm) that a chart of 8.5 cm takes


def _charts(book, report: MonthlyReport, heading: str) -> None:
    areas = _chart_areas(report)
    level = {"township": "乡镇", "village": "村"}.get(areas[0].level if areas else "", "区划")
    # portrait: the table on top, the four charts two by two under it
    s = _Sheet(book, "图表", [14, 11, 11, 11, 13, 11, 11, 11, 11, 11], heading=heading, landscape=False)
    s.title(f"{heading}分{level}图表")
    s.header([level, "未脱贫户（含返贫）", "已脱贫户", "监测户", "贫困发生率（%）"])
    first = s.row + 1
    for a in areas:
        s.data([a.name, a.poor_households, a.exited_households, a.monitored_households, a.incidence],
               formats={4: PCT_FORMAT})
    last = s.row
    if last >= first:
        sheet = quote_sheetname("图表")
        cats = Reference(range_string=f"{sheet}!$A${first}:$A${last}")
        top = last + 2
        for n, (column, name) in enumerate(CHART_MEASURES):
            letter = get_column_letter(column)
            chart = BarChart()
            chart.type = "col"
            chart.title = name  # the sheet's title says 分乡镇 / 分村; the unit is in the chart's title
            chart.add_data(Reference(range_string=f"{sheet}!${letter}${first - 1}:${letter}${last}"),
                           titles_from_data=True)
            chart.set_categories(cats)
            chart.legend = None
            chart.dataLabels = DataLabelList()
            chart.dataLabels.showVal = True
            chart.dataLabels.showSerName = chart.dataLabels.showCatName = False
            chart.dataLabels.showLegendKey = chart.dataLabels.showPercent = False
            chart.height, chart.width = 8.5, 10.5
            chart.y_axis.delete = False
            chart.x_axis.delete = False
            chart.y_axis.majorGridlines = None
            row = top + (n // 2) * (CHART_ROWS + 1)
            s.sheet.add_chart(chart, f"{'A' if n % 2 == 0 else 'F'}{row}")
        while s.row < top + 2 * (CHART_ROWS + 1):  # the charts' rows, so the signature lines come under them
            s.blank()
    s.close()


def _comparison(book, report: MonthlyReport, comparison: Comparison, heading: str) -> None:
    s = _Sheet(book, "结账核对", [30, 20, 16, 19, 20, 30, 12], heading=heading)
    s.title(f"{heading}与结账数核对")
    c = comparison.close
    s.note(f"结账：{when(c.closed_at)} 由 {c.user} 结账，范围 {comparison.scope}，sha256 {c.sha256}")
    if not comparison.intact:
        s.note("警告：结账时保存的数字与其 sha256 不符——结账记录本身在 povmon 之外被改动过。")
    if comparison.same:
        s.note(f"重新计算的结果与结账时完全一致（核对 {comparison.compared_areas} 个区划）。")
        s.close()
        return
    s.note(f"重新计算的结果与结账时不同：{len(comparison.differences)} 处数字变化，"
           f"原因是结账后新建或修改的、生效日期在本月末及以前的 {len(comparison.changes)} 条记录。")
    paths = _area_paths(report)
    s.header(["区划", "指标", "结账时", "现在"])
    for d in comparison.differences:
        s.data([paths.get(d.area, d.area), "区划" if d.field == "area" else d.label, _plain(d.closed, d.field),
                _plain(d.now, d.field)])
    s.blank()
    s.header(["记录", "操作", "操作人", "日期", "条数"])
    for row in comparison.summary():
        s.data(list(row))
    s.blank()
    s.header(["时间", "操作人", "记录", "户编号", "生效日期", "内容", "操作"])
    for ch in comparison.changes[:MAX_CHANGES]:
        s.data([when(ch.at), ch.user, ch.table_label, ch.household or "", ch.effective, ch.detail, ch.action])
    if len(comparison.changes) > MAX_CHANGES:
        s.note(f"……另有 {len(comparison.changes) - MAX_CHANGES} 条未列出（见上面的汇总）。")
    s.close()


def _area_paths(report: MonthlyReport) -> dict[str, str]:
    """"parent/name" (how a difference names its area) → the full name path from the top, 交城县/西社镇/野则河村,
    as the close's scope reads: one way of naming an area on the sheet."""
    paths: dict[str, str] = {}
    full: dict[tuple[str | None, str], str] = {}
    for a in report.areas:  # preorder: a parent comes before its children
        parent_path = next((p for (pp, n), p in reversed(full.items()) if n == a.parent), None) if a.parent else None
        path = f"{parent_path}/{a.name}" if parent_path else a.name
        full[(a.parent, a.name)] = path
        paths[a.name if a.parent is None else f"{a.parent}/{a.name}"] = path
    return paths


def _plain(value, field: str) -> object:
    if value is None:
        return "（无）"
    if field in ("incidence_pct", "benefits_yuan") and isinstance(value, str):
        return Decimal(value)  # the JSON keeps them as text; the sheet shows numbers
    return value
