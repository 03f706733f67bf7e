"""The monthly summary as a workbook (``povmon report monthly -o OUT.xlsx``), in the house style.

Sheets: 汇总 (every area, county → townships → villages indented, all figures), 变动, 低于标准线, 未结对,
走访, 政策资金, 数据质量, 图表, and 结账核对 when the month has been closed. Every sheet prints on A4
landscape, fits the width, repeats its header and freezes it on screen.

The workbook is written in openpyxl's write-only mode: a county of a million people lists tens of
thousands of rows, and streaming them keeps the time and memory linear. Text that came from users goes
through xlsx.guard, so it can never become a formula.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from copy import copy
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from povmon import files, xlsx
from povmon.reports.close import Comparison, when
from povmon.reports.monthly import Details, MonthlyReport
from povmon.rules.money import yuan
from povmon.rules.vocab import POLICY_CATEGORY

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
]
SUMMARY_FIRST_ROW = 5  # the county's row on 汇总 (title, subtitle, two header rows above it)
MAX_CHANGES = 50_000  # 结账核对 lists at most this many records one by one (the summary counts them all)
SHEETS = ("汇总", "变动", "低于标准线", "未结对", "走访", "政策资金", "数据质量", "图表")


class _Sheet:
    """A write-only sheet in the house style: rows are appended top to bottom."""

    def __init__(self, wb: Workbook, title: str, widths: Sequence[float], *, printed: dt.date,
                 landscape: bool = True, freeze: str | None = None, repeat_rows: str | None = None):
        self.ws = wb.create_sheet(title)
        # a streamed sheet writes its view before the first row: freeze panes must be set now
        if freeze:
            self.ws.freeze_panes = freeze
        if repeat_rows:
            self.ws.print_title_rows = repeat_rows
        self.columns = len(widths)
        self.row = 0
        self._aligns: dict[tuple, Alignment] = {}
        self._styles: dict[tuple, object] = {}
        for index, width in enumerate(widths, start=1):
            self.ws.column_dimensions[get_column_letter(index)].width = width
        xlsx.a4(self.ws, landscape=landscape, footer_date=printed)

    def align(self, horizontal: str = "left", indent: int = 0, wrap: bool = True) -> Alignment:
        """A cached alignment."""
        key = (horizontal, indent, wrap)
        if key not in self._aligns:
            self._aligns[key] = Alignment(horizontal=horizontal, vertical="center", wrap_text=wrap, indent=indent)
        return self._aligns[key]

    def cell(self, value, *, font: Font = xlsx.FONT, fmt: str | None = None, fill: PatternFill | None = None,
             border: bool = True, align: Alignment | None = None) -> WriteOnlyCell:
        """A styled write-only cell; text through xlsx.guard."""
        if fmt is None:
            if isinstance(value, Decimal):
                fmt = xlsx.MONEY_FORMAT
            elif isinstance(value, dt.date):
                fmt = xlsx.DATE_FORMAT
        if align is None:
            numeric = isinstance(value, (int, Decimal)) and not isinstance(value, bool)
            align = self.align("right", wrap=False) if numeric else self.align()
        c = WriteOnlyCell(self.ws)
        # Assigning font/border/… makes openpyxl hash the style objects for every cell, which dominates
        # the time of a long sheet; each combination is styled once and its style ids copied after that.
        key = (id(font), fmt, id(fill), border, id(align))
        template = self._styles.get(key)
        if template is None:
            c.font = font
            if border:
                c.border = xlsx.BORDER
            if fill is not None:
                c.fill = fill
            if fmt is not None:
                c.number_format = fmt
            c.alignment = align
            self._styles[key] = copy(c._style)
        else:
            c._style = copy(template)
        return xlsx.guard(c, value)  # after the style: guard may set the quote prefix

    def append(self, cells: list, height: float | None = None) -> int:
        """Write the next row; returns its number."""
        self.row += 1
        if height is not None:
            self.ws.row_dimensions[self.row].height = height
        self.ws.append(cells)
        return self.row

    def merged(self, text: str, *, font: Font, height: float, align: Alignment, border: bool = False) -> None:
        """One text across the sheet's columns."""
        cells = [self.cell(text, font=font, border=border, align=align)]
        cells += [self.cell(None, border=border) for _ in range(self.columns - 1)]
        row = self.append(cells, height)
        if self.columns > 1:
            self.ws.merged_cells.add(f"A{row}:{get_column_letter(self.columns)}{row}")

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


