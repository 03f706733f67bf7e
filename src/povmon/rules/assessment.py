"""The year-end assessment (年终考核) of work teams and first secretaries, pure: facts in, scores and grades out.

The scoring scheme is data (``src/povmon/data/assessment_scheme.toml`` ships as an EXAMPLE; a county loads its
own per year, services.assessment): items with weights and how each is scored from the records —

- ``share``: the share of working days in the village (rules.workteam's figures): full marks at ``full_at`` or
  more, none at ``zero_at`` or less, in proportion between;
- ``ratio``: done / due (work logs, periodic reports, visits), capped at 1; nothing due is full marks;
- ``findings``: the weight less ``per_finding`` for each inspection finding of the year, ``per_late`` for each
  rectified after its deadline and ``per_overdue`` for each still open at the year's end past its deadline;
- ``hand``: scored by hand (群众满意度), the latest score recorded; none recorded is 0 and said so.

Grades follow, in this order (each grade lists why):

1. by the total: ``grades`` thresholds (优秀 / 称职 / 基本称职 / 不称职);
2. the absence rule in force (docs/DOMAIN.md): one unexcused absence in the year rules out 优秀, two mean at
   most 基本称职, three or more 不称职 (``absence_caps``, data);
3. 优秀 is capped at a share of those assessed of the same kind (``excellent_share``, about a quarter, rounded
   down), taken in score order; equal totals are ordered by the ``tie_break`` items' scores; a group still equal
   at the cut that the places left cannot all take gets none of them (the cap is a ceiling), and says so;
   those left out are 称职;
4. an appeal (复核) decided with another grade replaces the grade, and says so (services refuse a grade above the
   absence rule's cap: an absence wrongly recorded is corrected in the attendance record instead).
"""

from __future__ import annotations

import datetime as dt
import itertools
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from importlib import resources
from pathlib import Path

from povmon.errors import PovmonError
from povmon.rules.vocab import Term, Vocabulary

GRADE = Vocabulary("assessment_grade", "考核等次", (
    Term("excellent", "优秀", ("好",)),
    Term("competent", "称职", ("合格",)),
    Term("basic", "基本称职", ("基本合格",)),
    Term("incompetent", "不称职", ("不合格",)),
))
ORDER = ("excellent", "competent", "basic", "incompetent")  # best first
SUBJECT = Vocabulary("assessment_subject", "考核对象", (
    Term("team", "驻村工作队", ("工作队", "队")),
    Term("secretary", "第一书记", ("书记", "驻村第一书记")),
))
METHODS = ("share", "ratio", "findings", "hand")
SOURCES = ("logs", "reports", "visits")
CENT = Decimal("0.01")
SHIPPED = "assessment_scheme.toml"


def q(value: Decimal | Fraction | int) -> Decimal:
    """A score to two decimals, half up."""
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return Decimal(value).quantize(CENT, ROUND_HALF_UP)


def worse(a: str, b: str) -> str:
    """The lower of two grades."""
    return a if ORDER.index(a) >= ORDER.index(b) else b


# --- the scheme -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    code: str
    label: str
    weight: Decimal
    method: str
    applies: tuple[str, ...] = ("team", "secretary")
    source: str | None = None  # ratio: logs / reports / visits
    full_at: Fraction = Fraction(1)
    zero_at: Fraction = Fraction(0)
    per_finding: Decimal = Decimal(0)
    per_late: Decimal = Decimal(0)
    per_overdue: Decimal = Decimal(0)


