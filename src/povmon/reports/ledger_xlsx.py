"""The five ledgers on A4: one sheet per household, in the house style of ``povmon.xlsx``.

Every sheet shares one grid of twelve columns whose widths fit Chinese text on A4 portrait; each table
spans whole columns of it (merged cells), so the card, the members table and the income table line up
on one page width. Rows get explicit heights estimated from their text, because neither Excel nor
LibreOffice grows a row for wrapped text in merged cells.

Sheets are streamed into the file one by one (``povmon.xlsxstream``): a thousand ledgers need no more
memory than one, and take seconds rather than the minute openpyxl would spend on their million cells.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

from povmon import xlsx
from povmon.reports.ledger import IncomeLine, Ledger, compare
from povmon.rules.income import COMPONENT_LABELS
from povmon.rules.lines import LineValue
from povmon.rules.vocab import HOUSING, bool_label
from povmon.xlsxstream import StreamingWorkbook

# Twelve columns, 107 width units in all: A4 portrait at 95 %, so 10.5-pt 宋体 prints at 10 pt.
# Columns 1 and 12 hold dates (10 digits of a serif font need 12.5 units); 2–3 together an ID number (18).
GRID = (12.5, 10, 10.5, 7, 6.5, 8, 8, 8, 8, 8, 8, 12.5)
COLUMNS = len(GRID)
TITLE_ROWS = "1:2"

FONT_SECTION = Font(name=xlsx.FONT_NAME, size=12, bold=True)
FONT_NOTE = Font(name=xlsx.FONT_NAME, size=9)
SECTION_FILL = PatternFill("solid", fgColor="BDD7EE")
SUB_FILL = PatternFill("solid", fgColor="E2EFDA")
LABEL_FILL = PatternFill("solid", fgColor="F2F2F2")
SIGN_LINE = Border(bottom=Side(style="thin", color="000000"))
CENTER = xlsx.CENTER
LEFT = xlsx.LEFT
RIGHT = Alignment(horizontal="right", vertical="center", wrap_text=True)
NONE_TEXT = "无"
UNRECORDED = "未录入"


@dataclass(frozen=True)
class Span:
    """A value over `span` grid columns, drawn as `kind` (see _STYLES)."""

    value: object
    span: int = 1
    kind: str = "text"


# kind → (font, border, alignment, fill)
_STYLES = {
    "title": (xlsx.FONT_TITLE, None, CENTER, None),
    "subtitle": (xlsx.FONT, None, CENTER, None),
    "section": (FONT_SECTION, xlsx.BORDER, LEFT, SECTION_FILL),
    "sub": (xlsx.FONT_BOLD, xlsx.BORDER, LEFT, SUB_FILL),
    "header": (xlsx.FONT_BOLD, xlsx.BORDER, CENTER, xlsx.HEADER_FILL),
    "label": (xlsx.FONT_BOLD, xlsx.BORDER, CENTER, LABEL_FILL),
    "text": (xlsx.FONT, xlsx.BORDER, LEFT, None),
    "center": (xlsx.FONT, xlsx.BORDER, CENTER, None),
    "number": (xlsx.FONT, xlsx.BORDER, RIGHT, None),
    "note": (FONT_NOTE, None, LEFT, None),
    "plain": (xlsx.FONT, None, LEFT, None),
    "sign": (xlsx.FONT, SIGN_LINE, LEFT, None),
}


# Pages, as Excel lays them out with the fonts a county office has (Calibri: 7 px per width unit). Fit to
# one page wide makes the scale the printable width over the sheet's width; a page then holds this many points
# of rows under the repeated title rows. The 4 % kept in reserve makes our breaks come before the
# application's own, never just after them (which would leave a page with a single row).
A4_WIDTH, A4_HEIGHT = 595.28, 841.89
MARGINS = {"left": 0.4, "right": 0.4, "top": 0.6, "bottom": 0.7}  # inches
TITLE_HEIGHTS = (30, 20)
_SHEET_WIDTH = sum(math.trunc((256 * w + math.trunc(128 / 7)) / 256 * 7) for w in GRID) * 0.75
SCALE = min(1.0, math.floor((A4_WIDTH - (MARGINS["left"] + MARGINS["right"]) * 72) / _SHEET_WIDTH * 100) / 100)
PAGE_BODY = ((A4_HEIGHT - (MARGINS["top"] + MARGINS["bottom"]) * 72) / SCALE - sum(TITLE_HEIGHTS)) * 0.96


class LedgerSheet:
    """One household's sheet: rows of spans over the grid, appended top to bottom.

    It keeps track of where pages end, so that a heading is never left alone at the foot of a page (rows
    added inside ``together()`` start a new page when they would not fit on the current one), and a table
    that runs over a page repeats its header row on the next.
    """

    def __init__(self, book: StreamingWorkbook, title: str, printed: dt.date | None = None):
        self.sheet = book.add_sheet(title, list(GRID), repeat_rows=TITLE_ROWS)
        self._printed = printed
        self.styles = book.styles
        self.used = 0.0  # points of rows on the current page, below the title rows
        self.pages = 1
        self._buffer: list[tuple[Sequence[Span] | None, float]] | None = None
        self._repeat: tuple[Sequence[Span], float] | None = None  # the header of the table being written

    @property
    def row(self) -> int:
        return self.sheet.row

    def _style(self, kind: str, value: object) -> int:
        font, border, align, fill = _STYLES[kind]
        number_format = None
        if isinstance(value, Decimal):
            number_format = xlsx.MONEY_FORMAT
            if kind in ("text", "center"):
                align = RIGHT
        elif isinstance(value, dt.date):
            number_format = xlsx.DATE_FORMAT
        elif isinstance(value, int) and kind in ("text", "center"):
            align = RIGHT
        return self.styles.id(font=font, border=border, fill=fill, align=align, number_format=number_format,
                              quote_prefix=xlsx.is_formula_like(value))

    @staticmethod
    def measure(spans: Sequence[Span]) -> float:
        """The row height (points) its wrapped text needs; neither Excel nor LibreOffice grows merged rows."""
        column, lines, size = 1, 1, xlsx.FONT.size
        for s in spans:
            font = _STYLES[s.kind][0]
            if isinstance(s.value, str) and font.size:  # numbers and dates never wrap
                needed = xlsx.text_lines(s.value, sum(GRID[column - 1:column - 1 + s.span]), font.size)
                if needed * font.size > lines * size:
                    lines, size = needed, font.size
            column += s.span
        return lines * xlsx.line_height(size) + 3

    def add(self, spans: Sequence[Span], *, height: float | None = None, title: bool = False) -> None:
        """Append one row; spans must cover the twelve columns exactly."""
        if sum(s.span for s in spans) != COLUMNS:
            raise ValueError(f"row spans {sum(s.span for s in spans)} columns, not {COLUMNS}")
        height = height or self.measure(spans)
        if self._buffer is not None:
            self._buffer.append((spans, height))
        else:
            self._emit(spans, height, counted=not title)

    def blank(self, height: float = 6) -> None:
        """A thin spacer row between sections (left out at the top of a page)."""
        if self._buffer is not None:
            self._buffer.append((None, height))
        elif self.used:
            self._emit(None, height)

    @contextmanager
    def together(self, keep: int | None = None) -> Iterator[None]:
        """Keep the rows added in the block (or their first `keep` rows) on one page."""
        self._buffer = []
        try:
            yield
            rows = self._buffer
        finally:
            self._buffer = None
        needed, counted = 0.0, 0
        for spans, height in rows:
            if keep is not None and counted >= keep:
                break
            needed += height
            counted += spans is not None
        if self.used and self.used + needed > PAGE_BODY >= needed:
            self.sheet.page_break()
            self.pages += 1
            self.used = 0.0
        for spans, height in rows:
            if spans is None:
                if self.used:
                    self._emit(None, height)
            else:
                self._emit(spans, height)

    def _emit(self, spans: Sequence[Span] | None, height: float, counted: bool = True) -> None:
        kinds = {s.kind for s in spans} if spans else set()
        if counted:
            if self.used + height > PAGE_BODY and self.used:
                self.pages += 1
                self.used = 0.0
                # every page ends where we say (the reserve keeps the application's own breaks later), so the
                # footer can say how many pages this household has
                self.sheet.page_break()
                if self._repeat is not None and kinds != {"header"}:
                    # a table runs over the page: repeat its header on the new page
                    self._emit(*self._repeat)
            self.used += height
        if kinds == {"header"}:
            self._repeat = (spans, height)
        elif kinds & {"section", "sub", "note", "plain", "title"}:
            self._repeat = None
        if spans is None:
            self.sheet.append([], height)
            return
        cells: list[tuple[object, int]] = []
        merges = []
        column = 1
        for s in spans:
            style = self._style(s.kind, s.value)
            cells.append((s.value, style))
            if s.span > 1:
                # the covered part of a merged range carries the border, so Excel draws the whole frame
                blank = style if s.value is None else self._style(s.kind, None)
                cells.extend((None, blank) for _ in range(s.span - 1))
                merges.append((column, column + s.span - 1))
            column += s.span
        self.sheet.append(cells, height)
        for first, last in merges:
            self.sheet.merge(first, last)

    def close(self, footer: str | None = None) -> None:
        """Finish the sheet (it is written into the workbook file now); ``footer`` names whose pages they are."""
        if footer is not None:
            self.sheet.footer = f"{footer}　第 &P 页 共 {self.pages} 页"
            if self._printed is not None:
                self.sheet.footer += f"    打印日期：{self._printed.isoformat()}"
        self.sheet.close()


# --- the sections ---------------------------------------------------------------------------------------

def _pair(label1: str, value1: object, label2: str | None = None, value2: object = None) -> list[Span]:
    """Two label/value pairs on a row (label 2 + value 4 + label 2 + value 4), or one across the row."""
    if label2 is None:
        return [Span(label1, 2, "label"), Span(_or_blank(value1), 10, "text")]
    return [Span(label1, 2, "label"), Span(_or_blank(value1), 4, "text"),
            Span(label2, 2, "label"), Span(_or_blank(value2), 4, "text")]


def _or_blank(value: object) -> object:
    return UNRECORDED if value is None or value == "" else value


def _yes_no(value: bool | None) -> str:
    return bool_label(value) or UNRECORDED


def _housing(code: str | None) -> str:
    if code is None:
        return "未鉴定"
    return f"{HOUSING.label(code)}（{'安全' if code in ('A', 'B') else '危房'}）"


def _money(value: Decimal | None, missing: str = "—") -> object:
    return missing if value is None else value


def _line(value: LineValue | None) -> object:
    return "无" if value is None else value.yuan


def _none_row(sheet: LedgerSheet) -> None:
    sheet.add([Span(NONE_TEXT, COLUMNS, "center")])


def _section(sheet: LedgerSheet, text: str) -> None:
    sheet.blank()
    sheet.add([Span(text, COLUMNS, "section")])


def _monitoring_label(year: int, value: LineValue | None) -> str:
    label = f"{year}年监测线"
    if value is not None and value.derived:
        label += "\n按贫困线1.5倍推算"
    return label


def write_ledger(sheet: LedgerSheet, ledger: Ledger) -> None:
    """Lay out the card and the five ledgers of one household on its sheet."""
    head = ledger.head or "（无在册户主）"
    who = f"{ledger.head}户" if ledger.head else f"户编号 {ledger.code}"
    sheet.add([Span(f"{who} 帮扶“五本账”", COLUMNS, "title")], height=TITLE_HEIGHTS[0], title=True)
    sheet.add([Span(f"{ledger.place}　户编号：{ledger.code}　户主：{head}　截至 {ledger.as_of.isoformat()}",
                    COLUMNS, "subtitle")], height=TITLE_HEIGHTS[1], title=True)
    _card(sheet, ledger)
    _family(sheet, ledger)
    _identification(sheet, ledger)
    _policy(sheet, ledger)
    _income(sheet, ledger)
    _assistance(sheet, ledger)
    _signatures(sheet)


def _status_text(ledger: Ledger) -> str:
    if ledger.status_since is None:
        return ledger.status_label
    return f"{ledger.status_label}（{ledger.status_since.isoformat()}起）"


def _card(sheet: LedgerSheet, ledger: Ledger) -> None:
    with sheet.together():
        _card_rows(sheet, ledger)


def _card_rows(sheet: LedgerSheet, ledger: Ledger) -> None:
    _section(sheet, "一、明白卡（金额单位：元）")
    sheet.add(_pair("所在村", ledger.place, "户编号", ledger.code))
    sheet.add(_pair("户主", ledger.head or "无在册户主", "联系电话", ledger.phone))
    sheet.add(_pair("贫困户属性", ledger.attribute, "脱贫状态", _status_text(ledger)))
    sheet.add(_pair("监测对象", ledger.monitoring or "否", "在册人口（人）", ledger.members_present))
    year, card = ledger.card_year, ledger.card_income
    per_capita = UNRECORDED if card is None else _money(card.per_capita, "无在册人口")
    sheet.add(_pair(f"{year}年人均纯收入", per_capita, f"{year}年贫困线", _line(ledger.card_poverty_line)))
    if card is None:
        comparison = last_recorded(ledger)
    else:
        comparison = compare(card.per_capita, ledger.card_poverty_line, ledger.card_monitoring_line)
    sheet.add(_pair(_monitoring_label(year, ledger.card_monitoring_line), _line(ledger.card_monitoring_line),
                    "对比", comparison))
    sheet.add(_pair("帮扶责任人", "\n".join(c.text() for c in ledger.cadres) or "未结对"))
    sheet.add(_pair("第一书记", "\n".join(c.text() for c in ledger.first_secretaries) or "未登记"))
    sheet.add(_pair("驻村工作队", "\n".join(ledger.work_teams) or "未派驻"))


def last_recorded(ledger: Ledger) -> str:
    """What the card says when the last full year has no income: which year was last recorded, and its figure."""
    earlier = [line for line in ledger.incomes if line.year < ledger.card_year and not line.partial]
    if not earlier:
        return f"{ledger.card_year}年收入未录入，此前也无收入记录"
    line = earlier[-1]
    figure = "无在册人口" if line.per_capita is None else f"人均纯收入 {line.per_capita:,.2f} 元"
    return f"{ledger.card_year}年收入未录入；最近录入为{line.year}年，{figure}"


MEMBER_HEADER = [
    Span("姓名", 1, "header"), Span("身份证号", 2, "header"), Span("与户主\n关系", 1, "header"),
    Span("性别\n年龄", 1, "header"), Span("文化程度", 1, "header"), Span("在校生状况", 1, "header"),
    Span("健康状况", 1, "header"), Span("劳动技能\n务工状况", 2, "header"),
    Span("参保及\n保障", 1, "header"), Span("成员状态", 1, "header"),
]
# Short print labels for the narrow columns (the register keeps the full ones).
SHORT_LABOUR = {"普通劳动力": "普通劳动力", "技能劳动力": "技能劳动力", "弱劳动力或半劳动力": "弱/半劳动力",
                "丧失劳动力": "丧失劳动力", "无劳动力": "无劳动力"}
SHORT_WORK = {"乡（镇）内务工": "乡内务工", "乡（镇）外县内务工": "县内务工", "县外省内务工": "省内务工",
              "省外务工": "省外务工", "其他/未务工": "未务工"}
_WORK_MONTHS = re.compile(r"^(?P<kind>.*)（(?P<months>\d+)个月）$")


def short_work(labour: str | None, work: str | None) -> str:
    """劳动技能 and 务工状况 in one cell, two short lines: 普通劳动力 / 县内务工8个月."""
    lines = []
    if labour:
        lines.append(SHORT_LABOUR.get(labour, labour))
    if work:
        match = _WORK_MONTHS.match(work)
        kind, months = (match["kind"], f"{match['months']}个月") if match else (work, "")
        lines.append(SHORT_WORK.get(kind, kind) + months)
    return "\n".join(lines)


def _family(sheet: LedgerSheet, ledger: Ledger) -> None:
    with sheet.together():
        _section(sheet, "二、家庭账")
        sheet.add(_pair("在册人口（人）", ledger.members_present, "住房安全", _housing(ledger.housing)))
        sheet.add(_pair("安全饮水", _yes_no(ledger.safe_water), "两不愁（吃穿）", _yes_no(ledger.food_clothing)))
        sheet.add(_pair("通生活用电", _yes_no(ledger.electricity), "通入户路", _yes_no(ledger.road)))
        sheet.add(_pair("耕地（亩）", _or_blank(ledger.arable_land), "林地（亩）", _or_blank(ledger.forest_land)))
    with sheet.together(keep=3):
        sheet.add([Span("家庭成员", COLUMNS, "sub")])
        sheet.add(MEMBER_HEADER)
        if not ledger.members:
            _none_row(sheet)
        _member_rows(sheet, ledger)


def _member_rows(sheet: LedgerSheet, ledger: Ledger) -> None:
    for m in ledger.members:
        sex_age = "/".join(x for x in (m.sex, None if m.age is None else str(m.age)) if x)
        state = m.state if m.state_date is None else f"{m.state}\n{m.state_date.isoformat()}"
        sheet.add([
            Span(m.name, 1, "center"), Span(m.id_number, 2, "center"), Span(m.relation, 1, "center"),
            Span(sex_age, 1, "center"), Span(m.education, 1, "center"), Span(m.school_status, 1, "center"),
            Span(m.health, 1, "center"), Span(short_work(m.labour, m.work), 2, "center"),
            Span(m.cover, 1, "center"), Span(state, 1, "center"),
        ])


EVENT_HEADER = [
    Span("日期", 1, "header"), Span("事项", 1, "header"), Span("识别标准", 1, "header"),
    Span("致贫原因", 2, "header"), Span("监测对象类型", 2, "header"), Span("风险类型", 2, "header"),
    Span("线索来源\n消除方式", 1, "header"), Span("原因及说明", 2, "header"),
]
EXIT_RESULT = {True: "达标", False: "未达标", None: UNRECORDED}


def _identification(sheet: LedgerSheet, ledger: Ledger) -> None:
    with sheet.together():
        _section(sheet, "三、识别账")
        sheet.add(_pair("贫困户属性", ledger.attribute, "识别标准", ledger.standard))
        sheet.add(_pair("主要致贫原因", ledger.main_cause, "其他致贫原因", ledger.other_causes or NONE_TEXT))
        sheet.add(_pair("当前状态", _status_text(ledger), "监测对象", ledger.monitoring or "否"))
    with sheet.together(keep=3):
        sheet.add([Span("状态变化记录", COLUMNS, "sub")])
        sheet.add(EVENT_HEADER)
        if not ledger.events:
            _none_row(sheet)
        _event_rows(sheet, ledger)
    if ledger.leads:
        with sheet.together(keep=3):
            _lead_rows(sheet, ledger)
    with sheet.together():
        _exit_rows(sheet, ledger)


def _event_rows(sheet: LedgerSheet, ledger: Ledger) -> None:
    for e in ledger.events:
        when: object = f"{e.date.year}年" if e.year_only else e.date
        kind = e.kind + ("\n（已作废）" if e.voided else "")
        sheet.add([
            Span(when, 1, "center"), Span(kind, 1, "center"), Span(e.standard, 1, "center"),
            Span(e.cause, 2, "center"), Span(e.monitoring_type, 2, "center"), Span(e.risks, 2, "text"),
            Span(e.source, 1, "center"), Span(e.reason, 2, "text"),
        ])


def _lead_rows(sheet: LedgerSheet, ledger: Ledger) -> None:
    """防止返贫动态监测: the household's leads with their latest step and decision (reports.ledger.LeadLine)."""
    sheet.add([Span("风险线索（动态监测）", COLUMNS, "sub")])
    sheet.add([Span("线索日期", 1, "header"), Span("线索来源", 2, "header"), Span("预警规则", 3, "header"),
               Span("最新步骤", 3, "header"), Span("决定", 3, "header")])
    for line in ledger.leads:
        sheet.add([Span(line.date, 1, "center"), Span(line.source, 2, "center"), Span(line.rule, 3, "text"),
                   Span(line.step, 3, "center"), Span(line.decision, 3, "center")])