def write(report: MonthlyReport, details: Details, path: str | Path, *, comparison: Comparison | None = None,
          printed: dt.date | None = None) -> Path:
    """Write the monthly workbook; returns its path."""
    printed = printed or dt.date.today()
    wb = Workbook(write_only=True)
    scope = report.areas[0].name if report.areas else "全县"
    y, m = report.as_of.year, report.as_of.month
    heading = f"{scope}{y}年{m}月"
    _summary(wb, report, heading, printed)
    _changes(wb, report, details, heading, printed)
    _below_line(wb, report, details, heading, printed)
    _unpaired(wb, report, details, heading, printed)
    _visits(wb, report, details, heading, printed)
    _benefits(wb, report, details, heading, printed)
    _quality(wb, report, details, heading, printed)
    _charts(wb, report, heading, printed)
    if comparison is not None:
        _comparison(wb, report, comparison, heading, printed)
    target = Path(path)
    with files.atomic(target) as temporary:
        wb.save(temporary)
    return target


def _summary(wb: Workbook, report: MonthlyReport, heading: str, printed: dt.date) -> None:
    widths = [22, 14] + [7.5] * 10 + [9, 11, 8, 8, 8, 8, 12] + [7] * 5
    header_top = SUMMARY_FIRST_ROW - 2
    s = _Sheet(wb, "汇总", widths, printed=printed, freeze=f"C{SUMMARY_FIRST_ROW}",
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
    merges = []
    column = 1
    groups = [(None, "区划"), (None, "区划代码"), *((group, label) for _, group, label in SUMMARY_COLUMNS)]
    while column <= len(groups):
        group = groups[column - 1][0]
        if group is None:
            merges.append(f"{get_column_letter(column)}{top}:{get_column_letter(column)}{top + 1}")
            column += 1
            continue
        end = column
        while end < len(groups) and groups[end][0] == group:
            end += 1
        merges.append(f"{get_column_letter(column)}{top}:{get_column_letter(end)}{top}")
        column = end + 1
    for ref in merges:
        s.ws.merged_cells.add(ref)
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
        "2. 建档立卡 = 未脱贫 + 已脱贫 + 返贫；未脱贫含返贫；监测对象只计风险未消除的；"
        "贫困发生率 = 未脱贫人数 ÷ 在册人数 × 100。",
        f"3. 低于贫困线：建档立卡户或监测户{year}年人均纯收入（按当年12月31日在册人数）低于当年贫困线；"
        "未录入收入的户不计入，见“数据质量”。",
        "4. 结对按月末有效结对计；帮扶干部按人去重，同一干部结对多村时，上级数小于下级之和。"
        "走访、政策资金、变动按本月内日期计。",
    ]
    for text in notes:
        s.note(text, lines=1)


def _figure(area, field: str):
    if field == "incidence_pct":
        return area.incidence
    if field == "benefits_yuan":
        return area.benefits
    return getattr(area, field)


def _place_cells(p) -> list:
    return [p.township, p.village, p.code, p.head or "（无在册户主）"]


def _list_sheet(wb, name, title, note, labels, widths, printed, freeze: str = "A4") -> _Sheet:
    s = _Sheet(wb, name, widths, printed=printed, freeze=freeze, repeat_rows="3:3")
    s.title(title)
    s.note(note)
    s.header(labels)
    return s


def _changes(wb, report: MonthlyReport, details: Details, heading: str, printed: dt.date) -> None:
    s = _list_sheet(
        wb, "变动", f"{heading}变动情况",
        f"{report.month.first.isoformat()} 至 {report.as_of.isoformat()} 的识别账事件（已更正作废的不列）和成员增减，"
        f"共 {len(details.changes)} 条",
        ["序号", "乡镇", "村", "户编号", "户主", "类别", "变动", "日期", "说明"],
        [6, 12, 12, 20, 10, 10, 12, 12, 40], printed)
    for n, c in enumerate(details.changes, start=1):
        s.data([n, *_place_cells(c.place), c.category, c.kind, c.day, c.detail])


def _below_line(wb, report: MonthlyReport, details: Details, heading: str, printed: dt.date) -> None:
    year = report.month.income_year
    line = yuan(report.line.yuan) if report.line else "—"
    s = _list_sheet(
        wb, "低于标准线", f"{heading}人均纯收入低于贫困线的户",
        f"建档立卡户和监测户中，{year}年人均纯收入低于{year}年贫困线 {line} 元的，共 {len(details.below_line)} 户",
        ["序号", "乡镇", "村", "户编号", "户主", "脱贫状态", "监测对象", f"{year}年纯收入", "年末在册人数",
         "人均纯收入", "贫困线", "差额"],
        [6, 12, 12, 20, 10, 10, 9, 13, 9, 12, 11, 11], printed)
    for n, r in enumerate(details.below_line, start=1):
        s.data([n, *_place_cells(r.place), r.status, "是" if r.monitored else "", r.income.net, r.income.members,
                r.income.per_capita, r.line, r.gap])


