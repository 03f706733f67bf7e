"""Month closes (月报结账) read back: the closes, and how a later run is checked against the one that covers it.

A close is stored by services.closes.close_month: the month's figures exactly as ``report monthly --json``
prints them, their sha256 (over canonical JSON: sorted keys, no spaces, UTF-8), the user and the time, for a
scope — the whole register, or one area and everything under it (``--area``), written in ``MonthClose.area`` as
the area's statistical code, or its name path (交城县/西营镇/东营村) when it has no code. This module only reads.

``compare`` runs whenever the monthly report is made for a closed month. It picks the close that covers
what is being reported (the latest close of the same area or of an area above it; failing that, the
latest close of an area below it, compared on the areas both cover), checks that the stored figures still
match their hash, compares every figure of every area, and — when anything differs — lists why: the
records whose effective date is in or before the month that were created or edited after the close
(Provenance.created_at, the audit log), with who and when. Figures of a month can only change through
such records, because the figures depend only on effective dates.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from povmon import crypto
from povmon.errors import PovmonError
from povmon.models import (
    Area,
    AuditLog,
    Benefit,
    Household,
    HouseholdEvent,
    ImportBatch,
    Income,
    Member,
    MonthClose,
    Pairing,
    Visit,
)
from povmon.reports import monthly
from povmon.rules import idcard
from povmon.rules.vocab import EVENT_KIND, MEMBER_STATE
from povmon.services import lookup
from povmon.services.closes import digest, when

__all__ = ["Change", "Comparison", "Difference", "changes_since", "close_json", "compare", "digest", "find_close",
           "list_closes", "scope_name", "when"]

FIELD_LABELS = {
    "households": "在册户数", "people": "在册人数",
    "registered_households": "建档立卡户数", "registered_people": "建档立卡人数",
    "poor_households": "未脱贫户数", "poor_people": "未脱贫人数",
    "exited_households": "已脱贫户数", "exited_people": "已脱贫人数",
    "monitored_households": "监测户数", "monitored_people": "监测人数",
    "incidence_pct": "贫困发生率（%）", "below_line_households": "低于贫困线户数",
    "paired_households": "已结对户数", "unpaired_households": "未结对户数", "cadres": "帮扶干部数",
    "visited_households": "本月走访户数", "benefits_yuan": "本月政策资金（元）",
    "identified": "本月识别纳入", "exited": "本月脱贫退出", "returned": "本月返贫",
    "monitoring_added": "本月纳入监测", "risk_eliminated": "本月风险消除",
    "work_teams": "在岗驻村工作队数", "first_secretaries": "在岗第一书记数",
    "leads_new": "本月新增风险线索", "leads_open": "未决风险线索", "leads_decided": "本月决定线索",
    "leads_overdue": "逾期未决线索",
}
TABLE_LABELS = {
    "household": "户", "member": "成员", "household_event": "识别账事件", "income": "收入",
    "pairing": "结对", "visit": "走访", "benefit": "政策享受", "poverty_line": "标准线", "area": "区划",
    "policy": "政策", "cadre": "帮扶干部", "measure": "帮扶措施",
}
_BATCH = 500  # ids per IN list when looking up audited rows


def _scope_of(session: Session, close: MonthClose) -> Area | bool | None:
    """The close's area (None: the whole register; False: its area no longer exists)."""
    if close.area is None:
        return None
    try:
        return lookup.find_area(session, close.area)
    except PovmonError:
        return False


def scope_name(session: Session, close: MonthClose) -> str:
    """How a close's scope reads on screen: 全部 or the area's name path."""
    scope = _scope_of(session, close)
    if scope is None:
        return "全部区划"
    if scope is False:
        return f"{close.area}（该区划已不存在）"
    return "/".join(monthly._path_names(session, scope))


def list_closes(session: Session, month: str | None = None) -> list[MonthClose]:
    """The closes, oldest month first, each month's closes in the order they were made."""
    query = select(MonthClose).order_by(MonthClose.month, MonthClose.closed_at, MonthClose.id)
    if month is not None:
        query = query.where(MonthClose.month == month)
    return list(session.scalars(query))


def close_json(session: Session, close: MonthClose) -> dict:
    """A close as ``report closes --json`` lists it."""
    return {
        "month": close.month, "area": close.area, "scope": scope_name(session, close),
        "as_of": close.as_of.isoformat(), "closed_at": close.closed_at.isoformat(timespec="seconds") + "Z",
        "user": close.user, "sha256": close.sha256, "note": close.note,
    }


@dataclass(frozen=True)
class Difference:
    """One figure of one area that is not what the close says."""

    area: str  # name path
    field: str
    closed: object  # None: the area was not in the close
    now: object  # None: the area is not in the report any more

    @property
    def label(self) -> str:
        """The figure's Chinese name."""
        return FIELD_LABELS.get(self.field, self.field)


