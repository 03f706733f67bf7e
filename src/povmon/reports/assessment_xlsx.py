"""The year-end assessment as a workbook for the county organisation department: 工作队考核 and 第一书记考核
(per township, ranked, with every item's score and the reasons for the grade), 派出单位考核 (each dispatching unit
ranked, with its teams', secretaries' and paired cadres' grades and findings) and 考核办法 (the scheme used). A4
landscape, header rows repeated, every page headed with the county, year and sheet, and the signature lines."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

from openpyxl import Workbook

from povmon import files, xlsx
from povmon.rules import assessment as rules
from povmon.rules.assessment import Result
from povmon.services.assessment import Run

REASON_WIDTH = 44


def _head(ws, county: str, run: Run, title: str, width: int, today: dt.date, note: str) -> int:
    example = "（示例方案，非正式办法）" if run.scheme.example else ""
    return xlsx.report_head(ws, f"{county}{run.year}年度{title}", f"考核方案：{run.scheme.name}{example}；{note}",
                            width, f"{county} {run.year}年度{title}", today, header_height=32)


def _by_township(results: list[Result]) -> list[tuple[str, list[Result]]]:
    groups: dict[str, list[Result]] = defaultdict(list)
    for r in results:
        groups[r.facts.township].append(r)
    return [(t, sorted(rs, key=lambda r: (-r.total, r.facts.name))) for t, rs in sorted(groups.items())]


def _subjects(ws, county: str, run: Run, kind: str, title: str, today: dt.date) -> None:
    items = run.scheme.items_for(kind)
    lead = ["乡镇", "乡镇名次", "全县名次", "村"] + (["工作队", "派出单位"] if kind == "team" else
                                                  ["第一书记", "派出单位", "工作队"])
    head = [*lead, *(f"{i.label}（{i.weight}）" for i in items), "总分", "等次", "评定理由"]
    widths = [9, 6, 6, 9] + ([20, 16] if kind == "team" else [10, 16, 18]) + [9] * len(items) + [7, 8, REASON_WIDTH]
    texts = {1, 4, 5, 6} | ({7} if kind == "secretary" else set())
    s = run.quotas[kind]
    note = (f"共 {s['assessed']} 个，优秀名额 {s['excellent_places']} 个；"
            + "，".join(f"{g} {n}" for g, n in s["grades"].items()) + "。乡镇内按总分排名，同分同名次。")
    row = _head(ws, county, run, title, len(head), today, note)
    xlsx.header_row(ws, row, head)
    ws.row_dimensions[row].height = max(xlsx.text_lines(h, w) for h, w in zip(head, widths, strict=True)) * \
        xlsx.line_height() + 4
    paint = xlsx.Painter(ws)
    for township, rows in _by_township(run.of(kind)):
        previous, local = None, 0
        for n, r in enumerate(rows, start=1):
            row += 1
            local = n if previous is None or previous.total != r.total else local
            previous = r
            f = r.facts
            names = [f.name, f.unit or ""] if kind == "team" else [f.name, f.unit or "", f.team]
            reasons = "\n".join(r.reasons)
            values = [township, local, r.rank, f.village, *names, *(r.score_of(i.code) for i in items), r.total,
                      rules.GRADE.label(r.grade), reasons]
            fill = xlsx.WARNING_FILL if r.grade in ("basic", "incompetent") else None
            for col, value in enumerate(values, start=1):
                align = xlsx.LEFT if col in texts or col == len(values) else xlsx.CENTER
                paint.put(row, col, value, align=align, number_format="0.00" if col > len(lead) else None,
                          **({"fill": fill} if fill else {}))
            lines = max(xlsx.text_lines(reasons, REASON_WIDTH), xlsx.text_lines(names[0], widths[4]),
                        xlsx.text_lines(f.unit, widths[5]))
            ws.row_dimensions[row].height = max(18, (lines + 0.5) * xlsx.line_height())
    xlsx.widths(ws, widths)
    xlsx.signatures(ws, row, len(head))


UNIT_HEAD = ["名次", "派出单位", "平均分", "工作队", "工作队等次", "第一书记", "第一书记等次", "结对干部", "督查问题",
             "工作队及第一书记（得分、等次）"]
UNIT_WIDTHS = [6, 22, 8, 7, 16, 8, 16, 8, 8, 50]


def _grades(counts: dict) -> str:
    return "，".join(f"{g}{n}" for g, n in counts.items() if n) or "—"


def _units(ws, county: str, run: Run, today: dt.date) -> None:
    row = _head(ws, county, run, "派出单位驻村帮扶考核情况", len(UNIT_HEAD), today,
                "平均分为该单位派出的工作队和第一书记得分的平均；结对干部为该单位在本年度有结对帮扶任务的干部人数。")
    xlsx.header_row(ws, row, UNIT_HEAD)
    for u in run.units:
        row += 1
        people = "\n".join([f"{r.facts.name} {r.total} {rules.GRADE.label(r.grade)}" for r in u.teams] +
                           [f"第一书记 {r.facts.name}（{r.facts.team}）{r.total} {rules.GRADE.label(r.grade)}"
                            for r in u.secretaries])
        avg = u.average()
        values = [u.rank, u.name, "" if avg is None else avg, len(u.teams), _grades(u.grades(u.teams)),
                  len(u.secretaries), _grades(u.grades(u.secretaries)), u.paired_cadres, u.findings(), people]
        for col, value in enumerate(values, start=1):
            xlsx.put(ws, row, col, value, align=xlsx.LEFT if col in (2, 5, 7, 10) else xlsx.CENTER,
                     number_format="0.00" if col == 3 else None)
        lines = max(xlsx.text_lines(people, UNIT_WIDTHS[-1]), xlsx.text_lines(u.name, UNIT_WIDTHS[1]))
        ws.row_dimensions[row].height = max(18, (lines * 1.1 + 1) * xlsx.line_height())
    xlsx.widths(ws, UNIT_WIDTHS)
    xlsx.signatures(ws, row, len(UNIT_HEAD))


def _scheme(ws, county: str, run: Run, today: dt.date) -> None:
    head = ["代码", "考核项目", "分值", "计分方法", "适用"]
    row = _head(ws, county, run, "考核办法", len(head), today, f"来源：{run.scheme_source}。")
    xlsx.header_row(ws, row, head)
    methods = {"share": "在村工作日比例", "ratio": "完成数/应完成数", "findings": "督查问题扣分", "hand": "手工评分"}
    for i in run.scheme.items:
        row += 1
        for col, value in enumerate([i.code, i.label, i.weight, methods[i.method],
                                     "、".join(rules.SUBJECT.label(a) for a in i.applies)], 1):
            xlsx.put(ws, row, col, value, align=xlsx.CENTER if col in (1, 3) else xlsx.LEFT, number_format="0")
    rules_text = [
        "等次分数线：" + "，".join(f"{rules.GRADE.label(g)} {v} 分及以上" for g, v in run.scheme.thresholds)
        + "，其余不称职。",
        *(f"全年无故缺勤 {n} 次及以上的，最高评为{rules.GRADE.label(g)}。" for n, g in run.scheme.absence_caps),
        f"优秀不超过同类考核对象的 {run.scheme.excellent_share.numerator}/{run.scheme.excellent_share.denominator}"
        "（向下取整），按总分从高到低取；同分依次比较："
        + ("、".join(run.scheme.item(c).label for c in run.scheme.tie_break) or "无")
        + "；仍相同而名额不足的均不评优秀。",
        "复核改定的等次以复核决定为准。",
    ]
    for text in rules_text:
        row += 1
        xlsx.put(ws, row, 1, text, border=False)
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(head))
        ws.row_dimensions[row].height = 30
    xlsx.widths(ws, [14, 20, 8, 20, 24])
    xlsx.signatures(ws, row, len(head))


def write(run: Run, path: Path, *, county: str = "", today: dt.date | None = None) -> None:
    today = today or dt.date.today()
    wb = Workbook()
    ws = wb.active
    ws.title = "工作队考核"
    _subjects(ws, county, run, "team", "驻村工作队年终考核结果", today)
    _subjects(wb.create_sheet("第一书记考核"), county, run, "secretary", "第一书记年终考核结果", today)
    _units(wb.create_sheet("派出单位考核"), county, run, today)
    _scheme(wb.create_sheet("考核办法"), county, run, today)
    with files.atomic(path) as temporary:
        wb.save(temporary)
