"""Household-level rules, in one place for the importer and data entry (pure: plain values in, problems out).

Each function returns a list of ``Problem`` (empty when all is well) with an error code of docs/CONTRACTS.md
where one exists (``no_head``, ``multiple_heads``, ``id_in_other_household``, ``unknown_area``,
``unknown_reference``, ``size_mismatch``, ``required_missing``) and a Chinese message that says what to do,
worded for both ways in: ``povmon import`` reports it at a file's row and column, a data-entry command names
the field before it. The lookups that feed them are bulk (the importer's, services.members.present_households,
services.areas.AreaTree); the caller decides whether a problem refuses the change or is only a warning (data
entry refuses two heads but only warns while a household has none, between a head's death and the naming of
the next one; the importer rejects the household).

Codes used only by data entry (no spreadsheet carries these facts): ``status_transition`` (an event
that does not follow from the status, rules.status.allowed_next), ``exit_standard`` (an exit with items
of the exit standard unmet), ``no_labour_capacity`` (risk elimination of a household without labour
capacity), ``bad_value``, ``bad_date`` (a date in the future or out of order).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace

from povmon.rules import idcard
from povmon.rules.status import POOR_NOW, STATUS_LABELS, StatusOn, allowed_next, effective, sort_key, status_on
from povmon.rules.text import excerpt, fold
from povmon.rules.vocab import EVENT_KIND, LABOUR, MONITORING_TYPE

AREA_CODE_LENGTH = {"county": 6, "township": 9, "village": 12}
LEVEL_TITLE = {"county": "县", "township": "乡镇", "village": "村"}
# 普通劳动力, 技能劳动力, 弱劳动力或半劳动力 can work; 丧失劳动力 and 无劳动力 cannot.
LABOUR_CAPABLE = frozenset({"ordinary", "skilled", "weak"})


@dataclass(frozen=True)
class Problem:
    """One thing wrong: a contract code and a Chinese message saying what to do.

    ``message`` is the same whichever way the value came in. What a channel adds stays apart: the importer
    shows ``field`` as the column; data entry shows ``text``, which names the field before a message about a
    typed value (``about_value``) and ends with the ``hint`` of the command to use.
    """

    code: str
    message: str
    field: str | None = None  # the Chinese title of the field concerned, when there is one
    ref: object = None  # the caller's handle on the record concerned (the importer: a spreadsheet row)
    about_value: bool = False  # the message judges the value typed in ``field``
    hint: str | None = None  # what to do next in this channel (a command), not part of the shared message

    @property
    def text(self) -> str:
        """The sentence a data-entry command shows: 工资性收入：“三千”不是金额…"""
        text = self.message
        if self.about_value and self.field and not text.startswith(self.field):
            text = f"{self.field}：{text}"
        return f"{text}；{self.hint}" if self.hint else text

    def as_json(self) -> dict:
        return {"code": self.code, "message": self.message, **({"field": self.field} if self.field else {}),
                **({"hint": self.hint} if self.hint else {})}


def missing(title: str) -> Problem:
    """``required_missing``: a value that must be given was left empty."""
    return Problem("required_missing", f"{title}不能为空；请填写", title)


@dataclass(frozen=True, slots=True)
class MemberRow:
    """One present member of a household as the household rules see it.

    ``ref`` is the caller's handle on a member being entered now (the importer: the spreadsheet row; data
    entry: anything but None); None means a member already on the register whom this change leaves as is.
    """

    name: str | None
    relation: str | None
    ref: object = None


def _household(code: str | None) -> str:
    return f"户 {code} " if code else "该户"


def heads(members: Sequence[MemberRow], code: str | None = None) -> list[Problem]:
    """Exactly one 户主 among a household's present members (those on the register first, then the new ones).

    ``no_head`` is about the household (its ref: the first member being entered); ``multiple_heads`` comes
    once for every head being entered (the importer: each such row), or once with ref None when the register
    alone already has several. A household with nobody present has nobody to head it: no problem.
    """
    found = [m for m in members if m.relation == "head"]
    if len(found) == 1 or not members:
        return []
    where = _household(code)
    if not found:
        first = next((m.ref for m in members if m.ref is not None), None)
        return [Problem("no_head", f"{where}没有户主：在册成员中须有一人与户主关系为“户主”；请指定户主",
                        "与户主关系", first)]
    message = (f"{where}有{len(found)}位户主（{'、'.join(m.name or '（无姓名）' for m in found)}）；"
               "一户只能有一位户主，请把其余的人改为与户主的实际关系")
    if any(m.ref is None for m in found):
        message += "；如是更换户主，请先登记原户主死亡或迁出，或改其与户主关系"
    entered = [m for m in found if m.ref is not None] or [found[0]]
    return [Problem("multiple_heads", message, "与户主关系", m.ref) for m in entered]


def id_in_other_household(id_number: str, name: str | None, other_household: str | None) -> list[Problem]:
    """A person (ID number) is present in at most one household; other_household is where they already are."""
    if not other_household:
        return []
    who = f"{idcard.mask(id_number)}（{name}）" if name else idcard.mask(id_number)
    return [Problem(
        "id_in_other_household",
        f"身份证号 {who} 已是户 {other_household} 的在册成员；一人只能在一户：如已迁来，请先在原户办理迁出",
        "身份证号",
    )]


def already_present(id_number: str, name: str | None, code: str) -> list[Problem]:
    """A person added to a household where they are already on the register (data entry; a file would update)."""
    who = f"{idcard.mask(id_number)}（{name}）" if name else idcard.mask(id_number)
    return [Problem("id_duplicate_in_file", f"身份证号 {who} 已是户 {code} 的在册成员；不必重复添加，请核对",
                    "身份证号")]


def size(declared: int | None, present: int) -> list[Problem]:
    """``size_mismatch`` (a warning): the declared 家庭人口 differs from the members present."""
    if declared is None or declared == present:
        return []
    return [Problem("size_mismatch",
                    f"家庭人口填的是 {declared} 人，实际在册成员 {present} 人；请核对（以在册成员为准）", "家庭人口")]


def unknown_area(level: str | None, name: str, within: str | None = None) -> list[Problem]:
    """``unknown_area``: no area of this name (under ``within``, the path of the area it was looked for in)."""
    title = LEVEL_TITLE.get(level or "", "地区")
    place = f"（{within}）" if within else ""
    return [Problem("unknown_area",
                    f"没有名为“{excerpt(name)}”的{title}{place}；请核对名称，或先建立该{title}"
                    "（povmon area add、导入文件中的“行政区划”表，或导入时加 --create-areas）", title)]


# --- a name looked up to read (ledger, household list, report --area …): never advise creating anything ----

_READ_FIX = {"county": "请核对县名（或6位区划代码）", "township": "请核对乡镇名称（或9位区划代码）",
             "village": "请核对村名（或12位区划代码）"}


def _nearest(names: Sequence[str]) -> str:
    return f"（是否为 {'、'.join(names)}？）" if names else ""


def area_not_found(level: str | None, name: str, *, within: str | None = None,
                   nearest: Sequence[str] = ()) -> list[Problem]:
    """``unknown_area`` for a name a user looks up to read: what was not found, the nearest names, what to check.

    Unlike ``unknown_area`` (data entry and import, which may create the area) it never advises creating one:
    the user only reads.
    """
    title = LEVEL_TITLE.get(level or "", "区划")
    if level is None:
        return [Problem("unknown_area", f"没有名为或代码为“{name}”的区划{_nearest(nearest)}；"
                                        "请核对名称（可用区划代码，或 乡镇/村 的写法）", title)]
    where = f"{within}下" if within else ""
    return [Problem("unknown_area", f"{where}没有名为 {name} 的{title}{_nearest(nearest)}；{_READ_FIX[level]}",
                    title)]


def area_ambiguous(level: str | None, name: str, paths: Sequence[str]) -> list[Problem]:
    """``unknown_area`` for a name read that several areas have: the paths, and how to name one."""
    title = LEVEL_TITLE.get(level or "", "区划")
    return [Problem("unknown_area", f"有 {len(paths)} 个{title}叫“{name}”（{'、'.join(paths)}）；"
                                    "请用区划代码或 乡镇/村 的写法指明", title)]


def households_not_found(codes: Sequence[str], nearest: Sequence[str] = ()) -> list[Problem]:
    """``unknown_reference`` for 户编号 a user looks up: the importer's message, the nearest codes as the hint."""
    if len(codes) == 1:
        problem = unknown_household(codes[0])[0]
    else:
        shown = "、".join(codes[:5]) + (f" 等 {len(codes)} 个" if len(codes) > 5 else "")
        problem = Problem("unknown_reference", f"没有户编号为 {shown} 的户；请核对户编号", "户编号")
    near = f"相近的户编号：{'、'.join(nearest)}；" if nearest else ""
    return [replace(problem, hint=f"（{near}povmon household list 可按村、姓名或身份证号查找）")]