def _exit_rows(sheet: LedgerSheet, ledger: Ledger) -> None:
    sheet.add([Span(f"退出标准核查（一达标、两不愁、三保障及饮水安全，截至 {ledger.as_of.isoformat()}）",
                    COLUMNS, "sub")])
    sheet.add([Span("项目", 4, "header"), Span("结果", 2, "header"), Span("记录情况", 6, "header")])
    for item in ledger.exit_items:
        sheet.add([Span(item.label, 4, "text"), Span(EXIT_RESULT[item.met], 2, "center"),
                   Span(item.detail, 6, "text")])


POLICY_HEADER = [
    Span("日期", 1, "header"), Span("政策名称", 3, "header"), Span("类别", 2, "header"),
    Span("享受人", 1, "header"), Span("金额（元）", 2, "header"), Span("备注", 3, "header"),
]


def _policy(sheet: LedgerSheet, ledger: Ledger) -> None:
    with sheet.together(keep=3):
        _policy_rows(sheet, ledger)


def _policy_rows(sheet: LedgerSheet, ledger: Ledger) -> None:
    _section(sheet, "四、政策账")
    sheet.add(POLICY_HEADER)
    if not ledger.policy_years:
        _none_row(sheet)
        return
    for year in ledger.policy_years:
        for b in year.benefits:
            sheet.add([
                Span(b.date, 1, "center"), Span(b.policy, 3, "text"), Span(b.category, 2, "center"),
                Span(b.member or "全户", 1, "center"), Span(b.amount, 2, "number"), Span(b.note, 3, "text"),
            ])
        sheet.add([Span(f"{year.year}年小计", 7, "label"), Span(year.total, 2, "number"), Span(None, 3, "text")])
    sheet.add([Span("合计", 7, "label"), Span(ledger.policy_total, 2, "number"), Span(None, 3, "text")])


