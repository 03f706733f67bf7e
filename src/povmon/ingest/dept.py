"""A department's list (部门数据) in the department's own layout, matched to the register's members by ID number.

Each department sends one row per person and event with its own fields (医保: settlement date or period, total
cost, fund payments, out-of-pocket; 民政: programme, category, from/to …). The sheet is read with ingest.read, its
header row found by content as ingest.layout finds a roster's (the row among the first 40 naming the most known
columns; titles above it are not data), its headers matched through each field's aliases (``--mapping`` for the
rest). An ID number is judged as the roster importer judges it (rules.idcard: the same codes and messages); a
valid ID of nobody present on the register is ``not_in_register`` — listed, never an error, since a household not
yet on the register may be exactly whom the list is for. A row already stored (same department and content) is
``unchanged``: a list imported twice changes nothing. One import is one transaction (the caller's unit of work);
``dry_run`` reads, matches and counts without writing. JSON: docs/CONTRACTS.md, "Dynamic monitoring".
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from povmon import crypto
from povmon.errors import PovmonError
from povmon.ingest import lock
from povmon.ingest.problems import FileProblem
from povmon.ingest.read import RawSheet, read_book
from povmon.ingest.write import bulk_writer
from povmon.models import DeptRow, ImportBatch, Member, utcnow
from povmon.rules import idcard, parse
from povmon.rules.fields import header_key, strip_unit
from povmon.rules.monitoring import DEPTS
from povmon.rules.parse import ValueProblem
from povmon.rules.text import excerpt, fold, shown

SCAN_ROWS = 40
CHUNK = 900  # IN lists stay under SQLite's bound-parameter limit


@dataclass(frozen=True)
class DeptField:
    """A column of a department's list: where its value goes, its header and aliases, how it is read."""

    key: str  # name, id_number, event_date, end_date, amount, total, fund, category, grade, or detail:<name>
    header: str
    aliases: tuple[str, ...] = ()
    parser: str = "text"  # text, name, id, date, amount
    required: bool = False

    def headers(self) -> tuple[str, ...]:
        return (self.header, *self.aliases)


NAME = DeptField("name", "姓名", ("患者姓名", "人员姓名", "救助对象姓名", "学生姓名", "参保人姓名", "受灾人姓名",
                                 "户主姓名", "残疾人姓名", "名字"), "name")
ID = DeptField("id_number", "身份证号", ("证件号码", "公民身份号码", "身份证号码", "身份证件号码", "证件号", "身份证",
                                        "患者身份证号", "学生身份证号", "参保人身份证号", "户主身份证号",
                                        "残疾人身份证号", "社会保障号码"), "id", required=True)

FIELDS: dict[str, tuple[DeptField, ...]] = {
    "医保": (
        DeptField("event_date", "结算日期", ("出院日期", "就诊日期", "费用期间", "期间", "结算时间", "统计期间",
                                            "费用月份", "结算月份", "月份"), "date"),
        DeptField("total", "医疗总费用", ("总费用", "费用总额", "医疗费用总额", "住院总费用", "医疗费用"), "amount"),
        DeptField("fund", "基金支付", ("统筹支付", "医保基金支付", "基本医疗保险支付", "报销金额", "合计报销",
                                      "基金支付合计", "三重保障报销"), "amount"),
        DeptField("amount", "个人自付", ("个人负担", "自付金额", "个人自付金额", "个人支付", "个人自付费用",
                                        "报销后个人自付", "个人负担金额"), "amount", required=True),
    ),
    "民政": (
        DeptField("category", "救助类别", ("救助项目", "项目", "保障类型", "救助类型", "救助种类"), required=True),
        DeptField("grade", "保障类别", ("人员类别", "保障对象类别", "低保类别", "类别")),
        DeptField("event_date", "起始日期", ("开始日期", "享受起始日期", "救助日期", "批准日期", "纳入日期"), "date"),
        DeptField("end_date", "终止日期", ("结束日期", "享受终止日期", "停发日期"), "date"),
        DeptField("amount", "救助金额", ("金额", "月救助金额", "保障金额"), "amount"),
    ),
    "残联": (
        DeptField("category", "残疾类别", ("残疾类型", "类别")),
        DeptField("grade", "残疾等级", ("等级", "残疾级别"), required=True),
        DeptField("event_date", "发证日期", ("办证日期", "持证日期", "评定日期", "日期"), "date"),
    ),
    "教育": (
        DeptField("detail:school", "学校", ("就读学校", "学校名称")),
        DeptField("detail:class", "年级", ("就读年级", "班级")),
        DeptField("grade", "学籍状态", ("在校状态", "状态", "就学状态", "在学状态"), required=True),
        DeptField("event_date", "变动日期", ("日期", "辍学日期", "统计日期"), "date"),
    ),
    "应急": (
        DeptField("category", "灾害类型", ("灾种", "受灾类型", "灾害种类"), required=True),
        DeptField("event_date", "受灾日期", ("灾害日期", "发生日期", "日期"), "date"),
        DeptField("amount", "损失金额", ("直接经济损失", "损失", "经济损失"), "amount"),
    ),
    "人社": (
        DeptField("category", "事件", ("类型", "变动类型", "就业状态", "事件类型", "情形")),
        DeptField("event_date", "日期", ("失业日期", "登记日期", "发生日期", "变动日期"), "date"),
    ),
    "住建": (
        DeptField("grade", "鉴定等级", ("危房等级", "住房安全等级", "房屋安全等级", "等级"), required=True),
        DeptField("event_date", "鉴定日期", ("日期", "评定日期"), "date"),
    ),
    "水利": (
        DeptField("category", "问题", ("问题类型", "饮水问题", "存在问题"), required=True),
        DeptField("event_date", "日期", ("发现日期", "排查日期"), "date"),
    ),
}
SILENT = frozenset(header_key(h) for h in ("序号", "编号", "行号", "序", "NO", "No.", "备注"))


