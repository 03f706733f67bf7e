"""The five ledgers of households as of a date (``povmon ledger``), as plain data ready to print.

A ledger is what a cadre takes to the door: the summary card (明白卡), 家庭账 (members, housing, land),
识别账 (status history and the exit-standard checklist), 政策账 (benefits by year), 收入账 (income by year
against that year's lines) and 帮扶账 (pairings, measures, visits).

Everything is read as of a day: events, benefits, measures and visits dated after it are left out,
a pairing ending after it is still current, a member who joined after it is not there yet, and a
month of income after it is not counted. Households are loaded in chunks of a few hundred, one
IN-query per table and chunk (never one query per household), and ledgers are yielded chunk by chunk,
so memory does not grow with the number of households.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from povmon.errors import NotFound, PovmonError
from povmon.models import (
    Area,
    Benefit,
    Cadre,
    Household,
    HouseholdEvent,
    Income,
    Lead,
    Measure,
    Member,
    Pairing,
    Policy,
    TeamMember,
    Visit,
    WorkTeam,
)
from povmon.reports import extras
from povmon.rules import exit_standard, idcard
from povmon.rules import monitoring as monitoring_rules
from povmon.rules.dates import age_on
from povmon.rules.income import IncomeYear, per_capita
from povmon.rules.lines import LineValue
from povmon.rules.money import ZERO
from povmon.rules.status import STATUS_LABELS, effective, sort_key, status_on
from povmon.rules.vocab import (
    ATTRIBUTE,
    CADRE_ROLE,
    CAUSE,
    DISABILITY_GRADE,
    EDUCATION,
    ELIMINATION,
    EVENT_KIND,
    HEALTH,
    LABOUR,
    LEAD_SOURCE,
    MEASURE_KIND,
    MEMBER_STATE,
    MONITORING_TYPE,
    POLICY_CATEGORY,
    RELATION,
    RISK,
    SCHOOL_STATUS,
    SEX,
    STANDARD,
    WORK,
    labels_of,
)
from povmon.services import access, lookup
from povmon.services import households as hh
from povmon.services.lines import LineBook
from povmon.services.lookup import AreaTree

CHUNK = 300  # households per batch of IN-queries: well under every driver's parameter limit


# --- the plain data of one ledger ---------------------------------------------------------------------


@dataclass(frozen=True)
class CadreLine:
    """A cadre as a ledger shows them: name, unit and post, phone (masked unless asked), role."""

    name: str
    unit: str | None
    post: str | None
    phone: str | None
    role: str | None

    @property
    def unit_post(self) -> str:
        return " ".join(x for x in (self.unit, self.post) if x)

    def text(self) -> str:
        """李四（交城县国土资源局 科员）电话 138****1234"""
        out = self.name
        if self.unit_post:
            out += f"（{self.unit_post}）"
        if self.phone:
            out += f" 电话 {self.phone}"
        return out


@dataclass(frozen=True)
class MemberLine:
    """One membership stint in 家庭账; the state says when someone is no longer present."""

    name: str
    id_number: str
    relation: str | None
    sex: str | None
    age: int | None
    education: str | None
    school_status: str | None
    health: str | None
    labour: str | None
    work: str | None
    cover: str  # insurance and support: 医保、养老、低保、特困 / 未参保 / 未录入
    state: str  # 在册 新增 死亡 迁出
    state_date: dt.date | None
    present: bool


@dataclass(frozen=True)
class EventLine:
    """One event of 识别账, in the order events take effect."""

    date: dt.date
    year_only: bool
    kind: str
    standard: str | None
    cause: str | None
    monitoring_type: str | None
    risks: str | None
    source: str | None  # lead source (纳入监测) or how the risk was eliminated (风险消除)
    reason: str | None
    voided: bool  # cancelled by a later correction dated on or before the ledger's day


@dataclass(frozen=True)
class LeadLine:
    """A monitoring lead (风险线索) of 识别账 as of the ledger's day: its latest step and decision up to it."""

    date: dt.date
    source: str  # the department (医保 …), 花名册 or 手工
    rule: str  # rules.monitoring.RULES' label
    step: str | None  # the latest step before the decision, on or before the day: 公示 2019-03-04
    decision: str  # 纳入 2019-03-10 / 不纳入 … / 未决 / 逾期未决


LEAD_SOURCES = {"register": "花名册", "hand": "手工"}