def out_of_scope(code: str | None, where: str, who: str, scope: str) -> list[Problem]:
    """``out_of_scope``: a household outside the acting user's area (rules.access), named with its own area."""
    what = f"户 {code}" if code else "这户"
    place = f"（{where}）" if where else ""
    return [Problem("out_of_scope", f"{what}{place}不在{who}的范围（{scope}）内，没有导入；"
                                    "请交该地的乡镇专干或县级管理员办理", "村")]


def cadre_not_found(text: str, nearest: Sequence[str] = ()) -> list[Problem]:
    """``unknown_reference`` for a cadre a user looks up to read (by ID number or name)."""
    return [Problem("unknown_reference", f"没有身份证号或姓名为 {text} 的帮扶干部{_nearest(nearest)}；"
                                         "请核对 --cadre 后的身份证号（或姓名）", "帮扶干部")]


def cadre_ambiguous(text: str, who: Sequence[str]) -> list[Problem]:
    """``unknown_reference`` for a cadre's name several cadres have (read): who they are, and how to name one."""
    return [Problem("unknown_reference", f"有 {len(who)} 位干部叫 {text}：{'；'.join(who[:5])}；"
                                         "请改用 --cadre 身份证号 指明是哪一位", "帮扶干部")]


def area(value: str, level: str | None, matches: Sequence[str]) -> list[Problem]:
    """An area named by the user must match exactly one area; matches are the full paths of the candidates."""
    if not matches:
        return unknown_area(level, value)
    if len(matches) > 1:
        title = LEVEL_TITLE.get(level or "", "地区")
        return [Problem(
            "unknown_area",
            f"有{len(matches)}个名为“{excerpt(value)}”的{title}（{'、'.join(matches)}）；"
            f"请写明上级，如 {matches[0]}，或填区划代码",
            title,
        )]
    return []


