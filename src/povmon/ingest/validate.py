"""Checks across rows: an ID twice in the files, a household's heads and size, and the rule that a household
with any error is rejected whole (its other rows listed once each as ``household_rejected``).

The checks that need the register (is the area known, is this person already in another household, who else
lives in the household) run in the check stage (ingest.check); the household rules themselves are rules.checks,
which data entry calls too, so the same household gets the same code and message either way.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence

from povmon.ingest.clean import Parsed, Problems, Rec, Source, Unit
from povmon.ingest.problems import FileProblem
from povmon.rules import checks
from povmon.rules.checks import MemberRow
from povmon.rules.vocab import RELATION

LEFT_STATES = frozenset({"deceased", "moved_out"})


def _place(other: Rec, rec: Rec) -> str:
    """Where another row is, seen from a row: 第7行, or with its file and sheet when they differ."""
    if other.src is rec.src:
        return f"第{other.row}行"
    return f"{other.src.file}「{other.src.name}」第{other.row}行"


def _repeated(recs: Iterable[Rec]) -> Iterator[tuple[str, Rec, str]]:
    """(ID number, row, where the others are) for every row whose ID number is on another row too."""
    seen: dict[str, list[Rec]] = defaultdict(list)
    for rec in recs:
        number = rec.values.get("id_number")
        if number:
            seen[number].append(rec)
    for number, same in seen.items():
        if len(same) > 1:
            for rec in same:
                yield number, rec, "、".join(_place(o, rec) for o in same if o is not rec)


def duplicate_ids(parsed: Parsed) -> None:
    """``id_duplicate_in_file``: a person listed twice, in one household or two (each row names the other)."""
    members = (rec for unit in parsed.units.values() for rec in unit.members)
    for number, rec, others in _repeated(members):
        parsed.problems.error(rec.src, rec.row, rec.src.layout.header_of("member", "id_number"), number,
                              "id_duplicate_in_file",
                              f"身份证号 {number} 在导入的文件中出现了不止一次（另见{others}）；"
                              "一人只能登记一次，请删去重复的行", rec.unit)


def duplicate_incomes(parsed: Parsed) -> None:
    """The same household, year and month twice with different amounts: which one is right is the clerk's call."""
    for unit in parsed.units.values():
        if len(unit.incomes) < 2:
            continue
        seen: dict[tuple, Rec] = {}
        for rec in unit.incomes:
            v = rec.values
            if v.get("year") is None:
                continue
            key = (v["year"], v.get("month") or 0)
            first = seen.setdefault(key, rec)
            if first is rec or first.values == v:
                continue
            month = f"{key[1]}月" if key[1] else "全年"
            header = rec.src.layout.header_of("income", "year")
            parsed.problems.error(rec.src, rec.row, header, v["year"], "bad_value",
                                  f"这一户 {key[0]} 年{month}的收入在{_place(first, rec)}已经填过，数额不同；"
                                  "请核对后只保留一行", unit)


def duplicate_cadres(parsed: Parsed) -> None:
    """``id_duplicate_in_file`` for cadres: one person on two rows of the 帮扶干部 sheets (both rejected)."""
    for number, rec, others in list(_repeated(rec for rec in parsed.cadres if not rec.bad)):
        parsed.problems.error(rec.src, rec.row, rec.src.layout.header_of("cadre", "id_number"), number,
                              "id_duplicate_in_file",
                              f"身份证号 {number} 的干部在文件中出现了不止一次（另见{others}）；请只保留一行")
        rec.bad = True


def present_in_file(unit: Unit) -> list[Rec]:
    """The unit's member rows that describe someone living in the household (not 死亡/迁出)."""
    return [m for m in unit.members if m.values and m.values.get("state") not in LEFT_STATES]


def check_heads(problems: Problems, unit: Unit, file_present: list[Rec], kept: Sequence) -> None:
    """Exactly one present head (户主) after the import: ``no_head`` / ``multiple_heads`` (rules.checks.heads).

    ``kept`` are the register's present members of this household who are not in the file (and so stay);
    the file's own present rows come after them, each with its row, so every head row of the file gets its
    error and data entry, adding the same person, gets the same message.
    """
    if not file_present:
        return  # the file only records people leaving: who heads the rest is not its news (data entry warns)
    heads = sum(1 for m in file_present if m.values.get("relation") == "head")
    if heads + sum(1 for r in kept if r.relation == "head") == 1:
        return  # the usual household: no need to build what checks.heads reads
    rows = [MemberRow(r.name, r.relation) for r in kept]
    rows.extend(MemberRow(m.values.get("name"), m.values.get("relation"), m) for m in file_present)
    for p in checks.heads(rows, unit.code):
        rec = p.ref
        if rec is None:
            continue  # two heads the register already had: not this file's doing (data entry leaves them too)
        value = RELATION.label("head") if p.code == "multiple_heads" else None
        problems.error(rec.src, rec.row, rec.src.layout.header_of("member", "relation"), value, p.code, p.message,
                       unit)


def size_warning(problems: Problems, unit: Unit, present: int) -> None:
    """``size_mismatch``: the declared 家庭人口 differs from the members the household will have."""
    household = unit.household
    if household is None:
        return
    for p in checks.size(household.values.get("declared_size"), present):
        column = household.src.layout.col("household", "declared_size")
        problems.warning(household.src, household.row, column.header if column else "家庭人口",
                         household.values["declared_size"], p.code, p.message)


def unit_rows(unit: Unit) -> list[tuple[Source, int]]:
    """Every (sheet, row) of a household unit."""
    return [(src, row) for (_sid, row), src in unit.rows().items()]


def reject(parsed: Parsed) -> list[FileProblem]:
    """The ``household_rejected`` entries: every row of a rejected household that has no error of its own."""
    problems = parsed.problems
    extra: list[FileProblem] = []
    for unit in parsed.units.values():
        if not unit.bad:
            continue
        rows = sorted(unit_rows(unit), key=lambda x: (x[0].file, x[0].name, x[1]))
        wrong = [row for src, row in rows if (id(src), row) in problems.bad_rows]
        where = f"第{'、'.join(str(r) for r in wrong[:5])}{'等' if len(wrong) > 5 else ''}行" if wrong else "其他行"
        for src, row in rows:
            if (id(src), row) in problems.bad_rows:
                continue
            problems.bad_rows.add((id(src), row))
            extra.append(FileProblem(src.file, src.name, row, None, None, "household_rejected",
                                 f"同一户（{unit.code or '无户编号'}）{where}有错误，整户未导入；改正后整户重新导入"))
    return extra