YEARS_PER_BLOCK = 4


def _income(sheet: LedgerSheet, ledger: Ledger) -> None:
    if not ledger.incomes:
        with sheet.together():
            _section(sheet, "五、收入账（元）")
            sheet.add([Span("项目", 4, "header"), Span("年度", 8, "header")])
            _none_row(sheet)
        return
    spending = any(line.income.compliant_spending for line in ledger.incomes)
    starts = range(0, len(ledger.incomes), YEARS_PER_BLOCK)
    for start in starts:
        with sheet.together():  # a block of years, and the notes with the last one
            if start == 0:
                _section(sheet, "五、收入账（元）")
            _income_block(sheet, ledger.incomes[start:start + YEARS_PER_BLOCK], spending, ledger.as_of)
            if start == starts[-1]:
                for note in income_notes(ledger.incomes):
                    sheet.add([Span(note, COLUMNS, "note")])


def _income_block(sheet: LedgerSheet, block: Sequence[IncomeLine], spending: bool, as_of: dt.date) -> None:
    # the years share the eight columns right of the labels (three years: labels 3, years 3 each), so no
    # column is left empty
    label_span = 3 if len(block) == 3 else 4
    year_span = (COLUMNS - label_span) // len(block)

    def row(label: str, values: Iterable[object], kind: str = "number") -> list[Span]:
        return [Span(label, label_span, "label")] + [Span(v, year_span, kind) for v in values]

    years = [f"{line.year}年" + (f"\n（截至{as_of.month}月{as_of.day}日）" if line.partial else "") for line in block]
    sheet.add([Span("项目", label_span, "header")] + [Span(y, year_span, "header") for y in years])
    components = ["wage", "business", "business_expense", "property", "transfer"]
    for name in components:
        sheet.add(row(COMPONENT_LABELS[name], (getattr(line.income, name) for line in block)))
    sheet.add(row("家庭纯收入", (line.net for line in block)))
    sheet.add(row("计算人口（人，年末在册）", (line.members for line in block)))
    sheet.add(row("人均纯收入", (_money(line.per_capita, "无在册人口") for line in block)))
    sheet.add(row("当年贫困线", (_line(line.poverty_line) for line in block)))
    sheet.add(row("当年监测线", (_line(line.monitoring_line) for line in block)))
    sheet.add(row("对比", (line.comparison() for line in block), kind="center"))
    if spending:
        sheet.add(row("合规自付支出（医疗、教育）", (line.income.compliant_spending for line in block)))


