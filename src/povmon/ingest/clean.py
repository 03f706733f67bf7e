"""Cleaning values and turning a sheet's rows into records.

Values go through the same parsers as everywhere in povmon (rules.parse, rules.vocab, rules.idcard), memoised
per column: a roster repeats a handful of distinct values (户主, 之子, 健康 …) hundreds of thousands of times.
Rows that are not data are skipped: blank rows, a row repeating the header, the row of column numbers under a
header, totals (合计/小计) and signature lines (填表人、审核人 …), and rows with no value in the sheet's key
columns. Household cells merged over their member rows, repeated on every row or filled only on a household's
first row all read the same way.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path

from povmon.ingest.columns import ROSTER, Mapping, header_key
from povmon.ingest.layout import Layout
from povmon.ingest.problems import FileProblem, shown
from povmon.ingest.read import RawSheet
from povmon.rules import idcard, parse
from povmon.rules.checks import missing
from povmon.rules.fields import make_parser
from povmon.rules.parse import ValueProblem
from povmon.rules.vocab import SEX

_TOTALS = re.compile(r"^(合\s*计|小\s*计|总\s*计|累\s*计|共\s*计)")
_SIGNATURE = re.compile(
    r"填表人|审核人|制表人|负责人|填报人|填表日期|审核日期|制表日期|统计人|签字|盖章|联系人：|联系电话："
)
_SKIP = object()


class Spec:
    """One column as the reading loop uses it: position, key, parser and a memo of parsed values.

    A roster repeats a handful of values (户主, 之子, 健康 …) hundreds of thousands of times: the memo turns
    each repeat into one dictionary lookup. IDs are all different and are not memoised.
    """

    __slots__ = ("blank_value", "field", "header", "index", "key", "memo", "parse", "required")

    def __init__(self, column, mapping: Mapping | None, as_of: dt.date, roster: bool):
        f = column.field
        self.field = f
        self.index = column.index
        self.key = f.key
        self.header = column.header
        self.parse = make_parser(f, as_of, mapping.overrides(f) if mapping else None)
        # IDs, names, codes and phones are nearly all different: a memo would only cost memory
        self.memo: dict | None = None if f.parser in ("id", "name", "code", "phone") else {}
        self.required = f.required and not (roster and f.ref == ("household", "code"))
        self.blank_value = parse.amount(None) if f.parser == "amount" else None


# --- records -------------------------------------------------------------------------------------------------

@dataclass(eq=False)
class Source:
    """One recognised sheet of one file, with what is needed to report and to rewrite its rejected rows."""

    file: str
    sheet: RawSheet
    layout: Layout
    path: Path | None = None

    @property
    def name(self) -> str:
        return self.sheet.name

    @property
    def kind(self) -> str:
        return self.layout.kind.name


class Rec:
    """One record read from a sheet: its level, unit (household key), values and where it came from."""

    __slots__ = ("bad", "level", "row", "rows", "src", "unit", "values")

    def __init__(self, level: str, src: Source, row: int, values: dict, unit: Unit | None = None):
        self.bad = False  # rejected on its own (a record that does not carry its household with it)
        self.level = level
        self.src = src
        self.row = row  # the Excel row it came from (a roster household: its first row)
        self.rows: list[int] | None = None  # a roster household: all its rows
        self.values = values
        self.unit = unit


@dataclass(eq=False)
class Unit:
    """A household and everything of it in this import: rejected whole when any of it is wrong."""

    key: str
    code: str | None = None  # 户编号; None for a roster grouped by heads
    head_id: str | None = None  # the head's ID, the key when there is no 户编号
    household: Rec | None = None
    members: list[Rec] = field(default_factory=list)
    incomes: list[Rec] = field(default_factory=list)
    events: list[Rec] = field(default_factory=list)
    others: list[Rec] = field(default_factory=list)  # pairings, benefits, measures, visits
    bad: bool = False

    def rows(self) -> dict[tuple[int, int], Source]:
        """Every row of the files that belongs to this household: (id(src), row) → src."""
        out: dict[tuple[int, int], Source] = {}
        hh = self.household
        if hh is not None:
            for row in hh.rows or (hh.row,):
                out[(id(hh.src), row)] = hh.src
        for rec in (*self.members, *self.incomes, *self.events, *self.others):
            out[(id(rec.src), rec.row)] = rec.src
        return out


class Problems:
    """Errors and warnings as they are found, and the rows each error rejects."""

    def __init__(self) -> None:
        self.errors: list[FileProblem] = []
        self.warnings: list[FileProblem] = []
        self.bad_rows: set[tuple[int, int]] = set()  # (id(src), row)

    def error(self, src: Source, row: int | None, column: str | None, value: object, code: str, message: str,
              unit: Unit | None = None) -> None:
        """Record an error at a place; it rejects the row, and the household when one is given."""
        self.errors.append(FileProblem(src.file, src.name, row, column, shown(value), code, message))
        if row is not None:
            self.bad_rows.add((id(src), row))
        if unit is not None:
            unit.bad = True

    def warning(self, src: Source, row: int | None, column: str | None, value: object, code: str,
                message: str) -> None:
        """Record a warning at a place (nothing is rejected)."""
        self.warnings.append(FileProblem(src.file, src.name, row, column, shown(value), code, message))


@dataclass
class Parsed:
    """Everything read from the files, before the database is consulted."""

    sources: list[Source] = field(default_factory=list)
    units: dict[str, Unit] = field(default_factory=dict)
    areas: list[Rec] = field(default_factory=list)
    cadres: list[Rec] = field(default_factory=list)
    others: list[Rec] = field(default_factory=list)  # pairings, benefits, measures, visits (each has .unit)
    kinds: set[str] = field(default_factory=set)  # record kinds the files had (for JSON counts)
    problems: Problems = field(default_factory=Problems)
    rows_read: int = 0

    def unit(self, key: str, code: str | None = None) -> Unit:
        """The household unit with this key, created on first use."""
        unit = self.units.get(key)
        if unit is None:
            unit = self.units[key] = Unit(key, code)
        return unit


# --- reading a sheet -----------------------------------------------------------------------------------------

_ANCHORS = {
    "行政区划": (("area", "township"), ("area", "village"), ("area", "county")),
    "户信息": (("household", "code"),),
    "家庭成员": (("member", "name"), ("member", "id_number")),
    "收入": (("household", "code"),),
    "识别变动": (("household", "code"),),
    "帮扶干部": (("cadre", "name"), ("cadre", "id_number")),
    "结对关系": (("household", "code"), ("pairing", "cadre_id")),
    "享受政策": (("household", "code"),),
    "帮扶措施": (("household", "code"),),
    "走访记录": (("household", "code"),),
    ROSTER: (("member", "name"), ("member", "id_number")),
}
_LEVEL_OF_KIND = {
    "行政区划": "area", "户信息": "household", "家庭成员": "member", "收入": "income", "识别变动": "event",
    "帮扶干部": "cadre", "结对关系": "pairing", "享受政策": "benefit", "帮扶措施": "measure", "走访记录": "visit",
}


def _blank(value: object) -> bool:
    return value == "" or value is None or (isinstance(value, str) and not value.strip())


def _is_noise(row: list, anchor_headers: set[str]) -> bool:
    """Totals, signature lines and repeated headers: rows that carry text but are not data.

    Only the first few filled cells are looked at: that is where 合计, 填表人 or a repeated header sit.
    """
    seen = 0
    for value in row:
        if value == "" or value is None:
            continue
        seen += 1
        if isinstance(value, str):
            text = value.strip()
            if _TOTALS.match(text) or _SIGNATURE.search(text) or header_key(text) in anchor_headers:
                return True
        if seen >= 4:
            break
    return False


def _first_cells(firsts: dict, specs: list, row: list, excel_row: int) -> list:
    """Remember the first non-empty cell of each household column not seen yet: (raw value, Excel row).

    ``specs`` are the columns still without a value; those still without one after this row are returned (a
    column empty on every row of a household is then looked at once per row, not every column every row)."""
    width = len(row)
    still = []
    for spec in specs:
        if spec.key in firsts:  # a key two columns share (备注 of the household and of its income): first wins
            continue
        raw = row[spec.index] if spec.index < width else ""
        if raw != "" and raw is not None and not (isinstance(raw, str) and not raw.strip()):
            firsts[spec.key] = (raw, excel_row)
        else:
            still.append(spec)
    return still


def _is_numbering(row: list) -> bool:
    """The row of column numbers (1 2 3 …) that some forms put under the header."""
    numbers = [v for v in row if not _blank(v)]
    if len(numbers) < 3:
        return False
    try:
        values = [int(float(v)) for v in numbers]
    except (TypeError, ValueError):
        return False
    return values == list(range(values[0], values[0] + len(values)))


class SheetReader:
    """Turns one recognised sheet into records of a Parsed (units, members, incomes …) and problems."""

    def __init__(self, parsed: Parsed, src: Source, mapping: Mapping | None, as_of: dt.date,
                 progress: Callable[[int], None] | None = None):
        self.parsed = parsed
        self.src = src
        self.layout = src.layout
        self.problems = parsed.problems
        self.mapping = mapping
        self.as_of = as_of
        self.progress = progress
        roster = self.layout.kind.name == ROSTER
        self.spec_of: dict[tuple[str, str], Spec] = {}
        self.specs: dict[str, list[Spec]] = {}
        for column in self.layout.columns:
            spec = Spec(column, mapping, as_of, roster)
            self.spec_of[column.field.ref] = spec
            self.specs.setdefault(column.field.level, []).append(spec)
        # the key columns of the sheet's kind: a row with none of them is not data; their headers repeated are noise
        anchors = [c for c in (self.layout.col(*ref) for ref in _ANCHORS[self.layout.kind.name]) if c is not None]
        self.anchors = [c.index for c in anchors]
        self.anchor_headers = {header_key(c.header) for c in anchors} | {header_key(c.field.header) for c in anchors}

    # values ---------------------------------------------------------------------------------------------
    def cells(self, row: list, level: str, unit: Unit | None, excel_row: int) -> dict | None:
        """Parse a row's cells of one level into values; None (and errors recorded) when a value is wrong."""
        values: dict = {}
        ok = True
        width = len(row)
        for spec in self.specs[level]:
            raw = row[spec.index] if spec.index < width else ""
            memo = spec.memo
            if memo is not None and raw != "":
                # a repeat: one dictionary lookup (a remembered problem or an empty value goes the long way,
                # so it is reported, and a required column left blank is reported on every row)
                hit = memo.get(raw)
                if hit is not None and hit.__class__ is not ValueProblem:
                    values[spec.key] = hit
                    continue
            ok &= self.value(values, spec, raw, excel_row, unit)
        return values if ok else None

    def column(self, spec: Spec, rows: list[tuple[list, int, Unit | None]], ok: list[bool],
               sheet_rows: list[list] | None = None, narrowest: int | None = None) -> list:
        """One column of many rows at once: the values ``cells`` would give them, the same problems at the same
        rows; ``ok[k]`` turns False for a row with a wrong value in this column.

        The column's distinct values are parsed once each, in the order of the rows (as the memo of ``cells``
        would), and the column is mapped through the memo in one go; only blank cells, wrong values and the
        columns without a memo (IDs, names) take the cell-by-cell way of ``value``.
        """
        index = spec.index
        cells = [row for row, _excel_row, _unit in rows] if sheet_rows is None else sheet_rows
        if narrowest is not None and index < narrowest:  # the usual case: calamine's rows are the sheet's width
            raws = list(map(itemgetter(index), cells))
        else:
            raws = [row[index] if index < len(row) else "" for row in cells]
        memo = spec.memo
        if memo is not None:
            parse_value = spec.parse
            for raw in dict.fromkeys(raws):
                if raw != "" and raw is not None and raw not in memo and len(memo) < 50_000:
                    try:
                        memo[raw] = parse_value(raw)
                    except ValueProblem as problem:
                        memo[raw] = problem
            out = list(map(memo.get, raws))
            slow = [k for k, hit in enumerate(out) if hit is None or hit.__class__ is ValueProblem]
        else:
            out = [None] * len(raws)
            slow = range(len(raws))
        value = self.value
        key = spec.key
        for k in slow:
            _row, excel_row, unit = rows[k]
            cell: dict = {}
            if value(cell, spec, raws[k], excel_row, unit):
                out[k] = cell[key]
            else:
                ok[k] = False
        return out

    def firsts(self, values: dict, specs: list[Spec], firsts: dict, first_row: int, unit: Unit, *,
               blank_columns: bool) -> None:
        """A roster household's values from the first non-empty cell of each column (as ``cells`` does for a row).

        ``blank_columns``: a value already known is kept, and a column empty on every row of the household
        takes its blank value without a parse (the household's own columns; its income reads every column).
        """
        for spec in specs:
            if blank_columns:
                if values.get(spec.key) is not None:
                    continue
                if spec.key not in firsts and not spec.required:
                    values[spec.key] = spec.blank_value
                    continue
            raw, excel_row = firsts.get(spec.key) or ("", first_row)
            memo = spec.memo
            if memo is not None:
                hit = memo.get(raw)
                if hit is not None and hit.__class__ is not ValueProblem:
                    values[spec.key] = hit
                    continue
            self.value(values, spec, raw, excel_row, unit)

    def value(self, values: dict, spec: Spec, raw: object, excel_row: int, unit: Unit | None) -> bool:
        """Parse one cell into values[spec.key]; records the problem and returns False when it is wrong."""
        if raw == "" or raw is None:
            result = spec.blank_value
        else:
            memo = spec.memo
            hit = _SKIP if memo is None else memo.get(raw, _SKIP)
            if hit is _SKIP:
                try:
                    hit = spec.parse(raw)
                except ValueProblem as problem:
                    hit = problem
                if memo is not None and len(memo) < 50_000:
                    memo[raw] = hit
            if hit.__class__ is ValueProblem:
                self.problems.error(self.src, excel_row, spec.header, raw, hit.code, hit.message, unit)
                return False
            if spec.memo is None and spec.field.parser == "id":
                if hit.error is not None:
                    self.problems.error(self.src, excel_row, spec.header, raw, hit.error.code, hit.error.message,
                                        unit)
                    return False
                for w in hit.warnings:
                    self.problems.warning(self.src, excel_row, spec.header, raw, w.code, w.message)
                hit = hit.number
            result = hit
        if result is None and spec.required:
            self.problems.error(self.src, excel_row, spec.header, None, "required_missing",
                                missing(spec.field.header).message, unit)
            return False
        values[spec.key] = result
        return True

    # the sheet --------------------------------------------------------------------------------------------
    def read(self) -> None:
        """Read the sheet into the Parsed: warnings for ignored columns, then its records."""
        layout = self.layout
        kind = layout.kind.name
        src = self.src
        for _index, header, why in layout.ignored:
            message = (f"“{header}”列重复，只读取第一列" if why == "duplicate"
                       else f"不认识“{header}”列，已忽略；如需导入，请用 --mapping 指定它对应的标准列名")
            self.problems.warning(src, layout.header_row + 1, header, None, "column_ignored", message)
        if layout.missing:
            names = "、".join(f.header for f in layout.missing)
            for f in layout.missing:
                self.problems.error(src, layout.header_row + 1, f.header, None, "required_missing",
                                    f"表中缺少必填列“{f.header}”（缺：{names}）；"
                                    "请补上该列，或用 --mapping 指明哪一列是它")
            return
        rows = src.sheet.rows
        start = layout.header_row + 1
        if kind == ROSTER:
            self.parsed.kinds.update(("households", "members", "areas"))
            if "income" in self.specs:
                self.parsed.kinds.add("incomes")
            if layout.col("household", "status") is not None:
                self.parsed.kinds.add("events")
            self.read_roster(rows, start)
        else:
            self.read_flat(rows, start, _LEVEL_OF_KIND[kind])

    def data_rows(self, rows: list[list], start: int):
        """(index, row) of the rows that carry data, skipping the rest silently."""
        anchors = self.anchors
        progress = self.progress
        for i in range(start, len(rows)):
            if progress is not None and i % 2000 == 0:
                progress(i - start)
            row = rows[i]
            width = len(row)
            found = digits = False
            for a in anchors:
                value = row[a] if a < width else ""
                if value != "" and value is not None:
                    if isinstance(value, str):
                        if not value.strip():
                            continue
                        if value[0].isdigit():
                            digits = True
                    found = True
            if not found:
                continue
            # an ID or a code starting with a digit marks a data row; anything else may be a totals row,
            # a signature line or a repeated header
            if not digits and _is_noise(row, self.anchor_headers):
                continue
            if i <= start + 2 and _is_numbering(row):
                continue
            yield i, row
        if progress is not None:
            progress(len(rows) - start)

    def read_flat(self, rows: list[list], start: int, level: str) -> None:
        """A sheet with one record per row (户信息, 家庭成员, 收入, 结对关系 …)."""
        parsed = self.parsed
        src = self.src
        code_col = self.layout.col("household", "code")
        plural = {"area": "areas", "household": "households", "member": "members", "income": "incomes",
                  "event": "events", "cadre": "cadres", "pairing": "pairings", "benefit": "benefits",
                  "measure": "measures", "visit": "visits"}
        parsed.kinds.add(plural[level])
        if level == "household":
            parsed.kinds.add("areas")
            if self.layout.col("household", "status") is not None:
                parsed.kinds.add("events")  # 脱贫状态 and its years become status events
        for i, row in self.data_rows(rows, start):
            excel_row = i + 1
            parsed.rows_read += 1
            unit = None
            if code_col is not None:
                code_values: dict = {}
                raw = row[code_col.index] if code_col.index < len(row) else ""
                if not self.value(code_values, self.spec_of[code_col.field.ref], raw, excel_row, None):
                    # without a household code the row belongs to no household: it is rejected on its own
                    self._lone_reject(level, excel_row)
                    continue
                code = code_values["code"]
                unit = parsed.unit(code, code)
            # pairings, benefits, measures and visits stand alone: their errors do not reject the household
            carries = level in ("household", "member", "income", "event")
            values = self.cells(row, level, unit if carries else None, excel_row)
            rec = Rec(level, src, excel_row, values if values is not None else {}, unit)
            if values is None and (unit is None or not carries):
                rec.bad = True
            if level == "area":
                parsed.areas.append(rec)
            elif level == "cadre":
                parsed.cadres.append(rec)
            elif level == "household":
                if unit.household is None:
                    unit.household = rec
                else:
                    self._merge_household(unit.household, rec)
            elif level == "member":
                unit.members.append(rec)
                if values is not None:
                    self._sex_check(row, rec)
            elif level == "income":
                unit.incomes.append(rec)
            elif level == "event":
                unit.events.append(rec)
            else:
                unit.others.append(rec)
                parsed.others.append(rec)

    def _lone_reject(self, level: str, excel_row: int, rec: Rec | None = None) -> None:
        """Count a row rejected without a household to carry it."""
        rec = rec or Rec(level, self.src, excel_row, {}, None)
        rec.bad = True
        self.parsed.others.append(rec)

    @staticmethod
    def _merge_household(first: Rec, again: Rec) -> None:
        """The same household described twice (two sheets or files): first non-empty value wins."""
        for key, value in again.values.items():
            if first.values.get(key) is None and value is not None:
                first.values[key] = value

    def _sex_check(self, row: list, rec: Rec) -> None:
        column = self.layout.col("member", "sex")
        number = rec.values.get("id_number")
        declared = rec.values.get("sex")
        if column is None or not number or not declared:
            return
        actual = idcard.sex(number)
        if declared != actual:
            self.problems.warning(
                self.src, rec.row, column.header, row[column.index], "sex_mismatch",
                f"性别填的是“{SEX.label(declared)}”，身份证号第17位表明是“{SEX.label(actual)}”；以身份证号为准，请核对",
            )

    # the flat roster ------------------------------------------------------------------------------------
    def read_roster(self, rows: list[list], start: int) -> None:
        """One row per person: group rows into households (by 户编号, else by 户主身份证号, else by 户主 rows)."""
        parsed = self.parsed
        src = self.src
        layout = self.layout
        code_col = layout.col("household", "code")
        head_col = layout.col("household", "head_id")
        relation_col = layout.col("member", "relation")
        hh_specs = self.specs.get("household", [])
        inc_specs = self.specs.get("income", [])
        firsts_specs = [*hh_specs, *inc_specs]
        key_col = code_col or head_col
        key_spec = self.spec_of[key_col.field.ref] if key_col is not None else None
        head_parser = self.spec_of[relation_col.field.ref].parse if relation_col else None

        current: Unit | None = None
        last_raw: object = None
        pending: dict[Unit, dict] = {}  # unit → {field key: (raw, excel_row, column)} first non-empty cell
        order: list[Unit] = []
        member_rows: list[tuple[list, int, Unit]] = []  # (row, Excel row, household) of every member row
        missing: dict[Unit, list[Spec]] = {}  # unit → its household columns without a value so far
        for i, row in self.data_rows(rows, start):
            excel_row = i + 1
            parsed.rows_read += 1
            unit: Unit | None = None
            if key_col is not None:
                raw = row[key_col.index] if key_col.index < len(row) else ""
                if _blank(raw):
                    unit = current  # household cells filled only on the household's first row
                elif raw == last_raw and current is not None:
                    unit = current  # the same household as the row above (the usual case)
                else:
                    key = self._roster_key(raw, key_spec, excel_row)
                    if key is None:  # a household code or head ID that cannot be read: already reported
                        current = None
                        last_raw = None
                        self._lone_reject("member", excel_row)
                        continue
                    else:
                        unit = current if current is not None and current.key == key else parsed.unit(
                            key, key if key_col is code_col else None)
                        current = unit
                    last_raw = raw
            else:
                # no household column at all: a 户主 row starts a household, the rows below belong to it
                unit = current = self._head_row(row, excel_row, relation_col, head_parser) or current
            if unit is None:
                rec = Rec("member", src, excel_row, {}, None)
                header = key_col.header if key_col is not None else layout.header_of("member", "relation")
                self.problems.error(src, excel_row, header, None, "orphan_member",
                                    "这一行找不到所属的户（户编号为空，上面也没有户）；请填写户编号", None)
                self._lone_reject("member", excel_row, rec)
                continue
            firsts = pending.get(unit)
            if firsts is None:
                firsts = pending[unit] = {}
                missing[unit] = firsts_specs
                order.append(unit)
                self._roster_rows(unit, excel_row)
            unit.household.rows.append(excel_row)
            if missing[unit]:
                missing[unit] = _first_cells(firsts, missing[unit], row, excel_row)
            member_rows.append((row, excel_row, unit))

        # the members' cells column by column (issue 18): each column's distinct values parsed once
        specs = self.specs["member"]
        ok = [True] * len(member_rows)
        sheet_rows = [row for row, _excel_row, _unit in member_rows]
        narrowest = min(map(len, sheet_rows), default=0)
        columns = [self.column(spec, member_rows, ok, sheet_rows, narrowest) for spec in specs]
        keys = [spec.key for spec in specs]
        by_row = zip(*columns, strict=True) if columns else [()] * len(member_rows)
        for (row, excel_row, unit), cells, good in zip(member_rows, by_row, ok, strict=True):
            rec = Rec("member", src, excel_row, dict(zip(keys, cells, strict=True)) if good else {}, unit)
            unit.members.append(rec)
            if good:
                self._sex_check(row, rec)

        for unit in order:
            self._roster_household(unit, pending[unit], hh_specs, inc_specs)

    def _head_row(self, row: list, excel_row: int, relation_col, head_parser) -> Unit | None:
        """A new household when this row is its 户主's (a roster without household columns), else None."""
        raw = row[relation_col.index] if relation_col and relation_col.index < len(row) else ""
        if head_parser is None or _blank(raw):
            return None
        try:
            is_head = head_parser(raw) == "head"
        except ValueProblem:
            is_head = False
        return self.parsed.unit(f"#row:{id(self.src)}:{excel_row}") if is_head else None

    def _roster_rows(self, unit: Unit, excel_row: int) -> None:
        """The household record a roster's rows build, started at its first row in this sheet."""
        if unit.household is None:
            unit.household = Rec("household", self.src, excel_row, {}, unit)
        if unit.household.rows is None:  # rows of a household that appeared earlier keep their first row
            unit.household.rows = []

    def _roster_key(self, raw: object, spec: Spec, excel_row: int) -> str | None:
        values: dict = {}
        if not self.value(values, spec, raw, excel_row, None) or values[spec.key] is None:
            return None
        key = values[spec.key]
        if spec.key == "head_id":
            return f"#head:{key}"
        return key

    def _roster_household(self, unit: Unit, firsts: dict, hh_specs: list[Spec], inc_specs: list[Spec]) -> None:
        """Parse a roster household's cells once (the first non-empty cell of each column)."""
        household = unit.household
        assert household is not None
        first_row = household.rows[0] if household.rows else household.row
        values = household.values
        self.firsts(values, hh_specs, firsts, first_row, unit, blank_columns=True)
        if values.get("head_id") and unit.head_id is None:
            unit.head_id = values["head_id"]
        if inc_specs and any(spec.key in firsts for spec in inc_specs):
            inc_values: dict = {}
            self.firsts(inc_values, inc_specs, firsts, first_row, unit, blank_columns=False)
            year_row = firsts.get("year", (None, first_row))[1]
            unit.incomes.append(Rec("income", self.src, year_row, inc_values, unit))
