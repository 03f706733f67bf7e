"""The annual 入户核实表 (``povmon ledger --form``): each household's current data pre-printed on A4, a blank
column beside each field to correct on the visit, and the lines the household head and the cadre sign.

It reads the same ``Ledger`` as the five ledgers and is laid out on their twelve-column grid
(``ledger_xlsx.LedgerSheet``): the same house style, page breaks before headings, each household's pages
numbered on their own with a footer naming 户编号 and 户主. Only reads.
"""

from __future__ import annotations

from povmon.reports.ledger import Ledger
from povmon.reports.ledger_xlsx import (
    COLUMNS,
    TITLE_HEIGHTS,
    LedgerSheet,
    Span,
    _housing,
    _or_blank,
    _section,
    _status_text,
    _yes_no,
    short_work,
)
from povmon.rules.income import COMPONENT_LABELS

CHECK = "核实更正（无变化打√）"
WRITE_HEIGHT = 26  # points: room to write a correction by hand
NEW_MEMBERS = 2  # blank rows for members who joined since


def _field(sheet: LedgerSheet, label: str, value: object) -> None:
    """项目 (3 columns) | 现登记 (5) | 核实更正 (4, blank)."""
    sheet.add([Span(label, 3, "label"), Span(_or_blank(value), 5, "text"), Span(None, 4, "text")],
              height=max(WRITE_HEIGHT, LedgerSheet.measure([Span(label, 3, "label"), Span(str(value), 5, "text"),
                                                             Span(None, 4, "text")])))


def _field_header(sheet: LedgerSheet) -> None:
    sheet.add([Span("项目", 3, "header"), Span("现登记情况", 5, "header"), Span(CHECK, 4, "header")])


MEMBER_HEADER = [
    Span("", 1, "header"), Span("姓名", 1, "header"), Span("身份证号", 2, "header"), Span("与户主\n关系", 1, "header"),
    Span("性别\n年龄", 1, "header"), Span("文化程度", 1, "header"), Span("在校生\n状况", 1, "header"),
    Span("健康状况", 1, "header"), Span("劳动技能\n务工状况", 2, "header"), Span("参保及\n保障", 1, "header"),
]


def write_form(sheet: LedgerSheet, ledger: Ledger) -> None:
    """Lay out one household's 入户核实表 on its sheet."""
    head = ledger.head or "（无在册户主）"
    who = f"{ledger.head}户" if ledger.head else f"户编号 {ledger.code}"
    year = ledger.as_of.year
    sheet.add([Span(f"{who} {year}年入户核实表", COLUMNS, "title")], height=TITLE_HEIGHTS[0], title=True)
    sheet.add([Span(f"{ledger.place}　户编号：{ledger.code}　户主：{head}　登记情况截至 {ledger.as_of.isoformat()}",
                    COLUMNS, "subtitle")], height=TITLE_HEIGHTS[1], title=True)
    with sheet.together():
        _section(sheet, "一、户基本情况")
        _field_header(sheet)
        _field(sheet, "户主", ledger.head or "无在册户主")
        _field(sheet, "联系电话", ledger.phone)
        _field(sheet, "贫困户属性", ledger.attribute)
        _field(sheet, "脱贫状态", _status_text(ledger))
        _field(sheet, "监测对象", ledger.monitoring or "否")
        _field(sheet, "主要致贫原因", ledger.main_cause)
        _field(sheet, "在册人口（人）", ledger.members_present)
        _field(sheet, "住房安全", _housing(ledger.housing))
        _field(sheet, "安全饮水", _yes_no(ledger.safe_water))
        _field(sheet, "两不愁（吃穿）", _yes_no(ledger.food_clothing))
        _field(sheet, "通生活用电", _yes_no(ledger.electricity))
        _field(sheet, "通入户路", _yes_no(ledger.road))
        _field(sheet, "耕地（亩）", ledger.arable_land)
        _field(sheet, "林地（亩）", ledger.forest_land)
        _field(sheet, "帮扶责任人", "\n".join(c.text() for c in ledger.cadres) or "未结对")
    _members(sheet, ledger)
    _income(sheet, ledger)
    _signatures(sheet)


def _members(sheet: LedgerSheet, ledger: Ledger) -> None:
    present = [m for m in ledger.members if m.present]
    with sheet.together(keep=4):
        _section(sheet, "二、家庭成员（每人两行：上行为现登记，下行填写核实更正；已不在户内的写明死亡或迁出及日期）")
        sheet.add(MEMBER_HEADER)
        for m in present:
            sex_age = "/".join(x for x in (m.sex, None if m.age is None else str(m.age)) if x)
            sheet.add([
                Span("现登记", 1, "label"), Span(m.name, 1, "center"), Span(m.id_number, 2, "center"),
                Span(m.relation, 1, "center"), Span(sex_age, 1, "center"), Span(m.education, 1, "center"),
                Span(m.school_status, 1, "center"), Span(m.health, 1, "center"),
                Span(short_work(m.labour, m.work), 2, "center"), Span(m.cover, 1, "center"),
            ])
            _blank_member(sheet, "核实")
        for _ in range(NEW_MEMBERS):
            _blank_member(sheet, "新增")


def _blank_member(sheet: LedgerSheet, label: str) -> None:
    spans = [Span(label, 1, "label"), Span(None, 1, "text"), Span(None, 2, "text")]
    spans += [Span(None, 1, "text")] * 5 + [Span(None, 2, "text"), Span(None, 1, "text")]
    sheet.add(spans, height=WRITE_HEIGHT)


def _income(sheet: LedgerSheet, ledger: Ledger) -> None:
    year = ledger.card_year
    card = ledger.card_income
    with sheet.together():
        _section(sheet, f"三、{year}年家庭收入（元；现登记为空的请如实填写）")
        _field_header(sheet)
        for name in ("wage", "business", "business_expense", "property", "transfer"):
            _field(sheet, COMPONENT_LABELS[name], getattr(card.income, name) if card else None)
        _field(sheet, "家庭纯收入", card.net if card else None)
        _field(sheet, "人均纯收入", card.per_capita if card else None)


def _signatures(sheet: LedgerSheet) -> None:
    with sheet.together():
        sheet.blank(18)
        sheet.add([Span("户主（签字或按手印）：", 3, "plain"), Span(None, 3, "sign"),
                   Span("帮扶责任人（签字）：", 3, "plain"), Span(None, 3, "sign")], height=30)
        sheet.add([Span("村委会（盖章）：", 3, "plain"), Span(None, 3, "sign"), Span("核实日期：", 3, "plain"),
                   Span("　　　年　　月　　日", 3, "plain")], height=30)
