"""The sheets povmon reads and writes: each kind of sheet is a list of the declared fields (rules.fields).

Every sheet kind (the template's sheets and the flat roster 花名册) names its fields and the sets of columns that
recognise it. The importer finds a sheet's kind and header row from its headers, never from the sheet's name or
position; the template writer and 填表说明 are generated from the same declarations, so what povmon writes is what
it reads (docs/TEMPLATE.md). ``Mapping`` is a clerk's ``--mapping`` file: their own headers and values.

The fields themselves (headers, aliases, parsers) are rules: rules.fields, shared with data entry. They are named
here too, for the sheet code that reads them by their sheet's name.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from povmon.errors import PovmonError
from povmon.rules.fields import (
    AREA_FIELDS,
    BENEFIT_FIELDS,
    CADRE_FIELDS,
    CADRE_ID,
    CODE,
    EVENT_FIELDS,
    EVENT_KINDS_IMPORTED,
    HOUSEHOLD_FIELDS,
    INCOME_FIELDS,
    MEASURE_FIELDS,
    MEMBER_FIELDS,
    PAIRING_FIELDS,
    VISIT_FIELDS,
    Field,
    header_key,
    strip_unit,
)
from povmon.rules.text import fold

__all__ = [
    "AREA_FIELDS", "BENEFIT_FIELDS", "CADRE_FIELDS", "CADRE_ID", "CODE", "EVENT_FIELDS", "EVENT_KINDS_IMPORTED",
    "HOUSEHOLD_FIELDS", "INCOME_FIELDS", "KINDS", "MEASURE_FIELDS", "MEMBER_FIELDS", "PAIRING_FIELDS", "ROSTER",
    "TEMPLATE_KINDS", "VISIT_FIELDS", "Field", "Mapping", "SheetKind", "header_key", "known_header",
]


# --- sheet kinds -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SheetKind:
    """A kind of sheet: its template name, its fields, and the fields that must all be present to recognise it."""

    name: str  # the template's sheet name; also used in messages
    title: str  # what the sheet holds, for 填表说明
    fields: tuple[Field, ...]
    signature: tuple[frozenset[tuple[str, str]], ...]  # any one of these sets of (level, key) present → this kind
    template: bool = True
    _index: dict[str, Field] = field(default=None, init=False, repr=False, compare=False)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        index: dict[str, Field] = {}
        for f in self.fields:
            for h in f.headers():
                key = header_key(h)
                if key in index and index[key] is not f:
                    raise ValueError(f"sheet kind {self.name}: header {h!r} means two fields")
                index[key] = f
        object.__setattr__(self, "_index", index)

    def match(self, header: str) -> Field | None:
        """The field a header names in this kind of sheet, or None."""
        key = header_key(header)
        if not key:
            return None
        found = self._index.get(key)
        if found is None:
            stripped = strip_unit(key)
            if stripped != key:
                found = self._index.get(stripped)
        return found

    def required(self) -> list[Field]:
        """The fields that must have a column (and a value) in this kind of sheet."""
        return [f for f in self.fields if f.required]


def _sig(*groups: Iterable[tuple[str, str]]) -> tuple[frozenset[tuple[str, str]], ...]:
    return tuple(frozenset(g) for g in groups)


HH = "household"
AREA_SHEET = "行政区划"
ROSTER = "花名册"

_hh = {f.key: f for f in HOUSEHOLD_FIELDS}
_mem = {f.key: f for f in MEMBER_FIELDS}
_inc = {f.key: f for f in INCOME_FIELDS}

AREA_KIND = SheetKind(AREA_SHEET, "县、乡镇、行政村（导入时建立）", AREA_FIELDS,
                      _sig([("area", "township")]))
HOUSEHOLD_KIND = SheetKind("户信息", "每户一行：编号、所在村、属性、脱贫状态、住房饮水等", HOUSEHOLD_FIELDS,
                           _sig([(HH, "code"), (HH, "township")], [(HH, "code"), (HH, "village")]))
MEMBER_KIND = SheetKind("家庭成员", "每人一行：所在户、姓名、身份证号、与户主关系等", (CODE, *MEMBER_FIELDS),
                        _sig([(HH, "code"), ("member", "name"), ("member", "id_number")]))
INCOME_KIND = SheetKind("收入", "每户每年（或每月）一行收入", (CODE, *INCOME_FIELDS),
                        _sig(*([(HH, "code"), ("income", "year"), ("income", k)]
                               for k in ("wage", "business", "property", "transfer"))))
EVENT_KIND = SheetKind("识别变动", "识别纳入、脱贫、返贫、监测等变动，每次一行", (CODE, *EVENT_FIELDS),
                       _sig([(HH, "code"), ("event", "kind"), ("event", "event_date")]))
CADRE_KIND = SheetKind("帮扶干部", "每位干部一行", CADRE_FIELDS,
                       _sig([("cadre", "name"), ("cadre", "id_number"), ("cadre", "unit")],
                            [("cadre", "name"), ("cadre", "id_number"), ("cadre", "role")],
                            [("cadre", "name"), ("cadre", "id_number"), ("cadre", "post")]))
PAIRING_KIND = SheetKind("结对关系", "干部与户的结对，每段一行", (CODE, *PAIRING_FIELDS),
                         _sig([(HH, "code"), ("pairing", "cadre_id"), ("pairing", "start_on")]))
BENEFIT_KIND = SheetKind("享受政策", "户或成员享受的政策，每次一行", (CODE, *BENEFIT_FIELDS),
                         _sig([(HH, "code"), ("benefit", "policy")]))
MEASURE_KIND = SheetKind("帮扶措施", "对户采取的帮扶措施，每项一行", (CODE, *MEASURE_FIELDS),
                         _sig([(HH, "code"), ("measure", "kind"), ("measure", "measure_date")]))
VISIT_KIND = SheetKind("走访记录", "干部入户走访，每次一行", (CODE, *VISIT_FIELDS),
                       _sig([(HH, "code"), ("visit", "cadre_id"), ("visit", "visit_date")]))

# The flat roster: household, member and income columns on one row per person. 联系电话 and 备注 belong to the
# household and the member respectively (a roster has one of each).
ROSTER_KIND = SheetKind(
    ROSTER, "花名册：每人一行，户的信息重复或合并",
    (*(f for f in HOUSEHOLD_FIELDS if f.key != "note"), *(f for f in MEMBER_FIELDS if f.key != "phone"),
     *(f for f in INCOME_FIELDS if f.key != "note")),
    _sig([("member", "name"), ("member", "id_number"), (HH, "township")],
         [("member", "name"), ("member", "id_number"), (HH, "village")],
         [("member", "id_number"), ("member", "relation"), (HH, "village")]),
    template=False,
)

# Order matters for ties: the more specific kind first.
KINDS: tuple[SheetKind, ...] = (
    AREA_KIND, HOUSEHOLD_KIND, MEMBER_KIND, INCOME_KIND, EVENT_KIND, CADRE_KIND, PAIRING_KIND, BENEFIT_KIND,
    MEASURE_KIND, VISIT_KIND, ROSTER_KIND,
)
TEMPLATE_KINDS = tuple(k for k in KINDS if k.template)
BY_NAME = {k.name: k for k in KINDS}

# Headers that are not data and need no warning: row numbers, the error workbook's explanation column.
SILENT_HEADERS = frozenset(header_key(h) for h in ("序号", "编号", "行号", "序", "错误说明", "NO", "No.", "序列号"))

ALL_HEADERS = frozenset(header_key(h) for k in KINDS for f in k.fields for h in f.headers())


def known_header(text: object) -> bool:
    """Whether a cell's text names some column povmon reads (used to find the header row)."""
    key = header_key(text)
    if not key:
        return False
    return key in ALL_HEADERS or strip_unit(key) in ALL_HEADERS


