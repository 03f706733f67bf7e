"""The projects workbook a township or county office prints: a summary and the ledgers of projects, assets, idle or
damaged assets, unpaid dividends, jobs and training — A4 landscape, title and header rows repeated on every page,
the area and the day in every page's header, and the signature lines an office signs (制表人、审核人、负责人、
单位（盖章）、日期). Read only: the data comes from reports.extras; the unmasked export (``--show-ids``) is audited
by the command (``Book.unmasked``), since a report only reads.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from sqlalchemy.orm import Session

from povmon import files, xlsx
from povmon.models import Area
from povmon.reports import extras
from povmon.services import projects

SIGNATURES = xlsx.SIGNERS


@dataclass
class Sheet:
    title: str  # the sheet's name and the title's subject
    columns: list[str]
    rows: list[list[object]]
    money: set[int] = field(default_factory=set)  # 0-based columns holding amounts
    note: str | None = None  # a line under the title (what the sheet counts)


@dataclass
class Book:
    area: str  # whose figures: 交城县, 西营镇 …
    as_of: dt.date
    year: int
    sheets: list[Sheet]
    unmasked: list[str] = field(default_factory=list)  # households whose ID numbers are shown (to audit)


def _m(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def collect(session: Session, area: Area | None, day: dt.date, year: int | None = None, *,
            show_ids: bool = False) -> Book:
    """Everything the workbook shows, as of a day (training and dividends: over the year)."""
    year = year or day.year
    ids = extras.under(session, area)
    name = area.name if area is not None else _county_name(session)
    summary = extras.summary(session, area, day, year)
    emp = summary["employment"]
    overview = Sheet("汇总", ["指标", "数值"], [
        ["党员人数（在册）", summary["party_members"]],
        ["务工人数", emp["people"]], ["其中：贫困户（建档立卡户）务工人数", emp["registered_people"]],
        ["贫困户务工年工资合计（元，月工资×12）", _m(emp["registered_yearly_wage_yuan"])],
        [f"月工资{extras.MONTHLY_WAGE_THRESHOLD:.0f}元以上的贫困户（户）", emp["wage_households"]],
        [f"月工资{extras.MONTHLY_WAGE_THRESHOLD:.0f}元以上的贫困户人口（人）", emp["wage_people"]],
        *[[f"贫困户务工户数：{k}", v] for k, v in emp["registered_households_by_industry"].items()],
        ["累计培训户数", summary["trained_households"]], ["累计培训人数", summary["trained_people"]],
        [f"{year}年培训户数", summary["trained_households_in_year"]],
        [f"{year}年培训人数", summary["trained_people_in_year"]],
        ["项目个数", summary["projects"]], ["项目总投资（元）", _m(summary["investment_yuan"])],
        *[[f"{extras.PROJECT_KIND.label(k)}项目（个 / 元）", f"{v['projects']} / {v['investment']}"]
          for k, v in summary["projects_by_kind"].items()],
        [f"{year}年分红户数", summary["dividend_households"]],
        [f"{year}年分红金额（元）", _m(summary["dividends_yuan"])],
        ["项目资产（项）", summary["assets"]], ["其中闲置、损毁（项）", summary["assets_needing_attention"]],
    ], note=f"党员、务工、资产为 {day.isoformat()} 的情况；培训、分红为 {year} 年（至 {day.isoformat()}）")
    project_rows = extras.projects(session, ids, year)
    project_columns = ["项目名称", "所在地", "类别", "总投资（元）", "资金来源", "开工日期", "完工日期", "受益户",
                       "每户年分红（元）", f"{year}年发放分红户", f"{year}年发放分红（元）", "资产价值（元）"]
    project_sheet = Sheet("项目台账", project_columns,
                          [[p["name"], p["area"], p["kind_label"], _m(p["investment"]),
                            "；".join(f"{k} {v}" for k, v in p["funding"].items()), p["start"], p["completed"],
                            p["beneficiary_households"], _m(p["dividend_per_household"]), p["dividend_households"],
                            _m(p["dividends_yuan"]), _m(p["asset_value"])] for p in project_rows],
                          money={3, 8, 10, 11})
    asset_columns = ["资产名称", "所属项目", "所在地", "资产价值（元）", "权属", "管护主体", "状态", "状态日期", "说明"]

    def asset_rows(rows):
        return [[a["name"], a["project"], a["area"], _m(a["value"]), a["owner"], a["custodian"], a["status_label"],
                 a["since"], a["note"]] for a in rows]

    assets_sheet = Sheet("资产台账", asset_columns, asset_rows(extras.assets(session, day, ids)), money={3})
    attention = Sheet("闲置损毁资产", asset_columns, asset_rows(extras.assets(session, day, ids, attention_only=True)),
                      money={3}, note="闲置、损毁的帮扶项目资产，须限期盘活或修复")
    unpaid = Sheet(f"{year}年未发分红", ["项目名称", "所在地", "受益户", "已发户", "未发的户编号"],
                   [[u["project"], u["area"], u["beneficiaries"], u["paid"], "、".join(u["unpaid"])]
                    for u in projects.unpaid(session, year, ids)])
    job_rows = extras.jobs(session, day, ids, show_ids=show_ids)
    jobs = Sheet("务工人员", ["户编号", "姓名", "身份证号", "企业", "行业", "岗位", "开始日期", "月工资（元）"],
                 [[r["household"], r["name"], r["id_number"], r["enterprise"], r["industry"], r["post"], r["from"],
                   _m(r["monthly_wage"])] for r in job_rows], money={7})
    trainings = Sheet(f"{year}年培训", ["培训内容", "日期", "培训机构", "地区", "人数"],
                      [[t["course"], t["date"], t["provider"], t["area"], t["participants"]]
                       for t in extras.trainings(session, dt.date(year, 1, 1), min(day, dt.date(year, 12, 31)), ids)])
    return Book(name, day, year, [overview, project_sheet, assets_sheet, attention, unpaid, jobs, trainings],
                sorted({r["household"] for r in job_rows}) if show_ids else [])


def _county_name(session: Session) -> str:
    from sqlalchemy import select

    names = session.scalars(select(Area.name).where(Area.parent_id.is_(None)).order_by(Area.id)).all()
    return "、".join(names) or "全部"


def write(book: Book, path: Path) -> Path:
    """Write the workbook atomically."""
    wb = Workbook()
    wb.remove(wb.active)
    taken: list[str] = []
    for sheet in book.sheets:
        name = xlsx.sheet_title(sheet.title, taken)
        taken.append(name)
        _sheet(wb.create_sheet(name), book, sheet)
    with files.atomic(path, private=True) as temporary:
        wb.save(temporary)
    return path


def _sheet(ws, book: Book, sheet: Sheet) -> None:
    last = len(sheet.columns)
    subject = f"{book.area}{sheet.title}"
    xlsx.title(ws, 1, subject, last)
    line = sheet.note or f"截至 {book.as_of.isoformat()}"
    xlsx.put(ws, 2, 1, f"{line}    填报单位：{book.area}", border=False, align=xlsx.LEFT_NOWRAP)
    xlsx.header_row(ws, 3, sheet.columns)
    painter = xlsx.Painter(ws)
    row = 4
    for values in sheet.rows:
        for j, value in enumerate(values, start=1):
            fmt = xlsx.MONEY_FORMAT if (j - 1) in sheet.money and value is not None else None
            painter.put(row, j, value, number_format=fmt)
        row += 1
    if not sheet.rows:
        xlsx.put(ws, row, 1, "（无）", align=xlsx.CENTER)
        if last > 1:
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last)
        row += 1
    xlsx.fit_widths(ws, first_row=3, maximum=36 if last > 2 else 60)
    widths = [ws.column_dimensions[get_column_letter(j)].width or 10 for j in range(1, last + 1)]
    for i, values in enumerate(sheet.rows, start=4):  # a wrapped cell's row grows to show all of it on paper
        lines = max((xlsx.text_lines(v, w) for v, w in zip(values, widths, strict=False) if isinstance(v, str)),
                    default=1)
        if lines > 1:
            ws.row_dimensions[i].height = xlsx.line_height() * lines
    row += 1
    # the signature lines: spread over the columns, one row each for signatures and the date
    step = max(1, last // len(SIGNATURES))
    for k, label in enumerate(SIGNATURES):
        column = 1 + k * step if last >= len(SIGNATURES) else 1
        target = row if last >= len(SIGNATURES) else row + k
        xlsx.put(ws, target, column, label + ("　　年　月　日" if label == "日期：" else ""), border=False,
                 align=xlsx.LEFT_NOWRAP)
        ws.row_dimensions[target].height = 30
    ws.freeze_panes = "A4"
    xlsx.a4(ws, landscape=last > 5, repeat_rows="1:3", footer_date=dt.date.today())
    ws.oddHeader.center.text = f"{book.area}  {sheet.title}（截至 {book.as_of.isoformat()}）"
    ws.oddHeader.center.font = xlsx.FONT_NAME
    ws.oddHeader.center.size = 9
    ws.page_margins.top, ws.page_margins.header = 0.8, 0.3  # room for the page header above the title
