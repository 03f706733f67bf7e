"""Poverty and monitoring lines are data, not code: (year, region, kind, yuan).

povmon ships the known national figures (src/povmon/data/lines.csv); a county loads its own
(province-set lines, later monitoring lines) with ``povmon lines load FILE.csv``, and a loaded line
wins over the shipped one. When a year has no line, the latest earlier line of the same kind applies.
Before a monitoring line was set (2021), the monitoring line is taken as 1.5 × the poverty line, the
rule of thumb docs/DOMAIN.md gives for finding monitoring candidates.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from importlib import resources

from povmon.rules.money import to_fen
from povmon.rules.text import clean_text, fold
from povmon.rules.vocab import LINE_KIND

NATIONAL = "national"
NATIONAL_LABEL = "全国"
_NATIONAL_NAMES = {NATIONAL, fold(NATIONAL_LABEL), "国家", "国家标准", "全国标准", "china", "cn"}
# a county file's headers: 年度 / 年份, 地区, 类别, 标准（元）, 金额（元/人·年）, 说明 … and the English ones
_HEADERS = {"year": "year", "年度": "year", "年份": "year", "年": "year",
            "region": "region", "地区": "region", "区域": "region", "省份": "region", "适用地区": "region",
            "kind": "kind", "类别": "kind", "类型": "kind", "种类": "kind", "标准类别": "kind",
            "yuan": "yuan", "标准": "yuan", "金额": "yuan", "元": "yuan", "标准线": "yuan", "标准金额": "yuan",
            "note": "note", "说明": "note", "备注": "note"}
_UNIT = re.compile(r"\(.*?\)$")  # 标准（元）, 金额（元/人·年）: the unit in brackets


def header_field(header: str) -> str:
    """The field a CSV header names (year, region, kind, yuan, note), or the header folded when it is unknown."""
    key = fold(header)
    return _HEADERS.get(key) or _HEADERS.get(_UNIT.sub("", key)) or key


def region_code(value: str | None) -> str:
    """The region of a line: 全国 / 国家 / empty are the national lines, anything else is kept as written."""
    text = clean_text(value)
    if text is None or fold(text) in _NATIONAL_NAMES:
        return NATIONAL
    return text


def region_label(region: str) -> str:
    """How a region is shown to a clerk: 全国 for the national lines."""
    return NATIONAL_LABEL if region == NATIONAL else region
MONITORING_FACTOR = Decimal("1.5")


@dataclass(frozen=True)
class Line:
    year: int
    region: str
    kind: str  # poverty / monitoring
    yuan: Decimal
    note: str | None = None


@dataclass(frozen=True)
class LineValue:
    """The line that applies to a year, and where it came from (for printed pages)."""

    yuan: Decimal
    year: int  # the year of the line actually used
    region: str
    derived: bool = False  # monitoring line derived as 1.5 × poverty line


class LineFileError(ValueError):
    """A county's line file has a bad row; the message names the row and what to fix."""


def shipped() -> list[Line]:
    """The national lines povmon ships."""
    text = (resources.files("povmon.data") / "lines.csv").read_text(encoding="utf-8")
    return parse_csv(text, "lines.csv")


def parse_csv(text: str, name: str = "lines.csv") -> list[Line]:
    """Read lines from CSV with columns year, region, kind, yuan[, note] (Chinese headers accepted)."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    rows = list(reader)
    if not rows:
        raise LineFileError(f"{name} 是空文件；需要列 year, region, kind, yuan")
    header = [header_field(h) for h in rows[0]]
    missing = [f for f in ("year", "kind", "yuan") if f not in header]
    if missing:
        labels = {"year": "年度", "kind": "类别", "yuan": "标准（元）"}
        raise LineFileError(f"{name} 缺少列：{'、'.join(labels[f] for f in missing)}"
                            "（需要 年度、地区、类别、标准（元），或 year, region, kind, yuan）")
    result = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        record = {f: "" for f in ("year", "kind", "yuan")}  # a short row: its missing cells are empty
        record.update(zip(header, (cell.strip() for cell in row), strict=False))
        try:
            year = int(record["year"].rstrip("年"))
        except ValueError as exc:
            raise LineFileError(f"{name} 第{number}行：年度 {record['year']!r} 不是年份") from exc
        kind = LINE_KIND.lookup(record["kind"])
        if kind is None:
            raise LineFileError(
                f"{name} 第{number}行：类别 {record['kind']!r} 应为 poverty（贫困线）或 monitoring（监测线）"
            )
        try:
            yuan = to_fen(Decimal(record["yuan"].replace(",", "").rstrip("元")))
        except InvalidOperation as exc:
            raise LineFileError(f"{name} 第{number}行：金额 {record['yuan']!r} 不是数字") from exc
        if yuan <= 0:
            raise LineFileError(f"{name} 第{number}行：金额必须大于0")
        result.append(Line(year, region_code(record.get("region")), kind, yuan, clean_text(record.get("note"))))
    return result


def resolve(lines: Iterable[Line], year: int, kind: str, region: str | None = None) -> LineValue | None:
    """The line of a kind that applies to a year.

    The year's own line before the latest earlier one; in the same year a regional line (the given
    region, or any loaded non-national one when no region is named) before the national one. A year
    with no monitoring line at all takes 1.5 × its poverty line.
    """
    usable = [
        ln for ln in lines
        if ln.kind == kind and ln.year <= year and (ln.region == NATIONAL or region is None or ln.region == region)
    ]
    if usable:
        best = max(usable, key=lambda ln: (ln.year, ln.region != NATIONAL))
        return LineValue(best.yuan, best.year, best.region)
    if kind == "monitoring":
        poverty = resolve(lines, year, "poverty", region)
        if poverty is not None:
            return LineValue(to_fen(poverty.yuan * MONITORING_FACTOR), poverty.year, poverty.region, derived=True)
    return None