def _lead_line(lead: Lead, as_of: dt.date) -> LeadLine:
    steps = [s for s in lead.steps if s.step_date <= as_of]
    last = max((s for s in steps if s.step != "decision"), key=lambda s: (s.step_date, s.id), default=None)
    decision = next((s for s in steps if s.step == "decision"), None)
    if decision is not None:
        outcome = f"{monitoring_rules.RESULTS.get(decision.result, decision.result)} {decision.step_date.isoformat()}"
    else:
        outcome = "逾期未决" if monitoring_rules.overdue(lead.detected_on, None, as_of) else "未决"
    step = f"{monitoring_rules.STEPS[last.step]} {last.step_date.isoformat()}" if last is not None else None
    return LeadLine(lead.detected_on, LEAD_SOURCES.get(lead.source, lead.source),
                    monitoring_rules.RULES.get(lead.rule, lead.rule), step, outcome)


@dataclass(frozen=True)
class BenefitLine:
    date: dt.date
    policy: str
    category: str | None
    member: str | None
    amount: Decimal
    note: str | None


@dataclass(frozen=True)
class PolicyYear:
    """The benefits of one year, in date order (as paid), and their total."""

    year: int
    benefits: list[BenefitLine]
    total: Decimal


@dataclass(frozen=True)
class IncomeLine:
    """One year of 收入账: components, net, members counted, per capita and that year's lines."""

    year: int
    income: IncomeYear
    members: int
    per_capita: Decimal | None
    poverty_line: LineValue | None
    monitoring_line: LineValue | None
    partial: bool = False  # the ledger's year, known only up to its day

    @property
    def net(self) -> Decimal:
        return self.income.net

    def comparison(self) -> str:
        """高于监测线 / 高于贫困线、低于监测线 / 低于贫困线, or why it cannot be said."""
        return compare(self.per_capita, self.poverty_line, self.monitoring_line)


@dataclass(frozen=True)
class PairingLine:
    cadre: CadreLine
    start: dt.date
    end: dt.date | None  # only when the pairing had ended by the ledger's day
    end_reason: str | None
    current: bool


@dataclass(frozen=True)
class MeasureLine:
    date: dt.date
    kind: str | None
    description: str | None
    amount: Decimal | None
    cadre: str | None


@dataclass(frozen=True)
class VisitLine:
    date: dt.date
    cadre: str | None
    done: str | None
    problems: str | None
    resolved: bool | None


@dataclass(frozen=True)
class Ledger:
    """The five ledgers of one household as of a day."""

    household_id: int
    code: str
    as_of: dt.date
    county: str | None
    township: str | None
    village: str | None
    group: str | None
    head: str | None
    phone: str | None
    # 识别 facts and status on the day
    attribute: str | None
    standard: str | None
    main_cause: str | None
    other_causes: str | None
    status: str  # poor / exited / returned / non_poor
    status_since: dt.date | None
    monitoring: str | None  # 脱贫不稳定户（风险未消除）, None when not monitored
    # 家庭账
    members_present: int
    housing: str | None
    safe_water: bool | None
    electricity: bool | None
    road: bool | None
    food_clothing: bool | None
    arable_land: Decimal | None
    forest_land: Decimal | None
    members: list[MemberLine]
    # 识别账
    events: list[EventLine]
    exit_items: list[exit_standard.ExitItem]
    # 政策账
    policy_years: list[PolicyYear]
    # 收入账: every recorded year; the card shows the last full year (None when it was not recorded)
    incomes: list[IncomeLine]
    card_year: int
    card_income: IncomeLine | None
    card_poverty_line: LineValue | None
    card_monitoring_line: LineValue | None
    # 帮扶账
    cadres: list[CadreLine]  # paired on the day
    first_secretaries: list[CadreLine]
    pairings: list[PairingLine]
    measures: list[MeasureLine]
    visits: list[VisitLine]
    work_teams: list[str] = field(default_factory=list)  # the village's work teams in post: 队名（派出单位；队长）
    work: list[MeasureLine] = field(default_factory=list)  # 就业、培训与项目 (reports.extras.household_lines)
    leads: list[LeadLine] = field(default_factory=list)  # 识别账: 动态监测 leads dated on or before as_of

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def place(self) -> str:
        """交城县西营镇东营村（一组）"""
        text = "".join(x for x in (self.county, self.township, self.village) if x)
        return text + (f"（{self.group}）" if self.group else "")

    @property
    def policy_total(self) -> Decimal:
        return sum((y.total for y in self.policy_years), ZERO)