def income_notes(lines: Sequence[IncomeLine]) -> list[str]:
    """Footnotes of 收入账: how per capita is computed, derived monitoring lines, lines carried forward."""
    notes = ["注：人均纯收入 =（工资性 + 生产经营性 − 生产经营性支出 + 财产性 + 转移性收入）÷ 当年12月31日在册人口。"]
    derived = [str(line.year) for line in lines if line.monitoring_line is not None and line.monitoring_line.derived]
    if derived:
        notes.append(f"注：{'、'.join(derived)}年尚无防返贫监测线，监测线按当年贫困线的1.5倍推算。")
    carried = []
    for line in lines:
        for kind, value in (("贫困线", line.poverty_line), ("监测线", line.monitoring_line)):
            if value is not None and value.year != line.year:
                carried.append(f"{line.year}年沿用{value.year}年{kind}")
    if carried:
        notes.append(f"注：{'，'.join(carried)}（当年标准尚未载入）。")
    return notes


PAIRING_HEADER = [
    Span("帮扶责任人", 1, "header"), Span("单位及职务", 3, "header"), Span("联系电话", 2, "header"),
    Span("开始日期", 2, "header"), Span("结束日期", 2, "header"), Span("状态", 2, "header"),
]
MEASURE_HEADER = [
    Span("日期", 1, "header"), Span("类别", 1, "header"), Span("措施内容", 6, "header"),
    Span("金额（元）", 2, "header"), Span("落实人", 2, "header"),
]
VISIT_HEADER = [
    Span("日期", 1, "header"), Span("走访人", 1, "header"), Span("帮扶内容", 4, "header"),
    Span("发现问题", 4, "header"), Span("是否解决", 2, "header"),
]
RESOLVED = {True: "已解决", False: "未解决", None: ""}


