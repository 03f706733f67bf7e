"""防止返贫动态监测: the screening rules, their thresholds as data, and the procedure from a lead to a decision.

Each rule has a code (docs/CONTRACTS.md, "Dynamic monitoring"), a population it applies to, a threshold in yuan or
a ratio, a window in months and the years it applies. Thresholds are a county's or province's data (docs/DOMAIN.md,
"Monitoring since 2026"): povmon ships approximate defaults (src/povmon/data/monitor_rules.csv) and a county loads
its own with ``povmon monitor rules load``. Where a household belongs to several populations (a former poor
household that is monitored is also rural), the most favourable threshold applies — the lowest.

The procedure (docs/DOMAIN.md): 入户核实 (with the household's 承诺授权) → 民主评议 → 公示 (at least 5 days) →
乡镇初审 → 县级审定 → the decision 纳入监测 or 不纳入, within 15 days of the lead; later is overdue.
Nothing here reads a database or a spreadsheet.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from importlib import resources

from povmon.rules.checks import Problem
from povmon.rules.money import to_fen
from povmon.rules.text import clean_text, fold

# --- departments and rules -------------------------------------------------------------------------------------

DEPTS = ("医保", "民政", "残联", "教育", "应急", "人社", "住建", "水利")

RULES: dict[str, str] = {
    "income_below_line": "收入低于监测线",
    "expense_over_income": "刚性支出大于收入",
    "medical_oop": "医疗个人自付费用高",
    "assistance_recipient": "享受社会救助但未纳入监测",
    "disability": "新增一二级残疾",
    "dropout": "义务教育阶段辍学",
    "disaster": "遭受自然灾害",
    "unemployment": "失业或就业不稳",
    "housing_unsafe": "住房不安全（C/D级）",
    "water_unsafe": "饮水不安全",
    "self_application": "农户自主申报",
    "cadre_check": "基层干部排查",
}
HAND_RULES = ("self_application", "cadre_check")
SCREENED = tuple(r for r in RULES if r not in HAND_RULES)

# the department each list-based rule reads (the register-based rules read incomes and the household's own facts)
RULE_DEPT = {"medical_oop": "医保", "assistance_recipient": "民政", "disability": "残联", "dropout": "教育",
             "disaster": "应急", "unemployment": "人社", "housing_unsafe": "住建", "water_unsafe": "水利"}

# the risk (vocab RISK) a decision 纳入 records by default for a lead of each rule
RULE_RISK = {"income_below_line": "other", "expense_over_income": "illness", "medical_oop": "illness",
             "assistance_recipient": "other", "disability": "disability", "dropout": "dropout",
             "disaster": "natural_disaster", "unemployment": "unstable_work", "housing_unsafe": "housing",
             "water_unsafe": "water", "self_application": "other", "cadre_check": "other"}

# rules of rigid spending (刚性支出): an open lead of one of them blocks risk elimination
RIGID_SPENDING = frozenset({"expense_over_income", "medical_oop", "dropout", "disaster"})

POPULATIONS = {"former_poor": "脱贫户", "monitored": "监测对象", "all_rural": "全体农户"}
_POPULATION_NAMES = {fold(v): k for k, v in POPULATIONS.items()} | {k: k for k in POPULATIONS} | {
    fold("脱贫人口"): "former_poor", fold("已脱贫户"): "former_poor", fold("监测户"): "monitored",
    fold("农户"): "all_rural", fold("所有农户"): "all_rural", fold("一般农户"): "all_rural"}

SOURCES_BY_HAND = {"self_application": "self_report", "cadre_check": "cadre_check"}


def rule_code(value: object) -> str | None:
    """A rule's code from its code or its Chinese name, or None."""
    text = fold(str(value or ""))
    for code, label in RULES.items():
        if text in (code, fold(label)):
            return code
    return {fold("自主申报"): "self_application", fold("农户申报"): "self_application",
            fold("干部排查"): "cadre_check", fold("排查"): "cadre_check"}.get(text)


@dataclass(frozen=True)
class Rule:
    """A rule's threshold for one population over some years."""

    code: str
    population: str
    threshold: Decimal | None  # yuan
    ratio: Decimal | None  # a share of income (0.50) or a multiple of the monitoring line (1.00)
    window_months: int
    from_year: int
    to_year: int | None = None
    approximate: bool = False
    note: str | None = None

    def applies(self, year: int, populations: Iterable[str]) -> bool:
        return self.from_year <= year and (self.to_year is None or year <= self.to_year) and \
            self.population in set(populations)


class RuleFileError(ValueError):
    """A rule file has a bad row; the message names the row and what to fix."""