def area_code(level: str, code: str | None, parent_code: str | None, parent_name: str | None = None) -> list[Problem]:
    """A statistical division code: 6 digits for a county, 9 for a township, 12 for a village, within its parent's."""
    if not code:
        return []
    length = AREA_CODE_LENGTH[level]
    if not code.isdigit() or len(code) != length:
        return [Problem("bad_value", f"{LEVEL_TITLE[level]}的区划代码应为{length}位数字，这里是“{excerpt(code)}”",
                        "区划代码")]
    if parent_code and not code.startswith(parent_code):
        return [Problem(
            "bad_value",
            f"区划代码 {code} 不在上级 {parent_name or ''}（{parent_code}）之内：应以 {parent_code} 开头；请核对",
            "区划代码",
        )]
    return []


def area_code_taken(code: str, owner: str) -> list[Problem]:
    """A statistical code belongs to one area: ``owner`` is the path of the area that already has it."""
    return [Problem("bad_value", f"区划代码 {code} 已属于 {owner}；请核对", "区划代码")]


# the words that end an area's name and only say its level (岔口村, 会立乡, 西营镇, 东营社区 …)
LEVEL_WORDS = ("村民委员会", "居民委员会", "村委会", "居委会", "社区", "街道", "村", "乡", "镇", "县", "区")


def name_stem(name: str) -> str:
    """An area's name without the word that only says its level: 岔口村 → 岔口, 东营社区 → 东营 (folded)."""
    folded = fold(name)
    for word in LEVEL_WORDS:
        if folded.endswith(word) and len(folded) > len(word):
            return folded[: -len(word)]
    return folded


def misspelt(name: str, candidates: Sequence[str]) -> str | None:
    """The candidate a new area's name most likely misspells, or None.

    Only the level word is judged: the same name with it missing, doubled or replaced by another character
    (岔口, 岔口村村, 岔口村委会 or 岔口材 for 岔口村). Two names that differ elsewhere (东营村, 西营村) are
    different places as far as a name can tell; the statistical code decides those.
    """
    folded, stem = fold(name), name_stem(name)
    for candidate in candidates:
        other = fold(candidate)
        if other == folded:
            continue
        other_stem = name_stem(candidate)
        if other_stem in (stem, folded):
            return candidate
        if other != other_stem and stem == folded and folded[:-1] == other_stem and len(folded) == len(other):
            return candidate  # the level word mistyped: 岔口材 for 岔口村
    return None