@dataclass(frozen=True)
class Change:
    """A record in effect on or before the month's last day, created or edited after the close."""

    table: str
    household: str | None  # household code
    effective: str  # the date (or year) that puts the record in or before the month
    action: str  # 新建 / 修改 / 删除
    detail: str
    user: str
    at: dt.datetime

    @property
    def table_label(self) -> str:
        """What kind of record, in Chinese."""
        return TABLE_LABELS.get(self.table, self.table)


@dataclass
class Comparison:
    """A recomputed month against its close."""

    close: MonthClose
    scope: str  # the close's scope, as it reads
    intact: bool  # the stored figures still hash to the stored sha256
    differences: list[Difference]
    changes: list[Change]
    compared_areas: int

    def summary(self) -> list[tuple[str, str, str, str, int]]:
        """The changes counted by (record kind, action, user, day): what a long list boils down to."""
        counts: dict[tuple[str, str, str, str], int] = defaultdict(int)
        for c in self.changes:
            counts[(c.table_label, c.action, c.user, when(c.at)[:10])] += 1
        return [(*key, n) for key, n in sorted(counts.items(), key=lambda kv: (kv[0][3], -kv[1]))]

    @property
    def same(self) -> bool:
        """Nothing differs and the close is intact."""
        return self.intact and not self.differences

    def as_json(self) -> dict:
        """The comparison as data (for scripts and the 结账核对 sheet)."""
        return {
            "close": {"month": self.close.month, "area": self.close.area, "scope": self.scope,
                      "closed_at": self.close.closed_at.isoformat(timespec="seconds") + "Z",
                      "user": self.close.user, "sha256": self.close.sha256},
            "intact": self.intact, "same": self.same, "compared_areas": self.compared_areas,
            "differences": [{"area": d.area, "field": d.field, "closed": d.closed, "now": d.now}
                            for d in self.differences],
            "changes": [{"table": c.table, "household": c.household, "effective": c.effective,
                         "action": c.action, "detail": c.detail, "user": c.user,
                         "at": c.at.isoformat(timespec="seconds") + "Z"} for c in self.changes],
        }


def _ancestors(area: Area) -> list[int]:
    out, node = [], area
    while node is not None:
        out.append(node.id)
        node = node.parent
    return out


def find_close(session: Session, report: monthly.MonthlyReport) -> tuple[MonthClose, bool] | None:
    """The close to check the report against, and whether it covers the whole report.

    The latest close of the report's area or of an area above it covers everything shown; failing that,
    the latest close of an area below it covers part of it.
    """
    closes = session.scalars(
        select(MonthClose).where(MonthClose.month == report.month.label)
        .order_by(MonthClose.closed_at.desc(), MonthClose.id.desc())
    ).all()
    if not closes:
        return None
    above = set(_ancestors(report.scope)) if report.scope is not None else set()
    inside = set(report.scope_ids) if report.scope_ids is not None else None
    partial = None
    for close in closes:
        scope = _scope_of(session, close)
        if scope is False:
            continue
        if scope is None or scope.id in above:
            return close, True
        if partial is None and (inside is None or scope.id in inside):
            partial = close
    return (partial, False) if partial is not None else None


def _key(entry: dict) -> tuple:
    return (entry["level"], entry["code"], entry["name"], entry["parent"])


def compare(session: Session, report: monthly.MonthlyReport) -> Comparison | None:
    """Check a recomputed month against its close; None when the month is not closed for this scope."""
    found = find_close(session, report)
    if found is None:
        return None
    close, covers = found
    closed_entries = {_key(e): e for e in close.figures.get("areas", [])}
    now_entries = {_key(e): e for e in report.as_json()["areas"]}
    if covers:
        keys = list(now_entries) + [k for k in closed_entries if k not in now_entries and _within(k, now_entries)]
    else:
        keys = list(closed_entries)
    differences = []
    for key in keys:
        was, now = closed_entries.get(key), now_entries.get(key)
        name = key[2] if key[3] is None else f"{key[3]}/{key[2]}"
        if was is None or now is None:
            differences.append(Difference(name, "area", None if was is None else "有", None if now is None else "有"))
            continue
        for field in (*monthly.JSON_FIELDS[4:], *monthly.LEAD_FIELDS):
            if field in (*monthly.TEAM_FIELDS, *monthly.LEAD_FIELDS) and field not in was:
                continue  # a close made before povmon counted work teams or leads: nothing to compare
            if was.get(field) != now.get(field):
                differences.append(Difference(name, field, was.get(field), now.get(field)))
    intact = digest(close.figures) == close.sha256
    changes: list[Change] = []
    if differences or not intact:
        scope = _scope_of(session, close)
        scope_ids = report.scope_ids
        if not covers and scope:
            scope_ids = [a.id for a, _ in monthly._preorder([scope], monthly._tree(session)[1])]
        changes = changes_since(session, report.as_of, close.closed_at, scope_ids)
    return Comparison(close, scope_name(session, close), intact, differences, changes, len(keys))