@dataclass(frozen=True)
class Scheme:
    """A scoring scheme: items, grade thresholds and the rules applied after the scores."""

    name: str
    example: bool
    items: tuple[Item, ...]
    thresholds: tuple[tuple[str, Decimal], ...]  # (grade, least total), best first; the last grade has none
    absence_caps: tuple[tuple[int, str], ...]  # (absences at least, grade at most), ascending
    excellent_share: Fraction
    tie_break: tuple[str, ...]
    visits_per_month: int = 2
    text: str = ""

    def item(self, code: str) -> Item | None:
        return next((i for i in self.items if i.code == code), None)

    def items_for(self, kind: str) -> list[Item]:
        return [i for i in self.items if kind in i.applies]

    def hand_items(self) -> list[Item]:
        return [i for i in self.items if i.method == "hand"]

    def grade_of(self, total: Decimal) -> str:
        for grade, least in self.thresholds:
            if total >= least:
                return grade
        return ORDER[-1]

    def cap_for(self, absences: int) -> tuple[int, str] | None:
        """The absence rule that applies to this many absences (the strictest reached), or None."""
        found = None
        for least, grade in self.absence_caps:
            if absences >= least:
                found = (least, grade)
        return found

    def as_json(self) -> dict:
        return {"name": self.name, "example": self.example,
                "items": [{"code": i.code, "label": i.label, "weight": str(i.weight), "method": i.method,
                           "applies": list(i.applies)} for i in self.items],
                "grades": {GRADE.label(g): str(v) for g, v in self.thresholds},
                "absence_caps": [{"absences": n, "at_most": GRADE.label(g)} for n, g in self.absence_caps],
                "excellent_share": f"{self.excellent_share.numerator}/{self.excellent_share.denominator}",
                "tie_break": list(self.tie_break)}


def _fraction(value: object, key: str) -> Fraction:
    try:
        return Fraction(str(value))
    except (ValueError, ZeroDivisionError) as exc:
        raise ValueError(f"{key} = {value!r} 不是比例（如 0.9 或 2/3）") from exc


def _decimal(value: object, key: str) -> Decimal:
    try:
        out = Decimal(str(value))
    except ArithmeticError as exc:
        raise ValueError(f"{key} = {value!r} 不是数") from exc
    if not out.is_finite() or out < 0:
        raise ValueError(f"{key} = {value!r} 应为不小于 0 的数")
    return out


def parse_scheme(text: str, name: str = SHIPPED) -> Scheme:
    """A scheme from its TOML text; a bad file is one sentence naming the key."""
    try:
        data = tomllib.loads(text)
        items = []
        for n, raw in enumerate(data["items"], start=1):
            where = f"第 {n} 个考核项目（[[items]]）"
            method = raw["method"]
            if method not in METHODS:
                raise ValueError(f"{where} method = {method!r}，应为 {'、'.join(METHODS)} 之一")
            applies = tuple(raw.get("applies", ["team", "secretary"]))
            if not applies or any(a not in ("team", "secretary") for a in applies):
                raise ValueError(f"{where} applies 只能含 team、secretary")
            source = raw.get("source")
            if method == "ratio" and source not in SOURCES:
                raise ValueError(f"{where} source = {source!r}，应为 {'、'.join(SOURCES)} 之一")
            item = Item(code=str(raw["code"]), label=str(raw["label"]), weight=_decimal(raw["weight"], "weight"),
                        method=method, applies=applies, source=source,
                        full_at=_fraction(raw.get("full_at", 1), "full_at"),
                        zero_at=_fraction(raw.get("zero_at", 0), "zero_at"),
                        per_finding=_decimal(raw.get("per_finding", 0), "per_finding"),
                        per_late=_decimal(raw.get("per_late", 0), "per_late"),
                        per_overdue=_decimal(raw.get("per_overdue", 0), "per_overdue"))
            if method == "share" and not item.zero_at < item.full_at:
                raise ValueError(f"{where} zero_at 应小于 full_at")
            items.append(item)
        codes = [i.code for i in items]
        if len(set(codes)) != len(codes):
            raise ValueError("考核项目的 code 有重复")
        grades = data["grades"]
        thresholds = tuple((g, _decimal(grades[g], f"grades.{g}")) for g in ORDER[:-1])
        if any(a[1] <= b[1] for a, b in itertools.pairwise(thresholds)):
            raise ValueError("grades 的分数线应为 excellent > competent > basic")
        rules = data["rules"]
        caps = []
        for raw in rules["absence_caps"]:
            grade = GRADE.lookup(raw["at_most"])
            if grade is None:
                raise ValueError(f"absence_caps 的 at_most = {raw['at_most']!r} 不是考核等次")
            caps.append((int(raw["absences"]), grade))
        caps.sort()
        share = _fraction(rules["excellent_share"], "excellent_share")
        if not 0 < share <= 1:
            raise ValueError(f"excellent_share = {share} 应在 0 和 1 之间")
        tie_break = tuple(rules.get("tie_break", []))
        for code in tie_break:
            if code not in codes:
                raise ValueError(f"tie_break 中的 {code!r} 不是考核项目")
        scheme = Scheme(name=str(data["name"]), example=bool(data.get("example", False)), items=tuple(items),
                        thresholds=thresholds, absence_caps=tuple(caps), excellent_share=share,
                        tie_break=tie_break, visits_per_month=int(data.get("visits_per_month", 2)), text=text)
    except (tomllib.TOMLDecodeError, KeyError, ValueError, TypeError) as exc:
        what = f"缺少 {exc}" if isinstance(exc, KeyError) else str(exc)
        raise PovmonError(f"考核方案文件 {name} 有误（{what}）；请对照 povmon 自带的示例 {SHIPPED} 改正。") from exc
    return scheme