def compare(value: Decimal | None, poverty: LineValue | None, monitoring: LineValue | None) -> str:
    """Where a per-capita income stands against a year's poverty and monitoring lines."""
    if value is None:
        return "无在册人口，无法计算人均" if poverty is not None else "无标准线"
    if poverty is None:
        return "无当年贫困线"
    if value < poverty.yuan:
        return "低于贫困线"
    if monitoring is None:
        return "高于贫困线"
    if value < monitoring.yuan:
        return "高于贫困线、低于监测线"
    return "高于监测线"


# --- choosing households --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Selection:
    """Households chosen for printing, in print order, and a short name for the output file."""

    household_ids: list[int]
    label: str
    codes: list[str] = field(default_factory=list)


def select_households(
    session: Session,
    as_of: dt.date,
    *,
    codes: Sequence[str] = (),
    village: str | None = None,
    township: str | None = None,
    cadre: str | None = None,
) -> Selection:
    """The households to print: given codes (in that order), or every household of a village / township,
    or every household paired with a cadre on the day; the area and cadre filters narrow one another.

    Areas, cadres and codes are found with services.lookup, as everywhere a user names one to read.
    """
    if codes:
        return _by_codes(session, codes)
    query = select(Household.id, Household.code).order_by(Household.code)
    names = []
    tree = AreaTree.load(session) if township is not None or village is not None else None
    towns = None
    if township is not None:
        towns = lookup.find_areas(tree, township, "township")
        if village is None:
            query = query.where(Household.village_id.in_([n.id for t in towns for n in tree.nodes if n.parent is t]))
        names.append(towns[0].name)
    if village is not None:
        villages = lookup.find_areas(tree, village, "village", towns)
        if len(villages) > 1:
            towns_of = "、".join(v.parent.name for v in villages)
            raise PovmonError(f"有 {len(villages)} 个村叫 {village.strip()}（{towns_of}）；"
                              "请加 --township 乡镇名 指明是哪一个。")
        query = query.where(Household.village_id == villages[0].id)
        names.append(villages[0].name)
    if cadre is not None:
        person = lookup.find_cadre(session, cadre)
        paired = select(Pairing.household_id).where(Pairing.cadre_id == person.id, Pairing.active_on(as_of))
        query = query.where(Household.id.in_(paired))
        names.append(person.name)
    if not names:
        raise PovmonError("请指明要打印哪些户：户编号，或 --village 村名、--township 乡镇名、--cadre 干部身份证号。")
    rows = session.execute(query).all()
    label = "".join(names)
    if not rows:
        hint = access.scope_hint(session)
        if cadre is not None:
            raise NotFound(f"{label} 在 {as_of.isoformat()} 没有结对帮扶的户{hint}；请核对 --cadre 和 --as-of。")
        raise NotFound(f"{label} 没有登记在册的户{hint}；请核对村（乡镇）名称。")
    return Selection([r.id for r in rows], label, [r.code for r in rows])


def _by_codes(session: Session, codes: Sequence[str]) -> Selection:
    """The households of the given codes, in that order; NotFound naming the codes the register lacks."""
    wanted = list(dict.fromkeys(hh.normal_code(c) for c in codes if c.strip()))
    found: dict[str, int] = {}
    for start in range(0, len(wanted), CHUNK):
        part = wanted[start:start + CHUNK]
        found.update(session.execute(select(Household.code, Household.id).where(Household.code.in_(part))).all())
    missing = [c for c in wanted if c not in found]
    if missing:
        raise lookup.households_not_found(session, missing)
    label = wanted[0] if len(wanted) == 1 else f"{len(wanted)}户"
    return Selection([found[c] for c in wanted], label, wanted)


# --- loading in batches ---------------------------------------------------------------------------------


def _grouped(session: Session, query, key) -> dict[int, list]:
    out: dict[int, list] = defaultdict(list)
    for obj in session.scalars(query):
        out[key(obj)].append(obj)
    return out


class _Areas:
    """The area tree, read once (a county has a few hundred areas at most)."""

    def __init__(self, session: Session):
        self._by_id = {a.id: (a.level, a.name, a.parent_id) for a in session.scalars(select(Area))}

    def path(self, area_id: int | None) -> dict[str, str]:
        path: dict[str, str] = {}
        while area_id is not None and area_id in self._by_id:
            level, name, parent = self._by_id[area_id]
            path[level] = name
            area_id = parent
        return path


