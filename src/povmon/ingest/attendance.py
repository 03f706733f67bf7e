"""Importing the township's monthly attendance sheet (考勤表) as it is kept.

One row per person, one column per day of the month (1–31), marks such as √ 在 公 假 休 × or blank, title rows
above the header (the month is read from them: 2019年3月), and a legend and signature lines below. The header
row is the row naming 姓名 and the days; a 身份证号 column, when present, identifies each person, else the name
does (a name two cadres share is refused, naming the row). ``marks`` maps other marks a township uses
(``--mapping ○=在村``). The files are read with the importer's reader (ingest.read: limits, merged cells).

All or nothing: every problem of every sheet is collected, with file, sheet, row and column, and nothing is
stored unless there are none. Stored marks carry their import batch and cell; a mark a re-import changes is
changed in place and logged (old → new) in the audit log, never duplicated.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from povmon.errors import PovmonError
from povmon.ingest.clean import _SIGNATURE, _TOTALS
from povmon.ingest.guard import cell_ref
from povmon.ingest.read import RawSheet, read_book
from povmon.models import Attendance, AuditLog, Cadre, ImportBatch, TeamMember
from povmon.models.base import utcnow
from povmon.rules import calendar, idcard, parse
from povmon.rules import workteam as rules
from povmon.rules.text import clean_text, excerpt, fold

SCAN_ROWS = 30
SHOWN = 30  # problems listed in the refusal
_MONTH = re.compile(r"(\d{4})\s*[年.\-/]\s*(\d{1,2})\s*月?")
_DAY = re.compile(r"^(\d{1,2})\s*[日号]?$")
_LEGEND = re.compile(r"^(说明|注[:：]|注$|备注[:：]|图例|考勤标记|标记[:：]|填表说明)")
NAME_HEADERS = ("姓名", "干部姓名", "队员姓名")
ID_HEADERS = ("身份证号", "身份证号码", "公民身份号码")


@dataclass
class SheetLayout:
    header_row: int
    name_col: int
    id_col: int | None
    days: dict[int, int]  # column → day of month


@dataclass
class Result:
    """What an attendance import stored (or would store)."""

    batch_id: int | None = None
    files: list[str] = field(default_factory=list)
    months: list[str] = field(default_factory=list)
    people: int = 0
    inserted: int = 0
    changed: int = 0
    unchanged: int = 0
    warnings: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {"batch_id": self.batch_id, "files": self.files, "months": self.months, "people": self.people,
                "inserted": self.inserted, "changed": self.changed, "unchanged": self.unchanged,
                "warnings": self.warnings}


class AttendanceRefused(PovmonError):
    """The files had problems: nothing was stored."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        shown = "\n".join(f"  {p}" for p in problems[:SHOWN])
        more = f"\n  ……另有 {len(problems) - SHOWN} 处" if len(problems) > SHOWN else ""
        super().__init__(f"考勤表有 {len(problems)} 处问题，未导入任何数据；请改正后重新导入：\n{shown}{more}")


def parse_mapping(pairs: Iterable[str]) -> dict[str, str]:
    """{mark as written: mark code} from 记号=含义 pairs (○=在村, 差=公务外出)."""
    out: dict[str, str] = {}
    for item in pairs:
        text = item.replace("＝", "=")
        if "=" not in text:
            raise PovmonError(f"--mapping “{item}”应写成 记号=含义，如 ○=在村")
        mark, meaning = (part.strip() for part in text.split("=", 1))
        code = rules.ATTENDANCE_MARK.lookup(meaning)
        if not mark or code is None:
            raise PovmonError(f"--mapping “{item}”：“{meaning}”不是考勤含义；可用："
                              f"{'、'.join(rules.ATTENDANCE_MARK.labels())}")
        out[fold(mark)] = code
    return out


def _text(value: object) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean_text(str(value)) or ""


def _day(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)) and float(value).is_integer() and 1 <= int(value) <= 31:
        return int(value)
    m = _DAY.match(_text(value))
    return int(m.group(1)) if m and 1 <= int(m.group(1)) <= 31 else None


def find_layout(sheet: RawSheet) -> SheetLayout | None:
    """The header row: the one naming 姓名 and at least 28 days (1, 2, … or 1日, 1号)."""
    for r, row in enumerate(sheet.rows[:SCAN_ROWS]):
        texts = [_text(v) for v in row]
        name_col = next((j for j, t in enumerate(texts) if t in NAME_HEADERS), None)
        if name_col is None:
            continue
        days = {j: d for j, v in enumerate(row) if j != name_col and (d := _day(v)) is not None}
        if len(set(days.values())) < 28:
            continue
        id_col = next((j for j, t in enumerate(texts) if t in ID_HEADERS), None)
        return SheetLayout(r, name_col, id_col, days)
    return None