def shipped_text() -> str:
    return (resources.files("povmon.data") / SHIPPED).read_text(encoding="utf-8")


def load(path: Path | None = None) -> Scheme:
    """The example scheme shipped with povmon, or a county's own file."""
    if path is None:
        return parse_scheme(shipped_text())
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise PovmonError(f"读不了考核方案文件 {path}（{exc.strerror}）；请检查路径。") from exc
    return parse_scheme(text, path.name)


# --- the facts and the scores ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FindingFact:
    """An inspection finding as the assessment sees it."""

    id: int
    found_on: dt.date
    category: str
    deadline: dt.date | None
    rectified_on: dt.date | None

    def late(self) -> bool:
        return self.rectified_on is not None and self.deadline is not None and self.rectified_on > self.deadline

    def overdue_on(self, day: dt.date) -> bool:
        """Open on ``day`` (not rectified by then) and past its deadline."""
        open_ = self.rectified_on is None or self.rectified_on > day
        return open_ and self.deadline is not None and self.deadline < day


@dataclass(frozen=True)
class HandScore:
    score: Decimal
    by: str
    reason: str | None


@dataclass(frozen=True)
class Appeal:
    id: int
    grade: str | None  # None: the grade stands (维持)
    by: str
    reason: str | None


@dataclass
class Facts:
    """What the records say about one team or first secretary in the year."""

    kind: str  # team / secretary
    key: int  # team id or cadre id
    name: str
    township: str
    village: str
    unit: str | None
    team: str
    people: int
    working_days: int
    in_village: int
    absences: int
    logs: int
    logs_due: int
    reports: int
    reports_due: int
    visits: int
    visits_due: int
    findings: list[FindingFact] = field(default_factory=list)
    hand: dict[str, HandScore] = field(default_factory=dict)
    appeal: Appeal | None = None

    def share(self) -> Fraction | None:
        return Fraction(self.in_village, self.working_days) if self.working_days else None


@dataclass
class ItemScore:
    code: str
    label: str
    weight: Decimal
    score: Decimal
    basis: str

    def as_json(self) -> dict:
        return {"code": self.code, "label": self.label, "weight": str(self.weight), "score": str(self.score),
                "basis": self.basis}


@dataclass
class Result:
    facts: Facts
    items: list[ItemScore]
    total: Decimal
    by_score: str
    grade: str = ""
    reasons: list[str] = field(default_factory=list)
    rank: int = 0
    warnings: list[str] = field(default_factory=list)

    def score_of(self, code: str) -> Decimal:
        return next((i.score for i in self.items if i.code == code), Decimal(0))

    def as_json(self) -> dict:
        f = self.facts
        return {"kind": f.kind, "id": f.key, "name": f.name, "township": f.township, "village": f.village,
                "unit": f.unit, "team": f.team, "total": str(self.total), "rank": self.rank,
                "grade_by_score": GRADE.label(self.by_score), "grade": GRADE.label(self.grade),
                "absences": f.absences, "items": [i.as_json() for i in self.items], "reasons": self.reasons,
                "findings": len(f.findings), "appeal": f.appeal.id if f.appeal else None}