def ledgers(
    session: Session,
    household_ids: Sequence[int],
    as_of: dt.date,
    *,
    show_ids: bool = False,
    chunk: int = CHUNK,
) -> Iterator[Ledger]:
    """The ledgers of the households, in the given order, loaded in chunks of IN-queries.

    ID numbers and phones are masked unless show_ids (the caller records an unmasked export in the
    audit log)."""
    areas = _Areas(session)
    book = LineBook(session)
    policies = {p.id: (p.name, POLICY_CATEGORY.label(p.category)) for p in session.scalars(select(Policy))}
    cadre_cache: dict[int, CadreLine] = {}
    mask_id = (lambda s: s) if show_ids else idcard.mask
    mask_phone = (lambda s: s) if show_ids else idcard.mask_phone

    def cadre_line(c: Cadre) -> CadreLine:
        line = cadre_cache.get(c.id)
        if line is None:
            line = CadreLine(c.name, c.unit, c.post, mask_phone(c.phone), CADRE_ROLE.label(c.role))
            cadre_cache[c.id] = line
        return line

    for start in range(0, len(household_ids), chunk):
        ids = list(household_ids[start:start + chunk])
        households = {h.id: h for h in session.scalars(select(Household).where(Household.id.in_(ids)))}
        members = _grouped(session, select(Member).where(Member.household_id.in_(ids)).order_by(Member.id),
                           lambda m: m.household_id)
        events = _grouped(session, select(HouseholdEvent).where(HouseholdEvent.household_id.in_(ids)),
                          lambda e: e.household_id)
        incomes = _grouped(session, select(Income).where(Income.household_id.in_(ids)), lambda i: i.household_id)
        benefits = _grouped(
            session,
            select(Benefit).where(Benefit.household_id.in_(ids), Benefit.benefit_date <= as_of)
            .order_by(Benefit.benefit_date, Benefit.id),
            lambda b: b.household_id,
        )
        pairings = _grouped(
            session,
            select(Pairing).where(Pairing.household_id.in_(ids), Pairing.start_on <= as_of)
            .order_by(Pairing.start_on, Pairing.id),
            lambda p: p.household_id,
        )
        measures = _grouped(
            session,
            select(Measure).where(Measure.household_id.in_(ids), Measure.measure_date <= as_of)
            .order_by(Measure.measure_date, Measure.id),
            lambda m: m.household_id,
        )
        visits = _grouped(
            session,
            select(Visit).where(Visit.household_id.in_(ids), Visit.visit_date <= as_of)
            .order_by(Visit.visit_date, Visit.id),
            lambda v: v.household_id,
        )
        village_ids = {h.village_id for h in households.values()}
        secretaries = _grouped(
            session,
            select(Cadre).where(Cadre.role == "first_secretary", Cadre.village_id.in_(village_ids)).order_by(Cadre.id),
            lambda c: c.village_id,
        )
        teams = _grouped(
            session,
            select(WorkTeam).where(WorkTeam.village_id.in_(village_ids), WorkTeam.active_on(as_of))
            .options(selectinload(WorkTeam.members).selectinload(TeamMember.cadre)).order_by(WorkTeam.id),
            lambda t: t.village_id,
        )
        team_texts = {village: [_team_text(t, as_of) for t in ts] for village, ts in teams.items()}
        for village, ts in teams.items():  # a team's 第一书记 in post is the village's, registered so or not
            known = {c.id for c in secretaries.get(village, [])}
            for t in ts:
                for m in t.members:
                    if m.role == "first_secretary" and m.active_on(as_of) and m.cadre_id not in known:
                        secretaries[village].append(m.cadre)
                        known.add(m.cadre_id)
        cadre_ids = {p.cadre_id for ps in pairings.values() for p in ps}
        cadre_ids |= {m.cadre_id for ms in measures.values() for m in ms if m.cadre_id}
        cadre_ids |= {v.cadre_id for vs in visits.values() for v in vs}
        cadre_ids -= cadre_cache.keys()
        for part in _chunks(sorted(cadre_ids), chunk):
            for c in session.scalars(select(Cadre).where(Cadre.id.in_(part))):
                cadre_line(c)

        work = extras.household_lines(session, list(ids), as_of)
        leads = _grouped(
            session,
            select(Lead).where(Lead.household_id.in_(ids), Lead.detected_on <= as_of)
            .options(selectinload(Lead.steps)).order_by(Lead.detected_on, Lead.id),
            lambda lead: lead.household_id,
        )
        for household_id in ids:
            house = households[household_id]
            ledger = _ledger(
                house, as_of, areas.path(house.village_id), book, policies,
                members.get(household_id, []), events.get(household_id, []), incomes.get(household_id, []),
                benefits.get(household_id, []), pairings.get(household_id, []), measures.get(household_id, []),
                visits.get(household_id, []),
                [cadre_line(c) for c in secretaries.get(house.village_id, [])],
                cadre_cache, mask_id, mask_phone,
            )
            ledger = replace(ledger, work=[MeasureLine(day, kind, text, amount, None)
                                           for day, kind, text, amount in work.get(household_id, [])],
                             leads=[_lead_line(lead, as_of) for lead in leads.get(household_id, [])])
            texts = team_texts.get(house.village_id)
            yield replace(ledger, work_teams=texts) if texts else ledger