def sheet_month(sheet: RawSheet, layout: SheetLayout, given: tuple[int, int] | None) -> tuple[int, int] | None:
    """The month a sheet is for: --month, else the first 2019年3月 in the rows above the header or the sheet name."""
    if given is not None:
        return given
    texts = [_text(v) for row in sheet.rows[:layout.header_row] for v in row] + [sheet.name]
    for text in texts:
        m = _MONTH.search(text)
        if m and 1900 <= int(m.group(1)) <= 2999 and 1 <= int(m.group(2)) <= 12:
            return int(m.group(1)), int(m.group(2))
    return None


class _People:
    """Cadres by ID number and by name, read once."""

    def __init__(self, session: Session):
        self.by_id: dict[str, object] = {}
        self.by_name: dict[str, list] = defaultdict(list)
        for c in session.execute(select(Cadre.id, Cadre.name, Cadre.id_number).order_by(Cadre.id)):
            self.by_id[c.id_number] = c
            self.by_name[c.name].append(c)
        self.stints: dict[int, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
        for cid, start, end in session.execute(select(TeamMember.cadre_id, TeamMember.start_on, TeamMember.end_on)):
            self.stints[cid].append((start, end))

    def in_post(self, cid: int, day: dt.date) -> bool:
        return any(s <= day and (e is None or e > day) for s, e in self.stints.get(cid, ()))

    def whole_month(self, cid: int, first: dt.date, last: dt.date) -> bool:
        """In post on every day from first to last (one stint covers them): no day need be checked."""
        return any(s <= first and (e is None or e > last) for s, e in self.stints.get(cid, ()))


def read_files(session: Session, paths: list[Path], *, month: str | None = None,
               mapping: Mapping[str, str] | None = None, today: dt.date | None = None):
    """Read and check every sheet; returns ({(cadre id, day): (mark, file, sheet, row)}, result, problems)."""
    today = today or dt.date.today()
    given = parse.month(month) if month else None
    extra = dict(mapping or {})
    people = _People(session)
    marks: dict[tuple[int, dt.date], tuple[str, str, str, int]] = {}
    problems: list[str] = []
    result = Result()
    months: set[str] = set()
    seen_people: set[int] = set()
    not_in_post = 0
    memo: dict[object, tuple[str, str | None]] = {}  # a sheet holds a handful of different marks
    for path in paths:
        book = read_book(path)
        result.files.append(book.name)
        found_any = False
        for sheet in book.sheets:
            layout = find_layout(sheet)
            if layout is None:
                continue
            found_any = True
            where = f"{book.name}「{sheet.name}」"
            ym = sheet_month(sheet, layout, given)
            if ym is None:
                problems.append(f"{where}：看不出是哪个月的考勤表（标题里没有“2019年3月”这样的字样）；"
                                "请用 --month 指明")
                continue
            calendar.check_year(ym[0])
            last_day = parse.month_end(*ym).day
            months.add(f"{ym[0]:04d}-{ym[1]:02d}")
            in_sheet: dict[int, int] = {}
            for r in range(layout.header_row + 1, len(sheet.rows)):
                row = sheet.rows[r]
                name = _text(row[layout.name_col]) if layout.name_col < len(row) else ""
                first = next((t for t in (_text(v) for v in row) if t), "")
                if not first or _LEGEND.match(first) or _TOTALS.match(first) or _SIGNATURE.search(first):
                    continue
                if not name or _SIGNATURE.search(name) or _LEGEND.match(name) or _TOTALS.match(name):
                    if any(_text(row[j]) for j in layout.days if j < len(row)):
                        problems.append(f"{where} 第{r + 1}行：有考勤标记但没有姓名（{cell_ref(r, layout.name_col)}）；"
                                        "请填上姓名")
                    continue
                cadre, why = _who(people, row, layout, name)
                if cadre is None:
                    problems.append(f"{where} 第{r + 1}行 {cell_ref(r, layout.name_col)}：{why}")
                    continue
                if cadre.id in in_sheet:
                    problems.append(f"{where} 第{r + 1}行：{cadre.name} 已在第{in_sheet[cadre.id]}行出现；"
                                    "请删去重复的一行")
                    continue
                in_sheet[cadre.id] = r + 1
                seen_people.add(cadre.id)
                whole = people.whole_month(cadre.id, dt.date(ym[0], ym[1], 1), dt.date(ym[0], ym[1], last_day))
                for j, d in layout.days.items():
                    value = row[j] if j < len(row) else ""
                    if value == "" or value is None:
                        continue
                    try:
                        raw, code = memo[value]
                    except (KeyError, TypeError):
                        raw = _text(value)
                        code = (extra.get(fold(raw)) or rules.ATTENDANCE_MARK.lookup(raw)) if raw else None
                        if isinstance(value, (str, int, float)):
                            memo[value] = (raw, code)
                    if not raw:
                        continue
                    if code is None:
                        problems.append(f"{_at(where, r, j)}（{d}日）：“{excerpt(raw)}”不是考勤标记；"
                                        "可用 √ 在 公 假 休 ×，别的记号请用 --mapping 记号=含义 说明")
                        continue
                    if d > last_day:
                        problems.append(f"{_at(where, r, j)}：{ym[0]}年{ym[1]}月没有{d}日；请删去这个标记")
                        continue
                    day = dt.date(ym[0], ym[1], d)
                    if day > today:
                        problems.append(f"{_at(where, r, j)}：{day.isoformat()} 还没有到；请删去这个标记")
                        continue
                    key = (cadre.id, day)
                    if key in marks and marks[key][0] != code:
                        problems.append(f"{_at(where, r, j)}：{cadre.name} {day.isoformat()} 在"
                                        f"{marks[key][1]}「{marks[key][2]}」第{marks[key][3]}行已记为"
                                        f"{rules.ATTENDANCE_MARK.label(marks[key][0])}；两处不一致")
                        continue
                    if not whole and not people.in_post(cadre.id, day):
                        not_in_post += 1
                    marks[key] = (code, book.name, sheet.name, r + 1)
        if not found_any:
            problems.append(f"{book.name}：没有找到考勤表（表头应有“姓名”和 1—31 日各列）；请检查文件")
    result.months = sorted(months)
    result.people = len(seen_people)
    if not_in_post:
        result.warnings.append(f"有 {not_in_post} 个标记所在的日子那人不在任何工作队（已照常导入）；"
                               "请用 povmon team member add 登记队员")
    return marks, result, problems


def _at(where: str, r: int, j: int) -> str:
    return f"{where} 第{r + 1}行 {cell_ref(r, j)}"


def _who(people: _People, row: list, layout: SheetLayout, name: str) -> tuple[object | None, str]:
    if layout.id_col is not None and layout.id_col < len(row):
        number = idcard.normalize(_text(row[layout.id_col]))
        if number:
            cadre = people.by_id.get(number)
            if cadre is None:
                return None, f"身份证号 {idcard.mask(number)} 不是已登记的干部；请先用 povmon cadre add 登记"
            if cadre.name != name:
                return None, f"身份证号 {idcard.mask(number)} 登记的姓名是 {cadre.name}，表中写的是 {name}；请核对"
            return cadre, ""
    found = people.by_name.get(name, [])
    if len(found) == 1:
        return found[0], ""
    if not found:
        return None, f"没有名为“{excerpt(name)}”的干部；请核对姓名，或先用 povmon cadre add 登记"
    return None, f"有 {len(found)} 位干部叫“{name}”；请在表中加“身份证号”一列指明是哪一位"


def import_files(session: Session, paths: list[Path], *, user: str, month: str | None = None,
                 mapping: Mapping[str, str] | None = None, today: dt.date | None = None,
                 dry_run: bool = False) -> Result:
    """Import attendance sheets, all or nothing (raises AttendanceRefused listing every problem)."""
    marks, result, problems = read_files(session, paths, month=month, mapping=mapping, today=today)
    if problems:
        raise AttendanceRefused(problems)
    if not marks:
        raise PovmonError("考勤表里没有任何标记；请检查文件")
    existing: dict[tuple[int, dt.date], tuple[int, str]] = {}
    days = [d for _, d in marks]
    first, last = min(days), max(days)
    cadres = sorted({c for c, _ in marks})
    for start in range(0, len(cadres), 2000):
        for aid, cid, day, mark in session.execute(
                select(Attendance.id, Attendance.cadre_id, Attendance.day, Attendance.mark)
                .where(Attendance.day >= first, Attendance.day <= last,
                       Attendance.cadre_id.in_(cadres[start:start + 2000]))):
            existing[(cid, day)] = (aid, mark)
    inserts, changes = [], []
    for key, (code, file, sheet, row) in marks.items():
        old = existing.get(key)
        if old is None:
            inserts.append({"cadre_id": key[0], "day": key[1], "mark": code, "source_file": file,
                            "source_sheet": sheet, "source_row": row, "created_by": user})
        elif old[1] != code:
            changes.append((old[0], old[1], code))
        else:
            result.unchanged += 1
    result.inserted, result.changed = len(inserts), len(changes)
    if dry_run:
        return result
    from povmon.ingest.read import digest

    digests = [(p.name, *digest(p)) for p in paths]
    batch = ImportBatch(files=[{"name": n, "sha256": s, "size": z} for n, s, z in digests],
                        file_name="、".join(n for n, _, _ in digests), sha256=",".join(s for _, s, _ in digests),
                        user=user, options={"kind": "attendance", "month": month, "mapping": dict(mapping or {})},
                        counts={"attendance": {"inserted": len(inserts), "changed": len(changes),
                                               "unchanged": result.unchanged}})
    session.add(batch)
    session.flush()
    now = utcnow()
    for row in inserts:
        row["batch_id"] = batch.id
        row["created_at"] = now
    if inserts:
        session.execute(insert(Attendance), inserts)
    if changes:
        session.execute(update(Attendance), [{"id": aid, "mark": new, "batch_id": batch.id} for aid, _, new in changes])
        session.execute(insert(AuditLog), [
            {"at": now, "user": user, "action": "update", "table_name": "attendance", "row_id": aid, "field": "mark",
             "old_value": old, "new_value": new, "batch_id": batch.id, "note": "考勤表导入"}
            for aid, old, new in changes])
    batch.finished_at = utcnow()
    result.batch_id = batch.id
    return result