def _unpaired(wb, report: MonthlyReport, details: Details, heading: str, printed: dt.date) -> None:
    s = _list_sheet(
        wb, "未结对", f"{heading}未结对的建档立卡户和监测户",
        f"{report.as_of.isoformat()} 没有有效结对的建档立卡户和监测户，共 {len(details.unpaired)} 户",
        ["序号", "乡镇", "村", "户编号", "户主", "脱贫状态", "监测对象", "上次结对结束日期"],
        [6, 14, 14, 22, 12, 12, 10, 18], printed)
    for n, r in enumerate(details.unpaired, start=1):
        s.data([n, *_place_cells(r.place), r.status, "是" if r.monitored else "", r.last_pairing_end or "从未结对"])


def _visits(wb, report: MonthlyReport, details: Details, heading: str, printed: dt.date) -> None:
    s = _list_sheet(
        wb, "走访", f"{heading}帮扶干部走访情况",
        f"结对户数按 {report.as_of.isoformat()} 有效结对计；走访按本月日期计；共 {len(details.cadre_visits)} 名干部",
        ["序号", "帮扶干部", "单位", "角色", "结对户数", "本月走访户数", "本月走访次数", "最近走访日期",
         "60天未走访的结对户"],
        [6, 12, 26, 12, 10, 12, 12, 14, 12], printed)
    for n, c in enumerate(details.cadre_visits, start=1):
        s.data([n, c.name, c.unit or "", c.role, c.paired, c.visited, c.visits, c.last_visit or "无", c.not_visited])
    s.blank()
    start = report.as_of - dt.timedelta(days=59)
    s.merged(f"60天内（{start.isoformat()} 至 {report.as_of.isoformat()}）未走访的结对户，"
             f"共 {len(details.not_visited)} 户", font=xlsx.FONT_BOLD, height=22, align=s.align("left", wrap=False))
    s.header(["序号", "乡镇", "村", "户编号", "户主", "脱贫状态", "帮扶干部", "最近走访日期", "距月末天数"])
    for n, r in enumerate(details.not_visited, start=1):
        days = r.days_since(report.as_of)
        s.data([n, *_place_cells(r.place), r.status, r.cadres, r.last_visit or "从未走访",
                days if days is not None else "—"])


def _benefits(wb, report: MonthlyReport, details: Details, heading: str, printed: dt.date) -> None:
    towns = details.townships
    keys = [(t.id, t.name) for t in towns]
    if any(key[1] == 0 for key in details.benefits):
        keys.append((0, "（未归属乡镇）"))
    categories = [c for c in POLICY_CATEGORY.codes() if any(k[0] == c for k in details.benefits)]
    categories += sorted({k[0] for k in details.benefits} - set(POLICY_CATEGORY.codes()))
    labels = ["政策类别", *(name for _, name in keys), "合计"]
    widths = [16] + [max(12.0, 2.2 * len(name) + 2) for _, name in keys] + [14]
    s = _list_sheet(
        wb, "政策资金", f"{heading}政策资金发放情况（元）",
        f"{report.month.first.isoformat()} 至 {report.as_of.isoformat()} 发放的政策资金，按政策类别和乡镇汇总",
        labels, widths, printed, freeze="B4")
    zero = Decimal("0.00")
    column_totals = [zero] * len(keys)
    counts_total = 0
    for category in categories:
        amounts = [details.benefits.get((category, tid), (zero, 0))[0] for tid, _ in keys]
        counts_total += sum(details.benefits.get((category, tid), (zero, 0))[1] for tid, _ in keys)
        column_totals = [a + b for a, b in zip(column_totals, amounts, strict=True)]
        s.data([POLICY_CATEGORY.label(category) or category, *amounts, sum(amounts, zero)])
    s.data(["合计", *column_totals, sum(column_totals, zero)], font=xlsx.FONT_BOLD, fill=TOWNSHIP_FILL)
    s.blank()
    top = yuan(report.areas[0].benefits) if report.areas else "0.00"
    s.note(f"共 {counts_total} 笔；合计 {top} 元，与“汇总”表最上一行的“本月政策资金”一致。")