def fields_of(dept: str) -> tuple[DeptField, ...]:
    return (NAME, ID, *FIELDS[dept])


def dept_code(value: object) -> str:
    """A department as typed (医保, 医保局, 民政局 …), or a refusal naming the departments."""
    text = fold(str(value or "")).removesuffix("局").removesuffix("部门")
    aliases = {"医疗保障": "医保", "残疾人联合会": "残联", "教育": "教育", "应急管理": "应急",
               "人力资源和社会保障": "人社", "人力社保": "人社", "住房和城乡建设": "住建", "住房城乡建设": "住建"}
    text = aliases.get(text, text)
    if text not in DEPTS:
        raise PovmonError(f"部门“{excerpt(value)}”不认识；--dept 可填：{'、'.join(DEPTS)}。")
    return text


@dataclass
class DeptResult:
    """What an import of a department's list did (docs/CONTRACTS.md, "Dynamic monitoring")."""

    dept: str
    batch: int | None
    dry_run: bool
    files: list[str]
    rows: dict[str, int]
    errors: list[FileProblem] = field(default_factory=list)
    warnings: list[FileProblem] = field(default_factory=list)
    not_in_register: list[dict] = field(default_factory=list)  # {"row", "name", "id_number"} unmasked

    def as_json(self, *, show_ids: bool = False) -> dict:
        def ident(n: str | None) -> str | None:
            return n if show_ids else idcard.mask(n)

        return {"batch": self.batch, "dry_run": self.dry_run, "files": self.files, "counts": {"rows": self.rows},
                "errors": [e.as_json() for e in self.errors], "warnings": [w.as_json() for w in self.warnings],
                "not_in_register": [{"row": r["row"], "name": r["name"], "id_number": ident(r["id_number"])}
                                    for r in self.not_in_register]}


def load_mapping(path: Path | None) -> dict[str, str]:
    """A clerk's ``--mapping`` TOML: ``[columns] "their header" = "povmon's header"`` ("" ignores a column)."""
    if path is None:
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise PovmonError(f"找不到列名对照文件 {path}；请检查 --mapping 的路径。") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise PovmonError(f"列名对照文件 {path.name} 格式有误（{exc}）；请按 TOML 格式书写，"
                          "例：[columns] \"自付\" = \"个人自付\"。") from None
    columns = data.get("columns") or {}
    if not isinstance(columns, dict) or not all(isinstance(v, str) for v in columns.values()):
        raise PovmonError(f"列名对照文件 {path.name} 的 [columns] 应为“原列名 = 标准列名”。")
    return {header_key(k): v for k, v in columns.items()}


def _index(fields: tuple[DeptField, ...]) -> dict[str, DeptField]:
    return {header_key(h): f for f in fields for h in f.headers()}


def _match(index: dict[str, DeptField], text: object, mapping: dict[str, str]) -> DeptField | str | None:
    key = header_key(text)
    if not key:
        return None
    if key in mapping:
        target = mapping[key]
        return "" if target == "" else index.get(header_key(target))
    return index.get(key) or index.get(strip_unit(key))


@dataclass
class SheetLayout:
    header_row: int  # 0-based
    columns: dict[str, int]  # field key → column index
    headers: dict[str, str]  # field key → the file's header


