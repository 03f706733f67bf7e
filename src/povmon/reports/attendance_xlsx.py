"""The attendance report as a workbook for print: 考勤汇总 (per township and team, each member; those below the
threshold shaded), 请销假台账 (the leave ledger) and 应交未交 (reports and work logs due but missing). A4
landscape, header rows repeated on every page, each page headed with whose figures they are, and the lines
where the office signs (制表人、审核人、负责人、单位（盖章）、日期)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook

from povmon import files, xlsx
from povmon.rules import idcard
from povmon.rules import workteam as rules
from povmon.services.attendance_figures import AttendanceReport

SUMMARY = ["乡镇", "村", "工作队", "姓名", "身份证号", "职务", "工作日", "在村", "其中公务外出", "在村比例%",
           "本期请假", "本年请假", "缺勤", "未登记", "工作日志/应交", "情况"]
SUMMARY_WIDTHS = [10, 10, 20, 12, 21, 9, 7, 6, 8, 8, 7, 7, 6, 7, 10, 14]
LEAVES = ["编号", "工作队", "姓名", "开始", "结束", "天数", "事由", "审批层级", "审批人", "销假日期", "情况"]
LEAVE_WIDTHS = [6, 20, 12, 11, 11, 6, 22, 11, 10, 11, 12]
MISSING = ["工作队", "姓名", "项目", "已交", "应交", "缺"]
MISSING_WIDTHS = [24, 14, 12, 8, 8, 8]


def _head(ws, report: AttendanceReport, title: str, width: int, today: dt.date) -> int:
    note = (f"统计期间 {report.period.first.isoformat()} 至 {report.as_of.isoformat()}；工作日按国家法定节假日安排"
            f"（含调休）；在村含报备的公务外出；在村不足工作日 {report.rules.share_text} 的标为“低于”，"
            f"全年请假超过 {report.rules.leave_year_days} 天的标为“应召回”。")
    return xlsx.report_head(ws, f"{report.scope_name}驻村工作队{title}（{report.period.title}）", note, width,
                            f"{report.scope_name} 驻村工作队{title} {report.period.title}", today)


def write(report: AttendanceReport, path: Path, *, today: dt.date | None = None) -> None:
    today = today or dt.date.today()
    wb = Workbook()
    ws = wb.active
    ws.title = "考勤汇总"
    row = _head(ws, report, "考勤统计表", len(SUMMARY), today)
    xlsx.header_row(ws, row, SUMMARY)
    paint = xlsx.Painter(ws)
    for team in report.teams:
        for m in team.members:
            row += 1
            f = m.figures
            pct = f.share_pct()
            notes = []
            if f.below(report.rules):
                notes.append("低于")
            if m.recall(report.rules):
                notes.append("应召回")
            fill = xlsx.WARNING_FILL if notes else None
            values = [team.township, team.village, team.name, m.name, idcard.mask(m.id_number),
                      rules.TEAM_ROLE.label(m.role), f.working_days, f.in_village, f.official,
                      "" if pct is None else f"{pct:.1f}", f.leave_days, m.leave_year_days, f.absent, f.unrecorded,
                      f"{m.logs}/{m.logs_due}", "、".join(notes)]
            for col, value in enumerate(values, start=1):
                align = xlsx.CENTER if col >= 6 else xlsx.LEFT
                if fill:
                    paint.put(row, col, value, fill=fill, align=align)
                else:
                    paint.put(row, col, value, align=align)
        row += 1
        total = team.figures()
        pct = total.share_pct()
        values = [team.township, team.village, team.name, f"小计 {total.people} 人", "", "", total.working_days,
                  total.in_village, total.official, "" if pct is None else f"{pct:.1f}", total.leave_days, "",
                  total.absent, total.unrecorded, f"汇报 {team.reports}/{team.reports_due}", ""]
        for col, value in enumerate(values, start=1):
            paint.put(row, col, value, font=xlsx.FONT_BOLD, align=xlsx.CENTER if col >= 6 else xlsx.LEFT)
    if not report.teams:
        row += 1
        xlsx.put(ws, row, 1, "本期没有在岗的工作队队员。", border=False)
    xlsx.widths(ws, SUMMARY_WIDTHS)
    xlsx.signatures(ws, row, len(SUMMARY))

    ws = wb.create_sheet("请销假台账")
    row = _head(ws, report, "请销假台账", len(LEAVES), today)
    xlsx.header_row(ws, row, LEAVES)
    for lv in report.leaves:
        row += 1
        values = [lv.id, lv.team, lv.name, lv.start_on, lv.end_on, lv.days, lv.reason or "",
                  rules.APPROVAL_LEVEL.label(lv.level) or "未批准", lv.approved_by or "", lv.returned_on or "",
                  lv.problem or "正常"]
        for col, value in enumerate(values, start=1):
            xlsx.put(ws, row, col, value, fill=xlsx.WARNING_FILL if lv.problem else None,
                     align=xlsx.CENTER if col in (1, 4, 5, 6, 10) else xlsx.LEFT)
    if not report.leaves:
        row += 1
        xlsx.put(ws, row, 1, "本期没有请假。", border=False)
    xlsx.widths(ws, LEAVE_WIDTHS)
    xlsx.signatures(ws, row, len(LEAVES))

    ws = wb.create_sheet("应交未交")
    row = _head(ws, report, "汇报与工作日志应交未交", len(MISSING), today)
    xlsx.header_row(ws, row, MISSING)
    missing = report.missing()
    for d in missing:
        row += 1
        for col, value in enumerate([d.team, d.name or "（全队）", d.what, d.done, d.due, d.due - d.done], start=1):
            xlsx.put(ws, row, col, value)
    if not missing:
        row += 1
        xlsx.put(ws, row, 1, "汇报和工作日志都已按时提交。", border=False)
    xlsx.widths(ws, MISSING_WIDTHS)
    xlsx.signatures(ws, row, len(MISSING))

    with files.atomic(path) as temporary:
        wb.save(temporary)
