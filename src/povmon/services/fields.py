"""The fields a clerk types on the command line, declared once: they are the importer's own columns.

``household add --set``, ``household edit``, ``member add --set`` and ``member edit`` find a field by its key
(housing_safety, housing-safety), its header (住房安全), any header alias a spreadsheet may use (住房安全等级)
or a short name typed at a prompt (住房, housing). Every data-entry command cleans a value with the importer's
parser of the field of the same meaning (rules.fields.make_parser, through ``Cleaner.field``): the same value
gets the same code and the same message on the command line as in a spreadsheet cell.
"""

from __future__ import annotations

from collections.abc import Callable

from povmon.rules import fields as C
from povmon.rules.fields import Field, make_parser

# Columns a file gives that are not edited as plain fields: where the household is, who heads it and its status
# (household add, household edit village/code, the event commands), and a member's ID number, sex and
# membership state (member add/leave/move, member edit id_number).
_OWN_COMMANDS = frozenset(
    {("household", k) for k in ("code", "county", "township", "village", "head_name", "head_id", "status",
                                "identified_year", "exited_year")}
    | {("member", k) for k in ("id_number", "sex", "state", "state_date")}
)

HOUSEHOLD_FIELDS: tuple[Field, ...] = tuple(f for f in C.HOUSEHOLD_FIELDS if f.ref not in _OWN_COMMANDS)
MEMBER_FIELDS: tuple[Field, ...] = tuple(f for f in C.MEMBER_FIELDS if f.ref not in _OWN_COMMANDS)

# Short names for typing (English words, abbreviations). They are not spreadsheet header aliases on purpose:
# a data row's cell reading 健康 or 医保 must never make the row look like a header row.
TYPED: dict[tuple[str, str], tuple[str, ...]] = {
    ("household", "group_name"): ("group",),
    ("household", "phone"): ("手机",),
    ("household", "attribute"): ("属性",),
    ("household", "standard"): ("标准",),
    ("household", "main_cause"): ("cause",),
    ("household", "housing_safety"): ("住房", "housing"),
    ("household", "safe_water"): ("安全饮水", "饮水", "water"),
    ("household", "electricity"): ("通生产用电", "用电"),
    ("household", "road"): ("道路",),
    ("household", "food_clothing_secure"): ("不愁吃不愁穿", "吃穿不愁", "food_clothing"),
    ("member", "name"): ("名字",),
    ("member", "school_status"): ("school",),
    ("member", "health"): ("健康",),
    ("member", "labour"): ("劳动力",),
    ("member", "work_status"): ("务工", "work"),
    ("member", "medical_insurance"): ("医保", "medical"),
    ("member", "pension_insurance"): ("养老", "基本养老保险", "pension"),
    ("member", "extreme_poverty_support"): ("五保",),
    ("member", "phone"): ("手机",),
}


def _index(fields: tuple[Field, ...]) -> dict[str, Field]:
    index: dict[str, Field] = {}
    for f in fields:
        for name in (f.key, f.key.replace("_", "-"), *f.headers(), *TYPED.get(f.ref, ())):
            key = C.header_key(name)
            if index.get(key, f) is not f:
                raise ValueError(f"field name {name!r} means both {index[key].key} and {f.key}")
            index[key] = f
    return index


_INDEX = {id(HOUSEHOLD_FIELDS): _index(HOUSEHOLD_FIELDS), id(MEMBER_FIELDS): _index(MEMBER_FIELDS)}
_COLUMNS = {f.ref: f for f in C.ALL_FIELDS}
_PARSERS: dict[tuple[str, str], Callable[[object], object]] = {}


def find(fields: tuple[Field, ...], name: str) -> Field | None:
    """The field named by its key, header, a header alias or a short name (full-width forms and case folded)."""
    index = _INDEX.get(id(fields)) or _index(fields)
    return index.get(C.header_key(name))


def names(fields: tuple[Field, ...]) -> str:
    """The field names for a message or a help text: key（header）, …"""
    return "、".join(f"{f.key}（{f.header}）" for f in fields)


def column(level: str, key: str) -> Field:
    """The importer's declaration of a column (level household, member, income, event, cadre, benefit …)."""
    return _COLUMNS[(level, key)]


def parser(f: Field) -> Callable[[object], object]:
    """The importer's parser of a column (IDs give an idcard.IdCheck), made once."""
    found = _PARSERS.get(f.ref)
    if found is None:
        found = _PARSERS[f.ref] = make_parser(f)
    return found


_OTHER_TITLES = {
    "village_id": "所在村", "code": "户编号", "id_number": "身份证号", "sex": "性别", "birth_date": "出生日期",
    "joined_on": "加入日期", "left_on": "离开日期", "left_reason": "减少原因", "end_on": "结束日期",
    "end_reason": "结束原因", "name": "名称", "wage": "工资性收入", "business": "生产经营性收入",
    "business_expense": "生产经营性支出", "property": "财产性收入", "transfer": "转移性收入",
    "compliant_spending": "合规自付支出",
}


def describe(table: str, key: str, value: object) -> tuple[str, str]:
    """(Chinese title, value as a clerk reads it) for a changed field: 是/否, labels instead of codes, 空 for none."""
    fields = HOUSEHOLD_FIELDS if table == "household" else MEMBER_FIELDS if table == "member" else ()
    spec = next((f for f in fields if f.key == key), None)
    title = spec.header if spec else _OTHER_TITLES.get(key, key)
    if value is None or value == "":
        return title, "空"
    if isinstance(value, bool):
        return title, "是" if value else "否"
    if spec is not None and spec.vocab is not None:
        return title, "、".join(spec.vocab.label(c) or c for c in str(value).split(","))
    if key == "left_reason":
        return title, {"deceased": "死亡", "moved_out": "迁出"}.get(str(value), str(value))
    return title, str(value)