# --- --mapping FILE -------------------------------------------------------------------------------------------

@dataclass
class Mapping:
    """A clerk's own names: ``[columns]`` header → canonical header (or "" to ignore the column), and
    ``[values."canonical header"]`` value → accepted value, for vocabulary columns."""

    columns: dict[str, str] = field(default_factory=dict)  # header_key(source) → canonical header ("" = ignore)
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # canonical header key → {folded source: target}

    def overrides(self, f: Field) -> dict[str, str]:
        """The clerk's own values for a vocabulary field: {folded value: accepted value}."""
        return self.values.get(header_key(f.header), {})

    def column(self, header: object) -> str | None:
        """The canonical header the clerk's mapping gives a header: "" = ignore, None = not mapped."""
        return self.columns.get(header_key(header))

    @classmethod
    def load(cls, path: Path) -> Mapping:
        """Read a TOML mapping file; a mistake in it is one clear sentence."""
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
        except FileNotFoundError:
            raise PovmonError(f"找不到列名对照文件 {path}；请检查 --mapping 的路径。") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise PovmonError(
                f"列名对照文件 {path.name} 格式有误（{exc}）；请按 TOML 格式书写，例：[columns] \"户号\" = \"户编号\"。"
            ) from None
        columns: dict[str, str] = {}
        for source, target in (data.get("columns") or {}).items():
            if not isinstance(target, str):
                raise PovmonError(
                    f"列名对照文件 {path.name} 中“{source}”的值应为文字（标准列名，或空字符串表示忽略）。"
                )
            if target and not known_header(target):
                raise PovmonError(
                    f"列名对照文件 {path.name} 中“{source}”对应的“{target}”不是 povmon 认识的列名；"
                    "请写模板中的列名（见 povmon template 生成的填表说明）。"
                )
            columns[header_key(source)] = target
        values: dict[str, dict[str, str]] = {}
        for header, table in (data.get("values") or {}).items():
            if not isinstance(table, dict):
                raise PovmonError(f"列名对照文件 {path.name} 中 [values.\"{header}\"] 应为“原值 = 标准值”的表。")
            values[header_key(header)] = {fold(str(k)): str(v) for k, v in table.items()}
        unknown = set(data) - {"columns", "values"}
        if unknown:
            raise PovmonError(
                f"列名对照文件 {path.name} 中有不认识的部分 {', '.join(sorted(unknown))}；"
                "只能有 [columns] 和 [values]。"
            )
        return cls(columns, values)