def _quality(wb, report: MonthlyReport, details: Details, heading: str, printed: dt.date) -> None:
    items = details.quality
    counts: dict[str, int] = {}
    for q in items:
        counts[q.category] = counts.get(q.category, 0) + 1
    s = _Sheet(wb, "数据质量", [6, 22, 12, 12, 20, 10, 10, 44], printed=printed, freeze="A4", repeat_rows="3:3")
    s.title(f"{heading}数据质量核查清单")
    s.note(f"建档立卡户和监测户：6–15岁未在校、未参加基本医疗保险、C/D级危房、未录入{report.month.income_year}年收入；"
           f"全部在册户：户主不在册、家庭人口与在册人数不符；干部结对超过{details.pair_limit}户。"
           f"共 {len(items)} 条", lines=2)
    s.header(["序号", "类别", "乡镇", "村", "户编号", "户主", "人员", "说明"])
    for n, q in enumerate(items, start=1):
        p = q.place
        place = [p.township, p.village, p.code, p.head or "（无）"] if p else ["", "", "", ""]
        s.data([n, q.category, *place, q.who, q.detail])
    s.blank()
    s.merged("分类统计", font=xlsx.FONT_BOLD, height=20, align=s.align("left", wrap=False))
    for category, count in counts.items():
        s.data(["", category, count])


def _chart_areas(report: MonthlyReport):
    below = [a for a in report.areas if a.depth == 1]
    return below or report.areas[:1]


def _charts(wb, report: MonthlyReport, heading: str, printed: dt.date) -> None:
    areas = _chart_areas(report)
    level = {"township": "乡镇", "village": "村"}.get(areas[0].level if areas else "", "区划")
    s = _Sheet(wb, "图表", [14, 12, 12, 12, 14, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4], printed=printed)
    s.title(f"{heading}分{level}图表")
    s.header([level, "未脱贫户", "已脱贫户", "监测户", "贫困发生率（%）"])
    first = s.row + 1
    for a in areas:
        s.data([a.name, a.poor_households, a.exited_households, a.monitored_households, a.incidence],
               formats={4: PCT_FORMAT})
    last = s.row
    if last < first:
        return
    cats = Reference(s.ws, min_col=1, min_row=first, max_row=last)

    bars = BarChart()
    bars.type = "col"
    bars.grouping = "clustered"
    bars.title = f"分{level}未脱贫、已脱贫、监测户数"
    bars.y_axis.title = "户数"
    bars.add_data(Reference(s.ws, min_col=2, max_col=4, min_row=first - 1, max_row=last), titles_from_data=True)
    bars.set_categories(cats)
    bars.height, bars.width = 9, 24
    bars.y_axis.delete = False
    bars.x_axis.delete = False
    s.ws.add_chart(bars, f"G{first - 1}")

    incidence = BarChart()
    incidence.type = "col"
    incidence.title = f"分{level}贫困发生率（%）"
    incidence.y_axis.title = "%"
    incidence.add_data(Reference(s.ws, min_col=5, min_row=first - 1, max_row=last), titles_from_data=True)
    incidence.set_categories(cats)
    incidence.legend = None
    incidence.dataLabels = DataLabelList()
    incidence.dataLabels.showVal = True
    incidence.dataLabels.showSerName = incidence.dataLabels.showCatName = False
    incidence.dataLabels.showLegendKey = incidence.dataLabels.showPercent = False
    incidence.height, incidence.width = 9, 24
    incidence.y_axis.delete = False
    incidence.x_axis.delete = False
    s.ws.add_chart(incidence, f"G{first + 18}")


def _comparison(wb, report: MonthlyReport, comparison: Comparison, heading: str, printed: dt.date) -> None:
    s = _Sheet(wb, "结账核对", [26, 20, 16, 16, 20, 30, 12], printed=printed)
    s.title(f"{heading}与结账数核对")
    c = comparison.close
    s.note(f"结账：{when(c.closed_at)} 由 {c.user} 结账，范围 {comparison.scope}，sha256 {c.sha256}")
    if not comparison.intact:
        s.note("警告：结账时保存的数字与其 sha256 不符——结账记录本身在 povmon 之外被改动过。")
    if comparison.same:
        s.note(f"重新计算的结果与结账时完全一致（核对 {comparison.compared_areas} 个区划）。")
        return
    s.note(f"重新计算的结果与结账时不同：{len(comparison.differences)} 处数字变化，"
           f"原因是结账后新建或修改的、生效日期在本月末及以前的 {len(comparison.changes)} 条记录。")
    s.header(["区划", "指标", "结账时", "现在"])
    for d in comparison.differences:
        s.data([d.area, "区划" if d.field == "area" else d.label, _plain(d.closed, d.field), _plain(d.now, d.field)])
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


def _plain(value, field: str) -> object:
    if value is None:
        return "（无）"
    if field in ("incidence_pct", "benefits_yuan") and isinstance(value, str):
        return Decimal(value)  # the JSON keeps them as text; the sheet shows numbers
    return value