_HEADERS = {"code": "code", "规则": "code", "规则代码": "code", "population": "population", "人群": "population",
            "适用人群": "population", "threshold": "threshold", "阈值": "threshold", "阈值（元）": "threshold",
            "金额": "threshold", "ratio": "ratio", "比例": "ratio", "window_months": "window_months",
            "窗口": "window_months", "窗口（月）": "window_months", "月数": "window_months", "from_year": "from_year",
            "起始年度": "from_year", "to_year": "to_year", "截止年度": "to_year", "approximate": "approximate",
            "近似": "approximate", "note": "note", "说明": "note", "备注": "note"}


def parse_rules(text: str, name: str = "rules.csv") -> list[Rule]:
    """Rules from CSV: code, population, threshold, ratio, window_months, from_year[, to_year, approximate, note]."""
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    if not rows:
        raise RuleFileError(f"{name} 是空文件；需要列 code, population, threshold, ratio, window_months, from_year")
    header = [_HEADERS.get(h.strip(), _HEADERS.get(fold(h), fold(h))) for h in rows[0]]
    missing = [f for f in ("code", "population", "from_year") if f not in header]
    if missing:
        raise RuleFileError(f"{name} 缺少列：{', '.join(missing)}（需要 code, population, threshold, ratio, "
                            "window_months, from_year）")
    result: list[Rule] = []
    seen: set[tuple[str, str, int]] = set()
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        record = dict(zip(header, (cell.strip() for cell in row), strict=False))
        where = f"{name} 第{number}行"
        code = rule_code(record.get("code"))
        if code is None or code in HAND_RULES:
            raise RuleFileError(f"{where}：规则 {record.get('code')!r} 不认识；可填：{', '.join(SCREENED)}")
        population = _POPULATION_NAMES.get(fold(record.get("population") or ""))
        if population is None:
            raise RuleFileError(f"{where}：人群 {record.get('population')!r} 应为 former_poor（脱贫户）、"
                                "monitored（监测对象）或 all_rural（全体农户）")
        threshold = _amount(record.get("threshold"), where, "阈值")
        ratio = _amount(record.get("ratio"), where, "比例")
        window = _int(record.get("window_months") or "12", where, "窗口（月）")
        if window is None or not 1 <= window <= 60:
            raise RuleFileError(f"{where}：窗口（月）应为1到60之间的整数")
        start = _int(record.get("from_year"), where, "起始年度")
        if start is None:
            raise RuleFileError(f"{where}：起始年度不能为空")
        end = _int(record.get("to_year"), where, "截止年度")
        if (code, population, start) in seen:
            raise RuleFileError(f"{where}：规则 {code} 人群 {population} 起始年度 {start} 重复")
        seen.add((code, population, start))
        approximate = fold(record.get("approximate") or "") in ("1", "true", "yes", "是", "y", "近似")
        result.append(Rule(code, population, threshold, ratio, window, start, end, approximate,
                           clean_text(record.get("note"))))
    return result


def _amount(raw: str | None, where: str, title: str) -> Decimal | None:
    if not raw:
        return None
    try:
        value = to_fen(Decimal(raw.replace(",", "").rstrip("元")))
    except InvalidOperation as exc:
        raise RuleFileError(f"{where}：{title} {raw!r} 不是数字") from exc
    if value < 0:
        raise RuleFileError(f"{where}：{title} 不能为负数")
    return value


def _int(raw: str | None, where: str, title: str) -> int | None:
    if not raw:
        return None
    try:
        return int(raw.rstrip("年月"))
    except ValueError as exc:
        raise RuleFileError(f"{where}：{title} {raw!r} 不是整数") from exc


def shipped() -> list[Rule]:
    """The approximate defaults povmon ships (a county loads its own)."""
    return parse_rules((resources.files("povmon.data") / "monitor_rules.csv").read_text(encoding="utf-8"),
                       "monitor_rules.csv")


def populations(status: str | None, monitored: bool) -> tuple[str, ...]:
    """The populations a household belongs to: every rural household; former poor (exited); monitored."""
    found = ["all_rural"]
    if status == "exited":
        found.append("former_poor")
    if monitored:
        found.append("monitored")
    return tuple(found)


def threshold_for(rules: Sequence[Rule], code: str, year: int, pops: Iterable[str]) -> Rule | None:
    """The rule row that applies: of those for the household's populations that year, the lowest threshold."""
    usable = [r for r in rules if r.code == code and r.applies(year, pops)]
    if not usable:
        return None
    # a later from_year replaces an earlier row of the same population
    latest: dict[str, Rule] = {}
    for r in sorted(usable, key=lambda r: r.from_year):
        latest[r.population] = r
    return min(latest.values(), key=lambda r: (r.threshold if r.threshold is not None else Decimal("Infinity"),
                                                r.ratio if r.ratio is not None else Decimal("Infinity")))


