"""The inspection report (``povmon report inspections --year|--month``): a period's inspections, their findings
by kind and category, and the rectifications open and overdue as of a day. Read only (services.inspections reads
the records); the workbook is ``write``: 督查汇总, 问题清单, 逾期未整改 — A4 landscape, titles repeated, every page
headed with the scope and period, and the lines where the office signs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy.orm import Session

from povmon import files, xlsx
from povmon.models import Area
from povmon.reports.attendance import Period
from povmon.rules import inspection as rules
from povmon.services import inspections
from povmon.services.lookup import find_area

LIST = ["编号", "督查日期", "方式", "类别", "工作队", "干部", "问题描述", "整改期限", "责任人", "整改情况", "整改日期",
        "整改佐证"]
LIST_WIDTHS = [6, 12, 11, 10, 20, 13, 30, 12, 12, 11, 12, 24]


@dataclass
class InspectionReport:
    period: Period
    scope: Area | None
    as_of: dt.date
    inspections: int
    by_kind: dict[str, int]  # inspections per kind
    rows: list[dict]  # findings (services.inspections.finding_json)

    @property
    def scope_name(self) -> str:
        return self.scope.name if self.scope is not None else "全县"

    def matrix(self) -> list[dict]:
        """Findings per kind and category, with the open and overdue among them."""
        out = []
        for kind in rules.KIND.labels():
            for category in rules.CATEGORY.labels():
                mine = [r for r in self.rows if r["kind"] == kind and r["category"] == category]
                if mine:
                    out.append({"kind": kind, "category": category, "findings": len(mine),
                                **{s: sum(1 for r in mine if r["status"] == s) for s in rules.STATUS.labels()}})
        return out

    def overdue(self) -> list[dict]:
        return [r for r in self.rows if r["status"] == rules.STATUS.label("overdue")]

    def as_json(self) -> dict:
        return {"period": self.period.label, "from": self.period.first.isoformat(),
                "to": self.period.last.isoformat(), "as_of": self.as_of.isoformat(), "area": self.scope_name,
                "inspections": self.inspections, "inspections_by_kind": self.by_kind, "findings": len(self.rows),
                "status": {s: sum(1 for r in self.rows if r["status"] == s) for s in rules.STATUS.labels()},
                "by_kind_and_category": self.matrix(), "rows": self.rows}


def build(session: Session, period: Period, area: str | Area | None = None, *,
          today: dt.date | None = None) -> InspectionReport:
    today = today or dt.date.today()
    scope = find_area(session, area) if isinstance(area, str) else area
    found = inspections.inspections(session, period.first, period.last, scope)
    by_kind = {k: sum(1 for i in found if rules.KIND.label(i.kind) == k) for k in rules.KIND.labels()}
    rows = [inspections.finding_json(f, today) for i in found for f in i.findings]
    return InspectionReport(period, scope, today, len(found), by_kind, rows)


def _head(ws, report: InspectionReport, title: str, width: int, today: dt.date) -> int:
    note = (f"督查期间 {report.period.first.isoformat()} 至 {report.period.last.isoformat()}；整改情况截至 "
            f"{report.as_of.isoformat()}；逾期：过了整改期限仍未整改。")
    return xlsx.report_head(ws, f"{report.scope_name}{report.period.title}{title}", note, width,
                            f"{report.scope_name} {report.period.title} {title}", today)


def _list(ws, report: InspectionReport, rows: list[dict], row: int) -> int:
    xlsx.header_row(ws, row, LIST)
    for r in rows:
        row += 1
        values = [r["id"], r["date"], r["kind"], r["category"], r["team"] or "", r["cadre"] or "", r["description"],
                  r["deadline"] or "", r["responsible"], r["status"], r["rectified_on"] or "", r["evidence"] or ""]
        fill = xlsx.WARNING_FILL if r["status"] == rules.STATUS.label("overdue") else None
        for col, value in enumerate(values, start=1):
            xlsx.put(ws, row, col, value, fill=fill, align=xlsx.CENTER if col in (1, 2, 8, 10, 11) else xlsx.LEFT)
        lines = max(xlsx.text_lines(r["description"], LIST_WIDTHS[6]), xlsx.text_lines(r["evidence"], LIST_WIDTHS[11]),
                    xlsx.text_lines(r["team"], LIST_WIDTHS[4]), xlsx.text_lines(r["cadre"], LIST_WIDTHS[5]),
                    xlsx.text_lines(r["responsible"], LIST_WIDTHS[8]))
        ws.row_dimensions[row].height = max(18, lines * xlsx.line_height())
    if not rows:
        row += 1
        xlsx.put(ws, row, 1, "没有。", border=False)
    xlsx.widths(ws, LIST_WIDTHS)
    return row


def write(report: InspectionReport, path: Path, *, today: dt.date | None = None) -> None:
    today = today or dt.date.today()
    wb = Workbook()
    ws = wb.active
    ws.title = "督查汇总"
    statuses = rules.STATUS.labels()
    head = ["督查方式", "问题类别", "问题数", *statuses]
    row = _head(ws, report, "督查情况汇总表", len(head), today)
    xlsx.header_row(ws, row, head)
    matrix = report.matrix()
    for m in matrix:
        row += 1
        for col, value in enumerate([m["kind"], m["category"], m["findings"], *(m[s] for s in statuses)], 1):
            xlsx.put(ws, row, col, value, align=xlsx.CENTER)
    row += 1
    totals = ["合计", f"督查 {report.inspections} 次", len(report.rows),
              *(sum(1 for r in report.rows if r["status"] == s) for s in statuses)]
    for col, value in enumerate(totals, 1):
        xlsx.put(ws, row, col, value, font=xlsx.FONT_BOLD, align=xlsx.CENTER)
    row += 1
    kinds = "；".join(f"{k} {n} 次" for k, n in report.by_kind.items())
    xlsx.put(ws, row, 1, f"督查次数：{kinds}。", border=False)
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(head))
    xlsx.widths(ws, [14, 14, 10, 10, 12, 10, 10])
    xlsx.signatures(ws, row, len(head))

    ws = wb.create_sheet("问题清单")
    row = _list(ws, report, report.rows, _head(ws, report, "督查问题及整改清单", len(LIST), today))
    xlsx.signatures(ws, row, len(LIST))
    ws = wb.create_sheet("逾期未整改")
    row = _list(ws, report, report.overdue(), _head(ws, report, "逾期未整改问题清单", len(LIST), today))
    xlsx.signatures(ws, row, len(LIST))
    with files.atomic(path) as temporary:
        wb.save(temporary)
