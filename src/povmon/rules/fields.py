"""The fields of a household and a member that a clerk may type, each with its Chinese title and its parser.

Data entry (``household add --set``, ``household edit``, ``member add --set``, ``member edit``) finds fields
here by their key (``housing_safety``), their Chinese title (住房安全) or an alias, and cleans values with the
same rules.parse functions the importer uses, so a value is judged the same way everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from povmon.rules import parse
from povmon.rules.parse import ValueProblem
from povmon.rules.text import clean_text, fold
from povmon.rules.vocab import (
    ATTRIBUTE,
    CAUSE,
    DISABILITY_GRADE,
    EDUCATION,
    ETHNICITY,
    HEALTH,
    HOUSING,
    LABOUR,
    RELATION,
    SCHOOL_STATUS,
    STANDARD,
    WORK,
    Vocabulary,
)


@dataclass(frozen=True)
class Field:
    """A field clerks type: model attribute, Chinese title, parser (raw → clean value or ValueProblem)."""

    key: str
    title: str
    parse: Callable[[object], object]
    aliases: tuple[str, ...] = ()
    vocab: Vocabulary | None = None  # for help texts: the accepted labels

    def clean(self, raw: object) -> object:
        """The clean value, or ValueProblem whose message names the field."""
        try:
            return self.parse(raw)
        except ValueProblem as exc:
            message = exc.message if exc.message.startswith(self.title) else f"{self.title}：{exc.message}"
            raise ValueProblem(exc.code, message) from None


def text(limit: int) -> Callable[[object], str | None]:
    """Free text, cleaned of stray spaces, at most ``limit`` characters."""

    def parse_text(value: object) -> str | None:
        cleaned = clean_text(value)
        if cleaned is not None and len(cleaned) > limit:
            raise ValueProblem("bad_value", f"最多{limit}个字，这里有{len(cleaned)}个")
        return cleaned

    return parse_text


def _term(vocab: Vocabulary) -> Callable[[object], str | None]:
    return partial(parse.term, vocab)


def _codes(vocab: Vocabulary, value: object) -> str | None:
    codes = parse.terms(vocab, value)
    return ",".join(codes) or None


def _boolean(title: str) -> Callable[[object], bool | None]:
    return partial(parse.boolean, title=title)


def _field(key, title, parser, aliases=(), vocab=None) -> Field:
    return Field(key, title, parser, tuple(aliases), vocab)


HOUSEHOLD_FIELDS: tuple[Field, ...] = (
    _field("group_name", "村民小组", text(50), ["组", "自然村", "小组", "group"]),
    _field("phone", "联系电话", text(30), ["电话", "手机", "手机号"]),
    _field("attribute", "贫困户属性", _term(ATTRIBUTE), ["属性", "脱贫属性"], ATTRIBUTE),
    _field("standard", "识别标准", _term(STANDARD), ["标准"], STANDARD),
    _field("main_cause", "主要致贫原因", _term(CAUSE), ["致贫原因", "cause"], CAUSE),
    _field("other_causes", "其他致贫原因", partial(_codes, CAUSE), ["次要致贫原因"], CAUSE),
    _field("arable_land", "耕地面积（亩）", parse.decimal2, ["耕地", "耕地面积"]),
    _field("forest_land", "林地面积（亩）", parse.decimal2, ["林地", "林地面积"]),
    _field("housing_safety", "住房安全", _term(HOUSING), ["住房", "住房安全等级", "危房等级", "housing"], HOUSING),
    _field("safe_water", "饮水安全", _boolean("饮水安全"), ["安全饮水", "饮水", "water"]),
    _field("electricity", "通生产用电", _boolean("通生产用电"), ["通电", "用电"]),
    _field("road", "通硬化路", _boolean("通硬化路"), ["通路", "道路"]),
    _field("food_clothing_secure", "两不愁", _boolean("两不愁"), ["不愁吃不愁穿", "吃穿不愁", "food_clothing"]),
    _field("declared_size", "家庭人口", partial(parse.integer, low=1, high=30, unit="人"), ["人口", "家庭人数"]),
    _field("note", "备注", text(500), ["说明"]),
)

MEMBER_FIELDS: tuple[Field, ...] = (
    _field("name", "姓名", text(100), ["名字"]),
    _field("relation", "与户主关系", _term(RELATION), ["关系", "与户主的关系"], RELATION),
    _field("ethnicity", "民族", _term(ETHNICITY), [], ETHNICITY),
    _field("education", "文化程度", _term(EDUCATION), ["学历"], EDUCATION),
    _field("school_status", "在校生状况", _term(SCHOOL_STATUS), ["在校情况", "在校生情况", "school"], SCHOOL_STATUS),
    _field("health", "健康状况", _term(HEALTH), ["健康"], HEALTH),
    _field("disability_grade", "残疾等级", _term(DISABILITY_GRADE), ["残疾级别"], DISABILITY_GRADE),
    _field("labour", "劳动技能", _term(LABOUR), ["劳动能力", "劳动力"], LABOUR),
    _field("work_status", "务工状况", _term(WORK), ["务工情况", "务工", "work"], WORK),
    _field("work_months", "务工时间（月）", partial(parse.integer, low=0, high=12, unit="个月"),
           ["务工时间", "务工月数"]),
    _field("medical_insurance", "参加城乡居民基本医疗保险", _boolean("参加基本医疗保险"),
           ["医疗保险", "医保", "参加医保", "基本医疗保险", "medical"]),
    _field("pension_insurance", "参加城乡居民基本养老保险", _boolean("参加基本养老保险"),
           ["养老保险", "养老", "参加养老保险", "基本养老保险", "pension"]),
    _field("subsistence_allowance", "享受低保", _boolean("享受低保"), ["低保"]),
    _field("extreme_poverty_support", "特困供养", _boolean("特困供养"), ["享受特困供养", "五保"]),
    _field("phone", "联系电话", text(30), ["电话", "手机", "手机号"]),
    _field("note", "备注", text(500), ["说明"]),
)
"""Besides these, ``member edit`` corrects id_number, joined_on, left_on and left_reason with their own checks."""


def _index(fields: tuple[Field, ...]) -> dict[str, Field]:
    index: dict[str, Field] = {}
    for f in fields:
        for key in (f.key, f.key.replace("_", "-"), f.title, *f.aliases):
            index[fold(key)] = f
    return index


_HOUSEHOLD_INDEX = _index(HOUSEHOLD_FIELDS)
_MEMBER_INDEX = _index(MEMBER_FIELDS)


def find(fields: tuple[Field, ...], name: str) -> Field | None:
    """The field named by its key, Chinese title or an alias (full-width forms and case folded)."""
    index = _HOUSEHOLD_INDEX if fields is HOUSEHOLD_FIELDS else _MEMBER_INDEX if fields is MEMBER_FIELDS else None
    if index is None:
        index = _index(fields)
    return index.get(fold(name))


def names(fields: tuple[Field, ...]) -> str:
    """The field names for a message or a help text: key（title）, …"""
    return "、".join(f"{f.key}（{f.title}）" for f in fields)


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
    title = spec.title if spec else _OTHER_TITLES.get(key, key)
    if value is None or value == "":
        return title, "空"
    if isinstance(value, bool):
        return title, "是" if value else "否"
    if spec is not None and spec.vocab is not None:
        return title, "、".join(spec.vocab.label(c) or c for c in str(value).split(","))
    if key == "left_reason":
        return title, {"deceased": "死亡", "moved_out": "迁出"}.get(str(value), str(value))
    return title, str(value)