def _team_text(team: WorkTeam, as_of: dt.date) -> str:
    """东营村驻村工作队（交城县农业农村局；队长 张三）"""
    leaders = "、".join(m.cadre.name for m in team.members if m.role == "leader" and m.active_on(as_of))
    parts = [x for x in (team.unit, f"队长 {leaders}" if leaders else None) if x]
    return team.name + (f"（{'；'.join(parts)}）" if parts else "")


def _chunks(items: Sequence, size: int) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _yes_no_cover(m: Member) -> str:
    parts = [label for flag, label in (
        (m.medical_insurance, "医保"), (m.pension_insurance, "养老"),
        (m.subsistence_allowance, "低保"), (m.extreme_poverty_support, "特困"),
    ) if flag]
    if parts:
        return "、".join(parts)
    if m.medical_insurance is False or m.pension_insurance is False:
        return "未参保"
    return "未录入"


def _age(m: Member, day: dt.date) -> int | None:
    born = m.birth_date
    if born is None:
        try:
            born = idcard.birth_date(m.id_number)
        except Exception:  # an ID the register kept despite a bad date: no age rather than a crash
            return None
    return age_on(born, day)


def _member_line(m: Member, as_of: dt.date, mask_id) -> MemberLine:
    state = m.state_on(as_of)
    present = m.present_on(as_of)
    if state in ("deceased", "moved_out"):
        state_date = m.left_on
        age_day = m.left_on or as_of  # a deceased member's age at death
    else:
        state_date = m.joined_on if state == "added" else None
        age_day = as_of
    health = HEALTH.label(m.health)
    if m.disability_grade:
        health = f"{health or '残疾'}（{DISABILITY_GRADE.label(m.disability_grade)}）"
    work = WORK.label(m.work_status)
    if m.work_months:
        work = f"{work or '务工'}（{m.work_months}个月）"
    return MemberLine(
        name=m.name, id_number=mask_id(m.id_number), relation=RELATION.label(m.relation), sex=SEX.label(m.sex),
        age=_age(m, age_day), education=EDUCATION.label(m.education),
        school_status=SCHOOL_STATUS.label(m.school_status),
        health=health, labour=LABOUR.label(m.labour), work=work, cover=_yes_no_cover(m),
        state=MEMBER_STATE.label(state) or state, state_date=state_date, present=present,
    )


def _event_lines(events: list[HouseholdEvent], as_of: dt.date) -> list[EventLine]:
    upto = sorted((e for e in events if e.event_date <= as_of), key=sort_key)
    kept = {e.id for e in effective(upto, as_of)}
    by_id = {e.id: e for e in upto}
    lines = []
    for e in upto:
        reason = e.reason
        if e.kind == "cancelled" and e.cancels_event_id in by_id:
            target = by_id[e.cancels_event_id]
            voided_text = f"作废 {target.event_date.isoformat()} {EVENT_KIND.label(target.kind)}"
            reason = f"{voided_text}；{reason}" if reason else voided_text
        if e.note:
            reason = f"{reason}；{e.note}" if reason else e.note
        source = LEAD_SOURCE.label(e.lead_source) if e.lead_source else ELIMINATION.label(e.elimination)
        lines.append(EventLine(
            date=e.event_date, year_only=bool(e.year_only), kind=EVENT_KIND.label(e.kind) or e.kind,
            standard=STANDARD.label(e.standard), cause=CAUSE.label(e.cause),
            monitoring_type=MONITORING_TYPE.label(e.monitoring_type), risks=labels_of(RISK, e.risks) or None,
            source=source, reason=reason, voided=e.kind != "cancelled" and e.id not in kept,
        ))
    return lines