def find_layout(sheet: RawSheet, fields: tuple[DeptField, ...], mapping: dict[str, str]) -> SheetLayout | None:
    """The header row (the row among the first 40 naming the most of this department's columns, at least two,
    one of them the ID number) and where each field is."""
    index = _index(fields)
    best: SheetLayout | None = None
    best_count = 1
    for i, row in enumerate(sheet.rows[:SCAN_ROWS]):
        columns: dict[str, int] = {}
        headers: dict[str, str] = {}
        for j, value in enumerate(row):
            if not isinstance(value, str) or not value.strip():
                continue
            found = _match(index, value, mapping)
            if isinstance(found, DeptField) and found.key not in columns:
                columns[found.key] = j
                headers[found.key] = shown(value) or found.header
        if "id_number" in columns and len(columns) > best_count:
            best, best_count = SheetLayout(i, columns, headers), len(columns)
    return best


def _parse(f: DeptField, raw: object, as_of: dt.date):
    if f.parser == "id":
        return idcard.check(raw, as_of)
    if f.parser == "name":
        return parse.name(raw, 100)
    if f.parser == "amount":
        if type(raw) is int and raw >= 0:  # the common cell of a department's export: whole yuan
            return Decimal(raw).quantize(FEN)
        return parse.amount(raw, blank_is_zero=False)
    if f.parser == "date":
        if parse.is_blank(raw):
            return None
        try:
            day = _iso_date(raw) or parse.date(raw)
        except ValueProblem:
            try:  # a period: 2019-03, 2019年3月 → its last day
                day = parse.month_end(*parse.month(raw))
            except ValueProblem:
                message = f"“{excerpt(raw)}”不是日期；请填写如 2019-03-15 或月份 2019-03"
                raise ValueProblem("bad_date", message) from None
        if day is not None and day > as_of:
            raise ValueProblem("bad_date", f"“{excerpt(raw)}”晚于名单截至日期 {as_of.isoformat()}")
        return day
    return parse.text(raw, 100)


FEN = Decimal("0.01")


def _iso_date(raw: object) -> dt.date | None:
    """A date cell, or text written YYYY-MM-DD (what exports write), without the general parser."""
    if type(raw) is dt.date:
        return raw
    if isinstance(raw, str) and len(raw) == 10 and raw[4] == "-" and raw[7] == "-":
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            return None
    return None


def row_key(dept: str, values: dict, keys: tuple[str, ...]) -> str:
    """The content of a row (department, ID number, dates, figures; not the name), hashed: the same row in a later
    file is recognised. ``keys`` are the department's fields in a fixed order. The hash is keyed (crypto.digest of
    the SHA-256): a plain hash of content holding an ID number would give the number back to anyone who guesses."""
    parts = [dept]
    for k in keys:
        v = values.get(k)
        parts.append("" if v is None else v.isoformat() if isinstance(v, dt.date) else str(v))
    return crypto.digest(hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest())