def area_suspect(level: str, name: str, probable_path: str | None, probable: str, *, code: str | None = None,
                 prefix: str | None = None) -> list[Problem]:
    """``area_suspect``: a household's row names an area the register lacks, and it looks like a misspelling.

    With ``code`` the 户编号 carries the statistical code ``prefix`` of the probable area; without, the names
    differ only in the level word. The clerk either corrects the name or names the new area explicitly.
    """
    title = LEVEL_TITLE[level]
    if code is not None:
        owner = probable_path or f"本次导入中多数户的{title}“{probable}”"
        why = f"户编号 {code} 所含的区划代码 {prefix} 属于 {owner}"
    else:
        why = f"已有名称相近的{title} {probable_path or probable}"
    return [Problem(
        "area_suspect",
        f"没有名为“{name}”的{title}，{why}：是否为 {probable}？请改正{title}名；"
        f"如确是新{title}，请在导入文件的“行政区划”表中列出它（或先用 povmon area add 建立）",
        title,
    )]


def reference(what: str, value: str, count: int, candidates: Sequence[str] = ()) -> list[Problem]:
    """A cadre, household or event named by the user must exist, once; what is its Chinese kind (帮扶干部, 户 …)."""
    if count == 0:
        return [Problem("unknown_reference", f"没有找到{what}“{excerpt(value)}”；请核对，或先登记该{what}", what)]
    if count > 1:
        listed = "、".join(candidates)
        return [Problem("unknown_reference",
                        f"有{count}个{what}叫“{excerpt(value)}”（{listed}）；请改用身份证号指明是哪一位", what)]
    return []


def unknown_household(code: str | None) -> list[Problem]:
    """``unknown_reference``: a 户编号 the register does not have (nor, for the importer, its files)."""
    return [Problem("unknown_reference", f"没有户编号为 {code} 的户；请核对户编号", "户编号")]


def not_a_member(code: str | None, id_number: str) -> list[Problem]:
    """``unknown_reference``: a benefit names a person who is not a member of its household."""
    return [Problem("unknown_reference",
                    f"{_household(code)}没有身份证号为 {idcard.mask(id_number)} 的成员；请核对（按户享受的请留空）",
                    "成员身份证号")]


def not_future(day: dt.date | None, title: str, today: dt.date, *, year_only: bool = False) -> list[Problem]:
    """Facts are entered after they happen: a date after today is a typing mistake."""
    if day is None or day <= today:
        return []
    if year_only:
        return [Problem("bad_date", f"{title}只填了年份 {day.year}，表示该年12月31日，晚于今天；请填写具体日期",
                        title)]
    return [Problem("bad_date", f"{title} {day.isoformat()} 晚于今天；请核对日期", title)]


def stint_dates(joined_on: dt.date | None, left_on: dt.date | None) -> list[Problem]:
    """A member cannot leave a household before joining it."""
    if joined_on is not None and left_on is not None and left_on < joined_on:
        return [Problem("bad_date", f"离开日期 {left_on.isoformat()} 早于加入日期 {joined_on.isoformat()}；请核对",
                        "日期")]
    return []


def labour_capacity(labours: Sequence[str | None]) -> list[Problem]:
    """Risk elimination needs labour capacity: a household with none stays in monitoring (docs/DOMAIN.md).

    labours are the labour codes of the present members. A household where no member is recorded with
    labour (普通、技能、弱或半劳动力) is refused; when some are not recorded at all, the message says to record them.
    """
    if any(code in LABOUR_CAPABLE for code in labours):
        return []
    if any(code is None for code in labours):
        return [Problem(
            "no_labour_capacity",
            "该户没有登记有劳动能力的成员（部分成员未录入劳动技能）；无劳动能力户不标注风险消除，"
            "请先录入成员的劳动技能",
            "劳动技能",
        )]
    labels = "、".join(sorted({LABOUR.label(code) or "" for code in labours})) or "无在册成员"
    return [Problem(
        "no_labour_capacity",
        f"该户无劳动能力（{labels}）：无劳动能力户不标注风险消除，应继续监测并落实兜底保障",
        "劳动技能",
    )]