def _assistance(sheet: LedgerSheet, ledger: Ledger) -> None:
    with sheet.together(keep=4):
        _section(sheet, "六、帮扶账")
        sheet.add([Span("结对帮扶", COLUMNS, "sub")])
        sheet.add(PAIRING_HEADER)
        if not ledger.pairings:
            _none_row(sheet)
        _pairing_rows(sheet, ledger)
    with sheet.together(keep=3):
        _measure_rows(sheet, ledger)
    with sheet.together(keep=3):
        _visit_rows(sheet, ledger)
    if ledger.work:
        with sheet.together(keep=3):
            _work_rows(sheet, ledger)


def _pairing_rows(sheet: LedgerSheet, ledger: Ledger) -> None:
    for p in ledger.pairings:
        state = "在帮" if p.current else ("已调整" + (f"：{p.end_reason}" if p.end_reason else ""))
        sheet.add([
            Span(p.cadre.name, 1, "center"), Span(p.cadre.unit_post, 3, "text"), Span(p.cadre.phone, 2, "center"),
            Span(p.start, 2, "center"), Span(p.end, 2, "center"), Span(state, 2, "center"),
        ])


def _measure_rows(sheet: LedgerSheet, ledger: Ledger) -> None:
    sheet.add([Span("帮扶措施", COLUMNS, "sub")])
    sheet.add(MEASURE_HEADER)
    if not ledger.measures:
        _none_row(sheet)
    for m in ledger.measures:
        sheet.add([
            Span(m.date, 1, "center"), Span(m.kind, 1, "center"), Span(m.description, 6, "text"),
            Span(m.amount, 2, "number"), Span(m.cadre, 2, "center"),
        ])