def import_dept(session: Session, path: Path, dept: str, *, as_of: dt.date | None = None, dry_run: bool = False,
                mapping: Path | None = None, user: str = "povmon") -> DeptResult:
    """Read a department's list, match it by ID number and store its new rows as one batch (never commits)."""
    dept = dept_code(dept)
    as_of = as_of or dt.date.today()
    columns_map = load_mapping(mapping)
    book = read_book(path)
    fields = fields_of(dept)
    by_key = {f.key: f for f in fields}
    errors: list[FileProblem] = []
    warnings: list[FileProblem] = []
    parsed: list[tuple[str, int, dict]] = []  # (sheet, Excel row, values)
    found_any = False
    for sheet in book.sheets:
        layout = find_layout(sheet, fields, columns_map)
        if layout is None:
            continue
        found_any = True
        missing = [f for f in fields if f.required and f.key not in layout.columns]
        if missing:
            raise PovmonError(
                f"{book.name}「{sheet.name}」第{layout.header_row + 1}行是表头，但没有"
                f"{'、'.join(f.header for f in missing)}列；请改列名或用 --mapping 指明哪一列是"
                f"{'、'.join(f.header for f in missing)}。")
        known = set(layout.columns.values())
        for j, value in enumerate(sheet.rows[layout.header_row]):
            if j not in known and isinstance(value, str) and value.strip() and header_key(value) not in SILENT:
                warnings.append(FileProblem(book.name, sheet.name, layout.header_row + 1, shown(value), None,
                                            "column_ignored", f"不认识的列“{excerpt(value)}”，已忽略"))
        for i in range(layout.header_row + 1, len(sheet.rows)):
            row = sheet.rows[i]
            cells = {k: (row[j] if j < len(row) else "") for k, j in layout.columns.items()}
            if all(parse.is_blank(v) for v in cells.values()):
                continue
            values: dict = {}
            bad = False

            def place(k, raw, sheet=sheet, row=i + 1, layout=layout):  # only for a problem
                return _where(book.name, sheet.name, row, layout.headers[k], raw)

            for k, raw in cells.items():
                f = by_key[k]
                try:
                    value = _parse(f, raw, as_of)
                except ValueProblem as exc:
                    errors.append(FileProblem(*place(k, raw), exc.code, exc.message))
                    bad = True
                    continue
                if isinstance(value, idcard.IdCheck):
                    if value.error is not None:
                        errors.append(FileProblem(*place(k, raw), value.error.code, value.error.message))
                        bad = True
                        continue
                    warnings.extend(FileProblem(*place(k, raw), w.code, w.message) for w in value.warnings)
                    value = value.number
                if value is None and f.required:
                    errors.append(FileProblem(*place(k, raw), "required_missing", f"{f.header}不能为空"))
                    bad = True
                values[k] = value
            if bad:
                continue
            values.setdefault("event_date", None)
            if values["event_date"] is None:
                values["event_date"] = as_of  # a list without dates describes the day it was drawn up
            parsed.append((sheet.name, i + 1, values))
    if not found_any:
        raise PovmonError(f"{book.name} 里找不到{dept}名单的表头（需要“身份证号”等列）；请检查是不是{dept}的名单，"
                          "或用 --mapping 指明列名。")
    rejected_rows = {(e.sheet, e.row) for e in errors}
    counts = {"matched": 0, "not_in_register": 0, "rejected": len(rejected_rows), "unchanged": 0}
    if not dry_run:
        lock.take(session)
    key_fields = tuple(f.key for f in fields if f.key != "name")
    keyed = [(sheet, row, values, row_key(dept, values, key_fields)) for sheet, row, values in parsed]
    stored = _existing_keys(session, dept, [k for *_, k in keyed])
    members = _present_members(session, {v["id_number"] for _, _, v, _ in keyed}, as_of)
    new_rows: list[dict] = []
    not_in_register: list[dict] = []
    seen: set[str] = set()
    for _sheet, row, values, key in keyed:
        if key in stored or key in seen:
            counts["unchanged"] += 1
            continue
        seen.add(key)
        member = members.get(values["id_number"])
        if member is None:
            counts["not_in_register"] += 1
            not_in_register.append({"row": row, "name": values.get("name"), "id_number": values["id_number"]})
        else:
            counts["matched"] += 1
        detail = {k.split(":", 1)[1]: v for k, v in values.items() if k.startswith("detail:") and v is not None}
        new_rows.append({
            "dept": dept, "key": key, "source_row": row, "name": values.get("name"), "id_number": values["id_number"],
            "member_id": member[0] if member else None, "household_id": member[1] if member else None,
            "event_date": values["event_date"], "end_date": values.get("end_date"), "amount": values.get("amount"),
            "total": values.get("total"), "fund": values.get("fund"), "category": values.get("category"),
            "grade": values.get("grade"), "detail": detail or None,
        })
    batch_id = None
    if new_rows and not dry_run:
        sha, size = book.sha256, book.size
        batch = ImportBatch(files=[{"name": book.name, "sha256": sha, "size": size}], file_name=book.name,
                            sha256=sha, user=user, as_of=as_of, options={"kind": "dept", "dept": dept},
                            counts={"rows": counts}, error_count=len(errors), warning_count=len(warnings))
        session.add(batch)
        session.flush()
        batch_id = batch.id
        postgres = session.get_bind().dialect.name == "postgresql"
        for r in new_rows:
            r["batch_id"] = batch_id
            if postgres and r["detail"] is not None:  # COPY takes JSON as its text
                r["detail"] = json.dumps(r["detail"], ensure_ascii=False, default=str)
        writer = bulk_writer(session, len(new_rows), None)  # the importer's own bulk path (executemany / COPY)
        try:
            writer.insert(DeptRow.__table__, new_rows)
        finally:
            writer.close()
        batch.finished_at = utcnow()
    return DeptResult(dept, batch_id, dry_run, [book.name], counts, errors, warnings, not_in_register)


def _where(file: str, sheet: str, row: int, column: str, raw: object) -> tuple:
    """The place of a problem (worked out only when there is one: a list has hundreds of thousands of cells)."""
    return (file, sheet, row, column, shown(raw))


def _existing_keys(session: Session, dept: str, keys: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start:start + CHUNK]
        found.update(session.scalars(select(DeptRow.key).where(DeptRow.dept == dept, DeptRow.key.in_(chunk))))
    return found


def _present_members(session: Session, ids: set[str], day: dt.date) -> dict[str, tuple[int, int]]:
    """ID number → (member id, household id) of the person present on the register on the day."""
    found: dict[str, tuple[int, int]] = {}
    ordered = sorted(ids)
    for start in range(0, len(ordered), CHUNK):
        chunk = ordered[start:start + CHUNK]
        rows = session.execute(select(Member.id_number, Member.id, Member.household_id)
                               .where(Member.id_number.in_(chunk), Member.present_on(day)))
        for number, member_id, household_id in rows:
            found[number] = (member_id, household_id)
    return found