def _pct(value: Fraction) -> str:
    return f"{q(value * 100)}%"


def score_item(item: Item, facts: Facts, year_end: dt.date) -> ItemScore:
    """One item's score and the figures it came from (pure)."""
    w = item.weight
    if item.method == "share":
        share = facts.share()
        if share is None:
            return ItemScore(item.code, item.label, w, q(0), "无在岗工作日")
        part = min(Fraction(1), max(Fraction(0), (share - item.zero_at) / (item.full_at - item.zero_at)))
        basis = (f"在村 {facts.in_village}/{facts.working_days} 个工作日（{_pct(share)}）；"
                 f"{_pct(item.full_at)} 及以上满分，{_pct(item.zero_at)} 及以下 0 分")
        return ItemScore(item.code, item.label, w, q(w * Decimal(part.numerator) / Decimal(part.denominator)), basis)
    if item.method == "ratio":
        done, due = {"logs": (facts.logs, facts.logs_due), "reports": (facts.reports, facts.reports_due),
                     "visits": (facts.visits, facts.visits_due)}[item.source]
        if due == 0:
            return ItemScore(item.code, item.label, w, q(w), f"{done} 篇（次），无应交")
        part = min(Fraction(1), Fraction(done, due))
        return ItemScore(item.code, item.label, w, q(w * Decimal(part.numerator) / Decimal(part.denominator)),
                         f"{done}/{due}（应交）")
    if item.method == "findings":
        n = len(facts.findings)
        late = sum(1 for x in facts.findings if x.late())
        overdue = sum(1 for x in facts.findings if x.overdue_on(year_end))
        off = item.per_finding * n + item.per_late * late + item.per_overdue * overdue
        basis = f"督查问题 {n} 个" + (f"，逾期整改 {late} 个" if late else "") + \
            (f"，年底逾期未整改 {overdue} 个" if overdue else "") + (f"，扣 {q(off)} 分" if off else "")
        return ItemScore(item.code, item.label, w, q(max(Decimal(0), w - off)), basis)
    hand = facts.hand.get(item.code)
    if hand is None:
        return ItemScore(item.code, item.label, w, q(0), "未录入评分，按 0 分计")
    return ItemScore(item.code, item.label, w, q(min(hand.score, w)),
                     f"{hand.by} 评分" + (f"（{hand.reason}）" if hand.reason else ""))


def score(scheme: Scheme, facts: Facts, year: int) -> Result:
    """A subject's item scores, total and grade by the total (before the rules)."""
    year_end = dt.date(year, 12, 31)
    items = [score_item(i, facts, year_end) for i in scheme.items_for(facts.kind)]
    total = q(sum((i.score for i in items), Decimal(0)))
    result = Result(facts, items, total, scheme.grade_of(total))
    result.grade = result.by_score
    least = dict(scheme.thresholds)
    if result.by_score == ORDER[-1]:
        result.reasons.append(f"得分 {total}，低于基本称职分数线 {least['basic']}")
    else:
        result.reasons.append(f"得分 {total}，达到{GRADE.label(result.by_score)}分数线 {least[result.by_score]}")
    result.warnings.extend(f"{facts.name}：{i.label}未录入评分" for i in items if i.basis.startswith("未录入"))
    return result


def _key(scheme: Scheme, r: Result) -> tuple:
    return (r.total, *(r.score_of(c) for c in scheme.tie_break))


def _names(results: Iterable[Result], most: int = 5) -> str:
    """Names for a reason: up to ``most`` of them, then how many in all."""
    names = [r.facts.name for r in results]
    if len(names) <= most:
        return "、".join(names)
    return "、".join(names[:most]) + f"等 {len(names)} 个"


def _rank(results: list[Result]) -> None:
    """Competition ranking by total (1, 2, 2, 4), in place."""
    ordered = sorted(results, key=lambda r: -r.total)
    for n, r in enumerate(ordered):
        r.rank = n + 1 if n == 0 or r.total != ordered[n - 1].total else ordered[n - 1].rank