def window_start(as_of: dt.date, months: int) -> dt.date:
    """The first day of a window of ``months`` months ending on ``as_of`` (inclusive)."""
    year, month = as_of.year, as_of.month - months
    while month <= 0:
        month += 12
        year -= 1
    day = min(as_of.day, _days_in(year, month))
    return dt.date(year, month, day) + dt.timedelta(days=1)


def _days_in(year: int, month: int) -> int:
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return (nxt - dt.timedelta(days=1)).day


# --- what each department's row means ---------------------------------------------------------------------

SEVERE_DISABILITY = frozenset({"1", "2", "一级", "二级", "一", "二", "1级", "2级"})
DROPOUT_STATUSES = frozenset(fold(s) for s in ("辍学", "失学", "退学", "流失", "辍学失学", "未入学", "未就学"))
UNEMPLOYMENT_EVENTS = frozenset(fold(s) for s in ("失业", "失业登记", "返乡", "返乡失业", "解除劳动合同", "停工",
                                                   "裁员", "失业返乡"))
UNSAFE_HOUSING = frozenset({"C", "D", "C级", "D级"})


def severe_disability(grade: str | None) -> bool:
    """残联: a certificate of grade 1 or 2 (一级、二级)."""
    return bool(grade) and fold(grade).upper().replace("级", "") in {"1", "2", "一", "二"}


def dropout(status: str | None) -> bool:
    """教育: the status is out of school (辍学、失学 …)."""
    return bool(status) and fold(status) in DROPOUT_STATUSES


def unemployment(event: str | None) -> bool:
    """人社: a job loss (失业、返乡 …); an empty event on a 人社 list of job losses counts."""
    return not event or fold(event) in UNEMPLOYMENT_EVENTS or "失业" in event


def housing_unsafe(grade: str | None) -> bool:
    """住建: an assessment of C or D (危房)."""
    return bool(grade) and fold(grade).upper().rstrip("级") in {"C", "D"}


# --- the procedure ---------------------------------------------------------------------------------------------

STEPS: dict[str, str] = {
    "visit": "入户核实",
    "deliberation": "民主评议",
    "publicity": "公示",
    "township_review": "乡镇初审",
    "county_approval": "县级审定",
    "decision": "决定",
}
ORDER = tuple(STEPS)
RESULTS = {"include": "纳入", "exclude": "不纳入"}
PUBLICITY_DAYS = 5
DEADLINE_DAYS = 15


def step_code(value: object) -> tuple[str | None, str | None]:
    """(step, result) from what a clerk typed: a step's name or code; 纳入监测 / 不纳入 are the decision."""
    text = fold(str(value or ""))
    for code, label in STEPS.items():
        if text in (code, fold(label)):
            return code, None
    if text in (fold("纳入监测"), fold("纳入"), "include"):
        return "decision", "include"
    if text in (fold("不纳入"), fold("不纳入监测"), "exclude"):
        return "decision", "exclude"
    return {fold("入户"): "visit", fold("核实"): "visit", fold("评议"): "deliberation",
            fold("初审"): "township_review", fold("审定"): "county_approval"}.get(text), None


def result_code(value: object) -> str | None:
    text = fold(str(value or ""))
    for code, label in RESULTS.items():
        if text in (code, fold(label)):
            return code
    return {fold("纳入监测"): "include", fold("不纳入监测"): "exclude"}.get(text)


@dataclass(frozen=True)
class StepDone:
    step: str
    date: dt.date
    until: dt.date | None = None