def _work_rows(sheet: LedgerSheet, ledger: Ledger) -> None:
    """就业、培训与项目: jobs, training, projects, dividends and 政治面貌 (reports.extras.household_lines)."""
    sheet.add([Span("就业、培训与项目", COLUMNS, "sub")])
    sheet.add([Span("日期", 1, "header"), Span("类别", 1, "header"), Span("内容", 8, "header"),
               Span("金额（元）", 2, "header")])
    for line in ledger.work:
        sheet.add([Span(line.date, 1, "center"), Span(line.kind, 1, "center"), Span(line.description, 8, "text"),
                   Span(line.amount, 2, "number")])


def _visit_rows(sheet: LedgerSheet, ledger: Ledger) -> None:
    sheet.add([Span("走访记录", COLUMNS, "sub")])
    sheet.add(VISIT_HEADER)
    if not ledger.visits:
        _none_row(sheet)
    for v in ledger.visits:
        sheet.add([
            Span(v.date, 1, "center"), Span(v.cadre, 1, "center"), Span(v.done, 4, "text"),
            Span(v.problems or NONE_TEXT, 4, "text"), Span(RESOLVED[v.resolved] if v.problems else "", 2, "center"),
        ])


def _signatures(sheet: LedgerSheet) -> None:
    with sheet.together():
        sheet.blank(18)
        sheet.add([Span("户主（签字）：", 2, "plain"), Span(None, 3, "sign"), Span(None, 1, "plain"),
                   Span("帮扶责任人（签字）：", 3, "plain"), Span(None, 3, "sign")], height=30)
        sheet.add([Span(None, 6, "plain"), Span("日期：", 3, "plain"), Span("　　　年　　月　　日", 3, "plain")],
                  height=30)