def _within(key: tuple, now_entries: dict) -> bool:
    # an area that was in the close but is gone now belongs to this report when its parent is shown
    parents = {k[2] for k in now_entries}
    return key[3] in parents


# --- why: records in effect on or before the month's end, created or edited after the close ---------------


def changes_since(
    session: Session, as_of: dt.date, since: dt.datetime, area_ids: list[int] | None = None
) -> list[Change]:
    """Records effective on or before as_of that were created or edited after ``since``, oldest first."""
    changes: list[Change] = []
    batch_users = {b.id: b.user for b in session.scalars(select(ImportBatch).where(ImportBatch.started_at > since))}

    def who(created_by: str | None, batch_id: int | None) -> str:
        if created_by:
            return created_by
        if batch_id is not None:
            return batch_users.get(batch_id) or session.scalar(
                select(ImportBatch.user).where(ImportBatch.id == batch_id)) or f"导入批次 {batch_id}"
        return "（未记录）"

    def scoped(query):
        return query if area_ids is None else query.where(Household.village_id.in_(area_ids))

    new_households = {
        hid: code for hid, code in session.execute(scoped(
            select(Household.id, Household.code).where(Household.created_at > since)))
    }
    if new_households:
        first_days = defaultdict(list)
        for hid, joined, name in session.execute(
            scoped(select(Member.household_id, Member.joined_on, Member.name)
                   .join(Household, Household.id == Member.household_id)
                   .where(Household.created_at > since))
        ):
            first_days[hid].append((joined, name))
        for h in session.scalars(scoped(select(Household).where(Household.created_at > since))):
            members = first_days.get(h.id, [])
            early = [n for j, n in members if j is None or j <= as_of]
            if not early:
                continue  # its members all joined after the month: it does not touch the month
            changes.append(Change("household", h.code, "成员无加入日期或在月末前加入", "新建",
                                  f"新建户（{len(early)} 名成员在月末在册或已登记）", who(h.created_by, h.batch_id),
                                  h.created_at))

    def created(model, date_col, condition, describe):
        query = (
            select(model, Household.code).join(Household, Household.id == model.household_id)
            .where(model.created_at > since, condition)
        )
        for record, code in session.execute(scoped(query)):
            if model is Member and record.household_id in new_households:
                continue  # listed once with its new household
            changes.append(Change(model.__tablename__, code, _effective(getattr(record, date_col)), "新建",
                                  describe(record), who(record.created_by, record.batch_id), record.created_at))

    created(HouseholdEvent, "event_date", HouseholdEvent.event_date <= as_of, _describe_event)
    created(Member, "joined_on", Member.known_on(as_of), _describe_member)
    created(Pairing, "start_on", Pairing.start_on <= as_of,
            lambda p: f"结对 {p.cadre.name} {p.start_on}—{p.end_on or '至今'}")
    created(Visit, "visit_date", Visit.visit_date <= as_of, lambda v: f"走访 {v.visit_date}")
    created(Benefit, "benefit_date", Benefit.benefit_date <= as_of,
            lambda b: f"{b.benefit_date} {b.amount:.2f} 元")
    created(Income, "year", Income.year <= as_of.year,
            lambda i: f"{i.year}年" + (f"{i.month}月" if i.month else "") + "收入")

    changes.extend(_edited(session, as_of, since, area_ids))
    changes.sort(key=lambda c: (c.at, c.table, c.household or ""))
    return changes


def _effective(value) -> str:
    if value is None:
        return "无日期"
    return value.isoformat() if isinstance(value, dt.date) else f"{value}年"


def _describe_event(e: HouseholdEvent) -> str:
    text = f"{EVENT_KIND.label(e.kind)} {e.event_date}"
    if e.kind == "cancelled" and e.cancels_event_id:
        text += f"（作废事件 #{e.cancels_event_id}）"
    return text


def _describe_member(m: Member) -> str:
    text = f"成员 {m.name}"
    if m.joined_on:
        text += f" {m.joined_on} 加入"
    if m.left_on:
        text += f" {m.left_on} {MEMBER_STATE.label(m.left_reason or 'moved_out')}"
    return text


