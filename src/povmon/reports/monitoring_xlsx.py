"""The monitoring month as a workbook (``povmon monitor report -o OUT.xlsx``), in the house style (povmon.xlsx).

Sheets: 汇总 (every area: leads by source, open, overdue, decided, newly included by type, eliminated; signature
lines of the office that reports), 按规则 (leads by rule), 预警名单, 逾期, 公示 (for posting in the village: names,
village, type only; the village committee signs) and one 反馈-<部门> per department (each row of its list with
match and outcome, for sending back; the office that answers signs). Every sheet prints on A4, repeats its header
rows and names its area and month in the page header, so every printed page says whose it is.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from povmon import files, xlsx
from povmon.reports.monitoring import MonitorReport
from povmon.rules import monitoring as R

STATUS = {"open": "核实中", "overdue": "逾期未决", "decided": "已决定"}
SOURCE = {"register": "花名册", "hand": "手工"}


def _sheet(wb: Workbook, name: str, heading: str, title: str, labels: list[str], widths: list[float], *,
           landscape: bool = True, note: str | None = None, printed: dt.date) -> tuple[Worksheet, xlsx.Painter, int]:
    ws = wb.create_sheet(name)
    last = len(labels)
    xlsx.title(ws, 1, f"{heading}{title}", last)
    row = 2
    if note:
        xlsx.put(ws, 2, 1, note, font=xlsx.FONT_SMALL, border=False)
        ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=last)
        row = 3
    xlsx.header_row(ws, row, labels)
    ws.row_dimensions[row].height = 30
    xlsx.widths(ws, widths)
    xlsx.a4(ws, landscape=landscape, repeat_rows=f"{row}:{row}", footer_date=printed)
    ws.oddHeader.center.text = xlsx.safe_text(f"{heading}{title}")
    ws.oddHeader.center.size = 9
    ws.page_margins.top = 0.8  # room for the page header naming the area
    ws.page_margins.header = 0.3
    ws.freeze_panes = ws.cell(row=row + 1, column=1)
    return ws, xlsx.Painter(ws), row + 1


def _signatures(ws: Worksheet, row: int, parts: list[str], last: int) -> None:
    """A line of 签字 blanks under a table (one blank row below it), each part merged over its share of columns."""
    row += 1
    span = max(1, last // len(parts))
    for i, text in enumerate(parts):
        first = 1 + i * span
        xlsx.put(ws, row, first, text, border=False, align=xlsx.LEFT_NOWRAP)
        end = last if i == len(parts) - 1 else first + span - 1
        if end > first:
            ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=end)
    ws.row_dimensions[row].height = 40


def _fit_height(ws: Worksheet, row: int, values: list, widths: list[float]) -> None:
    """A data row tall enough for its wrapped text (LibreOffice and Excel do not grow a row on opening)."""
    lines = max((xlsx.text_lines(v, w) for v, w in zip(values, widths, strict=False) if isinstance(v, str)),
                default=1)
    if lines > 1:
        ws.row_dimensions[row].height = xlsx.line_height() * lines + 2


def write(report: MonitorReport, path: str | Path, *, force: bool = False, printed: dt.date | None = None) -> Path:
    """Write the monitoring workbook atomically; returns its path."""
    printed = printed or dt.date.today()
    wb = Workbook()
    wb.remove(wb.active)
    heading = f"{report.title} {report.as_of.year}年{report.as_of.month}月"
    _summary(wb, report, heading, printed)
    _by_rule(wb, report, heading, printed)
    _warnings(wb, report, heading, printed)
    _overdue(wb, report, heading, printed)
    _publicity(wb, report, heading, printed)
    for dept, rows in report.feedback.items():
        _feedback(wb, dept, rows, heading, printed)
    target = Path(path)
    with files.atomic(target) as temporary:
        wb.save(temporary)
    return target


def _summary(wb, report: MonitorReport, heading: str, printed) -> None:
    labels = ["区划", "本月线索", "部门筛查", "花名册", "手工登记", "未决", "其中逾期", "本月决定", "纳入", "不纳入",
              "新纳入脱贫不稳定户", "新纳入边缘易致贫户", "新纳入突发严重困难户", "风险消除"]
    ws, paint, row = _sheet(wb, "汇总", heading, "防止返贫动态监测月报", labels, [24] + [8.5] * 13,
                            note=f"统计截至 {report.as_of.isoformat()}；线索超过{R.DEADLINE_DAYS}天未作决定为逾期。",
                            printed=printed)
    for area in report.areas:
        dept = sum(n for s, n in area.by_source.items() if s in R.DEPTS)
        values = ["　" * area.depth + area.name, area.leads, dept, area.by_source.get("register", 0),
                  area.by_source.get("hand", 0), area.open, area.overdue, area.decided, area.included, area.excluded,
                  area.included_by_type.get("unstable", 0), area.included_by_type.get("near_poor", 0),
                  area.included_by_type.get("hardship", 0), area.eliminated]
        for column, value in enumerate(values, start=1):
            paint.put(row, column, value, font=xlsx.FONT_BOLD if area.depth == 0 else xlsx.FONT)
        row += 1
    signers = ["填报单位（盖章）：", "负责人（签字）：", "填报人（签字）：", "日期：　　年　月　日"]
    _signatures(ws, row, signers, len(labels))


def _by_rule(wb, report: MonitorReport, heading: str, printed) -> None:
    codes = list(R.RULES)
    labels = ["区划", *(R.RULES[c] for c in codes), "合计"]
    _, paint, row = _sheet(wb, "按规则", heading, "本月线索（按规则）", labels, [24] + [8] * (len(codes) + 1),
                            printed=printed)
    for area in report.areas:
        values = ["　" * area.depth + area.name, *(area.by_rule.get(c, 0) for c in codes), area.leads]
        for column, value in enumerate(values, start=1):
            paint.put(row, column, value)
        row += 1


LEAD_LABELS = ["编号", "乡镇", "村", "户编号", "户主", "成员", "身份证号", "规则", "情况", "来源", "发现日期",
               "办结期限", "状态"]
LEAD_WIDTHS = [6, 10, 10, 18, 8, 8, 20, 18, 40, 8, 11, 11, 9]


def _lead_values(item: dict) -> list:
    status = STATUS[item["status"]]
    if item.get("result"):
        status = R.RESULTS[item["result"]]
    return [item["lead"], item["township"], item["village"], item["household"], item["head"] or "",
            item["member"] or "", item["id_number"] or "", item["rule_label"], item["detail"] or "",
            SOURCE.get(item["source"], item["source"]), dt.date.fromisoformat(item["detected_on"]),
            dt.date.fromisoformat(item["deadline"]), status]


def _warnings(wb, report: MonitorReport, heading: str, printed) -> None:
    ws, paint, row = _sheet(wb, "预警名单", heading, "预警名单（本月线索）", LEAD_LABELS, LEAD_WIDTHS,
                            note="请村级逐户入户核实，核实时请农户签订承诺授权书。", printed=printed)
    for item in report.warnings:
        values = _lead_values(item)
        for column, value in enumerate(values, start=1):
            paint.put(row, column, value)
        _fit_height(ws, row, values, LEAD_WIDTHS)
        row += 1
    if not report.warnings:
        xlsx.put(ws, row, 1, "本月无新线索。")
        row += 1
    _signatures(ws, row, ["乡镇经办人（签字）：", "", "日期：　　年　月　日"], len(LEAD_LABELS))


def _overdue(wb, report: MonitorReport, heading: str, printed) -> None:
    labels = [*LEAD_LABELS, "已过天数"]
    ws, paint, row = _sheet(wb, "逾期", heading, "逾期未决线索", labels, [*LEAD_WIDTHS, 8], printed=printed)
    for item in report.overdue:
        values = [*_lead_values(item), item["days"]]
        for column, value in enumerate(values, start=1):
            paint.put(row, column, value)
        _fit_height(ws, row, values, LEAD_WIDTHS)
        row += 1
    if not report.overdue:
        xlsx.put(ws, row, 1, "无逾期线索。")


def _publicity(wb, report: MonitorReport, heading: str, printed) -> None:
    labels = ["序号", "乡镇", "村", "户主姓名", "监测对象类型", "纳入日期"]
    ws, paint, row = _sheet(wb, "公示", heading, "防止返贫监测对象纳入公示", labels, [6, 14, 14, 14, 18, 14],
                            landscape=False, note="公示期不少于5天。如有异议，请向村民委员会或乡镇反映。",
                            printed=printed)
    for number, item in enumerate(report.publicity, start=1):
        values = [number, item["township"], item["village"], item["head"] or "", item["type_label"],
                  dt.date.fromisoformat(item["date"])]
        for column, value in enumerate(values, start=1):
            paint.put(row, column, value)
        row += 1
    if not report.publicity:
        xlsx.put(ws, row, 1, "本月无新纳入的监测对象。")
        row += 1
    _signatures(ws, row, ["村民委员会（盖章）：", "公示期：　　年　月　日至　　年　月　日"], len(labels))


def _feedback(wb, dept: str, rows: list[dict], heading: str, printed) -> None:
    labels = ["批次", "行号", "姓名", "身份证号", "日期", "比对结果", "户编号", "乡镇", "村", "线索", "办理结果"]
    ws, paint, row = _sheet(wb, xlsx.sheet_title(f"反馈-{dept}"), heading, f"{dept}数据比对结果反馈", labels,
                            [6, 6, 8, 20, 11, 8, 18, 10, 10, 6, 10], printed=printed)
    for item in rows:
        values = [item["batch"], item["row"], item["name"] or "", item["id_number"],
                  dt.date.fromisoformat(item["date"]), "在册" if item["matched"] else "不在册", item["household"] or "",
                  item["township"], item["village"], item["lead"] or "", item["outcome"]]
        for column, value in enumerate(values, start=1):
            paint.put(row, column, value)
        row += 1
    _signatures(ws, row, ["反馈单位（盖章）：", "经办人（签字）：", "日期：　　年　月　日"], len(labels))