def check_step(lead_date: dt.date, done: Sequence[StepDone], step: str, day: dt.date, *,
               until: dt.date | None = None, result: str | None = None, consent: bool | None = None,
               reason: str | None = None) -> list[Problem]:
    """Every failing item of recording ``step`` on ``day`` after the steps already ``done``.

    Steps go in order, one each; a step is not dated before the lead or the step before it; 公示 lasts at least
    five days (its first to its last day, inclusive) and the next step comes after it; 入户核实 needs the
    household's 承诺授权; the decision needs 县级审定 and a result, and 不纳入 a reason.
    """
    problems: list[Problem] = []
    label = STEPS[step]
    if any(d.step == "decision" for d in done):
        return [Problem("bad_value", "这条线索已经作出决定，不能再记录步骤", "步骤")]
    if any(d.step == step for d in done):
        return [Problem("bad_value", f"这条线索已经记录过“{label}”", "步骤")]
    position = ORDER.index(step)
    previous = ORDER[position - 1] if position else None
    if step == "decision" and not any(d.step == "county_approval" for d in done):
        problems.append(Problem("bad_value", "没有县级审定，不能作出纳入或不纳入的决定；请先记录“县级审定”", "步骤"))
    elif previous is not None and not any(d.step == previous for d in done):
        problems.append(Problem("bad_value", f"“{label}”之前应先完成“{STEPS[previous]}”", "步骤"))
    if day < lead_date:
        problems.append(Problem("bad_date", f"{label}日期 {day.isoformat()} 早于线索日期 {lead_date.isoformat()}",
                                "日期"))
    last = max(done, key=lambda d: d.date, default=None) if done else None
    if last is not None and day < last.date:
        problems.append(Problem("bad_date", f"{label}日期 {day.isoformat()} 早于上一步“{STEPS[last.step]}”的日期 "
                                f"{last.date.isoformat()}", "日期"))
    publicity = next((d for d in done if d.step == "publicity"), None)
    if publicity is not None and publicity.until is not None and step != "publicity" and day <= publicity.until:
        problems.append(Problem("bad_date", f"公示到 {publicity.until.isoformat()} 结束，{label}应在公示期满之后",
                                "日期"))
    if step == "visit" and consent is False:
        problems.append(Problem("required_missing", "入户核实需有农户签字的承诺授权书（--consent）", "承诺授权"))
    if step == "publicity":
        if until is None:
            problems.append(Problem("required_missing", "公示需写明结束日期（--until）", "公示结束日期"))
        else:
            days = (until - day).days + 1
            if days < PUBLICITY_DAYS:
                problems.append(Problem("bad_value", f"公示期 {day.isoformat()} 至 {until.isoformat()} 只有 {days} 天，"
                                        f"至少应为 {PUBLICITY_DAYS} 天", "公示结束日期"))
    if step == "decision":
        if result is None:
            problems.append(Problem("required_missing", "决定需写明结果（--result 纳入 或 不纳入）", "结果"))
        elif result == "exclude" and not reason:
            problems.append(Problem("required_missing", "不纳入需写明理由（--note）", "理由"))
    return problems


def overdue(lead_date: dt.date, decided_on: dt.date | None, as_of: dt.date) -> bool:
    """More than 15 days from the lead to its decision (or to ``as_of`` while it is open)."""
    end = decided_on if decided_on is not None and decided_on <= as_of else as_of
    return (end - lead_date).days > DEADLINE_DAYS


def deadline(lead_date: dt.date) -> dt.date:
    return lead_date + dt.timedelta(days=DEADLINE_DAYS)


# --- risk elimination (风险消除) ----------------------------------------------------------------------------

MIN_MONITORED_MONTHS = 6


def months_later(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` months later (the month's last day when it has fewer days)."""
    year, month = day.year + (day.month - 1 + months) // 12, (day.month - 1 + months) % 12 + 1
    return dt.date(year, month, min(day.day, _days_in(year, month)))


def elimination_items(*, day: dt.date, monitored_since: dt.date | None, per_capita: Decimal | None,
                      income_basis: str, line: Decimal | None, open_rigid: Sequence[str],
                      exit_items: Sequence) -> list:
    """The checklist of a risk elimination (docs/DOMAIN.md): monitored at least six months; per-capita net income
    stably above the monitoring line; no open lead of rigid spending; 三保障 and safe water (the exit standard's
    items, rules.exit_standard). Labour capacity is checked apart (rules.checks.labour_capacity): never forced."""
    from povmon.rules.exit_standard import ExitItem
    from povmon.rules.money import yuan

    items = []
    if monitored_since is None:
        items.append(ExitItem("monitored", "纳入监测满6个月", False, "未纳入监测"))
    else:
        due = months_later(monitored_since, MIN_MONITORED_MONTHS)
        items.append(ExitItem("monitored", "纳入监测满6个月", day >= due,
                              f"{monitored_since.isoformat()} 纳入监测" + ("" if day >= due else
                                                                        f"，{due.isoformat()} 才满6个月")))
    if per_capita is None or line is None:
        items.append(ExitItem("income", "人均纯收入稳定高于监测线", None, f"未录入{income_basis}收入或监测线"))
    else:
        items.append(ExitItem("income", "人均纯收入稳定高于监测线", per_capita > line,
                              f"{income_basis}人均纯收入 {yuan(per_capita)} 元，监测线 {yuan(line)} 元"))
    items.append(ExitItem("rigid_spending", "刚性支出问题已解决", not open_rigid,
                          "无未决的刚性支出线索" if not open_rigid else "未决线索：" + "、".join(open_rigid)))
    items.extend(i for i in exit_items if i.key in ("education", "medical", "housing", "water"))
    return items
