"""Poverty and monitoring lines are data, not code: (year, region, kind, yuan).

povmon ships the known national figures (src/povmon/data/lines.csv); a county loads its own
(province-set lines, later monitoring lines) with ``povmon lines load FILE.csv``, and a loaded line
wins over the shipped one. When a year has no line, the latest earlier line of the same kind applies.
Before a monitoring line was set (2021), the monitoring line is taken as 1.5 × the poverty line, the
rule of thumb DOMAIN.md gives for finding monitoring candidates.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from importlib import resources

from povmon.rules.money import to_fen
from povmon.rules.vocab import LINE_KIND

NATIONAL = "national"
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
    aliases = {"年度": "year", "年份": "year", "地区": "region", "区域": "region", "类别": "kind",
               "类型": "kind", "标准": "yuan", "金额": "yuan", "元": "yuan", "说明": "note", "备注": "note"}
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    rows = list(reader)
    if not rows:
        raise LineFileError(f"{name} 是空文件；需要列 year, region, kind, yuan")
    header = [aliases.get(h.strip(), h.strip().lower()) for h in rows[0]]
    missing = {"year", "kind", "yuan"} - set(header)
    if missing:
        raise LineFileError(f"{name} 缺少列：{', '.join(sorted(missing))}（需要 year, region, kind, yuan）")
    result = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        record = dict(zip(header, (cell.strip() for cell in row), strict=False))
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
        result.append(Line(year, record.get("region") or NATIONAL, kind, yuan, record.get("note") or None))
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