# table → (model, the column whose date puts the record in or before the month, its date fields)
_AUDITED = {
    "household_event": (HouseholdEvent, "event_date", ("event_date",)),
    "member": (Member, "joined_on", ("joined_on", "left_on")),
    "pairing": (Pairing, "start_on", ("start_on", "end_on")),
    "visit": (Visit, "visit_date", ("visit_date",)),
    "benefit": (Benefit, "benefit_date", ("benefit_date",)),
    "income": (Income, "year", ("year",)),
    "household": (Household, None, ()),
}
# household fields the monthly figures depend on (a move to another village changes two areas)
_HOUSEHOLD_FIELDS = {"village_id"}


def _edited(session: Session, as_of: dt.date, since: dt.datetime, area_ids: list[int] | None) -> list[Change]:
    rows = session.scalars(
        select(AuditLog).where(AuditLog.at > since, AuditLog.action.in_(("update", "delete", "insert")))
        .order_by(AuditLog.at, AuditLog.id)
    ).all()
    by_table: dict[str, list[AuditLog]] = defaultdict(list)
    for row in rows:
        by_table[row.table_name].append(row)
    out: list[Change] = []
    allowed = set(area_ids) if area_ids is not None else None
    for table, entries in by_table.items():
        if table in ("poverty_line", "area", "policy"):
            for a in entries:
                if table == "poverty_line" and a.action == "insert":
                    detail = "新增标准线"
                else:
                    detail = _field_text(a)
                out.append(Change(table, None, "—", _ACTION[a.action], detail, a.user, a.at))
            continue
        spec = _AUDITED.get(table)
        if spec is None:
            continue
        model, date_col, date_fields = spec
        ids = sorted({a.row_id for a in entries if a.row_id is not None})
        records = {}
        for start in range(0, len(ids), _BATCH):
            chunk = ids[start:start + _BATCH]
            for record in session.scalars(select(model).where(model.id.in_(chunk))):
                records[record.id] = record
        codes = _household_codes(session, {_household_id(r) for r in records.values()})
        for a in entries:
            if a.action == "insert":
                continue  # a created record is found through its created_at
            record = records.get(a.row_id)
            if record is None:  # deleted since: its date is unknown, so it may have touched the month
                out.append(Change(table, None, "未知", _ACTION[a.action], a.note or _field_text(a), a.user, a.at))
                continue
            village = record.village_id if model is Household else None
            if allowed is not None:
                hid = _household_id(record)
                village = village or (session.get(Household, hid).village_id if hid else None)
                if village not in allowed and not (a.field == "village_id" and _int(a.old_value) in allowed):
                    continue
            if model is Household:
                if a.field not in _HOUSEHOLD_FIELDS:
                    continue
                effective = "—"
            else:
                value = getattr(record, date_col)
                in_month = _on_or_before(value, as_of, date_col)
                moved_out = a.field in date_fields and _text_on_or_before(a.old_value, as_of, date_col)
                if not (in_month or moved_out):
                    continue
                effective = _effective(value)
            out.append(Change(table, codes.get(_household_id(record)), effective, _ACTION[a.action],
                              _field_text(a), a.user, a.at))
    return out


_ACTION = {"update": "修改", "delete": "删除", "insert": "新建"}


def _household_id(record) -> int | None:
    return record.id if isinstance(record, Household) else getattr(record, "household_id", None)


def _household_codes(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = sorted(i for i in ids if i is not None)
    out = {}
    for start in range(0, len(wanted), _BATCH):
        chunk = wanted[start:start + _BATCH]
        out.update({i: c for i, c in session.execute(select(Household.id, Household.code)
                                                      .where(Household.id.in_(chunk)))})
    return out


def _on_or_before(value, as_of: dt.date, column: str) -> bool:
    if value is None:
        return column == "joined_on"  # a member without a joining date is on the register from the start
    if column == "year":
        return value <= as_of.year
    return value <= as_of


def _text_on_or_before(text: str | None, as_of: dt.date, column: str) -> bool:
    if text is None:
        return False
    try:
        if column == "year":
            return int(text) <= as_of.year
        return dt.date.fromisoformat(text[:10]) <= as_of
    except ValueError:
        return False


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


def _field_text(a: AuditLog) -> str:
    if a.field:
        old, new = _audit_value(a.field, a.old_value), _audit_value(a.field, a.new_value)
        return f"{a.field}：{old if old is not None else '空'} → {new if new is not None else '空'}"
    return a.note or ""


def _audit_value(field: str, value: str | None) -> str | None:
    """An audit value as a report shows it: an ID number or phone (sealed in the log) opened and masked."""
    if value is None or not value.startswith(crypto.PREFIX):
        return value
    clear = crypto.unseal(value, field)
    return idcard.mask_phone(clear) if field == "phone" else idcard.mask(clear)