# --- workbooks ------------------------------------------------------------------------------------------

def sheet_name(ledger: Ledger) -> str:
    """户编号 户主 (the sheet's name before making it valid and unique)."""
    return f"{ledger.code} {ledger.head}" if ledger.head else ledger.code


_UNSAFE_FILE_CHARS = re.compile(r'[\\/:*?"<>|\s]+')


def file_name(ledger: Ledger) -> str:
    """户编号_户主.xlsx, safe on Windows and Linux."""
    return _UNSAFE_FILE_CHARS.sub("_", xlsx.safe_text(sheet_name(ledger))).strip("._") + ".xlsx"


def footer(ledger: Ledger) -> str:
    """Every page's footer names the household, so that loose pages can be sorted."""
    return f"户编号 {ledger.code}　户主 {ledger.head or '（无在册户主）'}"


def _print_setup(printed_on: dt.date):
    def setup(ws) -> None:
        xlsx.a4(ws, footer_date=printed_on)
        # each household's pages are numbered from 1, also when the whole workbook is printed at once
        ws.page_setup.firstPageNumber = 1
        ws.page_setup.useFirstPageNumber = True
        for side, inches in MARGINS.items():
            setattr(ws.page_margins, side, inches)

    return setup


def write_workbook(ledgers: Iterable[Ledger], path: Path, *, printed_on: dt.date | None = None,
                   layout: Callable[[LedgerSheet, Ledger], None] | None = None) -> int:
    """All the ledgers in one workbook, a sheet per household; returns how many were written.

    ``layout`` lays out one household's sheet: the five ledgers (default) or another form on the same grid
    (``form_xlsx.write_form``, the 入户核实表).

    Nothing is written when there is no ledger; a failure leaves no half-written file behind."""
    printed_on = printed_on or dt.date.today()
    book = StreamingWorkbook(path, print_setup=_print_setup(printed_on))
    taken: set[str] = set()
    folded: set[str] = set()  # Excel compares sheet names without regard to case
    try:
        for ledger in ledgers:
            title = xlsx.sheet_title(sheet_name(ledger), taken)
            while title.casefold() in folded:
                taken.add(title)
                title = xlsx.sheet_title(sheet_name(ledger), taken)
            taken.add(title)
            folded.add(title.casefold())
            sheet = LedgerSheet(book, title, printed_on)
            (layout or write_ledger)(sheet, ledger)
            sheet.close(footer(ledger))
    except BaseException:
        book.discard()
        raise
    if not book.sheet_count:
        book.discard()
        return 0
    book.close()
    return book.sheet_count


def write_split(ledgers: Iterable[Ledger], folder: Path, *, printed_on: dt.date | None = None,
                layout: Callable[[LedgerSheet, Ledger], None] | None = None) -> list[Path]:
    """One workbook per household in a folder (户编号_户主.xlsx); returns the files written."""
    printed_on = printed_on or dt.date.today()
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for ledger in ledgers:
        path = folder / file_name(ledger)
        write_workbook([ledger], path, printed_on=printed_on, layout=layout)
        written.append(path)
    return written
