"""Importing the projects workbook: projects, funding, beneficiaries, dividends, assets, enterprises, jobs,
training and political status (``povmon project import``; its template: ``povmon project template``).

Each sheet is recognised by its headers (the row among the first 40 that names the most of one kind's columns,
headers folded as everywhere: rules.fields.header_key and strip_unit), never by its name. Every row goes through
the data-entry service of its kind (services.projects, services.employment), so a row is judged exactly as a
typed command would be, and each problem is reported at its file, sheet, row and column with the service's
Chinese message. One import is all or nothing: the rows run inside a savepoint that is rolled back when any row
is refused (or on --dry-run), so the register is left as it was. The JSON has the shape of ``import --json``
(docs/CONTRACTS.md) with ``counts`` per kind: created and rejected.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from povmon.errors import PovmonError
from povmon.ingest.read import RawSheet, read_book
from povmon.models import Area, AuditLog, Household, ImportBatch, Member
from povmon.models.base import utcnow
from povmon.rules import idcard
from povmon.rules.checks import Problem
from povmon.rules.fields import header_key, strip_unit
from povmon.rules.projects import ASSET_OWNER, ASSET_STATUS, FUNDING_SOURCE, INDUSTRY, POLITICAL_STATUS, PROJECT_KIND
from povmon.rules.text import clean_text, excerpt
from povmon.rules.vocab import Vocabulary
from povmon.services import areas, employment, members, projects
from povmon.services import households as hh
from povmon.services.entry import Outcome, Refused

SCAN_ROWS = 40


@dataclass(frozen=True)
class Col:
    header: str
    key: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    vocab: Vocabulary | None = None
    text: bool = False  # a code or ID number: a text column in the template
    help: str = ""


@dataclass(frozen=True)
class Kind:
    name: str  # the template's sheet name and the key of counts
    key: str
    columns: tuple[Col, ...]
    help: str

    def required(self) -> list[Col]:
        return [c for c in self.columns if c.required]


def _c(header, key, required=False, *aliases, vocab=None, text=False, help=""):
    return Col(header, key, required, tuple(aliases), vocab, text, help)


TOWN = _c("乡镇", "township", False, "乡（镇）", "乡镇名称")
VILLAGE = _c("行政村", "village", False, "村", "村名", "行政村名称")
PROJECT = _c("项目名称", "project", True, "项目")
CODE = _c("户编号", "household", True, "户号", text=True)
ID = _c("身份证号", "id_number", True, "证件号码", "公民身份号码", "身份证号码", text=True)
NAME = _c("姓名", "name", False, "成员姓名")
NOTE = _c("备注", "note", False, "说明")

KINDS: tuple[Kind, ...] = (
    Kind("项目", "projects", (
        PROJECT, TOWN, VILLAGE, _c("项目类别", "kind", True, "项目类型", vocab=PROJECT_KIND),
        _c("总投资（元）", "investment", True, "总投资", "投资额", "项目投资"),
        _c("开工日期", "start", False, "开始日期", "实施日期"), _c("完工日期", "completed", False, "竣工日期"),
        _c("每户年分红（元）", "dividend", False, "每户分红", "户均分红"),
        _c("项目内容", "description", False, "建设内容", "项目简介")),
        "每个项目一行；乡镇、行政村写项目所在地（乡镇的项目只写乡镇）"),
    Kind("项目资金", "funding", (
        PROJECT, TOWN, VILLAGE, _c("资金来源", "source", True, "资金类别", vocab=FUNDING_SOURCE),
        _c("金额（元）", "amount", True, "资金金额", "金额"), NOTE),
        "每个项目的每项资金来源一行"),
    Kind("项目受益户", "beneficiaries", (
        PROJECT, TOWN, VILLAGE, CODE, _c("受益日期", "since", False, "受益开始日期"),
        _c("面积（亩）", "area_mu", False, "种植面积", "面积"), _c("数量", "quantity", False, "株数", "数量（株）"),
        NOTE),
        "项目的每个受益户一行"),
    Kind("项目分红", "dividends", (
        PROJECT, TOWN, VILLAGE, CODE, _c("分红年度", "year", True, "年度"),
        _c("发放日期", "paid_on", True, "分红日期", "日期"), _c("分红金额（元）", "amount", False, "分红金额"),
        _c("计入收入", "count_income", False, "计入财产性收入"), _c("政策名称", "policy", False)),
        "每户每年的资产收益分红一行：同时记入政策账（享受政策）和收入账（财产性收入）"),
    Kind("项目资产", "assets", (
        _c("资产名称", "asset", True, "资产"), PROJECT, TOWN, VILLAGE,
        _c("资产价值（元）", "value", True, "资产价值", "资产原值"),
        _c("资产权属", "owner", True, "权属", "所有权", vocab=ASSET_OWNER),
        _c("管护主体", "custodian", False, "管护单位", "管护责任人"),
        _c("资产状态", "status", False, "状态", vocab=ASSET_STATUS), _c("状态日期", "status_on", False), NOTE),
        "项目形成的每项资产一行"),
    Kind("资产状态变动", "asset_statuses", (
        _c("资产名称", "asset", True, "资产"), _c("资产状态", "status", True, "状态", vocab=ASSET_STATUS),
        _c("状态日期", "on", True, "变动日期", "日期"), NOTE),
        "资产闲置、损毁、恢复使用或处置时一行"),
    Kind("企业", "enterprises", (
        _c("企业名称", "enterprise", True, "企业", "用工单位", "单位名称"),
        _c("行业", "industry", True, "所属行业", "产业类别", vocab=INDUSTRY), TOWN, VILLAGE, NOTE),
        "吸纳就业的企业、合作社、扶贫车间，每个一行"),
    Kind("务工就业", "jobs", (
        ID, NAME, _c("企业名称", "enterprise", True, "企业", "用工单位", "务工单位"),
        _c("开始日期", "start", True, "务工开始日期", "入职日期"),
        _c("结束日期", "end", False, "务工结束日期", "离职日期"),
        _c("月工资（元）", "wage", True, "月工资", "月收入", "月工资收入"), _c("岗位", "post", False, "工种"), NOTE),
        "每人每份工作一行"),
    Kind("培训", "trainings", (
        _c("培训内容", "course", True, "培训项目", "培训名称", "课程"), _c("培训日期", "held_on", True, "日期"),
        _c("培训机构", "provider", False, "承办单位", "举办单位"), TOWN, VILLAGE, NOTE),
        "每期培训一行"),
    Kind("培训学员", "participants", (
        _c("培训内容", "course", True, "培训项目", "培训名称", "课程"), _c("培训日期", "held_on", True, "日期"),
        ID, NAME, NOTE),
        "每期培训的每名学员一行"),
    Kind("政治面貌", "political", (
        ID, NAME, _c("政治面貌", "status", True, vocab=POLITICAL_STATUS),
        _c("日期", "since", True, "入党日期", "起始日期", "转正日期"), NOTE),
        "成员政治面貌的每次变化一行（入党、转正）"),
)
BY_NAME = {k.name: k for k in KINDS}


def _key(text: object) -> str:
    return header_key(clean_text(str(text)) if text not in (None, "") else "")


def _index(kind: Kind) -> dict[str, Col]:
    found: dict[str, Col] = {}
    for col in kind.columns:
        for h in (col.header, *col.aliases):
            found.setdefault(_key(h), col)
            found.setdefault(strip_unit(_key(h)), col)
    return found


INDEXES = {k.name: _index(k) for k in KINDS}


@dataclass
class SheetLayout:
    kind: Kind
    header_row: int  # 0-based
    columns: dict[str, tuple[int, str]]  # col key → (0-based index, header as written)


def detect(sheet: RawSheet) -> SheetLayout | None:
    """The kind and header row of a sheet: the kind whose required columns are all present, naming the most."""
    best: SheetLayout | None = None
    best_score = 1
    for index, row in enumerate(sheet.rows[:SCAN_ROWS]):
        keys = [(j, _key(v), clean_text(str(v))) for j, v in enumerate(row) if isinstance(v, str) and v.strip()]
        for kind in KINDS:
            lookup = INDEXES[kind.name]
            columns: dict[str, tuple[int, str]] = {}
            for j, key, text in keys:
                col = lookup.get(key) or lookup.get(strip_unit(key))
                if col is not None and col.key not in columns:
                    columns[col.key] = (j, text)
            if not all(c.key in columns for c in kind.required()):
                continue
            score = len(columns) + len(kind.required())  # a tie goes to the kind that needs more
            if score > best_score:
                best, best_score = SheetLayout(kind, index, columns), score
    return best


@dataclass
class RowProblem:
    file: str
    sheet: str
    row: int
    column: str | None
    value: object
    code: str
    message: str

    def as_json(self) -> dict:
        return {"file": self.file, "sheet": self.sheet, "row": self.row, "column": self.column,
                "value": None if self.value in (None, "") else excerpt(self.value), "code": self.code,
                "message": self.message}


@dataclass
class ExtrasResult:
    batch: int | None
    dry_run: bool
    files: list[str]
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    errors: list[RowProblem] = field(default_factory=list)
    warnings: list[RowProblem] = field(default_factory=list)

    def as_json(self) -> dict:
        """The shape of ``import --json`` (docs/CONTRACTS.md)."""
        return {"batch": self.batch, "dry_run": self.dry_run, "files": self.files, "counts": self.counts,
                "errors": [p.as_json() for p in self.errors], "warnings": [p.as_json() for p in self.warnings]}


@dataclass
class _Row:
    file: str
    sheet: str
    number: int  # as Excel shows it
    values: dict[str, object]
    headers: dict[str, str]  # key → header as written


def _rows(path_name: str, sheet: RawSheet, layout: SheetLayout) -> Iterable[_Row]:
    headers = {k: h for k, (_, h) in layout.columns.items()}
    for i in range(layout.header_row + 1, len(sheet.rows)):
        row = sheet.rows[i]
        values = {k: (row[j] if j < len(row) else "") for k, (j, _) in layout.columns.items()}
        cleaned = {k: (None if v == "" or (isinstance(v, str) and not v.strip()) else v) for k, v in values.items()}
        if all(v is None for v in cleaned.values()):
            continue
        first = next((v for v in row if v not in ("", None)), None)
        if isinstance(first, str) and first.strip() in ("合计", "小计", "总计"):
            continue
        yield _Row(path_name, sheet.name, i + 1, cleaned, headers)


class _Context:
    """What the rows of one import look up, cached: areas, households, members, projects, enterprises, trainings."""

    def __init__(self, session: Session, user: str, today: dt.date):
        self.session, self.user, self.today = session, user, today
        self._areas: dict[str, Area] = {}
        self._households: dict[str, Household] = {}

    def area(self, row: _Row, *, required: bool) -> Area | None:
        town, village = row.values.get("township"), row.values.get("village")
        if town is None and village is None:
            if required:
                raise Refused([Problem("required_missing", "乡镇、行政村不能都为空；请写明所在地", "乡镇")])
            return None
        path = "/".join(str(clean_text(v)) for v in (town, village) if v is not None)
        if path not in self._areas:
            self._areas[path] = areas.find(self.session, path)
        return self._areas[path]

    def household(self, code: object) -> Household:
        text = hh.normal_code(str(clean_text(code) or ""))
        if text not in self._households:
            self._households[text] = hh.by_code(self.session, text)
        return self._households[text]

    def member(self, row: _Row) -> Member:
        number = idcard.normalize(str(clean_text(row.values.get("id_number")) or ""))
        member = members.find(self.session, number)
        name = clean_text(row.values.get("name"))
        if name and name != member.name:
            raise Refused([Problem("bad_value", f"身份证号 {idcard.mask(number)} 是 {member.name}，不是 {name}；"
                                   "请核对", "姓名")])
        return member

    def project(self, row: _Row):
        return projects.find(self.session, row.values.get("project"), self.area(row, required=False))


def _handlers() -> dict[str, Callable[[_Context, _Row], Outcome]]:
    def v(row: _Row, key: str):
        return row.values.get(key)

    def project(c: _Context, r: _Row) -> Outcome:
        return projects.add(c.session, c.area(r, required=True), name=v(r, "project"), kind=v(r, "kind"),
                            investment=v(r, "investment"), start=v(r, "start"), completed=v(r, "completed"),
                            dividend=v(r, "dividend"), description=v(r, "description"), user=c.user, today=c.today)

    def funding(c: _Context, r: _Row) -> Outcome:
        return projects.fund(c.session, c.project(r), source=v(r, "source"), amount=v(r, "amount"),
                             note=v(r, "note"), user=c.user)

    def beneficiary(c: _Context, r: _Row) -> Outcome:
        return projects.add_beneficiary(c.session, c.project(r), c.household(v(r, "household")), since=v(r, "since"),
                                        area_mu=v(r, "area_mu"), quantity=v(r, "quantity"), note=v(r, "note"),
                                        user=c.user, today=c.today)

    def dividend(c: _Context, r: _Row) -> Outcome:
        counts = v(r, "count_income")
        return projects.pay_dividend(c.session, c.project(r), c.household(v(r, "household")), year=v(r, "year"),
                                     paid_on=v(r, "paid_on"), amount=v(r, "amount"),
                                     count_income=True if counts is None else counts, policy=v(r, "policy"),
                                     user=c.user, today=c.today)

    def asset(c: _Context, r: _Row) -> Outcome:
        return projects.add_asset(c.session, c.project(r), name=v(r, "asset"), value=v(r, "value"),
                                  owner=v(r, "owner"), custodian=v(r, "custodian"), status=v(r, "status") or "在用",
                                  status_on=v(r, "status_on"), note=v(r, "note"), user=c.user, today=c.today)

    def asset_status(c: _Context, r: _Row) -> Outcome:
        return projects.set_status(c.session, projects.find_asset(c.session, v(r, "asset")), status=v(r, "status"),
                                   on=v(r, "on"), note=v(r, "note"), user=c.user, today=c.today)

    def enterprise(c: _Context, r: _Row) -> Outcome:
        return employment.add_enterprise(c.session, name=v(r, "enterprise"), industry=v(r, "industry"),
                                         area=c.area(r, required=False), note=v(r, "note"), user=c.user)

    def job(c: _Context, r: _Row) -> Outcome:
        return employment.hire(c.session, c.member(r), employment.find_enterprise(c.session, v(r, "enterprise")),
                               start=v(r, "start"), end=v(r, "end"), wage=v(r, "wage"), post=v(r, "post"),
                               note=v(r, "note"), user=c.user, today=c.today)

    def training(c: _Context, r: _Row) -> Outcome:
        return employment.add_training(c.session, course=v(r, "course"), held_on=v(r, "held_on"),
                                       provider=v(r, "provider"), area=c.area(r, required=False), note=v(r, "note"),
                                       user=c.user, today=c.today)

    def participant(c: _Context, r: _Row) -> Outcome:
        course = employment.find_training(c.session, v(r, "course"), v(r, "held_on"))
        return employment.attend(c.session, course, c.member(r), note=v(r, "note"), user=c.user)

    def political(c: _Context, r: _Row) -> Outcome:
        return employment.set_political(c.session, c.member(r), status=v(r, "status"), since=v(r, "since"),
                                        note=v(r, "note"), user=c.user, today=c.today)

    return {"projects": project, "funding": funding, "beneficiaries": beneficiary, "dividends": dividend,
            "assets": asset, "asset_statuses": asset_status, "enterprises": enterprise, "jobs": job,
            "trainings": training, "participants": participant, "political": political}


HANDLERS = _handlers()
# which column a problem about a service's field title belongs to, when the title is not the header itself
_TITLE_COLUMN = {"资产状态": "status", "状态日期": "status_on", "务工开始日期": "start", "务工结束日期": "end",
                 "月工资": "wage", "分红金额": "amount", "金额": "amount", "受益日期": "since", "数量": "quantity",
                 "资产价值": "value", "总投资": "investment", "每户年分红": "dividend", "项目": "project",
                 "资产": "asset", "企业": "enterprise", "成员": "id_number", "户": "household", "培训": "course",
                 "日期": "since"}


def _column(row: _Row, kind: Kind, title: str | None) -> str | None:
    if not title:
        return None
    folded = _key(title)
    for col in kind.columns:
        if folded in (_key(col.header), strip_unit(_key(col.header))):
            return row.headers.get(col.key, col.header)
    key = _TITLE_COLUMN.get(title)
    if key and any(c.key == key for c in kind.columns):
        header = next(c.header for c in kind.columns if c.key == key)
        return row.headers.get(key, header)
    return title


def _problem(row: _Row, kind: Kind, p: Problem) -> RowProblem:
    column = _column(row, kind, p.field)
    key = next((c.key for c in kind.columns if row.headers.get(c.key, c.header) == column), None)
    return RowProblem(row.file, row.sheet, row.number, column, row.values.get(key) if key else None, p.code,
                      p.message)


def import_files(session: Session, paths: list[Path], *, user: str, dry_run: bool = False,
                 today: dt.date | None = None) -> ExtrasResult:
    """Import projects workbooks in one savepoint: everything, or (any row refused, or dry_run) nothing."""
    today = today or dt.date.today()
    books = [read_book(Path(p)) for p in paths]
    result = ExtrasResult(None, dry_run, [b.name for b in books])
    by_kind: dict[str, list[_Row]] = {k.key: [] for k in KINDS}
    for book in books:
        for sheet in book.sheets:
            layout = detect(sheet)
            if layout is None:
                continue
            by_kind[layout.kind.key].extend(_rows(book.name, sheet, layout))
    if not any(by_kind.values()):
        raise PovmonError(f"{'、'.join(result.files)} 中没有可识别的项目、资产、就业、培训或政治面貌工作表；"
                          "请用 povmon project template 生成模板，按模板的表头填写。")
    audit_start = session.scalar(select(func.max(AuditLog.id))) or 0
    savepoint = session.begin_nested()
    batch = ImportBatch(files=[{"name": b.name, "sha256": b.sha256, "size": b.size} for b in books],
                        file_name="、".join(b.name for b in books), sha256=" ".join(b.sha256 for b in books),
                        user=user, options={"kind": "projects", "dry_run": dry_run})
    session.add(batch)
    session.flush()
    context = _Context(session, user, today)
    for kind in KINDS:
        rows = by_kind[kind.key]
        if not rows:
            continue
        created = rejected = 0
        for row in rows:
            try:
                with session.begin_nested():
                    outcome = HANDLERS[kind.key](context, row)
                    for record in outcome.stored:
                        if hasattr(record, "source_row"):
                            record.batch_id = batch.id
                            record.source_file, record.source_sheet, record.source_row = row.file, row.sheet, row.number
                    session.flush()
            except Refused as exc:
                rejected += 1
                result.errors.extend(_problem(row, kind, p) for p in exc.problems)
                continue
            except PovmonError as exc:  # a household or area not found
                rejected += 1
                problems = getattr(exc, "problems", None) or [Problem("unknown_reference", str(exc).rstrip("。"))]
                result.errors.extend(_problem(row, kind, p) for p in problems)
                continue
            created += 1
            result.warnings.extend(_problem(row, kind, w) for w in outcome.warnings)
        result.counts[kind.key] = {"created": created, "rejected": rejected}
    if result.errors or dry_run:
        savepoint.rollback()
        if result.errors:
            result.counts = {k: {"created": 0, "rejected": c["created"] + c["rejected"]} if not dry_run else c
                             for k, c in result.counts.items()}
        return result
    batch.finished_at = utcnow()
    batch.counts = result.counts
    batch.warning_count = len(result.warnings)
    session.execute(update(AuditLog).where(AuditLog.id > audit_start).values(batch_id=batch.id))
    savepoint.commit()
    result.batch = batch.id
    return result


# --- the template ---------------------------------------------------------------------------------------------

TEMPLATE_HELP = "填表说明"
PREPARED_ROWS = 200  # rows prepared with text format and dropdowns below the data


def template_book(rows_by_sheet: dict[str, list[dict]] | None = None):
    """The projects workbook: one sheet per kind (rows keyed by canonical header), dropdowns, required in red."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    from povmon import xlsx
    from povmon.ingest.template import REQUIRED_FONT

    rows_by_sheet = dict(rows_by_sheet or {})
    unknown = set(rows_by_sheet) - set(BY_NAME)
    if unknown:
        raise ValueError(f"no such sheet: {', '.join(sorted(unknown))}")
    wb = Workbook()
    notes = wb.active
    notes.title = TEMPLATE_HELP
    xlsx.put(notes, 1, 1, "项目、资产、就业、培训、政治面貌导入模板（povmon project import）", font=xlsx.FONT_BOLD,
             border=False)
    line = 3
    for kind in KINDS:
        xlsx.put(notes, line, 1, f"「{kind.name}」：{kind.help}；必填列（红色）："
                 f"{'、'.join(c.header for c in kind.required())}", border=False)
        line += 1
    xlsx.put(notes, line + 1, 1, "按表头识别工作表，表名、列的顺序可以改；日期可写 2019-03-01、2019.3.1、2019年3月1日；"
             "金额单位：元。一次导入要么全部写入，要么（有任何一行出错时）全部不写。", border=False)
    notes.column_dimensions["A"].width = 110
    for kind in KINDS:
        ws = wb.create_sheet(kind.name)
        for j, col in enumerate(kind.columns, start=1):
            xlsx.put(ws, 1, j, col.header, font=REQUIRED_FONT if col.required else xlsx.FONT_BOLD, align=xlsx.CENTER,
                     fill=xlsx.HEADER_FILL)
            letter = get_column_letter(j)
            ws.column_dimensions[letter].width = max(12, xlsx.display_width(col.header) + 4,
                                                     20 if col.text else 0)
            if col.text:
                ws.column_dimensions[letter].number_format = xlsx.TEXT_FORMAT
        rows = rows_by_sheet.get(kind.name, [])
        painter = xlsx.Painter(ws)
        for i, row in enumerate(rows, start=2):
            for j, col in enumerate(kind.columns, start=1):
                value = row.get(col.header)
                if value is None:
                    continue
                fmt = xlsx.TEXT_FORMAT if col.text else (xlsx.DATE_FORMAT if isinstance(value, dt.date) else None)
                painter.put(i, j, value, number_format=fmt, border=False)
        last = max(len(rows) + 1, PREPARED_ROWS + 1)
        for j, col in enumerate(kind.columns, start=1):
            if col.vocab is None:
                continue
            letter = get_column_letter(j)
            validation = DataValidation(type="list", formula1='"' + ",".join(col.vocab.labels()) + '"',
                                        allow_blank=True, showErrorMessage=True, errorStyle="warning",
                                        errorTitle=col.header, error=f"请从下拉列表中选择{col.header}")
            validation.add(f"{letter}2:{letter}{last}")
            ws.add_data_validation(validation)
        ws.freeze_panes = "A2"
        xlsx.a4(ws, landscape=True, repeat_rows="1:1")
    return wb


def write_template(path: Path, rows_by_sheet: dict[str, list[dict]] | None = None) -> Path:
    """Write the projects template (with rows, for the sample county) atomically."""
    from povmon import files

    wb = template_book(rows_by_sheet)
    with files.atomic(path, private=False) as temporary:
        wb.save(temporary)
    return path