def transition(state: StatusOn, kind: str, monitoring_type: str | None = None) -> list[Problem]:
    """Whether an event follows from the household's status on its date (rules.status.allowed_next, and monitoring).

    Monitoring is for households that are not poor now: 脱贫不稳定户 are exited households, 边缘易致贫户 ordinary
    households never registered, 突发严重困难户 either of them. Risk elimination needs monitoring with the risk
    not yet eliminated; a revocation needs an elimination to revoke.
    """
    status = state.status
    label = STATUS_LABELS.get(status, status)
    kind_label = EVENT_KIND.label(kind)
    if kind in ("identified", "exited", "returned"):
        if allowed_next(status, kind):
            return []
        need = {"identified": "一般农户（未建档立卡）", "exited": "未脱贫或返贫户", "returned": "已脱贫户"}[kind]
        return [Problem("status_transition", f"该户当时是{label}，不能{kind_label}：只有{need}才能{kind_label}",
                        "事件")]
    monitoring = state.monitoring
    if kind == "monitoring_added":
        if status in POOR_NOW:
            return [Problem("status_transition", f"该户当时是{label}，仍在帮扶中，不纳入防返贫监测", "事件")]
        if monitoring is not None and not monitoring.risk_eliminated:
            current = MONITORING_TYPE.label(monitoring.type) or "监测对象"
            return [Problem("status_transition",
                            f"该户已是{current}（{monitoring.since.isoformat()}纳入），风险尚未消除；不能重复纳入监测",
                            "事件")]
        fits = {"unstable": {"exited"}, "near_poor": {"non_poor"}, "hardship": {"exited", "non_poor"}}
        if monitoring_type in fits and status not in fits[monitoring_type]:
            allowed = "、".join(STATUS_LABELS[s] for s in sorted(fits[monitoring_type]))
            return [Problem("status_transition",
                            f"该户当时是{label}，不能作为{MONITORING_TYPE.label(monitoring_type)}：此类型只适用于{allowed}",
                            "监测对象类型")]
        return []
    if kind == "risk_eliminated":
        if monitoring is None:
            return [Problem("status_transition", "该户当时不是监测对象，没有风险可消除", "事件")]
        if monitoring.risk_eliminated:
            return [Problem("status_transition", f"该户的风险已于 {monitoring.since.isoformat()} 消除", "事件")]
        return []
    if kind == "elimination_revoked":
        if monitoring is None or not monitoring.risk_eliminated:
            return [Problem("status_transition", "该户当时没有已标注的风险消除，无可撤销", "事件")]
        return []
    return []


@dataclass(frozen=True)
class PlannedEvent:
    """An event not yet stored, shaped as rules.status sees events."""

    kind: str
    event_date: dt.date
    monitoring_type: str | None = None
    cancels_event_id: int | None = None
    id: int | None = None


_PLANNED_ID = 1 << 62  # a new event is recorded last, so it sorts after the stored events of its day


def _failures(events: Sequence, start: tuple) -> dict[int, list[Problem]]:
    """Events at or after ``start`` (a sort key) that do not follow from the status just before them."""
    failures: dict[int, list[Problem]] = {}
    for event in events:
        if event.kind == "cancelled" or sort_key(event) < start:
            continue
        upto = effective(events, event.event_date)
        if event not in upto:  # already voided on its own date
            continue
        before = status_on(upto[: upto.index(event)], event.event_date)
        found = transition(before, event.kind, event.monitoring_type)
        if found:
            failures[event.id] = found
    return failures


def history(events: Sequence, planned: PlannedEvent) -> list[Problem]:
    """Check a new event, or a cancellation, against the whole history and not only its own date.

    The new event must follow from the status on its date, and every later event must still follow from
    the status before it once the change is made: an exit recorded before a later exit is refused, and so
    is cancelling an identification that a later exit depends on. Events that were already out of order
    before the change (imported history, say) are not blamed on it.
    """
    planned = replace(planned, id=_PLANNED_ID)
    if planned.kind == "cancelled":
        start = (planned.event_date, -1, 0)  # a cancellation voids from the start of its day
    else:
        start = sort_key(planned)
    already = _failures(list(events), start)
    after = _failures([*events, planned], start)
    problems: list[Problem] = []
    for event_id, found in after.items():
        if event_id in already:
            continue
        if event_id == _PLANNED_ID:
            problems.extend(found)
            continue
        event = next(e for e in events if e.id == event_id)
        problems.append(Problem(
            "status_transition",
            f"与之后的记录冲突：{event.event_date.isoformat()} 的“{EVENT_KIND.label(event.kind)}”（事件 {event.id}）"
            f"将不再成立（{found[0].message}）；请先作废或更正那条记录",
            "事件",
        ))
    return problems