def _ledger(
    house: Household, as_of: dt.date, path: dict[str, str], book: LineBook, policies: dict,
    members: list[Member], events: list[HouseholdEvent], incomes: list[Income], benefits: list[Benefit],
    pairings: list[Pairing], measures: list[Measure], visits: list[Visit], secretaries: list[CadreLine],
    cadres: dict[int, CadreLine], mask_id, mask_phone,
) -> Ledger:
    known = [m for m in members if m.known_on(as_of)]
    present = hh.present_members(known, as_of)
    head = hh.head_of(known, as_of)
    # The head first, then the others present, then those who left (death, moving out), by record order.
    ordered = sorted(known, key=lambda m: (not m.present_on(as_of), m.relation != "head", m.id))
    state = status_on(events, as_of)
    monitoring = None
    if state.monitoring is not None:
        kind = MONITORING_TYPE.label(state.monitoring.type) or "监测对象"
        monitoring = kind + ("（风险已消除）" if state.monitoring.risk_eliminated else "（风险未消除）")

    def income_line(year: int, total: IncomeYear) -> IncomeLine:
        count = len(hh.present_members(known, hh.reference_day(year, as_of)))
        return IncomeLine(year, total, count, per_capita(total.net, count), book.poverty(year), book.monitoring(year),
                          partial=year == as_of.year and as_of < dt.date(year, 12, 31))

    income_lines = [income_line(y, t) for y, t in hh.income_years(incomes, as_of).items()]
    last_year = as_of.year - 1
    card = next((line for line in income_lines if line.year == last_year), None)
    card_poverty = book.poverty(last_year)

    facts = exit_standard.HouseholdFacts(
        per_capita=card.per_capita if card else None,
        income_year=last_year,
        poverty_line=card_poverty.yuan if card_poverty else None,
        food_clothing_secure=house.food_clothing_secure,
        housing_safety=house.housing_safety,
        safe_water=house.safe_water,
        members=[exit_standard.MemberFacts(m.name, m.birth_date, m.school_status, m.health, m.medical_insurance)
                 for m in present],
    )

    years: dict[int, list[BenefitLine]] = defaultdict(list)
    member_names = {m.id: m.name for m in members}
    for b in benefits:
        name, category = policies.get(b.policy_id, ("（未知政策）", None))
        years[b.benefit_date.year].append(
            BenefitLine(b.benefit_date, name, category, member_names.get(b.member_id), b.amount, b.note)
        )
    policy_years = [
        PolicyYear(year, sorted(rows, key=lambda r: r.date), sum((r.amount for r in rows), ZERO))
        for year, rows in sorted(years.items())
    ]

    return Ledger(
        household_id=house.id, code=house.code, as_of=as_of,
        county=path.get("county"), township=path.get("township"), village=path.get("village"),
        group=house.group_name, head=head.name if head else None, phone=mask_phone(house.phone),
        attribute=ATTRIBUTE.label(house.attribute), standard=STANDARD.label(house.standard),
        main_cause=CAUSE.label(house.main_cause), other_causes=labels_of(CAUSE, house.other_causes) or None,
        status=state.status, status_since=state.status_since, monitoring=monitoring,
        members_present=len(present), housing=house.housing_safety, safe_water=house.safe_water,
        electricity=house.electricity, road=house.road, food_clothing=house.food_clothing_secure,
        arable_land=house.arable_land, forest_land=house.forest_land,
        members=[_member_line(m, as_of, mask_id) for m in ordered],
        events=_event_lines(events, as_of),
        exit_items=exit_standard.check(facts, as_of),
        policy_years=policy_years,
        incomes=income_lines,
        card_year=last_year,
        card_income=card,
        card_poverty_line=card_poverty,
        card_monitoring_line=book.monitoring(last_year),
        cadres=[cadres[p.cadre_id] for p in pairings if p.active_on(as_of)],
        first_secretaries=secretaries,
        pairings=[
            PairingLine(cadres[p.cadre_id], p.start_on, p.end_on if p.end_on and p.end_on <= as_of else None,
                        p.end_reason if p.end_on and p.end_on <= as_of else None, p.active_on(as_of))
            for p in pairings
        ],
        measures=[MeasureLine(m.measure_date, MEASURE_KIND.label(m.kind), m.description, m.amount,
                              cadres[m.cadre_id].name if m.cadre_id else None) for m in measures],
        visits=[VisitLine(v.visit_date, cadres[v.cadre_id].name, v.done, v.problems, v.resolved) for v in visits],
    )