def grade_all(scheme: Scheme, results: Sequence[Result]) -> dict:
    """Apply the rules after the scores to the results of one kind (in place); returns the quota's figures."""
    results = list(results)
    for r in results:
        cap = scheme.cap_for(r.facts.absences)
        who = "本队队员全年无故缺勤共" if r.facts.kind == "team" else "全年无故缺勤"
        if cap is not None and worse(r.grade, cap[1]) != r.grade:
            r.grade = cap[1]
            r.reasons.append(f"{who} {r.facts.absences} 次，按“缺勤 {cap[0]} 次及以上最高评为"
                             f"{GRADE.label(cap[1])}”的规定定为{GRADE.label(cap[1])}")
        elif cap is not None:
            r.reasons.append(f"{who} {r.facts.absences} 次（最高{GRADE.label(cap[1])}，未超过）")
    _rank(results)
    places = int(len(results) * scheme.excellent_share)
    share_text = f"{scheme.excellent_share.numerator}/{scheme.excellent_share.denominator}"
    quota_text = f"优秀名额 {places} 个（{len(results)} 个的 {share_text}，取整）"
    candidates = sorted((r for r in results if r.grade == "excellent"), key=lambda r: _key(scheme, r), reverse=True)
    groups: list[list[Result]] = []
    for r in candidates:
        if groups and _key(scheme, groups[-1][0]) == _key(scheme, r):
            groups[-1].append(r)
        else:
            groups.append([r])
    taken = 0
    tie_names = "、".join(scheme.item(c).label for c in scheme.tie_break) or "无"
    for group in groups:
        same_total = [c for c in candidates if c.total == group[0].total]
        for r in group:
            others = [c for c in same_total if c is not r]
            tie = f"与{_names(others)}同分 {r.total}，按比较项（{tie_names}）排序；" if others else ""
            if taken + len(group) <= places:
                r.reasons.append(f"{tie}优秀按得分排第 {taken + len(group)} 名以内，在{quota_text}之内")
            elif taken < places and len(group) > 1:
                r.grade = "competent"
                r.reasons.append(f"与{_names(c for c in group if c is not r)}得分和比较项（{tie_names}）都相同，"
                                 f"{quota_text}只剩 {places - taken} 个，不足以全部评为优秀，按规定均评为称职")
            else:
                r.grade = "competent"
                r.reasons.append(f"{tie}得分排在{quota_text}之外，评为称职")
        taken = taken + len(group) if taken + len(group) <= places else places
    for r in results:
        appeal = r.facts.appeal
        if appeal is None:
            continue
        if appeal.grade is None or appeal.grade == r.grade:
            r.reasons.append(f"复核 #{appeal.id}（{appeal.by}）维持{GRADE.label(r.grade)}"
                             + (f"：{appeal.reason}" if appeal.reason else ""))
        else:
            r.reasons.append(f"复核 #{appeal.id}（{appeal.by}）由{GRADE.label(r.grade)}改定为"
                             f"{GRADE.label(appeal.grade)}" + (f"：{appeal.reason}" if appeal.reason else ""))
            r.grade = appeal.grade
    excellent = sum(1 for r in results if r.grade == "excellent")
    return {"assessed": len(results), "excellent_places": places, "excellent": excellent,
            "grades": {GRADE.label(g): sum(1 for r in results if r.grade == g) for g in ORDER}}


def assess(scheme: Scheme, facts: Iterable[Facts], year: int) -> tuple[list[Result], dict]:
    """Score and grade every subject; teams and secretaries are graded (and capped) each among their own kind."""
    results = [score(scheme, f, year) for f in facts]
    quotas = {}
    for kind in ("team", "secretary"):
        quotas[kind] = grade_all(scheme, [r for r in results if r.facts.kind == kind])
    results.sort(key=lambda r: (r.facts.kind != "team", r.rank, r.facts.township, r.facts.name, r.facts.key))
    return results, quotas
